#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

size_t
bench_collect(char *d, size_t s, size_t n, void *cls)
{
	struct bench_buf *b = cls;
	char *p = realloc(b->p, b->len + s * n + 1);

	if (p == NULL)
		return 0;
	memcpy(p + b->len, d, s * n);
	b->len += s * n;
	p[b->len] = '\0';
	b->p = p;
	return s * n;
}

static int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

bool
bench_csrf(CURL *c, const char *url, char *token, size_t len)
{
	static const char mark[] = "name=\"csrf\" value=\"";
	struct bench_buf page = {NULL, 0};
	bool good = false;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, bench_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &page);
	if (curl_easy_perform(c) != CURLE_OK)
		goto out;
	const char *m = page.p ? strstr(page.p, mark) : NULL;
	if (m == NULL)
		goto out;
	m += sizeof(mark) - 1;
	size_t n = strcspn(m, "\"");
	if (n == 0 || n >= len)
		goto out;
	memcpy(token, m, n);
	token[n] = '\0';
	good = true;
out:
	free(page.p);
	return good;
}

bool
bench_login(CURL *c, const char *base, const char *email, const char *password)
{
	struct bench_buf page = {NULL, 0};
	char *post = NULL, token[128], url[512];
	long status = 0;
	bool good = false;

	snprintf(url, sizeof(url), "%s/login", base);
	if (!bench_csrf(c, url, token, sizeof(token)))
		goto out;
	char *e = curl_easy_escape(c, email, 0);
	char *p = curl_easy_escape(c, password, 0);
	if (asprintf(&post, "csrf=%s&email=%s&password=%s", token, e, p) < 0)
		post = NULL;
	curl_free(e);
	curl_free(p);
	if (post == NULL)
		goto out;
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &page);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, post);
	if (curl_easy_perform(c) != CURLE_OK)
		goto out;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	good = status == 303;
out:
	free(page.p);
	free(post);
	return good;
}

bool
bench_nodes_parse(struct bench_nodes *nodes, const char *list)
{
	char *copy = list != NULL ? strdup(list) : NULL, *save = NULL;

	nodes->n = 0;
	if (copy == NULL)
		return false;
	for (char *u = strtok_r(copy, ",", &save); u != NULL;
	     u = strtok_r(NULL, ",", &save)) {
		if (nodes->n == BENCH_MAX_NODES)
			return false;
		nodes->url[nodes->n++] = u;
	}
	return nodes->n > 0;
}

bool
bench_procs_parse(struct bench_procs *p, const char *list)
{
	memset(p, 0, sizeof(*p));
	if (list == NULL)
		return true;
	for (const char *s = list; *s != '\0';) {
		char *end;
		long pid = strtol(s, &end, 10);
		if (end == s || pid <= 0 || p->n == BENCH_MAX_NODES ||
		    (*end != ',' && *end != '\0'))
			return false;
		p->pid[p->n++] = pid;
		s = *end == ',' ? end + 1 : end;
	}
	return true;
}

static long
rss_kib(long pid)
{
	char path[64], line[256];
	long kib = -1;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* A process's CPU time so far in seconds (utime + stime), or -1. */
static double
cpu_s(long pid)
{
	char path[64], line[1024];
	unsigned long ut, st;
	double r = -1;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	/* Fields 14 and 15, after the ")" that ends the command name. */
	if (fgets(line, sizeof(line), f) != NULL) {
		const char *p = strrchr(line, ')');
		if (p != NULL && sscanf(p + 2,
					"%*c %*d %*d %*d %*d %*d %*u %*u %*u "
					"%*u %*u %lu %lu",
					&ut, &st) == 2)
			r = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	}
	fclose(f);
	return r;
}

static void *
sampler(void *arg)
{
	struct bench_procs *p = arg;

	while (!atomic_load(&p->stop)) {
		for (unsigned i = 0; i < p->n; i++) {
			long k = rss_kib(p->pid[i]);
			if (k > p->rss_max_kib[i])
				p->rss_max_kib[i] = k;
		}
		usleep(100000);
	}
	return NULL;
}

void
bench_procs_start(struct bench_procs *p)
{
	if (p->n == 0)
		return;
	for (unsigned i = 0; i < p->n; i++)
		p->cpu0[i] = cpu_s(p->pid[i]);
	atomic_store(&p->stop, false);
	pthread_create(&p->sampler, NULL, sampler, p);
}

void
bench_procs_stop(struct bench_procs *p)
{
	if (p->n == 0)
		return;
	for (unsigned i = 0; i < p->n; i++) {
		double c = cpu_s(p->pid[i]);
		p->cpu_s[i] = c >= 0 && p->cpu0[i] >= 0 ? c - p->cpu0[i] : -1;
	}
	atomic_store(&p->stop, true);
	pthread_join(p->sampler, NULL);
}

double
bench_procs_cpu(const struct bench_procs *p)
{
	double sum = 0;

	if (p->n == 0)
		return -1;
	for (unsigned i = 0; i < p->n; i++) {
		if (p->cpu_s[i] < 0)
			return -1;
		sum += p->cpu_s[i];
	}
	return sum;
}

void
bench_kv(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("%s=", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void
bench_kv_procs(const struct bench_procs *p)
{
	printf("rss_max_mib=");
	for (unsigned i = 0; i < p->n; i++)
		printf("%s%.1f", i ? "," : "", p->rss_max_kib[i] / 1024.0);
	printf("\nidpd_cpu_s=");
	for (unsigned i = 0; i < p->n; i++)
		printf("%s%.2f", i ? "," : "", p->cpu_s[i]);
	putchar('\n');
}

double
bench_load(unsigned conns, double duration, void *(*worker)(void *),
	   atomic_bool *stop, struct bench_procs *procs)
{
	pthread_t t[BENCH_MAX_CONN];

	curl_global_init(CURL_GLOBAL_DEFAULT);
	bench_procs_start(procs);
	double t0 = bench_now();
	for (unsigned i = 0; i < conns; i++)
		pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i);
	usleep((useconds_t)(duration * 1e6));
	atomic_store(stop, true);
	for (unsigned i = 0; i < conns; i++)
		pthread_join(t[i], NULL);
	double secs = bench_now() - t0;
	bench_procs_stop(procs);
	curl_global_cleanup();
	return secs;
}

void
bench_percentiles(double *samples, unsigned n, double *p50_ms, double *p99_ms)
{
	qsort(samples, n, sizeof(samples[0]), bench_cmp_double);
	*p50_ms = n ? samples[n / 2] * 1e3 : 0;
	*p99_ms = n ? samples[n * 99 / 100] * 1e3 : 0;
}
