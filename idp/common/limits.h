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

/* Longest decoded form field name: ours are short words. */
#define HTTP_MAX_FIELD_NAME 64
/*
 * Cookies kept from a request; the rest is ignored (the header is bounded
 * by server.max_headers anyway).
 */
#define HTTP_MAX_COOKIES 64
/* Longest cookie name we set (before the __Host- prefix). */
#define HTTP_MAX_COOKIE_NAME 64
/* Longest cookie value we set: our values are 43-byte tokens. */
#define HTTP_MAX_COOKIE_VALUE 1024
/* Set-Cookie lines on one reply: session, CSRF and a few to spare. */
#define HTTP_MAX_SET_COOKIES 8
/* Longest redirect target (path and query). */
#define HTTP_MAX_REDIRECT 2048
/*
 * Longest off-site redirect target: a SAML HTTP-Redirect message (the
 * deflated message, RelayState and an RSA signature of up to 4096 bits,
 * URL-encoded) at an endpoint URL of a relying party's metadata. Browsers
 * and servers take 8 KiB request lines.
 */
#define HTTP_MAX_REDIRECT_EXTERNAL 8192
/*
 * Largest TLS certificate file (a chain of several certificates) and key
 * file (an RSA key of 8192 bits is about 6.5 KiB in PEM) idpd reads.
 */
#define HTTP_TLS_CERT_FILE_MAX (64 * 1024)
#define HTTP_TLS_KEY_FILE_MAX (16 * 1024)

/*
 * Config (idp/cfg). Largest config file read. A real one is a few hundred
 * bytes; the bound only keeps a wrong path (a log, a device) from being
 * read whole.
 */
#define CFG_FILE_MAX (64 * 1024)

/* Longest [database] conninfo: libpq has no limit, this is plenty. */
#define CFG_CONNINFO_MAX 4096

/* Longest [server] public_url: 253 bytes of host name plus scheme, port. */
#define CFG_PUBLIC_URL_MAX 512

/* Longest plain string value (paths, addresses, URLs in [mail]). */
#define CFG_STRING_MAX 1024

/*
 * Longest [keys] certificate_subject: X.509's upper bound for a common
 * name (ub-common-name, RFC 5280) is 64 characters; we count bytes.
 */
#define CFG_CERT_SUBJECT_MAX 64

/* [server] threads at most; 0 in the config means one per online core. */
#define CFG_THREADS_MAX 256

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
/*
 * "Someone tried to register with your address" mails: at most this many
 * per address until THROTTLE_RESET_S pass without an attempt, so that
 * registering with a stranger's address cannot flood their mailbox.
 */
#define THROTTLE_EXISTS_NOTICES 3

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

/*
 * Pages and mails (idp/page). Sections and partials nested deeper than
 * this are refused when a template is parsed, so rendering can never
 * recurse without bound (a partial that includes itself is caught the
 * same way).
 */
#define PAGE_MAX_DEPTH 16
/* A rendered page or mail larger than this is an error, not a reply. */
#define PAGE_MAX_OUTPUT (1024 * 1024)
/*
 * One embedded file; templates/embed.py enforces the same bound at build
 * time.
 */
#define PAGE_MAX_FILE (256 * 1024)
/* Characters between {{ and }}: names are short. */
#define PAGE_MAX_TAG 64

/*
 * SAML metadata of relying parties (idp/saml/saml_sp.h), enforced before
 * any XML parser sees the bytes. Real SP metadata is a few KiB with a
 * depth under 10 and well under a hundred elements; federation aggregates
 * are not accepted (one entity per import), so these bounds only ever
 * stop abuse and mistakes.
 */
#define SAML_SP_METADATA_MAX (1024 * 1024) /* bytes */
#define SAML_SP_METADATA_DEPTH_MAX 32 /* nesting of elements */
#define SAML_SP_METADATA_ELEMENTS_MAX 20000 /* elements, comments, PIs */
#define SAML_SP_ENTITY_ID_MAX 1024 /* bytes */
#define SAML_SP_URL_MAX 2048 /* endpoint and metadata URLs */
#define SAML_SP_ENDPOINTS_MAX 32 /* ACS, and SLO, each */
#define SAML_SP_CERTS_MAX 16 /* X509Certificate elements */
#define SAML_SP_CERT_B64_MAX (64 * 1024) /* one certificate, base64 */

#endif
