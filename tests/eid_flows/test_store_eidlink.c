/*
 * The eID link statements (idp/store/eidlink/) against a real PostgreSQL:
 * one card per account and one account per card, replacing a card, unlinking,
 * the fields a card sets and what it leaves alone, held identities (used once,
 * not after expiry, purged), session step-up only for a live session, and
 * hostile values refused by the schema rather than stored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "account_test.h"
#include "idp/store/store_eidlink.h"

static const char *db;

static struct store_eid_person
erika(void)
{
	struct store_eid_person p = {
		.family_name = (char *)"Mustermann",
		.given_names = (char *)"Erika",
		.birth_date = (char *)"1964-08-12",
		.place_of_birth = (char *)"Berlin",
		.street = (char *)"Heidestraße 17",
		.postal_code = (char *)"51147",
		.city = (char *)"Köln",
		.document_type = (char *)"ID",
	};
	return p;
}

static void
test_link_rules(void **state)
{
	struct store *s = at_store(db);
	int64_t a = at_account(s, "link-a@example.org", true);
	int64_t b = at_account(s, "link-b@example.org", true);
	uint8_t card[STORE_HASH_BYTES], card2[STORE_HASH_BYTES];
	struct store_eidlink l;
	int64_t owner = 0;

	(void)state;
	at_hash(card, 1);
	at_hash(card2, 2);
	assert_int_equal(store_eidlink_select(s, a, &l), STORE_ONE_ROW);
	assert_false(l.linked);
	assert_string_equal(l.place_of_birth_source, "self");
	store_eidlink_clear(&l);
	assert_int_equal(store_eidlink_select_by_pseudonym(s, card, &owner),
			 STORE_NO_ROW);
	assert_int_equal(store_eidlink_insert(s, a, card, "ID"), STORE_ONE_ROW);
	/* One account per card, one card per account. */
	assert_int_equal(store_eidlink_insert(s, b, card, "ID"), STORE_NO_ROW);
	assert_int_equal(store_eidlink_insert(s, a, card2, "ID"), STORE_NO_ROW);
	assert_int_equal(store_eidlink_select_by_pseudonym(s, card, &owner),
			 STORE_ONE_ROW);
	assert_int_equal(owner, a);
	assert_int_equal(store_eidlink_select(s, a, &l), STORE_ONE_ROW);
	assert_true(l.linked);
	assert_memory_equal(l.pseudonym_hash, card, STORE_HASH_BYTES);
	assert_string_equal(l.document_type, "ID");
	assert_true(l.linked_at > 0);
	assert_int_equal(l.replaced_at, 0);
	store_eidlink_clear(&l);

	/* Replacing: to a card of another account no, to a new one yes. */
	assert_int_equal(store_eidlink_insert(s, b, card2, "AR"),
			 STORE_ONE_ROW);
	assert_int_equal(store_eidlink_replace(s, a, card2, "ID"),
			 STORE_NO_ROW);
	uint8_t card3[STORE_HASH_BYTES];
	at_hash(card3, 3);
	assert_int_equal(store_eidlink_replace(s, a, card3, "ID"),
			 STORE_ONE_ROW);
	assert_int_equal(store_eidlink_select(s, a, &l), STORE_ONE_ROW);
	assert_memory_equal(l.pseudonym_hash, card3, STORE_HASH_BYTES);
	assert_true(l.replaced_at > 0);
	store_eidlink_clear(&l);
	/* The old card is free again. */
	assert_int_equal(store_eidlink_select_by_pseudonym(s, card, &owner),
			 STORE_NO_ROW);

	assert_int_equal(store_eidlink_delete(s, a), STORE_ONE_ROW);
	assert_int_equal(store_eidlink_delete(s, a), STORE_NO_ROW);
	assert_int_equal(store_eidlink_replace(s, a, card, "ID"), STORE_NO_ROW);
	/* No such account. */
	assert_int_equal(store_eidlink_select(s, 999999999, &l), STORE_NO_ROW);
	store_eidlink_clear(&l);
	/* The link goes with the account. */
	assert_int_equal(store_account_delete(s, b), STORE_ONE_ROW);
	assert_int_equal(store_eidlink_select_by_pseudonym(s, card2, &owner),
			 STORE_NO_ROW);
	store_free(s);
}

