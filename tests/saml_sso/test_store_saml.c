/*
 * The SAML store statements against a real PostgreSQL: pending requests
 * are single-use and expire; the replay cache says "new" exactly once per
 * issuer and ID (also to concurrent callers) until the entry expires;
 * the pairwise NameID is made once per account and SP and is unique; a
 * participant needs a live session; the generation value moves with
 * every change that a lasso server is built from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../store_account/account_test.h"
#include "idp/store/store_saml.h"

static const char *db;

static void
hash_of(uint8_t h[STORE_SAML_HASH_BYTES], int n)
{
	memset(h, 0, STORE_SAML_HASH_BYTES);
	h[0] = (uint8_t)n;
	h[31] = 0xa5;
}

static void
pending_fill(struct store_saml_pending *p)
{
	memset(p, 0, sizeof(*p));
	p->sp_entity_id = (char *)"https://sp.example/";
	p->request_id = (char *)"_req1";
	p->acs_url = (char *)"https://sp.example/acs";
	p->relay_state = (char *)"rs";
	p->force_authn = true;
	p->is_passive = false;
	p->nameid_format = (char *)"persistent";
	p->allow_create = true;
	p->authn_comparison = (char *)"minimum";
	p->authn_class_refs = (char *)"http://eidas.europa.eu/LoA/low\nX";
}

static void
test_pending_single_use(void **state)
{
	struct store *s = at_store(db);
	struct store_saml_pending p, got;
	uint8_t h[STORE_SAML_HASH_BYTES], other[STORE_SAML_HASH_BYTES];

	(void)state;
	hash_of(h, 1);
	hash_of(other, 2);
	pending_fill(&p);
	assert_int_equal(store_saml_pending_insert(s, h, &p, 1800),
			 STORE_ONE_ROW);
	/* Same hash twice: refused (no silent overwrite). */
	assert_int_equal(store_saml_pending_insert(s, h, &p, 1800),
			 STORE_HARD_ERROR);
	assert_int_equal(store_saml_pending_select(s, other, &got),
			 STORE_NO_ROW);
	/* Reading does not use it up. */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(store_saml_pending_select(s, h, &got),
				 STORE_ONE_ROW);
		assert_string_equal(got.sp_entity_id, "https://sp.example/");
		assert_string_equal(got.request_id, "_req1");
		assert_string_equal(got.relay_state, "rs");
		assert_true(got.force_authn);
		assert_false(got.is_passive);
		assert_string_equal(got.nameid_format, "persistent");
		assert_string_equal(got.authn_comparison, "minimum");
		assert_string_equal(got.authn_class_refs,
				    "http://eidas.europa.eu/LoA/low\nX");
		assert_int_equal(got.expires_at - got.created_at, 1800);
		store_saml_pending_clear(&got);
	}
	assert_int_equal(store_saml_pending_delete(s, h), STORE_ONE_ROW);
	assert_int_equal(store_saml_pending_delete(s, h), STORE_NO_ROW);
	assert_int_equal(store_saml_pending_select(s, h, &got), STORE_NO_ROW);
	/* NULL RelayState; and one that expired is gone for both. */
	p.relay_state = NULL;
	assert_int_equal(store_saml_pending_insert(s, other, &p, 0),
			 STORE_HARD_ERROR); /* CHECK: expires after created */
	assert_int_equal(store_saml_pending_insert(s, other, &p, 1),
			 STORE_ONE_ROW);
	PGconn *c = testdb_connect(db);
	free(at_sql(c, "UPDATE saml_pending_requests SET created_at ="
		       " now() - interval '1 hour', expires_at = now() -"
		       " interval '1 second'"));
	assert_int_equal(store_saml_pending_select(s, other, &got),
			 STORE_NO_ROW);
	assert_int_equal(store_saml_pending_delete(s, other), STORE_NO_ROW);
	int64_t n;
	assert_int_equal(store_saml_purge(s, &n), STORE_ONE_ROW);
	assert_int_equal(n, 1);
	/* Hostile values the schema refuses. */
	pending_fill(&p);
	p.relay_state = (char *)"0123456789012345678901234567890123456789"
				"01234567890123456789012345678901234567890";
	assert_int_equal(store_saml_pending_insert(s, h, &p, 60),
			 STORE_HARD_ERROR);
	pending_fill(&p);
	p.nameid_format = (char *)"emailAddress";
	assert_int_equal(store_saml_pending_insert(s, h, &p, 60),
			 STORE_HARD_ERROR);
	PQfinish(c);
	store_free(s);
}

static void
test_replay_cache(void **state)
{
	struct store *s = at_store(db);
	struct store *s2 = at_store(db);
	PGconn *c = testdb_connect(db);
	int64_t n;

	(void)state;
	assert_int_equal(store_saml_replay_insert(s, "sp-a", "_id1", 60),
			 STORE_ONE_ROW);
	assert_int_equal(store_saml_replay_insert(s2, "sp-a", "_id1", 60),
			 STORE_NO_ROW);
	/* Another issuer may use the same ID. */
	assert_int_equal(store_saml_replay_insert(s, "sp-b", "_id1", 60),
			 STORE_ONE_ROW);
	/* After expiry it is new again (the age check guards by then). */
	free(at_sql(c, "UPDATE saml_replay_cache SET expires_at = now() -"
		       " interval '1 second' WHERE issuer = 'sp-a'"));
	assert_int_equal(store_saml_replay_insert(s, "sp-a", "_id1", 60),
			 STORE_ONE_ROW);
	assert_int_equal(store_saml_replay_insert(s, "sp-a", "_id1", 60),
			 STORE_NO_ROW);
	free(at_sql(c, "UPDATE saml_replay_cache SET expires_at = now() -"
		       " interval '1 second' WHERE issuer = 'sp-b'"));
	assert_int_equal(store_saml_purge(s, &n), STORE_ONE_ROW);
	assert_int_equal(n, 1);
	PQfinish(c);
	store_free(s);
	store_free(s2);
}

