/*
 * How an AuthnRequest is received: one validator per rule, in the order
 * of saml.h, each returning its own error and logging what it saw and
 * what it wanted. Until the request is known to come from a registered,
 * enabled SP whose metadata names the ACS, every failure is an HTML page;
 * after that, failures go back to that ACS as SAML status codes.
 */
#include <string.h>

#include "idp/cfg/cfg.h"
#include "idp/common/worker.h"
#include "idp/crypto/crypt.h"
#include "idp/log/log.h"
#include "idp/saml/sso_internal.h"
#include "idp/session/session.h"


static void
refused(const char *rule, const char *saw, const char *wanted)
{
	log_kv(LOG_LEVEL_INFO, "saml_request_refused", "reason", rule, "saw",
	       saw, "wanted", wanted, NULL);
}

/* Rule: the issuer is a registered relying party, and it is enabled. */
int
sso_validate_issuer(const struct saml_worker *sw, const char *issuer,
		    const struct saml_sp_entry **sp)
{
	*sp = saml_worker_sp(sw, issuer);
	if (*sp == NULL) {
		refused("unknown_issuer", issuer, "a registered entity ID");
		return SAML_E_UNKNOWN_ISSUER;
	}
	if (!(*sp)->enabled || !(*sp)->in_lasso) {
		refused("disabled_issuer", issuer, "an enabled SP");
		return SAML_E_DISABLED_ISSUER;
	}
	return 0;
}

/*
 * Rule: the response goes to an AssertionConsumerService of the issuer's
 * own metadata, with the HTTP-POST binding: the URL the request names
 * (exactly), or the one with its index, or the default. Nothing the
 * request says chooses an address the metadata does not name.
 */
static int
validate_acs(const struct saml_sp_entry *sp, const struct sso_parsed *p,
	     char **acs_url)
{
	const struct saml_sp_meta *m = &sp->meta;
	const struct saml_sp_endpoint *pick = NULL;

	*acs_url = NULL;
	if (p->acs_url != NULL && p->acs_index >= 0) {
		/* saml-core 3.4.1: mutually exclusive. */
		refused("acs_index_unknown", "both URL and index",
			"one of them");
		return SAML_E_ACS_INDEX_UNKNOWN;
	}
	if (p->protocol_binding != NULL &&
	    strcmp(p->protocol_binding, SSO_BINDING_POST) != 0) {
		refused("binding_unsupported", p->protocol_binding,
			SSO_BINDING_POST);
		return SAML_E_BINDING_UNSUPPORTED;
	}
	if (p->acs_url != NULL) {
		for (size_t i = 0; i < m->n_acs; i++)
			if (m->acs[i].binding == SAML_BINDING_HTTP_POST &&
			    strcmp(m->acs[i].location, p->acs_url) == 0)
				pick = &m->acs[i];
		if (pick == NULL) {
			refused("acs_url_unknown", p->acs_url,
				"an HTTP-POST ACS of the issuer's metadata");
			return SAML_E_ACS_URL_UNKNOWN;
		}
	} else if (p->acs_index >= 0) {
		for (size_t i = 0; i < m->n_acs; i++)
			if (m->acs[i].index == p->acs_index)
				pick = &m->acs[i];
		if (pick == NULL || pick->binding != SAML_BINDING_HTTP_POST) {
			char saw[16];
			snprintf(saw, sizeof(saw), "%d", p->acs_index);
			refused("acs_index_unknown", saw,
				"the index of an HTTP-POST ACS");
			return SAML_E_ACS_INDEX_UNKNOWN;
		}
	} else {
		/*
		 * The default (saml-metadata 2.2.3): isDefault="true", else
		 * the first without isDefault="false", else the first; of
		 * the HTTP-POST ones, the only binding we answer with.
		 */
		for (size_t i = 0; i < m->n_acs && pick == NULL; i++)
			if (m->acs[i].binding == SAML_BINDING_HTTP_POST &&
			    m->acs[i].is_default)
				pick = &m->acs[i];
		for (size_t i = 0; i < m->n_acs && pick == NULL; i++)
			if (m->acs[i].binding == SAML_BINDING_HTTP_POST &&
			    !m->acs[i].is_default_set)
				pick = &m->acs[i];
		for (size_t i = 0; i < m->n_acs && pick == NULL; i++)
			if (m->acs[i].binding == SAML_BINDING_HTTP_POST)
				pick = &m->acs[i];
		if (pick == NULL) {
			refused("acs_index_unknown", "none",
				"an HTTP-POST ACS in the metadata");
			return SAML_E_ACS_INDEX_UNKNOWN;
		}
	}
	*acs_url = g_strdup(pick->location);
	return 0;
}

