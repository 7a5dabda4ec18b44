/*
 * The HTTP layer: libmicrohttpd behind a small API, so that handlers never
 * see libmicrohttpd types (only idp/http/ includes microhttpd.h).
 *
 * Lifecycle of a request: the server parses and bounds the request line,
 * headers and body, finds the route (404, 405 with Allow), checks sizes
 * (413, 414, 431) and content type (415), parses the cookies and the form
 * body (400), checks the CSRF token of form posts (403), makes sure the
 * worker's database connection is up for routes that need it (503), then
 * calls the handler once with the whole request. The handler sets exactly
 * one reply through the http_reply_* functions, and any number of cookies;
 * the server adds the security headers, queues the reply, writes the
 * access log line and records metrics.
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
#include "idp/common/limits.h"

/*
 * The limits of the HTTP layer (HTTP_MAX_*: URL, headers, body, form
 * fields, cookies, redirect targets) are in idp/common/limits.h. They are
 * enforced before or while parsing, never after.
 */

/* CSRF: the cookie, the form field and the token length (base64url). */
#define HTTP_CSRF_COOKIE "sk_csrf"
#define HTTP_CSRF_FIELD "csrf"
#define HTTP_CSRF_TOKEN_LEN 43

struct http_request;
struct http_server;
struct http_tls;
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
	/*
	 * A POST must carry the CSRF token in field "csrf" (else 403, and
	 * the handler does not run). Needs HTTP_ROUTE_FORM: the server
	 * refuses to start with a route that has one without the other.
	 */
	HTTP_ROUTE_CSRF = 1 << 3,
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
 * Read the TLS certificate chain and private key that @cfg names
 * ([server] tls_certificate_file, tls_key_file) and check them: regular
 * files within HTTP_TLS_CERT_FILE_MAX / HTTP_TLS_KEY_FILE_MAX, the key
 * file with no permission for group or others, PEM, no private key in the
 * certificate file, no encrypted key, and accepted by GnuTLS (parsed, the
 * key matching the certificate) together with [server] tls_priorities.
 *
 * With TLS off (cfg->tls false) returns 0 and *@out = NULL. Otherwise
 * returns 0 and *@out, freed (the key wiped) with http_tls_free(), or
 * IDP_ERR_IO, IDP_ERR_INVALID, IDP_ERR_TOO_LARGE or IDP_ERR_NOMEM with
 * *@out = NULL and one line in @err (size @errlen) naming the key, the
 * file and the problem. Never writes key material into @err.
 */
IDP_WUR int http_tls_load(const struct cfg *cfg, struct http_tls **out,
			  char *err, size_t errlen);

/* Wipe and free what http_tls_load() read. NULL is fine. */
void http_tls_free(struct http_tls *tls);

/*
 * Start serving @routes (borrowed; must outlive the server) with the limits
 * and address in @cfg (borrowed, must outlive the server), over TLS with
 * @tls (from http_tls_load(); borrowed, and no longer needed once this
 * returns: GnuTLS has its own parsed copy, so free it at once) or plain
 * HTTP when @tls is NULL. @tls must be given exactly when cfg->tls is
 * set. Returns NULL and logs why when the socket cannot be opened.
 */
struct http_server *http_server_start_tls(const struct cfg *cfg,
					  const struct http_tls *tls,
					  const struct http_route *routes,
					  size_t n_routes,
					  http_worker_new_cb worker_new,
					  http_worker_free_cb worker_free,
					  void *worker_cls);

/*
 * http_server_start_tls() that reads the TLS files itself when @cfg asks
 * for TLS (logging the reason when they are not usable), and wipes them
 * after the start.
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
/*
 * The query string exactly as the client sent it (without the "?"), not
 * decoded, or NULL when there is none: what the SAML Redirect binding's
 * signature covers. Valid until the reply is sent.
 */
const char *http_request_raw_query(const struct http_request *req);
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

/*
 * Decoded form field of an application/x-www-form-urlencoded body, or NULL
 * when absent. Only POSTs to routes with HTTP_ROUTE_FORM have fields: the
 * dispatcher parses the body with http_form_parse() before the handler runs
 * and answers 400 to a malformed one, so a handler sees only valid UTF-8
 * without control characters (but TAB, CR, LF), each name at most once.
 */