static void
test_pairwise(void **state)
{
	struct store *s = at_store(db);
	int64_t a = at_account(s, "pairwise@example.org", true);
	int64_t b = at_account(s, "pairwise2@example.org", true);
	char got[STORE_SAML_NAMEID_LEN + 1];
	const char *v1 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1";
	const char *v2 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA2";

	(void)state;
	assert_int_equal(store_saml_pairwise_select(s, a, "sp-a", got),
			 STORE_NO_ROW);
	assert_string_equal(got, "");
	assert_int_equal(store_saml_pairwise_insert(s, a, "sp-a", v1),
			 STORE_ONE_ROW);
	/* A second value for the same account and SP loses quietly. */
	assert_int_equal(store_saml_pairwise_insert(s, a, "sp-a", v2),
			 STORE_NO_ROW);
	assert_int_equal(store_saml_pairwise_select(s, a, "sp-a", got),
			 STORE_ONE_ROW);
	assert_string_equal(got, v1);
	/* One value never serves two accounts or two SPs. */
	assert_int_equal(store_saml_pairwise_insert(s, b, "sp-a", v1),
			 STORE_HARD_ERROR);
	assert_int_equal(store_saml_pairwise_insert(s, a, "sp-b", v1),
			 STORE_HARD_ERROR);
	assert_int_equal(store_saml_pairwise_insert(s, a, "sp-b", v2),
			 STORE_ONE_ROW);
	/* Not base64url of 256 bits, e.g. an e-mail address: refused. */
	assert_int_equal(store_saml_pairwise_insert(s, b, "sp-b",
						    "pairwise@example.org"),
			 STORE_HARD_ERROR);
	store_free(s);
}

static void
test_participant(void **state)
{
	struct store *s = at_store(db);
	int64_t a = at_account(s, "participant@example.org", true);
	struct store_session ss;
	uint8_t h[STORE_HASH_BYTES];
	char handle[33];
	int64_t now;

	(void)state;
	assert_int_equal(store_now(s, &now), STORE_ONE_ROW);
	memset(&ss, 0, sizeof(ss));
	at_hash(h, 9);
	at_hex32(handle);
	ss.handle = handle;
	ss.account_id = a;
	ss.auth_method = (char *)"password";
	ss.loa = (char *)"low";
	ss.idle_expires_at = now + 600;
	ss.absolute_expires_at = now + 6000;
	assert_int_equal(store_session_insert(s, h, &ss), STORE_ONE_ROW);
	struct store_saml_participant p = {
		.session_id = ss.id,
		.sp_entity_id = "sp-a",
		.nameid = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1",
		.nameid_format = "persistent",
		.session_index = "_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB1",
	};
	assert_int_equal(store_saml_participant_insert(s, &p), STORE_ONE_ROW);
	/* SessionIndex values are unique. */
	assert_int_equal(store_saml_participant_insert(s, &p),
			 STORE_HARD_ERROR);
	p.session_id = ss.id + 1000;
	p.session_index = "_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB2";
	assert_int_equal(store_saml_participant_insert(s, &p),
			 STORE_HARD_ERROR);
	/* Ending the session forgets its participants. */
	assert_int_equal(store_session_delete(s, h), STORE_ONE_ROW);
	PGconn *c = testdb_connect(db);
	assert_int_equal(
		at_sql_int(c, "SELECT count(*) FROM saml_session_participants"),
		0);
	PQfinish(c);
	store_free(s);
}

static void
test_generation(void **state)
{
	struct store *s = at_store(db);
	PGconn *c = testdb_connect(db);
	char g1[STORE_SAML_GENERATION_LEN + 1], g2[sizeof(g1)];
	int64_t now;

	(void)state;
	assert_int_equal(store_saml_generation_select(s, g1, &now),
			 STORE_ONE_ROW);
	assert_int_equal(strlen(g1), STORE_SAML_GENERATION_LEN);
	assert_true(now > 1700000000);
	assert_int_equal(store_saml_generation_select(s, g2, &now),
			 STORE_ONE_ROW);
	assert_string_equal(g1, g2);
	free(at_sql(c, "INSERT INTO relying_parties (entity_id, metadata)"
		       " VALUES ('https://sp.example/', '<x/>')"));
	assert_int_equal(store_saml_generation_select(s, g2, &now),
			 STORE_ONE_ROW);
	assert_string_not_equal(g1, g2);
	memcpy(g1, g2, sizeof(g1));
	free(at_sql(c, "UPDATE relying_parties SET enabled = false,"
		       " revision = revision + 1"));
	assert_int_equal(store_saml_generation_select(s, g2, &now),
			 STORE_ONE_ROW);
	assert_string_not_equal(g1, g2);
	memcpy(g1, g2, sizeof(g1));
	free(at_sql(c, "DELETE FROM relying_parties"));
	assert_int_equal(store_saml_generation_select(s, g2, &now),
			 STORE_ONE_ROW);
	assert_string_not_equal(g1, g2);
	PQfinish(c);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pending_single_use),
		cmocka_unit_test(test_replay_cache),
		cmocka_unit_test(test_pairwise),
		cmocka_unit_test(test_participant),
		cmocka_unit_test(test_generation),
	};

	db = at_migrated_db();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
