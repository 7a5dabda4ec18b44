/*
 * keys/ without a database: the master key file (creation, mode, refusal
 * to overwrite, hostile files), sealing (round trip, tampering, wrong
 * master key, bounds), key generation for each size with the certificate
 * checked by OpenSSL's API and by the openssl command line, the subject
 * name, certificate and key-pair checks on hostile input, and the [keys]
 * configuration group.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "idp/cfg/cfg.h"
#include "idp/crypto/crypt.h"
#include "keys/keys.h"

static char *dir;
static unsigned n_files;

/* A new path in the test directory (nothing created). g_free() it. */
static char *
path_new(void)
{
	return g_strdup_printf("%s/f%u", dir, n_files++);
}

/* A file with @len bytes of @fill and mode @mode. g_free() the path. */
static char *
file_new(size_t len, int fill, mode_t mode)
{
	char *p = path_new();
	char *data = g_malloc(len + 1);

	memset(data, fill, len);
	assert_true(g_file_set_contents(p, data, (gssize)len, NULL));
	assert_int_equal(chmod(p, mode), 0);
	g_free(data);
	return p;
}

static void
expect_load_fails(const char *path, int rc, const char *want)
{
	uint8_t mk[KEYS_MASTER_KEY_BYTES];
	char err[KEYS_ERR_MAX] = "";

	memset(mk, 0xaa, sizeof(mk));
	assert_int_equal(keys_master_load(path, mk, err, sizeof(err)), rc);
	if (strstr(err, want) == NULL)
		fail_msg("want '%s' in: %s", want, err);
	assert_null(strchr(err, '\n'));
	/* Nothing half-read stays behind. */
	for (size_t i = 0; i < sizeof(mk); i++)
		assert_int_equal(mk[i], 0);
}

/* --- the master key file --- */

static void
test_master_init(void **state)
{
	uint8_t a[KEYS_MASTER_KEY_BYTES], b[KEYS_MASTER_KEY_BYTES];
	uint8_t zero[KEYS_MASTER_KEY_BYTES] = {0};
	char err[KEYS_ERR_MAX] = "", *p = path_new(), *q = path_new();
	char *before, *after, *target, *link;
	gsize n1, n2;
	struct stat st;
	mode_t old;

	(void)state;
	/* A permissive umask must not make the key readable to others. */
	old = umask(0);
	assert_int_equal(keys_master_init(p, err, sizeof(err)), 0);
	umask(old);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, KEYS_MASTER_KEY_BYTES);
	assert_int_equal(keys_master_load(p, a, err, sizeof(err)), 0);
	assert_memory_not_equal(a, zero, sizeof(a));

	/* A second init refuses and leaves the key as it was. */
	assert_true(g_file_get_contents(p, &before, &n1, NULL));
	assert_int_equal(keys_master_init(p, err, sizeof(err)),
			 IDP_ERR_INVALID);
	assert_non_null(strstr(err, "refusing to overwrite"));
	assert_true(g_file_get_contents(p, &after, &n2, NULL));
	assert_int_equal(n1, n2);
	assert_memory_equal(before, after, n1);
	g_free(before);
	g_free(after);

	/* Two keys differ. */
	old = umask(077);
	assert_int_equal(keys_master_init(q, err, sizeof(err)), 0);
	umask(old);
	assert_int_equal(keys_master_load(q, b, err, sizeof(err)), 0);
	assert_memory_not_equal(a, b, sizeof(a));

	/* Not through a symbolic link planted where the key should go. */
	target = path_new();
	link = path_new();
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(keys_master_init(link, err, sizeof(err)),
			 IDP_ERR_INVALID);
	assert_int_equal(access(target, F_OK), -1);

	/* A directory that does not exist: a clear error, nothing left. */
	g_free(target);
	target = g_strdup_printf("%s/no/such/dir/master.key", dir);
	assert_int_equal(keys_master_init(target, err, sizeof(err)),
			 IDP_ERR_IO);
	assert_non_null(strstr(err, "cannot create"));
	assert_non_null(strstr(err, "No such file or directory"));

	crypt_wipe(a, sizeof(a));
	crypt_wipe(b, sizeof(b));
	g_free(target);
	g_free(link);
	g_free(p);
	g_free(q);
}

