/*
 * Rows of the relying-party domain: decoding and freeing them.
 */
#include <stdlib.h>
#include <string.h>

#include "idp/log/log.h"
#include "idp/store/sp/sp_rows.h"

/* The output columns of STORE_SP_SELECT, in order. */
static const char *const sp_columns[] = {
	"id",
	"entity_id",
	"metadata",
	"metadata_url",
	"fetched_at",
	"refresh_failed_at",
	"refresh_error",
	"enabled",
	"release_attributes",
	"attribute_profile",
	"nameid_format",
	"require_signed_requests",
	"encrypt_assertions",
	"revision",
	"created_at",
	"updated_at",
};

#define SP_COLUMNS ((int)(sizeof(sp_columns) / sizeof(sp_columns[0])))

void
store_sp_clear(struct store_sp *sp)
{
	if (sp == NULL)
		return;
	free(sp->entity_id);
	free(sp->metadata);
	free(sp->metadata_url);
	free(sp->refresh_error);
	free(sp->release_attributes);
	free(sp->attribute_profile);
	free(sp->nameid_format);
	memset(sp, 0, sizeof(*sp));
}

/* A broken invariant between a statement and its decoder: our bug. */
static int
row_bug(const char *column)
{
	store_error_count_add();
	log_kv(LOG_LEVEL_ERROR, "store_row_invalid", "row", "relying_party",
	       "column", column, NULL);
	return STORE_HARD_ERROR;
}

/* An epoch column; NULL becomes 0. */
static bool
get_time(const PGresult *res, int row, int col, int64_t *out)
{
	*out = 0;
	if (PQgetisnull(res, row, col))
		return true;
	return store_row_int64(res, row, col, out);
}

int
store_row_sp(const PGresult *res, int row, struct store_sp *out)
{
	const char *bad = NULL;
	int c = 0;

	memset(out, 0, sizeof(*out));
	if (PQnfields(res) < SP_COLUMNS)
		return row_bug("column list");
	for (int i = 0; i < SP_COLUMNS; i++) {
		const char *got = PQfname(res, i);

		if (got == NULL || strcmp(got, sp_columns[i]) != 0)
			return row_bug("column list");
	}
	/* One condition per column so that the log names the bad one. */
	if (!store_row_int64(res, row, c++, &out->id))
		bad = "id";
	else if (!store_row_text(res, row, c++, false, &out->entity_id))
		bad = "entity_id";
	else if (!store_row_text(res, row, c++, false, &out->metadata))
		bad = "metadata";
	else if (!store_row_text(res, row, c++, true, &out->metadata_url))
		bad = "metadata_url";
	else if (!get_time(res, row, c++, &out->fetched_at))
		bad = "fetched_at";
	else if (!get_time(res, row, c++, &out->refresh_failed_at))
		bad = "refresh_failed_at";
	else if (!store_row_text(res, row, c++, true, &out->refresh_error))
		bad = "refresh_error";
	else if (!store_row_bool(res, row, c++, &out->enabled))
		bad = "enabled";
	else if (!store_row_text(res, row, c++, false, &out->release_attributes))
		bad = "release_attributes";
	else if (!store_row_text(res, row, c++, false, &out->attribute_profile))
		bad = "attribute_profile";
	else if (!store_row_text(res, row, c++, false, &out->nameid_format))
		bad = "nameid_format";
	else if (!store_row_bool(res, row, c++, &out->require_signed_requests))
		bad = "require_signed_requests";
	else if (!store_row_bool(res, row, c++, &out->encrypt_assertions))
		bad = "encrypt_assertions";
	else if (!store_row_int64(res, row, c++, &out->revision))
		bad = "revision";
	else if (!store_row_int64(res, row, c++, &out->created_at))
		bad = "created_at";
	else if (!store_row_int64(res, row, c++, &out->updated_at))
		bad = "updated_at";
	if (bad != NULL) {
		store_sp_clear(out);
		return row_bug(bad);
	}
	return STORE_ONE_ROW;
}
