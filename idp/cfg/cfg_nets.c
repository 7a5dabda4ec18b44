/*
 * Trusted proxy networks: parsing the configured list and matching a peer
 * address against it. The match decides whether X-Forwarded-For is
 * believed, so it errs on the side of not matching.
 */
#include "idp/cfg/cfg.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Longest entry: a full IPv6 address in IPv4 notation plus "/128". */
#define ENTRY_MAX (INET6_ADDRSTRLEN + 4)

/* Separators between entries: GLib lists use ';', people write ", ". */
static const char separators[] = ",; \t\r\n";

static const uint8_t v4_mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
};

static void
errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Whether @s may be echoed in a one-line message as it is. */
static bool
printable(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s < 0x21 || *s > 0x7e || *s == '"' || *s == '\\')
			return false;
	}
	return true;
}

static bool
prefix_match(const uint8_t *a, const uint8_t *b, unsigned prefix)
{
	unsigned full = prefix / 8, rest = prefix % 8;
	uint8_t mask;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return ((a[full] ^ b[full]) & mask) == 0;
}

/* Whether every bit of @addr (@bytes long) beyond @prefix is zero. */
static bool
host_bits_zero(const uint8_t *addr, size_t bytes, unsigned prefix)
{
	size_t i = prefix / 8;

	if (prefix % 8 != 0) {
		if ((addr[i] & (0xff >> (prefix % 8))) != 0)
			return false;
		i++;
	}
	for (; i < bytes; i++) {
		if (addr[i] != 0)
			return false;
	}
	return true;
}

/*
 * Parse one entry (NUL-terminated, no separators; @index counts from 0)
 * into @net. Returns 0 or IDP_ERR_INVALID with the problem in @err. Entries
 * are echoed only when they are short and printable, so a message stays
 * one readable line.
 */
static int
parse_entry(const char *entry, size_t index, struct cfg_net *net, char *err,
	    size_t errlen)
{
	char addr[ENTRY_MAX + 1];
	char masked[INET6_ADDRSTRLEN];
	const char *slash, *p;
	unsigned bits, prefix;
	size_t alen;

	if (strlen(entry) > ENTRY_MAX || !printable(entry)) {
		errf(err, errlen, "entry %zu is not an IPv4 or IPv6 address",
		     index + 1);
		return IDP_ERR_INVALID;
	}
	slash = strchr(entry, '/');
	alen = slash != NULL ? (size_t)(slash - entry) : strlen(entry);
	memcpy(addr, entry, alen);
	addr[alen] = '\0';

	memset(net, 0, sizeof(*net));
	if (inet_pton(AF_INET, addr, net->addr) == 1) {
		net->family = AF_INET;
		bits = 32;
	} else if (inet_pton(AF_INET6, addr, net->addr) == 1) {
		net->family = AF_INET6;
		bits = 128;
	} else {
		errf(err, errlen, "\"%s\" is not an IPv4 or IPv6 address",
		     entry);
		return IDP_ERR_INVALID;
	}

	prefix = bits;
	if (slash != NULL) {
		/* Three digits at most: no overflow, no "/0032" games. */
		p = slash + 1;
		if (*p == '\0' || strlen(p) > 3 ||
		    strspn(p, "0123456789") != strlen(p)) {
			errf(err, errlen,
			     "\"%s\": prefix is not a number (0..%u)", entry,
			     bits);
			return IDP_ERR_INVALID;
		}
		prefix = 0;
		for (; *p != '\0'; p++)
			prefix = prefix * 10 + (unsigned)(*p - '0');
		if (prefix > bits) {
			errf(err, errlen, "\"%s\": prefix out of range (0..%u)",
			     entry, bits);
			return IDP_ERR_INVALID;
		}
	}
	net->prefix = prefix;

	if (!host_bits_zero(net->addr, bits / 8, prefix)) {
		/* Say what the network would be; the likely fix is either. */
		struct cfg_net m = *net;
		size_t i;

		for (i = 0; i < bits / 8; i++) {
			if (i * 8 >= prefix)
				m.addr[i] = 0;
			else if (i * 8 + 8 > prefix)
				m.addr[i] &=
					(uint8_t)(0xff << (8 - prefix % 8));
		}
		if (inet_ntop(m.family, m.addr, masked, sizeof(masked)) ==
		    NULL)
			masked[0] = '\0';
		errf(err, errlen,
		     "\"%s\": address has bits set beyond the /%u prefix "
		     "(the network would be %s/%u)",
		     entry, prefix, masked, prefix);
		return IDP_ERR_INVALID;
	}

	/*
	 * Peers in ::ffff:0:0/96 are matched as IPv4 (see
	 * cfg_nets_contain()), so such a network is kept as IPv4 too;
	 * otherwise it could never match.
	 */
	if (net->family == AF_INET6 && prefix >= 96 &&
	    memcmp(net->addr, v4_mapped_prefix, 12) == 0) {
		memmove(net->addr, net->addr + 12, 4);
		memset(net->addr + 4, 0, 12);
		net->family = AF_INET;
		net->prefix = prefix - 96;
	}
	return 0;
}

int
cfg_nets_parse(const char *list, struct cfg_net *nets, size_t *n, char *err,
	       size_t errlen)
{
	char entry[ENTRY_MAX + 2];
	const char *p = list;
	size_t len, count = 0;
	int rc;

	*n = 0;
	if (list == NULL)
		return 0;
	for (;;) {
		p += strspn(p, separators);
		if (*p == '\0')
			break;
		len = strcspn(p, separators);
		if (count == CFG_MAX_TRUSTED_PROXIES) {
			errf(err, errlen, "too many entries (at most %d)",
			     CFG_MAX_TRUSTED_PROXIES);
			return IDP_ERR_INVALID;
		}
		/* One byte over ENTRY_MAX is enough to refuse it. */
		if (len > ENTRY_MAX + 1)
			len = ENTRY_MAX + 1;
		memcpy(entry, p, len);
		entry[len] = '\0';
		rc = parse_entry(entry, count, &nets[count], err, errlen);
		if (rc != 0)
			return rc;
		count++;
		p += strcspn(p, separators);
	}
	*n = count;
	return 0;
}

bool
cfg_nets_contain(const struct cfg_net *nets, size_t n,
		 const struct sockaddr *sa)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;
	uint8_t peer[16];
	int family;
	size_t i;

	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET) {
		sin = (const struct sockaddr_in *)(const void *)sa;
		memcpy(peer, &sin->sin_addr, 4);
		family = AF_INET;
	} else if (sa->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		memcpy(peer, &sin6->sin6_addr, 16);
		family = AF_INET6;
		if (memcmp(peer, v4_mapped_prefix, 12) == 0) {
			memmove(peer, peer + 12, 4);
			family = AF_INET;
		}
	} else {
		return false;
	}

	for (i = 0; i < n; i++) {
		if (nets[i].family != family)
			continue;
		/* A net not made by cfg_nets_parse() must not overread. */
		if (nets[i].prefix > (family == AF_INET ? 32u : 128u))
			continue;
		if (prefix_match(nets[i].addr, peer, nets[i].prefix))
			return true;
	}
	return false;
}
