/*
 * The eID store statements and the small pieces of idp/eid around them,
 * against a real PostgreSQL: the service row is one row, replaced and
 * removed with its generation moving; a request is used up exactly once
 * and not after it expired; the replay cache says "new" once per kind and
 * ID until the entry expires; the purge counts; the pending id sealed
 * under a binding opens only with that binding; the pseudonym hash is
 * keyed, stable and kept in settings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../store_account/account_test.h"
#include "idp/crypto/crypt.h"
#include "idp/eid/eid.h"
#include "idp/eid/eid_binding.h"
#include "idp/store/store_eid.h"

static const char *db;

static void
svc_fill(struct store_eid_service *svc, const char *entity)
{
	static const char *const defaults[] = EID_ATTR_DEFAULTS;

	memset(svc, 0, sizeof(*svc));
	svc->entity_id = strdup(entity);
	svc->metadata_xml = strdup("<md/>");
	for (int i = 0; i < STORE_EID_ATTR_COUNT; i++)
		svc->attr[i] = strdup(defaults[i]);
}

static void
test_service(void **state)
{
	struct store *s = at_store(db);
	struct store_eid_service svc, got;
	char g0[STORE_EID_GENERATION_LEN + 1], g1[sizeof(g0)], g2[sizeof(g0)];
	int64_t now;

	(void)state;
	assert_int_equal(store_eid_service_select(s, &got), STORE_NO_ROW);
	assert_int_equal(store_eid_generation_select(s, g0, &now),
			 STORE_ONE_ROW);
	svc_fill(&svc, "https://eid.example/metadata");
	svc.metadata_url = strdup("https://eid.example/metadata");
	assert_int_equal(store_eid_service_upsert(s, &svc), STORE_ONE_ROW);
	assert_true(svc.updated_at > 0);
	assert_int_equal(store_eid_service_select(s, &got), STORE_ONE_ROW);
	assert_string_equal(got.entity_id, "https://eid.example/metadata");
	assert_string_equal(got.metadata_url, "https://eid.example/metadata");
	assert_string_equal(got.attr[STORE_EID_ATTR_DOCUMENT_TYPE],
			    "http://bsi.bund.de/eID/DocumentType");
	store_eid_service_clear(&got);
	assert_int_equal(store_eid_generation_select(s, g1, &now),
			 STORE_ONE_ROW);
	assert_string_not_equal(g0, g1);
	/* Replaced, not added: still one row, and the generation moves. */
	free(svc.metadata_url);
	svc.metadata_url = NULL;
	assert_int_equal(store_eid_service_upsert(s, &svc), STORE_ONE_ROW);
	assert_int_equal(store_eid_service_select(s, &got), STORE_ONE_ROW);
	assert_null(got.metadata_url);
	store_eid_service_clear(&got);
	assert_int_equal(store_eid_generation_select(s, g2, &now),
			 STORE_ONE_ROW);
	assert_string_not_equal(g1, g2);
	assert_int_equal(store_eid_service_delete(s), STORE_ONE_ROW);
	assert_int_equal(store_eid_service_delete(s), STORE_NO_ROW);
	assert_int_equal(store_eid_service_select(s, &got), STORE_NO_ROW);
	store_eid_service_clear(&svc);
	store_free(s);
}

static void
test_request_single_use(void **state)
{
	struct store *s = at_store(db);
	struct store_eid_request r = {0}, got;
	uint8_t h[STORE_EID_HASH_BYTES], h2[STORE_EID_HASH_BYTES];
	PGconn *c = PQconnectdb(db);

	(void)state;
	memset(h, 1, sizeof(h));
	memset(h2, 2, sizeof(h2));
	r.purpose = "login";
	memset(r.binding_hash, 7, sizeof(r.binding_hash));
	r.has_pending = true;
	r.pending_sealed_len = 83;
	memset(r.pending_sealed, 9, r.pending_sealed_len);
	assert_int_equal(store_eid_request_insert(s, h, &r, 900),
			 STORE_ONE_ROW);
	/* The same ID twice is refused, not overwritten. */
	assert_int_equal(store_eid_request_insert(s, h, &r, 900),
			 STORE_HARD_ERROR);
	assert_int_equal(store_eid_request_take(s, h2, &got), STORE_NO_ROW);
	assert_int_equal(store_eid_request_take(s, h, &got), STORE_ONE_ROW);
	assert_string_equal(got.purpose, "login");
	assert_int_equal(got.session_id, 0);
	assert_true(got.has_pending);
	assert_int_equal(got.pending_sealed_len, 83);
	assert_memory_equal(got.pending_sealed, r.pending_sealed, 83);
	assert_memory_equal(got.binding_hash, r.binding_hash, 32);
	assert_int_equal(store_eid_request_take(s, h, &got), STORE_NO_ROW);
	/* Expired: refused, and purged. */
	r.has_pending = false;
	assert_int_equal(store_eid_request_insert(s, h2, &r, 900),
			 STORE_ONE_ROW);
	free(at_sql(c, "UPDATE eid_requests SET created_at = now() - "
		       "interval '20 minutes', expires_at = now() - "
		       "interval '1 second'"));
	assert_int_equal(store_eid_request_take(s, h2, &got), STORE_NO_ROW);
	/* Login without session only; link needs a session row. */
	r.purpose = "link";
	assert_int_equal(store_eid_request_insert(s, h, &r, 900),
			 STORE_HARD_ERROR);
	PQfinish(c);
	store_free(s);
}