/*
 * Rule: a signature that is there must verify (always, whatever the
 * SP's settings), and one must be there when the SP requires signed
 * requests. lasso verified it (the Redirect binding over the raw query,
 * POST enveloped); its verdict is read here, not left to a hint.
 */
static int
validate_signature(const struct saml_sp_entry *sp, const struct sso_parsed *p,
		   LassoLogin *login)
{
	int status = LASSO_PROFILE(login)->signature_status;

	/* Redirect: verified over the raw query before lasso ran. */
	if (p->binding == SAML_SSO_REDIRECT)
		status = 0;
	if (p->has_signature && status != 0) {
		refused("signature_invalid", lasso_strerror(status),
			"a valid signature by the SP's metadata key");
		return SAML_E_SIGNATURE_INVALID;
	}
	if (!p->has_signature && sp->require_signed_requests) {
		refused("signature_missing", "no signature",
			"a signed request (require_signed_requests)");
		return SAML_E_SIGNATURE_MISSING;
	}
	return 0;
}

/* Rule (Redirect): the signature over the raw query verifies. */
static int
validate_query_signature(const struct saml_sp_entry *sp,
			 const struct sso_parsed *p, const char *raw_query)
{
	const char *why = "";
	int rc;

	if (p->binding != SAML_SSO_REDIRECT || !p->has_signature)
		return 0;
	rc = sso_query_signature_verify(sp, raw_query, &why);
	if (rc != 0)
		refused("signature_invalid", why,
			"a valid signature by the SP's metadata key");
	return rc;
}

/*
 * Rule: lasso read the same request we checked: same ID and issuer. Two
 * parsers that disagree are the root of every wrapping attack.
 */
static int
validate_same(const struct sso_parsed *p, LassoSamlp2AuthnRequest *a)
{
	LassoSamlp2RequestAbstract *ra = &a->parent;

	if (ra->ID == NULL || strcmp(ra->ID, p->id) != 0 ||
	    ra->Issuer == NULL || ra->Issuer->content == NULL ||
	    strcmp(ra->Issuer->content, p->issuer) != 0) {
		refused("xml_structure", ra->ID ? ra->ID : "(none)", p->id);
		return SAML_E_XML_STRUCTURE;
	}
	if (ra->Version == NULL || strcmp(ra->Version, "2.0") != 0) {
		refused("xml_structure", ra->Version ? ra->Version : "(none)",
			"Version 2.0");
		return SAML_E_XML_STRUCTURE;
	}
	return 0;
}

/* Rule: Destination, when given, is our SSO endpoint. */
static int
validate_destination(const struct cfg *cfg, const char *destination)
{
	char *ours = saml_idp_sso_url(cfg);
	int rc = 0;

	if (destination != NULL && strcmp(destination, ours) != 0) {
		refused("destination", destination, ours);
		rc = SAML_E_DESTINATION;
	}
	g_free(ours);
	return rc;
}

/* Rule: the request ID has not been seen (from this issuer). */
static int
validate_replay(struct store *s, const char *issuer, const char *id)
{
	int rc = store_saml_replay_insert(s, issuer, id, SAML_REPLAY_TTL_S);

	if (rc == STORE_NO_ROW) {
		refused("replay", id, "an ID not seen before");
		return SAML_E_REPLAY;
	}
	return rc == STORE_ONE_ROW ? 0 : SAML_E_UNAVAILABLE;
}

/* Rule: IssueInstant within the allowed age and skew. */
static int
validate_issue_instant(const char *instant, int64_t now)
{
	int64_t t;

	if (!saml_time_parse(instant, &t)) {
		refused("issue_instant", instant ? instant : "(none)",
			"an xs:dateTime in UTC");
		return SAML_E_ISSUE_INSTANT;
	}
	if (t > now + SAML_CLOCK_SKEW_S ||
	    t < now - SAML_REQUEST_MAX_AGE_S - SAML_CLOCK_SKEW_S) {
		char *n = saml_time_format(now);
		refused("issue_instant", instant, n);
		g_free(n);
		return SAML_E_ISSUE_INSTANT;
	}
	return 0;
}

/*
 * Rule: the NameIDPolicy asks for what we issue. No Format (or
 * unspecified) takes the SP's setting; persistent and transient are
 * honoured; anything else (emailAddress above all: never the e-mail),
 * and an SPNameQualifier other than the SP, is InvalidNameIDPolicy.
 */
static int
validate_nameid_policy(const struct saml_sp_entry *sp,
		       const LassoSamlp2NameIDPolicy *pol,
		       struct sso_request *r)
{
	const char *f = pol ? pol->Format : NULL;

