#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

bool
bench_login(CURL *c, const char *base, const char *email,
	    const char *password)
{
	struct bench_buf page = { NULL, 0 };
	char *post = NULL, token[128], url[512];
	long status = 0;
	bool good = false;

	snprintf(url, sizeof(url), "%s/login", base);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, bench_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &page);
	if (curl_easy_perform(c) != CURLE_OK)
		goto out;
	const char *m = page.p ? strstr(page.p, "name=\"csrf\" value=\"") :
				 NULL;
	if (m == NULL || sscanf(m + 19, "%127[^\"]", token) != 1)
		goto out;
	char *e = curl_easy_escape(c, email, 0);
	char *p = curl_easy_escape(c, password, 0);
	if (asprintf(&post, "csrf=%s&email=%s&password=%s", token, e, p) < 0)
		post = NULL;
	curl_free(e);
	curl_free(p);
	if (post == NULL)
		goto out;
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
