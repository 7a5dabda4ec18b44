/*
 * keys/ against a real PostgreSQL: the state machine through keys_add,
 * keys_activate, keys_retire and keys_rotate (refusals included), the
 * loading API for idpd with the right and a wrong master key and with
 * tampered rows, NOTIFY keys_changed delivered only at commit, the
 * audit rows, the partial unique indexes, and two nodes adding a next
 * key at the same moment; keys of several purposes side by side (one
 * active and one next key per purpose, each rollover and each load
 * within its purpose). Each test works in a database of its own.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include <cmocka.h>
#include <glib.h>

#include "idp/audit/audit.h"
#include "idp/crypto/crypt.h"
#include "idp/store/store.h"
#include "idp/store/store_keys.h"
#include "keys/keys.h"
#include "testdb.h"

#define WINDOW 3600

static const struct keys_who who = {"operator", "tester"};

struct fx {
	const char *db;
	struct store *s;
	PGconn *raw;
	uint8_t mk[KEYS_MASTER_KEY_BYTES];
};

static struct keys_material *
material(void)
{
	struct keys_material *m = g_new0(struct keys_material, 1);
	char err[KEYS_ERR_MAX];

	/* 2048 bits: fast, and the size does not matter here. */
	if (keys_generate(KEYS_PURPOSE_SAML, 2048, 30, "store.test", m, err,
			  sizeof(err)) != 0)
		fail_msg("%s", err);
	return m;
}

static void
material_free(struct keys_material *m)
{
	keys_material_clear(m);
	g_free(m);
}

static int
setup(void **state)
{
	struct fx *f = g_new0(struct fx, 1);
	char err[256];
	int applied;

	f->db = testdb_create();
	if (store_migrate(f->db, NULL, NULL, &applied, err, sizeof(err)) != 0)
		fail_msg("migrate: %s", err);
	f->s = store_new(f->db, 5, 20000);
	assert_non_null(f->s);
	if (store_ensure(f->s) != 0)
		fail_msg("store: %s", store_error_peek(f->s));
	f->raw = testdb_connect(f->db);
	crypt_random(f->mk, sizeof(f->mk));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	store_free(f->s);
	PQfinish(f->raw);
	crypt_wipe(f->mk, sizeof(f->mk));
	g_free(f);
	return 0;
}

