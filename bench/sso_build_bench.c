/*
 * The in-process ceiling of the SSO benchmark: idpd's own response
 * builder (sso_response_build(): the assertion with NameID, conditions,
 * AuthnStatement and released attributes, the RSA-SHA256 signature with
 * the preloaded key, the Response, base64 for the POST form) in a loop on
 * one thread, for the relying party and account that bench/sso_run.sh
 * set up: no HTTP and no database in the loop. Responses per second on
 * one core bound what idpd can do per core; the gap to the HTTP figure is
 * what HTTP, sessions and PostgreSQL cost.
 *
 * usage: sso_build_bench EMAIL SP_ENTITY_ID ACS_URL [seconds]
 * The configuration comes from the environment as for idpd (IDP_*: the
 * database, the master key file, the public URL). Prints one line: the
 * rate, responses per second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "idp/cfg/cfg.h"
#include "idp/common/worker.h"
#include "idp/crypto/crypt.h"
#include "idp/saml/saml_internal.h"
#include "idp/saml/sso_internal.h"
#include "idp/session/session.h"
#include "idp/store/store_account.h"
#include "keys/keys.h"

static int
fail(const char *what, const char *why)
{
	fprintf(stderr, "sso_build_bench: %s%s%s\n", what, why ? ": " : "",
		why ? why : "");
	return 1;
}

int
main(int argc, char **argv)
{
	char err[512], nameid[SAML_PENDING_ID_LEN + 1];
	char session_index[SAML_PENDING_ID_LEN + 2];
	uint8_t mk[KEYS_MASTER_KEY_BYTES];
	struct session_info si = {0};
	struct sso_request r = {0};
	struct saml_worker *sw = NULL;
	const struct saml_sp_entry *sp;
	struct cfg *cfg = NULL;
	struct worker w = {0};
	double secs = 5, t0;
	unsigned n = 0;
	char *idp;

	if (argc < 4)
		return fail("usage: sso_build_bench EMAIL SP_ENTITY_ID ACS_URL "
			    "[seconds]",
			    NULL);
	if (argc > 4)
		secs = atof(argv[4]);
	if (crypt_init() != 0)
		return fail("libsodium", "cannot initialise");
	if (cfg_load(NULL, &cfg, err, sizeof(err)) != 0)
		return fail("config", err);
	w.cfg = cfg;
	w.store = store_new(cfg->db_conninfo, cfg->db_tx_retries,
			    cfg->db_statement_timeout_ms);
	if (w.store == NULL || store_ensure(w.store) != 0)
		return fail("database", "cannot connect");
	if (keys_master_load(cfg->keys_master_key_file, mk, err,
			     sizeof(err)) != 0 ||
	    saml_master_key_set(mk) != 0)
		return fail("master key", err);
	int rc = saml_worker_ensure(&w, &sw);
	if (rc != 0)
		return fail("the SAML worker cache",
			    saml_error_info((enum saml_error)rc)->name);
	sp = saml_worker_sp(sw, argv[2]);
	if (sp == NULL || !sp->in_lasso)
		return fail("no such enabled relying party", argv[2]);
	if (store_account_select_by_email(w.store, argv[1], &si.account) !=
	    STORE_ONE_ROW)
		return fail("no such account", argv[1]);

	/* A password session, asserted at its level as idpd does. */
	si.valid = true;
	si.session.loa = strdup("low");
	si.session.created_at = time(NULL);
	si.session.absolute_expires_at = si.session.created_at + 12 * 3600;
	r.sp_entity_id = strdup(sp->entity_id);
	r.acs_url = strdup(argv[3]);
	r.nameid = sp->nameid;
	r.allow_create = true;
	idp = saml_idp_entity_id(cfg);
	sso_random_id(nameid);

	t0 = bench_now();
	while (bench_now() - t0 < secs) {
		struct saml_reply out = {0};
		char id[SAML_PENDING_ID_LEN + 2] = "_";

		/* A new request ID and SessionIndex each time, as in idpd. */
		sso_random_id(id + 1);
		free(r.request_id);
		r.request_id = strdup(id);
		session_index[0] = '_';
		sso_random_id(session_index + 1);
		if (sso_response_build(sw, sp, &r, &si, idp, nameid,
				       "http://eidas.europa.eu/LoA/low",
				       session_index, si.session.created_at, 0,
				       &out) != 0)
			return fail("sso_response_build failed", NULL);
		saml_reply_clear(&out);
		n++;
	}
	printf("%.1f\n", n / (bench_now() - t0));
	g_free(idp);
	sso_request_clear(&r);
	session_info_clear(&si);
	saml_worker_free(sw);
	store_free(w.store);
	cfg_free(cfg);
	return 0;
}
