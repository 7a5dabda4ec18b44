/*
 * idp/crypto without passwords: tokens (format, strict parsing, hashing),
 * constant-time comparison, hex, keyed hash and SHA-256 against known
 * vectors (computed independently with Python's hashlib and base64).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "idp/crypto/crypt.h"

static const char urlsafe[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void
hex_of(const uint8_t *b, size_t n, char *out)
{
	crypt_hex(b, n, out, 2 * n + 1);
}

static void
test_init(void **state)
{
	(void)state;
	assert_int_equal(crypt_init(), 0);
	assert_int_equal(crypt_init(), 0); /* again: harmless */
}

static void
test_token_round_trip(void **state)
{
	uint8_t t[CRYPT_TOKEN_BYTES], back[CRYPT_TOKEN_BYTES];
	char text[CRYPT_TOKEN_TEXT_LEN + 1], first[CRYPT_TOKEN_TEXT_LEN + 1];

	(void)state;
	/* Enough tokens to meet every value of the last character. */
	for (int i = 0; i < 2000; i++) {
		crypt_token_new(t);
		crypt_token_format(t, text);
		assert_int_equal(strlen(text), CRYPT_TOKEN_TEXT_LEN);
		assert_int_equal(strspn(text, urlsafe), CRYPT_TOKEN_TEXT_LEN);
		assert_int_equal(crypt_token_parse(text, back), 0);
		assert_memory_equal(t, back, sizeof(t));
		if (i == 0)
			memcpy(first, text, sizeof(first));
		else
			assert_string_not_equal(first, text);
	}
}