static void
test_replay_and_purge(void **state)
{
	struct store *s = at_store(db);
	PGconn *c = PQconnectdb(db);
	int64_t n = -1;

	(void)state;
	assert_int_equal(store_eid_replay_insert(s, "response", "_r1", 420),
			 STORE_ONE_ROW);
	assert_int_equal(store_eid_replay_insert(s, "response", "_r1", 420),
			 STORE_NO_ROW);
	assert_int_equal(store_eid_replay_insert(s, "assertion", "_r1", 420),
			 STORE_ONE_ROW);
	/* An unknown kind breaks the table's CHECK: our bug, an error. */
	assert_int_equal(store_eid_replay_insert(s, "other", "_r1", 420),
			 STORE_HARD_ERROR);
	free(at_sql(c, "UPDATE eid_replay_cache SET expires_at = now() - "
		       "interval '1 second' WHERE kind = 'response'"));
	assert_int_equal(store_eid_replay_insert(s, "response", "_r1", 420),
			 STORE_ONE_ROW);
	free(at_sql(c, "UPDATE eid_replay_cache SET expires_at = now() - "
		       "interval '1 second'"));
	assert_int_equal(store_eid_purge(s, &n), STORE_ONE_ROW);
	assert_true(n >= 2);
	assert_int_equal(store_eid_purge(s, &n), STORE_ONE_ROW);
	assert_int_equal(n, 0);
	PQfinish(c);
	store_free(s);
}

static void
test_binding_seal(void **state)
{
	uint8_t t1[CRYPT_TOKEN_BYTES], t2[CRYPT_TOKEN_BYTES];
	uint8_t sealed[STORE_EID_SEALED_MAX];
	char pending[64], cookie[CRYPT_TOKEN_TEXT_LEN + 1];
	const char *p = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";
	size_t len = 0;

	(void)state;
	crypt_token_new(t1);
	crypt_token_new(t2);
	assert_int_equal(eid_binding_seal(t1, p, sealed, &len), 0);
	assert_true(len > 41 && len <= STORE_EID_SEALED_MAX);
	assert_int_equal(
		eid_binding_open(t1, sealed, len, pending, sizeof(pending)), 0);
	assert_string_equal(pending, p);
	assert_int_not_equal(
		eid_binding_open(t2, sealed, len, pending, sizeof(pending)), 0);
	sealed[len - 1] ^= 1;
	assert_int_not_equal(
		eid_binding_open(t1, sealed, len, pending, sizeof(pending)), 0);
	crypt_token_format(t1, cookie);
	assert_int_equal(eid_binding_parse(cookie, t2), 0);
	assert_memory_equal(t1, t2, sizeof(t1));
	assert_int_not_equal(eid_binding_parse(NULL, t2), 0);
	assert_int_not_equal(eid_binding_parse("short", t2), 0);
}

static void
test_pseudonym_hash(void **state)
{
	struct store *s = at_store(db);
	PGconn *c = PQconnectdb(db);
	uint8_t a[32], b[32], d[32];
	char *key;

	(void)state;
	assert_int_equal(eid_pseudonym_hash(s,
					    "vEkCTpUStXBuTnj10E/WKD69HU+5"
					    "Vfs/amHkSREdZMo=",
					    a),
			 0);
	assert_int_equal(eid_pseudonym_hash(s,
					    "vEkCTpUStXBuTnj10E/WKD69HU+5"
					    "Vfs/amHkSREdZMo=",
					    b),
			 0);
	assert_memory_equal(a, b, 32);
	assert_int_equal(eid_pseudonym_hash(s,
					    "aMkC1Tu8aw6wbTUn45UBtVf3tA"
					    "xGWrWMKxSCbgchDOw=",
					    d),
			 0);
	assert_memory_not_equal(a, d, 32);
	key = at_sql(c, "SELECT value FROM settings"
			" WHERE key = 'eid_pseudonym_key'");
	assert_non_null(key);
	assert_int_equal(strlen(key), 64);
	free(key);
	PQfinish(c);
	store_free(s);
}

static void
test_error_table(void **state)
{
	(void)state;
	for (int e = 0; e < EID_E_COUNT; e++) {
		const struct eid_error_info *i = eid_error_info(e);

		assert_non_null(i->name);
		assert_non_null(i->text_key);
		assert_true(i->http_status >= 200 && i->http_status < 600);
		for (int f = 0; f < e; f++)
			assert_string_not_equal(i->name,
						eid_error_info(f)->name);
	}
	assert_string_equal(eid_error_info(EID_E_COUNT)->name, "internal");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_service),
		cmocka_unit_test(test_request_single_use),
		cmocka_unit_test(test_replay_and_purge),
		cmocka_unit_test(test_binding_seal),
		cmocka_unit_test(test_pseudonym_hash),
		cmocka_unit_test(test_error_table),
	};

	if (crypt_init() != 0)
		return 1;
	db = at_migrated_db();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
