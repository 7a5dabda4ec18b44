#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

struct buf {
	char *p;
	size_t len;
};

static size_t
collect(char *data, size_t size, size_t n, void *cls)
{
	struct buf *b = cls;
	size_t len = size * n;
	char *p = realloc(b->p, b->len + len + 1);

	if (p == NULL)
		return 0;
	memcpy(p + b->len, data, len);
	b->len += len;
	p[b->len] = '\0';
	b->p = p;
	return len;
}

bool
tc_request(unsigned port, const char *method, const char *path,
	   const char *const *headers, const char *body, size_t body_len,
	   struct tc_reply *out)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	struct buf b = { NULL, 0 }, h = { NULL, 0 };
	char url[70000];
	CURLcode rc;

	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return false;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* curl would wait for 100-continue on large bodies; do not. */
	hl = curl_slist_append(hl, "Expect:");
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
		hl = curl_slist_append(hl, headers[i]);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)body_len);
	}
	if (method != NULL) {
		if (strcmp(method, "HEAD") == 0)
			curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
		else
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK || rc == CURLE_SEND_ERROR ||
	    rc == CURLE_RECV_ERROR)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	out->body = b.p ? b.p : strdup("");
	out->len = b.len;
	out->headers = h.p ? h.p : strdup("");
	return out->status != 0;
}

void
tc_reply_free(struct tc_reply *r)
{
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}

bool
tc_has_header(const struct tc_reply *r, const char *name, const char *value)
{
	size_t nl = strlen(name);

	for (const char *l = r->headers; l != NULL && *l != '\0';) {
		const char *end = strstr(l, "\r\n");
		size_t len = end ? (size_t)(end - l) : strlen(l);
		if (len > nl + 1 && strncasecmp(l, name, nl) == 0 &&
		    l[nl] == ':') {
			const char *v = l + nl + 1;
			while (*v == ' ')
				v++;
			if (value == NULL ||
			    (strlen(value) == (size_t)(l + len - v) &&
			     strncmp(v, value, strlen(value)) == 0))
				return true;
		}
		l = end ? end + 2 : NULL;
	}
	return false;
}

int
tc_connect(unsigned port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int
tc_raw(unsigned port, const char *data, size_t len, int timeout_ms)
{
	int fd = tc_connect(port);
	char buf[4096];
	size_t got = 0;
	long deadline = now_ms() + timeout_ms;
	int status = -1;

	if (fd < 0)
		return -1;
	/* The server may close before it read everything; that is fine. */
	(void)send(fd, data, len, MSG_NOSIGNAL);
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		long left = deadline - now_ms();
		if (left <= 0)
			break;
		if (poll(&p, 1, (int)left) <= 0)
			break;
		ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (n <= 0) {
			buf[got] = '\0';
			status = 0;
			if (got > 12 && strncmp(buf, "HTTP/1.", 7) == 0)
				status = atoi(buf + 9);
			break;
		}
		got += (size_t)n;
		if (got == sizeof(buf) - 1)
			got = 12; /* keep the status line, drop the rest */
	}
	close(fd);
	return status;
}

unsigned
tc_free_port(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned port = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}
