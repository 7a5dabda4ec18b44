/*
 * /eid/acs/finish: one SAMLResponse from the eID service, checked rule by
 * rule (docs/eid.md, "Validators"), each rule its own error and audit
 * reason. lasso does the cryptography (signature verification forced,
 * decryption); everything lasso leaves to an SP's caller is checked
 * here: before lasso on the outer Response (eid_response_check.c), after
 * it on the decrypted assertion, then against the database (replay, the
 * request we sent, this browser).
 */
#include <string.h>
#include <time.h>

#include <lasso/xml/saml-2.0/saml2_audience_restriction.h>
#include <lasso/xml/saml-2.0/saml2_authn_context.h>
#include <lasso/xml/saml-2.0/saml2_authn_statement.h>
#include <lasso/xml/saml-2.0/saml2_conditions.h>
#include <lasso/xml/saml-2.0/saml2_name_id.h>
#include <lasso/xml/saml-2.0/saml2_subject.h>
#include <lasso/xml/saml-2.0/saml2_subject_confirmation.h>
#include <lasso/xml/saml-2.0/saml2_subject_confirmation_data.h>
#include <lasso/xml/saml-2.0/samlp2_response.h>

#include "idp/common/worker.h"
#include "idp/crypto/crypt.h"
#include "idp/eid/eid_binding.h"
#include "idp/eid/eid_response_check.h"
#include "idp/log/log.h"

/* Everything one check needs, and what it found. */
struct acs {
	struct worker *w;
	struct eid_worker *ew;
	const char *b64;
	size_t len;
	const char *bind_cookie;
	char *acs_url;
	char *our_id;
	int64_t now;
	struct eid_outer outer;
	LassoLogin *login;
	LassoSaml2Assertion *assertion; /* borrowed from login */
	const char *why;
};

/* The lasso step: verify the Response's signature (forced), decrypt. */
static enum eid_error
lasso_step(struct acs *a)
{
	LassoProfile *profile;
	LassoSamlp2Response *resp;
	int rc;

	a->login = lasso_login_new(a->ew->server);
	if (a->login == NULL)
		return EID_E_INTERNAL;
	profile = LASSO_PROFILE(a->login);
	/*
	 * Forced, never a hint from the metadata: an unsigned response is
	 * refused whatever the service's metadata or lasso's defaults say.
	 */
	lasso_profile_set_signature_verify_hint(
		profile, LASSO_PROFILE_SIGNATURE_VERIFY_HINT_FORCE);
	rc = lasso_login_process_authn_response_msg(a->login,
						    (char *)(uintptr_t)a->b64);
	if (rc != 0) {
		char code[16];

		(void)snprintf(code, sizeof(code), "%d", rc);
		log_kv(LOG_LEVEL_INFO, "eid_lasso_refused", "code", code,
		       "error", lasso_strerror(rc), NULL);
		a->why = lasso_strerror(rc);
		switch (rc) {
		case LASSO_DS_ERROR_DECRYPTION_FAILED:
		case LASSO_DS_ERROR_DECRYPTION_FAILED_MISSING_PRIVATE_KEY:
		case LASSO_PROFILE_ERROR_MISSING_ENCRYPTION_PRIVATE_KEY:
		case LASSO_XMLENC_ERROR_INVALID_ENCRYPTED_DATA:
			return EID_E_DECRYPT;
		case LASSO_LOGIN_ERROR_INVALID_ASSERTION_SIGNATURE:
			return EID_E_ASSERTION_SIGNATURE;
		case LASSO_DS_ERROR_SIGNATURE_NOT_FOUND:
			/*
			 * lasso says the same for either element; with a
			 * signature on the Response, the one it missed is
			 * the assertion's.
			 */
			return a->outer.signed_response
				       ? EID_E_ASSERTION_SIGNATURE
				       : EID_E_SIGNATURE;
		default:
			return EID_E_SIGNATURE;
		}
	}
	/* Whatever lasso thinks of a hint: the status must show it checked. */
	if (lasso_profile_get_signature_status(profile) != 0)
		return EID_E_SIGNATURE;
	resp = LASSO_IS_SAMLP2_RESPONSE(profile->response)
		       ? LASSO_SAMLP2_RESPONSE(profile->response)
		       : NULL;
	if (resp == NULL || resp->Assertion == NULL ||
	    resp->Assertion->next != NULL ||
	    !LASSO_IS_SAML2_ASSERTION(resp->Assertion->data)) {
		a->why = "lasso did not decrypt exactly one assertion";
		return EID_E_DECRYPT;
	}
	a->assertion = LASSO_SAML2_ASSERTION(resp->Assertion->data);
	return EID_OK;
}