static char *q(struct fx *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static char *
q(struct fx *f, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return testdb_query(f->raw, sql);
}

static void q_equal(struct fx *f, const char *want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
q_equal(struct fx *f, const char *want, const char *fmt, ...)
{
	char sql[1024], *got;
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	got = testdb_query(f->raw, sql);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", sql, got, want);
	free(got);
}

static int64_t
add_as(struct fx *f, enum keys_purpose p, const struct keys_material *m)
{
	struct keys_result r;
	char err[KEYS_ERR_MAX];

	if (keys_add(f->s, f->mk, p, m, WINDOW, &who, &r, err, sizeof(err)) !=
	    0)
		fail_msg("%s", err);
	assert_int_equal(r.refusal, KEYS_DONE);
	assert_int_equal(r.purpose, p);
	assert_true(r.generated_id > 0);
	return r.generated_id;
}

static int64_t
add_ok(struct fx *f, const struct keys_material *m)
{
	return add_as(f, KEYS_PURPOSE_SAML, m);
}

static struct keys_result
activate(struct fx *f, int64_t id, bool force)
{
	struct keys_result r;
	char err[KEYS_ERR_MAX];

	if (keys_activate(f->s, f->mk, id, WINDOW, force, &who, &r, err,
			  sizeof(err)) != 0)
		fail_msg("%s", err);
	return r;
}

static struct keys_result
retire(struct fx *f, int64_t id)
{
	struct keys_result r;
	char err[KEYS_ERR_MAX];

	if (keys_retire(f->s, id, false, &who, &r, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return r;
}

static void
publish_back(struct fx *f, int64_t id, int seconds)
{
	free(q(f,
	       "UPDATE signing_keys SET published_at = now() - interval '%d "
	       "seconds' WHERE id = %lld",
	       seconds, (long long)id));
}

static const char *
state_of(struct fx *f, int64_t id)
{
	static char buf[16];
	char *v = q(f, "SELECT state FROM signing_keys WHERE id = %lld",
		    (long long)id);

	(void)g_strlcpy(buf, v, sizeof(buf));
	free(v);
	return buf;
}

static void
test_state_machine(void **state)
{
	struct fx *f = *state;
	struct keys_material *a = material(), *b = material(), *c = material();
	struct keys_result r;
	char err[KEYS_ERR_MAX];
	int64_t ka, kb, kc;
	char *v;

	/* generate -> next, published now, ready a window later. */
	ka = add_ok(f, a);
	assert_string_equal(state_of(f, ka), "next");

	/* At most one next. */
	assert_int_equal(keys_add(f->s, f->mk, KEYS_PURPOSE_SAML, b, WINDOW,
				  &who, &r, err, sizeof(err)),
			 0);
	assert_int_equal(r.refusal, KEYS_NEXT_EXISTS);
	assert_int_equal(r.id, ka);
	q_equal(f, "1", "SELECT count(*) FROM signing_keys");

	/* Inside the window: refused, nothing changed. */
	r = activate(f, ka, false);
	assert_int_equal(r.refusal, KEYS_TOO_EARLY);
	assert_true(r.published_for >= 0 && r.published_for < 5);
	assert_true(r.ready_at > 0);
	assert_string_equal(state_of(f, ka), "next");

	/* After the window: activated; nothing was active before. */
	publish_back(f, ka, WINDOW + 1);
	r = activate(f, ka, false);
	assert_int_equal(r.refusal, KEYS_DONE);
	assert_int_equal(r.previous_id, 0);
	assert_string_equal(state_of(f, ka), "active");
	q_equal(f, "t",
		"SELECT activated_at IS NOT NULL FROM signing_keys"
		" WHERE id = %lld",
		(long long)ka);

	/* Activating it again: it is not next. */
	r = activate(f, ka, true);
	assert_int_equal(r.refusal, KEYS_NOT_NEXT);
	assert_int_equal(r.state, KEYS_STATE_ACTIVE);

	/* A second key, forced inside the window: the first is previous. */
	kb = add_ok(f, b);
	r = activate(f, kb, true);
	assert_int_equal(r.refusal, KEYS_DONE);
	assert_int_equal(r.previous_id, ka);
	assert_string_equal(state_of(f, kb), "active");
	assert_string_equal(state_of(f, ka), "previous");
	q_equal(f, "t",
		"SELECT deactivated_at IS NOT NULL FROM signing_keys"
		" WHERE id = %lld",
		(long long)ka);

	/* The active key cannot be retired; the previous one can. */
	r = retire(f, kb);
	assert_int_equal(r.refusal, KEYS_IS_ACTIVE);
	assert_string_equal(state_of(f, kb), "active");
	r = retire(f, ka);
	assert_int_equal(r.refusal, KEYS_DONE);
	assert_int_equal(r.state, KEYS_STATE_PREVIOUS);
	assert_string_equal(state_of(f, ka), "retired");
	/* Its private key is gone from the database. */
	q_equal(f, "t",
		"SELECT sealed_key IS NULL AND retired_at IS NOT NULL"
		" FROM signing_keys WHERE id = %lld",
		(long long)ka);
	r = retire(f, ka);
	assert_int_equal(r.refusal, KEYS_IS_RETIRED);
	r = activate(f, ka, true);
	assert_int_equal(r.refusal, KEYS_NOT_NEXT);
	assert_int_equal(r.state, KEYS_STATE_RETIRED);

	/* A next key may be retired without ever signing. */
	kc = add_ok(f, c);
	r = retire(f, kc);
	assert_int_equal(r.refusal, KEYS_DONE);
	assert_int_equal(r.state, KEYS_STATE_NEXT);
	q_equal(f, "t",
		"SELECT activated_at IS NULL FROM signing_keys"
		" WHERE id = %lld",
		(long long)kc);

	/* Unknown ids. */
	r = activate(f, 424242, true);
	assert_int_equal(r.refusal, KEYS_NO_SUCH_KEY);
	assert_int_equal(r.id, 424242);
	r = retire(f, INT64_MAX);
	assert_int_equal(r.refusal, KEYS_NO_SUCH_KEY);

	/* Forced, the active key goes too (a lost master key). */
	assert_int_equal(
		keys_retire(f->s, kb, true, &who, &r, err, sizeof(err)), 0);
	assert_int_equal(r.refusal, KEYS_DONE);
	assert_int_equal(r.state, KEYS_STATE_ACTIVE);
	assert_string_equal(state_of(f, kb), "retired");
	q_equal(f, "0",
		"SELECT count(*) FROM signing_keys"
		" WHERE sealed_key IS NOT NULL");

	/* Every change audited, refusals not; the chain holds. */
	q_equal(f,
		"signing_key_generated signing_key_activated "
		"signing_key_generated signing_key_activated "
		"signing_key_retired signing_key_generated "
		"signing_key_retired signing_key_retired",
		"SELECT string_agg(event, ' ' ORDER BY seq) FROM audit_log");
	q_equal(f, "operator tester after_window none",
		"SELECT actor || ' ' || (details->>'operator') || ' ' ||"
		" (details->>'how') || ' ' || (details->>'previous')"
		" FROM audit_log WHERE seq = 2");
	v = q(f, "SELECT details->>'fingerprint' FROM audit_log WHERE seq = 4");
	assert_string_equal(v, b->fingerprint);
	free(v);
	q_equal(f, "signing_key:2 forced 1",
		"SELECT subject || ' ' || (details->>'how') || ' ' ||"
		" (details->>'previous') FROM audit_log WHERE seq = 4");
	q_equal(f, "previous/ next/ active/true",
		"SELECT string_agg((details->>'was') || '/' ||"
		" coalesce(details->>'forced', ''), ' ' ORDER BY seq)"
		" FROM audit_log WHERE event = 'signing_key_retired'");
	{
		int64_t bad = -1, n = 0;

		assert_int_equal(audit_verify(f->s, &bad, &n), 0);
		assert_int_equal(n, 8);
	}
	/* No private key in clear in any column. */
	q_equal(f, "0",
		"SELECT count(*) FROM signing_keys WHERE"
		" position(convert_to('PRIVATE KEY', 'UTF8') IN"
		" coalesce(sealed_key, ''::bytea)) > 0"
		" OR certificate LIKE '%%PRIVATE%%'");
	q_equal(f, "0",
		"SELECT count(*) FROM audit_log"
		" WHERE details::text LIKE '%%PRIVATE%%'");
	material_free(a);
	material_free(b);
	material_free(c);
}

/* The partial unique indexes hold even against raw SQL. */
static void
test_unique_indexes(void **state)
{
	struct fx *f = *state;
	struct keys_material *a = material(), *b = material();
	PGresult *res;
	int64_t ka;

	ka = add_ok(f, a);
	res = PQexec(f->raw, "INSERT INTO signing_keys (state, bits,"
			     " fingerprint, certificate, sealed_key,"
			     " not_before, not_after)"
			     " SELECT 'next', bits, CASE WHEN left(fingerprint,"
			     " 1) = '0' THEN '1' ELSE '0' END ||"
			     " substr(fingerprint, 2), certificate, sealed_key,"
			     " not_before, not_after FROM signing_keys");
	assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR);
	assert_string_equal(PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME),
			    "signing_keys_one_next");
	PQclear(res);
	(void)activate(f, ka, true);
	(void)add_ok(f, b);
	res = PQexec(f->raw, "UPDATE signing_keys SET state = 'active',"
			     " activated_at = now() WHERE state = 'next'");
	assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR);
	assert_string_equal(PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME),
			    "signing_keys_one_active");
	PQclear(res);
	/* A retired key keeps no private key. */
	res = PQexec(f->raw, "UPDATE signing_keys SET state = 'retired',"
			     " retired_at = now() WHERE state = 'next'");
	assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR);
	PQclear(res);
	material_free(a);
	material_free(b);
}

