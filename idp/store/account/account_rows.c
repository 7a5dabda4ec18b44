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
	else if (!store_row_text(res, row, c++, false, &out->audit_ref))
		bad = "audit_ref";
	else if (!store_row_text(res, row, c++, false, &out->email))
		bad = "email";
	else if (!store_row_bool(res, row, c++, &out->email_verified))
		bad = "email_verified";
	else if (!store_row_text(res, row, c++, true, &out->pending_email))
		bad = "pending_email";
	else if (!store_row_text(res, row, c++, true, &out->password_hash))
		bad = "password_hash";
	else if (!store_row_text(res, row, c++, false, &out->given_name))
		bad = "given_name";
	else if (!store_row_text(res, row, c++, false, &out->family_name))
		bad = "family_name";
	else if (!store_row_text(res, row, c++, true, &out->birth_date))
		bad = "birth_date";
	else if (!store_row_text(res, row, c++, true, &out->street))
		bad = "street";
	else if (!store_row_text(res, row, c++, true, &out->postal_code))
		bad = "postal_code";
	else if (!store_row_text(res, row, c++, true, &out->city))
		bad = "city";
	else if (!store_row_text(res, row, c++, false, &out->name_source))
		bad = "name_source";
	else if (!store_row_text(res, row, c++, false, &out->birth_date_source))
		bad = "birth_date_source";
	else if (!store_row_text(res, row, c++, false, &out->address_source))
		bad = "address_source";
	else if (!store_row_bool(res, row, c++, &out->locked))
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
	else if (!store_row_text(res, row, c++, false, &out->handle))
		bad = "handle";
	else if (!store_row_int64(res, row, c++, &out->account_id))
		bad = "account_id";
	else if (!store_row_text(res, row, c++, false, &out->auth_method))
		bad = "auth_method";
	else if (!store_row_text(res, row, c++, false, &out->loa))
		bad = "loa";
	else if (!store_row_int64(res, row, c++, &out->created_at))
		bad = "created_at";
	else if (!store_row_int64(res, row, c++, &out->last_seen_at))
		bad = "last_seen_at";
	else if (!store_row_int64(res, row, c++, &out->idle_expires_at))
		bad = "idle_expires_at";
	else if (!store_row_int64(res, row, c++, &out->absolute_expires_at))
		bad = "absolute_expires_at";
	else if (!store_row_text(res, row, c++, true, &out->client))
		bad = "client";
	else if (!store_row_text(res, row, c++, true, &out->user_agent))
		bad = "user_agent";
	else if (!store_row_bool(res, row, c++, &out->current))
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
	return store_hex(hash, STORE_HASH_BYTES, hex);
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