static void
test_master_hostile(void **state)
{
	char *p, *missing = path_new(), *fifo = path_new();

	(void)state;
	p = file_new(31, 'k', 0600);
	expect_load_fails(p, IDP_ERR_INVALID,
			  "holds 31 bytes; a master key "
			  "is exactly 32 bytes");
	g_free(p);
	p = file_new(33, 'k', 0600);
	expect_load_fails(p, IDP_ERR_INVALID, "is larger than 32 bytes");
	g_free(p);
	p = file_new(0, 'k', 0600);
	expect_load_fails(p, IDP_ERR_INVALID, "holds 0 bytes");
	g_free(p);
	p = file_new(1 << 20, 'k', 0600);
	expect_load_fails(p, IDP_ERR_INVALID, "is larger than 32 bytes");
	g_free(p);

	/* Right size, wrong mode: refused before it is read. */
	p = file_new(32, 'k', 0644);
	expect_load_fails(p, IDP_ERR_INVALID, "has mode 0644");
	g_free(p);
	p = file_new(32, 'k', 0640);
	expect_load_fails(p, IDP_ERR_INVALID, "group or others");
	g_free(p);
	p = file_new(32, 'k', 0602);
	expect_load_fails(p, IDP_ERR_INVALID, "has mode 0602");
	g_free(p);
	p = file_new(32, 'k', 0400);
	{
		uint8_t mk[KEYS_MASTER_KEY_BYTES];

		assert_int_equal(keys_master_load(p, mk, NULL, 0), 0);
		assert_int_equal(mk[0], 'k');
		assert_int_equal(mk[31], 'k');
	}
	g_free(p);

	/* A directory, a FIFO (must not hang), a missing file. */
	expect_load_fails(dir, IDP_ERR_INVALID, "is not a regular file");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	expect_load_fails(fifo, IDP_ERR_INVALID, "is not a regular file");
	expect_load_fails(missing, IDP_ERR_IO,
			  "create it with 'idpctl keys init'");
	g_free(missing);
	g_free(fifo);
}

/* --- sealing --- */

static void
master_new(uint8_t mk[KEYS_MASTER_KEY_BYTES])
{
	crypt_random(mk, KEYS_MASTER_KEY_BYTES);
}

static void
test_seal_round_trip(void **state)
{
	static const size_t sizes[] = {1, 2, 100, 1704, 3272, KEYS_PEM_MAX};
	uint8_t mk[KEYS_MASTER_KEY_BYTES];
	uint8_t *plain = g_malloc(KEYS_PEM_MAX);

	(void)state;
	master_new(mk);
	crypt_random(plain, KEYS_PEM_MAX);
	for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
		uint8_t *s1 = NULL, *s2 = NULL;
		size_t l1, l2, len;
		char *back = NULL;

		assert_int_equal(keys_seal(mk, plain, sizes[i], &s1, &l1), 0);
		assert_int_equal(l1, sizes[i] + KEYS_SEAL_OVERHEAD);
		/* A fresh nonce each time: equal inputs, different seals. */
		assert_int_equal(keys_seal(mk, plain, sizes[i], &s2, &l2), 0);
		assert_int_equal(l1, l2);
		assert_memory_not_equal(s1, s2, KEYS_SEAL_NONCE_BYTES);
		assert_memory_not_equal(s1 + KEYS_SEAL_NONCE_BYTES,
					s2 + KEYS_SEAL_NONCE_BYTES,
					l1 - KEYS_SEAL_NONCE_BYTES);
		/* The plaintext does not appear in the seal. */
		if (sizes[i] >= 16)
			assert_null(memmem(s1, l1, plain, 16));
		assert_int_equal(keys_open(mk, s1, l1, &back, &len), 0);
		assert_int_equal(len, sizes[i]);
		assert_memory_equal(back, plain, len);
		assert_int_equal(back[len], '\0');
		keys_secret_free(back);
		free(s1);
		free(s2);
	}
	g_free(plain);
	crypt_wipe(mk, sizeof(mk));
}

