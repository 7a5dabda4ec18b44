/*
 * SAML SSO responses per second with an existing session, against a
 * running idpd, next to two ceilings measured in this run on this machine:
 * the RSA-3072 signature rate of `openssl speed` (given by the caller) and
 * idpd's own response builder in a loop on one core (bench/sso_build_bench,
 * its rate given by the caller), plus, for reference, an in-process loop of
 * RSA-3072 SHA-256 signatures (OpenSSL EVP) over a message the size of a
 * response. Every response costs one such signature on the server, so
 * sign/s per core bounds responses/s per core.
 *
 * usage: sso_bench [--kv] URL[,URL...] EMAIL PASSWORD|- SP_ENTITY_ID
 *                  ACS_URL [connections] [seconds] [idpd_pid[,pid...]]
 *   (the password is read from BENCH_PASSWORD if given as "-", so it does
 *   not show in ps; BENCH_OPENSSL_SIGN is openssl speed's sign/s,
 *   BENCH_INPROCESS_RESPONSE sso_build_bench's responses/s; several URLs:
 *   connection i uses URL i % n, each node with its own public URL; --kv
 *   prints key=value lines for bench/all.sh instead of the table)
 *
 * Each connection logs in once (GET /login for the CSRF token, POST /login
 * for the session cookie), then loops GET /saml/sso with an unsigned,
 * deflated AuthnRequest of its own making (a fresh ID each time: the IdP
 * keeps a replay cache) and expects 200 with a SAMLResponse form whose
 * response says Success and carries a signature. The SP must be
 * registered with --no-require-signed-requests: the benchmark measures
 * the IdP's response path, not pysaml2's request signing.
 * With idpd pids, a thread samples each VmRSS from /proc/PID/status every
 * 100 ms and each CPU time (utime + stime) is read before and after the
 * load (bench.c).
 */
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "bench.h"

#define MAX_SAMPLES    1000000
#define RESPONSE_BYTES 6000 /* about the size of a signed response */

static struct bench_nodes nodes;
static const char *email, *password, *sp_entity, *acs_url;
static double duration = 15.0;
static atomic_bool stop;
static atomic_uint ok, failed, logins_failed;
static double samples[MAX_SAMPLES];
static atomic_uint n_samples;
static atomic_ullong page_bytes;

/*
 * The Redirect binding's encoding of a new AuthnRequest: raw deflate,
 * base64, URL-escaped. Returns a curl_free()-able string or NULL.
 */
static char *
authn_request(CURL *c, const char *base, unsigned conn, unsigned seq)
{
	char xml[2048], when[32];
	unsigned char z[2048], b64[4096];
	time_t t = time(NULL);
	struct tm tm;
	z_stream zs = {0};

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	int n = snprintf(
		xml, sizeof(xml),
		"<samlp:AuthnRequest"
		" xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\""
		" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\""
		" ID=\"_bench%08x%04x%08x\" Version=\"2.0\" IssueInstant=\"%s\""
		" Destination=\"%s/saml/sso\""
		" AssertionConsumerServiceURL=\"%s\""
		" ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:"
		"HTTP-POST\"><saml:Issuer>%s</saml:Issuer>"
		"</samlp:AuthnRequest>",
		(unsigned)random(), conn, seq, when, base, acs_url, sp_entity);
	if (n < 0 || (size_t)n >= sizeof(xml))
		return NULL;
	if (deflateInit2(&zs, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return NULL;
	zs.next_in = (unsigned char *)xml;
	zs.avail_in = (unsigned)n;
	zs.next_out = z;
	zs.avail_out = sizeof(z);
	int rc = deflate(&zs, Z_FINISH);
	size_t zlen = sizeof(z) - zs.avail_out;
	deflateEnd(&zs);
	if (rc != Z_STREAM_END)
		return NULL;
	EVP_EncodeBlock(b64, z, (int)zlen);
	return curl_easy_escape(c, (const char *)b64, 0);
}

/*
 * Whether @page holds a SAMLResponse form whose response says Success and
 * carries a signature: an error response is a failure here, not a result.
 */
static bool
response_good(const char *page)
{
	static const char mark[] = "name=\"SAMLResponse\" value=\"";
	const char *v = page != NULL ? strstr(page, mark) : NULL;
	bool good = false;

	if (v == NULL)
		return false;
	v += sizeof(mark) - 1;
	size_t len = strcspn(v, "\"");
	unsigned char *xml = malloc(len / 4 * 3 + 1);
	if (xml == NULL || len % 4 != 0)
		goto out;
	int n = EVP_DecodeBlock(xml, (const unsigned char *)v, (int)len);
	if (n < 0)
		goto out;
	xml[n] = '\0';
	good = strstr((char *)xml,
		      "urn:oasis:names:tc:SAML:2.0:status:Success") != NULL &&
	       strstr((char *)xml, "SignatureValue>") != NULL;
out:
	free(xml);
	return good;
}

static bool
one_sso(CURL *c, const char *base, unsigned conn, unsigned seq)
{
	struct bench_buf page = {NULL, 0};
	char *q = authn_request(c, base, conn, seq), *url = NULL;
	long status = 0;
	bool good = false;

	if (q == NULL ||
	    asprintf(&url, "%s/saml/sso?SAMLRequest=%s", base, q) < 0) {
		url = NULL;
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &page);
	if (curl_easy_perform(c) != CURLE_OK)
		goto out;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	good = status == 200 && response_good(page.p);
	if (good)
		atomic_fetch_add(&page_bytes, page.len);
	if (!good && atomic_load(&failed) == 0)
		fprintf(stderr, "sso_bench: status %ld: %.300s\n", status,
			page.p ? page.p : "");
out:
	curl_free(q);
	free(url);
	free(page.p);
	return good;
}

static void *
worker(void *arg)
{
	unsigned conn = (unsigned)(uintptr_t)arg, seq = 0;
	const char *base = nodes.url[conn % nodes.n];
	CURL *c = curl_easy_init();

	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, bench_collect);
	curl_easy_setopt(c, CURLOPT_COOKIEFILE, "");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (!bench_login(c, base, email, password)) {
		atomic_fetch_add(&logins_failed, 1);
		goto out;
	}
	while (!atomic_load(&stop)) {
		double t0 = bench_now();
		if (one_sso(c, base, conn, seq++)) {
			atomic_fetch_add(&ok, 1);
			unsigned i = atomic_fetch_add(&n_samples, 1);
			if (i < MAX_SAMPLES)
				samples[i] = bench_now() - t0;
		} else {
			atomic_fetch_add(&failed, 1);
		}
	}
out:
	curl_easy_cleanup(c);
	return NULL;
}

/*
 * The whole machine's CPU time so far, busy and total, in ticks (the
 * first line of /proc/stat): whether the box was saturated, by us or by
 * other work.
 */
static void
machine_ticks(double *busy, double *total)
{
	unsigned long long v[8] = {0};
	FILE *f = fopen("/proc/stat", "r");

	*busy = *total = 0;
	if (f == NULL)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
		for (int i = 0; i < 8; i++)
			*total += (double)v[i];
		/* idle and iowait are fields 4 and 5 */
		*busy = *total - (double)v[3] - (double)v[4];
	}
	fclose(f);
}

