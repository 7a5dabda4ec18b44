/*
 * Operations endpoints: /healthz (the process answers), /readyz (it can
 * serve: database reachable, schema current) and /metrics (Prometheus).
 * None of them reveals anything secret; put them behind the proxy's access
 * rules if their existence matters to you.
 */
#include <stdio.h>
#include <string.h>

#include "idp/common/worker.h"
#include "idp/handlers/handlers.h"
#include "idp/metrics/metrics.h"
#include "idp/store/store.h"

#define TEXT_PLAIN "text/plain; charset=utf-8"

void
handle_healthz(struct http_request *req)
{
	http_reply_data(req, 200, TEXT_PLAIN, "ok\n", 3);
}

/*
 * Not HTTP_ROUTE_DB: readiness must answer 503 with its reason rather
 * than the generic page when the database is down.
 */
void
handle_readyz(struct http_request *req)
{
	struct worker *w = http_request_worker(req);
	int version = 0;
	char msg[128];

	if (store_ensure(w->store) != 0 || store_ping(w->store) != STORE_ONE_ROW) {
		snprintf(msg, sizeof(msg), "not ready: database unreachable\n");
	} else if (store_schema_version_select(w->store, &version) !=
		   STORE_ONE_ROW) {
		snprintf(msg, sizeof(msg),
			 "not ready: cannot read schema version\n");
	} else if (version != store_schema_expected()) {
		snprintf(msg, sizeof(msg),
			 "not ready: schema version %d, expected %d\n",
			 version, store_schema_expected());
	} else {
		http_reply_data(req, 200, TEXT_PLAIN, "ready\n", 6);
		return;
	}
	http_reply_data(req, 503, TEXT_PLAIN, msg, strlen(msg));
}

void
handle_metrics(struct http_request *req)
{
	GString *out = g_string_sized_new(8192);

	metrics_render(out);
	metrics_render_value(out, "idp_http_requests_in_flight", "gauge",
			     "Requests being processed.",
			     http_requests_in_flight());
	metrics_render_value(out, "idp_db_errors_total", "counter",
			     "Database statements that failed.",
			     store_error_count());
	http_reply_data(req, 200, "text/plain; version=0.0.4; charset=utf-8",
			out->str, out->len);
	g_string_free(out, TRUE);
}
