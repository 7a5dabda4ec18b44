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

struct http_reply {
	bool set;
	unsigned status;
	const char *content_type; /* static string */
	char *body;		  /* owned */
	size_t len;
	unsigned allow;		  /* methods for 405's Allow header */
};

struct http_request {
	struct http_server *srv;
	struct MHD_Connection *con;
	int64_t start_us;   /* monotonic */
	size_t uri_len;	    /* raw request target, path plus query */
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
	struct http_reply reply;
};

/* Queue req->reply with the security headers; MHD_NO on failure. */
enum MHD_Result http_reply_queue(struct http_request *req);

/* Free what the reply owns. */
void http_reply_clear(struct http_reply *reply);

#endif
