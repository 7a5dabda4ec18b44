/*
 * idpd: the identity provider daemon.
 *
 * Startup is all-or-nothing: config, database and schema version are
 * checked before the socket opens; any failure exits 1 with one line
 * saying what is wrong. Then the main thread only waits for signals:
 * SIGTERM/SIGINT drain and exit 0, SIGHUP reloads what can be reloaded.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idp/account/account.h"
#include "idp/cfg/cfg.h"
#include "idp/common/worker.h"
#include "idp/crypto/crypt.h"
#include "idp/crypto/crypt_password.h"
#include "idp/handlers/handlers.h"
#include "idp/http/http.h"
#include "idp/log/log.h"
#include "idp/mail/mail.h"
#include "idp/page/page.h"
#include "idp/saml/saml.h"
#include "idp/saml/saml_sp.h"
#include "idp/store/store.h"
#include "idp/throttle/throttle.h"
#include "keys/keys.h"

static const char usage[] =
	"usage: idpd [--config FILE] [--check-config] [--help] [--version]\n"
	"  --config FILE   read settings from FILE (default: $IDP_CONFIG, "
	"else built-in defaults)\n"
	"  --check-config  validate the configuration and exit\n"
	"Settings can be overridden with IDP_<GROUP>_<KEY> variables; see "
	"docs/configuration.md.\n";

static struct worker *
worker_new(void *cls)
{
	const struct cfg *cfg = cls;
	struct worker *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->cfg = cfg;
	w->store = store_new(cfg->db_conninfo, cfg->db_tx_retries,
			     cfg->db_statement_timeout_ms);
	if (w->store == NULL) {
		free(w);
		return NULL;
	}
	return w;
}

static void
worker_free(struct worker *w, void *cls)
{
	(void)cls;
	/* lasso objects belong to this thread: freed here, on it. */
	saml_worker_free(w->saml);
	store_free(w->store);
	free(w);
}

/*
 * The eID keys are optional at start: without an active one the eID
 * endpoints answer 503. But live eID keys that the master key does not
 * open stop the start, as SAML keys do: a node must not find out when
 * the eID service first answers. Returns 0 or 1 (reported).
 */
static int
check_eid_keys(struct store *s, const uint8_t mk[KEYS_MASTER_KEY_BYTES])
{
	static const enum keys_purpose eid[] = {
		KEYS_PURPOSE_EID_SIGNING,
		KEYS_PURPOSE_EID_ENCRYPTION,
	};
	struct keys_set *ks = NULL;
	char err[KEYS_ERR_MAX];

	for (size_t i = 0; i < sizeof(eid) / sizeof(eid[0]); i++) {
		if (keys_set_load(s, mk, eid[i], &ks, err, sizeof(err)) != 0) {
			fprintf(stderr, "idpd: %s keys: %s\n",
				keys_purpose_name(eid[i]), err);
			return 1;
		}
		if (ks->active == NULL)
			log_kv(LOG_LEVEL_INFO, "eid_no_active_key", "purpose",
			       keys_purpose_name(eid[i]), "result",
			       "eID endpoints answer 503 until a key is active",
			       NULL);
		keys_set_free(ks);
		ks = NULL;
	}
	return 0;
}

/*
 * The master key and, with it, the signing keys. Without a master key
 * file idpd still starts (the citizen pages work) and /saml/ answers
 * "no signing key" (503) until an operator runs idpctl keys init and
 * generate/activate and restarts. A master key that is there but cannot
 * be read, or live keys (of any purpose) that it does not open, stop the
 * start: that is a broken installation, not one still being set up.
 */
