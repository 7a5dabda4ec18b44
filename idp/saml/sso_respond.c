/*
 * How a checked request is answered: the level to assert, the NameID,
 * the assertion with its attributes, signed as the SP's metadata asks
 * (WantAssertionsSigned: the assertion, else the response; never both),
 * encrypted when the SP's setting says so, and sent as an HTTP-POST form
 * to the ACS chosen when the request was checked. The pending request
 * is used up, the participant recorded and the audit row written in one
 * transaction before the form leaves. A request without an ID (an
 * IdP-initiated login, sso_init.c) gets an unsolicited response: no
 * InResponseTo, neither on the Response nor in the assertion.
 */
#include <string.h>

#include "idp/audit/audit.h"
#include "idp/cfg/cfg.h"
#include "idp/common/worker.h"
#include "idp/log/log.h"
#include "idp/saml/sso_internal.h"
#include "idp/session/session.h"

/* --- the NameID --- */

struct nameid_tx {
	int64_t account_id;
	const char *sp;
	bool allow_create;
	char nameid[STORE_SAML_NAMEID_LEN + 1];
	bool refused;
};

/*
 * The persistent pairwise NameID: read it, or make it (256 random bits,
 * never derived from anything about the citizen). Two first logins at
 * once: one insert wins, the other reads the winner's value.
 */
static int
nameid_tx(struct store *s, void *cls)
{
	struct nameid_tx *t = cls;
	char fresh[SAML_PENDING_ID_LEN + 1];
	int rc;

	t->refused = false;
	rc = store_saml_pairwise_select(s, t->account_id, t->sp, t->nameid);
	if (rc != STORE_NO_ROW)
		return rc;
	if (!t->allow_create) {
		t->refused = true;
		return STORE_NO_ROW;
	}
	sso_random_id(fresh);
	rc = store_saml_pairwise_insert(s, t->account_id, t->sp, fresh);
	if (rc == STORE_ONE_ROW) {
		memcpy(t->nameid, fresh, sizeof(t->nameid));
		return rc;
	}
	if (rc != STORE_NO_ROW)
		return rc;
	return store_saml_pairwise_select(s, t->account_id, t->sp, t->nameid);
}

/* --- the transaction that goes with the answer --- */

struct issued_tx {
	const uint8_t *pending_hash;
	const struct sso_request *r;
	const struct session_info *si;
	const char *nameid;
	const char *format;
	const char *session_index;
	const char *class_ref;
	int status_error;
	const char *client;
	bool pending_gone;
};

static int
issued_tx(struct store *s, void *cls)
{
	struct issued_tx *t = cls;
	char *details;
	int rc;

	t->pending_gone = false;
	if (t->pending_hash != NULL) {
		rc = store_saml_pending_delete(s, t->pending_hash);
		if (rc == STORE_NO_ROW) {
			/* Used by a parallel request: that one answers. */
			t->pending_gone = true;
			return STORE_NO_ROW;
		}
		if (rc < 0)
			return rc;
	}
	if (t->status_error == 0) {
		struct store_saml_participant p = {
			.session_id = t->si->session.id,
			.sp_entity_id = t->r->sp_entity_id,
			.nameid = t->nameid,
			.nameid_format = t->format,
			.session_index = t->session_index,
		};
		rc = store_saml_participant_insert(s, &p);
		if (rc < 0)
			return rc;
		/* The NameID stays out: it would link the log to the SP. */
		details = audit_details(
			"sp", t->r->sp_entity_id, "nameid_format", t->format,
			"authn_context", t->class_ref, "session",
			t->si->session.handle, "initiated",
			t->r->request_id == NULL ? "idp_initiated"
						 : "sp_initiated",
			NULL);
		rc = audit_append(s, "sso_response_issued", "citizen",
				  t->si->account.audit_ref, t->client, details);
	} else {
		details = audit_details(
			"reason",
			saml_error_info((enum saml_error)t->status_error)->name,
			"sp", t->r->sp_entity_id, "request_id",
			t->r->request_id, "status", "sent to the ACS", NULL);
		rc = audit_append(
			s, "sso_request_rejected", "citizen",
			t->si && t->si->valid ? t->si->account.audit_ref : NULL,
			t->client, details);
	}
	g_free(details);
	return rc;
}

