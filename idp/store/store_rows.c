/*
 * Decoding and encoding helpers that every store statement may use:
 * strict integers from result rows, row counts, integer parameters.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/store/store_internal.h"

bool
store_row_int64(const PGresult *res, int row, int col, int64_t *out)
{
	const char *v;
	char *end;
	long long l;

	if (PQgetisnull(res, row, col))
		return false;
	v = PQgetvalue(res, row, col);
	/* strtoll skips leading blanks and takes a sign; we want digits. */
	if (!((v[0] >= '0' && v[0] <= '9') ||
	      (v[0] == '-' && v[1] >= '0' && v[1] <= '9')))
		return false;
	errno = 0;
	l = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = (int64_t)l;
	return true;
}

bool
store_row_count(PGresult *res, int64_t *n)
{
	const char *v = PQcmdTuples(res);
	char *end;
	unsigned long long l;

	if (v[0] < '0' || v[0] > '9')
		return false;
	errno = 0;
	l = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || l > INT64_MAX)
		return false;
	*n = (int64_t)l;
	return true;
}

const char *
store_int64_param(char buf[STORE_INT64_PARAM_BYTES], int64_t v)
{
	(void)snprintf(buf, STORE_INT64_PARAM_BYTES, "%" PRId64, v);
	return buf;
}


bool
store_row_bool(const PGresult *res, int row, int col, bool *out)
{
	const char *v;

	if (PQgetisnull(res, row, col))
		return false;
	v = PQgetvalue(res, row, col);
	if (strcmp(v, "t") != 0 && strcmp(v, "f") != 0)
		return false;
	*out = v[0] == 't';
	return true;
}

bool
store_row_text(const PGresult *res, int row, int col, bool nullable,
	       char **out)
{
	*out = NULL;
	if (PQgetisnull(res, row, col))
		return nullable;
	*out = strdup(PQgetvalue(res, row, col));
	return *out != NULL;
}

const char *
store_hex(const uint8_t *bin, size_t len, char *hex)
{
	/*
	 * Without a table lookup or a branch on the data (as libsodium's
	 * sodium_bin2hex, which the store may not include): for a nibble
	 * c, 87 + c gives 'a'..'f' for c >= 10, and the mask subtracts 39
	 * for c < 10 to give '0'..'9'.
	 */
	for (size_t i = 0; i < len; i++) {
		unsigned hi = bin[i] >> 4, lo = bin[i] & 0xfu;

		hex[2 * i] = (char)(87u + hi + (((hi - 10u) >> 8) & ~38u));
		hex[2 * i + 1] = (char)(87u + lo + (((lo - 10u) >> 8) & ~38u));
	}
	hex[2 * len] = '\0';
	return hex;
}