static void
expect_open_fails(const uint8_t *mk, const uint8_t *sealed, size_t len)
{
	char *plain = (char *)(uintptr_t)1;
	size_t n = 99;

	assert_int_equal(keys_open(mk, sealed, len, &plain, &n),
			 IDP_ERR_INVALID);
	assert_null(plain);
	assert_int_equal(n, 0);
}

static void
test_seal_tamper(void **state)
{
	static const char text[] = "-----BEGIN PRIVATE KEY-----\nMIIE...\n"
				   "-----END PRIVATE KEY-----\n";
	uint8_t mk[KEYS_MASTER_KEY_BYTES], other[KEYS_MASTER_KEY_BYTES];
	uint8_t *sealed = NULL, *copy, *big;
	size_t len;

	(void)state;
	master_new(mk);
	master_new(other);
	assert_int_equal(keys_seal(mk, text, strlen(text), &sealed, &len), 0);
	copy = g_malloc(len + 1);

	/* One flipped bit anywhere: nonce, tag or ciphertext. */
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			memcpy(copy, sealed, len);
			copy[i] ^= (uint8_t)(1u << bit);
			expect_open_fails(mk, copy, len);
		}
	}
	/* Cut short at every length, and one byte longer. */
	for (size_t cut = 0; cut < len; cut++)
		expect_open_fails(mk, sealed, cut);
	memcpy(copy, sealed, len);
	copy[len] = 0;
	expect_open_fails(mk, copy, len + 1);
	expect_open_fails(mk, NULL, 0);

	/* The wrong master key: refused, never garbage. */
	expect_open_fails(other, sealed, len);

	/* Bounds: an oversized blob is refused before it is touched. */
	big = g_malloc0(KEYS_PEM_MAX + KEYS_SEAL_OVERHEAD + 1);
	expect_open_fails(mk, big, KEYS_PEM_MAX + KEYS_SEAL_OVERHEAD + 1);
	{
		uint8_t *s = (uint8_t *)(uintptr_t)1;
		size_t n = 5;

		assert_int_equal(keys_seal(mk, big, 0, &s, &n),
				 IDP_ERR_INVALID);
		assert_null(s);
		assert_int_equal(keys_seal(mk, big, KEYS_PEM_MAX + 1, &s, &n),
				 IDP_ERR_TOO_LARGE);
		assert_null(s);
		assert_int_equal(n, 0);
	}
	keys_secret_free(NULL);
	g_free(big);
	g_free(copy);
	free(sealed);
}

/* --- generation --- */

static X509 *
cert_of(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);

	BIO_free(b);
	assert_non_null(x);
	return x;
}

static EVP_PKEY *
key_of(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);

	BIO_free(b);
	assert_non_null(k);
	return k;
}

/* The certificate's subject or issuer CN. */
static void
expect_cn(const X509_NAME *name, const char *want)
{
	char cn[128] = "";

	assert_int_equal(X509_NAME_entry_count(name), 1);
	assert_true(X509_NAME_get_text_by_NID(name, NID_commonName, cn,
					      sizeof(cn)) > 0);
	assert_string_equal(cn, want);
}

