/*
 * Inside the account domain of the store: decoding result rows into
 * struct store_account and struct store_session, and encoding parameters
 * (hashes, integers, token purposes) as text. Only the files in
 * idp/store/account/ include this header.
 *
 * Every statement that returns an account or a session selects the
 * columns in the order and under the names listed in account_rows.c;
 * the decoders check the names, so that a statement whose column list
 * drifted fails its first test instead of filling the wrong fields.
 */
#ifndef IDP_STORE_ACCOUNT_ACCOUNT_ROWS_H
#define IDP_STORE_ACCOUNT_ACCOUNT_ROWS_H

#include <stdbool.h>
#include <stdint.h>

#include "idp/store/store_account.h"
#include "idp/store/store_internal.h"

/* Columns of an account row and of a session row. */
#define STORE_ACCOUNT_COLUMNS 17
#define STORE_SESSION_COLUMNS 12

/* A hash as a hex text parameter, for decode($n, 'hex'): 64 digits + NUL. */
#define STORE_HASH_HEX_BYTES (2 * STORE_HASH_BYTES + 1)


/*
 * Decode the account at columns @col .. @col + STORE_ACCOUNT_COLUMNS - 1
 * of @row into @out, whose strings become owned copies. Returns
 * STORE_ONE_ROW, or STORE_HARD_ERROR (columns do not match, a value does
 * not parse, out of memory; logged) with @out cleared.
 */
IDP_WUR int store_row_account(const PGresult *res, int row, int col,
			      struct store_account *out);

/* The same for a session row; see store_row_account(). */
IDP_WUR int store_row_session(const PGresult *res, int row, int col,
			      struct store_session *out);




/*
 * Hex-encode @hash into @hex (lower case, NUL-terminated), in constant
 * time. The caller zeroes @hex after the statement with explicit_bzero():
 * it identifies a session as well as the hash does. Returns @hex.
 */
const char *store_hash_hex(const uint8_t hash[STORE_HASH_BYTES],
			   char hex[STORE_HASH_HEX_BYTES]);

/* The purpose as the email_tokens.purpose column spells it. */
const char *store_token_purpose_name(enum store_token_purpose purpose);

#endif
