/*
 * idp/cfg: defaults, a full file, every key's bad values from the file and
 * from the environment, unknown groups, keys and variables, the conninfo
 * never echoed, size suffixes, overflow, trusted proxy networks, cfg_diff,
 * hostile files, and idpd.conf.example and docs/configuration.md kept true
 * to the code.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>

#include "idp/cfg/cfg.h"

#define SECRET "Sup3rS3cretPW"

struct key_name {
	const char *group;
	const char *key;
	const char *env;
};

/* Every key, in the order of the docs. */
static const struct key_name all_keys[] = {
	{ "server", "listen_address", "IDP_SERVER_LISTEN_ADDRESS" },
	{ "server", "port", "IDP_SERVER_PORT" },
	{ "server", "public_url", "IDP_SERVER_PUBLIC_URL" },
	{ "server", "threads", "IDP_SERVER_THREADS" },
	{ "server", "max_connections", "IDP_SERVER_MAX_CONNECTIONS" },
	{ "server", "max_connections_per_ip",
	  "IDP_SERVER_MAX_CONNECTIONS_PER_IP" },
	{ "server", "connection_timeout", "IDP_SERVER_CONNECTION_TIMEOUT" },
	{ "server", "connection_memory", "IDP_SERVER_CONNECTION_MEMORY" },
	{ "server", "max_url", "IDP_SERVER_MAX_URL" },
	{ "server", "max_headers", "IDP_SERVER_MAX_HEADERS" },
	{ "server", "max_body", "IDP_SERVER_MAX_BODY" },
	{ "server", "shutdown_grace", "IDP_SERVER_SHUTDOWN_GRACE" },
	{ "server", "trusted_proxies", "IDP_SERVER_TRUSTED_PROXIES" },
	{ "server", "tls_certificate_file",
	  "IDP_SERVER_TLS_CERTIFICATE_FILE" },
	{ "server", "tls_key_file", "IDP_SERVER_TLS_KEY_FILE" },
	{ "server", "tls_priorities", "IDP_SERVER_TLS_PRIORITIES" },
	{ "database", "conninfo", "IDP_DATABASE_CONNINFO" },
	{ "database", "tx_retries", "IDP_DATABASE_TX_RETRIES" },
	{ "database", "statement_timeout", "IDP_DATABASE_STATEMENT_TIMEOUT" },
	{ "log", "level", "IDP_LOG_LEVEL" },
	{ "accounts", "password_memlimit", "IDP_ACCOUNTS_PASSWORD_MEMLIMIT" },
	{ "accounts", "password_opslimit", "IDP_ACCOUNTS_PASSWORD_OPSLIMIT" },
	{ "accounts", "session_idle_timeout",
	  "IDP_ACCOUNTS_SESSION_IDLE_TIMEOUT" },
	{ "accounts", "session_absolute_timeout",
	  "IDP_ACCOUNTS_SESSION_ABSOLUTE_TIMEOUT" },
	{ "mail", "mode", "IDP_MAIL_MODE" },
	{ "mail", "file", "IDP_MAIL_FILE" },
	{ "mail", "from", "IDP_MAIL_FROM" },
	{ "mail", "smtp_url", "IDP_MAIL_SMTP_URL" },
	{ "mail", "smtp_starttls", "IDP_MAIL_SMTP_STARTTLS" },
	{ "mail", "smtp_user", "IDP_MAIL_SMTP_USER" },
	{ "mail", "smtp_password", "IDP_MAIL_SMTP_PASSWORD" },
	{ "mail", "max_attempts", "IDP_MAIL_MAX_ATTEMPTS" },
	{ "keys", "master_key_file", "IDP_KEYS_MASTER_KEY_FILE" },
	{ "keys", "rollover_window", "IDP_KEYS_ROLLOVER_WINDOW" },
	{ "keys", "certificate_validity", "IDP_KEYS_CERTIFICATE_VALIDITY" },
	{ "keys", "certificate_subject", "IDP_KEYS_CERTIFICATE_SUBJECT" },
	{ "saml", "metadata_validity", "IDP_SAML_METADATA_VALIDITY" },
	{ "saml", "metadata_cache_duration",
	  "IDP_SAML_METADATA_CACHE_DURATION" },
	{ "saml", "metadata_signed", "IDP_SAML_METADATA_SIGNED" },
	{ "saml", "sp_metadata_refresh_interval",
	  "IDP_SAML_SP_METADATA_REFRESH_INTERVAL" },
};
#define N_ALL_KEYS (sizeof(all_keys) / sizeof(all_keys[0]))

static char *tmp_dir;
static unsigned tmp_count;

/* ---- helpers ---- */

static unsigned
expected_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > CFG_THREADS_MAX ? CFG_THREADS_MAX : (unsigned)n;
}

/* Remove every variable that would be read as an override. */
static void
clear_env(void)
{
	extern char **environ;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	char **e;
	guint i;

	for (e = environ; *e != NULL; e++) {
		if (g_str_has_prefix(*e, "IDP_"))
			g_ptr_array_add(names,
					g_strndup(*e, strcspn(*e, "=")));
	}
	for (i = 0; i < names->len; i++)
		unsetenv(g_ptr_array_index(names, i));
	g_ptr_array_free(names, TRUE);
}

static int
setup(void **state)
{
	(void)state;
	clear_env();
	return 0;
}

static int
group_setup(void **state)
{
	(void)state;
	tmp_dir = g_dir_make_tmp("test_cfg_XXXXXX", NULL);
	return tmp_dir != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	unsigned i;
	char *p;

	(void)state;
	for (i = 0; i < tmp_count; i++) {
		p = g_strdup_printf("%s/%u.conf", tmp_dir, i);
		unlink(p);
		g_free(p);
	}
	rmdir(tmp_dir);
	g_free(tmp_dir);
	return 0;
}

/* Write @len bytes to a new file; returns its path, g_free() it. */
static char *
write_conf_len(const char *data, size_t len)
{
	char *path = g_strdup_printf("%s/%u.conf", tmp_dir, tmp_count++);

	assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
	return path;
}

static char *
write_conf(const char *text)
{
	return write_conf_len(text, strlen(text));
}

/* Load @text as a file; *@path_out gets its path when not NULL. */
static int
load_text(const char *text, struct cfg **cfg, char *err, size_t errlen,
	  char **path_out)
{
	char *path = write_conf(text);
	int rc = cfg_load(path, cfg, err, errlen);

	if (path_out != NULL)
		*path_out = path;
	else
		g_free(path);
	return rc;
}

static void
assert_one_line(const char *err)
{
	assert_true(err[0] != '\0');
	assert_null(strchr(err, '\n'));
	assert_null(strchr(err, '\r'));
}

/* Assert a load failed with @rc and an error starting with @want. */
static void
assert_fails(int got, struct cfg *cfg, const char *err, int rc,
	     const char *want)
{
	if (got != rc || strncmp(err, want, strlen(want)) != 0)
		fail_msg("rc %d (want %d), error \"%s\" (want prefix \"%s\")",
			 got, rc, err, want);
	assert_null(cfg);
	assert_one_line(err);
}

static void
diff_record(const char *group, const char *key, bool reloadable, void *cls)
{
	g_string_append_printf(cls, "%s.%s:%s ", group, key,
			       reloadable ? "reload" : "restart");
}

/* cfg_diff() as a string: "group.key:reload group.key:restart ". */
static char *
diff_str(const struct cfg *a, const struct cfg *b)
{
	GString *s = g_string_new(NULL);

	cfg_diff(a, b, diff_record, s);
	return g_string_free(s, FALSE);
}

static struct cfg *
load_defaults(void)
{
	struct cfg *cfg = NULL;
	char err[256] = "";

	if (cfg_load(NULL, &cfg, err, sizeof(err)) != 0)
		fail_msg("defaults: %s", err);
	return cfg;
}

/* ---- defaults and a full file ---- */

