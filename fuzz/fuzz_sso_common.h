/*
 * The part of saml_sso_receive() that needs no database, shared by the
 * Redirect and POST targets; see fuzz_sso_common.c.
 */
#ifndef IDP_FUZZ_FUZZ_SSO_COMMON_H
#define IDP_FUZZ_FUZZ_SSO_COMMON_H

#include "idp/saml/saml.h"

/*
 * sso_decode(), sso_xml_check() and lasso's reading of the request as
 * saml_sso_receive() does them, plus the checks on lasso's object that
 * need no SP (same ID and issuer, IssueInstant syntax).
 */
void fuzz_sso_receive(const struct saml_sso_input *in);

#endif