	r->nameid = sp->nameid;
	/* Without a policy the IdP may create one (saml-core 3.4.1.1). */
	r->allow_create = pol == NULL || pol->AllowCreate;
	if (f == NULL || strcmp(f, SSO_NAMEID_UNSPECIFIED) == 0)
		;
	else if (strcmp(f, SSO_NAMEID_PERSISTENT) == 0)
		r->nameid = SAML_NAMEID_PERSISTENT;
	else if (strcmp(f, SSO_NAMEID_TRANSIENT) == 0)
		r->nameid = SAML_NAMEID_TRANSIENT;
	else {
		refused("nameid_policy", f, "persistent or transient");
		return SAML_E_NAMEID_POLICY;
	}
	if (pol != NULL && pol->SPNameQualifier != NULL &&
	    strcmp(pol->SPNameQualifier, sp->entity_id) != 0) {
		refused("nameid_policy", pol->SPNameQualifier,
			"the SP's own entity ID");
		return SAML_E_NAMEID_POLICY;
	}
	return 0;
}

/*
 * Rule: a RequestedAuthnContext we can answer. Class refs are kept for
 * the response; what no login here can reach (more than "high", the
 * level of an eID login or step-up) is NoAuthnContext right away
 * instead of after a login that cannot help.
 */
static int
validate_authn_context(const LassoSamlp2RequestedAuthnContext *rac,
		       struct sso_request *r)
{
	const char *cmp = NULL, *chosen;
	int rc;

	r->comparison = SSO_CMP_NONE;
	if (rac == NULL)
		return 0;
	cmp = rac->Comparison;
	if (cmp == NULL)
		r->comparison = SSO_CMP_EXACT;
	else if (!sso_comparison_parse(cmp, &r->comparison) ||
		 r->comparison == SSO_CMP_NONE) {
		refused("authn_context", cmp, "exact|minimum|better|maximum");
		return SAML_E_AUTHN_CONTEXT;
	}
	if (rac->AuthnContextDeclRef != NULL) {
		refused("authn_context", "AuthnContextDeclRef",
			"AuthnContextClassRef");
		return SAML_E_AUTHN_CONTEXT;
	}
	for (GList *l = rac->AuthnContextClassRef; l != NULL; l = l->next) {
		const char *ref = l->data;
		if (r->n_class_refs == SAML_CLASS_REFS_MAX || ref == NULL ||
		    strlen(ref) > SAML_CLASS_REF_MAX ||
		    strchr(ref, '\n') != NULL) {
			refused("authn_context", "too many or too long",
				"a few class refs");
			return SAML_E_AUTHN_CONTEXT;
		}
		r->class_refs[r->n_class_refs++] = g_strdup(ref);
	}
	if (r->n_class_refs == 0) {
		r->comparison = SSO_CMP_NONE;
		return 0;
	}
	rc = saml_level_choose(sso_comparison_name(r->comparison),
			       (const char *const *)r->class_refs,
			       r->n_class_refs, saml_level_of_loa("high"),
			       &chosen);
	if (rc != 0)
		refused(saml_error_info((enum saml_error)rc)->name,
			r->class_refs[0], "a level an eID login reaches");
	return rc;
}

/*
 * Everything lasso is asked to do with the request: parse it, verify
 * its signature, and agree with our reading of it.
 */
static int
lasso_checks(LassoLogin *login, const struct saml_sp_entry *sp,
	     const struct sso_parsed *p, LassoSamlp2AuthnRequest **authn)
{
	LassoProfile *profile = LASSO_PROFILE(login);
	int lrc, rc;

	*authn = NULL;
	/*
	 * lasso verifies whatever signature it finds either way; with the
	 * hint IGNORE it leaves the verdict in signature_status to us
	 * instead of applying its own policy (metadata flags) to it.
	 */
	lasso_profile_set_signature_verify_hint(
		profile, LASSO_PROFILE_SIGNATURE_VERIFY_HINT_IGNORE);
	lrc = lasso_login_process_authn_request_msg(login, p->lasso_msg);
	if (lrc != 0) {
		sso_lasso_fail("login_process_authn_request_msg", lrc);
		if (lrc == LASSO_PROFILE_ERROR_INVALID_PROTOCOLPROFILE ||
		    lrc == LASSO_LOGIN_ERROR_NO_DEFAULT_ENDPOINT)
			return p->acs_url ? SAML_E_ACS_URL_UNKNOWN
					  : SAML_E_ACS_INDEX_UNKNOWN;
		return SAML_E_XML_MALFORMED;
	}
	if (!LASSO_IS_SAMLP2_AUTHN_REQUEST(profile->request))
		return SAML_E_XML_STRUCTURE;
	*authn = LASSO_SAMLP2_AUTHN_REQUEST(profile->request);
	rc = validate_signature(sp, p, login);
	if (rc == 0)
		rc = validate_same(p, *authn);
	if (rc == 0 &&
	    login->protocolProfile != LASSO_LOGIN_PROTOCOL_PROFILE_BRWS_POST) {
		refused("binding_unsupported", "not HTTP-POST", "HTTP-POST");
		rc = SAML_E_BINDING_UNSUPPORTED;
	}
	return rc;
}

