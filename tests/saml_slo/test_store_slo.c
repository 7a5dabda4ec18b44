/*
 * The single logout store statements (idp/store/slo/) against a real
 * PostgreSQL: a participant is found only with its portal, NameID and
 * SessionIndex together and only in a live session; a chain is found by
 * its hash until it expires, takes a hash only once and keeps its
 * initiator; the steps are copied in the order of the assertions (without
 * the initiator's) and outlive the session; each step is taken once, an
 * answer counts only for the step sent to that portal with that ID and
 * only once; a chain finishes once; expired chains are purged with their
 * steps; the schema refuses what the statements must never write.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <glib.h>

#include "../store_account/account_test.h"
#include "idp/store/store_saml.h"
#include "idp/store/store_slo.h"

static const char *db;

#define NID(c)	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" c
#define SIDX(c) "_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB" c
#define RID(c)	"_CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC" c

/* A live session of a new account with @n participants "sp-1".."sp-n". */
struct sess {
	int64_t account_id;
	int64_t session_id;
	char handle[33];
	uint8_t hash[STORE_HASH_BYTES];
	char audit_ref[33];
};

static void
session_with_participants(struct store *s, PGconn *c, const char *email,
			  char tag, int n, struct sess *out)
{
	struct store_session ss;
	int64_t now;
	char *ref;

	memset(out, 0, sizeof(*out));
	out->account_id = at_account(s, email, true);
	ref = at_sql(c, "SELECT audit_ref FROM accounts WHERE id = %lld",
		     (long long)out->account_id);
	g_strlcpy(out->audit_ref, ref, sizeof(out->audit_ref));
	free(ref);
	assert_int_equal(store_now(s, &now), STORE_ONE_ROW);
	memset(&ss, 0, sizeof(ss));
	at_hash(out->hash, 7);
	at_hex32(out->handle);
	ss.handle = out->handle;
	ss.account_id = out->account_id;
	ss.auth_method = (char *)"password";
	ss.loa = (char *)"low";
	ss.idle_expires_at = now + 600;
	ss.absolute_expires_at = now + 6000;
	assert_int_equal(store_session_insert(s, out->hash, &ss),
			 STORE_ONE_ROW);
	out->session_id = ss.id;
	for (int i = 1; i <= n; i++) {
		char sp[16], nid[64], si[64];
		struct store_saml_participant p = {
			.session_id = ss.id,
			.sp_entity_id = sp,
			.nameid = nid,
			.nameid_format = i % 2 ? "persistent" : "transient",
			.session_index = si,
		};

		snprintf(sp, sizeof(sp), "sp-%d", i);
		snprintf(nid, sizeof(nid), "%.42s%c", NID(""), '0' + i);
		/* "_" + 41 characters + the session's tag + the number. */
		snprintf(si, sizeof(si), "_%.41s%c%c", SIDX("") + 1, tag,
			 '0' + i);
		assert_int_equal(store_saml_participant_insert(s, &p),
				 STORE_ONE_ROW);
	}
}

static void
hash_of(uint8_t h[STORE_SLO_HASH_BYTES], int n)
{
	memset(h, 0x5a, STORE_SLO_HASH_BYTES);
	h[0] = (uint8_t)n;
	h[1] = (uint8_t)(n >> 8);
}

static void
test_participant_select(void **state)
{
	struct store *s = at_store(db);
	PGconn *c = testdb_connect(db);
	struct store_slo_participant p = {0};
	struct sess se;
	char si1[64];

	(void)state;
	session_with_participants(s, c, "slo-part@example.org", 'p', 2, &se);
	snprintf(si1, sizeof(si1), "_%.41sp1", SIDX("") + 1);
	assert_int_equal(
		store_slo_participant_select(s, "sp-1", NID("1"), si1, &p),
		STORE_ONE_ROW);
	assert_int_equal(p.session_id, se.session_id);
	assert_string_equal(p.session_handle, se.handle);
	assert_string_equal(p.audit_ref, se.audit_ref);
	store_slo_participant_clear(&p);
	/* Each of the three must match: portal, NameID, SessionIndex. */
	assert_int_equal(
		store_slo_participant_select(s, "sp-2", NID("1"), si1, &p),
		STORE_NO_ROW);
	assert_int_equal(
		store_slo_participant_select(s, "sp-1", NID("2"), si1, &p),
		STORE_NO_ROW);
	assert_int_equal(store_slo_participant_select(s, "sp-1", NID("1"),
						      SIDX("x"), &p),
			 STORE_NO_ROW);
	/* Hostile values are just values. */
	assert_int_equal(store_slo_participant_select(s, "sp-1' OR '1'='1",
						      NID("1"), si1, &p),
			 STORE_NO_ROW);
	assert_null(p.session_handle);
	/* An idle-expired session, then an expired one: no match. */
	at_exec(c,
		"UPDATE sessions SET idle_expires_at = now() - interval '1 s'"
		" WHERE id = %lld",
		(long long)se.session_id);
	assert_int_equal(
		store_slo_participant_select(s, "sp-1", NID("1"), si1, &p),
		STORE_NO_ROW);
	at_exec(c,
		"UPDATE sessions SET idle_expires_at = now() - interval '1 s',"
		" absolute_expires_at = now() - interval '1 s',"
		" created_at = now() - interval '2 h' WHERE id = %lld",
		(long long)se.session_id);
	assert_int_equal(
		store_slo_participant_select(s, "sp-1", NID("1"), si1, &p),
		STORE_NO_ROW);
	store_slo_participant_clear(&p);
	store_slo_participant_clear(&p); /* safe twice */
	PQfinish(c);
	store_free(s);
}