/* --- the assertion --- */

static char *
new_id(void)
{
	char rnd[SAML_PENDING_ID_LEN + 1];

	/* xs:ID must not start with a digit or '-': the "_" sees to it. */
	sso_random_id(rnd);
	return g_strconcat("_", rnd, NULL);
}

static LassoSaml2Assertion *
assertion_build(const char *idp, const struct sso_request *r,
		const struct session_info *si, const char *nameid,
		const char *class_ref, const char *session_index, int64_t now)
{
	LassoSaml2Assertion *a =
		LASSO_SAML2_ASSERTION(lasso_saml2_assertion_new());
	LassoSaml2Conditions *c;
	LassoSaml2AudienceRestriction *ar;
	LassoSaml2NameID *n;
	LassoSaml2SubjectConfirmation *sc;
	LassoSaml2SubjectConfirmationData *scd;
	LassoSaml2AuthnStatement *as;
	LassoSaml2AuthnContext *ac;

	a->ID = new_id();
	a->Version = g_strdup("2.0");
	a->IssueInstant = saml_time_format(now);
	a->Issuer = LASSO_SAML2_NAME_ID(
		lasso_saml2_name_id_new_with_string((char *)(uintptr_t)idp));

	/* Valid for this SP only, briefly, with room for clock skew. */
	c = LASSO_SAML2_CONDITIONS(lasso_saml2_conditions_new());
	c->NotBefore = saml_time_format(now - SAML_CLOCK_SKEW_S);
	c->NotOnOrAfter = saml_time_format(now + SAML_ASSERTION_LIFETIME_S);
	ar = LASSO_SAML2_AUDIENCE_RESTRICTION(
		lasso_saml2_audience_restriction_new());
	ar->Audience = g_strdup(r->sp_entity_id);
	c->AudienceRestriction = g_list_append(NULL, ar);
	a->Conditions = c;

	a->Subject = LASSO_SAML2_SUBJECT(lasso_saml2_subject_new());
	n = LASSO_SAML2_NAME_ID(lasso_saml2_name_id_new());
	n->content = g_strdup(nameid);
	n->Format = g_strdup(r->nameid == SAML_NAMEID_PERSISTENT
				     ? SSO_NAMEID_PERSISTENT
				     : SSO_NAMEID_TRANSIENT);
	n->NameQualifier = g_strdup(idp);
	n->SPNameQualifier = g_strdup(r->sp_entity_id);
	a->Subject->NameID = n;
	/* Bearer, for this request, this ACS, until the assertion ends. */
	sc = LASSO_SAML2_SUBJECT_CONFIRMATION(
		lasso_saml2_subject_confirmation_new());
	sc->Method = g_strdup("urn:oasis:names:tc:SAML:2.0:cm:bearer");
	scd = LASSO_SAML2_SUBJECT_CONFIRMATION_DATA(
		lasso_saml2_subject_confirmation_data_new());
	scd->NotOnOrAfter = saml_time_format(now + SAML_ASSERTION_LIFETIME_S);
	scd->Recipient = g_strdup(r->acs_url);
	/* NULL (left out) for an unsolicited, IdP-initiated response. */
	scd->InResponseTo = g_strdup(r->request_id);
	sc->SubjectConfirmationData = scd;
	a->Subject->SubjectConfirmation = sc;

	as = LASSO_SAML2_AUTHN_STATEMENT(lasso_saml2_authn_statement_new());
	as->AuthnInstant = saml_time_format(si->session.created_at);
	as->SessionIndex = g_strdup(session_index);
	as->SessionNotOnOrAfter =
		saml_time_format(si->session.absolute_expires_at);
	ac = LASSO_SAML2_AUTHN_CONTEXT(lasso_saml2_authn_context_new());
	ac->AuthnContextClassRef = g_strdup(class_ref);
	as->AuthnContext = ac;
	a->AuthnStatement = g_list_append(NULL, as);
	return a;
}