static void
test_defaults(void **state)
{
	struct cfg *cfg = NULL;
	char err[256] = "x";

	(void)state;
	assert_int_equal(cfg_load(NULL, &cfg, err, sizeof(err)), 0);
	assert_non_null(cfg);
	assert_string_equal(err, "");
	assert_string_equal(cfg->listen_address, "127.0.0.1");
	assert_int_equal(cfg->port, 8080);
	assert_string_equal(cfg->public_url, "http://127.0.0.1:8080");
	assert_false(cfg->public_https);
	assert_int_equal(cfg->threads, expected_threads());
	assert_int_equal(cfg->max_connections, 1024);
	assert_int_equal(cfg->max_connections_per_ip, 64);
	assert_int_equal(cfg->connection_timeout_s, 30);
	assert_int_equal(cfg->connection_memory, HTTP_CONN_MEMORY_DEFAULT);
	assert_int_equal(cfg->max_url, HTTP_MAX_URL_DEFAULT);
	assert_int_equal(cfg->max_headers, HTTP_MAX_HEADERS_DEFAULT);
	assert_int_equal(cfg->max_body, HTTP_MAX_BODY_DEFAULT);
	assert_int_equal(cfg->shutdown_grace_s, 10);
	assert_int_equal(cfg->n_trusted_proxies, 0);
	assert_string_equal(cfg->db_conninfo, "dbname=idp");
	assert_int_equal(cfg->db_tx_retries, STORE_TX_RETRIES_DEFAULT);
	assert_int_equal(cfg->db_tx_retries, 5);
	assert_int_equal(cfg->db_statement_timeout_ms, 30000);
	assert_int_equal(cfg->log_level, LOG_LEVEL_INFO);
	cfg_free(cfg);
	cfg_free(NULL);
}

static void
test_full_file(void **state)
{
	static const char text[] =
		"# a comment\n"
		"\n"
		"[server]\n"
		"listen_address = ::1\n"
		"port = 8443\n"
		"public_url = https://idp.example.org\n"
		"threads = 4\n"
		"max_connections = 500\n"
		"max_connections_per_ip = 20\n"
		"connection_timeout = 60\n"
		"connection_memory = 256K\n"
		"max_url = 8K\n"
		"max_headers = 8192\n"
		"max_body = 1M\n"
		"shutdown_grace = 0\n"
		"trusted_proxies = 10.0.0.0/8, 192.168.1.1;2001:db8::/32\n"
		"\n"
		"[database]\n"
		"conninfo = host=db.example.org dbname=idp user=idp\n"
		"tx_retries = 0\n"
		"statement_timeout = 0\n"
		"\n"
		"[log]\n"
		"  level=debug\n";
	struct cfg *cfg = NULL;
	char err[512] = "";

	(void)state;
	if (load_text(text, &cfg, err, sizeof(err), NULL) != 0)
		fail_msg("%s", err);
	assert_string_equal(cfg->listen_address, "::1");
	assert_int_equal(cfg->port, 8443);
	assert_string_equal(cfg->public_url, "https://idp.example.org");
	assert_true(cfg->public_https);
	assert_int_equal(cfg->threads, 4);
	assert_int_equal(cfg->max_connections, 500);
	assert_int_equal(cfg->max_connections_per_ip, 20);
	assert_int_equal(cfg->connection_timeout_s, 60);
	assert_int_equal(cfg->connection_memory, 256 * 1024);
	assert_int_equal(cfg->max_url, 8 * 1024);
	assert_int_equal(cfg->max_headers, 8192);
	assert_int_equal(cfg->max_body, 1024 * 1024);
	assert_int_equal(cfg->shutdown_grace_s, 0);
	assert_int_equal(cfg->n_trusted_proxies, 3);
	assert_int_equal(cfg->trusted_proxies[0].family, AF_INET);
	assert_int_equal(cfg->trusted_proxies[0].prefix, 8);
	assert_int_equal(cfg->trusted_proxies[1].prefix, 32);
	assert_int_equal(cfg->trusted_proxies[2].family, AF_INET6);
	assert_int_equal(cfg->trusted_proxies[2].prefix, 32);
	assert_string_equal(cfg->db_conninfo,
			    "host=db.example.org dbname=idp user=idp");
	assert_int_equal(cfg->db_tx_retries, 0);
	assert_int_equal(cfg->db_statement_timeout_ms, 0);
	assert_int_equal(cfg->log_level, LOG_LEVEL_DEBUG);
	cfg_free(cfg);
}

static void
test_empty_and_comment_files(void **state)
{
	static const char *const texts[] = {
		"",
		"\n\n",
		"# only a comment\n",
		"[server]\n[database]\n[log]\n",
		"[server]\n# port = 1\n",
		"[server]\nport = 8080", /* no final newline */
	};
	struct cfg *def = load_defaults(), *cfg;
	char err[256], *d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		cfg = NULL;
		if (load_text(texts[i], &cfg, err, sizeof(err), NULL) != 0)
			fail_msg("text %zu: %s", i, err);
		d = diff_str(def, cfg);
		assert_string_equal(d, "");
		g_free(d);
		cfg_free(cfg);
	}
	cfg_free(def);
}

/* ---- bad values ---- */

struct bad {
	const char *group;
	const char *key;
	const char *value;
};

static const struct bad bad_values[] = {
	{ "server", "listen_address", "localhost" },
	{ "server", "listen_address", "1.2.3.4.5" },
	{ "server", "listen_address", "" },
	{ "server", "listen_address", "::1%lo" },
	{ "server", "listen_address", "[::1]" },
	{ "server", "listen_address", "127.0.0.1 " },
	{ "server", "listen_address", "127.0.0.1:80" },
	{ "server", "port", "0" },
	{ "server", "port", "65536" },
	{ "server", "port", "70000" },
	{ "server", "port", "-1" },
	{ "server", "port", "+80" },
	{ "server", "port", "8080x" },
	{ "server", "port", "80 " },
	{ "server", "port", "" },
	{ "server", "port", "0x50" },
	{ "server", "port", "8e3" },
	{ "server", "port", "99999999999999999999" },
	{ "server", "port", "18446744073709551616" }, /* 2^64 */
	{ "server", "port", "18446744073709559696" }, /* 2^64 + 8080 */
	{ "server", "port", "4294975376" },	      /* 2^32 + 8080 */
	{ "server", "public_url", "" },
	{ "server", "public_url", "idp.example.org" },
	{ "server", "public_url", "ftp://idp.example.org" },
	{ "server", "public_url", "HTTPS://idp.example.org" },
	{ "server", "public_url", "https://" },
	{ "server", "public_url", "https://idp.example.org/" },
	{ "server", "public_url", "https://idp.example.org/idp" },
	{ "server", "public_url", "https://idp.example.org?x=1" },
	{ "server", "public_url", "https://idp.example.org#top" },
	{ "server", "public_url", "https://user@idp.example.org" },
	{ "server", "public_url", "https://user:pw@idp.example.org" },
	{ "server", "public_url", "https://idp example.org" },
	{ "server", "public_url", "https://idp.example.org\t" },
	{ "server", "public_url", "https://idp.ex\x01mple.org" },
	{ "server", "public_url", "https://idp.b\xc3\xa4r.de" },
	{ "server", "public_url", "https://idp.example.org:" },
	{ "server", "public_url", "https://idp.example.org:0" },
	{ "server", "public_url", "https://idp.example.org:65536" },
	{ "server", "public_url", "https://idp.example.org:08443" },
	{ "server", "public_url", "https://idp.example.org:443x" },
	{ "server", "public_url", "https://::1" },
	{ "server", "public_url", "https://[::1" },
	{ "server", "public_url", "https://[zz::1]" },
	{ "server", "public_url", "https://[::1]x" },
	{ "server", "public_url", "https://idp.example.org." },
	{ "server", "public_url", "https://-idp.example.org" },
	{ "server", "public_url", "https://idp-.example.org" },
	{ "server", "public_url", "https://idp..example.org" },
	{ "server", "public_url", "https://idp_1.example.org" },
	{ "server", "public_url", "https://1.2.3" },
	{ "server", "public_url", "https://256.1.1.1" },
	{ "server", "threads", "257" },
	{ "server", "threads", "-1" },
	{ "server", "threads", "four" },
	{ "server", "max_connections", "0" },
	{ "server", "max_connections", "100001" },
	{ "server", "max_connections_per_ip", "0" },
	{ "server", "max_connections_per_ip", "100001" },
	{ "server", "connection_timeout", "0" },
	{ "server", "connection_timeout", "3601" },
	{ "server", "connection_memory", "1K" },
	{ "server", "connection_memory", "2M" },
	{ "server", "connection_memory", "16Q" },
	{ "server", "connection_memory", "K" },
	{ "server", "connection_memory", "128 K" },
	{ "server", "connection_memory", "128k" },
	{ "server", "connection_memory", "128KB" },
	{ "server", "connection_memory", "0.5M" },
	{ "server", "connection_memory", "-128K" },
	{ "server", "connection_memory", "99999999999999999999M" },
	{ "server", "connection_memory", "18014398509481984K" }, /* 2^64 */
	{ "server", "max_url", "1023" },
	{ "server", "max_url", "65537" },
	{ "server", "max_url", "65K" },
	{ "server", "max_headers", "1023" },
	{ "server", "max_headers", "1M" },
	{ "server", "max_body", "1023" },
	{ "server", "max_body", "17M" },
	{ "server", "max_body", "1G" },
	{ "server", "shutdown_grace", "601" },
	{ "server", "shutdown_grace", "1s" },
	{ "server", "trusted_proxies", "10.0.0.0/33" },
	{ "server", "trusted_proxies", "127.0.0.1, foo" },
	{ "server", "trusted_proxies", "10.1.2.3/8" },
	{ "server", "trusted_proxies", "::1/129" },
	{ "server", "trusted_proxies", "1.2.3.4/" },
	{ "server", "trusted_proxies", "*" },
	{ "database", "conninfo", "" },
	{ "database", "tx_retries", "101" },
	{ "database", "tx_retries", "-1" },
	{ "database", "statement_timeout", "3600001" },
	{ "database", "statement_timeout", "30s" },
	{ "log", "level", "verbose" },
	{ "log", "level", "INFO" },
	{ "log", "level", "warning" },
	{ "log", "level", "" },
};

