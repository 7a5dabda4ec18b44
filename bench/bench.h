/*
 * What the benchmarks share: a monotonic clock, a curl body collector,
 * the percentile sort, and a password login through the real form.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

double bench_now(void);

/* A response body, NUL-terminated; free(p). */
struct bench_buf {
	char *p;
	size_t len;
};

/* CURLOPT_WRITEFUNCTION appending to a struct bench_buf. */
size_t bench_collect(char *d, size_t s, size_t n, void *cls);

/* qsort() comparison of doubles, for percentiles. */
int bench_cmp_double(const void *a, const void *b);

/*
 * GET @base/login (CSRF cookie and token), then POST the credentials on
 * @c, whose cookie engine keeps the session. True on 303.
 */
bool bench_login(CURL *c, const char *base, const char *email,
		 const char *password);

#endif
