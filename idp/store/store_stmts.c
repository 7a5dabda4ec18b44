/*
 * The table of every prepared statement, built from STORE_STMT_LIST in
 * store_internal.h so that a new pg_*.c file is one line there.
 */
#include "idp/store/store_internal.h"

#define STORE_STMT_ENTRY(what) &store_stmt_##what,
const struct store_stmt *const store_stmts[] = {
	STORE_STMT_LIST(STORE_STMT_ENTRY)};
#undef STORE_STMT_ENTRY

const size_t store_stmts_count = sizeof(store_stmts) / sizeof(store_stmts[0]);
