/*
 * Cookies: the Cookie header of a request (RFC 6265 section 4.2, read
 * leniently, bounded) and the Set-Cookie lines of a reply (written
 * strictly, with our fixed attributes).
 */
#include <glib.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "idp/http/http_internal.h"
#include "idp/log/log.h"

/* Under https every cookie name carries this prefix (RFC 6265bis 4.1.3.2). */
#define HOST_PREFIX "__Host-"

/* RFC 9110 tchar: the characters of a cookie name. */
static bool
is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* RFC 6265 cookie-octet: printable ASCII but space, '"', ',', ';', '\'. */
static bool
is_cookie_octet(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != '"' && c != ',' && c != ';' &&
	       c != '\\';
}

static bool
all_of(const char *s, size_t len, bool (*ok)(unsigned char))
{
	for (size_t i = 0; i < len; i++)
		if (!ok((unsigned char)s[i]))
			return false;
	return true;
}

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* Cut white space off both ends of [*s, *e). */
static void
trim(char **s, char **e)
{
	while (*s < *e && is_ws(**s))
		(*s)++;
	while (*e > *s && is_ws((*e)[-1]))
		(*e)--;
}

int
http_cookies_parse(const char *header, size_t len, struct http_cookies *out)
{
	char *p, *end;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return 0;
	/* A copy that the pairs are cut out of in place. */
	out->buf = malloc(len + 1);
	if (out->buf == NULL)
		return IDP_ERR_NOMEM;
	out->buf_size = len + 1;
	memcpy(out->buf, header, len);
	out->buf[len] = '\0';
	p = out->buf;
	end = out->buf + len;
	while (p < end && out->n < HTTP_MAX_COOKIES) {
		char *semi = memchr(p, ';', (size_t)(end - p));
		char *pend = semi != NULL ? semi : end;
		char *eq = memchr(p, '=', (size_t)(pend - p));
		char *ns = p, *ne = eq, *vs, *ve = pend;
		bool dup = false;

		p = semi != NULL ? semi + 1 : end;
		if (eq == NULL)
			continue; /* "a=b; junk; c=d": junk is skipped */
		vs = eq + 1;
		trim(&ns, &ne);
		trim(&vs, &ve);
		if (ve - vs >= 2 && *vs == '"' && ve[-1] == '"') {
			vs++;
			ve--;
		}
		if (ne == ns || !all_of(ns, (size_t)(ne - ns), is_tchar) ||
		    !all_of(vs, (size_t)(ve - vs), is_cookie_octet))
			continue;
		*ne = '\0';
		*ve = '\0';
		for (size_t i = 0; i < out->n && !dup; i++)
			dup = strcmp(out->items[i].name, ns) == 0;
		if (dup)
			continue; /* the first one wins, see http.h */
		out->items[out->n].name = ns;
		out->items[out->n].value = vs;
		out->n++;
	}
	return 0;
}

void
http_cookies_free(struct http_cookies *c)
{
	if (c->buf != NULL)
		sodium_memzero(c->buf, c->buf_size);
	free(c->buf);
	memset(c, 0, sizeof(*c));
}

const char *
http_cookies_peek(const struct http_cookies *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->items[i].name, name) == 0)
			return c->items[i].value;
	return NULL;
}

static enum MHD_Result
cookie_header_cb(void *cls, enum MHD_ValueKind kind, const char *key,
		 const char *value)
{
	GString *all = cls;

	(void)kind;
	if (value == NULL || strcasecmp(key, MHD_HTTP_HEADER_COOKIE) != 0)
		return MHD_YES;
	/*
	 * HTTP/1.1 browsers send one Cookie header, but a proxy that speaks
	 * HTTP/2 to the browser may pass several on: read them as one.
	 */
	if (all->len > 0)
		g_string_append(all, "; ");
	g_string_append(all, value);
	return MHD_YES;
}

int
http_request_cookies_init(struct http_request *req)
{
	/* Bounded by server.max_headers, checked before we get here. */
	GString *all = g_string_new(NULL);
	int rc;

	MHD_get_connection_values(req->con, MHD_HEADER_KIND, cookie_header_cb,
				  all);
	rc = http_cookies_parse(all->str, all->len, &req->cookies);
	sodium_memzero(all->str, all->len);
	g_string_free(all, TRUE);
	return rc;
}