static char *
env_name_of(const char *group, const char *key)
{
	char *s = g_strdup_printf("IDP_%s_%s", group, key);
	char *up = g_ascii_strup(s, -1);

	g_free(s);
	return up;
}

static void
test_bad_values_file(void **state)
{
	struct cfg *cfg;
	char err[512], *text, *path, *want;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
		const struct bad *b = &bad_values[i];

		/*
		 * GLib drops white space before a value; a leading space is
		 * tested through the environment only.
		 */
		text = g_strdup_printf("[%s]\n%s = %s\n", b->group, b->key,
				       b->value);
		cfg = NULL;
		err[0] = '\0';
		rc = load_text(text, &cfg, err, sizeof(err), &path);
		want = g_strdup_printf("%s: [%s] %s: ", path, b->group,
				       b->key);
		if (rc != IDP_ERR_INVALID ||
		    strncmp(err, want, strlen(want)) != 0)
			fail_msg("[%s] %s = \"%s\": rc %d, error \"%s\"",
				 b->group, b->key, b->value, rc, err);
		assert_null(cfg);
		assert_one_line(err);
		g_free(want);
		g_free(path);
		g_free(text);
	}
}

static void
test_bad_values_env(void **state)
{
	struct cfg *cfg;
	char err[512], *name, *want;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
		const struct bad *b = &bad_values[i];

		/* An empty list of proxies is valid. */
		name = env_name_of(b->group, b->key);
		want = g_strdup_printf("environment %s: ", name);
		assert_int_equal(setenv(name, b->value, 1), 0);
		cfg = NULL;
		err[0] = '\0';
		rc = cfg_load(NULL, &cfg, err, sizeof(err));
		unsetenv(name);
		if (rc != IDP_ERR_INVALID ||
		    strncmp(err, want, strlen(want)) != 0)
			fail_msg("%s=\"%s\": rc %d, error \"%s\"", name,
				 b->value, rc, err);
		assert_null(cfg);
		assert_one_line(err);
		g_free(want);
		g_free(name);
	}

	/* White space around a value is refused too. */
	assert_int_equal(setenv("IDP_SERVER_PORT", " 8080", 1), 0);
	cfg = NULL;
	rc = cfg_load(NULL, &cfg, err, sizeof(err));
	assert_fails(rc, cfg, err, IDP_ERR_INVALID,
		     "environment IDP_SERVER_PORT: \" 8080\" is not a port");
}

/* A few messages word for word. */
static void
test_messages(void **state)
{
	struct cfg *cfg = NULL;
	char err[512], *path, *want;
	int rc;

	(void)state;
	rc = load_text("[server]\nport = 70000\n", &cfg, err, sizeof(err),
		       &path);
	want = g_strdup_printf(
		"%s: [server] port: \"70000\" is not a port number "
		"(1..65535)",
		path);
	assert_int_equal(rc, IDP_ERR_INVALID);
	assert_string_equal(err, want);
	g_free(want);
	g_free(path);

	rc = load_text("[server]\nmax_body = 1G\n", &cfg, err, sizeof(err),
		       &path);
	want = g_strdup_printf("%s: [server] max_body: \"1G\" is not a size "
			       "in bytes (1024..16777216; suffix K or M for "
			       "KiB or MiB)",
			       path);
	assert_int_equal(rc, IDP_ERR_INVALID);
	assert_string_equal(err, want);
	g_free(want);
	g_free(path);

	rc = load_text("[server]\npublic_url = https://idp.example.org/\n",
		       &cfg, err, sizeof(err), &path);
	want = g_strdup_printf("%s: [server] public_url: "
			       "\"https://idp.example.org/\" is not a public "
			       "URL: must not end in a slash",
			       path);
	assert_int_equal(rc, IDP_ERR_INVALID);
	assert_string_equal(err, want);
	g_free(want);
	g_free(path);

	rc = load_text("[server]\ntrusted_proxies = 10.1.2.3/8\n", &cfg, err,
		       sizeof(err), &path);
	want = g_strdup_printf("%s: [server] trusted_proxies: "
			       "\"10.1.2.3/8\": address has bits set beyond "
			       "the /8 prefix (the network would be "
			       "10.0.0.0/8)",
			       path);
	assert_int_equal(rc, IDP_ERR_INVALID);
	assert_string_equal(err, want);
	g_free(want);
	g_free(path);

	/* Control characters in a value are shown escaped, on one line. */
	rc = load_text("[log]\nlevel = a\\nb\\tc\"\n", &cfg, err, sizeof(err),
		       &path);
	want = g_strdup_printf("%s: [log] level: \"a\\x0ab\\x09c\\\"\" is not "
			       "a level (debug, info, warn, error)",
			       path);
	assert_int_equal(rc, IDP_ERR_INVALID);
	assert_string_equal(err, want);
	g_free(want);
	g_free(path);
}