static int
load_signing_keys(const struct cfg *cfg, struct store *s)
{
	uint8_t mk[KEYS_MASTER_KEY_BYTES];
	struct keys_set *ks = NULL;
	char err[KEYS_ERR_MAX];
	int rc = 1;

	if (saml_init() != 0) {
		fprintf(stderr, "idpd: cannot initialise lasso\n");
		return 1;
	}
	if (access(cfg->keys_master_key_file, F_OK) != 0 && errno == ENOENT) {
		log_kv(LOG_LEVEL_WARN, "saml_no_master_key", "path",
		       cfg->keys_master_key_file, "result",
		       "SAML endpoints answer 503 until keys exist", NULL);
		return 0;
	}
	if (keys_master_load(cfg->keys_master_key_file, mk, err,
			     sizeof(err)) != 0) {
		fprintf(stderr, "idpd: %s\n", err);
		goto out;
	}
	if (keys_set_load(s, mk, KEYS_PURPOSE_SAML, &ks, err, sizeof(err)) !=
	    0) {
		fprintf(stderr, "idpd: signing keys: %s\n", err);
		goto out;
	}
	if (ks->active == NULL)
		log_kv(LOG_LEVEL_WARN, "saml_no_active_key", "result",
		       "SAML endpoints answer 503 until a key is active", NULL);
	if (check_eid_keys(s, mk) != 0)
		goto out;
	if (saml_master_key_set(mk) != 0) {
		fprintf(stderr, "idpd: out of memory\n");
		goto out;
	}
	rc = 0;
out:
	keys_set_free(ks);
	crypt_wipe(mk, sizeof(mk));
	return rc;
}

/*
 * The schema must be exactly what this build expects; then the
 * cluster-wide secrets the workers need are loaded.
 */
static int
check_database(const struct cfg *cfg)
{
	struct store *s = store_new(cfg->db_conninfo, cfg->db_tx_retries,
				    cfg->db_statement_timeout_ms);
	int version = 0, rc = 1;

	if (s == NULL) {
		fprintf(stderr, "idpd: out of memory\n");
		return 1;
	}
	if (store_ensure(s) != 0) {
		fprintf(stderr, "idpd: cannot connect to the database "
				"([database] conninfo); is PostgreSQL running "
				"and the schema migrated (idpctl db migrate)?\n");
		goto out;
	}
	if (store_schema_version_select(s, &version) != STORE_ONE_ROW) {
		fprintf(stderr, "idpd: cannot read the schema version\n");
		goto out;
	}
	if (version < store_schema_expected()) {
		fprintf(stderr,
			"idpd: database schema is at version %d, this idpd "
			"needs %d: run 'idpctl db migrate'\n",
			version, store_schema_expected());
		goto out;
	}
	if (version > store_schema_expected()) {
		fprintf(stderr,
			"idpd: database schema is at version %d, newer than "
			"this idpd knows (%d): upgrade idpd\n",
			version, store_schema_expected());
		goto out;
	}
	if (throttle_init(s) != 0) {
		fprintf(stderr, "idpd: cannot load the throttling key from the "
				"settings table\n");
		goto out;
	}
	if (load_signing_keys(cfg, s) != 0)
		goto out;
	rc = 0;
out:
	store_free(s);
	return rc;
}

struct reload_ctx {
	const char *path;
	struct http_server *srv;
};

static void
reload_report(const char *group, const char *key, bool reloadable, void *cls)
{
	(void)cls;
	log_kv(LOG_LEVEL_INFO, "config_change", "group", group, "key", key,
	       "result", reloadable ? "applied" : "needs restart", NULL);
}

