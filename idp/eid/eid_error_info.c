/*
 * The table of eID failures: stable name, HTTP status of the page and the
 * page's texts (i18n keys). Many failures share one text: the citizen
 * needs to know what to do, not which rule failed; the name (logged and
 * audited) says which.
 */
#include "idp/eid/eid.h"

static const struct eid_error_info table[EID_E_COUNT] = {
	[EID_OK] = {"ok", 200, "eid.internal"},
	[EID_E_NOT_CONFIGURED] = {"not_configured", 503, "eid.unavailable"},
	[EID_E_NO_KEY] = {"no_key", 503, "eid.unavailable"},
	[EID_E_UNAVAILABLE] = {"unavailable", 503, "eid.unavailable"},
	[EID_E_INTERNAL] = {"internal", 500, "eid.internal"},
	[EID_E_MISSING_RESPONSE] = {"missing_response", 400,
				    "eid.bad_response"},
	[EID_E_TOO_LARGE] = {"too_large", 400, "eid.bad_response"},
	[EID_E_BAD_BASE64] = {"bad_base64", 400, "eid.bad_response"},
	[EID_E_XML_DOCTYPE] = {"xml_doctype", 400, "eid.bad_response"},
	[EID_E_XML_MALFORMED] = {"xml_malformed", 400, "eid.bad_response"},
	[EID_E_XML_STRUCTURE] = {"xml_structure", 400, "eid.bad_response"},
	[EID_E_NO_BINDING] = {"no_binding", 403, "eid.wrong_browser"},
	[EID_E_DESTINATION] = {"destination", 400, "eid.bad_response"},
	[EID_E_ISSUER] = {"issuer", 400, "eid.bad_response"},
	[EID_E_CANCELLED] = {"cancelled", 200, "eid.cancelled"},
	[EID_E_STATUS] = {"status", 400, "eid.failed"},
	[EID_E_NOT_ENCRYPTED] = {"not_encrypted", 400, "eid.bad_response"},
	[EID_E_ASSERTION_COUNT] = {"assertion_count", 400, "eid.bad_response"},
	[EID_E_KEY_TRANSPORT] = {"key_transport", 400, "eid.bad_response"},
	[EID_E_SIGNATURE] = {"signature", 400, "eid.bad_response"},
	[EID_E_DECRYPT] = {"decrypt", 400, "eid.bad_response"},
	[EID_E_ASSERTION_SIGNATURE] = {"assertion_signature", 400,
				       "eid.bad_response"},
	[EID_E_ASSERTION_ISSUER] = {"assertion_issuer", 400,
				    "eid.bad_response"},
	[EID_E_AUDIENCE] = {"audience", 400, "eid.bad_response"},
	[EID_E_NOT_YET_VALID] = {"not_yet_valid", 400, "eid.expired"},
	[EID_E_EXPIRED] = {"expired", 400, "eid.expired"},
	[EID_E_ISSUE_INSTANT] = {"issue_instant", 400, "eid.expired"},
	[EID_E_RECIPIENT] = {"recipient", 400, "eid.bad_response"},
	[EID_E_SUBJECT] = {"subject", 400, "eid.bad_response"},
	[EID_E_AUTHN_STATEMENT] = {"authn_statement", 400, "eid.bad_response"},
	[EID_E_LOA] = {"loa", 403, "eid.loa"},
	[EID_E_REPLAY] = {"replay", 400, "eid.bad_response"},
	[EID_E_UNKNOWN_REQUEST] = {"unknown_request", 400, "eid.expired"},
	[EID_E_WRONG_BROWSER] = {"wrong_browser", 403, "eid.wrong_browser"},
	[EID_E_PSEUDONYM] = {"pseudonym", 400, "eid.attributes"},
	[EID_E_ATTRIBUTE] = {"attribute", 400, "eid.attributes"},
};

const struct eid_error_info *
eid_error_info(enum eid_error e)
{
	if ((unsigned)e >= EID_E_COUNT)
		return &table[EID_E_INTERNAL];
	return &table[e];
}