static void
test_unknown_group_and_key(void **state)
{
	struct cfg *cfg = NULL;
	char err[512], *path, *want;
	int rc;

	(void)state;
	rc = load_text("[sever]\nport = 1\n", &cfg, err, sizeof(err), &path);
	want = g_strdup_printf("%s: line 1: unknown group [sever] (known: "
			       "server, database, log, accounts, mail, keys)",
			       path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	rc = load_text("[server]\nport = 8080\nprot = 8080\n", &cfg, err,
		       sizeof(err), &path);
	want = g_strdup_printf("%s: line 3: [server] unknown key \"prot\"",
			       path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	/* A key in the wrong group is unknown there. */
	rc = load_text("[log]\nport = 8080\n", &cfg, err, sizeof(err), &path);
	want = g_strdup_printf("%s: line 2: [log] unknown key \"port\"", path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	/* Localised keys are not ours either. */
	rc = load_text("[log]\nlevel[de] = info\n", &cfg, err, sizeof(err),
		       &path);
	want = g_strdup_printf("%s: line 2: [log] unknown key "
			       "\"level[de]\"",
			       path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	/* Group names are case-sensitive, as GLib's are. */
	rc = load_text("[Server]\n", &cfg, err, sizeof(err), &path);
	want = g_strdup_printf("%s: line 1: unknown group [Server]", path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);
}

static void
test_syntax_errors(void **state)
{
	struct cfg *cfg = NULL;
	char err[512], *path, *want;
	int rc;

	(void)state;
	rc = load_text("[server]\nport = 1\n port=2\n", &cfg, err,
		       sizeof(err), &path);
	want = g_strdup_printf("%s: line 3: [server] port set again (first "
			       "on line 2)",
			       path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	/* Split groups merge in GLib; a key set in both is still caught. */
	rc = load_text("[server]\nport = 1\n[log]\n[server]\nport = 2\n",
		       &cfg, err, sizeof(err), &path);
	want = g_strdup_printf("%s: line 5: [server] port set again", path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	rc = load_text("port = 1\n", &cfg, err, sizeof(err), &path);
	want = g_strdup_printf("%s: line 1: key before the first [group]",
			       path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	rc = load_text("[server\n", &cfg, err, sizeof(err), &path);
	want = g_strdup_printf("%s: line 1: malformed group header", path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	rc = load_text("[server]]\n", &cfg, err, sizeof(err), &path);
	want = g_strdup_printf("%s: line 1: malformed group header", path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	rc = load_text("[]\n", &cfg, err, sizeof(err), &path);
	want = g_strdup_printf("%s: line 1: malformed group header", path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	rc = load_text("[server]\n\nport 8080\n", &cfg, err, sizeof(err),
		       &path);
	want = g_strdup_printf("%s: line 3: neither key = value", path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	rc = load_text("[server]\n = 8080\n", &cfg, err, sizeof(err), &path);
	want = g_strdup_printf("%s: line 2: no key before '='", path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	/* A bad escape sequence, which GLib refuses per value. */
	rc = load_text("[log]\nlevel = in\\qfo\n", &cfg, err, sizeof(err),
		       &path);
	want = g_strdup_printf("%s: [log] level: invalid: bad escape", path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	/* GLib drops the CR of Windows line ends; so do we. */
	rc = load_text("[server]\r\nport = 8081\r\n", &cfg, err, sizeof(err),
		       NULL);
	assert_int_equal(rc, 0);
	assert_int_equal(cfg->port, 8081);
	cfg_free(cfg);
	cfg = NULL;

	/* A CR elsewhere stays in the value and is shown escaped. */
	rc = load_text("[server]\nport = 80\r80\n", &cfg, err, sizeof(err),
		       &path);
	want = g_strdup_printf("%s: [server] port: \"80\\x0d80\" is not",
			       path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);
}

static void
test_cross_checks(void **state)
{
	struct cfg *cfg = NULL;
	char err[1024], *path, *want;
	int rc;

	(void)state;
	/* The key that was set is blamed, not the default it clashes with. */
	rc = load_text("[server]\nmax_connections = 10\n", &cfg, err,
		       sizeof(err), &path);
	want = g_strdup_printf("%s: [server] max_connections: "
			       "max_connections_per_ip (64) must not exceed "
			       "max_connections (10)",
			       path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	rc = load_text("[server]\nmax_connections_per_ip = 2000\n", &cfg, err,
		       sizeof(err), &path);
	want = g_strdup_printf("%s: [server] max_connections_per_ip: "
			       "max_connections_per_ip (2000) must not "
			       "exceed max_connections (1024)",
			       path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	/* Equal is fine. */
	rc = load_text("[server]\nmax_connections = 64\n", &cfg, err,
		       sizeof(err), NULL);
	assert_int_equal(rc, 0);
	cfg_free(cfg);
	cfg = NULL;

	rc = load_text("[server]\nconnection_memory = 32K\n", &cfg, err,
		       sizeof(err), &path);
	want = g_strdup_printf("%s: [server] connection_memory: "
			       "connection_memory (32768) must be larger "
			       "than max_url + max_headers (16384 + 16384): "
			       "libmicrohttpd keeps",
			       path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	assert_non_null(strstr(err, "414 or 431"));
	g_free(want);
	g_free(path);

	rc = load_text("[server]\nmax_url = 64K\nmax_headers = 64K\n", &cfg,
		       err, sizeof(err), &path);
	want = g_strdup_printf("%s: [server] max_url: connection_memory "
			       "(131072) must be larger",
			       path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	/* One byte more than the sum is enough. */
	rc = load_text("[server]\nconnection_memory = 32769\n", &cfg, err,
		       sizeof(err), NULL);
	assert_int_equal(rc, 0);
	cfg_free(cfg);
	cfg = NULL;

	/* Set in the environment: the variable is named. */
	assert_int_equal(setenv("IDP_SERVER_MAX_CONNECTIONS", "10", 1), 0);
	rc = cfg_load(NULL, &cfg, err, sizeof(err));
	unsetenv("IDP_SERVER_MAX_CONNECTIONS");
	assert_fails(rc, cfg, err, IDP_ERR_INVALID,
		     "environment IDP_SERVER_MAX_CONNECTIONS: "
		     "max_connections_per_ip (64) must not exceed "
		     "max_connections (10)");
}

static void
test_good_values(void **state)
{
	static const struct {
		const char *text;
		size_t offset;
		size_t size;
		uint64_t want;
	} cases[] = {
#define U(f) offsetof(struct cfg, f), sizeof(unsigned)
#define Z(f) offsetof(struct cfg, f), sizeof(size_t)
		{ "[server]\nport = 1\n", U(port), 1 },
		{ "[server]\nport = 65535\n", U(port), 65535 },
		{ "[server]\nport = 08080\n", U(port), 8080 },
		{ "[server]\nthreads = 1\n", U(threads), 1 },
		{ "[server]\nthreads = 256\n", U(threads), 256 },
		{ "[server]\nmax_connections = 100000\n", U(max_connections),
		  100000 },
		{ "[server]\nconnection_timeout = 3600\n",
		  U(connection_timeout_s), 3600 },
		{ "[server]\nmax_body = 1M\n", Z(max_body), 1048576 },
		{ "[server]\nmax_body = 1MiB\n", Z(max_body), 1048576 },
		{ "[server]\nmax_body = 16M\n", Z(max_body), 16777216 },
		{ "[server]\nmax_body = 300K\n", Z(max_body), 307200 },
		{ "[server]\nmax_body = 300KiB\n", Z(max_body), 307200 },
		{ "[server]\nmax_body = 1024\n", Z(max_body), 1024 },
		{ "[server]\nmax_body = 1K\n", Z(max_body), 1024 },
		{ "[server]\nmax_url = 64K\n", Z(max_url), 65536 },
		{ "[server]\nconnection_memory = 1M\n",
		  Z(connection_memory), 1048576 },
		{ "[server]\nshutdown_grace = 600\n", U(shutdown_grace_s),
		  600 },
		{ "[database]\ntx_retries = 100\n", U(db_tx_retries), 100 },
		{ "[database]\nstatement_timeout = 3600000\n",
		  U(db_statement_timeout_ms), 3600000 },
#undef U
#undef Z
	};
	struct cfg *cfg;
	const char *field;
	char err[512];
	unsigned u;
	size_t i, z;
	uint64_t got;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cfg = NULL;
		if (load_text(cases[i].text, &cfg, err, sizeof(err), NULL) !=
		    0)
			fail_msg("%s: %s", cases[i].text, err);
		field = (const char *)cfg + cases[i].offset;
		if (cases[i].size == sizeof(unsigned)) {
			memcpy(&u, field, sizeof(u));
			got = u;
		} else {
			memcpy(&z, field, sizeof(z));
			got = z;
		}
		if (got != cases[i].want)
			fail_msg("%s: got %" PRIu64, cases[i].text, got);
		cfg_free(cfg);
	}
}

static void
test_threads_zero(void **state)
{
	struct cfg *cfg = NULL;
	char err[256];

	(void)state;
	assert_int_equal(load_text("[server]\nthreads = 0\n", &cfg, err,
				   sizeof(err), NULL),
			 0);
	assert_int_equal(cfg->threads, expected_threads());
	assert_true(cfg->threads >= 1);
	cfg_free(cfg);
}

static void
test_public_urls(void **state)
{
	static const struct {
		const char *url;
		bool https;
	} good[] = {
		{ "https://idp.example.org", true },
		{ "http://localhost:8080", false },
		{ "https://[::1]:8443", true },
		{ "https://[2001:db8::1]", true },
		{ "https://10.0.0.1", true },
		{ "https://idp-1.Example.ORG:443", true },
		{ "http://a", false },
		{ "https://xn--br-via.de", true },
	};
	struct cfg *cfg;
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(setenv("IDP_SERVER_PUBLIC_URL", good[i].url,
					1),
				 0);
		cfg = NULL;
		if (cfg_load(NULL, &cfg, err, sizeof(err)) != 0)
			fail_msg("%s: %s", good[i].url, err);
		assert_string_equal(cfg->public_url, good[i].url);
		assert_int_equal(cfg->public_https, good[i].https);
		cfg_free(cfg);
	}
	unsetenv("IDP_SERVER_PUBLIC_URL");
}

/* ---- files that are missing or hostile ---- */

static void
test_missing_file(void **state)
{
	struct cfg *cfg = NULL;
	char err[512], *path, *want;
	int rc;

	(void)state;
	path = g_strdup_printf("%s/does-not-exist.conf", tmp_dir);
	rc = cfg_load(path, &cfg, err, sizeof(err));
	want = g_strdup_printf("%s: cannot open: No such file or directory",
			       path);
	assert_fails(rc, cfg, err, IDP_ERR_IO, want);
	g_free(want);
	g_free(path);

	rc = cfg_load(tmp_dir, &cfg, err, sizeof(err));
	want = g_strdup_printf("%s: not a regular file", tmp_dir);
	assert_fails(rc, cfg, err, IDP_ERR_IO, want);
	g_free(want);

	rc = cfg_load("/dev/null", &cfg, err, sizeof(err));
	assert_fails(rc, cfg, err, IDP_ERR_IO, "/dev/null: not a regular");

	/* A path with a newline is shown escaped, on one line. */
	path = g_strdup_printf("%s/no\nsuch", tmp_dir);
	rc = cfg_load(path, &cfg, err, sizeof(err));
	assert_int_equal(rc, IDP_ERR_IO);
	assert_one_line(err);
	assert_non_null(strstr(err, "no\\x0asuch"));
	g_free(path);
}

static void
test_hostile_files(void **state)
{
	struct cfg *cfg = NULL;
	char err[512], *path, *want, *big, *fill;
	size_t n;
	int rc;

	(void)state;
	path = write_conf("[server]\nport = 80\xff\n");
	rc = cfg_load(path, &cfg, err, sizeof(err));
	want = g_strdup_printf("%s: line 2: not valid UTF-8", path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	/* Overlong and surrogate forms are invalid too. */
	path = write_conf("[server]\n# \xc0\xaf \xed\xa0\x80\n");
	rc = cfg_load(path, &cfg, err, sizeof(err));
	want = g_strdup_printf("%s: line 2: not valid UTF-8", path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	/* GLib would cut the value at the NUL and accept "80". */
	path = write_conf_len("[server]\nport = 80\0junk\n", 24);
	rc = cfg_load(path, &cfg, err, sizeof(err));
	want = g_strdup_printf("%s: line 2: contains a NUL byte", path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	g_free(want);
	g_free(path);

	/* A 1 MiB line is over the file limit. */
	n = 1024 * 1024;
	fill = g_strnfill(n, '9');
	big = g_strconcat("[server]\nport = ", fill, "\n", NULL);
	g_free(fill);
	path = write_conf(big);
	g_free(big);
	rc = cfg_load(path, &cfg, err, sizeof(err));
	want = g_strdup_printf("%s: larger than %d bytes", path,
			       CFG_FILE_MAX);
	assert_fails(rc, cfg, err, IDP_ERR_TOO_LARGE, want);
	g_free(want);
	g_free(path);

	/* Just under the limit: a long value, echoed only in part. */
	n = CFG_FILE_MAX - 32;
	fill = g_strnfill(n, '9');
	big = g_strconcat("[server]\nport = ", fill, "\n", NULL);
	g_free(fill);
	path = write_conf(big);
	g_free(big);
	rc = cfg_load(path, &cfg, err, sizeof(err));
	want = g_strdup_printf("%s: [server] port: \"999", path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	assert_true(strlen(err) < 200 + strlen(path));
	assert_non_null(strstr(err, "...\" is not a port number"));
	g_free(want);
	g_free(path);

	/* A long unknown key, echoed only in part. */
	fill = g_strnfill(n, 'k');
	big = g_strconcat("[server]\n", fill, " = 1\n", NULL);
	g_free(fill);
	path = write_conf(big);
	rc = cfg_load(path, &cfg, err, sizeof(err));
	want = g_strdup_printf("%s: line 2: [server] unknown key \"kkk", path);
	assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
	assert_true(strlen(err) < 200 + strlen(path));
	g_free(want);
	g_free(path);
	g_free(big);

	/* Binary junk. */
	path = write_conf_len("\x7f" "ELF\x02\x01\x01\0\0\0", 10);
	rc = cfg_load(path, &cfg, err, sizeof(err));
	assert_int_equal(rc, IDP_ERR_INVALID);
	assert_one_line(err);
	g_free(path);
}

/*
 * Random files from the characters that matter to the syntax: every
 * outcome is a config or one clean line of error, never a crash (ASan
 * watches the rest).
 */
static void
test_random_files(void **state)
{
	static const char *const pieces[] = {
		"[", "]", "=", "#", " ", "\t", "\n", "\\", "\\s", ";", ",",
		"server", "database", "log", "port", "level", "conninfo",
		"8080", "info", "1K", "::1", "10.0.0.0/8", "\xc3\xa4", "\xff",
		"\r", "[server]\n", "[log]\n", "trusted_proxies",
		"public_url", "https://x",
	};
	const gint32 n_pieces = (gint32)(sizeof(pieces) / sizeof(pieces[0]));
	GRand *rnd = g_rand_new_with_seed(4711);
	GString *s = g_string_new(NULL);
	struct cfg *cfg;
	char err[256], *path;
	int round, i, n, rc;

	(void)state;
	for (round = 0; round < 2000; round++) {
		g_string_truncate(s, 0);
		n = g_rand_int_range(rnd, 0, 60);
		for (i = 0; i < n; i++)
			g_string_append(
				s, pieces[g_rand_int_range(rnd, 0, n_pieces)]);
		path = write_conf_len(s->str, s->len);
		cfg = NULL;
		err[0] = '\0';
		rc = cfg_load(path, &cfg, err, sizeof(err));
		if (rc == 0) {
			assert_non_null(cfg);
			cfg_free(cfg);
		} else {
			assert_int_equal(rc, IDP_ERR_INVALID);
			assert_null(cfg);
			assert_one_line(err);
		}
		unlink(path);
		g_free(path);
	}
	g_string_free(s, TRUE);
	g_rand_free(rnd);
}

static void
test_small_error_buffer(void **state)
{
	struct cfg *cfg = NULL;
	char err[8], *path;

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_int_equal(load_text("[server]\nport = 0\n", &cfg, err,
				   sizeof(err), &path),
			 IDP_ERR_INVALID);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_null(cfg);
	assert_int_equal(cfg_load(path, &cfg, NULL, 0), IDP_ERR_INVALID);
	assert_int_equal(cfg_load(path, &cfg, err, 0), IDP_ERR_INVALID);
	assert_int_equal(cfg_load(path, &cfg, err, 1), IDP_ERR_INVALID);
	assert_string_equal(err, "");
	g_free(path);
}

/* ---- environment ---- */

static void
test_env_overrides(void **state)
{
	struct cfg *cfg = NULL;
	char err[512], *path;

	(void)state;
	path = write_conf("[server]\nport = 9000\ntrusted_proxies = ::1\n"
			  "[database]\nconninfo = dbname=file\n"
			  "[log]\nlevel = warn\n");
	assert_int_equal(setenv("IDP_SERVER_PORT", "9100", 1), 0);
	assert_int_equal(setenv("IDP_DATABASE_CONNINFO", "dbname=env", 1), 0);
	assert_int_equal(setenv("IDP_LOG_LEVEL", "error", 1), 0);
	assert_int_equal(setenv("IDP_SERVER_TRUSTED_PROXIES", "", 1), 0);
	assert_int_equal(setenv("IDP_SERVER_MAX_BODY", "2M", 1), 0);
	/* Not config keys: ignored. */
	assert_int_equal(setenv("IDP_CONFIG", "/nonexistent", 1), 0);
	assert_int_equal(setenv("IDP_TEST_PGDATA", "x", 1), 0);
	assert_int_equal(setenv("IDP_SERVERPORT", "x", 1), 0);
	assert_int_equal(setenv("idp_server_port", "x", 1), 0);
	if (cfg_load(path, &cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(cfg->port, 9100);
	assert_string_equal(cfg->db_conninfo, "dbname=env");
	assert_int_equal(cfg->log_level, LOG_LEVEL_ERROR);
	assert_int_equal(cfg->n_trusted_proxies, 0);
	assert_int_equal(cfg->max_body, 2 * 1024 * 1024);
	cfg_free(cfg);
	cfg = NULL;

	/* Without a file, the environment still applies. */
	assert_int_equal(cfg_load(NULL, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg->port, 9100);
	cfg_free(cfg);
	unsetenv("idp_server_port");
	g_free(path);
}

static void
test_env_unknown(void **state)
{
	static const char *const names[] = {
		"IDP_SERVER_PROT",
		"IDP_SERVER_",
		"IDP_DATABASE_PASSWORD",
		"IDP_LOG_FORMAT",
		"IDP_LOG_LEVEL_",
		"IDP_SERVER_port",
	};
	struct cfg *cfg = NULL;
	char err[512], *want;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(setenv(names[i], "1", 1), 0);
		rc = cfg_load(NULL, &cfg, err, sizeof(err));
		unsetenv(names[i]);
		want = g_strdup_printf("environment %s: no such configuration "
				       "key",
				       names[i]);
		assert_fails(rc, cfg, err, IDP_ERR_INVALID, want);
		g_free(want);
	}

	/* A bad value from the environment wins over a good file. */
	assert_int_equal(setenv("IDP_SERVER_PORT", "70000", 1), 0);
	assert_int_equal(load_text("[server]\nport = 8080\n", &cfg, err,
				   sizeof(err), NULL),
			 IDP_ERR_INVALID);
	assert_string_equal(err, "environment IDP_SERVER_PORT: \"70000\" is "
				 "not a port number (1..65535)");
	unsetenv("IDP_SERVER_PORT");

	/* Invalid UTF-8 is refused without being echoed. */
	assert_int_equal(setenv("IDP_LOG_LEVEL", "inf\xff", 1), 0);
	rc = cfg_load(NULL, &cfg, err, sizeof(err));
	unsetenv("IDP_LOG_LEVEL");
	assert_fails(rc, cfg, err, IDP_ERR_INVALID,
		     "environment IDP_LOG_LEVEL: invalid: not UTF-8");
}

/* ---- the conninfo is never echoed ---- */

static void
assert_no_secret(int rc, struct cfg *cfg, const char *err)
{
	assert_true(rc < 0);
	assert_null(cfg);
	assert_one_line(err);
	if (strstr(err, SECRET) != NULL || strstr(err, "Sup3r") != NULL)
		fail_msg("secret in error: %s", err);
}

static void
test_conninfo_not_echoed(void **state)
{
	struct cfg *cfg = NULL;
	char err[1024], *text, *big;
	int rc;

	(void)state;
	/* Too long. */
	big = g_strnfill(CFG_CONNINFO_MAX + 99, 'x');
	text = g_strdup_printf("[database]\nconninfo = password=" SECRET
			       " %s\n",
			       big);
	rc = load_text(text, &cfg, err, sizeof(err), NULL);
	assert_no_secret(rc, cfg, err);
	assert_non_null(strstr(err, "[database] conninfo: invalid: longer "
				    "than 4096 bytes"));
	g_free(text);

	/* Exactly the limit is fine. */
	big[CFG_CONNINFO_MAX - 7] = '\0';
	text = g_strdup_printf("[database]\nconninfo = dbname=%s\n", big);
	rc = load_text(text, &cfg, err, sizeof(err), NULL);
	assert_int_equal(rc, 0);
	assert_int_equal(strlen(cfg->db_conninfo), CFG_CONNINFO_MAX);
	cfg_free(cfg);
	cfg = NULL;
	g_free(text);
	g_free(big);

	/* A bad escape sequence. */
	rc = load_text("[database]\nconninfo = password=Sup3r\\qS3cretPW\n",
		       &cfg, err, sizeof(err), NULL);
	assert_no_secret(rc, cfg, err);

	/* Set twice. */
	rc = load_text("[database]\nconninfo = password=" SECRET "\n"
		       "conninfo = password=" SECRET "\n",
		       &cfg, err, sizeof(err), NULL);
	assert_no_secret(rc, cfg, err);

	/* A line without '=' (a conninfo split over two lines). */
	rc = load_text("[database]\nconninfo = host=db\n password " SECRET
		       "\n",
		       &cfg, err, sizeof(err), NULL);
	assert_no_secret(rc, cfg, err);

	/* Invalid UTF-8 or a NUL byte on the line. */
	rc = load_text("[database]\nconninfo = password=" SECRET "\xff\n",
		       &cfg, err, sizeof(err), NULL);
	assert_no_secret(rc, cfg, err);
	text = write_conf_len("[database]\nconninfo = password=" SECRET
			      "\0x\n",
			      sizeof("[database]\nconninfo = password=" SECRET
				     "\0x\n") -
				      1);
	rc = cfg_load(text, &cfg, err, sizeof(err));
	assert_no_secret(rc, cfg, err);
	g_free(text);

	/* In a misspelt group. */
	rc = load_text("[databse]\nconninfo = password=" SECRET "\n", &cfg,
		       err, sizeof(err), NULL);
	assert_no_secret(rc, cfg, err);

	/* Under a misspelt key. */
	rc = load_text("[database]\nconnifno = password=" SECRET "\n", &cfg,
		       err, sizeof(err), NULL);
	assert_no_secret(rc, cfg, err);

	/* Empty, and from the environment. */
	rc = load_text("[database]\nconninfo =\n", &cfg, err, sizeof(err),
		       NULL);
	assert_no_secret(rc, cfg, err);
	assert_int_equal(setenv("IDP_DATABASE_CONNINFO",
				"password=" SECRET "\xff", 1),
			 0);
	rc = cfg_load(NULL, &cfg, err, sizeof(err));
	unsetenv("IDP_DATABASE_CONNINFO");
	assert_no_secret(rc, cfg, err);
	assert_string_equal(err,
			    "environment IDP_DATABASE_CONNINFO: invalid: not "
			    "UTF-8");
}

/* ---- trusted proxies ---- */

static void
sa4(struct sockaddr_storage *ss, const char *addr)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
}

static void
sa6(struct sockaddr_storage *ss, const char *addr)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)ss;

	memset(ss, 0, sizeof(*ss));
	sin6->sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1);
}

/* Whether the peer @addr (IPv4 or IPv6 text) is in @list. */
static bool
in_nets(const char *list, const char *addr)
{
	struct cfg_net nets[CFG_MAX_TRUSTED_PROXIES];
	struct sockaddr_storage ss;
	char err[256];
	size_t n;

	if (cfg_nets_parse(list, nets, &n, err, sizeof(err)) != 0)
		fail_msg("%s: %s", list, err);
	if (strchr(addr, ':') != NULL)
		sa6(&ss, addr);
	else
		sa4(&ss, addr);
	return cfg_nets_contain(nets, n, (const struct sockaddr *)&ss);
}

static void
test_nets_parse(void **state)
{
	struct cfg_net nets[CFG_MAX_TRUSTED_PROXIES];
	size_t n = 99;
	char err[256];
	static const uint8_t ten[16] = { 10 };

	(void)state;
	assert_int_equal(cfg_nets_parse("127.0.0.1, 10.0.0.0/8 ::1;fe80::/10",
					nets, &n, err, sizeof(err)),
			 0);
	assert_int_equal(n, 4);
	assert_int_equal(nets[0].family, AF_INET);
	assert_int_equal(nets[0].prefix, 32);
	assert_int_equal(nets[1].family, AF_INET);
	assert_int_equal(nets[1].prefix, 8);
	assert_memory_equal(nets[1].addr, ten, 16);
	assert_int_equal(nets[2].family, AF_INET6);
	assert_int_equal(nets[2].prefix, 128);
	assert_int_equal(nets[3].family, AF_INET6);
	assert_int_equal(nets[3].prefix, 10);

	n = 99;
	assert_int_equal(cfg_nets_parse(NULL, nets, &n, NULL, 0), 0);
	assert_int_equal(n, 0);
	n = 99;
	assert_int_equal(cfg_nets_parse("", nets, &n, NULL, 0), 0);
	assert_int_equal(n, 0);
	assert_int_equal(cfg_nets_parse(" , ;\t", nets, &n, NULL, 0), 0);
	assert_int_equal(n, 0);
	/* GLib list style with a trailing separator. */
	assert_int_equal(cfg_nets_parse("10.0.0.1;10.0.0.2;", nets, &n, NULL,
					0),
			 0);
	assert_int_equal(n, 2);

	/* Prefixes at the edges. */
	assert_int_equal(cfg_nets_parse("0.0.0.0/0, 1.2.3.4/32, ::/0, "
					"2001:db8::1/128, 192.168.1.128/25",
					nets, &n, err, sizeof(err)),
			 0);
	assert_int_equal(n, 5);
	assert_int_equal(nets[0].prefix, 0);
	assert_int_equal(nets[1].prefix, 32);
	assert_int_equal(nets[2].prefix, 0);
	assert_int_equal(nets[3].prefix, 128);
	assert_int_equal(nets[4].prefix, 25);

	/* IPv4-mapped networks become IPv4 ones. */
	assert_int_equal(cfg_nets_parse("::ffff:10.0.0.0/104, ::ffff:1.2.3.4",
					nets, &n, err, sizeof(err)),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(nets[0].family, AF_INET);
	assert_int_equal(nets[0].prefix, 8);
	assert_memory_equal(nets[0].addr, ten, 16);
	assert_int_equal(nets[1].family, AF_INET);
	assert_int_equal(nets[1].prefix, 32);
}

static void
test_nets_bad(void **state)
{
	static const struct {
		const char *list;
		const char *want;
	} bad[] = {
		{ "10.0.0.0/33",
		  "\"10.0.0.0/33\": prefix out of range (0..32)" },
		{ "::/129", "\"::/129\": prefix out of range (0..128)" },
		{ "1.2.3.4/", "\"1.2.3.4/\": prefix is not a number (0..32)" },
		{ "1.2.3.4/x", "\"1.2.3.4/x\": prefix is not a number" },
		{ "1.2.3.4/-1", "\"1.2.3.4/-1\": prefix is not a number" },
		{ "1.2.3.4/+8", "\"1.2.3.4/+8\": prefix is not a number" },
		{ "1.2.3.4/0032", "\"1.2.3.4/0032\": prefix is not a number" },
		{ "1.2.3.4/8/9", "\"1.2.3.4/8/9\": prefix is not a number" },
		{ "/8", "\"/8\" is not an IPv4 or IPv6 address" },
		{ "10.1.2.3/8", "\"10.1.2.3/8\": address has bits set beyond "
				"the /8 prefix (the network would be "
				"10.0.0.0/8)" },
		{ "192.168.1.129/25",
		  "\"192.168.1.129/25\": address has bits" },
		{ "2001:db8::1/32", "\"2001:db8::1/32\": address has bits set "
				    "beyond the /32 prefix (the network "
				    "would be 2001:db8::/32)" },
		{ "0.0.0.1/0", "\"0.0.0.1/0\": address has bits" },
		{ "300.1.1.1", "\"300.1.1.1\" is not an IPv4 or IPv6 address" },
		{ "1.2.3", "\"1.2.3\" is not an IPv4 or IPv6 address" },
		{ "::1::2", "\"::1::2\" is not an IPv4" },
		{ "localhost", "\"localhost\" is not an IPv4" },
		{ "10.0.0.1, *", "\"*\" is not an IPv4" },
		{ "fe80::1%eth0", "\"fe80::1%eth0\" is not an IPv4" },
		{ "1.2.3.4, \x01", "entry 2 is not an IPv4 or IPv6 address" },
		{ "\"1.2.3.4\"", "entry 1 is not an IPv4 or IPv6 address" },
		{ "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb/128",
		  "entry 1 is not an IPv4 or IPv6 address" },
	};
	struct cfg_net nets[CFG_MAX_TRUSTED_PROXIES];
	char err[256];
	size_t i, n;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 99;
		err[0] = '\0';
		rc = cfg_nets_parse(bad[i].list, nets, &n, err, sizeof(err));
		if (rc != IDP_ERR_INVALID ||
		    strncmp(err, bad[i].want, strlen(bad[i].want)) != 0)
			fail_msg("\"%s\": rc %d, error \"%s\"", bad[i].list,
				 rc, err);
		assert_int_equal(n, 0);
	}
}

static void
test_nets_too_many(void **state)
{
	struct cfg_net nets[CFG_MAX_TRUSTED_PROXIES];
	GString *list = g_string_new(NULL);
	char err[256];
	size_t n;
	int i;

	(void)state;
	for (i = 0; i < CFG_MAX_TRUSTED_PROXIES; i++)
		g_string_append_printf(list, "10.0.0.%d, ", i);
	assert_int_equal(cfg_nets_parse(list->str, nets, &n, err,
					sizeof(err)),
			 0);
	assert_int_equal(n, CFG_MAX_TRUSTED_PROXIES);
	g_string_append(list, "10.0.1.0");
	assert_int_equal(cfg_nets_parse(list->str, nets, &n, err,
					sizeof(err)),
			 IDP_ERR_INVALID);
	assert_int_equal(n, 0);
	assert_string_equal(err, "too many entries (at most 32)");
	g_string_free(list, TRUE);
}

static void
test_nets_contain(void **state)
{
	struct cfg_net nets[CFG_MAX_TRUSTED_PROXIES];
	struct sockaddr_un sun;
	size_t n;

	(void)state;
	assert_true(in_nets("10.0.0.0/8", "10.0.0.0"));
	assert_true(in_nets("10.0.0.0/8", "10.255.255.255"));
	assert_false(in_nets("10.0.0.0/8", "11.0.0.0"));
	assert_false(in_nets("10.0.0.0/8", "9.255.255.255"));
	assert_true(in_nets("192.168.1.128/25", "192.168.1.200"));
	assert_false(in_nets("192.168.1.128/25", "192.168.1.127"));
	assert_true(in_nets("1.2.3.4", "1.2.3.4"));
	assert_false(in_nets("1.2.3.4/32", "1.2.3.5"));
	assert_true(in_nets("0.0.0.0/0", "203.0.113.9"));
	assert_false(in_nets("", "127.0.0.1"));

	assert_true(in_nets("2001:db8::/32", "2001:db8:ffff::1"));
	assert_false(in_nets("2001:db8::/32", "2001:db9::1"));
	assert_true(in_nets("2001:db8::1/128", "2001:db8::1"));
	assert_false(in_nets("2001:db8::1/128", "2001:db8::2"));
	assert_true(in_nets("::/0", "2001:db8::2"));
	assert_true(in_nets("fe80::/10", "febf::1"));
	assert_false(in_nets("fe80::/10", "fec0::1"));

	/* IPv4-mapped peers are IPv4 peers. */
	assert_true(in_nets("10.0.0.0/8", "::ffff:10.1.2.3"));
	assert_false(in_nets("10.0.0.0/8", "::ffff:11.1.2.3"));
	assert_true(in_nets("127.0.0.1", "::ffff:127.0.0.1"));
	assert_true(in_nets("0.0.0.0/0", "::ffff:8.8.8.8"));
	assert_false(in_nets("::/0", "::ffff:10.1.2.3"));
	assert_false(in_nets("::/0", "10.1.2.3"));
	assert_false(in_nets("0.0.0.0/0", "2001:db8::1"));
	/* A mapped network in the config matches both forms of a peer. */
	assert_true(in_nets("::ffff:10.0.0.0/104", "10.9.9.9"));
	assert_true(in_nets("::ffff:10.0.0.0/104", "::ffff:10.9.9.9"));
	/* The IPv4-compatible form (::a.b.c.d) is not mapped. */
	assert_false(in_nets("10.0.0.0/8", "::10.1.2.3"));
	/* Nor is the IPv4-translated one (::ffff:0:a.b.c.d). */
	assert_false(in_nets("10.0.0.0/8", "::ffff:0:10.1.2.3"));

	/* Other families and NULL never match. */
	assert_int_equal(cfg_nets_parse("0.0.0.0/0, ::/0", nets, &n, NULL, 0),
			 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	assert_false(cfg_nets_contain(nets, n,
				      (const struct sockaddr *)&sun));
	assert_false(cfg_nets_contain(nets, n, NULL));
	assert_false(cfg_nets_contain(nets, 0, NULL));
}

/* ---- cfg_diff ---- */

static void
test_diff(void **state)
{
	struct cfg *a = NULL, *b = NULL;
	char err[512], *d, *path;

	(void)state;
	a = load_defaults();
	b = load_defaults();
	d = diff_str(a, b);
	assert_string_equal(d, "");
	g_free(d);
	cfg_free(b);

	path = write_conf("[server]\nport = 9000\n"
			  "trusted_proxies = 10.0.0.0/8\n"
			  "[database]\nconninfo = dbname=other\n"
			  "[log]\nlevel = debug\n");
	if (cfg_load(path, &b, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	d = diff_str(a, b);
	assert_string_equal(d, "server.port:restart "
			       "server.trusted_proxies:reload "
			       "database.conninfo:restart log.level:reload ");
	g_free(d);
	d = diff_str(b, a);
	assert_string_equal(d, "server.port:restart "
			       "server.trusted_proxies:reload "
			       "database.conninfo:restart log.level:reload ");
	g_free(d);
	cfg_free(b);
	g_free(path);

	/* Every other key needs a restart. */
	path = write_conf("[server]\nlisten_address = ::\n"
			  "public_url = https://idp.example.org\n"
			  "threads = 255\nmax_connections = 100\n"
			  "max_connections_per_ip = 10\n"
			  "connection_timeout = 5\n"
			  "connection_memory = 256K\nmax_url = 2K\n"
			  "max_headers = 2K\nmax_body = 2K\n"
			  "shutdown_grace = 1\n"
			  "[database]\ntx_retries = 1\n"
			  "statement_timeout = 1\n");
	if (cfg_load(path, &b, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	d = diff_str(a, b);
	assert_string_equal(
		d, "server.listen_address:restart server.public_url:restart "
		   "server.threads:restart server.max_connections:restart "
		   "server.max_connections_per_ip:restart "
		   "server.connection_timeout:restart "
		   "server.connection_memory:restart server.max_url:restart "
		   "server.max_headers:restart server.max_body:restart "
		   "server.shutdown_grace:restart "
		   "database.tx_retries:restart "
		   "database.statement_timeout:restart ");
	g_free(d);
	cfg_free(b);
	g_free(path);

	/* The same networks written differently are no change. */
	path = write_conf("[server]\ntrusted_proxies = 10.0.0.0/8\n");
	assert_int_equal(cfg_load(path, &b, err, sizeof(err)), 0);
	g_free(path);
	cfg_free(a);
	path = write_conf("[server]\ntrusted_proxies = ::ffff:10.0.0.0/104;\n");
	assert_int_equal(cfg_load(path, &a, err, sizeof(err)), 0);
	d = diff_str(a, b);
	assert_string_equal(d, "");
	g_free(d);
	/* Order counts: the list is compared entry by entry. */
	cfg_free(a);
	g_free(path);
	path = write_conf("[server]\ntrusted_proxies = 10.0.0.0/8, ::1\n");
	assert_int_equal(cfg_load(path, &a, err, sizeof(err)), 0);
	d = diff_str(a, b);
	assert_string_equal(d, "server.trusted_proxies:reload ");
	g_free(d);
	cfg_free(a);
	cfg_free(b);
	g_free(path);
}

/* ---- the example file and the docs ---- */

static char *
read_source(const char *rel)
{
	char *path = g_build_filename(SOURCE_ROOT, rel, NULL), *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		fail_msg("cannot read %s", path);
	g_free(path);
	return text;
}

/*
 * idpd.conf.example loads as it is, and with every "#key = value" line
 * uncommented it still equals the defaults: the documented defaults are
 * the real ones, and every key is there once.
 */
static void
test_example_file(void **state)
{
	GRegex *re;
	struct cfg *def = load_defaults(), *cfg = NULL;
	char err[512], *text, *on, *path, *d, *pat;
	size_t i;

	(void)state;
	path = g_build_filename(SOURCE_ROOT, "idpd.conf.example", NULL);
	if (cfg_load(path, &cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	d = diff_str(def, cfg);
	assert_string_equal(d, "");
	g_free(d);
	cfg_free(cfg);
	cfg = NULL;
	g_free(path);

	text = read_source("idpd.conf.example");
	re = g_regex_new("^#([a-z_]+ =)", G_REGEX_MULTILINE, 0, NULL);
	on = g_regex_replace(re, text, -1, 0, "\\1", 0, NULL);
	g_regex_unref(re);
	for (i = 0; i < N_ALL_KEYS; i++) {
		pat = g_strdup_printf("(?m)^%s =", all_keys[i].key);
		re = g_regex_new(pat, 0, 0, NULL);
		if (!g_regex_match(re, on, 0, NULL))
			fail_msg("idpd.conf.example lacks %s", all_keys[i].key);
		g_regex_unref(re);
		g_free(pat);
	}
	path = write_conf(on);
	if (cfg_load(path, &cfg, err, sizeof(err)) != 0)
		fail_msg("uncommented example: %s", err);
	d = diff_str(def, cfg);
	assert_string_equal(d, "");
	g_free(d);
	cfg_free(cfg);
	cfg_free(def);
	g_free(path);
	g_free(on);
	g_free(text);
}

static void
test_docs_name_every_key(void **state)
{
	char *text = read_source("docs/configuration.md"), *k;
	size_t i;

	(void)state;
	for (i = 0; i < N_ALL_KEYS; i++) {
		k = g_strdup_printf("`%s`", all_keys[i].key);
		if (strstr(text, k) == NULL)
			fail_msg("docs lack %s", k);
		if (strstr(text, all_keys[i].env) == NULL)
			fail_msg("docs lack %s", all_keys[i].env);
		g_free(k);
	}
	g_free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, setup),
		cmocka_unit_test_setup(test_full_file, setup),
		cmocka_unit_test_setup(test_empty_and_comment_files, setup),
		cmocka_unit_test_setup(test_bad_values_file, setup),
		cmocka_unit_test_setup(test_bad_values_env, setup),
		cmocka_unit_test_setup(test_messages, setup),
		cmocka_unit_test_setup(test_unknown_group_and_key, setup),
		cmocka_unit_test_setup(test_syntax_errors, setup),
		cmocka_unit_test_setup(test_cross_checks, setup),
		cmocka_unit_test_setup(test_good_values, setup),
		cmocka_unit_test_setup(test_threads_zero, setup),
		cmocka_unit_test_setup(test_public_urls, setup),
		cmocka_unit_test_setup(test_missing_file, setup),
		cmocka_unit_test_setup(test_hostile_files, setup),
		cmocka_unit_test_setup(test_random_files, setup),
		cmocka_unit_test_setup(test_small_error_buffer, setup),
		cmocka_unit_test_setup(test_env_overrides, setup),
		cmocka_unit_test_setup(test_env_unknown, setup),
		cmocka_unit_test_setup(test_conninfo_not_echoed, setup),
		cmocka_unit_test(test_nets_parse),
		cmocka_unit_test(test_nets_bad),
		cmocka_unit_test(test_nets_too_many),
		cmocka_unit_test(test_nets_contain),
		cmocka_unit_test_setup(test_diff, setup),
		cmocka_unit_test_setup(test_example_file, setup),
		cmocka_unit_test(test_docs_name_every_key),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