static void
test_load(void **state)
{
	struct fx *f = *state;
	struct keys_material *a = material(), *b = material(), *c = material();
	struct keys_set *set = NULL;
	char err[KEYS_ERR_MAX];
	int64_t ka, kb, kc;

	/* No keys yet: an empty set, not an error. */
	assert_int_equal(keys_set_load(f->s, f->mk, KEYS_PURPOSE_SAML, &set,
				       err, sizeof(err)),
			 0);
	assert_int_equal(set->n, 0);
	assert_null(set->active);
	assert_null(set->next);
	keys_set_free(set);

	ka = add_ok(f, a);
	(void)activate(f, ka, true);
	kb = add_ok(f, b);
	(void)activate(f, kb, true);
	kc = add_ok(f, c);
	(void)ka;

	assert_int_equal(keys_set_load(f->s, f->mk, KEYS_PURPOSE_SAML, &set,
				       err, sizeof(err)),
			 0);
	assert_int_equal(set->n, 3);
	assert_non_null(set->active);
	assert_non_null(set->next);
	assert_int_equal(set->active->id, kb);
	assert_int_equal(set->active->state, KEYS_STATE_ACTIVE);
	assert_int_equal(set->next->id, kc);
	assert_int_equal(set->keys[0].state, KEYS_STATE_PREVIOUS);
	/* The active key is what was generated, opened in full. */
	assert_string_equal(set->active->m.key_pem, b->key_pem);
	assert_int_equal(set->active->m.key_pem_len, b->key_pem_len);
	assert_string_equal(set->active->m.cert_pem, b->cert_pem);
	assert_string_equal(set->active->m.fingerprint, b->fingerprint);
	assert_int_equal(set->active->m.bits, 2048);
	assert_int_equal(set->active->m.not_after, b->not_after);
	assert_true(set->active->activated_at > 0);
	assert_string_equal(set->next->m.key_pem, c->key_pem);
	assert_int_equal(set->next->activated_at, 0);
	keys_set_free(set);
	keys_set_free(NULL);

	/* Retired keys are not loaded. */
	assert_int_equal(retire(f, ka).refusal, KEYS_DONE);
	assert_int_equal(keys_set_load(f->s, f->mk, KEYS_PURPOSE_SAML, &set,
				       err, sizeof(err)),
			 0);
	assert_int_equal(set->n, 2);
	keys_set_free(set);
	material_free(a);
	material_free(b);
	material_free(c);
}

