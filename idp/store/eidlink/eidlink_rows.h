/*
 * Inside the eID link domain of the store: decoding a person and a hold
 * from result rows. Only the files in idp/store/eidlink/ include this.
 */
#ifndef IDP_STORE_EIDLINK_EIDLINK_ROWS_H
#define IDP_STORE_EIDLINK_EIDLINK_ROWS_H

#include "idp/store/store_eidlink.h"
#include "idp/store/store_internal.h"

/* A hash as a hex text parameter: 64 digits + NUL. */
#define EIDLINK_HEX_BYTES (2 * STORE_HASH_BYTES + 1)

/*
 * The columns of a hold, in this order and under these names:
 * pseudonym_hash (hex), family_name, given_names, birth_date,
 * place_of_birth, street, postal_code, city, document_type, pending.
 */
#define EIDLINK_HOLD_COLUMNS 10
#define EIDLINK_HOLD_SELECT                                                    \
	"encode(pseudonym_hash, 'hex') AS pseudonym_hash, family_name,"        \
	" given_names, to_char(birth_date, 'YYYY-MM-DD') AS birth_date,"       \
	" place_of_birth, street, postal_code, city, document_type, pending"

/*
 * Decode the hold at row 0 of @res into @out. STORE_ONE_ROW, or
 * STORE_HARD_ERROR (logged) with @out cleared.
 */
IDP_WUR int eidlink_row_hold(const PGresult *res, struct store_eid_hold *out);

/* 64 hex digits into @hash; false when malformed. */
IDP_WUR bool eidlink_unhex(const char *hex, uint8_t hash[STORE_HASH_BYTES]);

/* An empty string as NULL (SQL NULL for "not given"). */
const char *eidlink_opt(const char *s);

#endif
