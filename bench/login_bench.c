/*
 * Password logins per second against a running idpd, next to the ceiling
 * that Argon2id sets: the single-core verification rate at the same
 * parameters, measured in this run on this machine.
 *
 * usage: login_bench URL EMAIL PASSWORD [connections] [seconds]
 *   (the password is read from the environment BENCH_PASSWORD if given as
 *   "-", so it does not show in ps)
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
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "idp/crypto/crypt.h"

#include "bench.h"

#define MAX_CONN 256
#define MAX_SAMPLES 200000

static const char *base, *email, *password;
static double duration = 10.0;
static atomic_bool stop;
static atomic_uint ok, failed;
static double samples[MAX_SAMPLES];
static atomic_uint n_samples;

static void *
worker(void *arg)
{
	CURL *c = curl_easy_init();

	(void)arg;
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

/* Argon2id verifications per second on one core at the given cost. */
static double
argon_rate(unsigned ops, size_t mem)
{
	char hash[CRYPT_PWHASH_STRBYTES];
	unsigned n = 0;

	if (crypt_password_hash("benchmark-password", ops, mem, hash) != 0)
		return 0;
	double t0 = bench_now();
	while (bench_now() - t0 < 3.0) {
		if (!crypt_password_verify(hash, "benchmark-password"))
			return 0;
		n++;
	}
	return n / (bench_now() - t0);
}

int
main(int argc, char **argv)
{
	unsigned conns = 4;
	pthread_t t[MAX_CONN];

	if (argc < 4) {
		fprintf(stderr, "usage: login_bench URL EMAIL PASSWORD|- "
				"[connections] [seconds]\n");
		return 2;
	}
	base = argv[1];
	email = argv[2];
	password = strcmp(argv[3], "-") == 0 ? getenv("BENCH_PASSWORD") :
					       argv[3];
	if (password == NULL) {
		fprintf(stderr, "login_bench: BENCH_PASSWORD is not set\n");
		return 2;
	}
	if (argc > 4)
		conns = (unsigned)atoi(argv[4]);
	if (argc > 5)
		duration = atof(argv[5]);
	if (conns < 1 || conns > MAX_CONN || duration <= 0) {
		fprintf(stderr, "login_bench: bad connections or seconds\n");
		return 2;
	}
	const char *m = getenv("IDP_ACCOUNTS_PASSWORD_MEMLIMIT");
	const char *o = getenv("IDP_ACCOUNTS_PASSWORD_OPSLIMIT");
	size_t mem = m ? (size_t)strtoull(m, NULL, 10) : 19u * 1024 * 1024;
	unsigned ops = o ? (unsigned)atoi(o) : 2;
	if (crypt_init() != 0)
		return 1;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	printf("argon2id m=%zu KiB t=%u: measuring single-core rate...\n",
	       mem / 1024, ops);
	double rate = argon_rate(ops, mem);

	curl_global_init(CURL_GLOBAL_DEFAULT);
	double t0 = bench_now();
	for (unsigned i = 0; i < conns; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	usleep((useconds_t)(duration * 1e6));
	atomic_store(&stop, true);
	for (unsigned i = 0; i < conns; i++)
		pthread_join(t[i], NULL);
	double secs = bench_now() - t0;
	curl_global_cleanup();

	unsigned n = atomic_load(&n_samples);
	if (n > MAX_SAMPLES)
		n = MAX_SAMPLES;
	qsort(samples, n, sizeof(samples[0]), bench_cmp_double);
	double lps = atomic_load(&ok) / secs;
	double ceiling = rate * (double)cores;
	printf("connections          %u\n", conns);
	printf("duration             %.1f s\n", secs);
	printf("logins ok / failed   %u / %u\n", atomic_load(&ok),
	       atomic_load(&failed));
	printf("logins per second    %.1f\n", lps);
	printf("latency p50 / p99    %.1f / %.1f ms (GET /login + POST)\n",
	       n ? samples[n / 2] * 1e3 : 0, n ? samples[n * 99 / 100] * 1e3 : 0);
	printf("argon2id per core    %.1f verifications/s\n", rate);
	printf("ceiling (%ld cores)   %.1f logins/s\n", cores, ceiling);
	printf("ratio                %.2f of the Argon2id ceiling\n",
	       ceiling > 0 ? lps / ceiling : 0);
	return atomic_load(&failed) > atomic_load(&ok) / 100 ? 1 : 0;
}
