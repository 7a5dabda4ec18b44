/*
 * Account statements against a real PostgreSQL: insert and lookup,
 * duplicate addresses (also racing ones), verification, the profile
 * update that leaves eID-confirmed fields alone, password, e-mail change
 * (also racing), status, delete with its cascade, purge, and hostile
 * strings.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "account_test.h"

/* The database all tests of this program share (purge gets its own). */
static const char *db;

static void
assert_str_or_null(const char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

static void
test_insert_and_select(void **state)
{
	struct store *s = at_store(db);
	struct store_account a, by_id, by_email;
	char ref[33];
	int64_t before, after;

	(void)state;
	memset(&a, 0, sizeof(a));
	at_hex32(ref);
	a.id = 999999;		 /* ignored */
	a.created_at = 12345;	 /* ignored */
	a.email_verified = true; /* ignored: a new account is unverified */
	a.audit_ref = ref;
	a.email = (char *)"Insert.Select@Example.org";
	a.pending_email = (char *)"";
	a.password_hash =
		(char *)"$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
	a.given_name = (char *)"Jürgen";
	a.family_name = (char *)"Groß";
	a.birth_date = (char *)"1970-03-01";
	a.street = (char *)"Hauptstraße 1";
	a.postal_code = (char *)"10115";
	a.city = (char *)"Berlin";
	assert_int_equal(store_now(s, &before), STORE_ONE_ROW);
	assert_int_equal(store_account_insert(s, &a), STORE_ONE_ROW);
	assert_int_equal(store_now(s, &after), STORE_ONE_ROW);
	assert_true(a.id > 0 && a.id != 999999);
	assert_in_range(a.created_at, before, after);

	assert_int_equal(store_account_select_by_id(s, a.id, &by_id),
			 STORE_ONE_ROW);
	/* Found without regard to case. */
	assert_int_equal(store_account_select_by_email(
				 s, "insert.SELECT@example.ORG", &by_email),
			 STORE_ONE_ROW);
	for (int i = 0; i < 2; i++) {
		const struct store_account *g = i == 0 ? &by_id : &by_email;

		assert_int_equal(g->id, a.id);
		assert_string_equal(g->audit_ref, ref);
		/* Stored as typed; only the comparison ignores case. */
		assert_string_equal(g->email, "Insert.Select@Example.org");
		assert_false(g->email_verified);
		assert_null(g->pending_email); /* "" is "not given" */
		assert_string_equal(g->password_hash, a.password_hash);
		assert_string_equal(g->given_name, "Jürgen");
		assert_string_equal(g->family_name, "Groß");
		assert_string_equal(g->birth_date, "1970-03-01");
		assert_string_equal(g->street, "Hauptstraße 1");
		assert_string_equal(g->postal_code, "10115");
		assert_string_equal(g->city, "Berlin");
		assert_string_equal(g->name_source, "self");
		assert_string_equal(g->birth_date_source, "self");
		assert_string_equal(g->address_source, "self");
		assert_false(g->locked);
		assert_int_equal(g->created_at, a.created_at);
	}
	store_account_clear(&by_id);
	store_account_clear(&by_email);
	/* Clearing twice is harmless: clear leaves the struct zeroed. */
	store_account_clear(&by_id);
	store_account_clear(NULL);
	store_free(s);
}

static void
test_optional_fields_absent(void **state)
{
	struct store *s = at_store(db);
	struct store_account a, got;
	char ref[33];

	(void)state;
	memset(&a, 0, sizeof(a));
	at_hex32(ref);
	a.audit_ref = ref;
	a.email = (char *)"minimal@example.org";
	a.given_name = (char *)"A";
	a.family_name = (char *)"B";
	a.birth_date = (char *)"";
	a.city = (char *)"";
	assert_int_equal(store_account_insert(s, &a), STORE_ONE_ROW);
	assert_int_equal(store_account_select_by_id(s, a.id, &got),
			 STORE_ONE_ROW);
	assert_null(got.password_hash);
	assert_null(got.birth_date);
	assert_null(got.street);
	assert_null(got.postal_code);
	assert_null(got.city);
	store_account_clear(&got);
	store_free(s);
}

static void
test_select_missing(void **state)
{
	struct store *s = at_store(db);
	struct store_account got;

	(void)state;
	memset(&got, 0x5a, sizeof(got));
	assert_int_equal(
		store_account_select_by_email(s, "nobody@example.org", &got),
		STORE_NO_ROW);
	/* Zeroed, so clearing it is safe. */
	assert_null(got.email);
	assert_int_equal(got.id, 0);
	store_account_clear(&got);
	memset(&got, 0x5a, sizeof(got));
	assert_int_equal(store_account_select_by_id(s, INT64_MAX, &got),
			 STORE_NO_ROW);
	assert_null(got.email);
	store_account_clear(&got);
	assert_int_equal(store_account_select_by_id(s, -1, &got), STORE_NO_ROW);
	store_account_clear(&got);
	store_free(s);
}

struct dup_tx {
	struct store_account *a;
	int insert_rc;
	int after_rc;
};

static int
dup_cb(struct store *s, void *cls)
{
	struct dup_tx *t = cls;
	struct store_account got;

	t->insert_rc = store_account_insert(s, t->a);
	/* The transaction is still usable after the refused insert. */
	t->after_rc = store_account_select_by_email(s, t->a->email, &got);
	store_account_clear(&got);
	return t->after_rc < 0 ? t->after_rc : STORE_ONE_ROW;
}

static void
test_duplicate_email_other_case(void **state)
{
	struct store *s = at_store(db);
	uint64_t errors = store_error_count();
	struct store_account a;
	struct dup_tx t;
	char ref[33];

	(void)state;
	(void)at_account(s, "Dup@Example.org", false);
	memset(&a, 0, sizeof(a));
	at_hex32(ref);
	a.audit_ref = ref;
	a.email = (char *)"dUP@example.ORG";
	a.given_name = (char *)"X";
	a.family_name = (char *)"Y";
	assert_int_equal(store_account_insert(s, &a), STORE_NO_ROW);
	assert_int_equal(a.id, 0);

	memset(&t, 0, sizeof(t));
	t.a = &a;
	assert_int_equal(store_run_tx(s, "dup", false, dup_cb, &t),
			 STORE_ONE_ROW);
	assert_int_equal(t.insert_rc, STORE_NO_ROW);
	assert_int_equal(t.after_rc, STORE_ONE_ROW);
	/* An address that is taken is an answer, not a failure. */
	assert_true(store_error_count() == errors);
	store_free(s);
}

/* A store call in a thread of its own, to block on another's lock. */
struct insert_thread {
	struct store *s;
	struct store_account *a;
	int rc;
};

static void *
insert_thread(void *arg)
{
	struct insert_thread *t = arg;

	t->rc = store_account_insert(t->s, t->a);
	return NULL;
}

/*
 * Another node registers the same address and has not committed yet: our
 * insert waits for it and then reports the address as taken.
 */
static void
test_duplicate_email_concurrent(void **state)
{
	struct store *s = at_store(db);
	PGconn *raw = testdb_connect(db);
	PGconn *watch = testdb_connect(db);
	struct insert_thread t;
	struct store_account a;
	char ref[33];
	pthread_t th;

	(void)state;
	at_exec(raw, "BEGIN");
	at_exec(raw,
		"INSERT INTO accounts (audit_ref, email, given_name,"
		" family_name) VALUES ('%032d', 'Race@Example.org',"
		" 'R', 'R')",
		7);
	memset(&a, 0, sizeof(a));
	at_hex32(ref);
	a.audit_ref = ref;
	a.email = (char *)"race@example.org";
	a.given_name = (char *)"X";
	a.family_name = (char *)"Y";
	t = (struct insert_thread){s, &a, 99};
	assert_int_equal(pthread_create(&th, NULL, insert_thread, &t), 0);
	at_wait_for_lock_waiter(watch);
	at_exec(raw, "COMMIT");
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(t.rc, STORE_NO_ROW);
	assert_int_equal(at_sql_int(watch, "SELECT count(*) FROM accounts"
					   " WHERE lower(email) ="
					   " 'race@example.org'"),
			 1);
	PQfinish(watch);
	PQfinish(raw);
	store_free(s);
}

static void
test_verify_email(void **state)
{
	struct store *s = at_store(db);
	PGconn *raw = testdb_connect(db);
	struct store_account got;
	int64_t id = at_account(s, "verify@example.org", false);
	char *first, *second;

	(void)state;
	assert_int_equal(store_account_verify_email(s, id), STORE_ONE_ROW);
	first = at_sql(raw,
		       "SELECT email_verified_at FROM accounts"
		       " WHERE id = %lld",
		       (long long)id);
	assert_int_equal(store_account_verify_email(s, id), STORE_ONE_ROW);
	second = at_sql(raw,
			"SELECT email_verified_at FROM accounts"
			" WHERE id = %lld",
			(long long)id);
	/* Idempotent: the first verification time is kept. */
	assert_string_equal(first, second);
	assert_int_equal(store_account_select_by_id(s, id, &got),
			 STORE_ONE_ROW);
	assert_true(got.email_verified);
	store_account_clear(&got);
	assert_int_equal(store_account_verify_email(s, INT64_MAX),
			 STORE_NO_ROW);
	free(first);
	free(second);
	PQfinish(raw);
	store_free(s);
}

static void
set_profile(struct store_account *p, int64_t id, const char *given,
	    const char *family, const char *birth, const char *street,
	    const char *postal, const char *city)
{
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->given_name = (char *)(uintptr_t)given;
	p->family_name = (char *)(uintptr_t)family;
	p->birth_date = (char *)(uintptr_t)birth;
	p->street = (char *)(uintptr_t)street;
	p->postal_code = (char *)(uintptr_t)postal;
	p->city = (char *)(uintptr_t)city;
}

static void
assert_profile(struct store *s, int64_t id, const char *given,
	       const char *family, const char *birth, const char *street,
	       const char *postal, const char *city)
{
	struct store_account got;

	assert_int_equal(store_account_select_by_id(s, id, &got),
			 STORE_ONE_ROW);
	assert_string_equal(got.given_name, given);
	assert_string_equal(got.family_name, family);
	assert_str_or_null(got.birth_date, birth);
	assert_str_or_null(got.street, street);
	assert_str_or_null(got.postal_code, postal);
	assert_str_or_null(got.city, city);
	store_account_clear(&got);
}

static void
test_update_profile(void **state)
{
	struct store *s = at_store(db);
	PGconn *raw = testdb_connect(db);
	int64_t id = at_account(s, "profile@example.org", true);
	struct store_account p;

	(void)state;
	set_profile(&p, id, "Max", "Muster", "1980-12-31", "Weg 2", "20095",
		    "Hamburg");
	assert_int_equal(store_account_update_profile(s, &p), STORE_ONE_ROW);
	assert_profile(s, id, "Max", "Muster", "1980-12-31", "Weg 2", "20095",
		       "Hamburg");

	/* NULL and "" both clear an optional field. */
	set_profile(&p, id, "Max", "Muster", "", NULL, "", "Hamburg");
	assert_int_equal(store_account_update_profile(s, &p), STORE_ONE_ROW);
	assert_profile(s, id, "Max", "Muster", NULL, NULL, NULL, "Hamburg");

	/* The eID confirmed name and address: those stay. */
	at_exec(raw,
		"UPDATE accounts SET given_name = 'Maximilian',"
		" street = 'Amtsweg 9', postal_code = '80331',"
		" city = 'München', name_source = 'eid',"
		" address_source = 'eid' WHERE id = %lld",
		(long long)id);
	set_profile(&p, id, "Fake", "Name", "1999-01-01", "Fakestr. 1", "00000",
		    "Nowhere");
	assert_int_equal(store_account_update_profile(s, &p), STORE_ONE_ROW);
	assert_profile(s, id, "Maximilian", "Muster", "1999-01-01", "Amtsweg 9",
		       "80331", "München");
	/* Not even clearing them works. */
	set_profile(&p, id, "Fake", "Name", "", "", "", "");
	assert_int_equal(store_account_update_profile(s, &p), STORE_ONE_ROW);
	assert_profile(s, id, "Maximilian", "Muster", NULL, "Amtsweg 9",
		       "80331", "München");

	/* Birth date from the eID too; the name back to self-declared. */
	at_exec(raw,
		"UPDATE accounts SET birth_date = '1960-05-05',"
		" birth_date_source = 'eid', name_source = 'self'"
		" WHERE id = %lld",
		(long long)id);
	set_profile(&p, id, "Max", "Neu", "2000-01-01", "x", "y", "z");
	assert_int_equal(store_account_update_profile(s, &p), STORE_ONE_ROW);
	assert_profile(s, id, "Max", "Neu", "1960-05-05", "Amtsweg 9", "80331",
		       "München");

	p.id = INT64_MAX;
	assert_int_equal(store_account_update_profile(s, &p), STORE_NO_ROW);
	PQfinish(raw);
	store_free(s);
}

static void
test_update_password_and_status(void **state)
{
	struct store *s = at_store(db);
	int64_t id = at_account(s, "password@example.org", true);
	struct store_account got;

	(void)state;
	assert_int_equal(store_account_update_password(s, id, "$argon2id$new"),
			 STORE_ONE_ROW);
	assert_int_equal(store_account_select_by_id(s, id, &got),
			 STORE_ONE_ROW);
	assert_string_equal(got.password_hash, "$argon2id$new");
	store_account_clear(&got);
	assert_int_equal(store_account_update_password(s, id, NULL),
			 STORE_ONE_ROW);
	assert_int_equal(store_account_select_by_id(s, id, &got),
			 STORE_ONE_ROW);
	assert_null(got.password_hash);
	store_account_clear(&got);
	assert_int_equal(store_account_update_password(s, INT64_MAX, "x"),
			 STORE_NO_ROW);

	assert_int_equal(store_account_update_status(s, id, true),
			 STORE_ONE_ROW);
	assert_int_equal(store_account_select_by_id(s, id, &got),
			 STORE_ONE_ROW);
	assert_true(got.locked);
	store_account_clear(&got);
	assert_int_equal(store_account_update_status(s, id, false),
			 STORE_ONE_ROW);
	assert_int_equal(store_account_select_by_id(s, id, &got),
			 STORE_ONE_ROW);
	assert_false(got.locked);
	store_account_clear(&got);
	assert_int_equal(store_account_update_status(s, INT64_MAX, true),
			 STORE_NO_ROW);
	store_free(s);
}

static void
test_update_email(void **state)
{
	struct store *s = at_store(db);
	int64_t id = at_account(s, "old@example.org", true);
	int64_t other = at_account(s, "Taken@Example.org", true);
	uint64_t errors;
	struct store_account got;

	(void)state;
	/* Nothing pending: nothing to confirm. */
	assert_int_equal(store_account_update_email(s, id, "new@example.org"),
			 STORE_NO_ROW);
	assert_int_equal(
		store_account_update_pending_email(s, id, "new@example.org"),
		STORE_ONE_ROW);
	assert_int_equal(store_account_select_by_id(s, id, &got),
			 STORE_ONE_ROW);
	assert_string_equal(got.pending_email, "new@example.org");
	store_account_clear(&got);
	/* A link to an address that is no longer the pending one. */
	assert_int_equal(store_account_update_email(s, id, "older@example.org"),
			 STORE_NO_ROW);
	assert_int_equal(store_account_update_email(s, id, "new@example.org"),
			 STORE_ONE_ROW);
	assert_int_equal(store_account_select_by_id(s, id, &got),
			 STORE_ONE_ROW);
	assert_string_equal(got.email, "new@example.org");
	assert_null(got.pending_email);
	store_account_clear(&got);
	/* Used once: the pending address is gone. */
	assert_int_equal(store_account_update_email(s, id, "new@example.org"),
			 STORE_NO_ROW);

	/* An address another account has (in another case): refused. */
	errors = store_error_count();
	assert_int_equal(
		store_account_update_pending_email(s, id, "taken@example.org"),
		STORE_ONE_ROW);
	assert_int_equal(store_account_update_email(s, id, "taken@example.org"),
			 STORE_NO_ROW);
	assert_true(store_error_count() == errors);
	assert_int_equal(store_account_select_by_id(s, id, &got),
			 STORE_ONE_ROW);
	assert_string_equal(got.email, "new@example.org");
	store_account_clear(&got);

	/* Clearing the pending address. */
	assert_int_equal(store_account_update_pending_email(s, id, NULL),
			 STORE_ONE_ROW);
	assert_int_equal(store_account_select_by_id(s, id, &got),
			 STORE_ONE_ROW);
	assert_null(got.pending_email);
	store_account_clear(&got);
	assert_int_equal(store_account_update_pending_email(s, INT64_MAX, NULL),
			 STORE_NO_ROW);
	(void)other;
	store_free(s);
}

struct email_thread {
	struct store *s;
	int64_t id;
	const char *email;
	bool in_tx;
	int runs;
	int rc;
};

static int
email_cb(struct store *s, void *cls)
{
	struct email_thread *t = cls;

	t->runs++;
	return store_account_update_email(s, t->id, t->email);
}

static void *
email_thread(void *arg)
{
	struct email_thread *t = arg;

	if (t->in_tx)
		t->rc = store_run_tx(t->s, "email", false, email_cb, t);
	else
		t->rc = store_account_update_email(t->s, t->id, t->email);
	return NULL;
}

/*
 * The address is taken by another account in a transaction that commits
 * while our update waits for it: only the unique index sees that, and
 * its violation must still come out as "no row", alone and inside a
 * transaction (where the runner retries once).
 */
static void
test_update_email_race(void **state)
{
	struct store *s = at_store(db);
	PGconn *raw = testdb_connect(db);
	PGconn *watch = testdb_connect(db);
	int64_t id = at_account(s, "racer@example.org", true);
	int64_t other = at_account(s, "other-racer@example.org", true);
	uint64_t errors = store_error_count();
	struct email_thread t;
	struct store_account got;
	pthread_t th;

	(void)state;
	for (int in_tx = 0; in_tx < 2; in_tx++) {
		const char *want =
			in_tx ? "Race2@Example.org" : "Race1@Example.org";

		assert_int_equal(
			store_account_update_pending_email(s, id, want),
			STORE_ONE_ROW);
		at_exec(raw, "BEGIN");
		at_exec(raw,
			"UPDATE accounts SET email = lower('%s')"
			" WHERE id = %lld",
			want, (long long)other);
		t = (struct email_thread){s, id, want, in_tx != 0, 0, 99};
		assert_int_equal(pthread_create(&th, NULL, email_thread, &t),
				 0);
		at_wait_for_lock_waiter(watch);
		at_exec(raw, "COMMIT");
		assert_int_equal(pthread_join(th, NULL), 0);
		assert_int_equal(t.rc, STORE_NO_ROW);
		if (in_tx)
			assert_int_equal(t.runs, 2);
		assert_int_equal(store_account_select_by_id(s, id, &got),
				 STORE_ONE_ROW);
		assert_string_equal(got.email, "racer@example.org");
		store_account_clear(&got);
	}
	assert_true(store_error_count() == errors);
	PQfinish(watch);
	PQfinish(raw);
	store_free(s);
}

static void
test_delete_cascades(void **state)
{
	struct store *s = at_store(db);
	PGconn *raw = testdb_connect(db);
	int64_t id = at_account(s, "delete@example.org", true);
	int64_t keep = at_account(s, "keep@example.org", true);
	uint8_t h1[STORE_HASH_BYTES], h2[STORE_HASH_BYTES];
	uint8_t h3[STORE_HASH_BYTES];
	struct store_session ss;
	char handle[33], handle2[33];
	int64_t now;

	(void)state;
	at_hash(h1, 1);
	at_hash(h2, 2);
	at_hash(h3, 3);
	assert_int_equal(store_now(s, &now), STORE_ONE_ROW);
	assert_int_equal(store_email_token_insert(s, h1, id, STORE_TOKEN_RESET,
						  "delete@example.org", 3600),
			 STORE_ONE_ROW);
	assert_int_equal(store_email_token_insert(s, h3, keep,
						  STORE_TOKEN_RESET,
						  "keep@example.org", 3600),
			 STORE_ONE_ROW);
	for (int i = 0; i < 2; i++) {
		memset(&ss, 0, sizeof(ss));
		at_hex32(i == 0 ? handle : handle2);
		ss.handle = i == 0 ? handle : handle2;
		ss.account_id = i == 0 ? id : keep;
		ss.auth_method = (char *)"password";
		ss.loa = (char *)"low";
		ss.idle_expires_at = now + 600;
		ss.absolute_expires_at = now + 3600;
		assert_int_equal(store_session_insert(s, i == 0 ? h2 : h1, &ss),
				 STORE_ONE_ROW);
	}
	assert_int_equal(store_account_delete(s, id), STORE_ONE_ROW);
	assert_int_equal(at_sql_int(raw,
				    "SELECT count(*) FROM accounts"
				    " WHERE id = %lld",
				    (long long)id),
			 0);
	assert_int_equal(at_sql_int(raw,
				    "SELECT count(*) FROM email_tokens"
				    " WHERE account_id = %lld",
				    (long long)id),
			 0);
	assert_int_equal(at_sql_int(raw,
				    "SELECT count(*) FROM sessions"
				    " WHERE account_id = %lld",
				    (long long)id),
			 0);
	/* The other account's rows are untouched. */
	assert_int_equal(at_sql_int(raw,
				    "SELECT count(*) FROM email_tokens"
				    " WHERE account_id = %lld",
				    (long long)keep),
			 1);
	assert_int_equal(at_sql_int(raw,
				    "SELECT count(*) FROM sessions"
				    " WHERE account_id = %lld",
				    (long long)keep),
			 1);
	assert_int_equal(store_account_delete(s, id), STORE_NO_ROW);
	PQfinish(raw);
	store_free(s);
}

static void
test_purge_unverified(void **state)
{
	const char *own = at_migrated_db();
	struct store *s = at_store(own);
	PGconn *raw = testdb_connect(own);
	int64_t old_unverified =
		at_account(s, "old-unverified@example.org", false);
	int64_t old_verified = at_account(s, "old-verified@example.org", true);
	int64_t new_unverified =
		at_account(s, "new-unverified@example.org", false);
	int64_t n = -1;

	(void)state;
	at_exec(raw,
		"UPDATE accounts SET created_at = now() - interval"
		" '2 days' WHERE id IN (%lld, %lld)",
		(long long)old_unverified, (long long)old_verified);
	assert_int_equal(store_account_purge_unverified(s, 86400, &n),
			 STORE_ONE_ROW);
	assert_int_equal(n, 1);
	assert_int_equal(at_sql_int(raw,
				    "SELECT count(*) FROM accounts"
				    " WHERE id = %lld",
				    (long long)old_unverified),
			 0);
	assert_int_equal(at_sql_int(raw,
				    "SELECT count(*) FROM accounts"
				    " WHERE id IN (%lld, %lld)",
				    (long long)old_verified,
				    (long long)new_unverified),
			 2);
	assert_int_equal(store_account_purge_unverified(s, 86400, &n),
			 STORE_ONE_ROW);
	assert_int_equal(n, 0);
	PQfinish(raw);
	store_free(s);
}

/* A profile update with @given as the given name. */
static int
update_given(struct store *s, int64_t id, const char *given)
{
	struct store_account p;

	set_profile(&p, id, given, "Family", NULL, NULL, NULL, NULL);
	return store_account_update_profile(s, &p);
}

static void
test_hostile_strings(void **state)
{
	static const char *const meta[] = {
		"Robert'); DROP TABLE accounts;--",
		"O'Brien \\' \\\\ \" $1 $$ %s %n ; -- /* */",
		"\xe2\x80\xae\xe2\x80\x8b\xf0\x9f\x98\x80 <script>",
		"\t\r\n",
	};
	struct store *s = at_store(db);
	int64_t id = at_account(s, "hostile@example.org", true);
	struct store_account a, got;
	size_t big = 1024 * 1024;
	char *huge = malloc(big + 1);
	char ref[33];

	(void)state;
	assert_non_null(huge);
	memset(huge, 'A', big);
	huge[big] = '\0';
	/* The CHECK refuses it: an error, not a crash or a cut value. */
	assert_int_equal(update_given(s, id, huge), STORE_HARD_ERROR);
	memset(&a, 0, sizeof(a));
	at_hex32(ref);
	a.audit_ref = ref;
	a.email = (char *)"huge@example.org";
	a.given_name = huge;
	a.family_name = (char *)"F";
	assert_int_equal(store_account_insert(s, &a), STORE_HARD_ERROR);
	/* 201 characters, each two bytes: over by one character. */
	{
		char u[2 * 201 + 1];

		for (int i = 0; i < 201; i++)
			memcpy(u + 2 * i, "\xc3\xa4", 2);
		u[sizeof(u) - 1] = '\0';
		assert_int_equal(update_given(s, id, u), STORE_HARD_ERROR);
		u[2 * 200] = '\0'; /* 200 characters, 400 bytes: fine */
		assert_int_equal(update_given(s, id, u), STORE_ONE_ROW);
	}

	/* Invalid UTF-8, in an update, an insert and a lookup. */
	assert_int_equal(update_given(s, id, "bad \xff\xfe"), STORE_HARD_ERROR);
	assert_int_equal(update_given(s, id, "overlong \xc0\xaf"),
			 STORE_HARD_ERROR);
	a.given_name = (char *)"G";
	a.email = (char *)"bad\xc3@example.org";
	assert_int_equal(store_account_insert(s, &a), STORE_HARD_ERROR);
	assert_int_equal(store_account_select_by_email(s, "\xff@x.org", &got),
			 STORE_HARD_ERROR);
	store_account_clear(&got);
	/* A birth date that is not a date. */
	{
		struct store_account p;

		set_profile(&p, id, "G", "F", "1990-02-30", NULL, NULL, NULL);
		assert_int_equal(store_account_update_profile(s, &p),
				 STORE_HARD_ERROR);
		set_profile(&p, id, "G", "F", "'; DROP TABLE x;--", NULL, NULL,
			    NULL);
		assert_int_equal(store_account_update_profile(s, &p),
				 STORE_HARD_ERROR);
	}

	/* SQL and format metacharacters are data, and come back as such. */
	for (size_t i = 0; i < sizeof(meta) / sizeof(meta[0]); i++) {
		assert_int_equal(update_given(s, id, meta[i]), STORE_ONE_ROW);
		assert_int_equal(store_account_select_by_id(s, id, &got),
				 STORE_ONE_ROW);
		assert_string_equal(got.given_name, meta[i]);
		store_account_clear(&got);
	}
	a.email = (char *)"x'or'1'='1@example.org";
	assert_int_equal(store_account_insert(s, &a), STORE_ONE_ROW);
	assert_int_equal(store_account_select_by_email(
				 s, "X'OR'1'='1@EXAMPLE.ORG", &got),
			 STORE_ONE_ROW);
	assert_int_equal(got.id, a.id);
	store_account_clear(&got);
	/* A LIKE pattern is not a pattern here. */
	assert_int_equal(
		store_account_select_by_email(s, "%@example.org", &got),
		STORE_NO_ROW);
	store_account_clear(&got);

	/* After all that, the store still works. */
	assert_int_equal(store_account_select_by_id(s, id, &got),
			 STORE_ONE_ROW);
	store_account_clear(&got);
	free(huge);
	store_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_and_select),
		cmocka_unit_test(test_optional_fields_absent),
		cmocka_unit_test(test_select_missing),
		cmocka_unit_test(test_duplicate_email_other_case),
		cmocka_unit_test(test_duplicate_email_concurrent),
		cmocka_unit_test(test_verify_email),
		cmocka_unit_test(test_update_profile),
		cmocka_unit_test(test_update_password_and_status),
		cmocka_unit_test(test_update_email),
		cmocka_unit_test(test_update_email_race),
		cmocka_unit_test(test_delete_cascades),
		cmocka_unit_test(test_purge_unverified),
		cmocka_unit_test(test_hostile_strings),
	};

	db = at_migrated_db();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