static void
expect_load_fails(struct fx *f, const uint8_t *mk, int rc, const char *want)
{
	struct keys_set *set = (struct keys_set *)(uintptr_t)1;
	char err[KEYS_ERR_MAX] = "";

	assert_int_equal(keys_set_load(f->s, mk, KEYS_PURPOSE_SAML, &set, err,
				       sizeof(err)),
			 rc);
	assert_null(set);
	if (strstr(err, want) == NULL)
		fail_msg("want '%s' in: %s", want, err);
}

static void
test_wrong_master_key(void **state)
{
	struct fx *f = *state;
	struct keys_material *a = material(), *b = material();
	uint8_t other[KEYS_MASTER_KEY_BYTES];
	struct keys_result r;
	char err[KEYS_ERR_MAX];
	int64_t ka, kb;

	crypt_random(other, sizeof(other));
	ka = add_ok(f, a);
	(void)activate(f, ka, true);

	/* idpd with the wrong file: a clear error, never a crash. */
	expect_load_fails(f, other, IDP_ERR_INVALID,
			  "saml key 1 does not open with the master key: "
			  "wrong master key file");

	/* A second master key cannot sneak in a key nobody can open. */
	assert_int_equal(keys_add(f->s, other, KEYS_PURPOSE_SAML, b, WINDOW,
				  &who, &r, err, sizeof(err)),
			 0);
	assert_int_equal(r.refusal, KEYS_WRONG_MASTER);
	assert_int_equal(r.id, ka);
	q_equal(f, "1", "SELECT count(*) FROM signing_keys");

	assert_int_equal(keys_next_peek(f->s, other, KEYS_PURPOSE_SAML, WINDOW,
					&r, err, sizeof(err)),
			 0);
	assert_int_equal(r.refusal, KEYS_WRONG_MASTER);
	assert_int_equal(r.id, ka);
	assert_int_equal(keys_next_peek(f->s, f->mk, KEYS_PURPOSE_SAML, WINDOW,
					&r, err, sizeof(err)),
			 0);
	assert_int_equal(r.refusal, KEYS_DONE);
	assert_int_equal(r.id, 0);

	/* Nor activate a next key with a master key that cannot open it. */
	kb = add_ok(f, b);
	assert_int_equal(keys_activate(f->s, other, kb, WINDOW, true, &who, &r,
				       err, sizeof(err)),
			 0);
	assert_int_equal(r.refusal, KEYS_WRONG_MASTER);
	assert_string_equal(state_of(f, kb), "next");
	/* Generated, activated, generated: the refusals left no trace. */
	q_equal(f, "3", "SELECT count(*) FROM audit_log");
	material_free(a);
	material_free(b);
}

/* Flip one bit of key @id's ciphertext (again: flip it back). */
static void
flip(struct fx *f, int64_t id)
{
	free(q(f,
	       "UPDATE signing_keys SET sealed_key = set_byte(sealed_key,"
	       " 60, get_byte(sealed_key, 60) # 1) WHERE id = %lld",
	       (long long)id));
}

static void
test_tampered_rows(void **state)
{
	struct fx *f = *state;
	struct keys_material *a = material(), *b = material();
	int64_t ka, kb;

	ka = add_ok(f, a);
	(void)activate(f, ka, true);
	kb = add_ok(f, b);

	/* A flipped bit in the ciphertext: does not open. */
	flip(f, kb);
	expect_load_fails(f, f->mk, IDP_ERR_INVALID,
			  "saml key 2 does not open");
	flip(f, kb);
	/* Swapped private keys: each opens, neither fits its certificate. */
	free(q(f, "UPDATE signing_keys s SET sealed_key = o.sealed_key"
		  " FROM signing_keys o WHERE s.id <> o.id"));
	expect_load_fails(f, f->mk, IDP_ERR_INVALID,
			  "is damaged: its certificate, fingerprint and "
			  "private key do not agree");
	free(q(f, "UPDATE signing_keys s SET sealed_key = o.sealed_key"
		  " FROM signing_keys o WHERE s.id <> o.id"));
	/* A certificate replaced by the other key's: fingerprint differs. */
	free(q(f,
	       "UPDATE signing_keys SET certificate = (SELECT certificate"
	       " FROM signing_keys WHERE id = %lld) WHERE id = %lld",
	       (long long)ka, (long long)kb));
	expect_load_fails(f, f->mk, IDP_ERR_INVALID, "saml key 2 is damaged");
	material_free(a);
	material_free(b);
}

/* --- purposes --- */

