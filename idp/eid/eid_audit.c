/*
 * The audit row of a refused eID response: eid_response_rejected, with
 * the rule that failed as reason. The pseudonym never goes in (it is not
 * known yet when most rules fail, and it is secret-ish when it is).
 */
#include "idp/audit/audit.h"
#include "idp/common/worker.h"
#include "idp/eid/eid_internal.h"
#include "idp/log/log.h"

struct rejected {
	enum eid_error e;
	const char *client;
	const char *detail;
};

static int
rejected_tx(struct store *s, void *cls)
{
	const struct rejected *r = cls;
	/* audit_details() cuts long values: details come from the peer. */
	char *details = audit_details("reason", eid_error_info(r->e)->name,
				      "detail", r->detail, NULL);
	int rc = audit_append(s, "eid_response_rejected", "citizen", NULL,
			      r->client, details);

	g_free(details);
	return rc;
}

/* Whether @e is the peer's doing (audited) rather than ours. */
static bool
peer_fault(enum eid_error e)
{
	switch (e) {
	case EID_OK:
	case EID_E_NOT_CONFIGURED:
	case EID_E_NO_KEY:
	case EID_E_UNAVAILABLE:
	case EID_E_INTERNAL:
		return false;
	case EID_E_MISSING_RESPONSE:
	case EID_E_TOO_LARGE:
	case EID_E_BAD_BASE64:
	case EID_E_XML_DOCTYPE:
	case EID_E_XML_MALFORMED:
	case EID_E_XML_STRUCTURE:
	case EID_E_NO_BINDING:
	case EID_E_DESTINATION:
	case EID_E_ISSUER:
	case EID_E_CANCELLED:
	case EID_E_STATUS:
	case EID_E_NOT_ENCRYPTED:
	case EID_E_ASSERTION_COUNT:
	case EID_E_KEY_TRANSPORT:
	case EID_E_SIGNATURE:
	case EID_E_DECRYPT:
	case EID_E_ASSERTION_SIGNATURE:
	case EID_E_ASSERTION_ISSUER:
	case EID_E_AUDIENCE:
	case EID_E_NOT_YET_VALID:
	case EID_E_EXPIRED:
	case EID_E_ISSUE_INSTANT:
	case EID_E_RECIPIENT:
	case EID_E_SUBJECT:
	case EID_E_AUTHN_STATEMENT:
	case EID_E_LOA:
	case EID_E_REPLAY:
	case EID_E_UNKNOWN_REQUEST:
	case EID_E_WRONG_BROWSER:
	case EID_E_PSEUDONYM:
	case EID_E_ATTRIBUTE:
		return true;
	case EID_E_COUNT:
		break;
	}
	return false;
}

void
eid_audit_rejected(struct worker *w, enum eid_error e, const char *client,
		   const char *detail)
{
	struct rejected r = {e, client, detail};
	bool peer = peer_fault(e);

	log_kv(peer ? LOG_LEVEL_INFO : LOG_LEVEL_WARN, "eid_response_rejected",
	       "reason", eid_error_info(e)->name, "detail",
	       detail != NULL ? detail : "", NULL);
	if (!peer)
		return; /* ours, not the response's: logged, not audited */
	if (store_run_tx(w->store, "eid_response_rejected", false, rejected_tx,
			 &r) < 0)
		log_kv(LOG_LEVEL_WARN, "audit_failed", "event",
		       "eid_response_rejected", NULL);
}

void
eid_audit_relay_refused(struct worker *w, enum eid_error e, const char *client)
{
	eid_audit_rejected(w, e, client, "relay");
}
