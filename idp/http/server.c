/*
 * The libmicrohttpd daemon: limits, the request lifecycle and dispatch.
 *
 * libmicrohttpd calls access_cb several times per request: once when the
 * headers are in, then once per chunk of body, then once with no data.
 * We check everything that the headers decide on the first call and answer
 * errors right away (libmicrohttpd then closes the connection without
 * reading the body), buffer the body up to the route's limit, and run the
 * handler on the last call. Queuing the normal reply only then also keeps
 * the connection alive: libmicrohttpd 0.9.75 drops keep-alive when a reply
 * is queued on the first call.
 */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "idp/common/worker.h"
#include "idp/http/http_internal.h"
#include "idp/log/log.h"
#include "idp/metrics/metrics.h"

static atomic_uint in_flight_total;

unsigned
http_requests_in_flight(void)
{
	return atomic_load(&in_flight_total);
}

/* --- per-thread worker ------------------------------------------------ */

struct worker_slot {
	struct worker *w;
	http_worker_free_cb free_cb;
	void *cls;
};

static void
worker_slot_free(void *p)
{
	struct worker_slot *slot = p;

	if (slot->w != NULL)
		slot->free_cb(slot->w, slot->cls);
	free(slot);
}

static struct worker *
thread_worker(struct http_server *srv)
{
	struct worker_slot *slot = pthread_getspecific(srv->worker_key);

	if (slot != NULL)
		return slot->w;
	slot = calloc(1, sizeof(*slot));
	if (slot == NULL)
		return NULL;
	slot->w = srv->worker_new(srv->worker_cls);
	if (slot->w == NULL) {
		free(slot);
		return NULL;
	}
	slot->free_cb = srv->worker_free;
	slot->cls = srv->worker_cls;
	if (pthread_setspecific(srv->worker_key, slot) != 0) {
		worker_slot_free(slot);
		return NULL;
	}
	return slot->w;
}

/* --- request lifecycle ------------------------------------------------ */

/*
 * Called by libmicrohttpd with the raw request target before it is split
 * into path and arguments: the only place that sees its full length. The
 * request object made here is freed in completed_cb.
 */
static void *
uri_cb(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct http_server *srv = cls;
	struct http_request *req = calloc(1, sizeof(*req));

	if (req == NULL)
		return NULL;
	req->srv = srv;
	req->con = con;
	req->start_us = g_get_monotonic_time();
	req->uri_len = strlen(uri);
	/*
	 * The query as sent, before libmicrohttpd splits and decodes it in
	 * place: the signature of the SAML Redirect binding is over these
	 * very bytes. Only when the target is within the URL limit (longer
	 * ones are refused with 414 before any handler runs).
	 */
	const char *q = strchr(uri, '?');
	if (q != NULL && req->uri_len <= srv->cfg->max_url)
		req->raw_query = strdup(q + 1);
	req->lang = "de";
	atomic_fetch_add(&srv->in_flight, 1);
	atomic_fetch_add(&in_flight_total, 1);
	return req;
}

static enum MHD_Result
header_sum_cb(void *cls, enum MHD_ValueKind kind, const char *key,
	      const char *value)
{
	size_t *total = cls;

	(void)kind;
	*total += strlen(key) + 4 + (value ? strlen(value) : 0);
	return MHD_YES;
}

static void
client_init(struct http_request *req)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		req->con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const char *xff = MHD_lookup_connection_value(req->con,
						      MHD_HEADER_KIND,
						      "X-Forwarded-For");
	struct http_server *srv = req->srv;

	pthread_rwlock_rdlock(&srv->proxies_lock);
	http_client_addr(ci ? ci->client_addr : NULL, xff, srv->proxies,
			 srv->n_proxies, req->client, sizeof(req->client));
	pthread_rwlock_unlock(&srv->proxies_lock);
}

static void
lang_init(struct http_request *req)
{
	/* An explicit switch (?lang=en) wins over the browser's preference. */
	const char *q = MHD_lookup_connection_value(
		req->con, MHD_GET_ARGUMENT_KIND, "lang");

	if (q != NULL && (strcmp(q, "en") == 0 || strcmp(q, "de") == 0)) {
		req->lang = strcmp(q, "en") == 0 ? "en" : "de";
		return;
	}
	req->lang = http_lang_prefers_en(MHD_lookup_connection_value(
			    req->con, MHD_HEADER_KIND, "Accept-Language")) ?
			    "en" :
			    "de";
}

