/*
 * Registrations per second against a running idpd, next to the ceiling
 * that Argon2id sets: the single-core rate of new hashes at the same
 * parameters, measured in this run on this machine.
 *
 * usage: register_bench [--kv] URL[,URL...] [connections] [seconds]
 *                       [idpd_pid[,pid...]]
 * Environment: IDP_ACCOUNTS_PASSWORD_MEMLIMIT / _OPSLIMIT as idpd uses.
 * Several URLs: connection i uses URL i % n; with pids, each idpd's VmRSS
 * max and CPU time are reported; --kv prints key=value lines for
 * bench/all.sh instead of the table.
 *
 * Each connection loops as a new visitor: GET /register (CSRF cookie and
 * token), POST /register with a fresh address
 * (bench-PID-CONN-SEQ@register.example.org), a password, given and family
 * name. idpd answers 200 with the "check your mail" page on success and
 * 422 with the form on invalid input; any 2xx or 3xx counts as ok. Each
 * registration costs one Argon2id hash on the server (outside the
 * transaction), then one transaction: the account row, the verification
 * token, the mail in the outbox and the audit row. Run idpd with the mail
 * going to a file ([mail] file) so no SMTP server is needed.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idp/crypto/crypt.h"

#include "bench.h"

#define MAX_SAMPLES 200000

static struct bench_nodes nodes;
static char password[40];
static double duration = 10.0;
static atomic_bool stop;
static atomic_uint ok, failed;
static double samples[MAX_SAMPLES];
static atomic_uint n_samples;

static bool
one_register(CURL *c, const char *base, unsigned conn, unsigned seq)
{
	struct bench_buf page = {NULL, 0};
	char token[128], url[512], *post = NULL;
	long status = 0;
	bool good = false;

	snprintf(url, sizeof(url), "%s/register", base);
	if (!bench_csrf(c, url, token, sizeof(token)))
		goto out;
	if (asprintf(&post,
		     "csrf=%s&email=bench-%ld-%u-%u%%40register.example.org"
		     "&password=%s&password2=%s&given_name=Bench"
		     "&family_name=Mark&birth_date=&street=&postal_code="
		     "&city=&pending=",
		     token, (long)getpid(), conn, seq, password,
		     password) < 0) {
		post = NULL;
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &page);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, post);
	if (curl_easy_perform(c) != CURLE_OK)
		goto out;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	good = status >= 200 && status < 400;
	if (!good && atomic_load(&failed) == 0)
		fprintf(stderr, "register_bench: status %ld: %.300s\n", status,
			page.p ? page.p : "");
out:
	free(page.p);
	free(post);
	return good;
}

static void *
worker(void *arg)
{
	unsigned conn = (unsigned)(uintptr_t)arg, seq = 0;
	const char *base = nodes.url[conn % nodes.n];
	CURL *c = curl_easy_init();

	curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	while (!atomic_load(&stop)) {
		double t0 = bench_now();
		/* A new visitor every time: no session, a fresh CSRF cookie. */
		curl_easy_setopt(c, CURLOPT_COOKIELIST, "ALL");
		if (one_register(c, base, conn, seq++)) {
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
	uint8_t pw[12];
	char hex[25];
	bool kv = argc > 1 && strcmp(argv[1], "--kv") == 0;

	if (kv) {
		argc--;
		argv++;
	}
	if (argc < 2) {
		fprintf(stderr,
			"usage: register_bench [--kv] URL[,URL...] "
			"[connections] [seconds] [idpd_pid[,pid...]]\n");
		return 2;
	}
	if (argc > 2)
		conns = (unsigned)atoi(argv[2]);
	if (argc > 3)
		duration = atof(argv[3]);
	if (!bench_nodes_parse(&nodes, argv[1]) ||
	    !bench_procs_parse(&procs, argc > 4 ? argv[4] : NULL) ||
	    conns < 1 || conns > BENCH_MAX_CONN || duration <= 0) {
		fprintf(stderr, "register_bench: bad URLs, pids, connections "
				"or seconds\n");
		return 2;
	}
	const char *m = getenv("IDP_ACCOUNTS_PASSWORD_MEMLIMIT");
	const char *o = getenv("IDP_ACCOUNTS_PASSWORD_OPSLIMIT");
	size_t mem = m ? (size_t)strtoull(m, NULL, 10) : 19u * 1024 * 1024;
	unsigned ops = o ? (unsigned)atoi(o) : 2;
	if (crypt_init() != 0)
		return 1;
	/* One password for all: not common, no name or address in it. */
	crypt_random(pw, sizeof(pw));
	crypt_hex(pw, sizeof(pw), hex, sizeof(hex));
	snprintf(password, sizeof(password), "Reg-%s", hex);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (!kv)
		printf("argon2id m=%zu KiB t=%u: measuring single-core "
		       "hash rate...\n",
		       mem / 1024, ops);
	fflush(stdout);
	double rate = bench_argon_rate(ops, mem, false);

	double secs = bench_load(conns, duration, worker, &stop, &procs);

	unsigned n = atomic_load(&n_samples);
	if (n > MAX_SAMPLES)
		n = MAX_SAMPLES;
	double rps = atomic_load(&ok) / secs;
	double ceiling = rate * (double)cores;
	double p50, p99;
	bench_percentiles(samples, n, &p50, &p99);
	if (kv) {
		bench_kv("scenario", "register");
		bench_kv("connections", "%u", conns);
		bench_kv("nodes", "%u", nodes.n);
		bench_kv("seconds", "%.1f", secs);
		bench_kv("ok", "%u", atomic_load(&ok));
		bench_kv("errors", "%u", atomic_load(&failed));
		bench_kv("ok_per_s", "%.1f", rps);
		bench_kv("p50_ms", "%.1f", p50);
		bench_kv("p99_ms", "%.1f", p99);
		bench_kv_procs(&procs);
		bench_kv("cores", "%ld", cores);
		bench_kv("argon2id_hash_per_core", "%.1f", rate);
		bench_kv("ceiling", "%.1f", ceiling);
		bench_kv("ratio", "%.2f", ceiling > 0 ? rps / ceiling : 0);
		goto out;
	}
	printf("connections              %u\n", conns);
	printf("duration                 %.1f s\n", secs);
	printf("registrations ok/failed  %u / %u\n", atomic_load(&ok),
	       atomic_load(&failed));
	printf("registrations per second %.1f\n", rps);
	printf("latency p50 / p99        %.1f / %.1f ms (GET /register + "
	       "POST)\n",
	       p50, p99);
	for (unsigned i = 0; i < procs.n; i++)
		printf("idpd %ld VmRSS max %.1f MiB, CPU %.2f s\n",
		       procs.pid[i], procs.rss_max_kib[i] / 1024.0,
		       procs.cpu_s[i]);
	printf("argon2id per core        %.1f hashes/s\n", rate);
	printf("ceiling (%ld cores)       %.1f registrations/s\n", cores,
	       ceiling);
	printf("ratio                    %.2f of the Argon2id ceiling\n",
	       ceiling > 0 ? rps / ceiling : 0);
out:
	return atomic_load(&failed) > atomic_load(&ok) / 100 ? 1 : 0;
}