/* Everything a generated key promises, checked with OpenSSL directly. */
static void
check_material(const struct keys_material *m, unsigned bits, unsigned days,
	       const char *cn)
{
	X509 *x = cert_of(m->cert_pem);
	EVP_PKEY *k = key_of(m->key_pem);
	const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
	BIGNUM *sn = ASN1_INTEGER_to_BN(serial, NULL);
	unsigned char md[32];
	unsigned int mdlen = 0;
	char fp[KEYS_FINGERPRINT_LEN + 1], err[KEYS_ERR_MAX];
	BASIC_CONSTRAINTS *bc;
	ASN1_BIT_STRING *ku;
	int crit = -1;
	int64_t now = (int64_t)time(NULL);

	assert_int_equal(m->bits, bits);
	assert_int_equal(m->key_pem_len, strlen(m->key_pem));
	assert_true(
		g_str_has_prefix(m->key_pem, "-----BEGIN PRIVATE KEY-----\n"));
	assert_true(
		g_str_has_prefix(m->cert_pem, "-----BEGIN CERTIFICATE-----\n"));
	assert_int_equal(EVP_PKEY_get_base_id(k), EVP_PKEY_RSA);
	assert_int_equal(EVP_PKEY_get_bits(k), (int)bits);
	assert_int_equal(X509_get_version(x), X509_VERSION_3);

	/* Self-signed with SHA-256, and the key is the certificate's. */
	assert_int_equal(X509_verify(x, k), 1);
	assert_int_equal(X509_check_private_key(x, k), 1);
	assert_int_equal(X509_get_signature_nid(x),
			 NID_sha256WithRSAEncryption);
	expect_cn(X509_get_subject_name(x), cn);
	expect_cn(X509_get_issuer_name(x), cn);

	/* Validity as configured, from now. */
	assert_int_equal(m->not_after - m->not_before, (int64_t)days * 86400);
	assert_true(m->not_before >= now - 120 && m->not_before <= now + 5);

	/* Serial: positive, random, at most 20 bytes. */
	assert_non_null(sn);
	assert_false(BN_is_negative(sn));
	assert_false(BN_is_zero(sn));
	assert_true(BN_num_bytes(sn) <= 20);
	assert_true(BN_num_bits(sn) > 64);
	BN_free(sn);

	/* Not a CA; signing only; both critical. */
	bc = X509_get_ext_d2i(x, NID_basic_constraints, &crit, NULL);
	assert_non_null(bc);
	assert_int_equal(bc->ca, 0);
	assert_int_equal(crit, 1);
	BASIC_CONSTRAINTS_free(bc);
	ku = X509_get_ext_d2i(x, NID_key_usage, &crit, NULL);
	assert_non_null(ku);
	assert_int_equal(crit, 1);
	assert_true(ASN1_BIT_STRING_get_bit(ku, 0));  /* digitalSignature */
	assert_false(ASN1_BIT_STRING_get_bit(ku, 5)); /* keyCertSign */
	ASN1_BIT_STRING_free(ku);

	/* The fingerprint is SHA-256 over the DER certificate. */
	assert_int_equal(X509_digest(x, EVP_sha256(), md, &mdlen), 1);
	assert_int_equal(mdlen, 32);
	for (unsigned i = 0; i < 32; i++)
		(void)snprintf(fp + 3 * i, 4,
			       i == 31 ? "%02X" : "%02X:", md[i]);
	assert_string_equal(m->fingerprint, fp);
	assert_int_equal(strlen(m->fingerprint), KEYS_FINGERPRINT_LEN);

	assert_int_equal(keys_pair_check(m->key_pem, m->key_pem_len,
					 m->cert_pem, err, sizeof(err)),
			 0);
	EVP_PKEY_free(k);
	X509_free(x);
}

static void
test_generate_each_size(void **state)
{
	static const unsigned bits[] = {2048, 3072, 4096};
	struct keys_material m[3];
	char err[KEYS_ERR_MAX] = "";

	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(bits); i++) {
		if (keys_generate(KEYS_PURPOSE_SAML, bits[i], 30 + (unsigned)i,
				  "idp.example.org", &m[i], err,
				  sizeof(err)) != 0)
			fail_msg("%u bits: %s", bits[i], err);
		check_material(&m[i], bits[i], 30 + (unsigned)i,
			       "idp.example.org");
	}
	/* Distinct keys and serials; a key does not fit another's cert. */
	assert_string_not_equal(m[0].fingerprint, m[1].fingerprint);
	assert_int_equal(keys_pair_check(m[0].key_pem, m[0].key_pem_len,
					 m[1].cert_pem, err, sizeof(err)),
			 IDP_ERR_INVALID);
	assert_non_null(strstr(err, "does not belong"));
	for (size_t i = 0; i < G_N_ELEMENTS(m); i++) {
		keys_material_clear(&m[i]);
		assert_null(m[i].key_pem);
		assert_null(m[i].cert_pem);
	}
	keys_material_clear(NULL);
}