/* Strict Content-Length: digits only, no overflow; -1 when malformed. */
static int64_t
content_length(struct MHD_Connection *con)
{
	const char *s = MHD_lookup_connection_value(
		con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	int64_t v = 0;

	if (s == NULL)
		return 0;
	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

static bool
is_form(const char *ct)
{
	static const char form[] = "application/x-www-form-urlencoded";

	if (ct == NULL || strncasecmp(ct, form, sizeof(form) - 1) != 0)
		return false;
	ct += sizeof(form) - 1;
	return *ct == '\0' || *ct == ';' || *ct == ' ';
}

/*
 * Everything decided by the request line and headers. Returns true when an
 * error reply was set.
 */
static bool
request_precheck(struct http_request *req)
{
	const struct cfg *cfg = req->srv->cfg;
	size_t hdr = 0;
	unsigned allowed = 0;

	if (req->uri_len > cfg->max_url) {
		http_reply_error(req, IDP_E_URI_TOO_LONG);
		return true;
	}
	MHD_get_connection_values(req->con, MHD_HEADER_KIND, header_sum_cb,
				  &hdr);
	if (hdr > cfg->max_headers) {
		http_reply_error(req, IDP_E_HEADERS_TOO_LARGE);
		return true;
	}
	switch (http_route_find(req->srv->routes, req->srv->n_routes,
				req->path, req->method, &req->route,
				&allowed)) {
	case HTTP_ROUTE_FOUND:
		break;
	case HTTP_ROUTE_NOT_FOUND:
		http_reply_error(req, IDP_E_NOT_FOUND);
		return true;
	case HTTP_ROUTE_BAD_METHOD:
		http_reply_error(req, IDP_E_METHOD_NOT_ALLOWED);
		req->reply.allow = allowed;
		return true;
	}
	req->max_body = req->route->max_body < cfg->max_body ?
				req->route->max_body :
				cfg->max_body;
	int64_t cl = content_length(req->con);
	if (cl < 0) {
		http_reply_error(req, IDP_E_BAD_REQUEST);
		return true;
	}
	if ((uint64_t)cl > req->max_body) {
		http_reply_error(req, IDP_E_BODY_TOO_LARGE);
		return true;
	}
	if (req->method == HTTP_METHOD_POST &&
	    (req->route->flags & HTTP_ROUTE_FORM) &&
	    !is_form(MHD_lookup_connection_value(
		    req->con, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_TYPE))) {
		http_reply_error(req, IDP_E_UNSUPPORTED_MEDIA_TYPE);
		return true;
	}
	return false;
}

/*
 * Keep body bytes up to the route's limit. Past it, keep reading but drop
 * the data so we can still answer 413; a client that goes on far past the
 * limit is cut off. Returns false to close the connection.
 */
static bool
body_append(struct http_request *req, const char *data, size_t len)
{
	req->body_seen += len;
	if (req->body_too_large || req->body_len + len > req->max_body) {
		req->body_too_large = true;
		return req->body_seen <=
		       (req->max_body + 1) * HTTP_BODY_DISCARD_FACTOR;
	}
	if (req->body_len + len + 1 > req->body_cap) {
		size_t cap = req->body_cap ? req->body_cap : 1024;
		while (cap < req->body_len + len + 1)
			cap *= 2;
		if (cap > req->max_body + 1)
			cap = req->max_body + 1;
		char *p = realloc(req->body, cap);
		if (p == NULL)
			return false;
		req->body = p;
		req->body_cap = cap;
	}
	memcpy(req->body + req->body_len, data, len);
	req->body_len += len;
	req->body[req->body_len] = '\0';
	return true;
}

/*
 * Cookies, form body and CSRF token, in that order, before anything that
 * costs more (the database). Returns true when an error reply was set.
 */
static bool
request_parse(struct http_request *req)
{
	unsigned flags = req->route->flags;
	int rc;

	if (http_request_cookies_init(req) != 0) {
		http_reply_error(req, IDP_E_INTERNAL);
		return true;
	}
	if (req->method != HTTP_METHOD_POST)
		return false;
	if (flags & HTTP_ROUTE_FORM) {
		rc = http_form_parse(req->body, req->body_len, &req->form);
		if (rc == IDP_ERR_NOMEM) {
			http_reply_error(req, IDP_E_INTERNAL);
			return true;
		}
		if (rc != 0) {
			/* A peer fault; the body is not logged. */
			log_kv(LOG_LEVEL_INFO, "form_invalid", "request_id",
			       req->id, "route", req->route->name, "error",
			       idp_err_name(rc), NULL);
			http_reply_error(req, IDP_E_BAD_REQUEST);
			return true;
		}
	}
	if ((flags & HTTP_ROUTE_CSRF) && !http_csrf_verify(req)) {
		http_reply_error(req, IDP_E_CSRF);
		return true;
	}
	return false;
}

static void
dispatch(struct http_request *req)
{
	if (req->body_too_large) {
		http_reply_error(req, IDP_E_BODY_TOO_LARGE);
		return;
	}
	if (request_parse(req))
		return;
	req->worker = thread_worker(req->srv);
	if (req->worker == NULL) {
		http_reply_error(req, IDP_E_UNAVAILABLE);
		return;
	}
	if ((req->route->flags & HTTP_ROUTE_DB) &&
	    store_ensure(req->worker->store) != 0) {
		http_reply_error(req, IDP_E_UNAVAILABLE);
		return;
	}
	req->route->handler(req);
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *con, const char *url,
	  const char *method, const char *version, const char *upload_data,
	  size_t *upload_data_size, void **con_cls)
{
	struct http_request *req = *con_cls;

	(void)cls;
	(void)con;
	(void)version;
	if (req == NULL)
		return MHD_NO; /* uri_cb ran out of memory */
	if (req->queued) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (!req->started) {
		uint8_t rnd[HTTP_REQUEST_ID_BYTES];

		req->started = true;
		req->path = url;
		req->method_name = method;
		req->method = http_method_parse(method);
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(req->id, sizeof(req->id), rnd, sizeof(rnd));
		client_init(req);
		lang_init(req);
		if (request_precheck(req))
			return http_reply_queue(req);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		size_t len = *upload_data_size;
		*upload_data_size = 0;
		return body_append(req, upload_data, len) ? MHD_YES : MHD_NO;
	}
	dispatch(req);
	return http_reply_queue(req);
}

static void
completed_cb(void *cls, struct MHD_Connection *con, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct http_request *req = *con_cls;

	(void)con;
	if (req == NULL)
		return;
	*con_cls = NULL;

	double secs = (double)(g_get_monotonic_time() - req->start_us) / 1e6;
	size_t route = req->route ? (size_t)(req->route - srv->routes) :
				    metrics_unmatched();
	unsigned status = req->reply.set ? req->reply.status : 0;

	if (req->started) {
		char st[8], ms[32];

		snprintf(st, sizeof(st), "%u", status);
		snprintf(ms, sizeof(ms), "%.3f", secs * 1e3);
		metrics_observe(route, status, secs);
		/* Path only: query strings carry SAML messages and tokens. */
		log_kv(LOG_LEVEL_INFO, "request", "request_id", req->id,
		       "method", req->method_name, "path", req->path,
		       "route", req->route ? req->route->name : "unmatched",
		       "status", st, "duration_ms", ms, "client",
		       req->client, "end",
		       toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ?
			       "ok" :
			       "aborted",
		       NULL);
	}
	http_reply_clear(&req->reply);
	free(req->raw_query);
	http_form_free(&req->form);
	http_cookies_free(&req->cookies);
	sodium_memzero(req->csrf_token, sizeof(req->csrf_token));
	if (req->body != NULL) {
		/* Form bodies carry passwords. */
		sodium_memzero(req->body, req->body_len);
		free(req->body);
	}
	free(req);
	atomic_fetch_sub(&srv->in_flight, 1);
	atomic_fetch_sub(&in_flight_total, 1);
}

__attribute__((format(printf, 2, 0))) static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_kv(LOG_LEVEL_INFO, "http_server", "msg", buf, NULL);
}

/* --- server ------------------------------------------------------------- */

struct http_server *
http_server_start(const struct cfg *cfg, const struct http_route *routes,
		  size_t n_routes, http_worker_new_cb worker_new,
		  http_worker_free_cb worker_free, void *worker_cls)
{
	struct http_server *srv;
	struct http_tls *tls = NULL;
	char err[512];

	if (http_tls_load(cfg, &tls, err, sizeof(err)) != 0) {
		log_msg(LOG_LEVEL_ERROR, "tls_invalid", "%s", err);
		return NULL;
	}
	srv = http_server_start_tls(cfg, tls, routes, n_routes, worker_new,
				    worker_free, worker_cls);
	http_tls_free(tls);
	return srv;
}

struct http_server *
http_server_start_tls(const struct cfg *cfg, const struct http_tls *tls,
		      const struct http_route *routes, size_t n_routes,
		      http_worker_new_cb worker_new,
		      http_worker_free_cb worker_free, void *worker_cls)
{
	struct http_server *srv;
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			 MHD_USE_ITC | MHD_USE_ERROR_LOG;
	const char **names = NULL;
	/* TLS options, or none: MHD_OPTION_END only. */
	struct MHD_OptionItem tls_opts[4] = {
		{ MHD_OPTION_END, 0, NULL },
	};

	if ((tls != NULL) != cfg->tls) {
		/* Serving plain HTTP where TLS was configured: our bug. */
		log_msg(LOG_LEVEL_ERROR, "tls_invalid",
			"TLS is %s in the config but %s to the server",
			cfg->tls ? "on" : "off",
			tls != NULL ? "credentials were passed" :
				      "none were passed");
		return NULL;
	}
	if (tls != NULL) {
		flags |= MHD_USE_TLS;
		tls_opts[0] = (struct MHD_OptionItem){
			MHD_OPTION_HTTPS_MEM_KEY, 0, tls->key
		};
		tls_opts[1] = (struct MHD_OptionItem){
			MHD_OPTION_HTTPS_MEM_CERT, 0, tls->cert
		};
		tls_opts[2] = (struct MHD_OptionItem){
			MHD_OPTION_HTTPS_PRIORITIES, 0, cfg->tls_priorities
		};
		tls_opts[3] = (struct MHD_OptionItem){ MHD_OPTION_END, 0,
						       NULL };
	}
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return NULL;
	/* A route table that cannot be served safely is a startup error. */
	for (size_t i = 0; i < n_routes; i++) {
		if ((routes[i].flags & HTTP_ROUTE_CSRF) &&
		    !(routes[i].flags & HTTP_ROUTE_FORM)) {
			log_msg(LOG_LEVEL_ERROR, "route_invalid",
				"route %s: HTTP_ROUTE_CSRF needs "
				"HTTP_ROUTE_FORM",
				routes[i].name);
			free(srv);
			return NULL;
		}
	}
	srv->cfg = cfg;
	srv->routes = routes;
	srv->n_routes = n_routes;
	srv->worker_new = worker_new;
	srv->worker_free = worker_free;
	srv->worker_cls = worker_cls;
	pthread_rwlock_init(&srv->proxies_lock, NULL);
	memcpy(srv->proxies, cfg->trusted_proxies, sizeof(srv->proxies));
	srv->n_proxies = cfg->n_trusted_proxies;
	if (pthread_key_create(&srv->worker_key, worker_slot_free) != 0)
		goto fail_key;

	names = calloc(n_routes ? n_routes : 1, sizeof(*names));
	if (names == NULL)
		goto fail;
	for (size_t i = 0; i < n_routes; i++)
		names[i] = routes[i].name;
	if (metrics_init(names, n_routes) != 0)
		goto fail;
	free(names);
	names = NULL;

	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *v4 = (struct sockaddr_in *)(void *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)(void *)&ss;
	if (inet_pton(AF_INET, cfg->listen_address, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)cfg->port);
	} else if (inet_pton(AF_INET6, cfg->listen_address,
			     &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)cfg->port);
		flags |= MHD_USE_IPv6;
	} else {
		log_msg(LOG_LEVEL_ERROR, "listen_failed",
			"not a numeric address: %s", cfg->listen_address);
		goto fail;
	}

	srv->daemon = MHD_start_daemon(
		flags, (uint16_t)cfg->port, NULL, NULL, access_cb, srv,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cfg->threads,
		MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)cfg->max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned int)cfg->max_connections_per_ip,
		MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)cfg->connection_timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)cfg->connection_memory,
		MHD_OPTION_URI_LOG_CALLBACK, uri_cb, srv,
		MHD_OPTION_NOTIFY_COMPLETED, completed_cb, srv,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
		MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
	if (srv->daemon == NULL) {
		log_msg(LOG_LEVEL_ERROR, "listen_failed",
			"cannot listen on %s port %u", cfg->listen_address,
			cfg->port);
		goto fail;
	}
	const union MHD_DaemonInfo *di =
		MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = di ? di->port : cfg->port;
	return srv;
