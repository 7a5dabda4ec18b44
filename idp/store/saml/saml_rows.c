/*
 * Helpers of the SAML statements: hash parameters and freeing a pending
 * request row.
 */
#include <stdlib.h>
#include <string.h>

#include "idp/store/saml/saml_rows.h"

const char *
store_saml_hash_hex(const uint8_t hash[STORE_SAML_HASH_BYTES],
		    char hex[STORE_SAML_HASH_HEX_BYTES])
{
	return store_hex(hash, STORE_SAML_HASH_BYTES, hex);
}

void
store_saml_pending_clear(struct store_saml_pending *p)
{
	if (p == NULL)
		return;
	free(p->sp_entity_id);
	free(p->request_id);
	free(p->acs_url);
	free(p->relay_state);
	free(p->nameid_format);
	free(p->authn_comparison);
	free(p->authn_class_refs);
	memset(p, 0, sizeof(*p));
}
