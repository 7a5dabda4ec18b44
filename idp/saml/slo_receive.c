/*
 * How a message at /saml/slo is received: a portal's LogoutRequest
 * (SP-initiated logout) or a portal's LogoutResponse to one of our
 * LogoutRequests. One validator per rule, as for AuthnRequests, reusing
 * their decoding and XML checks (sso_decode.c, sso_xml_check.c) and the
 * Redirect signature check (sso_query_signature.c). A LogoutRequest must
 * be signed (saml-profiles 4.4.3.1), whatever the portal's settings.
 * Until the portal is known and its signature verified, every failure is
 * an HTML page; after that, a LogoutRequest is answered at the portal's
 * SingleLogoutService from its metadata, never anywhere else.
 */
#include <libxml/parser.h>
#include <string.h>

#include <lasso/xml/saml-2.0/samlp2_logout_request.h>
#include <lasso/xml/saml-2.0/samlp2_logout_response.h>

#include "idp/audit/audit.h"
#include "idp/cfg/cfg.h"
#include "idp/common/worker.h"
#include "idp/crypto/crypt.h"
#include "idp/log/log.h"
#include "idp/saml/slo_internal.h"

#define EV_REQ_REJECTED	 "slo_request_rejected"
#define EV_RESP_REJECTED "slo_response_rejected"

/* Rule: the issuer is a registered relying party (and enabled). */
static int
validate_issuer(const struct saml_worker *sw, const char *issuer,
		bool need_enabled, const struct saml_sp_entry **sp)
{
	*sp = saml_worker_sp(sw, issuer);
	if (*sp == NULL) {
		slo_refused("unknown_issuer", issuer, "a registered entity ID");
		return SAML_E_UNKNOWN_ISSUER;
	}
	if (need_enabled && (!(*sp)->enabled || !(*sp)->in_lasso)) {
		slo_refused("disabled_issuer", issuer, "an enabled SP");
		return SAML_E_DISABLED_ISSUER;
	}
	return 0;
}

/*
 * Rule: signed by the issuer's metadata key, always. Redirect: over the
 * raw query (RSA-SHA2 only); POST: the enveloped signature, which
 * sso_xml_check_root() found as the root's only one, referring to it.
 */
static int
validate_signature(const struct saml_worker *sw, const struct saml_sp_entry *sp,
		   const struct sso_parsed *p, const char *raw_query)
{
	const char *why = "";
	LassoProvider *prov;
	int rc = SAML_E_SIGNATURE_INVALID;

	if (!p->has_signature) {
		slo_refused("signature_missing", "no signature",
			    "a signature by the SP's metadata key");
		return SAML_E_SIGNATURE_MISSING;
	}
	switch (p->binding) {
	case SAML_SSO_REDIRECT:
		rc = sso_query_signature_verify(sp, raw_query, &why);
		break;
	case SAML_SSO_POST:
		/* A disabled SP is not in lasso: its signatures do not count.
		 */
		prov = sp->in_lasso ? lasso_server_get_provider(sw->server,
								sp->entity_id)
				    : NULL;
		rc = prov && lasso_provider_verify_signature(
				     prov, p->xml, "ID",
				     LASSO_MESSAGE_FORMAT_XML) == 0
			     ? 0
			     : SAML_E_SIGNATURE_INVALID;
		why = "does not verify";
		break;
	}
	if (rc != 0)
		slo_refused("signature_invalid", why,
			    "a valid signature by the SP's metadata key");
	return rc;
}

/* Rule: Destination is our SLO endpoint (required: signed messages). */
static int
validate_destination(const struct cfg *cfg, const char *destination,
		     bool required)
{
	char *ours = slo_url(cfg);
	int rc = 0;

	if ((destination == NULL && required) ||
	    (destination != NULL && strcmp(destination, ours) != 0)) {
		slo_refused("destination", destination ? destination : "none",
			    ours);
		rc = SAML_E_DESTINATION;
	}
	g_free(ours);
	return rc;
}

