/*
 * What the benchmarks share: a monotonic clock, a curl body collector,
 * the percentile sort, a password login through the real form, the list
 * of nodes (URLs) the connections spread over, the watch on the idpd
 * processes (VmRSS, CPU time) and the key=value report lines that
 * bench/all.sh reads. Not thread-safe unless a function says so.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#define BENCH_MAX_NODES 16
#define BENCH_MAX_CONN	256 /* client threads of one run */

double bench_now(void);

/* A response body, NUL-terminated; free(p). */
struct bench_buf {
	char *p;
	size_t len;
};

/* CURLOPT_WRITEFUNCTION appending to a struct bench_buf. */
size_t bench_collect(char *d, size_t s, size_t n, void *cls);

/*
 * GET @url on @c (whose cookie engine keeps the CSRF cookie) and copy the
 * form's hidden csrf token into @token (@len bytes). True when found.
 */
bool bench_csrf(CURL *c, const char *url, char *token, size_t len);

/*
 * GET @base/login (CSRF cookie and token), then POST the credentials on
 * @c, whose cookie engine keeps the session. True on 303.
 */
bool bench_login(CURL *c, const char *base, const char *email,
		 const char *password);

/*
 * The nodes a benchmark spreads its connections over: @list is one URL
 * or several separated by commas (bench/all.sh with nodes > 1);
 * connection i uses node i % n. The strings point into a copy owned by
 * the struct (never freed: the process ends with the benchmark).
 * False when @list is empty or has more than BENCH_MAX_NODES entries.
 */
struct bench_nodes {
	unsigned n;
	const char *url[BENCH_MAX_NODES];
};
bool bench_nodes_parse(struct bench_nodes *nodes, const char *list);

/*
 * The idpd processes of a run: pids from a comma-separated list ("" or
 * NULL: none), VmRSS sampled every 100 ms by a thread between start and
 * stop (the maximum kept), CPU time (utime + stime) read at start and at
 * stop. cpu_s[i] and rss_max_kib[i] are valid after bench_procs_stop().
 */
struct bench_procs {
	unsigned n;
	long pid[BENCH_MAX_NODES];
	long rss_max_kib[BENCH_MAX_NODES];
	double cpu0[BENCH_MAX_NODES];
	double cpu_s[BENCH_MAX_NODES];
	pthread_t sampler;
	atomic_bool stop;
};
bool bench_procs_parse(struct bench_procs *p, const char *list);
void bench_procs_start(struct bench_procs *p);
void bench_procs_stop(struct bench_procs *p);
/* The sum of cpu_s over all processes; negative when none was read. */
double bench_procs_cpu(const struct bench_procs *p);

/*
 * The load of a run: @worker on @conns (1..BENCH_MAX_CONN) threads, each
 * given its index, for @duration seconds; then *@stop is set and the
 * threads are joined, all between bench_procs_start() and
 * bench_procs_stop() of @procs (and curl's global set-up). Returns the
 * seconds the load lasted.
 */
double bench_load(unsigned conns, double duration, void *(*worker)(void *),
		  atomic_bool *stop, struct bench_procs *procs);

/* Sort @samples (@n latencies in seconds); their p50 and p99 in ms. */
void bench_percentiles(double *samples, unsigned n, double *p50_ms,
		       double *p99_ms);

/*
 * The machine-readable report (with --kv as the first argument of a
 * benchmark): one "key=value" line each, values without spaces. The
 * per-node lists are comma-separated.
 */
void bench_kv(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void bench_kv_procs(const struct bench_procs *p);

/*
 * Argon2id operations per second on one core at the given cost, measured
 * for 3 s: verifications (@verify) or new hashes (bench_argon.c, which
 * needs idp_dep). 0 on failure.
 */
double bench_argon_rate(unsigned ops, size_t mem, bool verify);

#endif