static void
test_account_fields(void **state)
{
	struct store *s = at_store(db);
	int64_t a = at_account(s, "fields@example.org", true);
	struct store_eid_person p = erika();
	struct store_account acc;
	struct store_eidlink l;
	PGconn *raw = testdb_connect(db);

	(void)state;
	at_exec(raw,
		"UPDATE accounts SET street = 'Typed 1', postal_code ="
		" '11111', city = 'Typed' WHERE id = %lld",
		(long long)a);
	/* A card without address and place of birth leaves both alone. */
	p.street = p.postal_code = p.city = p.place_of_birth = NULL;
	assert_int_equal(store_eidlink_account_update(s, a, &p), STORE_ONE_ROW);
	assert_int_equal(store_account_select_by_id(s, a, &acc), STORE_ONE_ROW);
	assert_string_equal(acc.city, "Typed");
	assert_string_equal(acc.address_source, "self");
	assert_string_equal(acc.name_source, "eid");
	assert_string_equal(acc.birth_date, "1964-08-12");
	assert_string_equal(acc.birth_date_source, "eid");
	store_account_clear(&acc);
	p = erika();
	assert_int_equal(store_eidlink_account_update(s, a, &p), STORE_ONE_ROW);
	assert_int_equal(store_account_select_by_id(s, a, &acc), STORE_ONE_ROW);
	assert_string_equal(acc.city, "Köln");
	assert_string_equal(acc.street, "Heidestraße 17");
	assert_string_equal(acc.address_source, "eid");
	store_account_clear(&acc);
	assert_int_equal(store_eidlink_select(s, a, &l), STORE_ONE_ROW);
	assert_string_equal(l.place_of_birth, "Berlin");
	assert_string_equal(l.place_of_birth_source, "eid");
	store_eidlink_clear(&l);
	/* The profile statement cannot overwrite what the card set. */
	memset(&acc, 0, sizeof(acc));
	acc.id = a;
	acc.given_name = (char *)"Eve";
	acc.family_name = (char *)"Evil";
	acc.city = (char *)"Elsewhere";
	assert_int_equal(store_account_update_profile(s, &acc), STORE_ONE_ROW);
	assert_int_equal(store_account_select_by_id(s, a, &acc), STORE_ONE_ROW);
	assert_string_equal(acc.given_name, "Erika");
	assert_string_equal(acc.city, "Köln");
	store_account_clear(&acc);
	/* Unlinked: the values stay, self-declared again. */
	assert_int_equal(store_eidlink_account_unsource(s, a), STORE_ONE_ROW);
	assert_int_equal(store_account_select_by_id(s, a, &acc), STORE_ONE_ROW);
	assert_string_equal(acc.given_name, "Erika");
	assert_string_equal(acc.name_source, "self");
	assert_string_equal(acc.address_source, "self");
	store_account_clear(&acc);
	assert_int_equal(store_eidlink_select(s, a, &l), STORE_ONE_ROW);
	assert_string_equal(l.place_of_birth_source, "self");
	store_eidlink_clear(&l);
	/* Hostile: over the column limits is an error, nothing stored. */
	char big[400];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	p = erika();
	p.family_name = big;
	assert_int_equal(store_eidlink_account_update(s, a, &p),
			 STORE_HARD_ERROR);
	p = erika();
	p.birth_date = (char *)"1964-13-45";
	assert_int_equal(store_eidlink_account_update(s, a, &p),
			 STORE_HARD_ERROR);
	assert_int_equal(store_eidlink_account_update(s, 999999999, &p),
			 STORE_HARD_ERROR);
	p = erika();
	assert_int_equal(store_eidlink_account_update(s, 999999999, &p),
			 STORE_NO_ROW);
	PQfinish(raw);
	store_free(s);
}