struct seen {
	int n;
	char sp[8][16];
	char status[8][16];
	int ord[8];
};

static void
seen_cb(const struct store_slo_step *st, void *cls)
{
	struct seen *v = cls;

	if (v->n < 8) {
		g_strlcpy(v->sp[v->n], st->sp_entity_id, sizeof(v->sp[0]));
		g_strlcpy(v->status[v->n], st->status, sizeof(v->status[0]));
		v->ord[v->n] = st->ord;
	}
	v->n++;
}

static void
test_chain_walk(void **state)
{
	struct store *s = at_store(db);
	PGconn *c = testdb_connect(db);
	struct store_slo_chain ch = {0};
	struct store_slo_step st = {0};
	struct seen v = {0};
	uint8_t h[STORE_SLO_HASH_BYTES], other[STORE_SLO_HASH_BYTES];
	struct sess se;
	int64_t id = 0, id2 = 0, n = -1;
	char si2[64];

	(void)state;
	session_with_participants(s, c, "slo-walk@example.org", 'w', 3, &se);
	snprintf(si2, sizeof(si2), "_%.41sw2", SIDX("") + 1);
	hash_of(h, 1);
	hash_of(other, 2);
	/* Started by sp-2's LogoutRequest. */
	assert_int_equal(store_slo_chain_insert(s, h, se.audit_ref, "sp-2",
						"_req-2", "rs-2", 600, &id),
			 STORE_ONE_ROW);
	assert_true(id > 0);
	/* A hash names one chain only. */
	assert_int_equal(
		store_slo_chain_insert(s, h, NULL, NULL, NULL, NULL, 600, &id2),
		STORE_HARD_ERROR);
	assert_int_equal(store_slo_chain_select(s, other, &ch), STORE_NO_ROW);
	assert_int_equal(store_slo_chain_select(s, h, &ch), STORE_ONE_ROW);
	assert_int_equal(ch.id, id);
	assert_string_equal(ch.audit_ref, se.audit_ref);
	assert_string_equal(ch.initiator_sp, "sp-2");
	assert_string_equal(ch.initiator_request_id, "_req-2");
	assert_string_equal(ch.relay_state, "rs-2");
	assert_false(ch.finished);
	store_slo_chain_clear(&ch);

	/* The others, in the order of their assertions, without sp-2. */
	assert_int_equal(store_slo_steps_copy(s, id, se.session_id, si2, &n),
			 STORE_ONE_ROW);
	assert_int_equal(n, 2);
	/* The steps outlive the session and its participants. */
	assert_int_equal(store_slo_session_delete(s, se.session_id),
			 STORE_ONE_ROW);
	assert_int_equal(store_slo_session_delete(s, se.session_id),
			 STORE_NO_ROW);
	assert_int_equal(at_sql_int(c,
				    "SELECT count(*) FROM"
				    " saml_session_participants"
				    " WHERE session_id = %lld",
				    (long long)se.session_id),
			 0);

	/* Each step is taken once, in order. */
	assert_int_equal(store_slo_step_next(s, id, RID("1"), &st),
			 STORE_ONE_ROW);
	assert_int_equal(st.ord, 1);
	assert_string_equal(st.sp_entity_id, "sp-1");
	assert_string_equal(st.nameid, NID("1"));
	assert_string_equal(st.nameid_format, "persistent");
	assert_string_equal(st.status, "sent");
	/* A select zeroes its struct: what it held is freed first. */
	store_slo_step_clear(&st);
	assert_int_equal(store_slo_step_next(s, id, RID("3"), &st),
			 STORE_ONE_ROW);
	assert_int_equal(st.ord, 2);
	assert_string_equal(st.sp_entity_id, "sp-3");
	store_slo_step_clear(&st);
	assert_int_equal(store_slo_step_next(s, id, RID("9"), &st),
			 STORE_NO_ROW);
	assert_null(st.sp_entity_id);

	/* An answer counts for that portal's step with that ID, once. */
	assert_int_equal(store_slo_step_answer(s, id, "sp-3", RID("1"), "ok"),
			 STORE_NO_ROW);
	assert_int_equal(store_slo_step_answer(s, id, "sp-1", RID("3"), "ok"),
			 STORE_NO_ROW);
	assert_int_equal(
		store_slo_step_answer(s, id + 1000, "sp-1", RID("1"), "ok"),
		STORE_NO_ROW);
	assert_int_equal(store_slo_step_answer(s, id, "sp-1", RID("1"), "ok"),
			 STORE_ONE_ROW);
	assert_int_equal(
		store_slo_step_answer(s, id, "sp-1", RID("1"), "failed"),
		STORE_NO_ROW);
	/* Only the statuses of the schema. */
	assert_int_equal(
		store_slo_step_answer(s, id, "sp-3", RID("3"), "maybe"),
		STORE_HARD_ERROR);
	assert_int_equal(store_slo_step_update(s, id, 2, "no_endpoint"),
			 STORE_ONE_ROW);
	assert_int_equal(store_slo_step_update(s, id, 7, "failed"),
			 STORE_NO_ROW);
	/* A step is answered only while "sent". */
	assert_int_equal(store_slo_step_answer(s, id, "sp-3", RID("3"), "ok"),
			 STORE_NO_ROW);

	assert_int_equal(store_slo_step_iterate(s, id, seen_cb, &v), 2);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.ord[0], 1);
	assert_string_equal(v.sp[0], "sp-1");
	assert_string_equal(v.status[0], "ok");
	assert_int_equal(v.ord[1], 2);
	assert_string_equal(v.sp[1], "sp-3");
	assert_string_equal(v.status[1], "no_endpoint");

	/* Finished once. */
	assert_int_equal(store_slo_chain_finish(s, id), STORE_ONE_ROW);
	assert_int_equal(store_slo_chain_finish(s, id), STORE_NO_ROW);
	assert_int_equal(store_slo_chain_select(s, h, &ch), STORE_ONE_ROW);
	assert_true(ch.finished);
	store_slo_chain_clear(&ch);
	store_slo_chain_clear(&ch);
	store_slo_step_clear(&st);
	PQfinish(c);
	store_free(s);
}

