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
#include "idp/log/log.h"
#include "idp/store/store.h"
#include "idp/store/store_audit.h"

/* Rows tail prints by default and at most (one query, in memory). */
#define TAIL_DEFAULT 20
#define TAIL_MAX     STORE_AUDIT_BATCH_MAX

/*
 * Connect and make sure the schema is the one this idpctl knows: audit
 * statements are prepared only then, and a newer schema might chain rows
 * in a format this program would call broken.
 */
static int
open_store(const struct cfg *cfg, struct store **out)
{
	struct store *s;
	int version = 0;

	*out = NULL;
	s = store_new(cfg->db_conninfo, cfg->db_tx_retries,
		      cfg->db_statement_timeout_ms);
	if (s == NULL)
		return ctl_fail("out of memory");
	if (store_ensure(s) != 0) {
		ctl_fail("cannot reach the database: %s", store_error_peek(s));
		store_free(s);
		return CTL_EXIT_FAIL;
	}
	if (store_schema_version_select(s, &version) != STORE_ONE_ROW) {
		store_free(s);
		return ctl_fail("cannot read the schema version");
	}
	if (version != store_schema_expected()) {
		store_free(s);
		return ctl_fail("database schema is at version %d, this idpctl "
				"expects %d%s",
				version, store_schema_expected(),
				version < store_schema_expected()
					? ": run 'idpctl db migrate'"
					: " (use a newer idpctl)");
	}
	*out = s;
	return CTL_EXIT_OK;
}

static int
audit_verify_cmd(const struct cfg *cfg, int argc, char **argv)
{
	struct audit_verify_result r;
	struct store *s;
	int rc;

	(void)argv;
	if (argc != 1)
		return ctl_usage("'audit verify' takes no arguments");
	rc = open_store(cfg, &s);
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
 * Print @s for a terminal: printable UTF-8 as it is; C0 and C1 controls,
 * DEL, invalid bytes as \xHH; invisible format characters (bidirectional
 * overrides, zero-width spaces) and line or paragraph separators as
 * \u{XXXX}. NULL prints as "-".
 */
static void
put_safe(const char *s)
{
	const char *p, *next;
	GUnicodeType t;
	gunichar c;

	if (s == NULL) {
		fputs("-", stdout);
		return;
	}
	for (p = s; *p != '\0'; p = next) {
		c = g_utf8_get_char_validated(p, -1);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			printf("\\x%02x", (unsigned char)*p);
			next = p + 1;
			continue;
		}
		next = p + g_unichar_to_utf8(c, NULL);
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
			printf("\\x%02x", (unsigned)c);
			continue;
		}
		t = g_unichar_type(c);
		if (t == G_UNICODE_FORMAT || t == G_UNICODE_LINE_SEPARATOR ||
		    t == G_UNICODE_PARAGRAPH_SEPARATOR) {
			printf("\\u{%04x}", (unsigned)c);
			continue;
		}
		fwrite(p, 1, (size_t)(next - p), stdout);
	}
}

static void
print_readable(const struct store_audit_row *row, void *cls)
{
	(void)cls;
	printf("%" PRId64 " ", row->seq);
	put_safe(row->at);
	fputs(" ", stdout);
	put_safe(row->event);
	fputs(" actor=", stdout);
	put_safe(row->actor);
	fputs(" subject=", stdout);
	put_safe(row->subject);
	fputs(" client=", stdout);
	put_safe(row->client);
	fputs(" ", stdout);
	put_safe(row->details);
	fputs("\n", stdout);
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
	rc = open_store(cfg, &s);
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
