/*
 * saml_sp_metadata_parse() and its helpers, without a database: real
 * metadata from pysaml2 (generated at start) and in mod_auth_mellon's
 * form (tests/saml/data), a boundary test for every limit, and the
 * hostile corpus of saml_test.c -- each refused with its own message,
 * nothing returned, and no connection to the loopback port that its
 * external entities name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>

#include "idp/saml/saml_sp.h"
#include "saml_test.h"

static const char *gen;	     /* generated pysaml2 metadata */
static const char *data_dir; /* tests/saml/data */
static char *mellon_cert;    /* base64 of the mellon file's certificate */
static int trap_fd, trap_port;

static char *
gen_file(const char *name, size_t *len)
{
	char path[512];

	(void)snprintf(path, sizeof(path), "%s/%s", gen, name);
	return file_read(path, len);
}

static int
parse(const char *xml, size_t len, struct saml_sp_meta *m, char *err,
      size_t errlen)
{
	int rc = saml_sp_metadata_parse(xml, len, m, err, errlen);

	if (rc != 0)
		print_message("refused: %s\n", err);
	return rc;
}

static void
test_mellon(void **state)
{
	char path[512], err[SAML_SP_ERR_MAX];
	struct saml_sp_meta m;
	size_t len;
	char *xml;

	(void)state;
	(void)snprintf(path, sizeof(path), "%s/mellon_sp.xml", data_dir);
	xml = file_read(path, &len);
	assert_int_equal(parse(xml, len, &m, err, sizeof(err)), 0);
	assert_string_equal(m.entity_id,
			    "https://portal.example.org/mellon/metadata");
	assert_true(m.authn_requests_signed);
	assert_true(m.want_assertions_signed);
	assert_int_equal(m.valid_until, 0);
	assert_int_equal(m.n_acs, 3);
	assert_int_equal(m.acs[0].binding, SAML_BINDING_HTTP_POST);
	assert_string_equal(m.acs[0].location,
			    "https://portal.example.org/mellon/postResponse");
	assert_int_equal(m.acs[0].index, 0);
	assert_true(m.acs[0].is_default);
	assert_true(m.acs[0].is_default_set);
	assert_int_equal(m.acs[1].binding, SAML_BINDING_HTTP_ARTIFACT);
	assert_int_equal(m.acs[1].index, 1);
	assert_false(m.acs[1].is_default_set);
	assert_int_equal(m.acs[2].binding, SAML_BINDING_PAOS);
	assert_int_equal(m.n_slo, 2);
	assert_int_equal(m.slo[0].binding, SAML_BINDING_SOAP);
	assert_int_equal(m.slo[1].binding, SAML_BINDING_HTTP_REDIRECT);
	assert_int_equal(m.slo[1].index, -1);
	assert_string_equal(m.slo[1].location,
			    "https://portal.example.org/mellon/logout");
	assert_int_equal(m.n_certs, 2);
	assert_int_equal(m.certs[0].use, SAML_KEY_USE_SIGNING);
	assert_int_equal(m.certs[1].use, SAML_KEY_USE_ENCRYPTION);
	assert_string_equal(m.certs[0].key_type, "RSA");
	assert_int_equal(m.certs[0].key_bits, 3072);
	assert_string_equal(m.certs[0].subject, "CN=portal.example.org");
	assert_non_null(strstr(m.certs[0].pem, "-----BEGIN CERTIFICATE-----"));
	assert_int_equal(strlen(m.certs[0].sha256), 64);
	assert_string_equal(m.certs[0].sha256, m.certs[1].sha256);
	assert_true(m.certs[0].not_after > m.certs[0].not_before);
	assert_true(saml_sp_meta_can_verify(&m));
	assert_true(saml_sp_meta_can_encrypt(&m));
	assert_int_equal(strlen(m.sha256), 64);
	saml_sp_meta_clear(&m);
	assert_null(m.entity_id);
	saml_sp_meta_clear(&m); /* twice is fine */
	saml_sp_meta_clear(NULL);
	free(xml);
}