/* Rule: IssueInstant within the allowed age and skew. */
static int
validate_issue_instant(const char *instant, int64_t now)
{
	int64_t t;

	if (!saml_time_parse(instant, &t) || t > now + SAML_CLOCK_SKEW_S ||
	    t < now - SAML_REQUEST_MAX_AGE_S - SAML_CLOCK_SKEW_S) {
		slo_refused("issue_instant", instant ? instant : "(none)",
			    "now, within the skew");
		return SAML_E_ISSUE_INSTANT;
	}
	return 0;
}

/* lasso's reading of the same bytes; it must agree with ours. */
static LassoNode *
lasso_read(const struct sso_parsed *p)
{
	xmlDoc *doc = xmlReadMemory(p->xml, (int)p->xml_len, "slo.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR |
					    XML_PARSE_NOWARNING);
	LassoNode *node = NULL;

	if (doc != NULL && xmlDocGetRootElement(doc) != NULL)
		node = lasso_node_new_from_xmlNode(xmlDocGetRootElement(doc));
	xmlFreeDoc(doc);
	return node;
}

static bool
same_reading(const struct sso_parsed *p, const char *id,
	     const LassoSaml2NameID *issuer, const char *version)
{
	return id != NULL && strcmp(id, p->id) == 0 && issuer != NULL &&
	       issuer->content != NULL &&
	       strcmp(issuer->content, p->issuer) == 0 && version != NULL &&
	       strcmp(version, "2.0") == 0;
}

static const char *
reason_of(int e)
{
	return saml_error_info((enum saml_error)e)->name;
}

/* --- SP-initiated: the session ends, the chain starts --- */

struct end_tx {
	const char *sp;
	const char *nameid;
	const char *session_index;
	const char *request_id;
	const char *relay_state;
	const uint8_t *hash;
	const char *client;
	bool unknown;
	int64_t chain_id;
	char *audit_ref;
};

static int
end_tx(struct store *s, void *cls)
{
	struct end_tx *t = cls;
	struct store_slo_participant pa = {0};
	int64_t n = 0;
	char *d = NULL;
	int rc;

	t->unknown = false;
	g_free(t->audit_ref);
	t->audit_ref = NULL;
	rc = store_slo_participant_select(s, t->sp, t->nameid, t->session_index,
					  &pa);
	if (rc == STORE_NO_ROW) {
		t->unknown = true;
		d = audit_details("reason", "unknown_principal", "sp", t->sp,
				  "message_id", t->request_id, NULL);
		rc = audit_append(s, EV_REQ_REJECTED, "citizen", NULL,
				  t->client, d);
		goto out;
	}
	if (rc < 0)
		goto out;
	t->audit_ref = g_strdup(pa.audit_ref);
	rc = store_slo_chain_insert(s, t->hash, pa.audit_ref, t->sp,
				    t->request_id, t->relay_state,
				    SAML_SLO_TTL_S, &t->chain_id);
	if (rc != STORE_ONE_ROW)
		goto out;
	rc = store_slo_steps_copy(s, t->chain_id, pa.session_id,
				  t->session_index, &n);
	if (rc < 0)
		goto out;
	/* Security first: the session ends with the accepted request. */
	rc = store_slo_session_delete(s, pa.session_id);
	if (rc < 0)
		goto out;
	d = audit_details("sp", t->sp, "message_id", t->request_id, NULL);
	rc = audit_append(s, "slo_request_received", "citizen", pa.audit_ref,
			  t->client, d);
	g_free(d);
	if (rc < 0) {
		d = NULL;
		goto out;
	}
	char portals[24];
	snprintf(portals, sizeof(portals), "%lld", (long long)n);
	d = audit_details("sp", t->sp, "session", pa.session_handle, "portals",
			  portals, NULL);
	rc = audit_append(s, "slo_session_ended", "citizen", pa.audit_ref,
			  t->client, d);
out:
	g_free(d);
	store_slo_participant_clear(&pa);
	return rc;
}

/* The portal gets an error status at its own endpoint, or a page. */
static void
answer_error(struct worker *w, struct saml_worker *sw,
	     const struct saml_sp_entry *sp, const char *request_id,
	     const char *relay_state, const char *substatus,
	     struct saml_slo_reply *out)
{
	const struct saml_sp_endpoint *ep = slo_endpoint(sp);
	char *idp = saml_idp_entity_id(w->cfg);
	int64_t now = 0;