static void
set_status(LassoProfile *profile, enum saml_error e)
{
	const struct saml_error_info *info = saml_error_info(e);
	LassoSamlp2StatusResponse *resp =
		LASSO_SAMLP2_STATUS_RESPONSE(profile->response);
	LassoSamlp2Status *st = LASSO_SAMLP2_STATUS(lasso_samlp2_status_new());
	LassoSamlp2StatusCode *top =
		LASSO_SAMLP2_STATUS_CODE(lasso_samlp2_status_code_new());

	top->Value = g_strdup(info->status);
	if (info->substatus != NULL) {
		LassoSamlp2StatusCode *sub = LASSO_SAMLP2_STATUS_CODE(
			lasso_samlp2_status_code_new());
		sub->Value = g_strdup(info->substatus);
		top->StatusCode = sub;
	}
	st->StatusCode = top;
	if (resp->Status != NULL)
		g_object_unref(resp->Status);
	resp->Status = st;
}

/*
 * @a signed with the cache's preloaded key, as the exact signed XML in a
 * node of its own: lasso's own assertion signing would parse the PEM key
 * again for every signature. NULL (logged) on failure.
 */
static LassoNode *
assertion_sign(LassoKey *key, LassoSaml2Assertion *a)
{
	xmlNode *x = lasso_node_get_xmlNode(LASSO_NODE(a), FALSE);
	LassoNode *signed_node = NULL;

	if (x != NULL && saml_xml_sign(key, x, a->ID, SAML_SIG_AFTER_ISSUER))
		signed_node =
			LASSO_NODE(lasso_misc_text_node_new_with_xml_node(x));
	if (x != NULL)
		xmlFreeNode(x);
	return signed_node;
}

/* scheme://host[:port] of @url, for the reply's form-action. */
static char *
url_origin(const char *url)
{
	const char *p = strstr(url, "://");
	size_t len;

	if (p == NULL)
		return NULL;
	p += 3;
	len = (size_t)(p - url) + strcspn(p, "/?#");
	return g_strndup(url, len);
}

/*
 * lasso's part: a response to the request (rebuilt from the checked
 * fields, so a pending request answers exactly like a direct one), the
 * assertion or the status, the signature, the POST form body.
 */
