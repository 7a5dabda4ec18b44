/*
 * Helpers of the SAML statements: hash parameters, text columns, and
 * freeing a pending request row.
 */
#include <stdlib.h>
#include <string.h>

#include "idp/store/saml/saml_rows.h"

const char *
store_saml_hash_hex(const uint8_t hash[STORE_SAML_HASH_BYTES],
		    char hex[STORE_SAML_HASH_HEX_BYTES])
{
	/*
	 * For a nibble c, 87 + c gives 'a'..'f' for c >= 10, and the mask
	 * subtracts 39 for c < 10 to give '0'..'9': no branch on the data.
	 */
	for (size_t i = 0; i < STORE_SAML_HASH_BYTES; i++) {
		unsigned hi = hash[i] >> 4, lo = hash[i] & 0xfu;

		hex[2 * i] = (char)(87u + hi + (((hi - 10u) >> 8) & ~38u));
		hex[2 * i + 1] = (char)(87u + lo + (((lo - 10u) >> 8) & ~38u));
	}
	hex[2 * STORE_SAML_HASH_BYTES] = '\0';
	return hex;
}

bool
store_saml_get_text(const PGresult *res, int row, int col, bool nullable,
		    char **out)
{
	*out = NULL;
	if (PQgetisnull(res, row, col))
		return nullable;
	*out = strdup(PQgetvalue(res, row, col));
	return *out != NULL;
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
