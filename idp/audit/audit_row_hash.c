/*
 * The hash of one audit row, computed in C: the chain format that
 * audit_hash() in sql/003_audit.sql writes and docs/audit.md specifies.
 * Verification uses this, not the SQL function, so that a replaced
 * function in the database cannot vouch for itself.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "idp/audit/audit.h"
#include "idp/crypto/crypt.h"

/* Version tag, the first field: a new format gets a new tag. */
#define AUDIT_FORMAT_TAG "servicekonto-audit-v1"

/* The length of a NULL field: no value has this length. */
#define FIELD_NULL 0xffffffffu

/* Append one field: 4-byte big-endian length, then the bytes. */
static void
field(GByteArray *b, const void *data, size_t len)
{
	uint8_t hdr[4];
	uint32_t n = data == NULL ? FIELD_NULL : (uint32_t)len;

	hdr[0] = (uint8_t)(n >> 24);
	hdr[1] = (uint8_t)(n >> 16);
	hdr[2] = (uint8_t)(n >> 8);
	hdr[3] = (uint8_t)n;
	g_byte_array_append(b, hdr, 4);
	if (data != NULL && len > 0)
		g_byte_array_append(b, data, (guint)len);
}

static void
text_field(GByteArray *b, const char *s)
{
	field(b, s, s != NULL ? strlen(s) : 0);
}

void
audit_row_hash(const struct store_audit_row *row, const uint8_t prev_hash[32],
	       uint8_t out[32])
{
	char seq[21];
	GByteArray *b = g_byte_array_sized_new(512);

	/* PostgreSQL's bigint text: plain decimal, no padding, no '+'. */
	(void)snprintf(seq, sizeof(seq), "%" PRId64, row->seq);
	text_field(b, AUDIT_FORMAT_TAG);
	field(b, prev_hash, 32);
	text_field(b, seq);
	text_field(b, row->at);
	text_field(b, row->event);
	text_field(b, row->actor);
	text_field(b, row->subject);
	text_field(b, row->client);
	text_field(b, row->details);
	crypt_sha256(b->data, b->len, out);
	g_byte_array_unref(b);
}
