/*
 * Request metrics in Prometheus text format: requests by route and status,
 * a latency histogram per route. Lock-free counters; thread-safe.
 */
#ifndef IDP_METRICS_METRICS_H
#define IDP_METRICS_METRICS_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "idp/common/err.h"

/*
 * Set the route labels (@names: the array is copied, the strings are
 * borrowed and must outlive the metrics, e.g. string literals); an
 * extra last label "unmatched" counts requests that found no route.
 * Resets all counters. Call before any request is observed.
 */
IDP_WUR int metrics_init(const char *const *names, size_t n);
void metrics_deinit(void);

/* Index of the "unmatched" label: the number of routes. */
size_t metrics_unmatched(void);

/* Count one request on route @route (index) with @status and @seconds. */
void metrics_observe(size_t route, unsigned status, double seconds);

/* Append the request metrics to @out. */
void metrics_render(GString *out);

/* Append one gauge or counter sample with its HELP and TYPE lines. */
void metrics_render_value(GString *out, const char *name, const char *type,
			  const char *help, uint64_t value);

#endif