const char *
http_request_cookie(const struct http_request *req, const char *name)
{
	char full[sizeof(HOST_PREFIX) + HTTP_MAX_COOKIE_NAME];

	if (!req->srv->cfg->public_https)
		return http_cookies_peek(&req->cookies, name);
	if (strlen(name) > HTTP_MAX_COOKIE_NAME)
		return NULL;
	snprintf(full, sizeof(full), HOST_PREFIX "%s", name);
	return http_cookies_peek(&req->cookies, full);
}

/* Warn once per process, not once per request, about a config mistake. */
static atomic_bool warned_samesite_none;

static const char *
samesite(unsigned flags, bool https)
{
	if (flags & HTTP_COOKIE_SAMESITE_STRICT)
		return "Strict";
	if (!(flags & HTTP_COOKIE_SAMESITE_NONE))
		return "Lax";
	if (https)
		return "None";
	/*
	 * Browsers drop SameSite=None without Secure. Over plain http
	 * (local development) Lax keeps the cookie; the SAML POST binding
	 * then loses it, which the warning explains.
	 */
	if (!atomic_exchange(&warned_samesite_none, true))
		log_kv(LOG_LEVEL_WARN, "cookie_samesite_lax", "msg",
		       "SameSite=None needs an https public_url; "
		       "sending SameSite=Lax",
		       NULL);
	return "Lax";
}

void
http_reply_cookie(struct http_request *req, const char *name, const char *value,
		  unsigned max_age_s, unsigned flags)
{
	struct http_reply *rp = &req->reply;
	bool https = req->srv->cfg->public_https;
	size_t nlen = strlen(name);
	char max_age[32] = "";
	char full[sizeof(HOST_PREFIX) + HTTP_MAX_COOKIE_NAME + 1];
	char *line;
	size_t i;

	/*
	 * Names and values are ours (constants and base64url tokens): a bad
	 * one is a bug, and sending it could split the header or a cookie.
	 * The value is not logged, it is a secret.
	 */
	if (nlen == 0 || nlen > HTTP_MAX_COOKIE_NAME ||
	    !all_of(name, nlen, is_tchar) ||
	    (value != NULL &&
	     (strlen(value) > HTTP_MAX_COOKIE_VALUE ||
	      !all_of(value, strlen(value), is_cookie_octet)))) {
		log_kv(LOG_LEVEL_ERROR, "bug_cookie_invalid", "request_id",
		       req->id, "cookie",
		       nlen <= HTTP_MAX_COOKIE_NAME ? name : "(long)", NULL);
		return;
	}
	if (value == NULL)
		snprintf(max_age, sizeof(max_age), "; Max-Age=0");
	else if (max_age_s > 0)
		snprintf(max_age, sizeof(max_age), "; Max-Age=%u", max_age_s);
	snprintf(full, sizeof(full), "%s%s=", https ? HOST_PREFIX : "", name);
	line = g_strdup_printf("%s%s; Path=/%s; HttpOnly%s; SameSite=%s", full,
			       value != NULL ? value : "", max_age,
			       https ? "; Secure" : "", samesite(flags, https));
	/* The same name twice (a new CSRF cookie after login): replace. */
	for (i = 0; i < rp->n_set_cookie; i++)
		if (strncmp(rp->set_cookie[i], full, strlen(full)) == 0)
			break;
	if (i == HTTP_MAX_SET_COOKIES) {
		log_kv(LOG_LEVEL_ERROR, "bug_too_many_cookies", "request_id",
		       req->id, "cookie", name, NULL);
		g_free(line);
		return;
	}
	if (i < rp->n_set_cookie) {
		/* It may hold a session id. */
		sodium_memzero(rp->set_cookie[i], strlen(rp->set_cookie[i]));
		g_free(rp->set_cookie[i]);
	} else {
		rp->n_set_cookie++;
	}
	rp->set_cookie[i] = line;
}