static void
test_purpose_names(void **state)
{
	static const char *const bad[] = {
		"",    "SAML",	      "saml ",	       " saml",
		"eid", "eid_signing", "eid-signing\n", "eid-encryption-x",
		"sam", "saml\x01",
	};
	enum keys_purpose p = KEYS_PURPOSE_EID_SIGNING;

	(void)state;
	assert_string_equal(keys_purpose_name(KEYS_PURPOSE_SAML), "saml");
	assert_string_equal(keys_purpose_name(KEYS_PURPOSE_EID_SIGNING),
			    "eid-signing");
	assert_string_equal(keys_purpose_name(KEYS_PURPOSE_EID_ENCRYPTION),
			    "eid-encryption");
	assert_true(keys_purpose_parse("saml", &p));
	assert_int_equal(p, KEYS_PURPOSE_SAML);
	assert_true(keys_purpose_parse("eid-signing", &p));
	assert_int_equal(p, KEYS_PURPOSE_EID_SIGNING);
	assert_true(keys_purpose_parse("eid-encryption", &p));
	assert_int_equal(p, KEYS_PURPOSE_EID_ENCRYPTION);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = KEYS_PURPOSE_EID_ENCRYPTION;
		assert_false(keys_purpose_parse(bad[i], &p));
		/* Untouched on failure. */
		assert_int_equal(p, KEYS_PURPOSE_EID_ENCRYPTION);
	}
	assert_false(keys_purpose_parse(NULL, &p));
}

