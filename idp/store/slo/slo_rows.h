/*
 * Inside the single logout domain of the store: helpers its statement
 * files share. Only the files in idp/store/slo/ include this header.
 */
#ifndef IDP_STORE_SLO_SLO_ROWS_H
#define IDP_STORE_SLO_SLO_ROWS_H

#include "idp/store/store_internal.h"
#include "idp/store/store_slo.h"

/* A hash as a hex text parameter, for decode($n, 'hex'): 64 digits + NUL. */
#define STORE_SLO_HASH_HEX_BYTES (2 * STORE_SLO_HASH_BYTES + 1)

/*
 * Decode the step columns sp_entity_id, nameid, nameid_format,
 * session_index, status, ord from column @col on. False on a broken row.
 */
IDP_WUR bool store_slo_step_row(const PGresult *res, int row, int col,
				struct store_slo_step *out);

#endif