static void
test_chain_idp_initiated(void **state)
{
	struct store *s = at_store(db);
	PGconn *c = testdb_connect(db);
	struct store_slo_chain ch = {0};
	struct store_slo_step st = {0};
	uint8_t h[STORE_SLO_HASH_BYTES];
	struct sess se;
	int64_t id = 0, n = -1;

	(void)state;
	session_with_participants(s, c, "slo-idp@example.org", 'i', 2, &se);
	hash_of(h, 3);
	assert_int_equal(
		store_slo_chain_insert(s, h, NULL, NULL, NULL, NULL, 600, &id),
		STORE_ONE_ROW);
	assert_int_equal(store_slo_chain_select(s, h, &ch), STORE_ONE_ROW);
	assert_null(ch.audit_ref);
	assert_null(ch.initiator_sp);
	assert_null(ch.initiator_request_id);
	assert_null(ch.relay_state);
	store_slo_chain_clear(&ch);
	/* Without an initiator every portal is reached. */
	assert_int_equal(store_slo_steps_copy(s, id, se.session_id, NULL, &n),
			 STORE_ONE_ROW);
	assert_int_equal(n, 2);
	/* A LogoutRequest ID not of our shape: refused, still pending. */
	assert_int_equal(store_slo_step_next(s, id, "_x'; --", &st),
			 STORE_HARD_ERROR);
	assert_int_equal(store_slo_step_next(s, id, RID("1"), &st),
			 STORE_ONE_ROW);
	assert_int_equal(st.ord, 1);
	assert_string_equal(st.sp_entity_id, "sp-1");
	store_slo_step_clear(&st);
	/* A session without portals: nothing to copy, not an error. */
	assert_int_equal(
		store_slo_steps_copy(s, id, se.session_id + 999, NULL, &n),
		STORE_ONE_ROW);
	assert_int_equal(n, 0);
	PQfinish(c);
	store_free(s);
}

