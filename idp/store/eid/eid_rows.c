/*
 * Helpers of the eID statements.
 */
#include <stdlib.h>
#include <string.h>

#include "idp/store/eid/eid_rows.h"

static int
nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool
store_eid_row_hex(const PGresult *res, int row, int col, uint8_t *out,
		  size_t max, size_t *got)
{
	const char *v;
	size_t len;

	if (PQgetisnull(res, row, col))
		return false;
	v = PQgetvalue(res, row, col);
	len = (size_t)PQgetlength(res, row, col);
	if (len % 2 != 0 || len / 2 > max || len == 0)
		return false;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = nibble(v[2 * i]), lo = nibble(v[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*got = len / 2;
	return true;
}

void
store_eid_service_clear(struct store_eid_service *svc)
{
	if (svc == NULL)
		return;
	free(svc->entity_id);
	free(svc->metadata_xml);
	free(svc->metadata_url);
	for (size_t i = 0; i < STORE_EID_ATTR_COUNT; i++)
		free(svc->attr[i]);
	memset(svc, 0, sizeof(*svc));
}
