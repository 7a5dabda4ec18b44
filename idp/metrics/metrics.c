#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "idp/metrics/metrics.h"

/*
 * Statuses we emit get their own label; anything else is counted under
 * its class ("2xx" .. "5xx") so the label set stays fixed.
 */
static const unsigned statuses[] = {
	200, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405, 408,
	409, 413, 414, 415, 422, 429, 431, 500, 501, 502, 503, 504,
};
#define N_STATUS (sizeof(statuses) / sizeof(statuses[0]))
#define N_CLASS 5 /* 1xx .. 5xx */
#define N_COLS (N_STATUS + N_CLASS)

/* Upper bounds in seconds; +Inf is implicit. */
static const double buckets[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1,   0.25,   0.5,   1.0,  2.5,   5.0,  10.0,
};
#define N_BUCKETS (sizeof(buckets) / sizeof(buckets[0]))

struct route_metrics {
	atomic_uint_fast64_t count[N_COLS];
	atomic_uint_fast64_t bucket[N_BUCKETS + 1];
	atomic_uint_fast64_t sum_us;
};

static const char **route_names;
static size_t n_routes;
static struct route_metrics *routes;

int
metrics_init(const char *const *names, size_t n)
{
	struct route_metrics *m = calloc(n + 1, sizeof(*m));
	const char **copy = calloc(n + 1, sizeof(*copy));

	if (m == NULL || copy == NULL) {
		free(m);
		free(copy);
		return IDP_ERR_NOMEM;
	}
	memcpy(copy, names, n * sizeof(*names));
	metrics_deinit();
	routes = m;
	route_names = copy;
	n_routes = n;
	return 0;
}

void
metrics_deinit(void)
{
	free(routes);
	free(route_names);
	routes = NULL;
	route_names = NULL;
	n_routes = 0;
}

size_t
metrics_unmatched(void)
{
	return n_routes;
}

static size_t
status_col(unsigned status)
{
	for (size_t i = 0; i < N_STATUS; i++)
		if (statuses[i] == status)
			return i;
	if (status >= 100 && status < 600)
		return N_STATUS + status / 100 - 1;
	return N_STATUS + 4; /* nonsense status: count as 5xx, it is a bug */
}

void
metrics_observe(size_t route, unsigned status, double seconds)
{
	if (routes == NULL)
		return;
	if (route > n_routes)
		route = n_routes;
	struct route_metrics *m = &routes[route];
	size_t b = 0;

	while (b < N_BUCKETS && seconds > buckets[b])
		b++;
	atomic_fetch_add_explicit(&m->count[status_col(status)], 1,
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&m->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->sum_us,
				  (uint_fast64_t)(seconds * 1e6 + 0.5),
				  memory_order_relaxed);
}

static const char *
label(size_t route)
{
	return route < n_routes ? route_names[route] : "unmatched";
}

void
metrics_render(GString *out)
{
	if (routes == NULL)
		return;
	g_string_append(out,
			"# HELP idp_http_requests_total HTTP requests by "
			"route and status.\n"
			"# TYPE idp_http_requests_total counter\n");
	for (size_t r = 0; r <= n_routes; r++) {
		for (size_t c = 0; c < N_COLS; c++) {
			uint64_t v = atomic_load_explicit(
				&routes[r].count[c], memory_order_relaxed);
			if (v == 0)
				continue;
			if (c < N_STATUS)
				g_string_append_printf(
					out,
					"idp_http_requests_total{route=\"%s\","
					"status=\"%u\"} %" PRIu64 "\n",
					label(r), statuses[c], v);
			else
				g_string_append_printf(
					out,
					"idp_http_requests_total{route=\"%s\","
					"status=\"%zuxx\"} %" PRIu64 "\n",
					label(r), c - N_STATUS + 1, v);
		}
	}
	g_string_append(out,
			"# HELP idp_http_request_duration_seconds Time from "
			"request line to reply queued.\n"
			"# TYPE idp_http_request_duration_seconds histogram\n");
	for (size_t r = 0; r <= n_routes; r++) {
		uint64_t cum = 0;
		for (size_t b = 0; b <= N_BUCKETS; b++) {
			cum += atomic_load_explicit(&routes[r].bucket[b],
						    memory_order_relaxed);
			if (b < N_BUCKETS)
				g_string_append_printf(
					out,
					"idp_http_request_duration_seconds_"
					"bucket{route=\"%s\",le=\"%g\"} "
					"%" PRIu64 "\n",
					label(r), buckets[b], cum);
			else
				g_string_append_printf(
					out,
					"idp_http_request_duration_seconds_"
					"bucket{route=\"%s\",le=\"+Inf\"} "
					"%" PRIu64 "\n",
					label(r), cum);
		}
		uint64_t sum = atomic_load_explicit(&routes[r].sum_us,
						    memory_order_relaxed);
		g_string_append_printf(
			out,
			"idp_http_request_duration_seconds_sum{route=\"%s\"} "
			"%.6f\n"
			"idp_http_request_duration_seconds_count{route=\"%s\"} "
			"%" PRIu64 "\n",
			label(r), (double)sum / 1e6, label(r), cum);
	}
}

void
metrics_render_value(GString *out, const char *name, const char *type,
		     const char *help, uint64_t value)
{
	g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n%s %" PRIu64
				    "\n",
			       name, help, name, type, name, value);
}