static void
test_generate_unicode_and_limits(void **state)
{
	struct keys_material m;
	char err[KEYS_ERR_MAX], cn64[65];

	(void)state;
	memset(cn64, 'a', 64);
	cn64[64] = '\0';
	assert_int_equal(keys_generate(KEYS_PURPOSE_SAML, 2048, 3650, cn64, &m,
				       err, sizeof(err)),
			 0);
	check_material(&m, 2048, 3650, cn64);
	keys_material_clear(&m);
	assert_int_equal(keys_generate(KEYS_PURPOSE_SAML, 2048, 1,
				       "Bürgerkonto Köln", &m, err,
				       sizeof(err)),
			 0);
	check_material(&m, 2048, 1, "Bürgerkonto Köln");
	keys_material_clear(&m);
}

static void
expect_generate_refused(unsigned bits, unsigned days, const char *cn,
			const char *want)
{
	struct keys_material m;
	char err[KEYS_ERR_MAX] = "";

	memset(&m, 0x5a, sizeof(m));
	assert_int_equal(keys_generate(KEYS_PURPOSE_SAML, bits, days, cn, &m,
				       err, sizeof(err)),
			 IDP_ERR_INVALID);
	if (strstr(err, want) == NULL)
		fail_msg("want '%s' in: %s", want, err);
	assert_null(m.key_pem);
	assert_null(m.cert_pem);
}

/*
 * keyUsage follows the purpose: the eID service encrypts to an
 * eid-encryption key (key transport) and verifies the other two.
 */
static void
test_generate_key_usage_by_purpose(void **state)
{
	static const struct {
		enum keys_purpose purpose;
		bool sign, encipher;
	} want[] = {
		{KEYS_PURPOSE_SAML, true, false},
		{KEYS_PURPOSE_EID_SIGNING, true, false},
		{KEYS_PURPOSE_EID_ENCRYPTION, false, true},
	};
	char err[KEYS_ERR_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct keys_material m;
		BIO *b;
		X509 *x;
		ASN1_BIT_STRING *ku;
		int crit = -1;

		assert_int_equal(keys_generate(want[i].purpose, 2048, 30,
					       "idp.example.org", &m, err,
					       sizeof(err)),
				 0);
		b = BIO_new_mem_buf(m.cert_pem, -1);
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
		assert_non_null(x);
		ku = X509_get_ext_d2i(x, NID_key_usage, &crit, NULL);
		assert_non_null(ku);
		assert_int_equal(crit, 1);
		/* Bit 0 digitalSignature, bit 2 keyEncipherment. */
		assert_int_equal(ASN1_BIT_STRING_get_bit(ku, 0), want[i].sign);
		assert_int_equal(ASN1_BIT_STRING_get_bit(ku, 2),
				 want[i].encipher);
		assert_false(ASN1_BIT_STRING_get_bit(ku, 5)); /* keyCertSign */
		ASN1_BIT_STRING_free(ku);
		X509_free(x);
		BIO_free(b);
		keys_material_clear(&m);
	}
}

static void
test_generate_refused(void **state)
{
	char cn65[66];

	(void)state;
	memset(cn65, 'a', 65);
	cn65[65] = '\0';
	expect_generate_refused(1024, 30, "x", "only 2048, 3072 and 4096");
	expect_generate_refused(0, 30, "x", "only 2048");
	expect_generate_refused(2047, 30, "x", "only 2048");
	expect_generate_refused(8192, 30, "x", "only 2048");
	expect_generate_refused(3072, 0, "x", "must be 1..3650");
	expect_generate_refused(3072, 3651, "x", "must be 1..3650");
	expect_generate_refused(3072, 30, "", "subject");
	expect_generate_refused(3072, 30, NULL, "subject");
	expect_generate_refused(3072, 30, cn65, "subject");
	expect_generate_refused(3072, 30, "a\nb", "subject");
	expect_generate_refused(3072, 30, "\xff\xfe", "subject");
	assert_false(keys_bits_valid(1024));
	assert_true(keys_bits_valid(3072));
}