static int
lasso_response(struct saml_worker *sw, const struct saml_sp_entry *sp,
	       const struct sso_request *r, LassoSaml2Assertion *assertion,
	       int64_t now, int status_error, struct saml_reply *out)
{
	LassoLogin *login = lasso_login_new(sw->server);
	LassoProfile *profile;
	LassoSamlp2AuthnRequest *req;
	LassoSamlp2StatusResponse *sr;
	bool sign_assertion = sp->meta.want_assertions_signed;
	int lrc, rc = SAML_E_INTERNAL;

	if (login == NULL)
		return SAML_E_INTERNAL;
	profile = LASSO_PROFILE(login);
	lrc = lasso_login_init_idp_initiated_authn_request(login,
							   sp->entity_id);
	if (lrc != 0) {
		sso_lasso_fail("login_init_idp_initiated_authn_request", lrc);
		goto out;
	}
	req = LASSO_SAMLP2_AUTHN_REQUEST(profile->request);
	if (r->request_id != NULL) {
		g_free(req->parent.ID);
		req->parent.ID = g_strdup(r->request_id);
	}
	g_free(req->AssertionConsumerServiceURL);
	req->AssertionConsumerServiceURL = g_strdup(r->acs_url);
	g_free(req->ProtocolBinding);
	req->ProtocolBinding = g_strdup(SSO_BINDING_POST);
	lasso_profile_set_signature_verify_hint(
		profile, LASSO_PROFILE_SIGNATURE_VERIFY_HINT_IGNORE);
	/* Checks the ACS against the metadata once more, sets InResponseTo. */
	lrc = lasso_login_process_authn_request_msg(login, NULL);
	if (lrc != 0) {
		sso_lasso_fail("login_process_authn_request_msg", lrc);
		goto out;
	}
	if (!LASSO_IS_SAMLP2_RESPONSE(profile->response)) {
		log_kv(LOG_LEVEL_ERROR, "bug_saml_no_response", NULL);
		goto out;
	}
	/*
	 * lasso stamps the response with this host's clock; every other
	 * time we issue is the database's (store_now()), so that a node
	 * whose clock is off still answers in time (tests/faults).
	 */
	sr = LASSO_SAMLP2_STATUS_RESPONSE(profile->response);
	g_free(sr->IssueInstant);
	sr->IssueInstant = saml_time_format(now);
	/*
	 * IdP-initiated: lasso answered the request it made up itself; the
	 * response is unsolicited (saml-profiles 4.1.5) and must not name
	 * that request. Removed before the response is signed.
	 */
	if (r->request_id == NULL) {
		g_free(sr->InResponseTo);
		sr->InResponseTo = NULL;
	}
	if (status_error != 0) {
		set_status(profile, (enum saml_error)status_error);
		sign_assertion = false;
	} else {
		LassoSamlp2Response *resp =
			LASSO_SAMLP2_RESPONSE(profile->response);
		LassoNode *node = LASSO_NODE(assertion);
		if (sign_assertion) {
			node = assertion_sign(sw->key, assertion);
			if (node == NULL)
				goto out;
		}
		if (sp->encrypt_assertions) {
			LassoProvider *p = lasso_server_get_provider(
				sw->server, sp->entity_id);
			LassoSaml2EncryptedElement *enc =
				p ? lasso_provider_saml2_node_encrypt(p, node)
				  : NULL;
			if (enc == NULL) {
				log_kv(LOG_LEVEL_ERROR, "lasso_failed", "step",
				       "provider_saml2_node_encrypt", "sp",
				       sp->entity_id, NULL);
				goto out;
			}
			resp->EncryptedAssertion =
				g_list_append(resp->EncryptedAssertion, enc);
		} else {
			resp->Assertion = g_list_append(resp->Assertion,
							g_object_ref(node));
		}
		if (node != LASSO_NODE(assertion))
			g_object_unref(node);
	}
	/* One signature: on the assertion when asked for, else the response. */
	lasso_profile_set_signature_hint(
		profile, sign_assertion ? LASSO_PROFILE_SIGNATURE_HINT_FORBID
					: LASSO_PROFILE_SIGNATURE_HINT_FORCE);
	g_free(profile->msg_relayState);
	profile->msg_relayState = g_strdup(r->relay_state);
	lrc = lasso_login_build_authn_response_msg(login);
	if (lrc != 0) {
		sso_lasso_fail("login_build_authn_response_msg", lrc);
		goto out;
	}
	if (profile->msg_url == NULL || profile->msg_body == NULL ||
	    strcmp(profile->msg_url, r->acs_url) != 0) {
		log_kv(LOG_LEVEL_ERROR, "bug_saml_response_url", "sp",
		       sp->entity_id, NULL);
		goto out;
	}
	out->acs_url = g_strdup(r->acs_url);
	out->acs_origin = url_origin(r->acs_url);
	out->saml_response = g_strdup(profile->msg_body);
	out->relay_state = g_strdup(r->relay_state);
	rc = out->acs_origin != NULL ? 0 : SAML_E_INTERNAL;
out:
	g_object_unref(login);
	return rc;
}

bool
sso_step_up_needed(const struct sso_request *r, const struct session_info *si)
{
	const char *chosen = NULL;
	const char *cmp = r->comparison == SSO_CMP_NONE
				  ? NULL
				  : sso_comparison_name(r->comparison);

	/* IsPassive: the citizen may not be asked for anything. */
	if (si == NULL || !si->valid || r->is_passive)
		return false;
	return saml_level_choose(cmp, (const char *const *)r->class_refs,
				 r->n_class_refs,
				 saml_level_of_loa(si->session.loa),
				 &chosen) == SAML_E_NO_AUTHN_CONTEXT &&
	       saml_level_choose(cmp, (const char *const *)r->class_refs,
				 r->n_class_refs, saml_level_of_loa("high"),
				 &chosen) == 0;
}

int
sso_response_build(struct saml_worker *sw, const struct saml_sp_entry *sp,
		   const struct sso_request *r, const struct session_info *si,
		   const char *idp, const char *nameid, const char *class_ref,
		   const char *session_index, int64_t now, int status_error,
		   struct saml_reply *out)
{
	LassoSaml2Assertion *assertion = NULL;
	int rc;

	if (status_error == 0) {
		assertion = assertion_build(idp, r, si, nameid, class_ref,
					    session_index, now);
		sso_attributes_add(assertion, sp, &si->account);
	}
	rc = lasso_response(sw, sp, r, assertion, now, status_error, out);
	if (assertion != NULL)
		g_object_unref(assertion);
	return rc;
}

