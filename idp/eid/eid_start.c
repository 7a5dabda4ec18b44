/*
 * Start an eID round trip: one signed AuthnRequest over HTTP-Redirect,
 * stored with its purpose and bound to the browser.
 */
#include <stdlib.h>
#include <string.h>

#include <lasso/xml/saml-2.0/samlp2_authn_request.h>
#include <lasso/xml/saml-2.0/samlp2_name_id_policy.h>
#include <lasso/xml/saml-2.0/samlp2_requested_authn_context.h>

#include "idp/common/worker.h"
#include "idp/crypto/crypt.h"
#include "idp/eid/eid_binding.h"
#include "idp/eid/eid_internal.h"
#include "idp/log/log.h"
#include "idp/session/session.h"
#include "keys/keys.h"

/*
 * The AuthnRequest: ForceAuthn (every round trip reads the card anew),
 * never passive, a transient NameID (the pseudonym comes as attribute),
 * exactly level high, the response by HTTP-POST to our ACS. Returns the
 * redirect URL (g_free()) and the request ID (g_free()), or NULL.
 */
static char *
request_build(struct eid_worker *ew, const struct cfg *cfg, int64_t now,
	      char **id)
{
	LassoLogin *login = lasso_login_new(ew->server);
	LassoProfile *profile;
	LassoSamlp2AuthnRequest *req;
	LassoSamlp2RequestedAuthnContext *rac;
	char *url = NULL;
	int rc;

	*id = NULL;
	if (login == NULL)
		return NULL;
	profile = LASSO_PROFILE(login);
	rc = lasso_login_init_authn_request(login, ew->service_entity_id,
					    LASSO_HTTP_METHOD_REDIRECT);
	if (rc != 0) {
		eid_lasso_fail("login_init_authn_request", rc);
		goto out;
	}
	req = LASSO_SAMLP2_AUTHN_REQUEST(profile->request);
	/*
	 * lasso stamps the request with this host's clock; every time we
	 * send is the database's, so that a node whose clock is off still
	 * sends requests the eID service accepts.
	 */
	g_free(req->parent.IssueInstant);
	req->parent.IssueInstant = saml_time_format(now);
	req->ForceAuthn = TRUE;
	req->IsPassive = FALSE;
	g_free(req->ProtocolBinding);
	req->ProtocolBinding = g_strdup(EID_BINDING_POST);
	g_free(req->AssertionConsumerServiceURL);
	req->AssertionConsumerServiceURL = eid_acs_url(cfg);
	if (req->NameIDPolicy == NULL)
		req->NameIDPolicy = LASSO_SAMLP2_NAME_ID_POLICY(
			lasso_samlp2_name_id_policy_new());
	g_free(req->NameIDPolicy->Format);
	req->NameIDPolicy->Format = g_strdup(EID_NAMEID_TRANSIENT);
	req->NameIDPolicy->AllowCreate = TRUE;
	rac = LASSO_SAMLP2_REQUESTED_AUTHN_CONTEXT(
		lasso_samlp2_requested_authn_context_new());
	rac->AuthnContextClassRef = g_list_append(NULL, g_strdup(EID_LOA_HIGH));
	rac->Comparison = g_strdup("exact");
	if (req->RequestedAuthnContext != NULL)
		g_object_unref(req->RequestedAuthnContext);
	req->RequestedAuthnContext = rac;
	/* Signed whatever the service's metadata asks: we promise it. */
	lasso_profile_set_signature_hint(profile,
					 LASSO_PROFILE_SIGNATURE_HINT_FORCE);
	rc = lasso_login_build_authn_request_msg(login);
	if (rc != 0) {
		eid_lasso_fail("login_build_authn_request_msg", rc);
		goto out;
	}
	if (profile->msg_url == NULL ||
	    LASSO_SAMLP2_REQUEST_ABSTRACT(req)->ID == NULL)
		goto out;
	url = g_strdup(profile->msg_url);
	*id = g_strdup(LASSO_SAMLP2_REQUEST_ABSTRACT(req)->ID);
out:
	lasso_login_destroy(login);
	return url;
}

int
eid_start(struct worker *w, enum eid_purpose purpose,
	  const struct session_info *si, const char *pending,
	  const char *bind_cookie, const char *client,
	  struct eid_start_reply *out)
{
	struct eid_worker *ew = NULL;
	struct store_eid_request r = {0};
	uint8_t token[CRYPT_TOKEN_BYTES], id_hash[CRYPT_HASH_BYTES];
	char *id = NULL;
	int64_t now = 0;
	int rc;

	(void)client;
	memset(out, 0, sizeof(*out));
	if (pending != NULL && pending[0] == '\0')
		pending = NULL;
	/* A pending id is a token; anything else is the caller's bug. */
	if (pending != NULL && crypt_token_parse(pending, token) != 0) {
		log_kv(LOG_LEVEL_ERROR, "bug_eid_pending_invalid", NULL);
		return EID_E_INTERNAL;
	}
	if (purpose != EID_PURPOSE_LOGIN && (si == NULL || !si->valid)) {
		log_kv(LOG_LEVEL_ERROR, "bug_eid_start_without_session",
		       "purpose", eid_purpose_name(purpose), NULL);
		return EID_E_INTERNAL;
	}
	rc = eid_worker_ensure(w, &ew);
	if (rc != 0)
		return rc;
	if (ew->server == NULL || ew->service_entity_id == NULL)
		return ew->unusable != EID_OK ? ew->unusable : EID_E_INTERNAL;
	/*
	 * The browser's binding: its cookie when it has a valid one, else a
	 * new one. Set again either way, so that its lifetime covers this
	 * request's.
	 */
	if (eid_binding_parse(bind_cookie, token) != 0)
		crypt_token_new(token);
	crypt_token_format(token, out->bind_cookie);
	eid_binding_hash(token, r.binding_hash);
	if (store_now(w->store, &now) != STORE_ONE_ROW) {
		rc = EID_E_UNAVAILABLE;
		goto out;
	}
	out->redirect_url = request_build(ew, w->cfg, now, &id);
	if (out->redirect_url == NULL) {
		rc = EID_E_INTERNAL;
		goto out;
	}
	if (pending != NULL) {
		if (eid_binding_seal(token, pending, r.pending_sealed,
				     &r.pending_sealed_len) != 0) {
			rc = EID_E_INTERNAL;
			goto out;
		}
		r.has_pending = true;
	}
	r.purpose = eid_purpose_name(purpose);
	r.session_id = purpose == EID_PURPOSE_LOGIN ? 0 : si->session.id;
	crypt_hash(id, strlen(id), id_hash);
	if (store_eid_request_insert(w->store, id_hash, &r,
				     EID_REQUEST_TTL_S) != STORE_ONE_ROW) {
		rc = EID_E_UNAVAILABLE;
		goto out;
	}
	log_kv(LOG_LEVEL_INFO, "eid_request_sent", "purpose", r.purpose, NULL);
	rc = 0;
out:
	crypt_wipe(token, sizeof(token));
	crypt_wipe(&r, sizeof(r));
	g_free(id);
	if (rc != 0)
		eid_start_reply_clear(out);
	return rc;
}
