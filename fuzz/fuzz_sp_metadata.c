/*
 * Fuzz target: metadata import. The input is a metadata document, read
 * by saml_sp_metadata_parse() (an SP's, as idpctl sp add and the refresh
 * job import it) and by saml_idp_metadata_parse() (an IdP's, as the eID
 * service's metadata is read).
 */
#include "fuzz/fuzz_common.h"
#include "idp/saml/saml_sp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct saml_sp_meta m = {0};
	char err[256];

	fuzz_setup();
	(void)!saml_sp_metadata_parse((const char *)data, size, &m, err,
				      sizeof(err));
	saml_sp_meta_clear(&m);
	(void)!saml_idp_metadata_parse((const char *)data, size, &m, err,
				       sizeof(err));
	saml_sp_meta_clear(&m);
	return 0;
}
