/*
 * idp/crypto passwords: NFC normalization and what it refuses, Argon2id
 * hash, verify and needs_rehash (with small parameters for speed), the
 * length limits at both ends and no truncation, the policy (common list,
 * personal data, Unicode case folding), the embedded list against
 * data/common-passwords.txt, and the dummy verification.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <glib.h>

#include "idp/crypto/crypt.h"
#include "idp/crypto/crypt_common_passwords.h"
#include "idp/crypto/crypt_password.h"

/* Small Argon2id parameters: 1 pass over 8 MiB, for test speed. */
#define OPS 1u
#define MEM (8u * 1024 * 1024)

/* Normalize @in (NUL-terminated), asserting success. */
static char *
nfc(const char *in)
{
	char *out = NULL;

	assert_int_equal(crypt_password_normalize(in, strlen(in), &out), 0);
	assert_non_null(out);
	return out;
}

/* @n copies of @unit, as a g_malloc'd string. */
static char *
repeat(const char *unit, size_t n)
{
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < n; i++)
		g_string_append(s, unit);
	return g_string_free(s, FALSE);
}

static void
test_normalize_nfc(void **state)
{
	char *a, *b;

	(void)state;
	/* "e" + COMBINING ACUTE ACCENT and the precomposed "é". */
	a = nfc("Caf\x65\xcc\x81-Passwort");
	b = nfc("Caf\xc3\xa9-Passwort");
	assert_string_equal(a, b);
	assert_string_equal(a, "Caf\xc3\xa9-Passwort");
	crypt_password_free(a);
	crypt_password_free(b);

	/* Compatibility forms stay as they are (NFC, not NFKC). */
	a = nfc("\xef\xac\x81"); /* U+FB01 LATIN SMALL LIGATURE FI */
	assert_string_equal(a, "\xef\xac\x81");
	crypt_password_free(a);

	/* Empty is fine here; the policy refuses it as too short. */
	assert_int_equal(crypt_password_normalize(NULL, 0, &a), 0);
	assert_string_equal(a, "");
	crypt_password_free(a);
	crypt_password_free(NULL);
}

static void
test_normalize_refuses(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
		const char *what;
	} bad[] = {
		{"abc\0defgh", 9, "embedded NUL"},
		{"\0", 1, "only a NUL"},
		{"ab\xc3\x28", 4, "bad continuation"},
		{"\xc0\xaf", 2, "overlong '/'"},
		{"\xe0\x80\xaf", 3, "overlong 3-byte"},
		{"\xed\xa0\x80", 3, "surrogate"},
		{"\xf4\x90\x80\x80", 4, "beyond U+10FFFF"},
		{"abc\xe2\x82", 5, "cut-off sequence"},
		{"\x80", 1, "stray continuation"},
		{"\xff", 1, "0xff"},
	};
	char *out = (char *)1;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = (char *)1;
		if (crypt_password_normalize(bad[i].bytes, bad[i].len, &out) !=
		    IDP_ERR_INVALID)
			fail_msg("accepted: %s", bad[i].what);
		assert_null(out);
	}
	/* NULL with a length. */
	assert_int_equal(crypt_password_normalize(NULL, 3, &out),
			 IDP_ERR_INVALID);
}

static void
test_normalize_size_limit(void **state)
{
	const size_t mib = 1024 * 1024;
	char *big = malloc(mib), *out = (char *)1, *s;

	(void)state;
	assert_non_null(big);
	memset(big, 'a', mib);
	/* 1 MiB is refused by its length, before it is read. */
	assert_int_equal(crypt_password_normalize(big, mib, &out),
			 IDP_ERR_TOO_LARGE);
	assert_null(out);
	/* Exactly the byte limit passes, one more does not. */
	assert_int_equal(
		crypt_password_normalize(big, CRYPT_PW_MAX_BYTES, &out), 0);
	assert_int_equal(strlen(out), CRYPT_PW_MAX_BYTES);
	crypt_password_free(out);
	assert_int_equal(
		crypt_password_normalize(big, CRYPT_PW_MAX_BYTES + 1, &out),
		IDP_ERR_TOO_LARGE);
	free(big);

	/* 1024 four-byte characters are exactly 4096 bytes. */
	s = repeat("\xf0\x9f\x98\x80", 1024); /* U+1F600 */
	assert_int_equal(crypt_password_normalize(s, strlen(s), &out), 0);
	assert_int_equal(crypt_password_check(out, NULL, NULL, NULL),
			 CRYPT_PW_OK);
	crypt_password_free(out);
	g_free(s);
	s = repeat("\xf0\x9f\x98\x80", 1025);
	assert_int_equal(crypt_password_normalize(s, strlen(s), &out),
			 IDP_ERR_TOO_LARGE);
	g_free(s);
}

