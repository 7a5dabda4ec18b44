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

#endif
