/*
 * Web SSO request reading without a database: our decoding and XML
 * checks (idp/saml/sso_decode.c, sso_xml_check.c), then lasso's parse of
 * the same document, as saml_sso_receive() does before it looks up the
 * SP. The signature check and the SP's ACS need the worker's registry,
 * so they are not reached here.
 */
#include <string.h>

#include "fuzz/fuzz_sso_common.h"
#include "idp/log/log.h"
#include "idp/saml/saml_internal.h"
#include "idp/saml/sso_internal.h"

void
fuzz_sso_receive(const struct saml_sso_input *in)
{
	struct sso_parsed p = {0};
	LassoNode *node = NULL;
	int64_t t;

	if (sso_decode(in, &p) != 0)
		return;
	if (sso_xml_check(&p) != 0)
		goto out;
	/* Only documents that passed our checks reach lasso, as in idpd. */
	node = lasso_node_new_from_dump(p.xml);
	if (node != NULL && LASSO_IS_SAMLP2_AUTHN_REQUEST(node)) {
		LassoSamlp2AuthnRequest *a = LASSO_SAMLP2_AUTHN_REQUEST(node);
		LassoSamlp2RequestAbstract *ra = &a->parent;

		/* What validate_same() and validate_issue_instant() read. */
		if (ra->ID != NULL && p.id != NULL)
			(void)strcmp(ra->ID, p.id);
		if (ra->Issuer != NULL && ra->Issuer->content != NULL &&
		    p.issuer != NULL)
			(void)strcmp(ra->Issuer->content, p.issuer);
		if (!saml_time_parse(ra->IssueInstant, &t))
			t = 0;
		/* With FUZZ_LOG=1: which seeds get this far. */
		log_kv(LOG_LEVEL_INFO, "fuzz_lasso_parsed", NULL);
	}
out:
	if (node != NULL)
		lasso_node_destroy(node);
	sso_parsed_clear(&p);
}