static void
test_hash_verify_rehash(void **state)
{
	char hash[CRYPT_PWHASH_STRBYTES], hash2[CRYPT_PWHASH_STRBYTES];
	char *pw = nfc("correct horse battery staple");

	(void)state;
	assert_int_equal(crypt_password_hash(pw, OPS, MEM, hash), 0);
	assert_true(strncmp(hash, "$argon2id$v=19$m=8192,t=1,p=1$", 30) == 0);
	assert_true(crypt_password_verify(hash, pw));
	assert_false(
		crypt_password_verify(hash, "correct horse battery stapl"));
	assert_false(
		crypt_password_verify(hash, "Correct horse battery staple"));
	assert_false(crypt_password_verify(hash, ""));
	/* Random salt: the same password hashes differently each time. */
	assert_int_equal(crypt_password_hash(pw, OPS, MEM, hash2), 0);
	assert_string_not_equal(hash, hash2);
	assert_true(crypt_password_verify(hash2, pw));

	assert_false(crypt_password_needs_rehash(hash, OPS, MEM));
	assert_true(crypt_password_needs_rehash(hash, OPS + 1, MEM));
	assert_true(crypt_password_needs_rehash(hash, OPS, 2 * MEM));
	assert_true(crypt_password_needs_rehash("", OPS, MEM));
	assert_true(crypt_password_needs_rehash(NULL, OPS, MEM));
	assert_true(crypt_password_needs_rehash(
		"$argon2i$v=19$m=8192,t=1,p=1$"
		"c2FsdHNhbHRzYWx0c2FsdA$"
		"aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		OPS, MEM));

	/* Malformed stored hashes never verify and never crash. */
	assert_false(crypt_password_verify("", pw));
	assert_false(crypt_password_verify(NULL, pw));
	assert_false(
		crypt_password_verify("$argon2id$v=19$m=8192,t=1,p=1$", pw));
	assert_false(crypt_password_verify(hash, NULL));
	{
		/* No NUL within CRYPT_PWHASH_STRBYTES. */
		char *longhash = repeat("x", 4 * CRYPT_PWHASH_STRBYTES);

		assert_false(crypt_password_verify(longhash, pw));
		assert_true(crypt_password_needs_rehash(longhash, OPS, MEM));
		g_free(longhash);
	}

	/* Parameters libsodium does not accept. */
	assert_int_equal(crypt_password_hash(pw, 0, MEM, hash),
			 IDP_ERR_INVALID);
	assert_string_equal(hash, "");
	assert_int_equal(crypt_password_hash(pw, OPS, 1024, hash),
			 IDP_ERR_INVALID);
	assert_string_equal(hash, "");
	crypt_password_free(pw);
}

/* Both spellings of "é" verify against a hash of either, after NFC. */
static void
test_nfc_verifies_both_ways(void **state)
{
	char hash[CRYPT_PWHASH_STRBYTES];
	char *decomposed = nfc("ge\xcc\x81heimes Wort");
	char *composed = nfc("g\xc3\xa9heimes Wort");

	(void)state;
	assert_int_equal(crypt_password_hash(decomposed, OPS, MEM, hash), 0);
	assert_true(crypt_password_verify(hash, composed));
	assert_true(crypt_password_verify(hash, decomposed));
	/* Without normalization the two would differ. */
	assert_false(crypt_password_verify(hash, "ge\xcc\x81heimes Wort"));
	crypt_password_free(decomposed);
	crypt_password_free(composed);
}

static void
test_long_passwords_not_truncated(void **state)
{
	char hash[CRYPT_PWHASH_STRBYTES];
	char *a, *b, *pw;

	(void)state;
	/* 1024 characters of two bytes each (2048 bytes). */
	a = repeat("\xc3\xa4", 1024);
	b = g_strdup(a);
	b[2046] = '\xc3';
	b[2047] = '\xb6'; /* the last "ä" becomes "ö" */
	pw = nfc(a);
	assert_int_equal(g_utf8_strlen(pw, -1), 1024);
	assert_int_equal(crypt_password_check(pw, NULL, NULL, NULL),
			 CRYPT_PW_OK);
	assert_int_equal(crypt_password_hash(pw, OPS, MEM, hash), 0);
	assert_true(crypt_password_verify(hash, pw));
	/* Only the last of 1024 characters differs: still no match. */
	assert_false(crypt_password_verify(hash, b));
	crypt_password_free(pw);
	g_free(a);
	g_free(b);

	/* 1025 characters: normalizes (within 4096 bytes), too long. */
	a = repeat("a", 1025);
	pw = nfc(a);
	assert_int_equal(crypt_password_check(pw, NULL, NULL, NULL),
			 CRYPT_PW_TOO_LONG);
	crypt_password_free(pw);
	g_free(a);
	a = repeat("a", 1024);
	pw = nfc(a);
	assert_int_equal(crypt_password_check(pw, NULL, NULL, NULL),
			 CRYPT_PW_OK);
	crypt_password_free(pw);
	g_free(a);
}

static void
test_check_length(void **state)
{
	char *pw;

	(void)state;
	assert_int_equal(crypt_password_check("", NULL, NULL, NULL),
			 CRYPT_PW_TOO_SHORT);
	assert_int_equal(crypt_password_check(NULL, NULL, NULL, NULL),
			 CRYPT_PW_TOO_SHORT);
	assert_int_equal(crypt_password_check("zq8#vT2", NULL, NULL, NULL),
			 CRYPT_PW_TOO_SHORT);
	assert_int_equal(crypt_password_check("zq8#vT2!", NULL, NULL, NULL),
			 CRYPT_PW_OK);
	/*
	 * Characters, not bytes: seven "é" are 14 bytes but 7 characters,
	 * and eight decomposed ones (24 bytes) are 8 after NFC.
	 */
	assert_int_equal(crypt_password_check("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
					      "\xc3\xa9\xc3\xa9\xc3\xa9",
					      NULL, NULL, NULL),
			 CRYPT_PW_TOO_SHORT);
	pw = repeat("e\xcc\x81", 8);
	{
		char *n = nfc(pw);

		assert_int_equal(g_utf8_strlen(n, -1), 8);
		assert_int_equal(crypt_password_check(n, NULL, NULL, NULL),
				 CRYPT_PW_OK);
		crypt_password_free(n);
	}
	g_free(pw);
	/* Over the byte bound, whatever it holds. */
	pw = repeat("a", 5000);
	assert_int_equal(crypt_password_check(pw, NULL, NULL, NULL),
			 CRYPT_PW_TOO_LONG);
	g_free(pw);
	/* Invalid UTF-8 breaks the contract and is refused, not accepted. */
	assert_int_equal(crypt_password_check("abcdefgh\xff", NULL, NULL, NULL),
			 CRYPT_PW_TOO_LONG);
}

static void
test_check_common(void **state)
{
	/* Each verified to be in data/common-passwords.txt. */
	static const char *const common[] = {
		"password",  "PASSWORD",   "Passwort",	 "123456789",
		"12345678",  "qwertyuiop", "QwErTyUiOp", "iloveyou",
		"password1", "football",   "sunshine",	 "baseball",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		if (crypt_password_check(common[i], NULL, NULL, NULL) !=
		    CRYPT_PW_COMMON)
			fail_msg("'%s' not refused as common", common[i]);
	/* Near misses are not on the list. */
	assert_int_equal(crypt_password_check("password1!x", NULL, NULL, NULL),
			 CRYPT_PW_OK);
	assert_int_equal(crypt_password_check("qwertzuiop-7", NULL, NULL, NULL),
			 CRYPT_PW_OK);
	/* Short common ones fail on length first. */
	assert_int_equal(crypt_password_check("123456", NULL, NULL, NULL),
			 CRYPT_PW_TOO_SHORT);
	assert_string_equal(crypt_pw_problem_name(CRYPT_PW_COMMON), "common");
}

static void
test_check_personal(void **state)
{
	const char *email = "Max.Mustermann@Example.org";

	(void)state;
	assert_int_equal(crypt_password_check("max.mustermann@example.org",
					      email, "Maximilian",
					      "Mustermann"),
			 CRYPT_PW_PERSONAL);
	assert_int_equal(
		crypt_password_check("MAX.MUSTERMANN", email, NULL, NULL),
		CRYPT_PW_PERSONAL);
	assert_int_equal(
		crypt_password_check("maximilian", NULL, "Maximilian", NULL),
		CRYPT_PW_PERSONAL);
	assert_int_equal(
		crypt_password_check("MUSTERMANN", NULL, NULL, "Mustermann"),
		CRYPT_PW_PERSONAL);
	assert_int_equal(crypt_password_check("maximilianmustermann", NULL,
					      "Maximilian", "Mustermann"),
			 CRYPT_PW_PERSONAL);
	assert_int_equal(crypt_password_check("Maximilian Mustermann", NULL,
					      "Maximilian", "Mustermann"),
			 CRYPT_PW_PERSONAL);
	/* Full case folding: "ß" folds to "ss", "Ü" to "ü". */
	assert_int_equal(crypt_password_check("J\xc3\x9cRGENGROSS", NULL,
					      "J\xc3\xbcrgen", "Gro\xc3\x9f"),
			 CRYPT_PW_PERSONAL);
	/* Containing the name is allowed; only equality is refused. */
	assert_int_equal(crypt_password_check("Mustermann2024!", email,
					      "Maximilian", "Mustermann"),
			 CRYPT_PW_OK);
	/* Everything NULL or empty: nothing to compare. */
	assert_int_equal(crypt_password_check("maximilian", NULL, NULL, NULL),
			 CRYPT_PW_OK);
	assert_int_equal(crypt_password_check("maximilian", "", "", ""),
			 CRYPT_PW_OK);
	/* Invalid UTF-8 in personal data is skipped, not a crash. */
	assert_int_equal(crypt_password_check("maximilian", "\xff@x", "\xc0",
					      "\xed\xa0\x80"),
			 CRYPT_PW_OK);
	/* An address without '@' is compared whole. */
	assert_int_equal(crypt_password_check("maxmustermann", "maxmustermann",
					      NULL, NULL),
			 CRYPT_PW_PERSONAL);
	assert_string_equal(crypt_pw_problem_name(CRYPT_PW_PERSONAL),
			    "personal");
}

/* The embedded list is the file, folded, NFC, sorted, unique. */
static void
test_common_list(void **state)
{
	char *text = NULL, **lines;
	size_t n = 0;
	GError *err = NULL;

	(void)state;
	assert_true(crypt_common_passwords_count >= 10000);
	for (size_t i = 0; i < crypt_common_passwords_count; i++) {
		const char *e = crypt_common_passwords[i];
		char *cf = g_utf8_casefold(e, -1);
		char *f = g_utf8_normalize(cf, -1, G_NORMALIZE_NFC);

		if (strcmp(f, e) != 0)
			fail_msg("entry %zu '%s' is not folded NFC", i, e);
		g_free(cf);
		g_free(f);
		if (i > 0 && strcmp(crypt_common_passwords[i - 1], e) >= 0)
			fail_msg("entry %zu '%s' out of order", i, e);
	}
	assert_true(g_file_get_contents(
		SOURCE_ROOT "/data/common-passwords.txt", &text, NULL, &err));
	lines = g_strsplit(text, "\n", -1);
	while (lines[n] != NULL && lines[n][0] != '\0')
		n++;
	assert_int_equal(n, crypt_common_passwords_count);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(lines[i], crypt_common_passwords[i]);
	g_strfreev(lines);
	g_free(text);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_dummy(void **state)
{
	char hash[CRYPT_PWHASH_STRBYTES];
	double t0, t_dummy, t_real;
	char *pw = nfc("some password 123");

	(void)state;
	/* Before init: a bug, logged, and still work done; no crash. */
	crypt_password_dummy_verify(pw);
	crypt_password_dummy_verify(NULL);

	assert_int_equal(crypt_password_dummy_init(OPS, MEM), 0);
	assert_int_equal(crypt_password_hash(pw, OPS, MEM, hash), 0);
	t0 = now_s();
	crypt_password_dummy_verify(pw);
	t_dummy = now_s() - t0;
	t0 = now_s();
	assert_false(crypt_password_verify(hash, "wrong password 123"));
	t_real = now_s() - t0;
	/* Reported, not asserted: timing on a shared machine is noisy. */
	printf("# dummy verify %.1f ms, real verify %.1f ms\n", t_dummy * 1e3,
	       t_real * 1e3);
	crypt_password_dummy_verify("");
	assert_int_equal(crypt_password_dummy_init(0, MEM), IDP_ERR_INVALID);
	crypt_password_free(pw);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize_nfc),
		cmocka_unit_test(test_normalize_refuses),
		cmocka_unit_test(test_normalize_size_limit),
		cmocka_unit_test(test_hash_verify_rehash),
		cmocka_unit_test(test_nfc_verifies_both_ways),
		cmocka_unit_test(test_long_passwords_not_truncated),
		cmocka_unit_test(test_check_length),
		cmocka_unit_test(test_check_common),
		cmocka_unit_test(test_check_personal),
		cmocka_unit_test(test_common_list),
		cmocka_unit_test(test_dummy),
	};

	if (crypt_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