/* Signed by the service's metadata key, and the signed node is it. */
static enum eid_error
assertion_signature(struct acs *a)
{
	LassoProvider *p = lasso_server_get_provider(a->ew->server,
						     a->ew->service_entity_id);
	xmlNode *an = lasso_node_get_original_xmlnode(LASSO_NODE(a->assertion));
	enum eid_error e;
	int rc;

	if (p == NULL || an == NULL) {
		a->why = "no original node";
		return EID_E_ASSERTION_SIGNATURE;
	}
	e = eid_assertion_structure(an, &a->why);
	if (e != EID_OK)
		return e;
	rc = lasso_provider_verify_single_node_signature(
		p, LASSO_NODE(a->assertion), "ID");
	if (rc != 0) {
		a->why = lasso_strerror(rc);
		return EID_E_ASSERTION_SIGNATURE;
	}
	return EID_OK;
}

static enum eid_error
assertion_issuer(struct acs *a)
{
	const LassoSaml2NameID *iss = a->assertion->Issuer;

	if (iss == NULL || iss->content == NULL ||
	    strcmp(iss->content, a->ew->service_entity_id) != 0)
		return EID_E_ASSERTION_ISSUER;
	return EID_OK;
}

/* At least one AudienceRestriction, and every one names us. */
static enum eid_error
audience(struct acs *a)
{
	const LassoSaml2Conditions *c = a->assertion->Conditions;

	if (c == NULL || c->AudienceRestriction == NULL)
		return EID_E_AUDIENCE;
	for (GList *l = c->AudienceRestriction; l != NULL; l = l->next) {
		LassoSaml2AudienceRestriction *r = l->data;

		if (!LASSO_IS_SAML2_AUDIENCE_RESTRICTION(r) ||
		    r->Audience == NULL || strcmp(r->Audience, a->our_id) != 0)
			return EID_E_AUDIENCE;
	}
	return EID_OK;
}

/* Conditions NotBefore (optional) and NotOnOrAfter (required). */
static enum eid_error
conditions_time(struct acs *a)
{
	const LassoSaml2Conditions *c = a->assertion->Conditions;
	int64_t t;

	if (c->NotBefore != NULL && (!saml_time_parse(c->NotBefore, &t) ||
				     t > a->now + EID_CLOCK_SKEW_S))
		return EID_E_NOT_YET_VALID;
	if (c->NotOnOrAfter == NULL || !saml_time_parse(c->NotOnOrAfter, &t) ||
	    a->now >= t + EID_CLOCK_SKEW_S)
		return EID_E_EXPIRED;
	return EID_OK;
}

/* Both IssueInstants: not older than the limit, not in the future. */
static enum eid_error
issue_instant(struct acs *a)
{
	int64_t t = 0;

	if (!saml_time_parse(a->assertion->IssueInstant, &t))
		return EID_E_ISSUE_INSTANT;
	for (int i = 0; i < 2; i++) {
		int64_t v = i == 0 ? t : a->outer.issue_instant;

		if (v > a->now + EID_CLOCK_SKEW_S ||
		    v < a->now - EID_ISSUE_MAX_AGE_S - EID_CLOCK_SKEW_S)
			return EID_E_ISSUE_INSTANT;
	}
	return EID_OK;
}