const char *http_request_form(const struct http_request *req,
			      const char *name);

/*
 * Value of cookie @name from the Cookie header(s), or NULL. When the public
 * URL is https the cookie looked up is "__Host-" @name, the name
 * http_reply_cookie() gives it. Malformed pairs are ignored; of two cookies
 * with the same name the first one counts (see http_cookies_parse()).
 */
const char *http_request_cookie(const struct http_request *req,
				const char *name);

/*
 * The CSRF token to put into this request's forms (field HTTP_CSRF_FIELD),
 * valid until the reply is sent. Sets a new CSRF cookie on the reply when
 * the browser has no valid one yet. Stateless: the token is derived from
 * the cookie, so any node can check it (see idp/http/csrf.c).
 */
const char *http_request_csrf(struct http_request *req);

/* --- Cookies: may be added before the reply, any number --- */

enum http_cookie_flag {
	/* SameSite=None (needs Secure): for the SAML HTTP-POST binding. */
	HTTP_COOKIE_SAMESITE_NONE = 1 << 0,
	/* SameSite=Strict instead of the default Lax. */
	HTTP_COOKIE_SAMESITE_STRICT = 1 << 1,
};

/*
 * Set cookie @name=@value on the reply: Path=/, HttpOnly, Secure when the
 * public URL is https (then the name gets the __Host- prefix, which
 * http_request_cookie() also expects), SameSite=Lax unless a flag says
 * otherwise. @max_age_s 0 means a session cookie; a NULL @value deletes
 * the cookie (Max-Age=0). Setting the same name again in one reply
 * replaces the earlier value.
 *
 * @name is a token of at most HTTP_MAX_COOKIE_NAME bytes, @value at most
 * HTTP_MAX_COOKIE_VALUE bytes of cookie-octets (our values are base64url);
 * anything else, or more than HTTP_MAX_SET_COOKIES cookies, is our bug: it
 * is logged and the cookie is not sent. SameSite=None is only sent with
 * Secure; over http it falls back to Lax (with one warning per process).
 * When both SameSite flags are given, Strict wins.
 */
void http_reply_cookie(struct http_request *req, const char *name,
		       const char *value, unsigned max_age_s, unsigned flags);

/*
 * Give the browser a new CSRF cookie (at login and logout), so that a token
 * from before is useless after. http_request_csrf() then returns the token
 * of the new cookie.
 */
void http_csrf_rotate(struct http_request *req);

/*
 * Widen this reply's Content-Security-Policy for the SAML HTTP-POST form:
 * script-src 'self' (the auto-submit script /static/autosubmit.js; still
 * no inline script) and form-action 'self' @origin, so that the form may
 * go to the relying party's ACS. @origin is scheme://host[:port] of an
 * http or https URL; anything else is our bug: logged, and the reply
 * keeps the default policy (the browser then blocks the form).
 * Call it before or after the reply; the last call wins.
 */
void http_reply_csp_form_post(struct http_request *req, const char *origin);

/* --- Replies: a handler calls exactly one of these --- */

/*
 * 303 See Other to @location, a path on this site ("/account?x=1"): it
 * starts with one "/" (not "//" or "/\"), holds only printable ASCII
 * without backslash and is at most HTTP_MAX_REDIRECT bytes, so that no
 * input can redirect off-site. Anything else is our bug: it is logged and
 * the redirect goes to "/". The Location header stays relative (RFC 9110
 * allows it), so it never depends on the Host header.
 */
void http_reply_redirect(struct http_request *req, const char *location);

/*
 * 303 See Other to @url off this site, for the SAML HTTP-Redirect binding
 * only: @url is an absolute http(s) URL the caller built from a relying
 * party's metadata (never from request input). It must be at most
 * HTTP_MAX_REDIRECT_EXTERNAL bytes of printable ASCII (no space, CR, LF,
 * other control characters or backslash) with an authority of host
 * characters and an optional port (no userinfo). Anything else is our
 * bug: it is logged (without the URL, which may carry a signed message)
 * and answered with the 500 page, without a Location. The reply carries
 * the same security headers as every other (Referrer-Policy no-referrer
 * keeps our URLs out of the portal's logs) and the cookies set before.
 */
void http_reply_redirect_external(struct http_request *req, const char *url);