static void
test_pysaml2(void **state)
{
	char err[SAML_SP_ERR_MAX];
	struct saml_sp_meta m;
	size_t len;
	char *xml = gen_file("sp.xml", &len);

	(void)state;
	assert_int_equal(parse(xml, len, &m, err, sizeof(err)), 0);
	assert_string_equal(m.entity_id, "https://pysaml2.example.org/sp");
	assert_true(m.authn_requests_signed);
	assert_true(m.want_assertions_signed);
	assert_int_equal(m.n_acs, 1);
	assert_int_equal(m.acs[0].binding, SAML_BINDING_HTTP_POST);
	assert_string_equal(m.acs[0].location,
			    "https://pysaml2.example.org/sp/acs/post");
	assert_int_equal(m.n_slo, 1);
	assert_int_equal(m.slo[0].binding, SAML_BINDING_HTTP_REDIRECT);
	assert_int_equal(m.n_certs, 2);
	assert_string_equal(m.certs[0].subject, "O=servicekonto tests,CN=sp");
	assert_true(saml_sp_meta_can_encrypt(&m));
	saml_sp_meta_clear(&m);
	free(xml);
}

static void
test_pysaml2_variants(void **state)
{
	char err[SAML_SP_ERR_MAX];
	struct saml_sp_meta m;
	size_t len;
	char *xml;

	(void)state;
	/* A signing key only: no encryption possible. */
	xml = gen_file("sp_signonly.xml", &len);
	assert_int_equal(parse(xml, len, &m, err, sizeof(err)), 0);
	assert_false(m.authn_requests_signed);
	assert_true(saml_sp_meta_can_verify(&m));
	assert_false(saml_sp_meta_can_encrypt(&m));
	saml_sp_meta_clear(&m);
	free(xml);

	/* Plain http to loopback is allowed (tests, the demo). */
	xml = gen_file("sp_local.xml", &len);
	assert_int_equal(parse(xml, len, &m, err, sizeof(err)), 0);
	assert_string_equal(m.entity_id, "http://127.0.0.1/local-sp");
	assert_string_equal(m.acs[0].location, "http://127.0.0.1:8087/acs");
	assert_string_equal(m.slo[0].location, "http://localhost:8087/slo");
	saml_sp_meta_clear(&m);
	free(xml);

	/* validUntil a week ahead: accepted and reported. */
	xml = gen_file("sp_valid.xml", &len);
	assert_int_equal(parse(xml, len, &m, err, sizeof(err)), 0);
	assert_true(m.valid_until > (int64_t)time(NULL) + 6 * 86400);
	assert_true(m.valid_until < (int64_t)time(NULL) + 8 * 86400);
	saml_sp_meta_clear(&m);
	free(xml);

	/* An EntitiesDescriptor holding exactly one entity. */
	xml = gen_file("entities.xml", &len);
	assert_non_null(strstr(xml, "EntitiesDescriptor"));
	assert_int_equal(parse(xml, len, &m, err, sizeof(err)), 0);
	assert_string_equal(m.entity_id, "https://pysaml2.example.org/sp");
	saml_sp_meta_clear(&m);
	free(xml);
}

static void
test_hostile(void **state)
{
	struct hostile *h;
	size_t n;

	(void)state;
	n = hostile_build(&h, mellon_cert, trap_port);
	assert_true(n > 40);
	for (size_t i = 0; i < n; i++) {
		char err[SAML_SP_ERR_MAX] = "untouched";
		struct saml_sp_meta m;
		int rc = saml_sp_metadata_parse(h[i].doc, h[i].len, &m, err,
						sizeof(err));

		if (rc != h[i].rc || strstr(err, h[i].want) == NULL)
			fail_msg("%s: rc %d (want %d), error '%s' (want "
				 "'%s')",
				 h[i].name, rc, h[i].rc, err, h[i].want);
		/* One line, and nothing handed out. */
		assert_null(strchr(err, '\n'));
		assert_null(m.entity_id);
		assert_null(m.acs);
		assert_null(m.certs);
		assert_int_equal(m.n_acs + m.n_slo + m.n_certs, 0);
		if (listener_touched(trap_fd))
			fail_msg("%s: something connected to the loopback "
				 "port of its external entity",
				 h[i].name);
	}
	hostile_free(h, n);
}

