/*
 * What the idpctl command groups (idp/ctl/ctl_<group>.c) share, so that
 * every group parses, prints and connects the same way:
 *
 *   ctl_args.c   options and the one positional argument (usage errors
 *                exit CTL_EXIT_USAGE, with the argument shown safely)
 *   ctl_out.c    text from the database or from outside, escaped so that
 *                it cannot drive the operator's terminal; "label: value"
 *                lines or one JSON object
 *   ctl_store.c  a store whose schema is the one this idpctl knows
 *
 * idpctl is one thread; none of this is meant for idpd.
 */
#ifndef IDP_CTL_CTL_UTIL_H
#define IDP_CTL_CTL_UTIL_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idp/cfg/cfg.h"
#include "idp/common/err.h"
#include "idp/store/store.h"

/* --- ctl_args.c --- */

/* Bytes of an argument shown back in an error message. */
#define CTL_SHOWN_MAX 48

/* One option of a command; an array of them is filled by ctl_args_parse. */
struct ctl_opt {
	const char *name;  /* "--email" */
	size_t max;	   /* longest value in bytes; 0: a flag */
	const char *value; /* out: the value; "" for a flag; NULL: absent */
};

/*
 * Copy of @s for an error line into @buf: printable ASCII only (other
 * bytes as '?'), cut after CTL_SHOWN_MAX bytes with "...". Returns @buf.
 */
const char *ctl_shown(const char *s, char buf[CTL_SHOWN_MAX + 4]);

/*
 * Parse @argv[1..] of command "@group @cmd" into @opts (@n of them, their
 * values NULL; "--name V", "--name=V" or a flag "--name") and at most one
 * positional argument into *@pos (NULL when none; borrowed from @argv).
 * "--" ends the options. A value is bounded by its option's max before
 * anything parses it. Reports the first problem (unknown option, given
 * twice, missing or unexpected value, too long, a second positional
 * argument) as "'@group @cmd': ..." through ctl_usage() and returns
 * CTL_EXIT_USAGE, else CTL_EXIT_OK.
 */
IDP_WUR int ctl_args_parse(const char *group, const char *cmd, int argc,
			   char **argv, struct ctl_opt *opts, size_t n,
			   const char **pos);

/*
 * At most one of the parsed options @a and @b: when both were given,
 * reports "'@group @cmd': A and B exclude each other" through ctl_usage()
 * and returns CTL_EXIT_USAGE, else CTL_EXIT_OK.
 */
IDP_WUR int ctl_args_exclude(const char *group, const char *cmd,
			     const struct ctl_opt *a, const struct ctl_opt *b);

/* --- ctl_out.c --- */

/*
 * Append @s to @o: as a JSON string (@json; NULL as null) or as plain
 * text (NULL as "-"). In both forms control characters, format
 * characters (bidirectional overrides, zero-width spaces and the like),
 * line and paragraph separators and backslashes are escaped as \uXXXX
 * (a surrogate pair above U+FFFF) or \\, and each byte of invalid UTF-8
 * becomes \ufffd: what a citizen typed, or an eID, a user agent or SAML
 * metadata sent, must not move the cursor, recolour or reorder the
 * operator's terminal.
 */
void ctl_put_text(GString *o, const char *s, bool json);

/*
 * Append @s to @o in the notation of `idpctl audit tail` (NULL as "-"):
 * the same characters as ctl_put_text() are escaped, controls and bytes
 * of invalid UTF-8 as \xHH, the others as \u{XXXX}; backslashes stay.
 */
void ctl_put_text_hex(GString *o, const char *s);

/* "YYYY-MM-DDTHH:MM:SSZ" (a string in JSON); 0 as "-" (JSON: null). */
void ctl_put_time(GString *o, int64_t t, bool json);

/* Write @o to stdout and free it. */
void ctl_emit(GString *o);

/*
 * Output of show and list commands: "label   value" lines, the label
 * padded to @width columns, or the members of one JSON object.
 */
struct ctl_out {
	GString *s;
	bool json;
	bool first; /* no member written yet; start with true */
	int width;  /* of the label column in text */
};

/* The member's key (JSON) or its padded label (text). */
void ctl_out_key(struct ctl_out *o, const char *key, const char *label);
/* A member with a ctl_put_text() value. */
void ctl_out_str(struct ctl_out *o, const char *key, const char *label,
		 const char *v);
/* true/false, or yes/no. */
void ctl_out_bool(struct ctl_out *o, const char *key, const char *label,
		  bool v);
void ctl_out_int(struct ctl_out *o, const char *key, const char *label,
		 int64_t v);
/* A member with a ctl_put_time() value. */
void ctl_out_time(struct ctl_out *o, const char *key, const char *label,
		  int64_t t);
/* Closes the JSON object ("{}" when empty); nothing in text. */
void ctl_out_end(struct ctl_out *o);

/* --- ctl_store.c --- */

/*
 * How ctl_store_open_worded() words its failures: "<unreachable>: <the
 * store's error>" and "<schema> is at version N, this idpctl expects
 * M: run 'idpctl db migrate'" or "...M<ahead>".
 */
struct ctl_store_words {
	const char *unreachable; /* "cannot connect to the database" */
	const char *schema;	 /* "the database schema" */
	const char *ahead;	 /* ": use the idpctl of the newer release" */
};

/*
 * Connect to [database] conninfo of @cfg and check that the schema is the
 * one this idpctl was built for (its statements are prepared only then,
 * and a newer schema may hold what this program would misread). Returns
 * CTL_EXIT_OK with *@out set (freed by the caller with store_free()), or
 * reports one line and returns CTL_EXIT_FAIL with *@out NULL. The
 * connection string never reaches the output.
 */
IDP_WUR int ctl_store_open(const struct cfg *cfg, struct store **out);

/*
 * Read (a file) or download (an http(s) URL) the metadata named by
 * @source, with the limits and checks of idp/saml's metadata readers:
 * *@buf (freed with free()) holds *@len bytes, *@is_url says which.
 * Reports one line and returns CTL_EXIT_FAIL on failure.
 */
IDP_WUR int ctl_metadata_load(const char *source, char **buf, size_t *len,
			      bool *is_url);

/* ctl_store_open() with the failures worded by @w. */
IDP_WUR int ctl_store_open_worded(const struct cfg *cfg,
				  const struct ctl_store_words *w,
				  struct store **out);

#endif
