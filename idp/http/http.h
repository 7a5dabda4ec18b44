/*
 * The HTTP layer: libmicrohttpd behind a small API, so that handlers never
 * see libmicrohttpd types (only idp/http/ includes microhttpd.h).
 *
 * Lifecycle of a request: the server parses and bounds the request line,
 * headers and body, finds the route (404, 405 with Allow), checks sizes
 * (413, 414, 431) and content type (415), makes sure the worker's database
 * connection is up for routes that need it (503), then calls the handler
 * once with the whole request. The handler sets exactly one reply through
 * the http_reply_* functions; the server adds the security headers, queues
 * the reply, writes the access log line and records metrics.
 *
 * Threads: handlers run on libmicrohttpd's worker threads; each thread has
 * its own struct worker (see idp/common/worker.h).
 */
#ifndef IDP_HTTP_HTTP_H
#define IDP_HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "idp/cfg/cfg.h"
#include "idp/common/err.h"
#include "idp/common/errors.h"

struct http_request;
struct http_server;
struct worker;

/* Methods as a bit set, so a route can allow several. */
enum http_method {
	HTTP_METHOD_OTHER = 0,
	HTTP_METHOD_GET = 1 << 0,
	HTTP_METHOD_HEAD = 1 << 1,
	HTTP_METHOD_POST = 1 << 2,
};

/* Route flags. */
enum http_route_flag {
	/* The handler uses the database: 503 before it runs when it is down. */
	HTTP_ROUTE_DB = 1 << 0,
	/* A POST body must be application/x-www-form-urlencoded (else 415). */
	HTTP_ROUTE_FORM = 1 << 1,
	/* The reply may be cached (static assets); default is no-store. */
	HTTP_ROUTE_CACHEABLE = 1 << 2,
};

typedef void (*http_handler_cb)(struct http_request *req);

struct http_route {
	const char *name;   /* stable label for logs and metrics */
	const char *path;   /* exact path */
	unsigned methods;   /* enum http_method bits; GET implies HEAD */
	http_handler_cb handler;
	size_t max_body;    /* bytes; 0 = no body accepted */
	unsigned flags;     /* enum http_route_flag bits */
};

/* Result of looking a path and method up in a route table. */
enum http_route_match {
	HTTP_ROUTE_FOUND,
	HTTP_ROUTE_NOT_FOUND,
	HTTP_ROUTE_BAD_METHOD,
};

/*
 * Find the route for @path and @method in @routes (@n entries). On
 * HTTP_ROUTE_FOUND *found is the route; on HTTP_ROUTE_BAD_METHOD *allowed
 * holds the methods the path accepts. Pure; exposed for tests.
 */
enum http_route_match http_route_find(const struct http_route *routes,
				      size_t n, const char *path,
				      enum http_method method,
				      const struct http_route **found,
				      unsigned *allowed);

/* "GET, HEAD, POST" for a method set, into @buf. */
void http_methods_format(unsigned methods, char *buf, size_t len);

/* Parse a method name; HTTP_METHOD_OTHER for anything else. */
enum http_method http_method_parse(const char *s);

/* Per-thread worker context: created lazily, freed at thread exit. */
typedef struct worker *(*http_worker_new_cb)(void *cls);
typedef void (*http_worker_free_cb)(struct worker *w, void *cls);

/*
 * Start serving @routes (borrowed; must outlive the server) with the limits
 * and address in @cfg (borrowed, must outlive the server). Returns NULL
 * and logs why when the socket cannot be opened.
 */
struct http_server *http_server_start(const struct cfg *cfg,
				      const struct http_route *routes,
				      size_t n_routes,
				      http_worker_new_cb worker_new,
				      http_worker_free_cb worker_free,
				      void *worker_cls);

/* The TCP port the server listens on (useful when cfg asked for 0). */
unsigned http_server_port(const struct http_server *srv);

/*
 * Replace the trusted proxy list (SIGHUP). Safe while serving: requests
 * see either the old or the new list.
 */
void http_server_set_trusted_proxies(struct http_server *srv,
				     const struct cfg_net *nets, size_t n);

/*
 * Stop accepting new connections, wait up to @grace_s seconds for requests
 * in flight to finish, then close everything and free @srv. Returns the
 * number of requests that were still in flight when the grace ran out.
 */
unsigned http_server_stop(struct http_server *srv, unsigned grace_s);

/* Requests currently being processed, over all servers (for /metrics). */
unsigned http_requests_in_flight(void);

/* --- Request accessors (all borrowed, valid until the reply is sent) --- */

enum http_method http_request_method(const struct http_request *req);
const char *http_request_path(const struct http_request *req);
/* Request header by name (case-insensitive), or NULL. */
const char *http_request_header(const struct http_request *req,
				const char *name);
/* Decoded query argument by name, or NULL. */
const char *http_request_query(const struct http_request *req,
			       const char *name);
/* The body (NUL-terminated for convenience), or NULL with *len 0. */
const char *http_request_body(const struct http_request *req, size_t *len);
/* Client address as text: the peer, or from X-Forwarded-For if trusted. */
const char *http_request_client(const struct http_request *req);
/* 32 hex characters, unique per request; in logs and error pages. */
const char *http_request_id(const struct http_request *req);
/* "de" or "en", from Accept-Language (German unless English is preferred). */
const char *http_request_lang(const struct http_request *req);
/* This thread's worker context (never NULL in a handler). */
struct worker *http_request_worker(const struct http_request *req);

/* --- Replies: a handler calls exactly one of these --- */

/* An HTML page: @title and @text are plain text, escaped here. */
void http_reply_page(struct http_request *req, unsigned status,
		     const char *title, const char *text);

/* The page for an entry of the error table (status included). */
void http_reply_error(struct http_request *req, enum idp_error e);

/* Any body with a content type; @body is copied. */
void http_reply_data(struct http_request *req, unsigned status,
		     const char *content_type, const char *body, size_t len);

/*
 * Parse Accept-Language and say whether English is preferred over German.
 * Pure; exposed for tests. NULL or unparsable means German.
 */
bool http_lang_prefers_en(const char *accept_language);

/*
 * Choose the client address: the socket peer @peer, unless the peer is in
 * @nets and @xff (X-Forwarded-For) is set; then the right-most address in
 * @xff that is not itself a trusted proxy. Malformed entries end the walk
 * at the last good address. Writes text into @out (INET6_ADDRSTRLEN).
 */
void http_client_addr(const struct sockaddr *peer, const char *xff,
		      const struct cfg_net *nets, size_t n, char *out,
		      size_t outlen);

#endif
