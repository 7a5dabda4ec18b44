/*
 * Internal error codes shared by every layer but the store (which has its
 * own STORE_* return values, see idp/store/store.h).
 *
 * Fallible functions return 0 or one of these negative values.
 */
#ifndef IDP_COMMON_ERR_H
#define IDP_COMMON_ERR_H

#define IDP_WUR __attribute__((warn_unused_result))

enum idp_err {
	IDP_OK = 0,
	IDP_ERR_NOMEM = -1,	  /* allocation failed */
	IDP_ERR_INVALID = -2,	  /* input does not meet its contract */
	IDP_ERR_TOO_LARGE = -3,	  /* input over a named limit */
	IDP_ERR_UNAVAILABLE = -4, /* a dependency (database) is down */
	IDP_ERR_INTERNAL = -5,	  /* a broken invariant: our bug */
	IDP_ERR_IO = -6,	  /* file or socket error */
};

/* Short English name of an error code, for logs. Never NULL. */
const char *idp_err_name(int err);

#include <stddef.h>

/*
 * Format one error line into @err (nothing when @errlen is 0 or @err is
 * NULL) and return @rc, so that a check can `return idp_errf(...)`.
 */
int idp_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * @s fit to quote in an error line that reaches a terminal, a log or the
 * database: printable ASCII only (anything else becomes '?'), at most
 * @max bytes, then "..." when cut. Written into @buf (@max + 4 bytes).
 */
const char *idp_shown(const char *s, size_t max, char *buf);

#endif
