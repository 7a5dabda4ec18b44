/*
 * Password logins per second against a running idpd, next to the ceiling
 * that Argon2id sets: the single-core verification rate at the same
 * parameters, measured in this run on this machine.
 *
 * usage: login_bench [--kv] URL[,URL...] EMAIL PASSWORD|- [connections]
 *                    [seconds] [idpd_pid[,pid...]]
 *   (the password is read from the environment BENCH_PASSWORD if given as
 *   "-", so it does not show in ps; several URLs: connection i uses URL
 *   i % n; with pids, each idpd's VmRSS max and CPU time are reported;
 *   --kv prints key=value lines for bench/all.sh instead of the table)
 * Environment: IDP_ACCOUNTS_PASSWORD_MEMLIMIT / _OPSLIMIT as idpd uses.
 *
 * Each connection loops: GET /login (CSRF cookie and token), POST /login,
 * expects 303. A login costs one Argon2id verification on the server, so
 * the bound for the whole box is cores x the single-core rate; the ratio
 * says how much of it the rest of the stack (HTTP, PostgreSQL, sessions)
 * leaves.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "idp/crypto/crypt.h"

#include "bench.h"

#define MAX_SAMPLES 200000

static struct bench_nodes nodes;
static const char *email, *password;
static double duration = 10.0;
static atomic_bool stop;
static atomic_uint ok, failed;
static double samples[MAX_SAMPLES];
static atomic_uint n_samples;

static void *
worker(void *arg)
{
	const char *base = nodes.url[(uintptr_t)arg % nodes.n];
	CURL *c = curl_easy_init();

	curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	while (!atomic_load(&stop)) {
		double t0 = bench_now();
		/* A new visitor every time: no session, a fresh CSRF cookie. */
		curl_easy_setopt(c, CURLOPT_COOKIELIST, "ALL");
		if (bench_login(c, base, email, password)) {
			atomic_fetch_add(&ok, 1);
			unsigned i = atomic_fetch_add(&n_samples, 1);
			if (i < MAX_SAMPLES)
				samples[i] = bench_now() - t0;
		} else {
			atomic_fetch_add(&failed, 1);
		}
	}
	curl_easy_cleanup(c);
	return NULL;
}

int
main(int argc, char **argv)
{
	unsigned conns = 4;
	struct bench_procs procs;
	bool kv = argc > 1 && strcmp(argv[1], "--kv") == 0;

	if (kv) {
		argc--;
		argv++;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: login_bench [--kv] URL[,URL...] EMAIL "
				"PASSWORD|- [connections] [seconds] "
				"[idpd_pid[,pid...]]\n");
		return 2;
	}
	email = argv[2];
	password =
		strcmp(argv[3], "-") == 0 ? getenv("BENCH_PASSWORD") : argv[3];
	if (password == NULL) {
		fprintf(stderr, "login_bench: BENCH_PASSWORD is not set\n");
		return 2;
	}
	if (argc > 4)
		conns = (unsigned)atoi(argv[4]);
	if (argc > 5)
		duration = atof(argv[5]);
	if (!bench_nodes_parse(&nodes, argv[1]) ||
	    !bench_procs_parse(&procs, argc > 6 ? argv[6] : NULL) ||
	    conns < 1 || conns > BENCH_MAX_CONN || duration <= 0) {
		fprintf(stderr, "login_bench: bad URLs, pids, connections "
				"or seconds\n");
		return 2;
	}
	const char *m = getenv("IDP_ACCOUNTS_PASSWORD_MEMLIMIT");
	const char *o = getenv("IDP_ACCOUNTS_PASSWORD_OPSLIMIT");
	size_t mem = m ? (size_t)strtoull(m, NULL, 10) : 19u * 1024 * 1024;
	unsigned ops = o ? (unsigned)atoi(o) : 2;
	if (crypt_init() != 0)
		return 1;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (!kv)
		printf("argon2id m=%zu KiB t=%u: measuring single-core "
		       "rate...\n",
		       mem / 1024, ops);
	fflush(stdout);
	double rate = bench_argon_rate(ops, mem, true);

	double secs = bench_load(conns, duration, worker, &stop, &procs);

	unsigned n = atomic_load(&n_samples);
	if (n > MAX_SAMPLES)
		n = MAX_SAMPLES;
	double lps = atomic_load(&ok) / secs;
	double ceiling = rate * (double)cores;
	double p50, p99;
	bench_percentiles(samples, n, &p50, &p99);
	if (kv) {
		bench_kv("scenario", "login");
		bench_kv("connections", "%u", conns);
		bench_kv("nodes", "%u", nodes.n);
		bench_kv("seconds", "%.1f", secs);
		bench_kv("ok", "%u", atomic_load(&ok));
		bench_kv("errors", "%u", atomic_load(&failed));
		bench_kv("ok_per_s", "%.1f", lps);
		bench_kv("p50_ms", "%.1f", p50);
		bench_kv("p99_ms", "%.1f", p99);
		bench_kv_procs(&procs);
		bench_kv("cores", "%ld", cores);
		bench_kv("argon2id_verify_per_core", "%.1f", rate);
		bench_kv("ceiling", "%.1f", ceiling);
		bench_kv("ratio", "%.2f", ceiling > 0 ? lps / ceiling : 0);
		goto out;
	}
	printf("connections          %u\n", conns);
	printf("duration             %.1f s\n", secs);
	printf("logins ok / failed   %u / %u\n", atomic_load(&ok),
	       atomic_load(&failed));
	printf("logins per second    %.1f\n", lps);
	printf("latency p50 / p99    %.1f / %.1f ms (GET /login + POST)\n", p50,
	       p99);
	for (unsigned i = 0; i < procs.n; i++)
		printf("idpd %ld              VmRSS max %.1f MiB, CPU %.2f s\n",
		       procs.pid[i], procs.rss_max_kib[i] / 1024.0,
		       procs.cpu_s[i]);
	printf("argon2id per core    %.1f verifications/s\n", rate);
	printf("ceiling (%ld cores)   %.1f logins/s\n", cores, ceiling);
	printf("ratio                %.2f of the Argon2id ceiling\n",
	       ceiling > 0 ? lps / ceiling : 0);
out:
	return atomic_load(&failed) > atomic_load(&ok) / 100 ? 1 : 0;
}
