#include "idp/handlers/handlers.h"

/*
 * One table for every endpoint: name (for logs and metrics), path,
 * methods, handler, body limit, flags. Keep it sorted by path.
 */
static const struct http_route routes[] = {
	{ "healthz", "/healthz", HTTP_METHOD_GET, handle_healthz, 0, 0 },
	{ "metrics", "/metrics", HTTP_METHOD_GET, handle_metrics, 0, 0 },
	{ "readyz", "/readyz", HTTP_METHOD_GET, handle_readyz, 0, 0 },
};

const struct http_route *
handlers_routes(size_t *n)
{
	*n = sizeof(routes) / sizeof(routes[0]);
	return routes;
}