static void
test_token_known(void **state)
{
	uint8_t t[CRYPT_TOKEN_BYTES], back[CRYPT_TOKEN_BYTES];
	char text[CRYPT_TOKEN_TEXT_LEN + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(t); i++)
		t[i] = (uint8_t)i;
	crypt_token_format(t, text);
	assert_string_equal(text,
			    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
	memset(t, 0, sizeof(t));
	crypt_token_format(t, text);
	assert_string_equal(text,
			    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	/* All ones: 42 x 63, then 1111 and two zero bits: 60 = '8'. */
	memset(t, 0xff, sizeof(t));
	crypt_token_format(t, text);
	assert_string_equal(text,
			    "__________________________________________8");
	assert_int_equal(crypt_token_parse(text, back), 0);
	assert_memory_equal(t, back, sizeof(t));
}

/* Parsing @text must fail and leave the output zeroed. */
static void
refused(const char *text)
{
	uint8_t t[CRYPT_TOKEN_BYTES];

	memset(t, 0xaa, sizeof(t));
	if (crypt_token_parse(text, t) != IDP_ERR_INVALID)
		fail_msg("accepted '%s'", text != NULL ? text : "(null)");
	for (size_t i = 0; i < sizeof(t); i++)
		assert_int_equal(t[i], 0);
}

static void
test_token_malformed(void **state)
{
	uint8_t t[CRYPT_TOKEN_BYTES];
	char good[CRYPT_TOKEN_TEXT_LEN + 1], buf[128];
	const char *last;

	(void)state;
	crypt_token_new(t);
	crypt_token_format(t, good);

	refused(NULL);
	refused("");
	/* 42 and 44 characters. */
	(void)snprintf(buf, sizeof(buf), "%.42s", good);
	refused(buf);
	(void)snprintf(buf, sizeof(buf), "%sA", good);
	refused(buf);
	/* Padding, in place of the last character and after it. */
	(void)snprintf(buf, sizeof(buf), "%.42s=", good);
	refused(buf);
	(void)snprintf(buf, sizeof(buf), "%s=", good);
	refused(buf);
	/* The standard alphabet's '+' and '/', white space, non-ASCII. */
	const char *bad_chars[] = {"+", "/", " ", "\n", ".", "\xc3\xa9", "%"};
	for (size_t i = 0; i < sizeof(bad_chars) / sizeof(bad_chars[0]); i++) {
		(void)snprintf(buf, sizeof(buf), "%s", good);
		memcpy(buf + 10, bad_chars[i], strlen(bad_chars[i]));
		if (strlen(bad_chars[i]) > 1)
			buf[CRYPT_TOKEN_TEXT_LEN] = '\0';
		refused(buf);
	}
	/* A trailing newline, as a careless copy and paste brings. */
	(void)snprintf(buf, sizeof(buf), "%s\n", good);
	refused(buf);
	/* A NUL inside: the token is then only 20 characters long. */
	memcpy(buf, good, sizeof(good));
	buf[20] = '\0';
	refused(buf);
	/*
	 * Non-canonical last characters: every character whose two low
	 * bits are not zero decodes to the same 32 bytes as a canonical one
	 * and must be refused.
	 */
	for (last = urlsafe; *last != '\0'; last++) {
		int v = (int)(last - urlsafe);

		(void)snprintf(buf, sizeof(buf), "%.42s%c", good, *last);
		if ((v & 3) == 0)
			assert_int_equal(crypt_token_parse(buf, t), 0);
		else
			refused(buf);
	}
}

static void
test_token_hash(void **state)
{
	uint8_t t[CRYPT_TOKEN_BYTES] = {0}, h[CRYPT_TOKEN_HASH_BYTES],
		h2[CRYPT_TOKEN_HASH_BYTES];
	char hex[2 * CRYPT_TOKEN_HASH_BYTES + 1];

	(void)state;
	/* BLAKE2b-256 of 32 zero bytes. */
	crypt_token_hash(t, h);
	hex_of(h, sizeof(h), hex);
	assert_string_equal(hex, "89eb0d6a8a691dae2cd15ed0369931ce"
				 "0a949ecafa5c3f93f8121833646e15c3");
	/* Stable, and different tokens give different hashes. */
	crypt_token_hash(t, h2);
	assert_memory_equal(h, h2, sizeof(h));
	t[31] = 1;
	crypt_token_hash(t, h2);
	assert_memory_not_equal(h, h2, sizeof(h));
	/* crypt_hash() is the same function on any input. */
	t[31] = 0;
	crypt_hash(t, sizeof(t), h2);
	assert_memory_equal(h, h2, sizeof(h));
}

static void
test_keyed_hash_and_sha256(void **state)
{
	uint8_t key[CRYPT_KEYED_HASH_KEY_BYTES], out[32], out2[32];
	char hex[65];

	(void)state;
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)i;
	crypt_keyed_hash(key, "hello", 5, out);
	hex_of(out, sizeof(out), hex);
	assert_string_equal(hex, "bc2cf927f9ed52cc29116e6a5cfdbdf9"
				 "6a7250f85db66887b13652596bf40d61");
	/* Another key, another pseudonym. */
	key[0] ^= 1;
	crypt_keyed_hash(key, "hello", 5, out2);
	assert_memory_not_equal(out, out2, sizeof(out));

	crypt_sha256("abc", 3, out);
	hex_of(out, sizeof(out), hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
}

static void
test_equal_and_hex(void **state)
{
	uint8_t a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 5};
	char hex[9], small[8];

	(void)state;
	assert_true(crypt_equal(a, a, sizeof(a)));
	assert_false(crypt_equal(a, b, sizeof(a)));
	assert_true(crypt_equal(a, b, 3));
	assert_true(crypt_equal(a, b, 0));

	crypt_hex(a, sizeof(a), hex, sizeof(hex));
	assert_string_equal(hex, "01020304");
	/* Too small for 4 bytes: an empty string, not a crash. */
	memset(small, 'x', sizeof(small));
	crypt_hex(a, sizeof(a), small, sizeof(small));
	assert_string_equal(small, "");

	crypt_wipe(a, sizeof(a));
	assert_int_equal(a[0] | a[1] | a[2] | a[3], 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_token_round_trip),
		cmocka_unit_test(test_token_known),
		cmocka_unit_test(test_token_malformed),
		cmocka_unit_test(test_token_hash),
		cmocka_unit_test(test_keyed_hash_and_sha256),
		cmocka_unit_test(test_equal_and_hex),
	};

	if (crypt_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
