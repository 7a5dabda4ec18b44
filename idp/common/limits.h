/*
 * Every size and count limit in one place. Limits are enforced before any
 * parsing of the data they bound. Configurable limits have their default
 * here and their range check in idp/cfg.
 */
#ifndef IDP_COMMON_LIMITS_H
#define IDP_COMMON_LIMITS_H

/*
 * HTTP. The URL limit has to admit a deflated, base64-encoded SAML
 * AuthnRequest with a signature in the query string (HTTP-Redirect binding);
 * real ones stay under 4 KiB, so 16 KiB leaves room without inviting abuse.
 */
#define HTTP_MAX_URL_DEFAULT (16 * 1024)
#define HTTP_MAX_URL_MIN 1024
#define HTTP_MAX_URL_MAX (64 * 1024)

/* Sum of all request header names and values. */
#define HTTP_MAX_HEADERS_DEFAULT (16 * 1024)
#define HTTP_MAX_HEADERS_MIN 1024
#define HTTP_MAX_HEADERS_MAX (64 * 1024)

/*
 * Largest body any route may accept. Each route has its own, smaller limit;
 * an HTTP-POST SAML message with an embedded certificate fits in 256 KiB.
 */
#define HTTP_MAX_BODY_DEFAULT (256 * 1024)
#define HTTP_MAX_BODY_MIN 1024
#define HTTP_MAX_BODY_MAX (16 * 1024 * 1024)

/*
 * Per-connection memory pool of libmicrohttpd: it holds the request line and
 * headers, so it has to exceed URL plus header limits; we answer 414 and 431
 * ourselves before libmicrohttpd runs out of pool.
 */
#define HTTP_CONN_MEMORY_DEFAULT (128 * 1024)
#define HTTP_CONN_MEMORY_MIN (16 * 1024)
#define HTTP_CONN_MEMORY_MAX (1024 * 1024)

/* A chunked body this many times over the route limit closes the connection. */
#define HTTP_BODY_DISCARD_FACTOR 4

/* Query and form fields: count and total decoded size. */
#define HTTP_MAX_FIELDS 64

/* Request id: 16 random bytes as hex. */
#define HTTP_REQUEST_ID_BYTES 16

/* Trusted proxies in the config. */
#define CFG_MAX_TRUSTED_PROXIES 32

/* Store: serialization failures retried this many times at most. */
#define STORE_TX_RETRIES_DEFAULT 5
/* Reconnect attempts are spaced at least this far apart per worker. */
#define STORE_RECONNECT_INTERVAL_MS 500

/*
 * Login throttling (idp/throttle). Per e-mail address: the first
 * THROTTLE_EMAIL_FREE failures cost nothing, then each failure doubles a
 * delay up to THROTTLE_MAX_DELAY_S: an attacker gets a few hundred guesses
 * a day at most, while the owner is never locked out for longer than the
 * cap. Per client address the allowance is larger (shared NAT, offices).
 * Counters start over after THROTTLE_RESET_S without failures.
 */
#define THROTTLE_EMAIL_FREE 5
#define THROTTLE_IP_FREE 20
#define THROTTLE_MAX_DELAY_S 900
#define THROTTLE_RESET_S 3600
/* The owner gets a notice mail when this many failures in a row happen. */
#define THROTTLE_NOTICE_AT 5

/* E-mail links. */
#define ACCOUNT_VERIFY_TTL_S (24 * 3600)
#define ACCOUNT_RESET_TTL_S 3600
#define ACCOUNT_EMAIL_CHANGE_TTL_S (24 * 3600)
/* At most this many links of one kind per account and window. */
#define ACCOUNT_MAIL_MAX_PER_WINDOW 5
#define ACCOUNT_MAIL_WINDOW_S (24 * 3600)
#define ACCOUNT_MAIL_MIN_INTERVAL_S 60

/* Form fields of the account pages, in bytes, checked before parsing. */
#define ACCOUNT_EMAIL_MAX 254
#define ACCOUNT_NAME_MAX_CHARS 200
#define ACCOUNT_STREET_MAX_CHARS 200
#define ACCOUNT_CITY_MAX_CHARS 200
#define ACCOUNT_POSTAL_CODE_MAX_CHARS 20

#endif
