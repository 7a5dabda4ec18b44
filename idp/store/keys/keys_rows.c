/*
 * Decoding signing_keys rows, shared by the statements that read them.
 */
#include <stdlib.h>
#include <string.h>

#include "idp/log/log.h"
#include "idp/store/keys/keys_rows.h"

#define N_COLUMNS 15

/* Column numbers, in the order of STORE_KEYS_COLUMNS. */
enum {
	C_ID,
	C_STATE,
	C_BITS,
	C_FINGERPRINT,
	C_CERTIFICATE,
	C_SEALED,
	C_NOT_BEFORE, /* the first of the times, published_for the last */
	C_PURPOSE = C_NOT_BEFORE + 8,
};

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode lower-case hex @hex into a new buffer; false when malformed. */
static bool
unhex(const char *hex, uint8_t **out, size_t *len)
{
	size_t n = strlen(hex);
	uint8_t *b;

	*out = NULL;
	*len = 0;
	if (n == 0 || n % 2 != 0)
		return false;
	b = malloc(n / 2);
	if (b == NULL)
		return false;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(b);
			return false;
		}
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	*out = b;
	*len = n / 2;
	return true;
}

/* A time column: NULL is 0, anything else a strict int64. */
static bool
time_col(const PGresult *res, int row, int col, int64_t *out)
{
	*out = 0;
	return PQgetisnull(res, row, col) ||
	       store_row_int64(res, row, col, out);
}

/*
 * Decode row @i into @k; *@sealed receives the decoded key (free it after
 * the callback). False when the row breaks the schema's promises.
 */
static bool
decode(const PGresult *res, int i, struct store_key *k, uint8_t **sealed)
{
	int64_t *times[] = {
		&k->not_before,	  &k->not_after,     &k->created_at,
		&k->published_at, &k->activated_at,  &k->deactivated_at,
		&k->retired_at,	  &k->published_for,
	};

	memset(k, 0, sizeof(*k));
	*sealed = NULL;
	if (!store_row_int64(res, i, C_ID, &k->id) ||
	    !store_get_int(res, i, C_BITS, &k->bits) ||
	    PQgetisnull(res, i, C_STATE) ||
	    PQgetisnull(res, i, C_FINGERPRINT) ||
	    PQgetisnull(res, i, C_PURPOSE))
		return false;
	k->state = PQgetvalue(res, i, C_STATE);
	k->purpose = PQgetvalue(res, i, C_PURPOSE);
	k->fingerprint = PQgetvalue(res, i, C_FINGERPRINT);
	if (!PQgetisnull(res, i, C_CERTIFICATE))
		k->certificate = PQgetvalue(res, i, C_CERTIFICATE);
	if (!PQgetisnull(res, i, C_SEALED)) {
		if (!unhex(PQgetvalue(res, i, C_SEALED), sealed,
			   &k->sealed_len))
			return false;
		k->sealed = *sealed;
	}
	for (size_t t = 0; t < sizeof(times) / sizeof(times[0]); t++)
		if (!time_col(res, i, C_NOT_BEFORE + (int)t, times[t]))
			return false;
	return true;
}

int
store_keys_rows_visit(const PGresult *res, const char *what, store_key_cb cb,
		      void *cls)
{
	int n = PQntuples(res), i, rc = STORE_HARD_ERROR;
	struct store_key *k = NULL;
	uint8_t **sealed = NULL;

	if (PQnfields(res) != N_COLUMNS)
		goto out;
	if (n == 0)
		return 0;
	/* Decode every row before the first call: all or nothing. */
	k = calloc((size_t)n, sizeof(*k));
	sealed = calloc((size_t)n, sizeof(*sealed));
	if (k == NULL || sealed == NULL)
		goto out;
	for (i = 0; i < n; i++)
		if (!decode(res, i, &k[i], &sealed[i]))
			goto out;
	for (i = 0; i < n; i++)
		cb(&k[i], cls);
	rc = n;
out:
	if (sealed != NULL)
		for (i = 0; i < n; i++)
			free(sealed[i]);
	free(sealed);
	free(k);
	if (rc < 0) {
		store_error_count_add();
		log_kv(LOG_LEVEL_ERROR, "store_bad_row", "statement", what,
		       NULL);
	}
	return rc;
}

char *
store_keys_hex(const uint8_t *p, size_t len)
{
	char *h = malloc(2 * len + 1);

	if (h != NULL)
		store_hex(p, len, h);
	return h;
}
