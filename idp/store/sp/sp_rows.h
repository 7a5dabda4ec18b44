/*
 * Inside the relying-party domain of the store: the column list every
 * statement that returns a relying party selects, and its decoder. Only
 * the files in idp/store/sp/ include this header.
 */
#ifndef IDP_STORE_SP_SP_ROWS_H
#define IDP_STORE_SP_SP_ROWS_H

#include "idp/store/store_internal.h"
#include "idp/store/store_sp.h"

/*
 * The select list of a relying-party row, in the order and under the
 * names store_row_sp() checks. Times as epoch seconds and the release
 * list joined by ',' so that neither DateStyle nor array quoting matter.
 */
#define STORE_SP_SELECT                                                        \
	"SELECT id, entity_id, metadata, metadata_url,"                        \
	" floor(extract(epoch FROM fetched_at))::bigint AS fetched_at,"        \
	" floor(extract(epoch FROM refresh_failed_at))::bigint"                \
	" AS refresh_failed_at,"                                               \
	" refresh_error, enabled,"                                             \
	" array_to_string(release_attributes, ',') AS release_attributes,"     \
	" attribute_profile, nameid_format, require_signed_requests,"          \
	" encrypt_assertions, revision,"                                       \
	" floor(extract(epoch FROM created_at))::bigint AS created_at,"        \
	" floor(extract(epoch FROM updated_at))::bigint AS updated_at"         \
	" FROM relying_parties"

/*
 * Decode row @row of @res (columns as STORE_SP_SELECT) into @out, whose
 * strings become owned copies. Returns STORE_ONE_ROW, or
 * STORE_HARD_ERROR (columns do not match, a value does not parse, out of
 * memory; logged) with @out cleared.
 */
IDP_WUR int store_row_sp(const PGresult *res, int row, struct store_sp *out);

#endif
