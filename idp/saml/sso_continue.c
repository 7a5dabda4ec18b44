/*
 * Pending requests: stored, bound to the browser that started them, and
 * after the login page (and registration) found by the hash of the id
 * the pages carried, answered when the session meets it, else the
 * citizen is sent to log in (again).
 *
 * Why the binding: the pending id travels in URLs and forms (login,
 * registration, the sk_pending cookie), where it can leak (a shared
 * link, a referrer, a screenshot). Without the binding whoever holds it
 * could finish the login in another browser, with another account, and
 * so log the victim's portal tab into the attacker's account -- or the
 * other way round. The secret of SAML_PENDING_BIND_COOKIE never leaves
 * that cookie (HttpOnly), and only its hash is stored.
 */
#include <string.h>

#include "idp/common/worker.h"
#include "idp/crypto/crypt.h"
#include "idp/log/log.h"
#include "idp/saml/sso_internal.h"
#include "idp/session/session.h"

void
sso_pend(struct worker *w, const struct sso_request *r, const char *bind_cookie,
	 bool via_continue, struct saml_reply *out)
{
	struct store_saml_pending p = {0};
	uint8_t token[CRYPT_TOKEN_BYTES], hash[CRYPT_TOKEN_HASH_BYTES];
	uint8_t secret[CRYPT_TOKEN_BYTES];
	GString *refs = g_string_new(NULL);

	for (size_t i = 0; i < r->n_class_refs; i++)
		g_string_append_printf(refs, "%s%s", i ? "\n" : "",
				       r->class_refs[i]);
	p.sp_entity_id = r->sp_entity_id;
	p.request_id = r->request_id;
	p.acs_url = r->acs_url;
	p.relay_state = r->relay_state;
	p.force_authn = r->force_authn;
	p.is_passive = r->is_passive;
	p.nameid_format = (char *)(uintptr_t)saml_nameid_name(r->nameid);
	p.allow_create = r->allow_create;
	p.authn_comparison =
		(char *)(uintptr_t)sso_comparison_name(r->comparison);
	p.authn_class_refs = refs->str;
	/*
	 * The browser keeps the secret it has (two portals in two tabs
	 * both work); one it could have made up itself binds only that
	 * browser, so a malformed value is simply replaced.
	 */
	if (bind_cookie == NULL || crypt_token_parse(bind_cookie, secret) != 0)
		crypt_token_new(secret);
	crypt_token_hash(secret, p.binding_hash);
	p.has_binding = true;
	saml_reply_clear(out);
	crypt_token_new(token);
	crypt_token_hash(token, hash);
	if (store_saml_pending_insert(w->store, hash, &p, SAML_PENDING_TTL_S) !=
	    STORE_ONE_ROW) {
		sso_reply_page(out, SAML_E_UNAVAILABLE);
	} else {
		out->kind = SAML_REPLY_LOGIN;
		crypt_token_format(token, out->pending);
		crypt_token_format(secret, out->bind_cookie);
		out->via_continue = via_continue;
	}
	crypt_wipe(token, sizeof(token));
	crypt_wipe(hash, sizeof(hash));
	crypt_wipe(secret, sizeof(secret));
	crypt_wipe(p.binding_hash, sizeof(p.binding_hash));
	g_string_free(refs, TRUE);
}

/*
 * Whether @bind_cookie is the secret the pending row @p was bound to:
 * constant-time over the hashes. A row without a binding (made before
 * sql/009) matches nothing. @why for the log.
 */
static bool
bound_here(const struct store_saml_pending *p, const char *bind_cookie,
	   const char **why)
{
	uint8_t secret[CRYPT_TOKEN_BYTES], hash[CRYPT_TOKEN_HASH_BYTES];
	bool ok = false;

	if (!p->has_binding) {
		*why = "request without a browser binding";
		return false;
	}
	if (bind_cookie == NULL ||
	    crypt_token_parse(bind_cookie, secret) != 0) {
		*why = "no binding cookie";
		goto out;
	}
	crypt_token_hash(secret, hash);
	ok = crypt_equal(hash, p->binding_hash, sizeof(hash));
	if (!ok)
		*why = "binding cookie of another browser";
out:
	crypt_wipe(secret, sizeof(secret));
	crypt_wipe(hash, sizeof(hash));
	return ok;
}

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

/*
 * Load the pending request @pending for this browser (@bind_cookie) into
 * @r, with its hash in @hash and the worker's cache in *@sw. False after
 * filling @out with the page to show (malformed, unknown, another
 * browser's: logged and audited unless @quiet; or a failure of ours).
 */
