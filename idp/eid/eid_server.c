/*
 * The per-worker cache of the eID side: our certificates (for
 * /eid/metadata, made per request), the active eid-signing key, a lasso
 * server in the SP role built from our metadata with that key (and every
 * live eid-encryption key for decryption), and the eID service as its
 * IdP provider. Rebuilt when the generation value changes (idpctl eid or
 * keys made a change, on any node) or after a day, like idp/saml's.
 *
 * lasso objects never cross threads: the cache lives in thread-local
 * storage and is freed by the thread's destructor, so struct worker
 * needs no field for it.
 */
#include <pthread.h>
#include <string.h>

#include "idp/common/worker.h"
#include "idp/eid/eid_internal.h"
#include "idp/log/log.h"
#include "idp/saml/saml_sp.h"
#include "keys/keys.h"

/* Rebuild at least this often (as idp/saml does). */
#define SERVER_MAX_AGE_S (24 * 3600)

static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static int tls_rc;

static void
worker_clear(struct eid_worker *ew)
{
	if (ew->server != NULL)
		lasso_server_destroy(ew->server);
	ew->server = NULL;
	if (ew->key != NULL)
		g_object_unref(ew->key);
	ew->key = NULL;
	g_strfreev(ew->sign_certs);
	ew->sign_certs = NULL;
	ew->n_sign = 0;
	g_strfreev(ew->enc_certs);
	ew->enc_certs = NULL;
	ew->n_enc = 0;
	g_free(ew->service_entity_id);
	ew->service_entity_id = NULL;
	for (size_t i = 0; i < EID_ATTR_COUNT; i++) {
		g_free(ew->attr[i]);
		ew->attr[i] = NULL;
	}
	ew->unusable = EID_E_NOT_CONFIGURED;
	ew->built = false;
}

static void
worker_free(void *p)
{
	struct eid_worker *ew = p;

	if (ew == NULL)
		return;
	worker_clear(ew);
	g_free(ew);
}

static void
tls_init(void)
{
	tls_rc = pthread_key_create(&tls_key, worker_free);
}

/* Copies of the certificates of @ks, the active one first (g_strfreev()). */
static char **
certs_of(const struct keys_set *ks, size_t *n)
{
	char **c = g_new0(char *, ks->n + 1);

	*n = 0;
	if (ks->active != NULL)
		c[(*n)++] = g_strdup(ks->active->m.cert_pem);
	for (size_t i = 0; i < ks->n; i++)
		if (&ks->keys[i] != ks->active)
			c[(*n)++] = g_strdup(ks->keys[i].m.cert_pem);
	return c;
}

/* The eID service into @ew->server; sets @ew->unusable on failure. */
static int
service_add(struct eid_worker *ew, const struct store_eid_service *svc)
{
	char err[SAML_SP_ERR_MAX];
	struct saml_sp_meta m;
	LassoProvider *p;
	int rc;

	/* Stored metadata whose validUntil passed is no longer trusted. */
	if (saml_idp_metadata_parse(svc->metadata_xml,
				    strlen(svc->metadata_xml), &m, err,
				    sizeof(err)) != 0) {
		log_kv(LOG_LEVEL_WARN, "eid_metadata_unusable", "error", err,
		       NULL);
		ew->unusable = EID_E_NOT_CONFIGURED;
		return 0;
	}
	saml_sp_meta_clear(&m);
	rc = lasso_server_add_provider_from_buffer(
		ew->server, LASSO_PROVIDER_ROLE_IDP, svc->metadata_xml, NULL,
		NULL);
	if (rc != 0) {
		eid_lasso_fail("server_add_provider", rc);
		return EID_E_INTERNAL;
	}
	p = lasso_server_get_provider(ew->server, svc->entity_id);
	if (p == NULL) {
		log_kv(LOG_LEVEL_ERROR, "bug_eid_provider_missing", NULL);
		return EID_E_INTERNAL;
	}
	/* Without it lasso parses the PEM key again for every signature. */
	rc = lasso_provider_set_server_signing_key(p, ew->key);
	if (rc != 0) {
		eid_lasso_fail("provider_set_server_signing_key", rc);
		return EID_E_INTERNAL;
	}
	ew->service_entity_id = g_strdup(svc->entity_id);
	for (size_t i = 0; i < EID_ATTR_COUNT; i++)
		ew->attr[i] = g_strdup(svc->attr[i]);
	ew->unusable = EID_OK;
	return 0;
}