fail:
	free(names);
	pthread_key_delete(srv->worker_key);
fail_key:
	pthread_rwlock_destroy(&srv->proxies_lock);
	free(srv);
	return NULL;
}

unsigned
http_server_port(const struct http_server *srv)
{
	return srv->port;
}

void
http_server_set_trusted_proxies(struct http_server *srv,
				const struct cfg_net *nets, size_t n)
{
	if (n > CFG_MAX_TRUSTED_PROXIES)
		n = CFG_MAX_TRUSTED_PROXIES;
	pthread_rwlock_wrlock(&srv->proxies_lock);
	memcpy(srv->proxies, nets, n * sizeof(*nets));
	srv->n_proxies = n;
	pthread_rwlock_unlock(&srv->proxies_lock);
}

unsigned
http_server_stop(struct http_server *srv, unsigned grace_s)
{
	unsigned left;

	if (srv == NULL)
		return 0;
	/*
	 * Quiesce first: the listening socket closes, so a load balancer
	 * sees this node go away, while requests in flight finish.
	 */
	MHD_socket fd = MHD_quiesce_daemon(srv->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	int64_t deadline = g_get_monotonic_time() + (int64_t)grace_s * 1000000;
	while (atomic_load(&srv->in_flight) > 0 &&
	       g_get_monotonic_time() < deadline)
		g_usleep(10000);
	left = atomic_load(&srv->in_flight);
	MHD_stop_daemon(srv->daemon);
	pthread_key_delete(srv->worker_key);
	pthread_rwlock_destroy(&srv->proxies_lock);
	free(srv);
	return left;
}