static struct keys_set *
load_ok(struct fx *f, enum keys_purpose p)
{
	struct keys_set *set = NULL;
	char err[KEYS_ERR_MAX];

	if (keys_set_load(f->s, f->mk, p, &set, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_non_null(set);
	assert_int_equal(set->purpose, p);
	for (size_t i = 0; i < set->n; i++)
		assert_int_equal(set->keys[i].purpose, p);
	return set;
}

/*
 * An active saml key and an active eid-signing key coexist; within one
 * purpose the rules are the old ones.
 */
static void
test_purposes(void **state)
{
	struct fx *f = *state;
	struct keys_material *m[6];
	struct keys_set *set;
	struct keys_result r;
	char err[KEYS_ERR_MAX], text[KEYS_ERR_MAX];
	int64_t ks, ks2, ke1, ke2, kx;

	for (size_t i = 0; i < 6; i++)
		m[i] = material();
	ks = add_ok(f, m[0]);
	r = activate(f, ks, true);
	assert_int_equal(r.purpose, KEYS_PURPOSE_SAML);

	/* An eid-signing next key beside the active saml key... */
	ke1 = add_as(f, KEYS_PURPOSE_EID_SIGNING, m[1]);
	/* ...and a saml next key beside the eid-signing next key. */
	ks2 = add_ok(f, m[2]);
	/* But not a second eid-signing next key. */
	assert_int_equal(keys_add(f->s, f->mk, KEYS_PURPOSE_EID_SIGNING, m[3],
				  WINDOW, &who, &r, err, sizeof(err)),
			 0);
	assert_int_equal(r.refusal, KEYS_NEXT_EXISTS);
	assert_int_equal(r.id, ke1);
	assert_int_equal(r.purpose, KEYS_PURPOSE_EID_SIGNING);
	(void)keys_refusal_format(&r, WINDOW, text, sizeof(text));
	if (strstr(text, "there is a next eid-signing key already") == NULL)
		fail_msg("refusal: %s", text);
	assert_int_equal(keys_next_peek(f->s, f->mk, KEYS_PURPOSE_EID_SIGNING,
					WINDOW, &r, err, sizeof(err)),
			 0);
	assert_int_equal(r.id, ke1);
	assert_int_equal(keys_next_peek(f->s, f->mk,
					KEYS_PURPOSE_EID_ENCRYPTION, WINDOW, &r,
					err, sizeof(err)),
			 0);
	assert_int_equal(r.id, 0);

	/* Activating the eid key leaves the saml active key alone. */
	r = activate(f, ke1, true);
	assert_int_equal(r.refusal, KEYS_DONE);
	assert_int_equal(r.purpose, KEYS_PURPOSE_EID_SIGNING);
	assert_int_equal(r.previous_id, 0);
	assert_string_equal(state_of(f, ks), "active");
	assert_string_equal(state_of(f, ke1), "active");
	ke2 = add_as(f, KEYS_PURPOSE_EID_SIGNING, m[3]);
	r = activate(f, ke2, true);
	assert_int_equal(r.previous_id, ke1);
	assert_string_equal(state_of(f, ke1), "previous");
	assert_string_equal(state_of(f, ks), "active");
	assert_string_equal(state_of(f, ks2), "next");
	q_equal(f, "eid-signing saml",
		"SELECT string_agg(purpose, ' ' ORDER BY purpose)"
		" FROM signing_keys WHERE state = 'active'");

	/* Rotating eid-encryption touches nothing else. */
	assert_int_equal(keys_rotate(f->s, f->mk, KEYS_PURPOSE_EID_ENCRYPTION,
				     m[4], WINDOW, &who, &r, err, sizeof(err)),
			 0);
	assert_int_equal(r.refusal, KEYS_DONE);
	assert_int_equal(r.activated_id, 0);
	kx = r.generated_id;
	publish_back(f, kx, WINDOW);
	assert_int_equal(keys_rotate(f->s, f->mk, KEYS_PURPOSE_EID_ENCRYPTION,
				     m[5], WINDOW, &who, &r, err, sizeof(err)),
			 0);
	assert_int_equal(r.activated_id, kx);
	assert_int_equal(r.previous_id, 0);
	assert_string_equal(state_of(f, ks), "active");
	assert_string_equal(state_of(f, ke2), "active");
	assert_string_equal(state_of(f, ks2), "next");

	/* Each load holds its purpose only. */
	set = load_ok(f, KEYS_PURPOSE_SAML);
	assert_int_equal(set->n, 2);
	assert_int_equal(set->active->id, ks);
	assert_int_equal(set->next->id, ks2);
	assert_string_equal(set->active->m.cert_pem, m[0]->cert_pem);
	keys_set_free(set);
	set = load_ok(f, KEYS_PURPOSE_EID_SIGNING);
	assert_int_equal(set->n, 2);
	assert_int_equal(set->active->id, ke2);
	assert_null(set->next);
	assert_int_equal(set->keys[0].id, ke1);
	assert_int_equal(set->keys[0].state, KEYS_STATE_PREVIOUS);
	assert_string_equal(set->active->m.key_pem, m[3]->key_pem);
	keys_set_free(set);
	set = load_ok(f, KEYS_PURPOSE_EID_ENCRYPTION);
	assert_int_equal(set->n, 2);
	assert_int_equal(set->active->id, kx);
	assert_non_null(set->next);
	keys_set_free(set);

	/* Retire by id, whatever the purpose; the result names it. */
	assert_int_equal(retire(f, ke2).refusal, KEYS_IS_ACTIVE);
	r = retire(f, ke1);
	assert_int_equal(r.refusal, KEYS_DONE);
	assert_int_equal(r.purpose, KEYS_PURPOSE_EID_SIGNING);
	set = load_ok(f, KEYS_PURPOSE_EID_SIGNING);
	assert_int_equal(set->n, 1);
	keys_set_free(set);

	/* A broken eid key stops its own load, not the saml one. */
	flip(f, ke2);
	set = load_ok(f, KEYS_PURPOSE_SAML);
	assert_int_equal(set->n, 2);
	keys_set_free(set);
	{
		struct keys_set *bad = (struct keys_set *)(uintptr_t)1;

		assert_int_equal(keys_set_load(f->s, f->mk,
					       KEYS_PURPOSE_EID_SIGNING, &bad,
					       err, sizeof(err)),
				 IDP_ERR_INVALID);
		assert_null(bad);
		(void)snprintf(text, sizeof(text),
			       "eid-signing key %lld does not open",
			       (long long)ke2);
		if (strstr(err, text) == NULL)
			fail_msg("want '%s' in: %s", text, err);
	}
	/* One master key for all: a broken eid key blocks a saml add. */
	assert_int_equal(keys_next_peek(f->s, f->mk, KEYS_PURPOSE_SAML, WINDOW,
					&r, err, sizeof(err)),
			 0);
	assert_int_equal(r.refusal, KEYS_WRONG_MASTER);
	assert_int_equal(r.id, ke2);
	flip(f, ke2);

	/* Every audit row names the purpose. */
	q_equal(f, "0",
		"SELECT count(*) FROM audit_log WHERE details->>'purpose'"
		" IS NULL");
	q_equal(f,
		"signing_key_generated/saml signing_key_activated/saml "
		"signing_key_generated/eid-signing "
		"signing_key_generated/saml "
		"signing_key_activated/eid-signing "
		"signing_key_generated/eid-signing "
		"signing_key_activated/eid-signing "
		"signing_key_generated/eid-encryption "
		"signing_key_activated/eid-encryption "
		"signing_key_generated/eid-encryption "
		"signing_key_retired/eid-signing",
		"SELECT string_agg(event || '/' || (details->>'purpose'), ' '"
		" ORDER BY seq) FROM audit_log");
	for (size_t i = 0; i < 6; i++)
		material_free(m[i]);
}

/* The per-purpose unique indexes and the CHECK, against raw SQL. */
static void
test_purpose_schema(void **state)
{
	struct fx *f = *state;
	struct keys_material *a = material(), *b = material(), *c = material();
	PGresult *res;
	int64_t ka, kb, kc;

	ka = add_ok(f, a);
	(void)activate(f, ka, true);
	kb = add_as(f, KEYS_PURPOSE_EID_SIGNING, b);
	(void)activate(f, kb, true);
	kc = add_as(f, KEYS_PURPOSE_EID_ENCRYPTION, c);
	q_equal(f, "saml eid-signing eid-encryption",
		"SELECT string_agg(purpose, ' ' ORDER BY id)"
		" FROM signing_keys");

	/* Two active eid-signing keys cannot be. */
	res = PQexec(f->raw, "UPDATE signing_keys SET purpose = 'eid-signing'"
			     " WHERE state = 'active' AND purpose = 'saml'");
	assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR);
	assert_string_equal(PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME),
			    "signing_keys_one_active");
	PQclear(res);
	/* Nor two next keys of one purpose. */
	res = PQexec(f->raw, "INSERT INTO signing_keys (purpose, state, bits,"
			     " fingerprint, certificate, sealed_key,"
			     " not_before, not_after)"
			     " SELECT purpose, 'next', bits, CASE WHEN"
			     " left(fingerprint, 1) = '0' THEN '1' ELSE '0'"
			     " END || substr(fingerprint, 2), certificate,"
			     " sealed_key, not_before, not_after"
			     " FROM signing_keys WHERE state = 'next'");
	assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR);
	assert_string_equal(PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME),
			    "signing_keys_one_next");
	PQclear(res);
	/* Only the three purposes. */
	res = PQexec(f->raw, "UPDATE signing_keys SET purpose = 'eid'"
			     " WHERE state = 'next'");
	assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR);
	assert_string_equal(PQresultErrorField(res, PG_DIAG_SQLSTATE), "23514");
	PQclear(res);
	res = PQexec(f->raw, "UPDATE signing_keys SET purpose = NULL"
			     " WHERE state = 'next'");
	assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR);
	PQclear(res);
	/* A row that names no purpose is a saml key (rows before 011). */
	q_equal(f, "t",
		"SELECT column_default::text LIKE '''saml''%%'"
		" AND is_nullable = 'NO' FROM information_schema.columns"
		" WHERE table_name = 'signing_keys' AND column_name ="
		" 'purpose'");
	(void)kc;
	material_free(a);
	material_free(b);
	material_free(c);
}

