/*
 * Fuzz target: an AuthnRequest by the HTTP-POST binding. The input is
 * the XML document itself, base64-encoded here the way an SP posts it,
 * so that the fuzzer mutates XML rather than base64 text; everything
 * from our base64 decoding on runs as in idpd.
 */
#include <glib.h>

#include "fuzz/fuzz_common.h"
#include "fuzz/fuzz_sso_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct saml_sso_input in = {.binding = SAML_SSO_POST,
				    .relay_state = "fuzz"};
	char *b64;

	fuzz_setup();
	b64 = g_base64_encode(data, size);
	in.saml_request = b64;
	fuzz_sso_receive(&in);
	g_free(b64);
	return 0;
}
