/*
 * Inside the audit store: the column list that every statement reading
 * audit_log selects, and the decoder that turns its result into
 * struct store_audit_row for a callback.
 */
#ifndef IDP_STORE_AUDIT_AUDIT_ROWS_H
#define IDP_STORE_AUDIT_AUDIT_ROWS_H

#include <stdint.h>

#include "idp/store/store_audit.h"
#include "idp/store/store_internal.h"

/*
 * The columns in the order store_audit_rows_visit() decodes them. The
 * time and the hashes are rendered by PostgreSQL in a fixed form
 * (audit_time_text(), hex) so that the session's DateStyle, TimeZone and
 * bytea_output cannot change what verification hashes.
 */
#define STORE_AUDIT_COLUMNS                                                    \
	"seq, audit_time_text(at) AS at_text, event, actor, subject,"          \
	" client, details::text AS details_text,"                              \
	" encode(prev_hash, 'hex') AS prev_hash_hex,"                          \
	" encode(hash, 'hex') AS hash_hex"

/*
 * Call @cb for every row of @res (selected with STORE_AUDIT_COLUMNS).
 * @what names the statement in the log. Returns the number of rows, or
 * STORE_HARD_ERROR (nothing is called) when a row breaks what the schema
 * promises (NULL in a NOT NULL column, seq not a number).
 */
IDP_WUR int store_audit_rows_visit(const PGresult *res, const char *what,
				   store_audit_row_cb cb, void *cls);



#endif
