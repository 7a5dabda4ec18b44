/*
 * Internals of idp/http shared between its files. Nothing outside
 * idp/http includes this (it pulls in microhttpd.h).
 */
#ifndef IDP_HTTP_HTTP_INTERNAL_H
#define IDP_HTTP_HTTP_INTERNAL_H

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "idp/http/http.h"

/*
 * The PEM text of [server] tls_certificate_file and tls_key_file, each
 * NUL-terminated; the key is wiped by http_tls_free().
 */
struct http_tls {
	char *cert;
	size_t cert_len;
	char *key;
	size_t key_len;
};

struct http_server {
	struct MHD_Daemon *daemon;
	const struct cfg *cfg;
	const struct http_route *routes;
	size_t n_routes;
	unsigned port;
	http_worker_new_cb worker_new;
	http_worker_free_cb worker_free;
	void *worker_cls;
	pthread_key_t worker_key;
	/* Trusted proxies can change on SIGHUP; readers take the lock. */
	pthread_rwlock_t proxies_lock;
	struct cfg_net proxies[CFG_MAX_TRUSTED_PROXIES];
	size_t n_proxies;
	atomic_uint in_flight;
};

/*
 * The reply being built. Body, status and Location belong to the one reply
 * a handler sets; cookies are collected independently of it, before or
 * after, and go out with whatever reply is queued.
 */
struct http_reply {
	bool set;
	unsigned status;
	const char *content_type; /* static string */
	char *body;		  /* owned */
	size_t len;
	unsigned allow;		  /* methods for 405's Allow header */
	char *location;		  /* owned; Location header of a redirect */
	/*
	 * owned; NULL: the default policy. Set by http_reply_csp_form_post()
	 * for the one page that needs script and a foreign form-action.
	 */
	char *csp;
	/* Set-Cookie header values, owned; one per cookie name. */
	char *set_cookie[HTTP_MAX_SET_COOKIES];
	size_t n_set_cookie;
};

struct http_request {
	struct http_server *srv;
	struct MHD_Connection *con;
	int64_t start_us;   /* monotonic */
	size_t uri_len;	    /* raw request target, path plus query */
	char *raw_query;    /* owned; the query as sent, NULL when none */
	bool started;	    /* first access call done */
	bool queued;	    /* a response was queued */
	enum http_method method;
	const char *method_name; /* borrowed from libmicrohttpd */
	const char *path;	 /* borrowed from libmicrohttpd */
	const struct http_route *route;
	size_t max_body;
	char *body;	    /* owned, NUL-terminated */
	size_t body_len;
	size_t body_cap;
	size_t body_seen;   /* all bytes received, kept or not */
	bool body_too_large;
	char id[2 * HTTP_REQUEST_ID_BYTES + 1];
	char client[INET6_ADDRSTRLEN];
	const char *lang;
	struct worker *worker;
	struct http_cookies cookies; /* parsed before the handler runs */
	struct http_form form;	     /* POSTs to HTTP_ROUTE_FORM routes */
	/* The CSRF token of this request's cookie; "" until known. */
	char csrf_token[HTTP_CSRF_TOKEN_LEN + 1];
	struct http_reply reply;
};

/* Queue req->reply with the security headers; MHD_NO on failure. */
enum MHD_Result http_reply_queue(struct http_request *req);

/* Free what the reply owns. */
void http_reply_clear(struct http_reply *reply);

/*
 * Whether a handler may still set the reply; a second reply is our bug,
 * logged here, and the first one stays.
 */
bool http_reply_begin(struct http_request *req);

/*
 * Render template @name with @vars (not NULL, borrowed) plus lang,
 * lang_other, request_id and path, and set it as the reply. Returns 0, or
 * the error of page_render() (logged as a bug) with no reply set.
 */
IDP_WUR int http_reply_template(struct http_request *req, unsigned status,
				const char *name, struct page_vars *vars);

/*
 * Read all Cookie headers of the request into req->cookies (called by the
 * dispatcher before the handler). Returns 0 or IDP_ERR_NOMEM.
 */
IDP_WUR int http_request_cookies_init(struct http_request *req);

/*
 * Whether the form field "csrf" matches the token derived from the
 * request's CSRF cookie (constant time). Logs why not at info level.
 */
bool http_csrf_verify(struct http_request *req);

#endif
