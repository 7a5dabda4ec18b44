#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "idp/http/http.h"

enum http_method
http_method_parse(const char *s)
{
	/* Methods are case-sensitive (RFC 9110, 9.1). */
	if (s == NULL)
		return HTTP_METHOD_OTHER;
	if (strcmp(s, "GET") == 0)
		return HTTP_METHOD_GET;
	if (strcmp(s, "HEAD") == 0)
		return HTTP_METHOD_HEAD;
	if (strcmp(s, "POST") == 0)
		return HTTP_METHOD_POST;
	return HTTP_METHOD_OTHER;
}

static unsigned
effective_methods(const struct http_route *r)
{
	unsigned m = r->methods;

	if (m & HTTP_METHOD_GET)
		m |= HTTP_METHOD_HEAD;
	return m;
}

enum http_route_match
http_route_find(const struct http_route *routes, size_t n, const char *path,
		enum http_method method, const struct http_route **found,
		unsigned *allowed)
{
	*found = NULL;
	*allowed = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(routes[i].path, path) != 0)
			continue;
		unsigned m = effective_methods(&routes[i]);
		if (method != HTTP_METHOD_OTHER && (m & method)) {
			*found = &routes[i];
			return HTTP_ROUTE_FOUND;
		}
		*allowed |= m;
	}
	return *allowed ? HTTP_ROUTE_BAD_METHOD : HTTP_ROUTE_NOT_FOUND;
}

void
http_methods_format(unsigned methods, char *buf, size_t len)
{
	static const struct {
		enum http_method m;
		const char *name;
	} names[] = {
		{ HTTP_METHOD_GET, "GET" },
		{ HTTP_METHOD_HEAD, "HEAD" },
		{ HTTP_METHOD_POST, "POST" },
	};
	size_t used = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(methods & names[i].m))
			continue;
		int w = snprintf(buf + used, len - used, "%s%s",
				 used ? ", " : "", names[i].name);
		if (w < 0 || (size_t)w >= len - used) {
			buf[used] = '\0'; /* whole names only */
			return;
		}
		used += (size_t)w;
	}
}