/* An XInclude is not processed: parsed, accepted, nothing fetched. */
static void
test_xinclude_ignored(void **state)
{
	char err[SAML_SP_ERR_MAX], ext[512];
	struct saml_sp_meta m;
	char *doc;

	(void)state;
	(void)snprintf(ext, sizeof(ext),
		       "<md:Extensions><xi:include xmlns:xi="
		       "\"http://www.w3.org/2001/XInclude\" href="
		       "\"http://127.0.0.1:%d/x\" parse=\"text\"/>"
		       "</md:Extensions>"
		       "<md:AssertionConsumerService Binding=\"urn:oasis:"
		       "names:tc:SAML:2.0:bindings:HTTP-POST\" Location="
		       "\"https://portal.example.org/acs\" index=\"0\"/>",
		       trap_port);
	doc = meta_doc("https://portal.example.org/sp", "", mellon_cert, ext);
	assert_int_equal(parse(doc, strlen(doc), &m, err, sizeof(err)), 0);
	assert_false(listener_touched(trap_fd));
	saml_sp_meta_clear(&m);
	free(doc);
}

static const char acs[] =
	"<md:AssertionConsumerService Binding=\"urn:oasis:names:tc:SAML:2.0:"
	"bindings:HTTP-POST\" Location=\"https://portal.example.org/acs\" "
	"index=\"0\"/>";

static void
test_limits(void **state)
{
	char err[SAML_SP_ERR_MAX];
	struct saml_sp_meta m;
	char *base, *doc, *inner;
	size_t blen, pad, len;
	const char *end;

	(void)state;
	/* Exactly SAML_SP_METADATA_MAX bytes pass; one more does not. */
	base = meta_doc("https://portal.example.org/sp", "", mellon_cert, acs);
	blen = strlen(base);
	end = strstr(base, "</md:EntityDescriptor>");
	pad = SAML_SP_METADATA_MAX - blen - 7;
	doc = malloc(SAML_SP_METADATA_MAX + 2);
	if (doc == NULL)
		abort();
	len = (size_t)(end - base);
	memcpy(doc, base, len);
	memcpy(doc + len, "<!--", 4);
	memset(doc + len + 4, 'x', pad);
	memcpy(doc + len + 4 + pad, "-->", 3);
	memcpy(doc + len + 7 + pad, end, blen - len);
	assert_int_equal(parse(doc, SAML_SP_METADATA_MAX, &m, err, sizeof(err)),
			 0);
	saml_sp_meta_clear(&m);
	memmove(doc + len + 5, doc + len + 4, SAML_SP_METADATA_MAX - len - 4);
	assert_int_equal(saml_sp_metadata_parse(doc, SAML_SP_METADATA_MAX + 1,
						&m, err, sizeof(err)),
			 IDP_ERR_TOO_LARGE);
	free(doc);
	free(base);

	/*
	 * Depth: EntityDescriptor, SPSSODescriptor and Extensions are 3
	 * levels, so 29 nested elements make 32 (accepted) and 30 make 33.
	 */
	for (int levels = 29; levels <= 30; levels++) {
		GString *g = g_string_new("<md:Extensions>");

		for (int i = 0; i < levels; i++)
			g_string_append(g, "<x>");
		for (int i = 0; i < levels; i++)
			g_string_append(g, "</x>");
		g_string_append_printf(g, "</md:Extensions>%s", acs);
		inner = g_string_free(g, FALSE);
		doc = meta_doc("https://portal.example.org/sp", "", mellon_cert,
			       inner);
		if (levels == 29) {
			assert_int_equal(
				parse(doc, strlen(doc), &m, err, sizeof(err)),
				0);
			saml_sp_meta_clear(&m);
		} else {
			assert_int_equal(
				saml_sp_metadata_parse(doc, strlen(doc), &m,
						       err, sizeof(err)),
				IDP_ERR_INVALID);
			assert_non_null(strstr(err, "deeper than 32"));
		}
		free(doc);
		g_free(inner);
	}

	/* An entity ID of exactly 1024 bytes. */
	{
		char id[1025];

		memcpy(id, "https://", 8);
		memset(id + 8, 'a', sizeof(id) - 9);
		id[1024] = '\0';
		doc = meta_doc(id, "", mellon_cert, acs);
		assert_int_equal(parse(doc, strlen(doc), &m, err, sizeof(err)),
				 0);
		assert_int_equal(strlen(m.entity_id), 1024);
		saml_sp_meta_clear(&m);
		free(doc);
	}
}

