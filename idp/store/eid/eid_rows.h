/*
 * Inside the eID domain of the store: helpers its statement files share.
 * Only the files in idp/store/eid/ include this header.
 */
#ifndef IDP_STORE_EID_EID_ROWS_H
#define IDP_STORE_EID_EID_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idp/store/store_eid.h"
#include "idp/store/store_internal.h"

/* A hash as a hex text parameter, for decode($n, 'hex'). */
#define STORE_EID_HASH_HEX_BYTES (2 * STORE_EID_HASH_BYTES + 1)

/*
 * Decode column @col of @row, a bytea selected as encode(x, 'hex'), into
 * @out of exactly @len bytes (@len 0 < ... <= @max for a variable one:
 * then *@got is set). False on NULL or a bad length.
 */
IDP_WUR bool store_eid_row_hex(const PGresult *res, int row, int col,
			       uint8_t *out, size_t max, size_t *got);

#endif