/* --- NOTIFY --- */

/* Notifications on keys_changed that reached @raw within @ms. */
static int
notified(PGconn *raw, int ms)
{
	int n = 0, fd = PQsocket(raw);
	PGnotify *nt;
	fd_set rd;
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	FD_ZERO(&rd);
	FD_SET(fd, &rd);
	(void)select(fd + 1, &rd, NULL, NULL, &tv);
	assert_int_equal(PQconsumeInput(raw), 1);
	while ((nt = PQnotifies(raw)) != NULL) {
		if (strcmp(nt->relname, STORE_KEYS_CHANNEL) == 0)
			n++;
		PQfreemem(nt);
	}
	return n;
}

struct peek {
	PGconn *listener;
	int seen_inside;
	int rc; /* what the callback returns after notifying */
};

static int
notify_cb(struct store *s, void *cls)
{
	struct peek *p = cls;
	int rc = store_keys_notify(s);

	if (rc != STORE_ONE_ROW)
		return rc;
	/* Before COMMIT the listener must see nothing. */
	p->seen_inside += notified(p->listener, 200);
	return p->rc;
}

static void
test_notify_at_commit(void **state)
{
	struct fx *f = *state;
	PGconn *listener = testdb_connect(f->db);
	struct keys_material *a = material();
	struct peek p = {listener, 0, STORE_ONE_ROW};
	struct keys_result r;
	char err[KEYS_ERR_MAX];
	int64_t ka;

	free(testdb_query(listener, "LISTEN " STORE_KEYS_CHANNEL));
	assert_int_equal(store_run_tx(f->s, "t", false, notify_cb, &p),
			 STORE_ONE_ROW);
	assert_int_equal(p.seen_inside, 0);
	assert_int_equal(notified(listener, 2000), 1);

	/* Rolled back: never delivered. */
	p.rc = STORE_HARD_ERROR;
	assert_int_equal(store_run_tx(f->s, "t", false, notify_cb, &p),
			 STORE_HARD_ERROR);
	assert_int_equal(p.seen_inside, 0);
	assert_int_equal(notified(listener, 300), 0);

	/* Each change announces itself once; a refusal does not. */
	ka = add_ok(f, a);
	assert_int_equal(notified(listener, 2000), 1);
	assert_int_equal(keys_activate(f->s, f->mk, ka, WINDOW, false, &who, &r,
				       err, sizeof(err)),
			 0);
	assert_int_equal(r.refusal, KEYS_TOO_EARLY);
	assert_int_equal(notified(listener, 300), 0);
	(void)activate(f, ka, true);
	assert_int_equal(notified(listener, 2000), 1);
	assert_int_equal(retire(f, ka).refusal, KEYS_IS_ACTIVE);
	assert_int_equal(notified(listener, 300), 0);
	PQfinish(listener);
	material_free(a);
}

