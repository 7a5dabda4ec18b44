/*
 * The keys of idpd.conf: one table describes every key; parsing, error
 * messages and cfg_diff() all walk it, so a new key is one table row (plus
 * docs/configuration.md and idpd.conf.example). Here are the table, the
 * parsing and checking of each value, the checks that span keys, and
 * cfg_diff() and cfg_free(); reading the file and the environment, and the
 * order of it all (cfg_load()), are in cfg_file.c.
 */
#include "idp/cfg/cfg.h"

#include <arpa/inet.h>
#include <glib.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "idp/cfg/cfg_internal.h"

enum key_type {
	KEY_UINT,    /* unsigned: decimal in [min, max] */
	KEY_SIZE,    /* size_t: bytes, or with a K or M suffix, in [min, max] */
	KEY_ADDRESS, /* char *: numeric IPv4 or IPv6 address */
	KEY_URL,     /* char *: public URL, also sets public_https */
	KEY_SECRET,  /* char *: never echoed; at least .min bytes */
	KEY_STRING,  /* char *: printable text, at least .min bytes */
	KEY_BOOL,    /* bool: true/false, yes/no, on/off, 1/0 */
	KEY_LEVEL,   /* enum log_level */
	KEY_NETS,    /* trusted_proxies and n_trusted_proxies */
};

struct key {
	const char *group;
	const char *name;
	enum key_type type;
	size_t offset;	    /* of the field in struct cfg */
	uint64_t min, max;  /* KEY_UINT, KEY_SIZE */
	uint64_t def;	    /* KEY_UINT, KEY_SIZE */
	const char *def_str; /* the other types */
	const char *noun;   /* KEY_UINT: what the number counts */
	bool reloadable;    /* applied on SIGHUP without restart */
};

#define FIELD(f) offsetof(struct cfg, f)
#define STR_(x) #x
#define STR(x) STR_(x)

