/*
 * The per-worker cache: a lasso server built from our metadata, the
 * active signing key and every enabled relying party, and the policy of
 * every relying party. It is rebuilt when the generation value in the
 * database changes (idpctl keys or sp made a change, on any node), so a
 * change reaches every worker of every node at its next SAML request,
 * without a restart.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "idp/cfg/cfg.h"
#include "idp/common/worker.h"
#include "keys/keys.h"
#include "idp/log/log.h"
#include "idp/saml/saml_internal.h"
#include "idp/saml/sso_internal.h"
#include "idp/store/store_sp.h"

/* Rebuild at least this often, so our own metadata's validUntil moves. */
#define SERVER_MAX_AGE_S (24 * 3600)

/*
 * The master key: written once before the workers start, read-only after
 * that, locked into memory (never swapped) when the system allows it.
 * It lives as long as the process: each worker opens the signing keys
 * with it whenever they change.
 */
static uint8_t master_key[32];
static bool master_key_loaded;

int
saml_master_key_set(const uint8_t mk[32])
{
	if (master_key_loaded)
		return 0;
	/* Best effort: without CAP_IPC_LOCK the limit may be too low. */
	(void)mlock(master_key, sizeof(master_key));
	memcpy(master_key, mk, sizeof(master_key));
	master_key_loaded = true;
	return 0;
}

const uint8_t *
saml_master_key_peek(void)
{
	return master_key_loaded ? master_key : NULL;
}

static void
sp_entry_free(gpointer p)
{
	struct saml_sp_entry *e = p;

	g_free(e->entity_id);
	g_free(e->release);
	sso_sp_keys_free(e);
	saml_sp_meta_clear(&e->meta);
	g_free(e);
}

/* Free what @sw holds but @sw itself. */
static void
worker_clear(struct saml_worker *sw)
{
	if (sw->server != NULL)
		lasso_server_destroy(sw->server);
	sw->server = NULL;
	if (sw->key != NULL)
		g_object_unref(sw->key);
	sw->key = NULL;
	if (sw->sps != NULL)
		g_hash_table_destroy(sw->sps);
	sw->sps = NULL;
	for (size_t i = 0; i < sw->n_certs; i++)
		g_free(sw->certs[i]);
	g_free(sw->certs);
	sw->certs = NULL;
	sw->n_certs = 0;
	sw->built = false;
}

void
saml_worker_free(struct saml_worker *sw)
{
	if (sw == NULL)
		return;
	worker_clear(sw);
	g_free(sw);
}

const struct saml_sp_entry *
saml_worker_sp(const struct saml_worker *sw, const char *entity_id)
{
	return sw->sps ? g_hash_table_lookup(sw->sps, entity_id) : NULL;
}

/* The rows of relying_parties, copied out of the iterator. */
struct sp_row {
	char *entity_id;
	char *metadata;
	bool enabled;
	char *release;
	char *profile;
	char *nameid;
	bool require_signed;
	bool encrypt;
};

static void
sp_row_free(gpointer p)
{
	struct sp_row *r = p;

	g_free(r->entity_id);
	g_free(r->metadata);
	g_free(r->release);
	g_free(r->profile);
	g_free(r->nameid);
	g_free(r);
}

static void
sp_collect(const struct store_sp *sp, void *cls)
{
	GPtrArray *rows = cls;
	struct sp_row *r = g_new0(struct sp_row, 1);

	r->entity_id = g_strdup(sp->entity_id);
	r->metadata = g_strdup(sp->metadata);
	r->enabled = sp->enabled;
	r->release = g_strdup(sp->release_attributes);
	r->profile = g_strdup(sp->attribute_profile);
	r->nameid = g_strdup(sp->nameid_format);
	r->require_signed = sp->require_signed_requests;
	r->encrypt = sp->encrypt_assertions;
	g_ptr_array_add(rows, r);
}

/*
 * One relying party into @sw (and into @server when it is enabled and
 * there is a server). An SP whose stored metadata no longer validates
 * (its validUntil passed) is kept as known but not loaded: its requests
 * are refused as from a disabled SP, and the log says why.
 */
