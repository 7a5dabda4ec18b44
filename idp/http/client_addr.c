#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "idp/http/http.h"

/*
 * X-Forwarded-For is a list the client can pre-fill; only entries appended
 * by proxies we trust are believed. Walking from the right, every address
 * that is itself a trusted proxy is skipped; the first other address is the
 * client. At most this many entries are looked at.
 */
#define XFF_MAX_ENTRIES 16

static void
sockaddr_format(const struct sockaddr *sa, char *out, size_t outlen)
{
	const void *a = NULL;

	if (sa != NULL && sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa != NULL && sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (a == NULL || inet_ntop(sa->sa_family, a, out,
				   (socklen_t)outlen) == NULL)
		snprintf(out, outlen, "unknown");
}

/* Parse one trimmed XFF entry into @ss; false when it is no address. */
static bool
entry_parse(const char *s, size_t len, struct sockaddr_storage *ss)
{
	char buf[INET6_ADDRSTRLEN];

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *v4 = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)(void *)ss;
	if (inet_pton(AF_INET, buf, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, buf, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		return true;
	}
	return false;
}

void
http_client_addr(const struct sockaddr *peer, const char *xff,
		 const struct cfg_net *nets, size_t n, char *out,
		 size_t outlen)
{
	struct sockaddr_storage cur;

	sockaddr_format(peer, out, outlen);
	if (xff == NULL || n == 0 || peer == NULL ||
	    !cfg_nets_contain(nets, n, peer))
		return;

	const char *end = xff + strlen(xff);
	for (int i = 0; i < XFF_MAX_ENTRIES && end > xff; i++) {
		const char *start = end;
		while (start > xff && start[-1] != ',')
			start--;
		if (!entry_parse(start, (size_t)(end - start), &cur))
			return;
		sockaddr_format((const struct sockaddr *)&cur, out, outlen);
		if (!cfg_nets_contain(nets, n, (const struct sockaddr *)&cur))
			return;
		end = start > xff ? start - 1 : xff;
	}
}