/* --- rotate --- */

static struct keys_result
rotate(struct fx *f, const struct keys_material *m)
{
	struct keys_result r;
	char err[KEYS_ERR_MAX];

	if (keys_rotate(f->s, f->mk, KEYS_PURPOSE_SAML, m, WINDOW, &who, &r,
			err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return r;
}

static void
test_rotate(void **state)
{
	struct fx *f = *state;
	struct keys_material *a = material(), *b = material(), *c = material();
	struct keys_result r;
	char err[KEYS_ERR_MAX];

	/* No keys: rotate generates the first next key. */
	r = rotate(f, a);
	assert_int_equal(r.refusal, KEYS_DONE);
	assert_int_equal(r.activated_id, 0);
	assert_int_equal(r.generated_id, 1);
	assert_string_equal(state_of(f, 1), "next");

	/* Inside the window: nothing changes. */
	assert_int_equal(keys_next_peek(f->s, f->mk, KEYS_PURPOSE_SAML, WINDOW,
					&r, err, sizeof(err)),
			 0);
	assert_int_equal(r.id, 1);
	assert_true(r.published_for < WINDOW);
	r = rotate(f, b);
	assert_int_equal(r.refusal, KEYS_NOTHING_TO_DO);
	assert_int_equal(r.id, 1);
	assert_int_equal(r.generated_id, 0);
	q_equal(f, "1", "SELECT count(*) FROM signing_keys");

	/* After it: the next key signs, a new next key is published. */
	publish_back(f, 1, WINDOW);
	r = rotate(f, b);
	assert_int_equal(r.refusal, KEYS_DONE);
	assert_int_equal(r.activated_id, 1);
	assert_int_equal(r.previous_id, 0);
	assert_int_equal(r.generated_id, 2);
	assert_string_equal(state_of(f, 1), "active");
	assert_string_equal(state_of(f, 2), "next");

	publish_back(f, 2, WINDOW + 100);
	r = rotate(f, c);
	assert_int_equal(r.activated_id, 2);
	assert_int_equal(r.previous_id, 1);
	assert_int_equal(r.generated_id, 3);
	q_equal(f, "previous active next",
		"SELECT string_agg(state, ' ' ORDER BY id) FROM signing_keys");
	q_equal(f, "rotate",
		"SELECT details->>'how' FROM audit_log"
		" WHERE event = 'signing_key_activated'"
		" ORDER BY seq DESC LIMIT 1");
	assert_int_equal(keys_next_peek(f->s, f->mk, KEYS_PURPOSE_SAML, WINDOW,
					&r, err, sizeof(err)),
			 0);
	assert_int_equal(r.id, 3);
	material_free(a);
	material_free(b);
	material_free(c);
}

/* --- two nodes at once --- */

struct racer {
	const char *db;
	const uint8_t *mk;
	struct keys_material *m;
	pthread_barrier_t *go;
	struct keys_result r;
	int rc;
};

static void *
race(void *arg)
{
	struct racer *x = arg;
	struct store *s = store_new(x->db, 10, 20000);
	char err[KEYS_ERR_MAX];

	x->rc = -100;
	if (s == NULL || store_ensure(s) != 0) {
		store_free(s);
		return NULL;
	}
	(void)pthread_barrier_wait(x->go);
	x->rc = keys_add(s, x->mk, KEYS_PURPOSE_SAML, x->m, WINDOW, &who, &x->r,
			 err, sizeof(err));
	store_free(s);
	return NULL;
}

static void
test_concurrent_add(void **state)
{
	struct fx *f = *state;
	pthread_barrier_t go;
	struct racer x[4];
	pthread_t t[4];
	int done = 0, refused = 0;

	assert_int_equal(pthread_barrier_init(&go, NULL, 4), 0);
	for (int i = 0; i < 4; i++) {
		x[i] = (struct racer){f->db, f->mk, material(), &go, {0}, 0};
		assert_int_equal(pthread_create(&t[i], NULL, race, &x[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(x[i].rc, 0);
		done += x[i].r.refusal == KEYS_DONE;
		refused += x[i].r.refusal == KEYS_NEXT_EXISTS;
		material_free(x[i].m);
	}
	assert_int_equal(done, 1);
	assert_int_equal(refused, 3);
	q_equal(f, "1", "SELECT count(*) FROM signing_keys");
	q_equal(f, "1", "SELECT count(*) FROM audit_log");
	pthread_barrier_destroy(&go);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_state_machine, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unique_indexes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_master_key, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tampered_rows, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_notify_at_commit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rotate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_add, setup,
						teardown),
		cmocka_unit_test(test_purpose_names),
		cmocka_unit_test_setup_teardown(test_purposes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purpose_schema, setup,
						teardown),
	};

	if (crypt_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
