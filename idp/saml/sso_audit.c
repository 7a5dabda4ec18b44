/*
 * The audit row of a refused request: sso_request_rejected, with the
 * reason (the error's name), in a transaction of its own since nothing
 * else is written for a refusal.
 */
#include "idp/audit/audit.h"
#include "idp/common/worker.h"
#include "idp/log/log.h"
#include "idp/saml/sso_internal.h"

struct rejected {
	enum saml_error e;
	const char *sp, *request_id, *subject, *client, *detail;
};

static int
rejected_tx(struct store *s, void *cls)
{
	const struct rejected *r = cls;
	/* audit_details() cuts long values: IDs come from the client. */
	char *details = audit_details("reason", saml_error_info(r->e)->name,
				      "sp", r->sp, "request_id", r->request_id,
				      "detail", r->detail, NULL);
	int rc = audit_append(s, "sso_request_rejected", "citizen", r->subject,
			      r->client, details);

	g_free(details);
	return rc;
}

void
sso_audit_rejected(struct worker *w, enum saml_error e,
		   const char *sp_entity_id, const char *request_id,
		   const char *subject, const char *client, const char *detail)
{
	struct rejected r = {e,	      sp_entity_id, request_id,
			     subject, client,	    detail};

	switch (e) {
	case SAML_E_UNAVAILABLE:
	case SAML_E_NO_SIGNING_KEY:
		return; /* ours, not the request's: logged, not audited */
	case SAML_E_INTERNAL:
	case SAML_E_MISSING_REQUEST:
	case SAML_E_REQUEST_TOO_LARGE:
	case SAML_E_INFLATED_TOO_LARGE:
	case SAML_E_BAD_BASE64:
	case SAML_E_BAD_DEFLATE:
	case SAML_E_XML_DOCTYPE:
	case SAML_E_XML_MALFORMED:
	case SAML_E_XML_COMMENT:
	case SAML_E_XML_STRUCTURE:
	case SAML_E_RELAY_STATE_TOO_LONG:
	case SAML_E_UNKNOWN_ISSUER:
	case SAML_E_DISABLED_ISSUER:
	case SAML_E_ACS_URL_UNKNOWN:
	case SAML_E_ACS_INDEX_UNKNOWN:
	case SAML_E_BINDING_UNSUPPORTED:
	case SAML_E_SIGNATURE_MISSING:
	case SAML_E_SIGNATURE_INVALID:
	case SAML_E_REPLAY:
	case SAML_E_DESTINATION:
	case SAML_E_PENDING_UNKNOWN:
	case SAML_E_ISSUE_INSTANT:
	case SAML_E_NAMEID_POLICY:
	case SAML_E_AUTHN_CONTEXT:
	case SAML_E_NO_PASSIVE:
	case SAML_E_NO_AUTHN_CONTEXT:
		break;
	}
	if (store_run_tx(w->store, "sso_request_rejected", false, rejected_tx,
			 &r) < 0)
		log_kv(LOG_LEVEL_WARN, "audit_failed", "event",
		       "sso_request_rejected", NULL);
}
