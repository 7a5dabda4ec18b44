/*
 * Inside idp/cfg: what cfg.c (the table of keys, each value's parsing and
 * checking, the checks that span keys) and cfg_file.c (cfg_load(): the
 * file and the environment) share. Keys are named by their index in the
 * table, 0 .. cfg_n_keys - 1, in the order of docs/configuration.md.
 *
 * A struct cfg_load lives for one cfg_load() call on one thread.
 */
#ifndef IDP_CFG_CFG_INTERNAL_H
#define IDP_CFG_CFG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "idp/cfg/cfg.h"

/*
 * Values are echoed up to this many bytes, escaped, in messages: enough to
 * recognise a value, and a message stays one readable line. Paths get more.
 */
#define CFG_SHOW_MAX	  64
#define CFG_PATH_SHOW_MAX 256
/* Room for CFG_SHOW_MAX escaped bytes (4 each), quotes, "..." and NUL. */
#define CFG_QUOTED_MAX	   (CFG_SHOW_MAX * 4 + 8)
#define CFG_PATH_SHOWN_MAX (CFG_PATH_SHOW_MAX * 4 + 8)
/* IDP_DATABASE_STATEMENT_TIMEOUT and the like. */
#define CFG_ENV_NAME_MAX 64
/* Room for the keys of the table (checked when cfg.c is compiled). */
#define CFG_KEYS_MAX 128

/* The number of keys in the table. */
extern const size_t cfg_n_keys;

/* Where a key's value came from; a later source wins. */
enum cfg_origin {
	CFG_ORIGIN_DEFAULT = 0,
	CFG_ORIGIN_FILE = 1,
	CFG_ORIGIN_ENV = 2,
};

/* One cfg_load() in progress. */
struct cfg_load {
	const char *path;		      /* NULL: defaults only */
	char path_shown[CFG_PATH_SHOWN_MAX];  /* @path for messages */
	struct cfg *cfg;		      /* being filled; owned */
	enum cfg_origin origin[CFG_KEYS_MAX]; /* per key index */
	char *err;			      /* the caller's message buffer */
	size_t errlen;			      /* 0: no message wanted */
};

/*
 * Copy at most @max bytes of @s into @dst (capacity @max * 4 + 4) so that
 * the result is printable ASCII on one line: quotes, backslashes, control
 * and non-ASCII bytes become escapes, and "..." marks a cut. Returns @dst.
 */
const char *cfg_show_n(char *dst, const char *s, size_t max);

/* A value for a message; @dst has CFG_QUOTED_MAX bytes. */
const char *cfg_show(char *dst, const char *s);

/* cfg_show() in double quotes. */
const char *cfg_quote(char *dst, const char *s);

/* "IDP_<GROUP>_<KEY>" of the key with index @key, in upper case. */
void cfg_env_name(size_t key, char name[CFG_ENV_NAME_MAX]);

/* A message not tied to one key into ld->err: written as it is. */
void cfg_fail_plain(struct cfg_load *ld, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A message about key @i into ld->err, after a prefix naming where its
 * value came from: the environment variable, or the file with group and
 * key.
 */
void cfg_fail(struct cfg_load *ld, size_t i, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The index of [@group] @name, or cfg_n_keys when there is no such key. */
size_t cfg_key_index(const char *group, const char *name);

/*
 * Parse @v as the value of key @i and store it in ld->cfg. Returns 0, or
 * IDP_ERR_INVALID with the message in ld->err (a secret never echoed);
 * IDP_ERR_INTERNAL for a key of unknown type (a broken table).
 */
IDP_WUR int cfg_set_value(struct cfg_load *ld, size_t i, const char *v);

/* Every key's default into ld->cfg, parsed like any value. */
IDP_WUR int cfg_set_defaults(struct cfg_load *ld);

/*
 * The checks that span keys, once every source is applied; also resolves
 * the derived fields (mail_smtp, threads 0). Returns 0 or
 * IDP_ERR_INVALID, blaming the key set last.
 */
IDP_WUR int cfg_check_all(struct cfg_load *ld);

#endif