/* The bearer confirmation: Recipient, InResponseTo, NotOnOrAfter. */
static enum eid_error
subject(struct acs *a)
{
	const LassoSaml2Subject *s = a->assertion->Subject;
	const LassoSaml2SubjectConfirmation *sc =
		s != NULL ? s->SubjectConfirmation : NULL;
	const LassoSaml2SubjectConfirmationData *d =
		sc != NULL ? sc->SubjectConfirmationData : NULL;
	int64_t t;

	if (d == NULL || sc->Method == NULL ||
	    strcmp(sc->Method, EID_CM_BEARER) != 0) {
		a->why = "no bearer SubjectConfirmationData";
		return EID_E_SUBJECT;
	}
	if (d->Recipient == NULL || strcmp(d->Recipient, a->acs_url) != 0)
		return EID_E_RECIPIENT;
	if (d->InResponseTo == NULL ||
	    strcmp(d->InResponseTo, a->outer.in_response_to) != 0) {
		a->why = "InResponseTo differs from the Response's";
		return EID_E_SUBJECT;
	}
	if (d->NotOnOrAfter == NULL || !saml_time_parse(d->NotOnOrAfter, &t) ||
	    a->now >= t + EID_CLOCK_SKEW_S) {
		a->why = "NotOnOrAfter";
		return EID_E_SUBJECT;
	}
	return EID_OK;
}

/* Exactly one AuthnStatement, at level high exactly. */
static enum eid_error
authn_statement(struct acs *a)
{
	const GList *l = a->assertion->AuthnStatement;
	const LassoSaml2AuthnStatement *st;

	if (l == NULL || l->next != NULL ||
	    !LASSO_IS_SAML2_AUTHN_STATEMENT(l->data))
		return EID_E_AUTHN_STATEMENT;
	st = l->data;
	if (st->AuthnContext == NULL ||
	    st->AuthnContext->AuthnContextClassRef == NULL ||
	    strcmp(st->AuthnContext->AuthnContextClassRef, EID_LOA_HIGH) != 0)
		return EID_E_LOA;
	return EID_OK;
}

/*
 * The IDs, never accepted twice: one atomic statement each, before the
 * request is used up, so that the exact bytes of an accepted response
 * are refused as a replay whatever became of their request.
 */
static enum eid_error
replay(struct acs *a)
{
	const char *kinds[2] = {"response", "assertion"};
	const char *ids[2] = {a->outer.response_id, a->assertion->ID};

	for (int i = 0; i < 2; i++) {
		int rc;

		if (ids[i] == NULL || strlen(ids[i]) > 256) {
			a->why = "ID";
			return EID_E_XML_STRUCTURE;
		}
		rc = store_eid_replay_insert(a->w->store, kinds[i], ids[i],
					     EID_REPLAY_TTL_S);
		if (rc < 0)
			return EID_E_UNAVAILABLE;
		if (rc == STORE_NO_ROW) {
			a->why = kinds[i];
			return EID_E_REPLAY;
		}
	}
	return EID_OK;
}

/* The request answered: live, unused, and this browser's (used up). */
static enum eid_error
request_take(struct acs *a, const uint8_t token[CRYPT_TOKEN_BYTES],
	     struct eid_result *out)
{
	struct store_eid_request r;
	uint8_t id_hash[CRYPT_HASH_BYTES], bind[STORE_EID_HASH_BYTES];
	enum eid_error e = EID_OK;
	int rc;