	saml_slo_reply_clear(out);
	if (ep == NULL || store_now(w->store, &now) != STORE_ONE_ROW ||
	    slo_response_build(sw, idp, ep, request_id, SLO_STATUS_REQUESTER,
			       substatus, relay_state, now, out) != 0)
		slo_reply_page(out, SAML_E_XML_STRUCTURE, "slo.refused");
	g_free(idp);
}

static void
receive_request(struct worker *w, struct saml_worker *sw,
		const struct saml_sso_input *in, struct sso_parsed *p,
		struct saml_slo_reply *out)
{
	const struct saml_sp_entry *sp = NULL;
	LassoNode *node = NULL;
	LassoSamlp2LogoutRequest *lr = NULL;
	uint8_t token[CRYPT_TOKEN_BYTES], hash[CRYPT_TOKEN_HASH_BYTES];
	char chain[SAML_PENDING_ID_LEN + 1];
	struct end_tx t = {0};
	struct store_slo_chain c = {0};
	int64_t now = 0;
	int rc;

	rc = sso_xml_check_root(p, "LogoutRequest");
	if (rc == 0)
		rc = validate_issuer(sw, p->issuer, true, &sp);
	if (rc == 0)
		rc = validate_signature(sw, sp, p, in->raw_query);
	if (rc == 0) {
		node = lasso_read(p);
		if (!LASSO_IS_SAMLP2_LOGOUT_REQUEST(node)) {
			slo_refused("xml_structure", "lasso",
				    "a LogoutRequest");
			rc = SAML_E_XML_STRUCTURE;
		}
	}
	if (rc == 0) {
		lr = LASSO_SAMLP2_LOGOUT_REQUEST(node);
		if (!same_reading(p, lr->parent.ID, lr->parent.Issuer,
				  lr->parent.Version)) {
			slo_refused("xml_structure", "lasso's reading", "ours");
			rc = SAML_E_XML_STRUCTURE;
		}
	}
	if (rc == 0)
		rc = validate_destination(w->cfg, lr->parent.Destination, true);
	if (rc == 0) {
		rc = store_saml_replay_insert(w->store, p->issuer, p->id,
					      SAML_REPLAY_TTL_S);
		if (rc == STORE_NO_ROW)
			slo_refused("replay", p->id, "an ID not seen before");
		rc = rc == STORE_ONE_ROW  ? 0
		     : rc == STORE_NO_ROW ? SAML_E_REPLAY
					  : SAML_E_UNAVAILABLE;
	}
	if (rc != 0) {
		slo_audit_rejected(w, EV_REQ_REJECTED, reason_of(rc),
				   sp ? sp->entity_id : NULL, p->id,
				   in->client);
		slo_reply_page(out, (enum saml_error)rc, "slo.refused");
		goto out;
	}
	/* From here on the portal is known: it gets a signed answer. */
	if (store_now(w->store, &now) != STORE_ONE_ROW) {
		slo_reply_page(out, SAML_E_UNAVAILABLE, "slo.unavailable");
		goto out;
	}
	if (validate_issue_instant(lr->parent.IssueInstant, now) != 0) {
		slo_audit_rejected(w, EV_REQ_REJECTED, "issue_instant",
				   sp->entity_id, p->id, in->client);
		answer_error(w, sw, sp, p->id, p->relay_state,
			     SLO_STATUS_REQUEST_DENIED, out);
		goto out;
	}
	/* One plain NameID and one SessionIndex, as we issued them. */
	GList *indexes = lasso_samlp2_logout_request_get_session_indexes(lr);
	bool shape = lr->NameID != NULL && lr->NameID->content != NULL &&
		     lr->EncryptedID == NULL && lr->BaseID == NULL &&
		     g_list_length(indexes) == 1 && indexes->data != NULL;
	if (shape) {
		t.sp = sp->entity_id;
		t.nameid = lr->NameID->content;
		t.session_index = indexes->data;
		t.request_id = p->id;
		t.relay_state = p->relay_state;
		t.hash = hash;
		t.client = in->client;
		crypt_token_new(token);
		crypt_token_hash(token, hash);
		rc = store_run_tx(w->store, "slo_end", false, end_tx, &t);
	}
	g_list_free_full(indexes, g_free);
	if (!shape) {
		slo_refused("unknown_principal",
			    "no plain NameID and one "
			    "SessionIndex",
			    "what we issued");
		slo_audit_rejected(w, EV_REQ_REJECTED, "unknown_principal",
				   sp->entity_id, p->id, in->client);
		answer_error(w, sw, sp, p->id, p->relay_state,
			     SLO_STATUS_UNKNOWN_PRINCIPAL, out);
		goto out;
	}
	if (rc < 0) {
		slo_reply_page(out, SAML_E_UNAVAILABLE, "slo.unavailable");
		goto out;
	}
	if (t.unknown) {
		slo_refused("unknown_principal", "no live session",
			    "a participant of a live session");
		answer_error(w, sw, sp, p->id, p->relay_state,
			     SLO_STATUS_UNKNOWN_PRINCIPAL, out);
		goto out;
	}
	log_kv(LOG_LEVEL_INFO, "saml_slo_session_ended", "sp", sp->entity_id,
	       NULL);
	crypt_token_format(token, chain);
	c.id = t.chain_id;
	c.audit_ref = t.audit_ref;
	c.initiator_sp = (char *)(uintptr_t)sp->entity_id;
	c.initiator_request_id = p->id;
	c.relay_state = p->relay_state;
	slo_advance(w, sw, &c, chain, in->client, out);
	crypt_wipe(chain, sizeof(chain));
out:
	crypt_wipe(token, sizeof(token));
	crypt_wipe(hash, sizeof(hash));
	g_free(t.audit_ref);
	if (node != NULL)
		g_object_unref(node);
}