/* In the order of docs/configuration.md. */
static const struct key keys[] = {
	{ .group = "server", .name = "listen_address", .type = KEY_ADDRESS,
	  .offset = FIELD(listen_address), .def_str = "127.0.0.1" },
	{ .group = "server", .name = "port", .type = KEY_UINT,
	  .offset = FIELD(port), .min = 1, .max = 65535, .def = 8080,
	  .noun = "a port number" },
	{ .group = "server", .name = "public_url", .type = KEY_URL,
	  .offset = FIELD(public_url), .def_str = "http://127.0.0.1:8080" },
	{ .group = "server", .name = "threads", .type = KEY_UINT,
	  .offset = FIELD(threads), .min = 0, .max = CFG_THREADS_MAX,
	  .def = 0, .noun = "a thread count" },
	{ .group = "server", .name = "max_connections", .type = KEY_UINT,
	  .offset = FIELD(max_connections), .min = 1, .max = 100000,
	  .def = 1024, .noun = "a connection count" },
	{ .group = "server", .name = "max_connections_per_ip",
	  .type = KEY_UINT, .offset = FIELD(max_connections_per_ip),
	  .min = 1, .max = 100000, .def = 64, .noun = "a connection count" },
	{ .group = "server", .name = "connection_timeout", .type = KEY_UINT,
	  .offset = FIELD(connection_timeout_s), .min = 1, .max = 3600,
	  .def = 30, .noun = "a number of seconds" },
	{ .group = "server", .name = "connection_memory", .type = KEY_SIZE,
	  .offset = FIELD(connection_memory), .min = HTTP_CONN_MEMORY_MIN,
	  .max = HTTP_CONN_MEMORY_MAX, .def = HTTP_CONN_MEMORY_DEFAULT },
	{ .group = "server", .name = "max_url", .type = KEY_SIZE,
	  .offset = FIELD(max_url), .min = HTTP_MAX_URL_MIN,
	  .max = HTTP_MAX_URL_MAX, .def = HTTP_MAX_URL_DEFAULT },
	{ .group = "server", .name = "max_headers", .type = KEY_SIZE,
	  .offset = FIELD(max_headers), .min = HTTP_MAX_HEADERS_MIN,
	  .max = HTTP_MAX_HEADERS_MAX, .def = HTTP_MAX_HEADERS_DEFAULT },
	{ .group = "server", .name = "max_body", .type = KEY_SIZE,
	  .offset = FIELD(max_body), .min = HTTP_MAX_BODY_MIN,
	  .max = HTTP_MAX_BODY_MAX, .def = HTTP_MAX_BODY_DEFAULT },
	{ .group = "server", .name = "shutdown_grace", .type = KEY_UINT,
	  .offset = FIELD(shutdown_grace_s), .min = 0, .max = 600, .def = 10,
	  .noun = "a number of seconds" },
	{ .group = "server", .name = "trusted_proxies", .type = KEY_NETS,
	  .offset = FIELD(trusted_proxies), .def_str = "",
	  .reloadable = true },
	/* Both or neither; read by idp/http at startup (http_tls_load()). */
	{ .group = "server", .name = "tls_certificate_file",
	  .type = KEY_STRING, .offset = FIELD(tls_certificate_file),
	  .min = 0, .def_str = "" },
	{ .group = "server", .name = "tls_key_file", .type = KEY_STRING,
	  .offset = FIELD(tls_key_file), .min = 0, .def_str = "" },
	{ .group = "server", .name = "tls_priorities", .type = KEY_STRING,
	  .offset = FIELD(tls_priorities), .min = 1,
	  .def_str = CFG_TLS_PRIORITIES_DEFAULT },
	{ .group = "database", .name = "conninfo", .type = KEY_SECRET,
	  .offset = FIELD(db_conninfo), .min = 1, .def_str = "dbname=idp" },
	{ .group = "database", .name = "tx_retries", .type = KEY_UINT,
	  .offset = FIELD(db_tx_retries), .min = 0, .max = 100,
	  .def = STORE_TX_RETRIES_DEFAULT, .noun = "a retry count" },
	{ .group = "database", .name = "statement_timeout", .type = KEY_UINT,
	  .offset = FIELD(db_statement_timeout_ms), .min = 0, .max = 3600000,
	  .def = 30000, .noun = "a number of milliseconds" },
	{ .group = "log", .name = "level", .type = KEY_LEVEL,
	  .offset = FIELD(log_level), .def_str = "info", .reloadable = true },
	/* OWASP's minimum for Argon2id is m=19 MiB, t=2: our default. */
	{ .group = "accounts", .name = "password_memlimit", .type = KEY_SIZE,
	  .offset = FIELD(password_memlimit), .min = 1024 * 1024,
	  .max = 1024 * 1024 * 1024, .def = 19 * 1024 * 1024 },
	{ .group = "accounts", .name = "password_opslimit", .type = KEY_UINT,
	  .offset = FIELD(password_opslimit), .min = 1, .max = 20, .def = 2,
	  .noun = "a number of passes" },
	{ .group = "accounts", .name = "session_idle_timeout",
	  .type = KEY_UINT, .offset = FIELD(session_idle_s), .min = 60,
	  .max = 86400, .def = 1800, .noun = "a number of seconds" },
	{ .group = "accounts", .name = "session_absolute_timeout",
	  .type = KEY_UINT, .offset = FIELD(session_absolute_s), .min = 300,
	  .max = 604800, .def = 43200, .noun = "a number of seconds" },
	{ .group = "mail", .name = "mode", .type = KEY_STRING,
	  .offset = FIELD(mail_mode), .min = 1, .def_str = "file" },
	{ .group = "mail", .name = "file", .type = KEY_STRING,
	  .offset = FIELD(mail_file), .min = 1, .def_str = "mail.log" },
	{ .group = "mail", .name = "from", .type = KEY_STRING,
	  .offset = FIELD(mail_from), .min = 3,
	  .def_str = "Servicekonto <noreply@localhost>" },
	{ .group = "mail", .name = "smtp_url", .type = KEY_STRING,
	  .offset = FIELD(mail_smtp_url), .min = 1,
	  .def_str = "smtp://127.0.0.1:25" },
	{ .group = "mail", .name = "smtp_starttls", .type = KEY_BOOL,
	  .offset = FIELD(mail_smtp_starttls), .def = 1 },
	{ .group = "mail", .name = "smtp_user", .type = KEY_STRING,
	  .offset = FIELD(mail_smtp_user), .min = 0, .def_str = "" },
	{ .group = "mail", .name = "smtp_password", .type = KEY_SECRET,
	  .offset = FIELD(mail_smtp_password), .min = 0, .def_str = "" },
	{ .group = "mail", .name = "max_attempts", .type = KEY_UINT,
	  .offset = FIELD(mail_max_attempts), .min = 1, .max = 100,
	  .def = 10, .noun = "an attempt count" },
	{ .group = "keys", .name = "master_key_file", .type = KEY_STRING,
	  .offset = FIELD(keys_master_key_file), .min = 1,
	  .def_str = "/etc/servicekonto/master.key" },
	/* Metadata caches are commonly refreshed daily: two days by default. */
	{ .group = "keys", .name = "rollover_window", .type = KEY_UINT,
	  .offset = FIELD(keys_rollover_window_s), .min = 0,
	  .max = 30 * 86400, .def = 2 * 86400,
	  .noun = "a number of seconds" },
	{ .group = "keys", .name = "certificate_validity", .type = KEY_UINT,
	  .offset = FIELD(keys_certificate_validity_days), .min = 1,
	  .max = 3650, .def = 1095, .noun = "a number of days" },
	{ .group = "keys", .name = "certificate_subject", .type = KEY_STRING,
	  .offset = FIELD(keys_certificate_subject), .min = 0,
	  .def_str = "" },
	/*
	 * validUntil bounds how long a copy of our metadata (and with it a
	 * retired certificate) can be replayed to an SP: a week by default,
	 * at most 90 days.
	 */
	{ .group = "saml", .name = "metadata_validity", .type = KEY_UINT,
	  .offset = FIELD(saml_metadata_validity_s), .min = 3600,
	  .max = 90 * 86400, .def = 7 * 86400,
	  .noun = "a number of seconds" },
	{ .group = "saml", .name = "metadata_cache_duration",
	  .type = KEY_UINT, .offset = FIELD(saml_metadata_cache_duration_s),
	  .min = 60, .max = 7 * 86400, .def = 3600,
	  .noun = "a number of seconds" },
	{ .group = "saml", .name = "metadata_signed", .type = KEY_BOOL,
	  .offset = FIELD(saml_metadata_signed), .def = 1 },
	{ .group = "saml", .name = "sp_metadata_refresh_interval",
	  .type = KEY_UINT, .offset = FIELD(saml_sp_refresh_interval_s),
	  .min = 0, .max = 30 * 86400, .def = 6 * 3600,
	  .noun = "a number of seconds" },
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

/*
 * A new group also goes into groups[] and env_prefixes[] in cfg_file.c.
 * struct cfg_load has room for the origins of CFG_KEYS_MAX keys.
 */
_Static_assert(N_KEYS <= CFG_KEYS_MAX, "raise CFG_KEYS_MAX");

const size_t cfg_n_keys = N_KEYS;

const char *
cfg_show_n(char *dst, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i, n = 0;

	for (i = 0; p[i] != '\0' && i < max; i++) {
		if (p[i] == '"' || p[i] == '\\') {
			dst[n++] = '\\';
			dst[n++] = (char)p[i];
		} else if (p[i] >= 0x20 && p[i] < 0x7f) {
			dst[n++] = (char)p[i];
		} else {
			dst[n++] = '\\';
			dst[n++] = 'x';
			dst[n++] = hex[p[i] >> 4];
			dst[n++] = hex[p[i] & 0xf];
		}
	}
	if (p[i] != '\0') {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	dst[n] = '\0';
	return dst;
}

const char *
cfg_show(char *dst, const char *s)
{
	return cfg_show_n(dst, s, CFG_SHOW_MAX);
}

const char *
cfg_quote(char *dst, const char *s)
{
	size_t n;

	dst[0] = '"';
	cfg_show(dst + 1, s);
	n = strlen(dst);
	dst[n] = '"';
	dst[n + 1] = '\0';
	return dst;
}

void
cfg_env_name(size_t key, char name[CFG_ENV_NAME_MAX])
{
	const struct key *k = &keys[key];
	size_t i;

	snprintf(name, CFG_ENV_NAME_MAX, "IDP_%s_%s", k->group, k->name);
	for (i = 0; name[i] != '\0'; i++)
		name[i] = g_ascii_toupper(name[i]);
}

static void
vappendf(struct cfg_load *ld, size_t at, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void
vappendf(struct cfg_load *ld, size_t at, const char *fmt, va_list ap)
{
	if (ld->err == NULL || at >= ld->errlen)
		return;
	vsnprintf(ld->err + at, ld->errlen - at, fmt, ap);
}

void
cfg_fail_plain(struct cfg_load *ld, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vappendf(ld, 0, fmt, ap);
	va_end(ap);
}

void
cfg_fail(struct cfg_load *ld, size_t i, const char *fmt, ...)
{
	const struct key *k = &keys[i];
	char name[CFG_ENV_NAME_MAX];
	va_list ap;
	int n = 0;

	if (ld->err == NULL || ld->errlen == 0)
		return;
	switch (ld->origin[i]) {
	case CFG_ORIGIN_ENV:
		cfg_env_name(i, name);
		n = snprintf(ld->err, ld->errlen, "environment %s: ", name);
		break;
	case CFG_ORIGIN_FILE:
		n = snprintf(ld->err, ld->errlen, "%s: [%s] %s: ",
			     ld->path_shown, k->group, k->name);
		break;
	case CFG_ORIGIN_DEFAULT:
		/* Only a check across keys can blame a default. */
		n = snprintf(ld->err, ld->errlen, "%s: [%s] %s: ",
			     ld->path != NULL ? ld->path_shown : "defaults",
			     k->group, k->name);
		break;
	}
	if (n < 0)
		return;
	va_start(ap, fmt);
	vappendf(ld, (size_t)n, fmt, ap);
	va_end(ap);
}

size_t
cfg_key_index(const char *group, const char *name)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++) {
		if (strcmp(keys[i].group, group) == 0 &&
		    strcmp(keys[i].name, name) == 0)
			return i;
	}
	return N_KEYS;
}

/*
 * Strict decimal: digits only, no sign, no white space, no overflow.
 * Returns the end of the digits in *@end.
 */
static bool
parse_digits(const char *s, uint64_t *out, const char **end)
{
	uint64_t v = 0, d;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		d = (uint64_t)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	*end = s;
	return true;
}

static bool
parse_uint(const char *s, uint64_t *out)
{
	const char *end;

	return parse_digits(s, out, &end) && *end == '\0';
}

/* Bytes, or KiB or MiB with a suffix K, KiB, M or MiB. */
static bool
parse_size(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t v, mult;

	if (!parse_digits(s, &v, &end))
		return false;
	if (*end == '\0')
		mult = 1;
	else if (strcmp(end, "K") == 0 || strcmp(end, "KiB") == 0)
		mult = 1024;
	else if (strcmp(end, "M") == 0 || strcmp(end, "MiB") == 0)
		mult = 1024 * 1024;
	else
		return false;
	if (v > UINT64_MAX / mult)
		return false;
	*out = v * mult;
	return true;
}

/* A DNS host name: LDH labels of 1..63 bytes, 253 bytes in all. */
static bool
host_name_ok(const char *h, size_t len)
{
	size_t i, label = 0;

	if (len == 0 || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		if (h[i] == '.') {
			if (label == 0 || h[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!g_ascii_isalnum(h[i]) && h[i] != '-')
			return false;
		if (h[i] == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	/* No trailing dot: "idp.example." would not match cookies. */
	return label > 0 && h[len - 1] != '-';
}

/*
 * Why @v is not a public URL, or NULL when it is one. Only
 * http(s)://host[:port] passes: the URL is the prefix of every endpoint and
 * entityID we publish, so anything after the authority would end up in the
 * middle of them.
 */
static const char *
url_problem(const char *v, bool *https)
{
	char buf[CFG_PUBLIC_URL_MAX + 1];
	const char *auth, *port = NULL, *last;
	unsigned char addr[16];
	size_t i, hlen;
	uint64_t pn;

	if (strlen(v) > CFG_PUBLIC_URL_MAX)
		return "longer than " STR(CFG_PUBLIC_URL_MAX) " bytes";
	for (i = 0; v[i] != '\0'; i++) {
		if ((unsigned char)v[i] >= 0x80)
			return "non-ASCII characters (write an "
			       "internationalised host name as xn--...)";
		if ((unsigned char)v[i] <= 0x20 || v[i] == 0x7f)
			return "white space or control characters";
	}
	if (strncmp(v, "https://", 8) == 0) {
		*https = true;
		auth = v + 8;
	} else if (strncmp(v, "http://", 7) == 0) {
		*https = false;
		auth = v + 7;
	} else {
		return "must start with http:// or https://";
	}
	if (strpbrk(auth, "?#") != NULL)
		return "must not have a query or fragment";
	if (strchr(auth, '/') != NULL)
		return strcmp(strchr(auth, '/'), "/") == 0 ?
			       "must not end in a slash" :
			       "must not have a path";
	if (strchr(auth, '@') != NULL)
		return "must not contain user info";

	if (auth[0] == '[') {
		last = strchr(auth, ']');
		if (last == NULL)
			return "IPv6 address without closing bracket";
		hlen = (size_t)(last - auth - 1);
		memcpy(buf, auth + 1, hlen);
		buf[hlen] = '\0';
		if (inet_pton(AF_INET6, buf, addr) != 1)
			return "not a valid IPv6 address in brackets";
		if (last[1] == ':')
			port = last + 2;
		else if (last[1] != '\0')
			return "junk after the IPv6 address";
	} else {
		port = strchr(auth, ':');
		if (port != NULL && strchr(port + 1, ':') != NULL)
			return "an IPv6 address must be in brackets";
		hlen = port != NULL ? (size_t)(port - auth) : strlen(auth);
		if (port != NULL)
			port++;
		if (!host_name_ok(auth, hlen))
			return "host is not a valid DNS name or IPv4 address";
		/*
		 * A last label of digits makes browsers parse the host as
		 * an IPv4 address ("10.1" is 10.0.0.1), so demand a real one.
		 */
		last = memrchr(auth, '.', hlen);
		last = last != NULL ? last + 1 : auth;
		if (strspn(last, "0123456789") ==
		    hlen - (size_t)(last - auth)) {
			memcpy(buf, auth, hlen);
			buf[hlen] = '\0';
			if (inet_pton(AF_INET, buf, addr) != 1)
				return "host is not a valid IPv4 address";
		}
	}
	if (port != NULL) {
		/* No leading zero: the URL is compared as a string. */
		if (port[0] == '0' || strlen(port) > 5 ||
		    !parse_uint(port, &pn) || pn < 1 || pn > 65535)
			return "port is not 1..65535 without leading zeros";
	}
	return NULL;
}

static void
replace_str(char **field, const char *v, bool secret)
{
	if (*field != NULL && secret)
		explicit_bzero(*field, strlen(*field));
	g_free(*field);
	*field = g_strdup(v);
}

int
cfg_set_value(struct cfg_load *ld, size_t i, const char *v)
{
	const struct key *k = &keys[i];
	struct cfg *c = ld->cfg;
	void *f = (char *)c + k->offset;
	struct cfg_net nets[CFG_MAX_TRUSTED_PROXIES];
	char q[CFG_QUOTED_MAX], why[256];
	unsigned char addr[16];
	const char *problem;
	enum log_level level;
	uint64_t x;
	size_t n;
	bool https;

	switch (k->type) {
	case KEY_UINT:
		if (!parse_uint(v, &x) || x < k->min || x > k->max) {
			cfg_fail(ld, i,
				 "%s is not %s (%" PRIu64 "..%" PRIu64 ")",
				 cfg_quote(q, v), k->noun, k->min, k->max);
			return IDP_ERR_INVALID;
		}
		*(unsigned *)f = (unsigned)x;
		return 0;
	case KEY_SIZE:
		if (!parse_size(v, &x) || x < k->min || x > k->max) {
			cfg_fail(ld, i,
				 "%s is not a size in bytes (%" PRIu64
				 "..%" PRIu64 "; suffix K or M for KiB or MiB)",
				 cfg_quote(q, v), k->min, k->max);
			return IDP_ERR_INVALID;
		}
		*(size_t *)f = (size_t)x;
		return 0;
	case KEY_ADDRESS:
		if (inet_pton(AF_INET, v, addr) != 1 &&
		    inet_pton(AF_INET6, v, addr) != 1) {
			cfg_fail(ld, i,
				 "%s is not a numeric IPv4 or IPv6 address",
				 cfg_quote(q, v));
			return IDP_ERR_INVALID;
		}
		replace_str(f, v, false);
		return 0;
	case KEY_URL:
		problem = url_problem(v, &https);
		if (problem != NULL) {
			cfg_fail(ld, i, "%s is not a public URL: %s",
				 cfg_quote(q, v), problem);
			return IDP_ERR_INVALID;
		}
		replace_str(f, v, false);
		c->public_https = https;
		return 0;
	case KEY_SECRET:
		/* Never echo the value: a conninfo may hold a password. */
		if (strlen(v) < k->min) {
			cfg_fail(ld, i, "invalid: empty");
			return IDP_ERR_INVALID;
		}
		if (strlen(v) > CFG_CONNINFO_MAX) {
			cfg_fail(ld, i, "invalid: longer than %d bytes",
				 CFG_CONNINFO_MAX);
			return IDP_ERR_INVALID;
		}
		replace_str(f, v, true);
		return 0;
	case KEY_STRING:
		if (strlen(v) < k->min || strlen(v) > CFG_STRING_MAX) {
			cfg_fail(ld, i,
				 "%s must be %" PRIu64 " to %d bytes long",
				 cfg_quote(q, v), k->min, CFG_STRING_MAX);
			return IDP_ERR_INVALID;
		}
		for (const char *p = v; *p != '\0'; p++) {
			if ((unsigned char)*p < 0x20 || *p == 0x7f) {
				cfg_fail(ld, i,
					 "%s contains a control character",
					 cfg_quote(q, v));
				return IDP_ERR_INVALID;
			}
		}
		replace_str(f, v, false);
		return 0;
	case KEY_BOOL:
		if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 ||
		    strcmp(v, "on") == 0 || strcmp(v, "1") == 0) {
			*(bool *)f = true;
		} else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0 ||
			   strcmp(v, "off") == 0 || strcmp(v, "0") == 0) {
			*(bool *)f = false;
		} else {
			cfg_fail(ld, i, "%s is not true or false",
				 cfg_quote(q, v));
			return IDP_ERR_INVALID;
		}
		return 0;
	case KEY_LEVEL:
		if (!log_level_parse(v, &level)) {
			cfg_fail(ld, i,
				 "%s is not a level (debug, info, warn, error)",
				 cfg_quote(q, v));
			return IDP_ERR_INVALID;
		}
		*(enum log_level *)f = level;
		return 0;
	case KEY_NETS:
		if (cfg_nets_parse(v, nets, &n, why, sizeof(why)) != 0) {
			cfg_fail(ld, i, "%s", why);
			return IDP_ERR_INVALID;
		}
		/* All of it: the environment may replace a longer list. */
		memset(c->trusted_proxies, 0, sizeof(c->trusted_proxies));
		memcpy(c->trusted_proxies, nets, n * sizeof(nets[0]));
		c->n_trusted_proxies = n;
		return 0;
	}
	cfg_fail(ld, i, "key of unknown type");
	return IDP_ERR_INTERNAL;
}

int
cfg_set_defaults(struct cfg_load *ld)
{
	const struct key *k;
	void *f;
	size_t i;
	int rc;

	for (i = 0; i < N_KEYS; i++) {
		k = &keys[i];
		f = (char *)ld->cfg + k->offset;
		switch (k->type) {
		case KEY_UINT:
			*(unsigned *)f = (unsigned)k->def;
			break;
		case KEY_SIZE:
			*(size_t *)f = (size_t)k->def;
			break;
		case KEY_BOOL:
			*(bool *)f = k->def != 0;
			break;
		case KEY_STRING:
		case KEY_ADDRESS:
		case KEY_URL:
		case KEY_SECRET:
		case KEY_LEVEL:
		case KEY_NETS:
			/* Parsed like any value: the defaults are checked. */
			rc = cfg_set_value(ld, i, k->def_str);
			if (rc != 0)
				return rc;
			break;
		}
	}
	return 0;
}

/* Of keys @a and @b, the one set last: the likelier one to fix. */
static size_t
blame(const struct cfg_load *ld, size_t a, size_t b)
{
	return ld->origin[b] > ld->origin[a] ? b : a;
}

/*
 * TLS needs both files, and a public URL that says https: cookies are
 * Secure and HSTS is sent only then, and a browser sent to http:// would
 * meet a TLS port it cannot talk to. Sets c->tls.
 */
static int
check_tls(struct cfg_load *ld)
{
	struct cfg *c = ld->cfg;
	size_t cert = cfg_key_index("server", "tls_certificate_file");
	size_t key = cfg_key_index("server", "tls_key_file");
	size_t url = cfg_key_index("server", "public_url");
	bool has_cert = c->tls_certificate_file[0] != '\0';
	bool has_key = c->tls_key_file[0] != '\0';

	if (has_cert != has_key) {
		cfg_fail(ld, has_cert ? cert : key,
			 "is set but %s is not: TLS needs both the "
			 "certificate and the key file (or neither, for "
			 "plain HTTP behind a reverse proxy)",
			 has_cert ? "tls_key_file" : "tls_certificate_file");
		return IDP_ERR_INVALID;
	}
	c->tls = has_cert;
	if (c->tls && !c->public_https) {
		cfg_fail(ld, blame(ld, url, cert),
			 "with TLS on (tls_certificate_file), public_url "
			 "must start with https:// (it is %s)",
			 c->public_url);
		return IDP_ERR_INVALID;
	}
	return 0;
}

int
cfg_check_all(struct cfg_load *ld)
{
	struct cfg *c = ld->cfg;
	size_t conns = cfg_key_index("server", "max_connections");
	size_t per_ip = cfg_key_index("server", "max_connections_per_ip");
	size_t mem = cfg_key_index("server", "connection_memory");
	size_t url = cfg_key_index("server", "max_url");
	size_t hdrs = cfg_key_index("server", "max_headers");
	long cores;

	if (c->max_connections_per_ip > c->max_connections) {
		cfg_fail(ld, blame(ld, per_ip, conns),
			 "max_connections_per_ip (%u) must not exceed "
			 "max_connections (%u)",
			 c->max_connections_per_ip, c->max_connections);
		return IDP_ERR_INVALID;
	}
	if (c->connection_memory <= c->max_url + c->max_headers) {
		cfg_fail(ld, blame(ld, blame(ld, mem, url), hdrs),
			 "connection_memory (%zu) must be larger than max_url "
			 "+ max_headers (%zu + %zu): libmicrohttpd keeps the "
			 "request line and headers in this per-connection "
			 "pool, and a full pool drops the request before idpd "
			 "can answer 414 or 431",
			 c->connection_memory, c->max_url, c->max_headers);
		return IDP_ERR_INVALID;
	}
	if (check_tls(ld) != 0)
		return IDP_ERR_INVALID;
	if (strcmp(c->mail_mode, "file") != 0 &&
	    strcmp(c->mail_mode, "smtp") != 0) {
		cfg_fail(ld, cfg_key_index("mail", "mode"),
			 "must be \"file\" or \"smtp\"");
		return IDP_ERR_INVALID;
	}
	c->mail_smtp = strcmp(c->mail_mode, "smtp") == 0;
	if (c->mail_smtp && strncmp(c->mail_smtp_url, "smtp://", 7) != 0 &&
	    strncmp(c->mail_smtp_url, "smtps://", 8) != 0) {
		cfg_fail(ld, cfg_key_index("mail", "smtp_url"),
			 "must start with smtp:// or smtps://");
		return IDP_ERR_INVALID;
	}
	if (c->session_absolute_s < c->session_idle_s) {
		cfg_fail(ld,
			 cfg_key_index("accounts", "session_absolute_timeout"),
			 "(%u) must not be shorter than session_idle_timeout "
			 "(%u)",
			 c->session_absolute_s, c->session_idle_s);
		return IDP_ERR_INVALID;
	}
	if (strlen(c->keys_certificate_subject) > CFG_CERT_SUBJECT_MAX) {
		cfg_fail(ld, cfg_key_index("keys", "certificate_subject"),
			 "must be at most %d bytes (the limit of an X.509 "
			 "common "
			 "name)",
			 CFG_CERT_SUBJECT_MAX);
		return IDP_ERR_INVALID;
	}
	if (c->saml_metadata_cache_duration_s >= c->saml_metadata_validity_s) {
		cfg_fail(ld,
			 blame(ld,
			       cfg_key_index("saml", "metadata_validity"),
			       cfg_key_index("saml",
					     "metadata_cache_duration")),
			 "metadata_cache_duration (%u) must be shorter than "
			 "metadata_validity (%u): a relying party must fetch "
			 "the metadata again before its copy expires",
			 c->saml_metadata_cache_duration_s,
			 c->saml_metadata_validity_s);
		return IDP_ERR_INVALID;
	}
	/*
	 * The next signing key is published rollover_window before it
	 * signs; an SP that honours cacheDuration must have fetched it by
	 * then. A window of 0 (switch at once) is the operator's choice.
	 */
	if (c->keys_rollover_window_s > 0 &&
	    c->saml_metadata_cache_duration_s > c->keys_rollover_window_s) {
		cfg_fail(ld,
			 blame(ld,
			       cfg_key_index("keys", "rollover_window"),
			       cfg_key_index("saml",
					     "metadata_cache_duration")),
			 "metadata_cache_duration (%u) must not exceed [keys] "
			 "rollover_window (%u): relying parties would not "
			 "fetch the next signing certificate before it signs",
			 c->saml_metadata_cache_duration_s,
			 c->keys_rollover_window_s);
		return IDP_ERR_INVALID;
	}
	/*
	 * A refresh every few seconds would hammer the SPs' servers; only
	 * tests want it, and 5 s is short enough for them.
	 */
	if (c->saml_sp_refresh_interval_s > 0 &&
	    c->saml_sp_refresh_interval_s < 5) {
		cfg_fail(ld,
			 cfg_key_index("saml", "sp_metadata_refresh_interval"),
			 "%u is too short: 0 (off) or at least 5 seconds",
			 c->saml_sp_refresh_interval_s);
		return IDP_ERR_INVALID;
	}
	if (c->threads == 0) {
		cores = sysconf(_SC_NPROCESSORS_ONLN);
		if (cores < 1)
			cores = 1;
		if (cores > CFG_THREADS_MAX)
			cores = CFG_THREADS_MAX;
		c->threads = (unsigned)cores;
	}
	return 0;
}

void
cfg_free(struct cfg *cfg)
{
	if (cfg == NULL)
		return;
	g_free(cfg->listen_address);
	g_free(cfg->public_url);
	g_free(cfg->tls_certificate_file);
	g_free(cfg->tls_key_file);
	g_free(cfg->tls_priorities);
	if (cfg->db_conninfo != NULL)
		explicit_bzero(cfg->db_conninfo, strlen(cfg->db_conninfo));
	g_free(cfg->db_conninfo);
	g_free(cfg->mail_mode);
	g_free(cfg->mail_file);
	g_free(cfg->mail_from);
	g_free(cfg->mail_smtp_url);
	g_free(cfg->mail_smtp_user);
	if (cfg->mail_smtp_password != NULL)
		explicit_bzero(cfg->mail_smtp_password,
			       strlen(cfg->mail_smtp_password));
	g_free(cfg->mail_smtp_password);
	g_free(cfg->keys_master_key_file);
	g_free(cfg->keys_certificate_subject);
	g_free(cfg);
}

static bool
nets_equal(const struct cfg *a, const struct cfg *b)
{
	size_t i;

	if (a->n_trusted_proxies != b->n_trusted_proxies)
		return false;
	for (i = 0; i < a->n_trusted_proxies; i++) {
		if (a->trusted_proxies[i].family !=
			    b->trusted_proxies[i].family ||
		    a->trusted_proxies[i].prefix !=
			    b->trusted_proxies[i].prefix ||
		    memcmp(a->trusted_proxies[i].addr,
			   b->trusted_proxies[i].addr,
			   sizeof(a->trusted_proxies[i].addr)) != 0)
			return false;
	}
	return true;
}

static bool
key_differs(const struct key *k, const struct cfg *a, const struct cfg *b)
{
	const void *fa = (const char *)a + k->offset;
	const void *fb = (const char *)b + k->offset;

	switch (k->type) {
	case KEY_UINT:
		return *(const unsigned *)fa != *(const unsigned *)fb;
	case KEY_SIZE:
		return *(const size_t *)fa != *(const size_t *)fb;
	case KEY_BOOL:
		return *(const bool *)fa != *(const bool *)fb;
	case KEY_ADDRESS:
	case KEY_URL:
	case KEY_SECRET:
	case KEY_STRING:
		return g_strcmp0(*(char *const *)fa, *(char *const *)fb) != 0;
	case KEY_LEVEL:
		return *(const enum log_level *)fa !=
		       *(const enum log_level *)fb;
	case KEY_NETS:
		return !nets_equal(a, b);
	}
	return true;
}

void
cfg_diff(const struct cfg *old, const struct cfg *new, cfg_change_cb cb,
	 void *cls)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++) {
		if (key_differs(&keys[i], old, new))
			cb(keys[i].group, keys[i].name, keys[i].reloadable,
			   cls);
	}
}
