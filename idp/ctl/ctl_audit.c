/*
 * idpctl audit: the audit log.
 *
 *   idpctl audit verify              check the whole hash chain
 *   idpctl audit tail [-n N] [--json]  print the last N events
 *
 * verify prints "audit chain intact: N rows" and exits 0, or "audit chain
 * broken at row SEQ: <what>" and exits 1. tail prints one event per line,
 * oldest first: readable (control and invisible formatting characters
 * escaped, so that a stored value cannot move the cursor or reorder the
 * text on the operator's terminal) or as JSON lines.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "idp/audit/audit.h"
#include "idp/ctl/ctl.h"
#include "idp/ctl/ctl_util.h"
#include "idp/log/log.h"
#include "idp/store/store.h"
#include "idp/store/store_audit.h"

/* Rows tail prints by default and at most (one query, in memory). */
#define TAIL_DEFAULT 20
#define TAIL_MAX     STORE_AUDIT_BATCH_MAX

/*
 * The store, at the schema this idpctl knows: audit statements are
 * prepared only then, and a newer schema might chain rows in a format
 * this program would call broken. Worded as audit has always said it.
 */
static const struct ctl_store_words words = {
	.unreachable = "cannot reach the database",
	.schema = "database schema",
	.ahead = " (use a newer idpctl)",
};

static int
audit_verify_cmd(const struct cfg *cfg, int argc, char **argv)
{
	struct audit_verify_result r;
	struct store *s;
	int rc;

	(void)argv;
	if (argc != 1)
		return ctl_usage("'audit verify' takes no arguments");
	rc = ctl_store_open_worded(cfg, &words, &s);
	if (rc != CTL_EXIT_OK)
		return rc;
	switch (audit_verify_chain(s, &r)) {
	case 0:
		printf("audit chain intact: %" PRId64 " rows\n",
		       r.rows_checked);
		rc = CTL_EXIT_OK;
		break;
	case IDP_ERR_INVALID:
		printf("audit chain broken at row %" PRId64 ": %s\n",
		       r.first_bad_seq, audit_break_text(r.why));
		rc = CTL_EXIT_FAIL;
		break;
	default:
		rc = ctl_fail("cannot read the audit log from the database");
		break;
	}
	store_free(s);
	return rc;
}

/*
 * One event on one line, each stored value escaped for a terminal
 * (ctl_put_text_hex()): a value cannot move the cursor, recolour or
 * reorder the text, nor start a line of its own.
 */
static void
print_readable(const struct store_audit_row *row, void *cls)
{
	GString *o = g_string_new(NULL);

	(void)cls;
	g_string_append_printf(o, "%" PRId64 " ", row->seq);
	ctl_put_text_hex(o, row->at);
	g_string_append_c(o, ' ');
	ctl_put_text_hex(o, row->event);
	g_string_append(o, " actor=");
	ctl_put_text_hex(o, row->actor);
	g_string_append(o, " subject=");
	ctl_put_text_hex(o, row->subject);
	g_string_append(o, " client=");
	ctl_put_text_hex(o, row->client);
	g_string_append_c(o, ' ');
	ctl_put_text_hex(o, row->details);
	g_string_append_c(o, '\n');
	ctl_emit(o);
}

/* "key":"escaped value" or "key":null, with a leading comma unless first. */
static void
put_json_string(const char *key, const char *s, bool first)
{
	size_t cap, len = 0;
	char *buf;

	printf("%s\"%s\":", first ? "" : ",", key);
	if (s == NULL) {
		fputs("null", stdout);
		return;
	}
	/* Escaping makes a byte at most 6 ("\u00XX"); nothing is cut. */
	cap = strlen(s) * 6 + 1;
	buf = g_malloc(cap);
	buf[0] = '\0';
	(void)log_json_escape(buf, cap, &len, s);
	printf("\"%s\"", buf);
	g_free(buf);
}

static void
print_json(const struct store_audit_row *row, void *cls)
{
	(void)cls;
	printf("{\"seq\":%" PRId64, row->seq);
	put_json_string("at", row->at, false);
	put_json_string("event", row->event, false);
	put_json_string("actor", row->actor, false);
	put_json_string("subject", row->subject, false);
	put_json_string("client", row->client, false);
	/* jsonb's own output: valid JSON, an object by the table's check. */
	printf(",\"details\":%s", row->details);
	put_json_string("prev_hash", row->prev_hash, false);
	put_json_string("hash", row->hash, false);
	fputs("}\n", stdout);
}

/* Parse the value of -n: a plain decimal number within 1..TAIL_MAX. */
static bool
parse_count(const char *v, int *n)
{
	long long l;
	char *end;

	if (v[0] < '0' || v[0] > '9')
		return false;
	errno = 0;
	l = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || l < 1 || l > TAIL_MAX)
		return false;
	*n = (int)l;
	return true;
}

static int
audit_tail_cmd(const struct cfg *cfg, int argc, char **argv)
{
	store_audit_row_cb print = print_readable;
	struct store *s;
	int n = TAIL_DEFAULT, i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			print = print_json;
		} else if (strcmp(argv[i], "-n") == 0) {
			if (i + 1 >= argc)
				return ctl_usage("'audit tail -n' needs a "
						 "number of rows");
			if (!parse_count(argv[++i], &n))
				return ctl_usage("'audit tail -n' takes a "
						 "number of rows from 1 to "
						 "%d, not '%.40s'",
						 TAIL_MAX, argv[i]);
		} else {
			return ctl_usage("unknown argument '%.40s' to 'audit "
					 "tail'",
					 argv[i]);
		}
	}
	rc = ctl_store_open_worded(cfg, &words, &s);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (store_audit_tail_iterate(s, n, print, NULL) < 0)
		rc = ctl_fail("cannot read the audit log from the database");
	store_free(s);
	return rc;
}

static const struct ctl_command audit_commands[] = {
	{"verify", "", "check the audit log's hash chain (exit 1 if broken)",
	 audit_verify_cmd},
	{"tail", "[-n N] [--json]",
	 "print the last N audit events (default 20), oldest first",
	 audit_tail_cmd},
	{NULL, NULL, NULL, NULL},
};

const struct ctl_group ctl_group_audit = {
	.name = "audit",
	.help = "audit log",
	.commands = audit_commands,
};