/* --- a portal's answer to our LogoutRequest --- */

struct answer_tx {
	int64_t chain_id;
	const char *audit_ref;
	const char *sp;
	const char *in_response_to;
	const char *status;
	const char *client;
	bool matched;
};

static int
answer_tx(struct store *s, void *cls)
{
	struct answer_tx *t = cls;
	char *d;
	int rc;

	rc = store_slo_step_answer(s, t->chain_id, t->sp, t->in_response_to,
				   t->status);
	t->matched = rc == STORE_ONE_ROW;
	if (rc < 0)
		return rc;
	if (t->matched)
		d = audit_details("sp", t->sp, "result", t->status, NULL);
	else
		d = audit_details("reason", "in_response_to", "sp", t->sp,
				  "message_id", t->in_response_to, NULL);
	rc = audit_append(
		s, t->matched ? "slo_participant_result" : EV_RESP_REJECTED,
		"citizen", t->audit_ref, t->client, d);
	g_free(d);
	return rc;
}

static void
receive_response(struct worker *w, struct saml_worker *sw,
		 const struct saml_sso_input *in, struct sso_parsed *p,
		 const char *cookie_chain, struct saml_slo_reply *out)
{
	const struct saml_sp_entry *sp = NULL;
	LassoNode *node = NULL;
	LassoSamlp2StatusResponse *r = NULL;
	uint8_t token[CRYPT_TOKEN_BYTES], hash[CRYPT_TOKEN_HASH_BYTES];
	struct store_slo_chain c = {0};
	struct answer_tx t = {0};
	const char *chain = p->relay_state ? p->relay_state : cookie_chain;
	const char *reason = NULL;
	int rc;

	memset(hash, 0, sizeof(hash));
	rc = sso_xml_check_root(p, "LogoutResponse");
	/* A portal disabled meanwhile may still say it logged out. */
	if (rc == 0)
		rc = validate_issuer(sw, p->issuer, false, &sp);
	if (rc == 0)
		rc = validate_signature(sw, sp, p, in->raw_query);
	if (rc == 0) {
		node = lasso_read(p);
		if (!LASSO_IS_SAMLP2_STATUS_RESPONSE(node)) {
			slo_refused("xml_structure", "lasso",
				    "a LogoutResponse");
			rc = SAML_E_XML_STRUCTURE;
		}
	}
	if (rc == 0) {
		r = LASSO_SAMLP2_STATUS_RESPONSE(node);
		if (!same_reading(p, r->ID, r->Issuer, r->Version) ||
		    r->InResponseTo == NULL) {
			slo_refused("xml_structure", "lasso's reading",
				    "ours, with InResponseTo");
			rc = SAML_E_XML_STRUCTURE;
		}
	}
	if (rc == 0)
		rc = validate_destination(w->cfg, r->Destination, false);
	if (rc != 0)
		reason = reason_of(rc);
	if (rc == 0 &&
	    (chain == NULL || crypt_token_parse(chain, token) != 0)) {
		slo_refused("chain_unknown", "no chain id", "our RelayState");
		reason = "chain_unknown";
	}
	if (reason == NULL) {
		crypt_token_hash(token, hash);
		rc = store_slo_chain_select(w->store, hash, &c);
		if (rc < 0) {
			slo_reply_page(out, SAML_E_UNAVAILABLE,
				       "slo.unavailable");
			goto out;
		}
		if (rc == STORE_NO_ROW) {
			slo_refused("chain_unknown", "no such chain",
				    "a chain in progress");
			reason = "chain_unknown";
		}
	}
	if (reason != NULL) {
		slo_audit_rejected(w, EV_RESP_REJECTED, reason,
				   sp ? sp->entity_id : NULL, p->id,
				   in->client);
		slo_reply_page(out, SAML_E_XML_STRUCTURE, "slo.refused");
		goto out;
	}
	t.chain_id = c.id;
	t.audit_ref = c.audit_ref;
	t.sp = sp->entity_id;
	t.in_response_to = r->InResponseTo;
	t.status = r->Status && r->Status->StatusCode &&
				   r->Status->StatusCode->Value &&
				   strcmp(r->Status->StatusCode->Value,
					  SLO_STATUS_SUCCESS) == 0 &&
				   (r->Status->StatusCode->StatusCode == NULL)
			   ? "ok"
			   : "failed";
	t.client = in->client;
	rc = store_run_tx(w->store, "slo_answer", false, answer_tx, &t);
	if (rc < 0) {
		slo_reply_page(out, SAML_E_UNAVAILABLE, "slo.unavailable");
		goto out;
	}
	if (!t.matched) {
		/* Another SP's request, an old one, or answered before. */
		slo_refused("in_response_to", r->InResponseTo,
			    "a request of this chain to this SP");
		slo_reply_page(out, SAML_E_XML_STRUCTURE, "slo.refused");
		goto out;
	}
	log_kv(LOG_LEVEL_INFO, "saml_slo_answered", "sp", sp->entity_id,
	       "result", t.status, NULL);
	slo_advance(w, sw, &c, chain, in->client, out);
out:
	crypt_wipe(token, sizeof(token));
	crypt_wipe(hash, sizeof(hash));
	store_slo_chain_clear(&c);
	if (node != NULL)
		g_object_unref(node);
}

void
saml_slo_receive(struct worker *w, const struct saml_sso_input *in,
		 bool response, const char *cookie_chain,
		 struct saml_slo_reply *out)
{
	struct sso_parsed p = {0};
	struct saml_worker *sw = NULL;
	int rc;

	saml_slo_reply_clear(out);
	rc = saml_worker_ensure(w, &sw);
	if (rc == 0 && sw->server == NULL)
		rc = SAML_E_NO_SIGNING_KEY;
	if (rc != 0) {
		slo_reply_page(out, (enum saml_error)rc, "slo.unavailable");
		return;
	}
	rc = sso_decode_message(in, response, &p);
	if (rc != 0) {
		slo_audit_rejected(
			w, response ? EV_RESP_REJECTED : EV_REQ_REJECTED,
			reason_of(rc), NULL, NULL, in->client);
		slo_reply_page(out, (enum saml_error)rc, "slo.refused");
		return;
	}
	if (response)
		receive_response(w, sw, in, &p, cookie_chain, out);
	else
		receive_request(w, sw, in, &p, out);
	sso_parsed_clear(&p);
}
