/*
 * Rows of the account domain: decoding accounts and sessions, freeing
 * them, and the text encodings of the parameters these statements share.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/log/log.h"
#include "idp/store/account/account_rows.h"

/*
 * Output column names, in order, of every statement that returns an
 * account (accounts: account_select_by_email, account_select_by_id,
 * session_select) or a session (session_select, session_iterate).
 */
static const char *const account_columns[STORE_ACCOUNT_COLUMNS] = {
	"id",
	"audit_ref",
	"email",
	"email_verified",
	"pending_email",
	"password_hash",
	"given_name",
	"family_name",
	"birth_date",
	"street",
	"postal_code",
	"city",
	"name_source",
	"birth_date_source",
	"address_source",
	"locked",
	"created_at",
};

static const char *const session_columns[STORE_SESSION_COLUMNS] = {
	"id",
	"handle",
	"account_id",
	"auth_method",
	"loa",
	"created_at",
	"last_seen_at",
	"idle_expires_at",
	"absolute_expires_at",
	"client",
	"user_agent",
	"current",
};

void
store_account_clear(struct store_account *a)
{
	if (a == NULL)
		return;
	/*
	 * The Argon2id string is not the password, but it is what an
	 * offline guesser needs: do not leave it in freed memory.
	 */
	if (a->password_hash != NULL)
		explicit_bzero(a->password_hash, strlen(a->password_hash));
	free(a->audit_ref);
	free(a->email);
	free(a->pending_email);
	free(a->password_hash);
	free(a->given_name);
	free(a->family_name);
	free(a->birth_date);
	free(a->street);
	free(a->postal_code);
	free(a->city);
	free(a->name_source);
	free(a->birth_date_source);
	free(a->address_source);
	memset(a, 0, sizeof(*a));
}

void
store_session_clear(struct store_session *ss)
{
	if (ss == NULL)
		return;
	free(ss->handle);
	free(ss->auth_method);
	free(ss->loa);
	free(ss->client);
	free(ss->user_agent);
	memset(ss, 0, sizeof(*ss));
}

/* A broken invariant between a statement and its decoder: our bug. */
static int
row_bug(const char *what, const char *column)
{
	store_error_count_add();
	log_kv(LOG_LEVEL_ERROR, "store_row_invalid", "row", what, "column",
	       column, NULL);
	return STORE_HARD_ERROR;
}

static bool
columns_match(const PGresult *res, int col, const char *const *names, int n)
{
	if (col < 0 || PQnfields(res) < col + n)
		return false;
	for (int i = 0; i < n; i++) {
		const char *got = PQfname(res, col + i);

		if (got == NULL || strcmp(got, names[i]) != 0)
			return false;
	}
	return true;
}

/* PostgreSQL's text form of a boolean: "t" or "f". */
static bool
get_bool(const PGresult *res, int row, int col, bool *out)
{
	const char *v;

	if (PQgetisnull(res, row, col))
		return false;
	v = PQgetvalue(res, row, col);
	if (strcmp(v, "t") == 0)
		*out = true;
	else if (strcmp(v, "f") == 0)
		*out = false;
	else
		return false;
	return true;
}

/*
 * An owned copy of a text column; NULL stays NULL when @nullable, and is
 * refused otherwise. False on a refused NULL or out of memory.
 */
static bool
get_text(const PGresult *res, int row, int col, bool nullable, char **out)
{
	*out = NULL;
	if (PQgetisnull(res, row, col))
		return nullable;
	*out = strdup(PQgetvalue(res, row, col));
	return *out != NULL;
}

int
store_row_account(const PGresult *res, int row, int col,
		  struct store_account *out)
{
	const char *bad = NULL;
	int c = col;

