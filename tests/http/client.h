/*
 * Small HTTP client helpers for tests: libcurl for well-formed requests,
 * raw sockets for the malformed, oversized and slow ones that curl will
 * not send.
 */
#ifndef TESTS_HTTP_CLIENT_H
#define TESTS_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

struct tc_reply {
	long status;
	char *body;	/* NUL-terminated */
	size_t len;
	char *headers;	/* raw header block, NUL-terminated */
};

/*
 * Request http://127.0.0.1:@port@path with @method (NULL: GET), optional
 * extra header lines (NULL-terminated array) and optional body. Returns
 * false when no HTTP reply came back (connection refused, reset).
 */
bool tc_request(unsigned port, const char *method, const char *path,
		const char *const *headers, const char *body, size_t body_len,
		struct tc_reply *out);
void tc_reply_free(struct tc_reply *r);

/* Case-insensitive search for "Name: value" in the header block. */
bool tc_has_header(const struct tc_reply *r, const char *name,
		   const char *value);

/* Connect a TCP socket to 127.0.0.1:@port; -1 on failure. */
int tc_connect(unsigned port);

/*
 * Send @data raw and read until the server closes or @timeout_ms passes.
 * Returns the status of the first reply line, 0 when the server closed
 * without a reply, -1 when it did not close within the time.
 */
int tc_raw(unsigned port, const char *data, size_t len, int timeout_ms);

/* A free TCP port on 127.0.0.1 (racy by nature, fine on loopback). */
unsigned tc_free_port(void);

#endif