static void
test_hold(void **state)
{
	struct store *s = at_store(db);
	uint8_t handle[STORE_HASH_BYTES], other[STORE_HASH_BYTES];
	struct store_eid_hold h, got;
	PGconn *raw = testdb_connect(db);
	char hex[65];
	int64_t n = 0;

	(void)state;
	memset(&h, 0, sizeof(h));
	at_hash(handle, 4);
	at_hash(other, 5);
	at_hash(h.pseudonym_hash, 6);
	h.person = erika();
	h.person.street = NULL; /* optional fields may be missing */
	h.pending = (char *)"pending-id";
	assert_int_equal(store_eidlink_hold_insert(s, handle, &h, 900),
			 STORE_ONE_ROW);
	assert_int_equal(store_eidlink_hold_insert(s, handle, &h, 900),
			 STORE_HARD_ERROR);
	assert_int_equal(store_eidlink_hold_select(s, other, &got),
			 STORE_NO_ROW);
	store_eid_hold_clear(&got);
	assert_int_equal(store_eidlink_hold_select(s, handle, &got),
			 STORE_ONE_ROW);
	assert_memory_equal(got.pseudonym_hash, h.pseudonym_hash,
			    STORE_HASH_BYTES);
	assert_string_equal(got.person.given_names, "Erika");
	assert_string_equal(got.person.birth_date, "1964-08-12");
	assert_null(got.person.street);
	assert_string_equal(got.pending, "pending-id");
	store_eid_hold_clear(&got);
	/* Taken once only. */
	assert_int_equal(store_eidlink_hold_take(s, handle, &got),
			 STORE_ONE_ROW);
	assert_string_equal(got.person.city, "Köln");
	store_eid_hold_clear(&got);
	assert_int_equal(store_eidlink_hold_take(s, handle, &got),
			 STORE_NO_ROW);
	store_eid_hold_clear(&got);
	/* Expired: neither read nor taken, but purged. */
	assert_int_equal(store_eidlink_hold_insert(s, handle, &h, 900),
			 STORE_ONE_ROW);
	at_exec(raw,
		"UPDATE eid_held_identities SET created_at = now() -"
		" interval '1 hour', expires_at = now() - interval '1 s'"
		" WHERE handle_hash = decode('%s', 'hex')",
		at_hash_hex(handle, hex));
	assert_int_equal(store_eidlink_hold_select(s, handle, &got),
			 STORE_NO_ROW);
	store_eid_hold_clear(&got);
	assert_int_equal(store_eidlink_hold_purge(s, &n), STORE_ONE_ROW);
	assert_true(n >= 1);
	assert_int_equal(at_sql_int(raw, "SELECT count(*) FROM"
					 " eid_held_identities WHERE"
					 " expires_at <= now()"),
			 0);
	/* Names are optional in the schema (the flows check them); a value
	 * that is not a date is refused. */
	h.person.birth_date = (char *)"not a date";
	assert_int_equal(store_eidlink_hold_insert(s, other, &h, 900),
			 STORE_HARD_ERROR);
	PQfinish(raw);
	store_free(s);
}

static void
test_session_raise(void **state)
{
	struct store *s = at_store(db);
	int64_t a = at_account(s, "raise@example.org", true);
	struct store_session ss, got;
	struct store_account acc;
	uint8_t h[STORE_HASH_BYTES];
	char handle[33];
	int64_t now;
	PGconn *raw = testdb_connect(db);

	(void)state;
	at_hash(h, 7);
	assert_int_equal(store_now(s, &now), STORE_ONE_ROW);
	memset(&ss, 0, sizeof(ss));
	at_hex32(handle);
	ss.handle = handle;
	ss.account_id = a;
	ss.auth_method = (char *)"password";
	ss.loa = (char *)"low";
	ss.idle_expires_at = now + 900;
	ss.absolute_expires_at = now + 3600;
	assert_int_equal(store_session_insert(s, h, &ss), STORE_ONE_ROW);
	assert_int_equal(store_eidlink_session_raise(s, ss.id, "eid", "high"),
			 STORE_ONE_ROW);
	assert_int_equal(store_session_select(s, h, &got, &acc), STORE_ONE_ROW);
	assert_string_equal(got.auth_method, "eid");
	assert_string_equal(got.loa, "high");
	store_session_clear(&got);
	store_account_clear(&acc);
	/* Hostile values are refused by the schema. */
	assert_int_equal(store_eidlink_session_raise(s, ss.id, "eid", "ultra"),
			 STORE_HARD_ERROR);
	/* An expired session is not raised. */
	at_exec(raw,
		"UPDATE sessions SET idle_expires_at = now() -"
		" interval '1 s' WHERE id = %lld",
		(long long)ss.id);
	assert_int_equal(store_eidlink_session_raise(s, ss.id, "eid", "high"),
			 STORE_NO_ROW);
	assert_int_equal(
		store_eidlink_session_raise(s, 999999999, "eid", "high"),
		STORE_NO_ROW);
	PQfinish(raw);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_rules),
		cmocka_unit_test(test_account_fields),
		cmocka_unit_test(test_hold),
		cmocka_unit_test(test_session_raise),
	};

	db = at_migrated_db();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
