/*
 * Inside the signing key store: the column list that every statement
 * reading signing_keys selects, and the decoder that turns its result
 * into struct store_key for a callback. Only idp/store/keys/ includes
 * this header.
 */
#ifndef IDP_STORE_KEYS_KEYS_ROWS_H
#define IDP_STORE_KEYS_KEYS_ROWS_H

#include "idp/store/store_internal.h"
#include "idp/store/store_keys.h"

/*
 * The columns in the order store_keys_rows_visit() decodes them, with
 * @cert and @sealed the expressions for the certificate and the sealed
 * key (NULL::text when a statement does not need them). Times as Unix
 * seconds (floor: the second that has begun); bytes as hex, so that the
 * session's bytea_output cannot change them.
 */
#define STORE_KEYS_COLUMNS(cert, sealed)                                       \
	"id, state, bits, fingerprint, " cert " AS certificate, " sealed       \
	" AS sealed_hex,"                                                      \
	" floor(extract(epoch FROM not_before))::bigint AS not_before,"        \
	" floor(extract(epoch FROM not_after))::bigint AS not_after,"          \
	" floor(extract(epoch FROM created_at))::bigint AS created_at,"        \
	" floor(extract(epoch FROM published_at))::bigint AS published_at,"    \
	" floor(extract(epoch FROM activated_at))::bigint AS activated_at,"    \
	" floor(extract(epoch FROM deactivated_at))::bigint"                   \
	" AS deactivated_at,"                                                  \
	" floor(extract(epoch FROM retired_at))::bigint AS retired_at,"        \
	" floor(extract(epoch FROM now() - published_at))::bigint"             \
	" AS published_for, purpose"

/* All columns, and the same with the certificate and sealed key left out. */
#define STORE_KEYS_COLUMNS_FULL                                                \
	STORE_KEYS_COLUMNS("certificate", "encode(sealed_key, 'hex')")
#define STORE_KEYS_COLUMNS_BRIEF STORE_KEYS_COLUMNS("NULL::text", "NULL::text")

/*
 * Call @cb for every row of @res (selected with STORE_KEYS_COLUMNS).
 * @what names the statement in the log. Every row is checked before the
 * first call: returns the number of rows, or STORE_HARD_ERROR (logged;
 * nothing is called) when a row breaks what the schema promises or
 * memory runs out.
 */
IDP_WUR int store_keys_rows_visit(const PGresult *res, const char *what,
				  store_key_cb cb, void *cls);

/* Hex of @len bytes at @p (lower case), owned: free(). NULL: no memory. */
char *store_keys_hex(const uint8_t *p, size_t len);

#endif