/*
 * RSA-3072 PKCS#1 v1.5 SHA-256 signatures per second on one core, as a
 * signer of XML does them: per signature a new context, SHA-256 over a
 * message the size of a response, the signature.
 */
static double
sign_rate(EVP_PKEY *key)
{
	unsigned char msg[RESPONSE_BYTES], sig[512];
	unsigned n = 0;
	double t0;

	memset(msg, 'x', sizeof(msg));
	t0 = bench_now();
	while (bench_now() - t0 < 3.0) {
		size_t siglen = sizeof(sig);
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		bool good =
			md != NULL &&
			EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) ==
				1 &&
			EVP_DigestSign(md, sig, &siglen, msg, sizeof(msg)) == 1;
		EVP_MD_CTX_free(md);
		if (!good)
			return 0;
		n++;
	}
	return n / (bench_now() - t0);
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
	if (argc < 6) {
		fprintf(stderr, "usage: sso_bench [--kv] URL[,URL...] EMAIL "
				"PASSWORD|- SP_ENTITY_ID ACS_URL [connections] "
				"[seconds] [idpd_pid[,pid...]]\n");
		return 2;
	}
	email = argv[2];
	password =
		strcmp(argv[3], "-") == 0 ? getenv("BENCH_PASSWORD") : argv[3];
	sp_entity = argv[4];
	acs_url = argv[5];
	if (password == NULL) {
		fprintf(stderr, "sso_bench: BENCH_PASSWORD is not set\n");
		return 2;
	}
	if (argc > 6)
		conns = (unsigned)atoi(argv[6]);
	if (argc > 7)
		duration = atof(argv[7]);
	if (!bench_nodes_parse(&nodes, argv[1]) ||
	    !bench_procs_parse(&procs, argc > 8 ? argv[8] : NULL) ||
	    conns < 1 || conns > BENCH_MAX_CONN || duration <= 0) {
		fprintf(stderr, "sso_bench: bad URLs, pids, connections or "
				"seconds\n");
		return 2;
	}
	const char *os = getenv("BENCH_OPENSSL_SIGN");
	const char *ir = getenv("BENCH_INPROCESS_RESPONSE");
	double openssl_rate = os ? atof(os) : 0;
	double build_rate = ir ? atof(ir) : 0;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());

	if (!kv)
		printf("rsa-3072 sha-256: measuring the in-process sign "
		       "rate...\n");
	fflush(stdout);
	EVP_PKEY *key = EVP_RSA_gen(3072);
	double rate = key ? sign_rate(key) : 0;
	EVP_PKEY_free(key);

	double busy0, total0, busy1, total1;
	machine_ticks(&busy0, &total0);
	double secs = bench_load(conns, duration, worker, &stop, &procs);
	machine_ticks(&busy1, &total1);
	double cpu = bench_procs_cpu(&procs);

	unsigned n = atomic_load(&n_samples);
	if (n > MAX_SAMPLES)
		n = MAX_SAMPLES;
	double rps = atomic_load(&ok) / secs;
	double per_core = rps / (double)cores;
	double p50, p99;
	bench_percentiles(samples, n, &p50, &p99);
	if (kv) {
		bench_kv("scenario", "sso");
		bench_kv("connections", "%u", conns);
		bench_kv("nodes", "%u", nodes.n);
		bench_kv("seconds", "%.1f", secs);
		bench_kv("ok", "%u", atomic_load(&ok));
		bench_kv("errors", "%u",
			 atomic_load(&failed) + atomic_load(&logins_failed));
		bench_kv("ok_per_s", "%.1f", rps);
		bench_kv("p50_ms", "%.2f", p50);
		bench_kv("p99_ms", "%.2f", p99);
		bench_kv_procs(&procs);
		bench_kv("cores", "%ld", cores);
		bench_kv("openssl_sign_per_core", "%.1f", openssl_rate);
		bench_kv("evp_sign_per_core", "%.1f", rate);
		bench_kv("builder_per_core", "%.1f", build_rate);
		bench_kv("ceiling", "%.1f", build_rate * (double)cores);
		bench_kv("ceiling_rsa", "%.1f", openssl_rate * (double)cores);
		bench_kv("ratio", "%.2f",
			 build_rate > 0 ? per_core / build_rate : 0);
		bench_kv("ratio_rsa", "%.2f",
			 openssl_rate > 0 ? per_core / openssl_rate : 0);
		if (total1 > total0)
			bench_kv("machine_busy_pct", "%.0f",
				 100 * (busy1 - busy0) / (total1 - total0));
		goto out;
	}
	printf("connections            %u (%u logins failed)\n", conns,
	       atomic_load(&logins_failed));
	printf("duration               %.1f s\n", secs);
	printf("response page          %.0f bytes on average\n",
	       atomic_load(&ok)
		       ? (double)atomic_load(&page_bytes) / atomic_load(&ok)
		       : 0);
	printf("responses ok / failed  %u / %u\n", atomic_load(&ok),
	       atomic_load(&failed));
	printf("responses per second   %.1f\n", rps);
	printf("  per core (%ld cores)   %.1f\n", cores, per_core);
	if (cpu > 0)
		printf("  per idpd CPU-second  %.1f (idpd used %.2f cores)\n",
		       atomic_load(&ok) / cpu, cpu / secs);
	if (total1 > total0)
		printf("  machine CPU busy     %.0f %% (all processes, "
		       "this benchmark included)\n",
		       100 * (busy1 - busy0) / (total1 - total0));
	printf("latency p50 / p99      %.2f / %.2f ms (GET /saml/sso)\n", p50,
	       p99);
	for (unsigned i = 0; i < procs.n; i++)
		printf("idpd VmRSS max         %.1f MiB (sampled every 100 "
		       "ms)\n",
		       procs.rss_max_kib[i] / 1024.0);
	if (openssl_rate > 0)
		printf("openssl speed rsa3072  %.1f sign/s per core\n",
		       openssl_rate);
	printf("in-process EVP sign    %.1f sign/s per core "
	       "(new context, SHA-256 of %d bytes)\n",
	       rate, RESPONSE_BYTES);
	if (build_rate > 0)
		printf("in-process response    %.1f responses/s per core "
		       "(idpd's builder, no HTTP, no database)\n",
		       build_rate);
	if (openssl_rate > 0)
		printf("ratio to openssl       %.2f per core\n",
		       per_core / openssl_rate);
	if (build_rate > 0)
		printf("ratio to in-process    %.2f per core (response "
		       "builder)\n",
		       per_core / build_rate);
	if (cpu > 0 && openssl_rate > 0)
		printf("ratio per idpd CPU-s   %.2f of openssl, "
		       "%.2f of the in-process response builder\n",
		       atomic_load(&ok) / cpu / openssl_rate,
		       build_rate > 0 ? atomic_load(&ok) / cpu / build_rate
				      : 0);
	if (build_rate > 0 && openssl_rate > 0)
		printf("builder / openssl      %.2f (what building and "
		       "signing a response leaves of the RSA bound)\n",
		       build_rate / openssl_rate);
	printf("target                 0.85 of the RSA bound per core\n");
out:
	return atomic_load(&failed) > atomic_load(&ok) / 100 ||
			       atomic_load(&logins_failed) > 0
		       ? 1
		       : 0;
}