static int
rebuild(struct worker *w, struct eid_worker *ew, int64_t now)
{
	const uint8_t *mk = saml_master_key_peek();
	struct keys_set *sign = NULL, *enc = NULL;
	struct store_eid_service svc = {0};
	char *metadata = NULL;
	char err[KEYS_ERR_MAX];
	int rc = EID_E_UNAVAILABLE, src;

	worker_clear(ew);
	ew->unusable = EID_E_NO_KEY;
	if (mk == NULL)
		return 0; /* no master key: no certificates, no server */
	if (keys_set_load(w->store, mk, KEYS_PURPOSE_EID_SIGNING, &sign, err,
			  sizeof(err)) != 0 ||
	    keys_set_load(w->store, mk, KEYS_PURPOSE_EID_ENCRYPTION, &enc, err,
			  sizeof(err)) != 0) {
		log_kv(LOG_LEVEL_ERROR, "eid_keys_load_failed", "error", err,
		       NULL);
		goto out;
	}
	if (sign->n == 0 && enc->n == 0) {
		rc = 0;
		goto out;
	}
	/* /eid/metadata is made per request from these (eid_metadata()). */
	ew->sign_certs = certs_of(sign, &ew->n_sign);
	ew->enc_certs = certs_of(enc, &ew->n_enc);
	if (sign->active != NULL) {
		/* Signs our AuthnRequests and our metadata. */
		ew->key = saml_signing_key_new(sign->active);
		if (ew->key == NULL) {
			log_kv(LOG_LEVEL_ERROR, "lasso_failed", "module", "eid",
			       "step", "key_new_for_signature", NULL);
			rc = EID_E_INTERNAL;
			goto out;
		}
	}
	if (sign->active == NULL || enc->n == 0) {
		rc = 0;
		goto out;
	}
	src = store_eid_service_select(w->store, &svc);
	if (src < 0)
		goto out;
	/*
	 * lasso's own copy of our metadata: unsigned (lasso reads it from
	 * memory we made), valid as long as the one we publish.
	 */
	metadata = eid_metadata_format(w->cfg, ew,
				       now + w->cfg->saml_metadata_validity_s);
	if (metadata == NULL) {
		rc = EID_E_INTERNAL;
		goto out;
	}
	ew->server =
		lasso_server_new_from_buffers(metadata, sign->active->m.key_pem,
					      NULL, sign->active->m.cert_pem);
	if (ew->server == NULL) {
		log_kv(LOG_LEVEL_ERROR, "lasso_failed", "module", "eid", "step",
		       "server_new_from_buffers", NULL);
		rc = EID_E_INTERNAL;
		goto out;
	}
	ew->server->signature_method = LASSO_SIGNATURE_METHOD_RSA_SHA256;
	/*
	 * Every live encryption key decrypts: the service may still use
	 * the previous one for a while after a rollover, and lasso tries
	 * each key it was given.
	 */
	for (size_t i = 0; i < enc->n; i++) {
		int lrc = lasso_server_set_encryption_private_key_with_password(
			ew->server, enc->keys[i].m.key_pem, NULL);
		if (lrc != 0) {
			eid_lasso_fail("set_encryption_private_key", lrc);
			rc = EID_E_INTERNAL;
			goto out;
		}
	}
	ew->unusable = EID_E_NOT_CONFIGURED;
	rc = src == STORE_ONE_ROW ? service_add(ew, &svc) : 0;
out:
	g_free(metadata);
	store_eid_service_clear(&svc);
	keys_set_free(sign);
	keys_set_free(enc);
	if (rc != 0)
		worker_clear(ew);
	return rc;
}

int
eid_worker_ensure(struct worker *w, struct eid_worker **out)
{
	struct eid_worker *ew;
	char gen[STORE_EID_GENERATION_LEN + 1];
	int64_t now = 0;
	int rc;

	*out = NULL;
	if (saml_init() != 0)
		return EID_E_INTERNAL;
	(void)pthread_once(&tls_once, tls_init);
	if (tls_rc != 0)
		return EID_E_INTERNAL;
	ew = pthread_getspecific(tls_key);
	if (ew == NULL) {
		ew = g_new0(struct eid_worker, 1);
		if (pthread_setspecific(tls_key, ew) != 0) {
			g_free(ew);
			return EID_E_INTERNAL;
		}
	}
	if (store_eid_generation_select(w->store, gen, &now) != STORE_ONE_ROW)
		return EID_E_UNAVAILABLE;
	if (ew->built && strcmp(gen, ew->generation) == 0 &&
	    now - ew->built_at < SERVER_MAX_AGE_S) {
		*out = ew;
		return 0;
	}
	rc = rebuild(w, ew, now);
	if (rc != 0)
		return rc;
	memcpy(ew->generation, gen, sizeof(gen));
	ew->built = true;
	ew->built_at = now;
	log_kv(LOG_LEVEL_INFO, "eid_server_built", "generation", gen, "usable",
	       eid_error_info(ew->unusable)->name, NULL);
	*out = ew;
	return 0;
}

bool
eid_usable(struct worker *w)
{
	struct eid_worker *ew = NULL;

	return eid_worker_ensure(w, &ew) == 0 && ew->server != NULL &&
	       ew->service_entity_id != NULL;
}
