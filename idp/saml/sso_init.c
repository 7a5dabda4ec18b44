/*
 * How an IdP-initiated login starts (GET /saml/sso/init?sp=...): the
 * citizen comes from a link, not from the portal, so there is no
 * AuthnRequest to check. What stands in for its checks: the sp
 * parameter is bounded and printable before it is looked up, the SP
 * must be registered and enabled, and the response can only go to the
 * default HTTP-POST AssertionConsumerService of its own metadata. The
 * rest is the SP-initiated path with an empty request: the SP's NameID
 * format, no RequestedAuthnContext (the session's level), a pending
 * request bound to the browser when there is no session, and an
 * unsolicited response (no InResponseTo).
 */
#include <string.h>

#include "idp/common/worker.h"
#include "idp/log/log.h"
#include "idp/saml/sso_internal.h"
#include "idp/session/session.h"

static void
refused(const char *rule, const char *saw, const char *wanted)
{
	log_kv(LOG_LEVEL_INFO, "saml_request_refused", "reason", rule, "saw",
	       saw, "wanted", wanted, "initiated", "idp_initiated", NULL);
}

/*
 * Rule: the sp parameter is there, within SAML_INIT_SP_MAX and free of
 * control characters (an entity ID is a URI; such bytes could only
 * disturb logs and pages). Checked before the value is used at all;
 * @detail names the fault for the audit row without repeating it.
 */
static int
validate_sp_param(const char *sp, const char **detail)
{
	size_t len;

	if (sp == NULL || *sp == '\0') {
		refused("missing_request", "no sp", "an entity ID");
		*detail = "idp_initiated: sp missing";
		return SAML_E_MISSING_REQUEST;
	}
	len = strnlen(sp, SAML_INIT_SP_MAX + 1);
	if (len > SAML_INIT_SP_MAX) {
		refused("request_too_large", "sp over the limit",
			"at most SAML_INIT_SP_MAX bytes");
		*detail = "idp_initiated: sp too long";
		return SAML_E_REQUEST_TOO_LARGE;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)sp[i];
		if (c < 0x20 || c == 0x7f) {
			refused("unknown_issuer", "control characters in sp",
				"a registered entity ID");
			*detail = "idp_initiated: control characters in sp";
			return SAML_E_UNKNOWN_ISSUER;
		}
	}
	return 0;
}

/*
 * Rule: RelayState at most SAML_RELAY_STATE_MAX bytes (saml-bindings
 * 3.4.3), and text: UTF-8 without control characters, since it is kept
 * in a text column while the citizen logs in and goes back in a form.
 */
static int
validate_relay_state(const char *rs, const char **detail)
{
	size_t len;

	if (rs == NULL)
		return 0;
	len = strnlen(rs, SAML_RELAY_STATE_MAX + 1);
	if (len > SAML_RELAY_STATE_MAX) {
		refused("relay_state_too_long", "over the limit",
			"at most 80 bytes");
		*detail = "idp_initiated: RelayState too long";
		return SAML_E_RELAY_STATE_TOO_LONG;
	}
	bool text = g_utf8_validate(rs, (gssize)len, NULL);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)rs[i] < 0x20 || rs[i] == 0x7f)
			text = false;
	if (!text) {
		refused("xml_malformed", "RelayState not text",
			"UTF-8 without control characters");
		*detail = "idp_initiated: RelayState not text";
		return SAML_E_XML_MALFORMED;
	}
	return 0;
}

/* Rule: the SP is registered, and enabled. */
static int
validate_sp(const struct saml_worker *sw, const char *entity_id,
	    const struct saml_sp_entry **sp, const char **detail)
{
	int rc = sso_validate_issuer(sw, entity_id, sp);

	if (rc == SAML_E_UNKNOWN_ISSUER)
		*detail = "idp_initiated: unknown sp";
	else if (rc == SAML_E_DISABLED_ISSUER)
		*detail = "idp_initiated: disabled sp";
	return rc;
}

/*
 * Rule: the response goes to the SP's default ACS with the HTTP-POST
 * binding, the only one we answer with: the one marked isDefault, else
 * the one with the lowest index; nothing in the link chooses it.
 */
static int
default_acs(const struct saml_sp_entry *sp, char **acs_url, const char **detail)
{
	const struct saml_sp_meta *m = &sp->meta;
	const struct saml_sp_endpoint *pick = NULL;

	*acs_url = NULL;
	for (size_t i = 0; i < m->n_acs && pick == NULL; i++)
		if (m->acs[i].binding == SAML_BINDING_HTTP_POST &&
		    m->acs[i].is_default)
			pick = &m->acs[i];
	for (size_t i = 0; i < m->n_acs; i++)
		if (m->acs[i].binding == SAML_BINDING_HTTP_POST &&
		    (pick == NULL ||
		     (!pick->is_default && m->acs[i].index < pick->index)))
			pick = &m->acs[i];
	if (pick == NULL) {
		refused("acs_index_unknown", "none",
			"an HTTP-POST ACS in the metadata");
		*detail = "idp_initiated: no HTTP-POST ACS";
		return SAML_E_ACS_INDEX_UNKNOWN;
	}
	*acs_url = g_strdup(pick->location);
	return 0;
}

void
saml_sso_init(struct worker *w, const struct saml_init_input *in,
	      const struct session_info *si, struct saml_reply *out)
{
	struct sso_request r = {0};
	struct saml_worker *sw = NULL;
	const struct saml_sp_entry *sp = NULL;
	const char *detail = NULL;
	int64_t now = 0;
	int rc;

	saml_reply_clear(out);
	rc = saml_worker_ensure(w, &sw);
	if (rc == 0 && sw->server == NULL)
		rc = SAML_E_NO_SIGNING_KEY;
	if (rc != 0) {
		sso_reply_page(out, (enum saml_error)rc);
		return;
	}
	rc = validate_sp_param(in->sp, &detail);
	if (rc == 0)
		rc = validate_relay_state(in->relay_state, &detail);
	if (rc == 0)
		rc = validate_sp(sw, in->sp, &sp, &detail);
	if (rc == 0)
		rc = default_acs(sp, &r.acs_url, &detail);
	if (rc != 0) {
		/* The SP only when it is a registered one: no client text. */
		sso_audit_rejected(
			w, (enum saml_error)rc, sp ? sp->entity_id : NULL, NULL,
			si && si->valid ? si->account.audit_ref : NULL,
			in->client, detail);
		sso_reply_page(out, (enum saml_error)rc);
		goto out;
	}
	if (store_now(w->store, &now) != STORE_ONE_ROW) {
		sso_reply_page(out, SAML_E_UNAVAILABLE);
		goto out;
	}
	/* An empty request: what the SP registered, nothing asked for. */
	r.sp_entity_id = g_strdup(sp->entity_id);
	r.request_id = NULL; /* unsolicited: no InResponseTo */
	r.relay_state = in->relay_state && *in->relay_state
				? g_strdup(in->relay_state)
				: NULL;
	r.nameid = sp->nameid;
	r.allow_create = true;
	r.comparison = SSO_CMP_NONE;
	r.received_at = now;
	if (si != NULL && si->valid)
		sso_respond(w, sw, &r, si, 0, NULL, in->client, out);
	else
		sso_pend(w, &r, in->bind_cookie, false, out);
out:
	sso_request_clear(&r);
}
