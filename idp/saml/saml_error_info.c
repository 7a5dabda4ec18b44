/*
 * The table of SAML request failures: name, HTTP status of the page, the
 * page's texts (i18n keys) and, for failures that go back to the SP, the
 * SAML status code (saml-core-2.0 section 3.2.2.2).
 */
#include "idp/saml/saml.h"

#define ST "urn:oasis:names:tc:SAML:2.0:status:"

static const struct saml_error_info table[SAML_E_COUNT] = {
	[SAML_E_NO_SIGNING_KEY] = {"no_signing_key", 503, "saml.no_signing_key",
				   NULL, NULL},
	[SAML_E_UNAVAILABLE] = {"unavailable", 503, "saml.unavailable", NULL,
				NULL},
	[SAML_E_INTERNAL] = {"internal", 500, "saml.internal", NULL, NULL},
	[SAML_E_MISSING_REQUEST] = {"missing_request", 400, "saml.bad_request",
				    NULL, NULL},
	[SAML_E_REQUEST_TOO_LARGE] = {"request_too_large", 400,
				      "saml.bad_request", NULL, NULL},
	[SAML_E_INFLATED_TOO_LARGE] = {"inflated_too_large", 400,
				       "saml.bad_request", NULL, NULL},
	[SAML_E_BAD_BASE64] = {"bad_base64", 400, "saml.bad_request", NULL,
			       NULL},
	[SAML_E_BAD_DEFLATE] = {"bad_deflate", 400, "saml.bad_request", NULL,
				NULL},
	[SAML_E_XML_DOCTYPE] = {"xml_doctype", 400, "saml.bad_request", NULL,
				NULL},
	[SAML_E_XML_MALFORMED] = {"xml_malformed", 400, "saml.bad_request",
				  NULL, NULL},
	[SAML_E_XML_COMMENT] = {"xml_comment", 400, "saml.bad_request", NULL,
				NULL},
	[SAML_E_XML_STRUCTURE] = {"xml_structure", 400, "saml.bad_request",
				  NULL, NULL},
	[SAML_E_RELAY_STATE_TOO_LONG] = {"relay_state_too_long", 400,
					 "saml.bad_request", NULL, NULL},
	[SAML_E_UNKNOWN_ISSUER] = {"unknown_issuer", 403, "saml.unknown_issuer",
				   NULL, NULL},
	[SAML_E_DISABLED_ISSUER] = {"disabled_issuer", 403,
				    "saml.unknown_issuer", NULL, NULL},
	[SAML_E_ACS_URL_UNKNOWN] = {"acs_url_unknown", 400, "saml.acs_unknown",
				    NULL, NULL},
	[SAML_E_ACS_INDEX_UNKNOWN] = {"acs_index_unknown", 400,
				      "saml.acs_unknown", NULL, NULL},
	[SAML_E_BINDING_UNSUPPORTED] = {"binding_unsupported", 400,
					"saml.bad_request", NULL, NULL},
	[SAML_E_SIGNATURE_MISSING] = {"signature_missing", 403,
				      "saml.signature", NULL, NULL},
	[SAML_E_SIGNATURE_INVALID] = {"signature_invalid", 403,
				      "saml.signature", NULL, NULL},
	[SAML_E_REPLAY] = {"replay", 400, "saml.replay", NULL, NULL},
	[SAML_E_DESTINATION] = {"destination", 400, "saml.bad_request", NULL,
				NULL},
	[SAML_E_PENDING_UNKNOWN] = {"pending_unknown", 400,
				    "saml.pending_unknown", NULL, NULL},
	[SAML_E_ISSUE_INSTANT] = {"issue_instant", 400, "saml.bad_request",
				  ST "Requester", ST "RequestDenied"},
	[SAML_E_NAMEID_POLICY] = {"nameid_policy", 400, "saml.bad_request",
				  ST "Requester", ST "InvalidNameIDPolicy"},
	[SAML_E_AUTHN_CONTEXT] = {"authn_context", 400, "saml.bad_request",
				  ST "Requester", ST "RequestUnsupported"},
	[SAML_E_NO_PASSIVE] = {"no_passive", 400, "saml.bad_request",
			       ST "Responder", ST "NoPassive"},
	[SAML_E_NO_AUTHN_CONTEXT] = {"no_authn_context", 400,
				     "saml.bad_request", ST "Responder",
				     ST "NoAuthnContext"},
};

const struct saml_error_info *
saml_error_info(enum saml_error e)
{
	if ((unsigned)e >= SAML_E_COUNT)
		return &table[SAML_E_INTERNAL];
	return &table[e];
}