static void
test_chain_refused_by_schema(void **state)
{
	struct store *s = at_store(db);
	uint8_t h[STORE_SLO_HASH_BYTES];
	char long_rs[82];
	int64_t id = 0;

	(void)state;
	/* An initiator without its request ID, or the other way round. */
	hash_of(h, 10);
	assert_int_equal(store_slo_chain_insert(s, h, NULL, "sp-1", NULL, NULL,
						600, &id),
			 STORE_HARD_ERROR);
	assert_int_equal(
		store_slo_chain_insert(s, h, NULL, NULL, "_r", NULL, 600, &id),
		STORE_HARD_ERROR);
	/* A RelayState over the 80 bytes of saml-bindings 3.4.3. */
	memset(long_rs, 'r', 81);
	long_rs[81] = '\0';
	assert_int_equal(store_slo_chain_insert(s, h, NULL, "sp-1", "_r",
						long_rs, 600, &id),
			 STORE_HARD_ERROR);
	long_rs[80] = '\0';
	assert_int_equal(store_slo_chain_insert(s, h, NULL, "sp-1", "_r",
						long_rs, 600, &id),
			 STORE_ONE_ROW);
	store_free(s);
}

static void
test_expiry_and_purge(void **state)
{
	struct store *s = at_store(db);
	PGconn *c = testdb_connect(db);
	struct store_slo_chain ch = {0};
	uint8_t h_old[STORE_SLO_HASH_BYTES], h_new[STORE_SLO_HASH_BYTES];
	struct sess se;
	int64_t old_id = 0, new_id = 0, n = 0;

	(void)state;
	session_with_participants(s, c, "slo-purge@example.org", 'e', 2, &se);
	hash_of(h_old, 20);
	hash_of(h_new, 21);
	assert_int_equal(store_slo_chain_insert(s, h_old, NULL, NULL, NULL,
						NULL, 600, &old_id),
			 STORE_ONE_ROW);
	assert_int_equal(store_slo_chain_insert(s, h_new, NULL, NULL, NULL,
						NULL, 600, &new_id),
			 STORE_ONE_ROW);
	assert_int_equal(
		store_slo_steps_copy(s, old_id, se.session_id, NULL, &n),
		STORE_ONE_ROW);
	assert_int_equal(
		store_slo_steps_copy(s, new_id, se.session_id, NULL, &n),
		STORE_ONE_ROW);
	/* The TTL is the database's clock plus @ttl_s. */
	assert_int_equal(at_sql_int(c,
				    "SELECT extract(epoch FROM expires_at -"
				    " created_at)::int FROM"
				    " saml_logout_chains WHERE id = %lld",
				    (long long)old_id),
			 600);
	at_exec(c,
		"UPDATE saml_logout_chains SET created_at = now() -"
		" interval '20 min', expires_at = now() - interval '1 s'"
		" WHERE id = %lld",
		(long long)old_id);
	/* Expired: not found any more, even before the purge. */
	assert_int_equal(store_slo_chain_select(s, h_old, &ch), STORE_NO_ROW);
	assert_int_equal(store_slo_purge(s), STORE_ONE_ROW);
	assert_int_equal(at_sql_int(c,
				    "SELECT count(*) FROM saml_logout_chains"
				    " WHERE id = %lld",
				    (long long)old_id),
			 0);
	assert_int_equal(at_sql_int(c,
				    "SELECT count(*) FROM saml_logout_steps"
				    " WHERE chain_id = %lld",
				    (long long)old_id),
			 0);
	/* The live chain and its steps stay. */
	assert_int_equal(store_slo_chain_select(s, h_new, &ch), STORE_ONE_ROW);
	assert_int_equal(ch.id, new_id);
	store_slo_chain_clear(&ch);
	assert_int_equal(at_sql_int(c,
				    "SELECT count(*) FROM saml_logout_steps"
				    " WHERE chain_id = %lld",
				    (long long)new_id),
			 2);
	assert_int_equal(store_slo_purge(s), STORE_ONE_ROW);
	PQfinish(c);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_participant_select),
		cmocka_unit_test(test_chain_walk),
		cmocka_unit_test(test_chain_idp_initiated),
		cmocka_unit_test(test_chain_refused_by_schema),
		cmocka_unit_test(test_expiry_and_purge),
	};

	db = at_migrated_db();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