void
saml_sso_receive(struct worker *w, const struct saml_sso_input *in,
		 const struct session_info *si, struct saml_reply *out)
{
	struct sso_parsed p = {0};
	struct sso_request r = {0};
	struct saml_worker *sw = NULL;
	const struct saml_sp_entry *sp = NULL;
	LassoLogin *login = NULL;
	LassoSamlp2AuthnRequest *authn = NULL;
	int status_error = 0;
	int rc;

	saml_reply_clear(out);
	rc = saml_worker_ensure(w, &sw);
	if (rc == 0 && sw->server == NULL)
		rc = SAML_E_NO_SIGNING_KEY;
	if (rc != 0) {
		sso_reply_page(out, (enum saml_error)rc);
		return;
	}
	/* Our own reading first: limits, shape, issuer, ACS. */
	rc = sso_decode(in, &p);
	if (rc == 0)
		rc = sso_xml_check(&p);
	if (rc == 0)
		rc = sso_validate_issuer(sw, p.issuer, &sp);
	if (rc == 0)
		rc = validate_acs(sp, &p, &r.acs_url);
	if (rc == 0)
		rc = validate_query_signature(sp, &p, in->raw_query);
	/* Then lasso's, on the same bytes. */
	if (rc == 0) {
		login = lasso_login_new(sw->server);
		rc = login ? lasso_checks(login, sp, &p, &authn)
			   : SAML_E_INTERNAL;
	}
	if (rc == 0)
		rc = validate_destination(w->cfg, authn->parent.Destination);
	if (rc == 0)
		rc = validate_replay(w->store, p.issuer, p.id);
	if (rc != 0) {
		sso_audit_rejected(w, (enum saml_error)rc,
				   sp ? sp->entity_id : NULL, p.id, NULL,
				   in->client, NULL);
		sso_reply_page(out, (enum saml_error)rc);
		goto out;
	}

	/* From here on the SP is known and its ACS is ours to answer. */
	r.sp_entity_id = g_strdup(sp->entity_id);
	r.request_id = g_strdup(p.id);
	r.relay_state = g_strdup(p.relay_state);
	r.force_authn = authn->ForceAuthn != FALSE;
	r.is_passive = authn->IsPassive != FALSE;
	int64_t now = 0;
	if (store_now(w->store, &now) != STORE_ONE_ROW) {
		sso_reply_page(out, SAML_E_UNAVAILABLE);
		goto out;
	}
	r.received_at = now;
	status_error = validate_issue_instant(authn->parent.IssueInstant, now);
	if (status_error == 0)
		status_error =
			validate_nameid_policy(sp, authn->NameIDPolicy, &r);
	if (status_error == 0)
		status_error = validate_authn_context(
			authn->RequestedAuthnContext, &r);
	if (status_error != 0) {
		sso_respond(w, sw, &r, si, status_error, NULL, in->client, out);
		goto out;
	}

	/* Authenticate or reuse the session. */
	bool have = si != NULL && si->valid;
	if (have && !r.force_authn) {
		sso_respond(w, sw, &r, si, 0, NULL, in->client, out);
		/* An eID step-up (sso_respond.c): the request waits. */
		if (out->kind == SAML_REPLY_LOGIN && out->pending[0] == '\0')
			sso_pend(w, &r, in->bind_cookie, false, out);
	} else if (r.is_passive && in->binding == SAML_SSO_REDIRECT) {
		/* No session (or a fresh login demanded): never ask. */
		sso_respond(w, sw, &r, NULL, SAML_E_NO_PASSIVE, NULL,
			    in->client, out);
	} else {
		/*
		 * A POST from the SP's site comes without our SameSite=Lax
		 * session cookie, so whether there is a session is decided
		 * at /saml/continue, which the browser reaches by GET.
		 */
		sso_pend(w, &r, in->bind_cookie,
			 in->binding == SAML_SSO_POST && !have, out);
	}
out:
	if (login != NULL)
		g_object_unref(login);
	sso_request_clear(&r);
	sso_parsed_clear(&p);
}