	memset(out, 0, sizeof(*out));
	if (!columns_match(res, col, account_columns, STORE_ACCOUNT_COLUMNS))
		return row_bug("account", "column list");
	/* One condition per column so that the log names the bad one. */
	if (!store_row_int64(res, row, c++, &out->id))
		bad = "id";
	else if (!get_text(res, row, c++, false, &out->audit_ref))
		bad = "audit_ref";
	else if (!get_text(res, row, c++, false, &out->email))
		bad = "email";
	else if (!get_bool(res, row, c++, &out->email_verified))
		bad = "email_verified";
	else if (!get_text(res, row, c++, true, &out->pending_email))
		bad = "pending_email";
	else if (!get_text(res, row, c++, true, &out->password_hash))
		bad = "password_hash";
	else if (!get_text(res, row, c++, false, &out->given_name))
		bad = "given_name";
	else if (!get_text(res, row, c++, false, &out->family_name))
		bad = "family_name";
	else if (!get_text(res, row, c++, true, &out->birth_date))
		bad = "birth_date";
	else if (!get_text(res, row, c++, true, &out->street))
		bad = "street";
	else if (!get_text(res, row, c++, true, &out->postal_code))
		bad = "postal_code";
	else if (!get_text(res, row, c++, true, &out->city))
		bad = "city";
	else if (!get_text(res, row, c++, false, &out->name_source))
		bad = "name_source";
	else if (!get_text(res, row, c++, false, &out->birth_date_source))
		bad = "birth_date_source";
	else if (!get_text(res, row, c++, false, &out->address_source))
		bad = "address_source";
	else if (!get_bool(res, row, c++, &out->locked))
		bad = "locked";
	else if (!store_row_int64(res, row, c++, &out->created_at))
		bad = "created_at";
	if (bad != NULL) {
		store_account_clear(out);
		return row_bug("account", bad);
	}
	return STORE_ONE_ROW;
}

int
store_row_session(const PGresult *res, int row, int col,
		  struct store_session *out)
{
	const char *bad = NULL;
	int c = col;

	memset(out, 0, sizeof(*out));
	if (!columns_match(res, col, session_columns, STORE_SESSION_COLUMNS))
		return row_bug("session", "column list");
	if (!store_row_int64(res, row, c++, &out->id))
		bad = "id";
	else if (!get_text(res, row, c++, false, &out->handle))
		bad = "handle";
	else if (!store_row_int64(res, row, c++, &out->account_id))
		bad = "account_id";
	else if (!get_text(res, row, c++, false, &out->auth_method))
		bad = "auth_method";
	else if (!get_text(res, row, c++, false, &out->loa))
		bad = "loa";
	else if (!store_row_int64(res, row, c++, &out->created_at))
		bad = "created_at";
	else if (!store_row_int64(res, row, c++, &out->last_seen_at))
		bad = "last_seen_at";
	else if (!store_row_int64(res, row, c++, &out->idle_expires_at))
		bad = "idle_expires_at";
	else if (!store_row_int64(res, row, c++, &out->absolute_expires_at))
		bad = "absolute_expires_at";
	else if (!get_text(res, row, c++, true, &out->client))
		bad = "client";
	else if (!get_text(res, row, c++, true, &out->user_agent))
		bad = "user_agent";
	else if (!get_bool(res, row, c++, &out->current))
		bad = "current";
	if (bad != NULL) {
		store_session_clear(out);
		return row_bug("session", bad);
	}
	return STORE_ONE_ROW;
}

const char *
store_hash_hex(const uint8_t hash[STORE_HASH_BYTES],
	       char hex[STORE_HASH_HEX_BYTES])
{
	/*
	 * Without a table lookup or a branch on the data (as libsodium's
	 * sodium_bin2hex, which the store may not include): for a nibble
	 * c, 87 + c gives 'a'..'f' for c >= 10, and the mask subtracts 39
	 * for c < 10 to give '0'..'9'.
	 */
	for (size_t i = 0; i < STORE_HASH_BYTES; i++) {
		unsigned hi = hash[i] >> 4, lo = hash[i] & 0xfu;

		hex[2 * i] = (char)(87u + hi + (((hi - 10u) >> 8) & ~38u));
		hex[2 * i + 1] = (char)(87u + lo + (((lo - 10u) >> 8) & ~38u));
	}
	hex[2 * STORE_HASH_BYTES] = '\0';
	return hex;
}

const char *
store_token_purpose_name(enum store_token_purpose purpose)
{
	switch (purpose) {
	case STORE_TOKEN_VERIFY:
		return "verify";
	case STORE_TOKEN_RESET:
		return "reset";
	case STORE_TOKEN_EMAIL_CHANGE:
		return "email_change";
	}
	return NULL;
}