/* Run a command; its stdout, g_free() it. */
static char *
command_out(const char *const *argv)
{
	char *out = NULL, *errs = NULL;
	GError *e = NULL;
	int status = -1;

	if (!g_spawn_sync(NULL, (char **)(uintptr_t)argv, NULL,
			  G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &errs, &status,
			  &e))
		fail_msg("%s: %s", argv[0], e->message);
	if (!g_spawn_check_wait_status(status, NULL))
		fail_msg("%s failed: %s", argv[0], errs);
	g_free(errs);
	return out != NULL ? out : g_strdup("");
}

static void
expect_in(const char *text, const char *want)
{
	assert_non_null(text);
	if (strstr(text, want) == NULL)
		fail_msg("'%s' not in:\n%s", want, text);
}

/* The openssl command line reads what we wrote the same way. */
static void
test_openssl_command_line(void **state)
{
	struct keys_material m;
	char err[KEYS_ERR_MAX], *cert = path_new(), *key = path_new(), *out;
	char want[160];
	const char *text[] = {"openssl", "x509", "-noout", "-text",
			      "-in",	 cert,	 NULL};
	const char *fp[] = {"openssl", "x509", "-noout", "-fingerprint",
			    "-sha256", "-in",  cert,	 NULL};
	const char *check[] = {"openssl", "pkey", "-noout", "-check",
			       "-in",	  key,	  NULL};
	const char *end[] = {"openssl", "x509", "-noout", "-checkend",
			     "2419200", "-in",	cert,	  NULL};

	(void)state;
	assert_int_equal(keys_generate(KEYS_PURPOSE_SAML, 3072, 40,
				       "idp.example.org", &m, err, sizeof(err)),
			 0);
	assert_true(g_file_set_contents(cert, m.cert_pem, -1, NULL));
	assert_true(g_file_set_contents(key, m.key_pem, -1, NULL));
	assert_int_equal(chmod(key, 0600), 0);

	out = command_out(text);
	expect_in(out, "Version: 3 (0x2)");
	expect_in(out, "Signature Algorithm: sha256WithRSAEncryption");
	expect_in(out, "Issuer: CN = idp.example.org");
	expect_in(out, "Subject: CN = idp.example.org");
	expect_in(out, "Public Key Algorithm: rsaEncryption");
	expect_in(out, "Public-Key: (3072 bit)");
	expect_in(out, "X509v3 Basic Constraints: critical\n"
		       "                CA:FALSE");
	expect_in(out, "X509v3 Key Usage: critical\n"
		       "                Digital Signature\n");
	expect_in(out, "X509v3 Subject Key Identifier");
	g_free(out);

	out = command_out(fp);
	(void)snprintf(want, sizeof(want), "sha256 Fingerprint=%s\n",
		       m.fingerprint);
	assert_string_equal(out, want);
	g_free(out);

	out = command_out(check);
	expect_in(out, "Key is valid");
	g_free(out);
	/* Valid for 40 days: still valid in 28. */
	out = command_out(end);
	expect_in(out, "Certificate will not expire");
	g_free(out);

	(void)unlink(key);
	keys_material_clear(&m);
	g_free(cert);
	g_free(key);
}

/* --- certificates and pairs on hostile input --- */