static void
reload(const struct cfg *cur, struct reload_ctx *ctx)
{
	struct cfg *next = NULL;
	char err[512];

	if (cfg_load(ctx->path, &next, err, sizeof(err)) != 0) {
		log_kv(LOG_LEVEL_ERROR, "config_reload_failed", "error", err,
		       "result", "kept the running configuration", NULL);
		return;
	}
	cfg_diff(cur, next, reload_report, NULL);
	http_server_set_trusted_proxies(ctx->srv, next->trusted_proxies,
					next->n_trusted_proxies);
	log_kv(LOG_LEVEL_INFO, "config_reloaded", NULL);
	log_set_level(next->log_level);
	cfg_free(next);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = getenv("IDP_CONFIG");
	bool check_only = false;
	struct cfg *cfg = NULL;
	struct http_tls *tls = NULL;
	char err[512];
	int c;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'k':
			check_only = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			puts("idpd " IDP_VERSION);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "idpd: unexpected argument '%s'\n%s",
			argv[optind], usage);
		return 2;
	}
	if (path != NULL && *path == '\0')
		path = NULL;
	if (crypt_init() != 0) {
		fprintf(stderr, "idpd: no usable random source (libsodium)\n");
		return 1;
	}
	if (cfg_load(path, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "idpd: %s\n", err);
		return 1;
	}
	/* [mail] strings that cfg_load() cannot judge (from, smtp_url). */
	if (mail_cfg_check(cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "idpd: %s\n", err);
		cfg_free(cfg);
		return 1;
	}
	/*
	 * The TLS certificate and key are read here, once, and checked
	 * like the rest of the config; the key is wiped as soon as the
	 * server has it. A renewed certificate needs a restart.
	 */
	if (http_tls_load(cfg, &tls, err, sizeof(err)) != 0) {
		fprintf(stderr, "idpd: %s\n", err);
		cfg_free(cfg);
		return 1;
	}
	if (check_only) {
		printf("idpd: configuration %s is valid\n",
		       path ? path : "(defaults and environment)");
		http_tls_free(tls);
		cfg_free(cfg);
		return 0;
	}
	log_set_level(cfg->log_level);
	/* Templates are parsed once, before any worker thread renders. */
	if (page_init() != 0) {
		fprintf(stderr, "idpd: page templates: %s\n", page_init_error());
		goto fail;
	}
	if (check_database(cfg) != 0)
		goto fail;
	/*
	 * Logins for unknown e-mails verify against this hash, so that they
	 * cost the same as real ones (no account enumeration by timing).
	 */
	if (crypt_password_dummy_init(cfg->password_opslimit,
				      cfg->password_memlimit) != 0) {
		fprintf(stderr, "idpd: cannot prepare password hashing\n");
		goto fail;
	}

	/*
	 * Block the signals we handle before any thread starts, so that they
	 * reach only sigwait() below and never interrupt a worker.
	 */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	size_t n_routes;
	const struct http_route *routes = handlers_routes(&n_routes);
	struct http_server *srv = http_server_start_tls(
		cfg, tls, routes, n_routes, worker_new, worker_free, cfg);
	/* GnuTLS holds its own parsed copy now. */
	http_tls_free(tls);
	tls = NULL;
	if (srv == NULL) {
		fprintf(stderr, "idpd: cannot listen on %s port %u\n",
			cfg->listen_address, cfg->port);
		cfg_free(cfg);
		return 1;
	}
	char port[16], threads[16];
	snprintf(port, sizeof(port), "%u", http_server_port(srv));
	snprintf(threads, sizeof(threads), "%u", cfg->threads);
	log_kv(LOG_LEVEL_INFO, "listening", "address", cfg->listen_address,
	       "port", port, "threads", threads, "tls",
	       cfg->tls ? "on" : "off", "public_url", cfg->public_url,
	       "version", IDP_VERSION, NULL);
	/* Mails of this node's requests go out from here on. */
	if (mail_sender_start(cfg) != 0 || account_janitor_start(cfg) != 0) {
		fprintf(stderr, "idpd: cannot start the mail sender\n");
		(void)http_server_stop(srv, 0);
		cfg_free(cfg);
		return 1;
	}

	struct reload_ctx rctx = { path, srv };
	for (;;) {
		int sig = 0;
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			reload(cfg, &rctx);
			continue;
		}
		break;
	}
	log_kv(LOG_LEVEL_INFO, "stopping", "reason", "signal", NULL);
	unsigned left = http_server_stop(srv, cfg->shutdown_grace_s);
	/* After the drain: the last requests' mails are committed. */
	mail_sender_stop();
	account_janitor_stop();
	char left_s[16];
	snprintf(left_s, sizeof(left_s), "%u", left);
	log_kv(LOG_LEVEL_INFO, "stopped", "requests_cut_off", left_s, NULL);
	cfg_free(cfg);
	return 0;
fail:
	http_tls_free(tls);
	cfg_free(cfg);
	return 1;
}