/* The generated 1024-bit RSA certificate is refused for its size. */
static void
test_small_key(void **state)
{
	char err[SAML_SP_ERR_MAX];
	struct saml_sp_meta m;
	char *b64 = gen_file("rsa1024.b64", NULL), *doc;

	(void)state;
	doc = meta_doc("https://portal.example.org/sp", "", b64, acs);
	assert_int_equal(
		saml_sp_metadata_parse(doc, strlen(doc), &m, err, sizeof(err)),
		IDP_ERR_INVALID);
	assert_non_null(strstr(err, "RSA key has 1024 bits, fewer than 2048"));
	free(doc);
	free(b64);
}

/* A tiny or absent error buffer is fine. */
static void
test_small_err(void **state)
{
	char err[8];
	struct saml_sp_meta m;

	(void)state;
	assert_int_equal(
		saml_sp_metadata_parse("<x/>", 4, &m, err, sizeof(err)),
		IDP_ERR_INVALID);
	assert_int_equal(strlen(err), 7);
	assert_int_equal(saml_sp_metadata_parse("<x/>", 4, &m, NULL, 0),
			 IDP_ERR_INVALID);
	assert_int_equal(saml_sp_metadata_parse("", 0, &m, NULL, 0),
			 IDP_ERR_INVALID);
}

static void
test_url_verify(void **state)
{
	static const struct {
		const char *url;
		bool ok;
	} cases[] = {
		{"https://portal.example.org/acs", true},
		{"HTTPS://portal.example.org:8443/a?b=c", true},
		{"http://127.0.0.1:8080/acs", true},
		{"http://localhost/acs", true},
		{"http://[::1]:8080/acs", true},
		{"http://portal.example.org/acs", false},
		{"http://127.0.0.2/acs", false},
		{"http://localhost.example.org/acs", false},
		{"ftp://portal.example.org/acs", false},
		{"javascript:alert(1)", false},
		{"//portal.example.org/acs", false},
		{"/acs", false},
		{"", false},
		{"https://portal.example.org/a b", false},
		{"https://portal.example.org/\xc3\xa4", false},
		{"https://user@portal.example.org/", false},
		{"https://portal.example.org/#frag", false},
		{"https:portal.example.org/acs", false},
	};
	char err[SAML_SP_ERR_MAX], big[SAML_SP_URL_MAX + 2];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = saml_sp_url_verify(cases[i].url, "URL", err,
					    sizeof(err));

		if ((rc == 0) != cases[i].ok)
			fail_msg("%s: rc %d (%s)", cases[i].url, rc, err);
	}
	memcpy(big, "https://x/", 10);
	memset(big + 10, 'a', sizeof(big) - 11);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(saml_sp_url_verify(big, "URL", err, sizeof(err)),
			 IDP_ERR_INVALID);
	assert_non_null(strstr(err, "longer than 2048"));
	big[SAML_SP_URL_MAX] = '\0';
	assert_int_equal(saml_sp_url_verify(big, "URL", err, sizeof(err)), 0);
}

