/*
 * Redirects: 303 See Other to a path on this site; and, for the SAML
 * HTTP-Redirect binding only, to an absolute http(s) URL the caller took
 * from a relying party's metadata.
 */
#include <string.h>

#include "idp/common/html.h"
#include "idp/http/http_internal.h"
#include "idp/log/log.h"

/*
 * A local path: one "/" and then printable ASCII. "//host" and "/\host"
 * are references to another host for browsers (they read "\" as "/"), so
 * neither a second "/" nor any "\" passes; control characters and spaces
 * could split the header or be read differently by different parsers, and
 * non-ASCII has to be percent-encoded in a Location anyway.
 */
static bool
location_ok(const char *s)
{
	size_t len = strnlen(s, HTTP_MAX_REDIRECT + 1);

	if (len == 0 || len > HTTP_MAX_REDIRECT || s[0] != '/' || s[1] == '/' ||
	    s[1] == '\\')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c > 0x7e || c == '\\')
			return false;
	}
	return true;
}

/*
 * The 303 reply to @location (already checked): for clients that do not
 * follow redirects, a page with a link to click.
 */
static void
reply_303(struct http_request *req, const char *location)
{
	bool en = strcmp(req->lang, "en") == 0;
	GString *html;

	html = g_string_new("<!DOCTYPE html>\n<html lang=\"");
	g_string_append(html, en ? "en" : "de");
	g_string_append(html, "\">\n<head>\n<meta charset=\"utf-8\">\n"
			      "<title>");
	g_string_append(html, en ? "Redirect" : "Weiterleitung");
	g_string_append(html, "</title>\n</head>\n<body>\n<p><a href=\"");
	html_escape_append(html, location);
	g_string_append(html, "\">");
	g_string_append(html, en ? "Continue" : "Weiter");
	g_string_append(html, "</a></p>\n</body>\n</html>\n");
	http_reply_data(req, 303, "text/html; charset=utf-8", html->str,
			html->len);
	g_string_free(html, TRUE);
	/* http_reply_data answers 500 when out of memory: no Location. */
	if (req->reply.status == 303)
		req->reply.location = g_strdup(location);
}

void
http_reply_redirect(struct http_request *req, const char *location)
{
	if (!http_reply_begin(req))
		return;
	if (location == NULL || !location_ok(location)) {
		/*
		 * Our bug: targets are ours, never taken from input
		 * unchecked. The target is not logged, it may carry a token.
		 */
		log_kv(LOG_LEVEL_ERROR, "bug_redirect_refused", "request_id",
		       req->id, "route", req->route ? req->route->name : "-",
		       NULL);
		location = "/";
	}
	reply_303(req, location);
}

/*
 * An absolute URL fit for a Location header that leaves our site: the
 * scheme http or https (any case), then an authority of host name or
 * address characters and an optional port only: no userinfo ("@"), no
 * backslash (parsers disagree whether "https://a\@b" goes to a or b),
 * nothing empty. After it only printable ASCII: CR, LF, other control
 * characters, space and DEL would split the header or be read
 * differently by different parsers.
 */
static bool
external_ok(const char *s)
{
	size_t len = strnlen(s, HTTP_MAX_REDIRECT_EXTERNAL + 1);
	size_t host, end;

	if (len == 0 || len > HTTP_MAX_REDIRECT_EXTERNAL)
		return false;
	if (g_ascii_strncasecmp(s, "https://", 8) == 0)
		host = 8;
	else if (g_ascii_strncasecmp(s, "http://", 7) == 0)
		host = 7;
	else
		return false;
	end = host + strcspn(s + host, "/?#");
	if (end == host || s[host] == ':')
		return false;
	for (size_t i = host; i < end; i++)
		if (!g_ascii_isalnum(s[i]) && s[i] != '.' && s[i] != '-' &&
		    s[i] != ':' && s[i] != '[' && s[i] != ']')
			return false;
	for (size_t i = end; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c > 0x7e || c == '\\')
			return false;
	}
	return true;
}

void
http_reply_redirect_external(struct http_request *req, const char *url)
{
	if (!http_reply_begin(req))
		return;
	if (url == NULL || !external_ok(url)) {
		/*
		 * Our bug: the caller checks its URL's source (metadata).
		 * Neither the URL nor a fallback target goes out: the URL
		 * may carry a signed message, and no place is right.
		 */
		log_kv(LOG_LEVEL_ERROR, "bug_redirect_refused", "request_id",
		       req->id, "route", req->route ? req->route->name : "-",
		       "kind", "external", NULL);
		http_reply_error(req, IDP_E_INTERNAL);
		return;
	}
	reply_303(req, url);
}