static void
sp_add(struct saml_worker *sw, LassoServer *server, LassoKey *key,
       const struct sp_row *r)
{
	struct saml_sp_entry *e = g_new0(struct saml_sp_entry, 1);
	char err[SAML_SP_ERR_MAX];
	int rc;

	e->entity_id = g_strdup(r->entity_id);
	e->enabled = r->enabled;
	e->release = g_strdup(r->release ? r->release : "");
	e->require_signed_requests = r->require_signed;
	e->encrypt_assertions = r->encrypt;
	if (saml_attr_profile_parse(r->profile, &e->profile) != 0)
		e->profile = SAML_ATTR_PROFILE_OID;
	if (saml_nameid_parse(r->nameid, &e->nameid) != 0)
		e->nameid = SAML_NAMEID_PERSISTENT;
	g_hash_table_replace(sw->sps, e->entity_id, e);
	if (saml_sp_metadata_parse(r->metadata, strlen(r->metadata), &e->meta,
				   err, sizeof(err)) != 0) {
		log_kv(LOG_LEVEL_WARN, "saml_sp_metadata_unusable", "sp",
		       r->entity_id, "error", err, NULL);
		e->enabled = false;
		return;
	}
	sso_sp_keys_load(e);
	if (!e->enabled || server == NULL)
		return;
	rc = lasso_server_add_provider_from_buffer(
		server, LASSO_PROVIDER_ROLE_SP, r->metadata, NULL, NULL);
	if (rc != 0) {
		sso_lasso_fail("server_add_provider", rc);
		e->enabled = false;
		return;
	}
	LassoProvider *p = lasso_server_get_provider(server, r->entity_id);
	if (p == NULL) {
		log_kv(LOG_LEVEL_ERROR, "bug_saml_provider_missing", "sp",
		       r->entity_id, NULL);
		e->enabled = false;
		return;
	}
	/*
	 * lasso 2.8.1 parses the PEM private key again for every signature
	 * unless the provider has a key of its own: the preloaded one.
	 */
	rc = lasso_provider_set_server_signing_key(p, key);
	if (rc != 0) {
		sso_lasso_fail("provider_set_server_signing_key", rc);
		e->enabled = false;
		return;
	}
	e->in_lasso = true;
}

LassoKey *
saml_signing_key_new(const struct keys_key *k)
{
	GError *gerr = NULL;
	char *path = NULL;
	int fd = g_file_open_tmp("idpd-cert-XXXXXX.pem", &path, &gerr);
	const char *cert = k->m.cert_pem;
	LassoKey *key;

	/*
	 * lasso takes the certificate as a file path or PEM text but tries
	 * the path first, and xmlsec 1.2.37 loses the file BIO when that
	 * fails; so the (public) certificate goes through a temporary file,
	 * removed at once. Without one, the PEM text still works.
	 */
	if (fd >= 0) {
		size_t len = strlen(k->m.cert_pem);
		if (write(fd, k->m.cert_pem, len) == (ssize_t)len)
			cert = path;
		close(fd);
	} else {
		g_error_free(gerr);
	}
	key = lasso_key_new_for_signature_from_memory(
		k->m.key_pem, k->m.key_pem_len, NULL,
		LASSO_SIGNATURE_METHOD_RSA_SHA256, (char *)(uintptr_t)cert);
	if (path != NULL) {
		(void)unlink(path);
		g_free(path);
	}
	return key;
}

