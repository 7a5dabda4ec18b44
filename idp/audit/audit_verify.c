/*
 * Verifying the audit chain: every row's hash recomputed, every link and
 * every seq checked, and the end compared with audit_head.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "idp/audit/audit.h"
#include "idp/crypto/crypt.h"
#include "idp/log/log.h"

/*
 * Rows per batch: one batch is one result in memory, at most
 * AUDIT_DETAILS_MAX bytes of details per row, so a few MB at worst.
 */
#define VERIFY_BATCH 1000

#define HEX_LEN STORE_AUDIT_HASH_HEX_LEN

struct walk {
	int64_t expected;	/* seq the next row must have */
	char prev[HEX_LEN + 1]; /* hash of row expected - 1, hex */
	uint8_t prev_bin[32];	/* the same, bytes */
	struct audit_verify_result *r;
	bool broken;
};

static void
mark(struct walk *w, int64_t seq, enum audit_break why)
{
	w->broken = true;
	w->r->first_bad_seq = seq;
	w->r->why = why;
}

static void
check_row(const struct store_audit_row *row, void *cls)
{
	struct walk *w = cls;
	uint8_t h[32];
	char hex[HEX_LEN + 1];

	if (w->broken)
		return;
	/* The query asks for seq > expected - 1: a larger one is a gap. */
	if (row->seq != w->expected) {
		mark(w, w->expected, AUDIT_BREAK_MISSING);
		return;
	}
	if (strcmp(row->prev_hash, w->prev) != 0) {
		mark(w, row->seq, AUDIT_BREAK_LINK);
		return;
	}
	audit_row_hash(row, w->prev_bin, h);
	crypt_hex(h, sizeof(h), hex, sizeof(hex));
	if (strcmp(hex, row->hash) != 0) {
		mark(w, row->seq, AUDIT_BREAK_HASH);
		return;
	}
	memcpy(w->prev, hex, sizeof(w->prev));
	memcpy(w->prev_bin, h, sizeof(w->prev_bin));
	w->expected++;
	w->r->rows_checked++;
}

int
audit_verify_chain(struct store *s, struct audit_verify_result *r)
{
	char head[HEX_LEN + 1], seq[21];
	int64_t head_seq, upto;
	struct walk w = {.expected = 1, .r = r};
	int rc;

	memset(r, 0, sizeof(*r));
	memset(w.prev, '0', HEX_LEN);
	w.prev[HEX_LEN] = '\0';
	rc = store_audit_head_select(s, &head_seq, head);
	if (rc < 0)
		return IDP_ERR_UNAVAILABLE;
	/*
	 * Without its head the chain can still be walked to its end, and a
	 * break inside it is the more useful report; the missing head shows
	 * after the last row.
	 */
	upto = rc == STORE_NO_ROW ? INT64_MAX : head_seq;
	for (;;) {
		rc = store_audit_iterate(s, w.expected - 1, upto, VERIFY_BATCH,
					 check_row, &w);
		if (rc < 0) {
			r->rows_checked = 0;
			r->first_bad_seq = 0;
			r->why = AUDIT_INTACT;
			return IDP_ERR_UNAVAILABLE;
		}
		if (w.broken)
			goto broken;
		if (rc < VERIFY_BATCH)
			break;
	}
	if (upto == INT64_MAX) {
		mark(&w, w.expected, AUDIT_BREAK_HEAD);
		goto broken;
	}
	/* Rows at the end deleted: the head still names the lost last one. */
	if (w.expected - 1 < head_seq) {
		mark(&w, w.expected, AUDIT_BREAK_MISSING);
		goto broken;
	}
	if (strcmp(w.prev, head) != 0) {
		mark(&w, head_seq, AUDIT_BREAK_HEAD);
		goto broken;
	}
	return 0;
broken:
	(void)snprintf(seq, sizeof(seq), "%" PRId64, r->first_bad_seq);
	log_kv(LOG_LEVEL_WARN, "audit_chain_broken", "seq", seq, "reason",
	       audit_break_text(r->why), NULL);
	return IDP_ERR_INVALID;
}

int
audit_verify(struct store *s, int64_t *first_bad_seq, int64_t *rows_checked)
{
	struct audit_verify_result r;
	int rc = audit_verify_chain(s, &r);

	*first_bad_seq = r.first_bad_seq;
	*rows_checked = r.rows_checked;
	return rc;
}

const char *
audit_break_text(enum audit_break b)
{
	switch (b) {
	case AUDIT_INTACT:
		return "intact";
	case AUDIT_BREAK_MISSING:
		return "the row is missing (deleted, or the chain was cut)";
	case AUDIT_BREAK_LINK:
		return "its prev_hash does not match the hash of the row "
		       "before";
	case AUDIT_BREAK_HASH:
		return "its hash does not match its contents (changed)";
	case AUDIT_BREAK_HEAD:
		return "audit_head is missing or does not match the last row";
	}
	return "unknown";
}