/*
 * Render page template @name (see idp/page/page.h) as text/html with status
 * @status. @vars (may be NULL; borrowed, not freed) gets the common
 * variables added: lang, lang_other (the other language), csrf (see
 * http_request_csrf(), so the reply carries the CSRF cookie when needed),
 * request_id and path (for the language switch link). A render error is
 * logged and answered with the 500 page.
 */
struct page_vars;
void http_reply_render(struct http_request *req, unsigned status,
		       const char *name, struct page_vars *vars);

/*
 * An HTML page: @title and @text are plain text, escaped. Rendered with the
 * "error" template (status >= 400; it shows the request id) or "message",
 * without CSRF token or cookie; when templates are unavailable (before
 * page_init(), or a broken template, logged) a built-in page says the same.
 */
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

/* --- Pure parsers, exposed for tests and fuzzers --- */

struct http_form_field {
	const char *name;  /* decoded, NUL-terminated, never empty */
	const char *value; /* decoded, NUL-terminated, may be empty */
};

/* A parsed form body; the strings live in @buf. */
struct http_form {
	char *buf; /* owned; zeroed when freed (it may hold a password) */
	size_t buf_size;
	size_t n;
	struct http_form_field fields[HTTP_MAX_FIELDS];
};

/*
 * Parse an application/x-www-form-urlencoded body of @len bytes (need not
 * be NUL-terminated) into @out, which the caller frees with
 * http_form_free() whatever the result. Fields are separated by "&" (empty
 * ones, as in "a=1&&b=2", are skipped), the name ends at the first "=" (a
 * field without "=" has the value ""), "+" is a space and %XX a byte (two
 * hex digits, else an error). Decoded names and values must be valid UTF-8
 * without C0 control characters other than TAB, LF and CR and without DEL;
 * a name is 1 to HTTP_MAX_FIELD_NAME bytes ("=x" is an error, as no form of
 * ours has a nameless field), and a name given twice is an error, so that
 * two layers can never read different values of one field.
 *
 * Returns 0 (an empty body gives zero fields), IDP_ERR_INVALID for a
 * malformed body, IDP_ERR_TOO_LARGE for more than HTTP_MAX_FIELDS fields or
 * a longer name, or IDP_ERR_NOMEM. Thread-safe.
 */
IDP_WUR int http_form_parse(const char *body, size_t len,
			    struct http_form *out);

/* Free what @f owns and empty it; safe on a zeroed or freed form. */
void http_form_free(struct http_form *f);

/* The value of field @name in @f (borrowed), or NULL. */
const char *http_form_peek(const struct http_form *f, const char *name);

struct http_cookie {
	const char *name;
	const char *value; /* without the surrounding quotes, if any */
};

/* The cookies of a request; the strings live in @buf. */
struct http_cookies {
	char *buf; /* owned; zeroed when freed (it holds session ids) */
	size_t buf_size;
	size_t n;
	struct http_cookie items[HTTP_MAX_COOKIES];
};

/*
 * Parse a Cookie header value of @len bytes ("a=1; b=2", RFC 6265 section
 * 4.2.1) into @out, which the caller frees with http_cookies_free()
 * whatever the result. Lenient, as the browser may hold cookies that other
 * software on our domain has set: pairs are split at ";", white
 * space around names and values is dropped, a value in double quotes loses
 * them, and a pair without "=", with a name that is not a token or with a
 * value outside cookie-octets is skipped, never an error. At most
 * HTTP_MAX_COOKIES cookies are kept, the rest is ignored.
 *
 * Of two cookies with the same name the first one is kept: browsers send
 * the cookie with the longest path first, and of equal paths the oldest
 * first (RFC 6265 section 5.4), and most servers read the first, so the
 * choice is predictable. The choice is not what defends us: under https
 * our cookies carry the __Host- prefix, which no other host can set, so
 * there are no planted duplicates to choose from.
 *
 * Returns 0 or IDP_ERR_NOMEM. Thread-safe.
 */
IDP_WUR int http_cookies_parse(const char *header, size_t len,
			       struct http_cookies *out);

/* Free what @c owns and empty it; safe on a zeroed or freed set. */
void http_cookies_free(struct http_cookies *c);

/* The value of cookie @name in @c (borrowed, exact name), or NULL. */
const char *http_cookies_peek(const struct http_cookies *c,
			      const char *name);

#endif
