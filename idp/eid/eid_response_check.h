/*
 * The outer SAML Response, checked on the raw bytes and the libxml2 tree
 * before lasso sees it (eid_response_check.c), and the decrypted
 * assertion's structure after (eid_assertion_check.c). Internal to
 * idp/eid.
 */
#ifndef IDP_EID_EID_RESPONSE_CHECK_H
#define IDP_EID_EID_RESPONSE_CHECK_H

#include <libxml/tree.h>

#include "idp/eid/eid_internal.h"

/* What the outer checks read from the Response. */
struct eid_outer {
	char *response_id;    /* ID */
	char *in_response_to; /* InResponseTo; NULL when absent */
	int64_t issue_instant;
	bool signed_response; /* a ds:Signature child of the Response */
};

void eid_outer_clear(struct eid_outer *o);

/*
 * Decode @b64 (@len bytes as posted): strict base64
 * (crypt_base64_decode(), blanks and line breaks allowed), within
 * EID_RESPONSE_B64_MAX and EID_RESPONSE_XML_MAX.
 * *@xml is a new NUL-terminated string (g_free()). Returns EID_OK,
 * EID_E_MISSING_RESPONSE, EID_E_TOO_LARGE or EID_E_BAD_BASE64.
 */
IDP_WUR enum eid_error eid_response_decode(const char *b64, size_t len,
					   char **xml, size_t *xml_len);

/*
 * Parse @xml: no NUL, valid UTF-8, no DTD, entity, comment or other
 * markup declaration, libxml2 without network or entities; one
 * samlp:Response root; unique IDs. Returns EID_OK (with *@doc, freed by
 * xmlFreeDoc()), EID_E_XML_DOCTYPE, EID_E_XML_MALFORMED or
 * EID_E_XML_STRUCTURE.
 */
IDP_WUR enum eid_error eid_response_parse(const char *xml, size_t len,
					  xmlDoc **doc);

/*
 * The rules on the outer Response, each its own error, in this order:
 * Destination is @acs_url (EID_E_DESTINATION); Issuer is @issuer
 * (EID_E_ISSUER); status Success (AuthnFailed: EID_E_CANCELLED, else
 * EID_E_STATUS); no plain saml:Assertion anywhere (EID_E_NOT_ENCRYPTED);
 * exactly one saml:EncryptedAssertion, a child of the Response
 * (EID_E_ASSERTION_COUNT); every EncryptedKey uses RSA-OAEP
 * (EID_E_KEY_TRANSPORT); an ID, IssueInstant and InResponseTo of sane
 * size (EID_E_XML_STRUCTURE). *@why gets a short non-secret detail.
 */
IDP_WUR enum eid_error eid_response_check(xmlDoc *doc, const char *acs_url,
					  const char *issuer,
					  struct eid_outer *out,
					  const char **why);

/*
 * The decrypted assertion's structure (@an, lasso's original node): no
 * nested assertion, no comment, exactly one ds:Signature child whose
 * one Reference points at the assertion's own ID, exactly one
 * SubjectConfirmation and one AuthnStatement. Returns EID_OK,
 * EID_E_ASSERTION_SIGNATURE or EID_E_AUTHN_STATEMENT / EID_E_SUBJECT /
 * EID_E_XML_STRUCTURE.
 */
IDP_WUR enum eid_error eid_assertion_structure(const xmlNode *an,
					       const char **why);

#endif