/* The lasso server for the active key; NULL (logged) on failure. */
static LassoServer *
server_new(const struct cfg *cfg, const struct keys_key *active,
	   char *const *certs, size_t n, int64_t now, LassoKey **key)
{
	char *meta = saml_metadata_idp_format(
		cfg, certs, n, now + cfg->saml_metadata_validity_s);
	LassoServer *server = NULL;

	*key = NULL;
	if (meta == NULL)
		return NULL;
	server = lasso_server_new_from_buffers(meta, active->m.key_pem, NULL,
					       active->m.cert_pem);
	g_free(meta);
	if (server == NULL) {
		log_kv(LOG_LEVEL_ERROR, "lasso_failed", "step",
		       "server_new_from_buffers", NULL);
		return NULL;
	}
	server->signature_method = LASSO_SIGNATURE_METHOD_RSA_SHA256;
	*key = saml_signing_key_new(active);
	if (*key == NULL) {
		log_kv(LOG_LEVEL_ERROR, "lasso_failed", "step",
		       "key_new_for_signature", NULL);
		lasso_server_destroy(server);
		return NULL;
	}
	return server;
}

static int
rebuild(struct worker *w, struct saml_worker *sw, int64_t now)
{
	struct keys_set *ks = NULL;
	GPtrArray *rows = g_ptr_array_new_with_free_func(sp_row_free);
	char err[KEYS_ERR_MAX];
	int rc = SAML_E_UNAVAILABLE;

	worker_clear(sw);
	sw->sps = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					sp_entry_free);
	if (saml_master_key_peek() != NULL) {
		int krc = keys_set_load(w->store, saml_master_key_peek(),
					KEYS_PURPOSE_SAML, &ks, err,
					sizeof(err));
		if (krc != 0) {
			log_kv(LOG_LEVEL_ERROR, "saml_keys_load_failed",
			       "error", err, NULL);
			rc = krc == IDP_ERR_UNAVAILABLE ? SAML_E_UNAVAILABLE
							: SAML_E_INTERNAL;
			goto out;
		}
	}
	if (ks != NULL && ks->active != NULL) {
		/* The signing key first, then next and previous. */
		sw->certs = g_new0(char *, ks->n + 1);
		sw->certs[sw->n_certs++] = g_strdup(ks->active->m.cert_pem);
		for (size_t i = 0; i < ks->n; i++)
			if (&ks->keys[i] != ks->active)
				sw->certs[sw->n_certs++] =
					g_strdup(ks->keys[i].m.cert_pem);
		sw->server = server_new(w->cfg, ks->active, sw->certs,
					sw->n_certs, now, &sw->key);
		if (sw->server == NULL) {
			rc = SAML_E_INTERNAL;
			goto out;
		}
	}
	if (store_sp_iterate(w->store, sp_collect, rows) < 0)
		goto out;
	for (guint i = 0; i < rows->len; i++)
		sp_add(sw, sw->server, sw->key, g_ptr_array_index(rows, i));
	rc = 0;
out:
	keys_set_free(ks);
	g_ptr_array_free(rows, TRUE);
	if (rc != 0)
		worker_clear(sw);
	return rc;
}

/* Our metadata in the server must never reach its validUntil. */
static int64_t
max_age(const struct cfg *cfg)
{
	int64_t half = cfg->saml_metadata_validity_s / 2;

	return half < SERVER_MAX_AGE_S ? half : SERVER_MAX_AGE_S;
}

int
saml_worker_ensure(struct worker *w, struct saml_worker **out)
{
	struct saml_worker *sw = w->saml;
	char gen[STORE_SAML_GENERATION_LEN + 1];
	int64_t now = 0;
	int rc;

	*out = NULL;
	if (saml_init() != 0)
		return SAML_E_INTERNAL;
	if (sw == NULL) {
		sw = g_new0(struct saml_worker, 1);
		w->saml = sw;
	}
	if (store_saml_generation_select(w->store, gen, &now) != STORE_ONE_ROW)
		return SAML_E_UNAVAILABLE;
	if (sw->built && strcmp(gen, sw->generation) == 0 &&
	    now - sw->built_at < max_age(w->cfg)) {
		*out = sw;
		return 0;
	}
	rc = rebuild(w, sw, now);
	if (rc != 0)
		return rc;
	memcpy(sw->generation, gen, sizeof(gen));
	sw->built = true;
	sw->built_at = now;
	log_kv(LOG_LEVEL_INFO, "saml_server_built", "generation", gen,
	       "signing_key", sw->server != NULL ? "yes" : "no", NULL);
	*out = sw;
	return 0;
}