static void
test_cert_and_pair_hostile(void **state)
{
	struct keys_material m, info;
	char err[KEYS_ERR_MAX], *big, *s;
	BIO *b;
	EVP_PKEY *k;
	char *data = NULL;
	long n;

	(void)state;
	assert_int_equal(keys_generate(KEYS_PURPOSE_SAML, 2048, 5, "x", &m, err,
				       sizeof(err)),
			 0);
	memset(&info, 0, sizeof(info));
	assert_int_equal(keys_cert_inspect(m.cert_pem, &info, err, sizeof(err)),
			 0);
	assert_string_equal(info.fingerprint, m.fingerprint);
	assert_int_equal(info.bits, 2048);

	assert_int_equal(keys_cert_inspect("", &info, err, sizeof(err)),
			 IDP_ERR_INVALID);
	assert_int_equal(keys_cert_inspect("garbage", &info, err, sizeof(err)),
			 IDP_ERR_INVALID);
	/* Text before the header is not skipped over. */
	s = g_strconcat("junk\n", m.cert_pem, NULL);
	assert_int_equal(keys_cert_inspect(s, &info, err, sizeof(err)),
			 IDP_ERR_INVALID);
	g_free(s);
	/* Cut in the middle. */
	s = g_strndup(m.cert_pem, strlen(m.cert_pem) / 2);
	assert_int_equal(keys_cert_inspect(s, &info, err, sizeof(err)),
			 IDP_ERR_INVALID);
	g_free(s);
	/* Over the bound: refused by length. */
	big = g_malloc(KEYS_PEM_MAX + 2);
	memset(big, 'A', KEYS_PEM_MAX + 1);
	memcpy(big, "-----BEGIN CERTIFICATE-----\n", 28);
	big[KEYS_PEM_MAX + 1] = '\0';
	assert_int_equal(keys_cert_inspect(big, &info, err, sizeof(err)),
			 IDP_ERR_INVALID);
	g_free(big);

	/* A private key that does not parse, or is empty. */
	assert_int_equal(
		keys_pair_check("nonsense", 8, m.cert_pem, err, sizeof(err)),
		IDP_ERR_INVALID);
	assert_non_null(strstr(err, "does not parse"));
	assert_int_equal(keys_pair_check("", 0, m.cert_pem, err, sizeof(err)),
			 IDP_ERR_INVALID);
	/* An encrypted key is refused without asking for a password. */
	k = key_of(m.key_pem);
	b = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PrivateKey(b, k, EVP_aes_256_cbc(), NULL,
						  0, NULL,
						  (void *)(uintptr_t) "pw"),
			 1);
	n = BIO_get_mem_data(b, &data);
	assert_true(n > 0);
	assert_int_equal(
		keys_pair_check(data, (size_t)n, m.cert_pem, err, sizeof(err)),
		IDP_ERR_INVALID);
	BIO_free(b);
	EVP_PKEY_free(k);
	keys_material_clear(&m);
}

/* --- the subject name and the [keys] group --- */