void
sso_respond(struct worker *w, struct saml_worker *sw,
	    const struct sso_request *r, const struct session_info *si,
	    int status_error, const uint8_t *pending_hash, const char *client,
	    struct saml_reply *out)
{
	const struct saml_sp_entry *sp = saml_worker_sp(sw, r->sp_entity_id);
	struct nameid_tx nt = {0};
	const char *class_ref = NULL;
	char session_index[SAML_PENDING_ID_LEN + 2];
	char *idp = saml_idp_entity_id(w->cfg);
	int64_t now = 0;
	int rc;

	saml_reply_clear(out);
	if (sp == NULL || !sp->enabled || !sp->in_lasso) {
		/* Disabled or removed while the citizen was logging in. */
		sso_reply_page(out, SAML_E_DISABLED_ISSUER);
		goto out;
	}
	if (store_now(w->store, &now) != STORE_ONE_ROW) {
		sso_reply_page(out, SAML_E_UNAVAILABLE);
		goto out;
	}
	/* The level: never more than the session has. */
	if (status_error == 0) {
		status_error = saml_level_choose(
			r->comparison == SSO_CMP_NONE
				? NULL
				: sso_comparison_name(r->comparison),
			(const char *const *)r->class_refs, r->n_class_refs,
			saml_level_of_loa(si->session.loa), &class_ref);
		/*
		 * Step-up: the session is below the level asked for, and an
		 * eID (level high) reaches it. Nothing is answered: the
		 * caller keeps the request pending (or stores it first, with
		 * the browser's binding) and sends the citizen to the login
		 * page, which offers the eID, or tells how to link a card and
		 * lets the citizen give up (then NoAuthnContext).
		 */
		if (status_error == SAML_E_NO_AUTHN_CONTEXT &&
		    sso_step_up_needed(r, si)) {
			out->kind = SAML_REPLY_LOGIN;
			out->pending[0] = '\0';
			goto out;
		}
	}
	/*
	 * The NameID. Every login but the first at an SP finds it with one
	 * read, outside a transaction; only a first login needs one.
	 */
	if (status_error == 0 && r->nameid == SAML_NAMEID_PERSISTENT) {
		nt.account_id = si->account.id;
		nt.sp = r->sp_entity_id;
		nt.allow_create = r->allow_create;
		rc = store_saml_pairwise_select(w->store, nt.account_id, nt.sp,
						nt.nameid);
		if (rc == STORE_NO_ROW)
			rc = store_run_tx(w->store, "saml_pairwise", false,
					  nameid_tx, &nt);
		if (rc < 0) {
			sso_reply_page(out, SAML_E_UNAVAILABLE);
			goto out;
		}
		if (nt.refused)
			status_error = SAML_E_NAMEID_POLICY;
	} else if (status_error == 0) {
		sso_random_id(nt.nameid);
	}
	session_index[0] = '_';
	sso_random_id(session_index + 1);
	rc = sso_response_build(sw, sp, r, si, idp, nt.nameid, class_ref,
				session_index, now, status_error, out);
	if (rc != 0) {
		saml_reply_clear(out);
		sso_reply_page(out, (enum saml_error)rc);
		goto out;
	}
	struct issued_tx it = {
		.pending_hash = pending_hash,
		.r = r,
		.si = si,
		.nameid = nt.nameid,
		.format = saml_nameid_name(r->nameid),
		.session_index = session_index,
		.class_ref = class_ref,
		.status_error = status_error,
		.client = client,
	};
	rc = store_run_tx(w->store, "saml_issued", false, issued_tx, &it);
	if (rc < 0 || it.pending_gone) {
		saml_reply_clear(out);
		sso_reply_page(out, it.pending_gone ? SAML_E_PENDING_UNKNOWN
						    : SAML_E_UNAVAILABLE);
		goto out;
	}
	out->kind = SAML_REPLY_POST;
	out->is_error_status = status_error != 0;
	out->error = (enum saml_error)status_error;
	log_kv(LOG_LEVEL_INFO,
	       status_error ? "saml_status_sent" : "saml_assertion_issued",
	       "sp", r->sp_entity_id, "status",
	       status_error
		       ? saml_error_info((enum saml_error)status_error)->name
		       : "success",
	       NULL);
out:
	memset(nt.nameid, 0, sizeof(nt.nameid));
	g_free(idp);
}
