/*
 * After the login page (and registration): the pending request, found by
 * the hash of the id the pages carried, is answered when the session
 * meets it, else the citizen is sent to log in (again).
 */
#include <string.h>

#include "idp/common/worker.h"
#include "idp/crypto/crypt.h"
#include "idp/log/log.h"
#include "idp/saml/sso_internal.h"
#include "idp/session/session.h"

/* The pending row as a checked request. */
static bool
from_row(const struct store_saml_pending *p, struct sso_request *r)
{
	memset(r, 0, sizeof(*r));
	r->sp_entity_id = g_strdup(p->sp_entity_id);
	r->request_id = g_strdup(p->request_id);
	r->acs_url = g_strdup(p->acs_url);
	r->relay_state = g_strdup(p->relay_state);
	r->force_authn = p->force_authn;
	r->is_passive = p->is_passive;
	r->allow_create = p->allow_create;
	r->received_at = p->created_at;
	if (saml_nameid_parse(p->nameid_format, &r->nameid) != 0 ||
	    !sso_comparison_parse(p->authn_comparison, &r->comparison))
		return false;
	for (const char *s = p->authn_class_refs; s != NULL && *s != '\0';) {
		size_t len = strcspn(s, "\n");
		if (r->n_class_refs == SAML_CLASS_REFS_MAX)
			return false;
		r->class_refs[r->n_class_refs++] = g_strndup(s, len);
		s += len;
		if (*s == '\n')
			s++;
	}
	return true;
}

void
saml_sso_continue(struct worker *w, const char *pending,
		  const struct session_info *si, const char *client,
		  struct saml_reply *out)
{
	struct store_saml_pending row = {0};
	struct sso_request r = {0};
	struct saml_worker *sw = NULL;
	uint8_t token[CRYPT_TOKEN_BYTES], hash[CRYPT_TOKEN_HASH_BYTES];
	int rc;

	saml_reply_clear(out);
	if (crypt_token_parse(pending, token) != 0) {
		log_kv(LOG_LEVEL_INFO, "saml_request_refused", "reason",
		       "pending_unknown", "saw", "malformed id", NULL);
		sso_reply_page(out, SAML_E_PENDING_UNKNOWN);
		return;
	}
	crypt_token_hash(token, hash);
	rc = saml_worker_ensure(w, &sw);
	if (rc == 0 && sw->server == NULL)
		rc = SAML_E_NO_SIGNING_KEY;
	if (rc != 0) {
		sso_reply_page(out, (enum saml_error)rc);
		goto out;
	}
	rc = store_saml_pending_select(w->store, hash, &row);
	if (rc < 0) {
		sso_reply_page(out, SAML_E_UNAVAILABLE);
		goto out;
	}
	if (rc == STORE_NO_ROW) {
		log_kv(LOG_LEVEL_INFO, "saml_request_refused", "reason",
		       "pending_unknown", "saw", "unknown, used or expired",
		       NULL);
		sso_audit_rejected(w, SAML_E_PENDING_UNKNOWN, NULL, NULL,
				   si && si->valid ? si->account.audit_ref
						   : NULL,
				   client, NULL);
		sso_reply_page(out, SAML_E_PENDING_UNKNOWN);
		goto out;
	}
	if (!from_row(&row, &r)) {
		log_kv(LOG_LEVEL_ERROR, "bug_saml_pending_row", NULL);
		sso_reply_page(out, SAML_E_INTERNAL);
		goto out;
	}
	bool have = si != NULL && si->valid;
	/*
	 * ForceAuthn: only a login made after the request counts (same
	 * second included: both clocks are the database's).
	 */
	bool fresh = have && (!r.force_authn ||
			      si->session.created_at >= r.received_at);
	if (fresh) {
		sso_respond(w, sw, &r, si, 0, hash, client, out);
	} else if (r.is_passive) {
		sso_respond(w, sw, &r, NULL, SAML_E_NO_PASSIVE, hash, client,
			    out);
	} else {
		out->kind = SAML_REPLY_LOGIN;
		memcpy(out->pending, pending, SAML_PENDING_ID_LEN);
		out->pending[SAML_PENDING_ID_LEN] = '\0';
	}
out:
	store_saml_pending_clear(&row);
	sso_request_clear(&r);
	crypt_wipe(token, sizeof(token));
	crypt_wipe(hash, sizeof(hash));
}