static struct cfg *
cfg_with(const char *url, const char *subject)
{
	struct cfg *cfg = NULL;
	char err[512];

	g_setenv("IDP_SERVER_PUBLIC_URL", url, TRUE);
	g_setenv("IDP_KEYS_CERTIFICATE_SUBJECT", subject, TRUE);
	if (cfg_load(NULL, &cfg, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	g_unsetenv("IDP_SERVER_PUBLIC_URL");
	g_unsetenv("IDP_KEYS_CERTIFICATE_SUBJECT");
	return cfg;
}

static void
expect_cn_of(const char *url, const char *subject, const char *want)
{
	struct cfg *cfg = cfg_with(url, subject);
	char cn[CFG_CERT_SUBJECT_MAX + 1], err[KEYS_ERR_MAX];

	assert_int_equal(keys_subject_cn(cfg, cn, err, sizeof(err)), 0);
	assert_string_equal(cn, want);
	cfg_free(cfg);
}

static void
test_subject_cn(void **state)
{
	char long_host[128], url[160], cn[CFG_CERT_SUBJECT_MAX + 1];
	char err[KEYS_ERR_MAX];
	struct cfg *cfg;

	(void)state;
	expect_cn_of("https://idp.example.org", "", "idp.example.org");
	expect_cn_of("https://idp.example.org:8443", "", "idp.example.org");
	expect_cn_of("http://127.0.0.1:8080", "", "127.0.0.1");
	expect_cn_of("http://[::1]:8080", "", "::1");
	expect_cn_of("https://[2001:db8::1]", "", "2001:db8::1");
	expect_cn_of("https://idp.example.org", "Servicekonto Test-Land",
		     "Servicekonto Test-Land");

	/* A host too long for a CN: say which key to set. */
	(void)snprintf(long_host, sizeof(long_host), "%s.%s.example.org",
		       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		       "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	(void)snprintf(url, sizeof(url), "https://%s", long_host);
	cfg = cfg_with(url, "");
	assert_int_equal(keys_subject_cn(cfg, cn, err, sizeof(err)),
			 IDP_ERR_INVALID);
	assert_non_null(strstr(err, "set [keys] certificate_subject"));
	cfg_free(cfg);
}

static void
expect_cfg_fails(const char *var, const char *value, const char *want)
{
	struct cfg *cfg = NULL;
	char err[512] = "";

	g_setenv(var, value, TRUE);
	assert_int_equal(cfg_load(NULL, &cfg, err, sizeof(err)),
			 IDP_ERR_INVALID);
	g_unsetenv(var);
	assert_null(cfg);
	if (strstr(err, want) == NULL)
		fail_msg("want '%s' in: %s", want, err);
}

static void
test_cfg_keys_group(void **state)
{
	struct cfg *cfg = NULL;
	char err[512], *p = path_new(), sub65[66];

	(void)state;
	assert_int_equal(cfg_load(NULL, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg->keys_master_key_file,
			    "/etc/servicekonto/master.key");
	assert_int_equal(cfg->keys_rollover_window_s, 172800);
	assert_int_equal(cfg->keys_certificate_validity_days, 1095);
	assert_string_equal(cfg->keys_certificate_subject, "");
	cfg_free(cfg);

	assert_true(g_file_set_contents(p,
					"[keys]\n"
					"master_key_file = /srv/k/master.key\n"
					"rollover_window = 0\n"
					"certificate_validity = 3650\n"
					"certificate_subject = IdP Test\n",
					-1, NULL));
	assert_int_equal(cfg_load(p, &cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg->keys_master_key_file, "/srv/k/master.key");
	assert_int_equal(cfg->keys_rollover_window_s, 0);
	assert_int_equal(cfg->keys_certificate_validity_days, 3650);
	assert_string_equal(cfg->keys_certificate_subject, "IdP Test");
	cfg_free(cfg);
	g_free(p);

	memset(sub65, 'x', 65);
	sub65[65] = '\0';
	expect_cfg_fails("IDP_KEYS_ROLLOVER_WINDOW", "2592001", "(0..2592000)");
	expect_cfg_fails("IDP_KEYS_ROLLOVER_WINDOW", "-1", "not a number");
	expect_cfg_fails("IDP_KEYS_CERTIFICATE_VALIDITY", "0", "(1..3650)");
	expect_cfg_fails("IDP_KEYS_CERTIFICATE_VALIDITY", "3651", "(1..3650)");
	expect_cfg_fails("IDP_KEYS_CERTIFICATE_SUBJECT", sub65,
			 "at most 64 bytes");
	expect_cfg_fails("IDP_KEYS_MASTER_KEY_FILE", "", "must be 1 to");
	expect_cfg_fails("IDP_KEYS_MASTER_KEYFILE", "x",
			 "no such configuration key");
}

static int
group_setup(void **state)
{
	(void)state;
	if (crypt_init() != 0)
		return -1;
	dir = g_dir_make_tmp("test_keys_XXXXXX", NULL);
	return dir != NULL ? 0 : -1;
}

static int
group_teardown(void **state)
{
	char *cmd;

	(void)state;
	cmd = g_strdup_printf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	g_free(cmd);
	g_free(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_master_init),
		cmocka_unit_test(test_master_hostile),
		cmocka_unit_test(test_seal_round_trip),
		cmocka_unit_test(test_seal_tamper),
		cmocka_unit_test(test_generate_each_size),
		cmocka_unit_test(test_generate_unicode_and_limits),
		cmocka_unit_test(test_generate_key_usage_by_purpose),
		cmocka_unit_test(test_generate_refused),
		cmocka_unit_test(test_openssl_command_line),
		cmocka_unit_test(test_cert_and_pair_hostile),
		cmocka_unit_test(test_subject_cn),
		cmocka_unit_test(test_cfg_keys_group),
	};

	/* Only our variables count: a stray IDP_* must not change cfg. */
	char **env = g_listenv();

	for (char **v = env; *v != NULL; v++)
		if (g_str_has_prefix(*v, "IDP_"))
			g_unsetenv(*v);
	g_strfreev(env);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
