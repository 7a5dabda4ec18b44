/*
 * Fuzz target: an AuthnRequest by the HTTP-Redirect binding. The input
 * is the raw query string as sent (SAMLRequest, RelayState, SigAlg,
 * Signature; percent-encoded base64 of raw DEFLATE).
 */
#include <glib.h>
#include <string.h>

#include "fuzz/fuzz_common.h"
#include "fuzz/fuzz_sso_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct saml_sso_input in = {.binding = SAML_SSO_REDIRECT};
	char *query;

	fuzz_setup();
	/* The server hands us a NUL-terminated query; cut at a NUL too. */
	query = g_strndup((const char *)data, size);
	in.raw_query = query;
	in.has_signature = strstr(query, "Signature=") != NULL;
	fuzz_sso_receive(&in);
	g_free(query);
	return 0;
}
