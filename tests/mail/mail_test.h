/*
 * Harness of the mail tests: a real SMTP server (aiosmtpd with the
 * smtp_sink.py handler) on a free loopback port, Python's email parser as
 * an independent decoder (mail_decode.py), configs built through
 * cfg_load() and polling the outbox table.
 *
 * The test programs take two arguments from meson: a python3 that has
 * aiosmtpd, and the directory of this file (with the two scripts).
 */
#ifndef TESTS_MAIL_MAIL_TEST_H
#define TESTS_MAIL_MAIL_TEST_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "idp/cfg/cfg.h"

/* Read the arguments; make a scratch directory removed at exit. */
void mt_init(int argc, char **argv);

/* A new empty directory under the scratch directory (owned by mt). */
const char *mt_dir(const char *name);

/* A loopback TCP port that was free a moment ago. */
unsigned mt_free_port(void);

/*
 * Start the SMTP sink on 127.0.0.1:@port writing into @dir, and wait
 * until it accepts connections. Exits the test on failure. Servers still
 * running at exit are stopped.
 */
pid_t mt_smtp_start(unsigned port, const char *dir);
void mt_smtp_stop(pid_t pid);

/*
 * The same sink, but requiring SMTP AUTH (PLAIN or LOGIN, without TLS) as
 * @user_password ("user:password"); other credentials get 535.
 */
pid_t mt_smtp_start_auth(unsigned port, const char *dir,
			 const char *user_password);

/* How many complete messages (*.eml) are in @dir. */
size_t mt_count(const char *dir);

/*
 * mail_decode.py's output for every message in @dir (in arrival order),
 * or for the mbox file @path. Owned, g_free().
 */
char *mt_decode_dir(const char *dir);
char *mt_decode_mbox(const char *path);

/* The envelope file of the @n-th message (1-based) in @dir; g_free(). */
char *mt_envelope(const char *dir, size_t n);

/* The raw bytes of the @n-th message (1-based) in @dir; g_free(). */
char *mt_raw(const char *dir, size_t n);

/*
 * A config for database @conninfo with the defaults plus @env, a
 * NULL-terminated list of "IDP_MAIL_...=value" strings. Exits on error.
 */
struct cfg *mt_cfg(const char *conninfo, const char *const *env);

/*
 * Poll @sql (one value) on @c every 20 ms until it returns @want or
 * @timeout_ms passed. Returns whether it did.
 */
bool mt_wait(PGconn *c, const char *sql, const char *want, int timeout_ms);

/* @sql's one value as a string; owned, free(). */
char *mt_query(PGconn *c, const char *sql);

/* Sleep @ms milliseconds. */
void mt_sleep(unsigned ms);

#endif