static void
test_policy_parse(void **state)
{
	char out[SAML_SP_RELEASE_MAX], err[SAML_SP_ERR_MAX];
	enum saml_attr_profile p;
	enum saml_nameid n;

	(void)state;
	assert_int_equal(saml_sp_release_parse("email , given_name,email", out,
					       err, sizeof(err)),
			 0);
	assert_string_equal(out, "given_name,email");
	assert_int_equal(
		saml_sp_release_parse("address,birth_date,email,family_name,"
				      "given_name",
				      out, err, sizeof(err)),
		0);
	assert_string_equal(out,
			    "given_name,family_name,email,birth_date,address");
	assert_int_equal(saml_sp_release_parse("none", out, err, sizeof(err)),
			 0);
	assert_string_equal(out, "");
	assert_int_equal(saml_sp_release_parse("", out, err, sizeof(err)), 0);
	assert_string_equal(out, "");
	assert_int_equal(
		saml_sp_release_parse("email,password", out, err, sizeof(err)),
		IDP_ERR_INVALID);
	assert_non_null(strstr(err, "unknown attribute 'password'"));
	assert_int_equal(saml_sp_release_parse("email,", out, err, sizeof(err)),
			 IDP_ERR_INVALID);
	assert_int_equal(saml_sp_release_parse("email,,given_name", out, err,
					       sizeof(err)),
			 IDP_ERR_INVALID);
	assert_int_equal(saml_sp_release_parse("Email", out, err, sizeof(err)),
			 IDP_ERR_INVALID);
	assert_int_equal(
		saml_sp_release_parse("email\x1b[2J", out, err, sizeof(err)),
		IDP_ERR_INVALID);
	assert_null(strchr(err, '\x1b'));

	assert_int_equal(saml_attr_profile_parse("eidas", &p), 0);
	assert_int_equal(p, SAML_ATTR_PROFILE_EIDAS);
	assert_string_equal(saml_attr_profile_name(p), "eidas");
	assert_int_equal(saml_attr_profile_parse("oid", &p), 0);
	assert_string_equal(saml_attr_profile_name(p), "oid");
	assert_int_equal(saml_attr_profile_parse("OID", &p), IDP_ERR_INVALID);
	assert_int_equal(saml_nameid_parse("transient", &n), 0);
	assert_string_equal(saml_nameid_name(n), "transient");
	assert_int_equal(saml_nameid_parse("persistent", &n), 0);
	assert_string_equal(saml_nameid_name(n), "persistent");
	assert_int_equal(saml_nameid_parse("email", &n), IDP_ERR_INVALID);
}

static void
test_source(void **state)
{
	char err[SAML_SP_ERR_MAX], path[512];
	char *xml = NULL;
	size_t len;

	(void)state;
	assert_true(saml_sp_source_is_url("https://x.example/md"));
	assert_true(saml_sp_source_is_url("HTTP://127.0.0.1/md"));
	assert_false(saml_sp_source_is_url("/etc/sp.xml"));
	assert_false(saml_sp_source_is_url("https.xml"));

	(void)snprintf(path, sizeof(path), "%s/mellon_sp.xml", data_dir);
	assert_int_equal(
		saml_sp_metadata_read(path, &xml, &len, err, sizeof(err)), 0);
	assert_int_equal(strlen(xml), len);
	free(xml);
	assert_int_equal(saml_sp_metadata_read("/nonexistent/sp.xml", &xml,
					       &len, err, sizeof(err)),
			 IDP_ERR_IO);
	assert_null(xml);
	assert_int_equal(
		saml_sp_metadata_read(data_dir, &xml, &len, err, sizeof(err)),
		IDP_ERR_IO);
	assert_non_null(strstr(err, "not a regular file"));
	/* Refused URLs are refused before any connection. */
	assert_int_equal(saml_sp_metadata_fetch("http://portal.example.org/md",
						&xml, &len, err, sizeof(err)),
			 IDP_ERR_INVALID);
	assert_null(xml);
}

static int
setup(void **state)
{
	char path[512];

	(void)state;
	data_dir = getenv("SAML_TEST_DATA");
	if (data_dir == NULL)
		fail_msg("SAML_TEST_DATA must be set (meson test does)");
	gen = pysaml2_generate();
	(void)snprintf(path, sizeof(path), "%s/mellon_sp.xml", data_dir);
	{
		char *xml = file_read(path, NULL);

		mellon_cert = cert_of(xml);
		free(xml);
	}
	trap_fd = listener_open(&trap_port);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(mellon_cert);
	(void)close(trap_fd);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mellon),
		cmocka_unit_test(test_pysaml2),
		cmocka_unit_test(test_pysaml2_variants),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_xinclude_ignored),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_small_key),
		cmocka_unit_test(test_small_err),
		cmocka_unit_test(test_url_verify),
		cmocka_unit_test(test_policy_parse),
		cmocka_unit_test(test_source),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