	crypt_hash(a->outer.in_response_to, strlen(a->outer.in_response_to),
		   id_hash);
	rc = store_eid_request_take(a->w->store, id_hash, &r);
	if (rc < 0)
		return EID_E_UNAVAILABLE;
	if (rc == STORE_NO_ROW)
		return EID_E_UNKNOWN_REQUEST;
	eid_binding_hash(token, bind);
	if (!crypt_equal(bind, r.binding_hash, sizeof(bind))) {
		e = EID_E_WRONG_BROWSER;
		goto out;
	}
	if (strcmp(r.purpose, "link") == 0)
		out->purpose = EID_PURPOSE_LINK;
	else if (strcmp(r.purpose, "login") == 0)
		out->purpose = EID_PURPOSE_LOGIN;
	else
		out->purpose = EID_PURPOSE_STEP_UP;
	out->session_id = r.session_id;
	if (r.has_pending &&
	    eid_binding_open(token, r.pending_sealed, r.pending_sealed_len,
			     out->pending, sizeof(out->pending)) != 0) {
		/* The binding matched, so this is not the browser's fault. */
		log_kv(LOG_LEVEL_ERROR, "bug_eid_pending_unsealable", NULL);
		e = EID_E_INTERNAL;
	}
out:
	crypt_wipe(&r, sizeof(r));
	crypt_wipe(bind, sizeof(bind));
	return e;
}

/* Every rule in order; the first that fails decides. */
static enum eid_error
check(struct acs *a, struct eid_result *out)
{
	enum eid_error (*const rules[])(struct acs *) = {
		assertion_signature, assertion_issuer, audience,
		conditions_time,     issue_instant,    subject,
		authn_statement,     replay,
	};
	uint8_t token[CRYPT_TOKEN_BYTES];
	xmlDoc *doc = NULL;
	char *xml = NULL;
	size_t xml_len = 0;
	enum eid_error e;

	e = eid_response_decode(a->b64, a->len, &xml, &xml_len);
	if (e == EID_OK)
		e = eid_response_parse(xml, xml_len, &doc);
	if (e != EID_OK)
		goto out;
	/* Without its binding cookie no browser can finish a request. */
	if (eid_binding_parse(a->bind_cookie, token) != 0) {
		e = EID_E_NO_BINDING;
		goto out;
	}
	e = eid_response_check(doc, a->acs_url, a->ew->service_entity_id,
			       &a->outer, &a->why);
	if (e == EID_OK)
		e = lasso_step(a);
	for (size_t i = 0; e == EID_OK && i < G_N_ELEMENTS(rules); i++)
		e = rules[i](a);
	if (e == EID_OK)
		e = request_take(a, token, out);
	if (e == EID_OK)
		e = eid_attributes_read(a->ew, a->assertion, &out->id, &a->why);
out:
	crypt_wipe(token, sizeof(token));
	xmlFreeDoc(doc);
	g_free(xml);
	return e;
}

int
eid_acs(struct worker *w, const char *b64, size_t len, const char *bind_cookie,
	const char *client, struct eid_result *out)
{
	struct acs a = {
		.w = w, .b64 = b64, .len = len, .bind_cookie = bind_cookie};
	enum eid_error e;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = eid_worker_ensure(w, &a.ew);
	if (rc != 0) {
		eid_audit_rejected(w, (enum eid_error)rc, client, NULL);
		return rc;
	}
	if (a.ew->server == NULL || a.ew->service_entity_id == NULL) {
		e = a.ew->unusable != EID_OK ? a.ew->unusable : EID_E_INTERNAL;
		eid_audit_rejected(w, e, client, NULL);
		return (int)e;
	}
	a.acs_url = eid_acs_url(w->cfg);
	a.our_id = eid_entity_id(w->cfg);
	a.now = (int64_t)time(NULL);
	e = check(&a, out);
	if (e != EID_OK) {
		eid_audit_rejected(w, e, client, a.why);
		eid_result_clear(out);
	} else {
		log_kv(LOG_LEVEL_INFO, "eid_response_accepted", "purpose",
		       eid_purpose_name(out->purpose), NULL);
	}
	eid_outer_clear(&a.outer);
	if (a.login != NULL)
		lasso_login_destroy(a.login);
	g_free(a.acs_url);
	g_free(a.our_id);
	return (int)e;
}