static bool
pending_load(struct worker *w, const char *pending, const char *bind_cookie,
	     const struct session_info *si, const char *client, bool quiet,
	     struct saml_reply *out, struct sso_request *r,
	     uint8_t hash[CRYPT_TOKEN_HASH_BYTES], struct saml_worker **sw)
{
	const char *why = NULL;
	struct store_saml_pending row = {0};
	uint8_t token[CRYPT_TOKEN_BYTES];
	bool ok = false;
	int rc;

	saml_reply_clear(out);
	if (pending == NULL || crypt_token_parse(pending, token) != 0) {
		if (!quiet)
			log_kv(LOG_LEVEL_INFO, "saml_request_refused", "reason",
			       "pending_unknown", "saw", "malformed id", NULL);
		sso_reply_page(out, SAML_E_PENDING_UNKNOWN);
		return false;
	}
	crypt_token_hash(token, hash);
	rc = saml_worker_ensure(w, sw);
	if (rc == 0 && (*sw)->server == NULL)
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
	if (rc == STORE_NO_ROW && quiet) {
		sso_reply_page(out, SAML_E_PENDING_UNKNOWN);
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
	/*
	 * Another browser's request is "unknown" to this one: the same page
	 * as for a wrong id, so the answer tells nothing about the id.
	 */
	bool bound = bound_here(&row, bind_cookie, &why);
	if (!bound && quiet) {
		sso_reply_page(out, SAML_E_PENDING_UNKNOWN);
		goto out;
	}
	if (!bound) {
		log_kv(LOG_LEVEL_INFO, "saml_request_refused", "reason",
		       "pending_unknown", "saw", why, "sp", row.sp_entity_id,
		       NULL);
		sso_audit_rejected(w, SAML_E_PENDING_UNKNOWN, row.sp_entity_id,
				   row.request_id,
				   si && si->valid ? si->account.audit_ref
						   : NULL,
				   client, why);
		sso_reply_page(out, SAML_E_PENDING_UNKNOWN);
		goto out;
	}
	if (!from_row(&row, r)) {
		log_kv(LOG_LEVEL_ERROR, "bug_saml_pending_row", NULL);
		sso_reply_page(out, SAML_E_INTERNAL);
		goto out;
	}
	ok = true;
out:
	store_saml_pending_clear(&row);
	crypt_wipe(token, sizeof(token));
	return ok;
}

void
saml_sso_continue(struct worker *w, const char *pending,
		  const char *bind_cookie, const struct session_info *si,
		  const char *client, struct saml_reply *out)
{
	struct sso_request r = {0};
	struct saml_worker *sw = NULL;
	uint8_t hash[CRYPT_TOKEN_HASH_BYTES];

	if (!pending_load(w, pending, bind_cookie, si, client, false, out, &r,
			  hash, &sw))
		goto out;
	bool have = si != NULL && si->valid;
	/*
	 * ForceAuthn: only a login made after the request counts (same
	 * second included: both clocks are the database's).
	 */
	bool fresh = have && (!r.force_authn ||
			      si->session.created_at >= r.received_at);
	if (fresh) {
		sso_respond(w, sw, &r, si, 0, hash, client, out);
		/*
		 * The session is below the level asked for and an eID step-up
		 * would reach it: sso_respond() left the request pending and
		 * the citizen goes to the login page, which offers it.
		 */
		if (out->kind == SAML_REPLY_LOGIN && out->pending[0] == '\0')
			memcpy(out->pending, pending, SAML_PENDING_ID_LEN + 1);
	} else if (r.is_passive) {
		sso_respond(w, sw, &r, NULL, SAML_E_NO_PASSIVE, hash, client,
			    out);
	} else {
		out->kind = SAML_REPLY_LOGIN;
		memcpy(out->pending, pending, SAML_PENDING_ID_LEN);
		out->pending[SAML_PENDING_ID_LEN] = '\0';
	}
out:
	sso_request_clear(&r);
	crypt_wipe(hash, sizeof(hash));
}

bool
saml_pending_step_up(struct worker *w, const char *pending,
		     const char *bind_cookie, const struct session_info *si,
		     const char *client)
{
	struct saml_reply out = {0};
	struct sso_request r = {0};
	struct saml_worker *sw = NULL;
	uint8_t hash[CRYPT_TOKEN_HASH_BYTES];
	bool step_up = false;

	if (si == NULL || !si->valid)
		return false;
	/*
	 * Quiet: the login page asks this for every pending id it shows; the
	 * refusals are audited where the request is used, at /saml/continue.
	 */
	if (pending_load(w, pending, bind_cookie, si, client, true, &out, &r,
			 hash, &sw))
		step_up = sso_step_up_needed(&r, si);
	saml_reply_clear(&out);
	sso_request_clear(&r);
	crypt_wipe(hash, sizeof(hash));
	return step_up;
}

void
saml_sso_give_up(struct worker *w, const char *pending, const char *bind_cookie,
		 const struct session_info *si, const char *client,
		 struct saml_reply *out)
{
	struct sso_request r = {0};
	struct saml_worker *sw = NULL;
	uint8_t hash[CRYPT_TOKEN_HASH_BYTES];

	if (pending_load(w, pending, bind_cookie, si, client, false, out, &r,
			 hash, &sw))
		sso_respond(w, sw, &r, si != NULL && si->valid ? si : NULL,
			    SAML_E_NO_AUTHN_CONTEXT, hash, client, out);
	sso_request_clear(&r);
	crypt_wipe(hash, sizeof(hash));
}
