/*
 * Fuzz target: the eID response path before and after lasso without the
 * database (idp/eid/eid_response_check.c, eid_assertion_check.c). The
 * input is the Response document, base64-encoded here as the eID
 * service posts it (so the fuzzer mutates XML); then what eid_acs()
 * does before lasso: decode, parse, the outer checks. The assertion
 * structure check, which idpd runs on lasso's decrypted assertion, is
 * run on every saml:Assertion element of the parsed document, so that
 * the fuzzer can reach it with plain-text assertions.
 */
#include <glib.h>
#include <string.h>

#include "fuzz/fuzz_common.h"
#include "idp/eid/eid_response_check.h"
#include "idp/log/log.h"

#define NS_ASSERTION "urn:oasis:names:tc:SAML:2.0:assertion"

/* What the simulator's responses are addressed to and come from. */
#define ACS_URL "https://idp.example.org/eid/acs"
#define ISSUER	"https://eid.example.org/metadata"

static void
assertions(const xmlNode *n, int depth)
{
	/* libxml2 itself stops at 256 levels; this is only a backstop. */
	if (depth > 300)
		return;
	for (; n != NULL; n = n->next) {
		const char *why = NULL;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (n->ns != NULL &&
		    strcmp((const char *)n->ns->href, NS_ASSERTION) == 0 &&
		    strcmp((const char *)n->name, "Assertion") == 0)
			log_kv(LOG_LEVEL_INFO, "fuzz_eid_assertion", "error",
			       eid_error_info(eid_assertion_structure(n, &why))
				       ->name,
			       "why", why ? why : "", NULL);
		assertions(n->children, depth + 1);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eid_outer outer = {0};
	const char *why = NULL;
	enum eid_error e;
	xmlDoc *doc = NULL;
	char *b64, *xml = NULL;
	size_t xml_len = 0;

	fuzz_setup();
	b64 = g_base64_encode(data, size);
	if (eid_response_decode(b64, strlen(b64), &xml, &xml_len) != EID_OK)
		goto out;
	if (eid_response_parse(xml, xml_len, &doc) != EID_OK)
		goto out;
	/* With FUZZ_LOG=1: how far the seeds get. */
	e = eid_response_check(doc, ACS_URL, ISSUER, &outer, &why);
	log_kv(LOG_LEVEL_INFO, "fuzz_eid_outer", "error",
	       eid_error_info(e)->name, "why", why ? why : "", NULL);
	assertions(xmlDocGetRootElement(doc), 0);
out:
	eid_outer_clear(&outer);
	xmlFreeDoc(doc);
	g_free(xml);
	g_free(b64);
	return 0;
}
