/*
 * The pure parts of SAML Web SSO: the AuthnContext level model with each
 * comparison (never more than the session has), the error table (every
 * error named, a SAML status only for those that go back to the SP) and
 * the shape of pending ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "idp/crypto/crypt.h"
#include "idp/saml/saml.h"

#define E    "http://eidas.europa.eu/LoA/"
#define PPT  "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
#define CARD "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI"

static int
choose(const char *cmp, int level, const char **chosen, size_t n, ...)
{
	const char *refs[8];
	va_list ap;

	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		refs[i] = va_arg(ap, const char *);
	va_end(ap);
	return saml_level_choose(cmp, refs, n, level, chosen);
}

static void
expect(const char *cmp, int level, const char *want, size_t n, ...)
{
	const char *refs[8], *chosen = NULL;
	va_list ap;
	int rc;

	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		refs[i] = va_arg(ap, const char *);
	va_end(ap);
	rc = saml_level_choose(cmp, refs, n, level, &chosen);
	if (want == NULL) {
		assert_int_equal(rc, SAML_E_NO_AUTHN_CONTEXT);
		assert_null(chosen);
	} else {
		assert_int_equal(rc, 0);
		assert_string_equal(chosen, want);
	}
}

static void
test_nothing_requested(void **state)
{
	const char *c;

	(void)state;
	assert_int_equal(choose(NULL, 1, &c, 0), 0);
	assert_string_equal(c, E "low");
	assert_int_equal(choose(NULL, 3, &c, 0), 0);
	assert_string_equal(c, E "high");
}

static void
test_exact(void **state)
{
	(void)state;
	expect("exact", 1, E "low", 1, E "low");
	expect(NULL, 1, E "low", 1, E "low"); /* exact is the default */
	expect("exact", 1, NULL, 1, E "substantial");
	expect("exact", 1, NULL, 1, E "high");
	/* Of several, the strongest the session backs. */
	expect("exact", 1, E "low", 2, E "high", E "low");
	expect("exact", 3, E "high", 2, E "low", E "high");
	expect("exact", 1, "STORK-QAA-Level-2", 1, "STORK-QAA-Level-2");
	expect("exact", 1, NULL, 1, "STORK-QAA-Level-3");
	expect("exact", 1, PPT, 1, PPT);
	expect("exact", 1, NULL, 1, CARD);
	expect("exact", 3, CARD, 1, CARD);
	/* Unknown refs are ignored; only unknown ones: nothing to assert. */
	expect("exact", 1, E "low", 2, "urn:x:unknown", E "low");
	expect("exact", 3, NULL, 1, "urn:x:unknown");
}

static void
test_minimum_better_maximum(void **state)
{
	(void)state;
	expect("minimum", 1, E "low", 1, E "low");
	expect("minimum", 1, NULL, 1, E "substantial");
	expect("minimum", 3, E "high", 1, E "substantial");
	expect("minimum", 1, "STORK-QAA-Level-2", 1, "STORK-QAA-Level-1");
	/* At least as strong as one of them: the weakest decides. */
	expect("minimum", 1, E "low", 2, E "high", E "low");
	expect("better", 1, NULL, 1, E "low");
	expect("better", 3, E "high", 1, E "low");
	expect("better", 1, "STORK-QAA-Level-2", 1, "STORK-QAA-Level-1");
	/* maximum: as strong as we can, not above what was named. */
	expect("maximum", 1, E "low", 1, E "high");
	expect("maximum", 3, E "substantial", 1, E "substantial");
	expect("maximum", 1, "STORK-QAA-Level-1", 1, "STORK-QAA-Level-1");
	expect("maximum", 3, NULL, 1, "urn:x:unknown");
	/* Mechanisms have no "substantial": the next lower one. */
	expect("maximum", 2, PPT, 1, CARD);
	expect("minimum", 1, PPT, 1, PPT);
}

static void
test_never_more_than_session(void **state)
{
	static const char *const all[] = {
		E "low",
		E "substantial",
		E "high",
		"STORK-QAA-Level-1",
		"STORK-QAA-Level-2",
		"STORK-QAA-Level-3",
		"STORK-QAA-Level-4",
		PPT,
		CARD,
	};
	static const char *const cmps[] = {"exact", "minimum", "better",
					   "maximum", NULL};
	static const int lvl[] = {1, 2, 3, 0, 1, 2, 3, 1, 3};

	(void)state;
	for (size_t c = 0; c < 5; c++)
		for (int session = 0; session <= 3; session++)
			for (size_t i = 0; i < 9; i++) {
				const char *chosen = NULL;
				if (saml_level_choose(cmps[c], &all[i], 1,
						      session, &chosen) != 0)
					continue;
				for (size_t k = 0; k < 9; k++)
					if (strcmp(all[k], chosen) == 0)
						assert_true(lvl[k] <= session);
			}
}

static void
test_bad_comparison_and_level(void **state)
{
	const char *refs[] = {E "low"}, *c;

	(void)state;
	assert_int_equal(saml_level_choose("at least", refs, 1, 1, &c),
			 SAML_E_AUTHN_CONTEXT);
	assert_int_equal(saml_level_choose("", refs, 1, 1, &c),
			 SAML_E_AUTHN_CONTEXT);
	assert_int_equal(saml_level_choose("exact", refs, 1, -1, &c),
			 SAML_E_NO_AUTHN_CONTEXT);
	assert_int_equal(saml_level_of_loa("low"), 1);
	assert_int_equal(saml_level_of_loa("substantial"), 2);
	assert_int_equal(saml_level_of_loa("high"), 3);
	assert_int_equal(saml_level_of_loa("LOW"), -1);
	assert_int_equal(saml_level_of_loa(NULL), -1);
}

static void
test_error_table(void **state)
{
	(void)state;
	for (int e = 0; e < SAML_E_COUNT; e++) {
		const struct saml_error_info *i = saml_error_info(e);
		assert_non_null(i->name);
		assert_non_null(i->text_key);
		assert_in_range(i->http_status, 400, 599);
		/* A status goes back to the SP only from ISSUE_INSTANT on. */
		if (e >= SAML_E_ISSUE_INSTANT)
			assert_non_null(i->status);
		else
			assert_null(i->status);
		for (int k = 0; k < e; k++)
			assert_string_not_equal(saml_error_info(k)->name,
						i->name);
	}
}

static void
test_pending_id(void **state)
{
	uint8_t t[CRYPT_TOKEN_BYTES];
	char text[CRYPT_TOKEN_TEXT_LEN + 1];

	(void)state;
	crypt_token_new(t);
	crypt_token_format(t, text);
	assert_true(saml_pending_id_valid(text));
	assert_false(saml_pending_id_valid(NULL));
	assert_false(saml_pending_id_valid(""));
	assert_false(saml_pending_id_valid("\"><x>"));
	text[5] = '/';
	assert_false(saml_pending_id_valid(text));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_requested),
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_minimum_better_maximum),
		cmocka_unit_test(test_never_more_than_session),
		cmocka_unit_test(test_bad_comparison_and_level),
		cmocka_unit_test(test_error_table),
		cmocka_unit_test(test_pending_id),
	};

	if (crypt_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
