/*
 * Shared helpers of tests/saml: the hostile corpus, files, a loopback
 * listener, the pysaml2 generator.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

#include "idp/common/err.h"
#include "saml_test.h"

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)))
__attribute__((noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("saml_test: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

/* printf into a new buffer. */
static char *aprintf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static char *
aprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	return s;
}

#define MD	 "urn:oasis:names:tc:SAML:2.0:metadata"
#define DS	 "http://www.w3.org/2000/09/xmldsig#"
#define POST	 "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
#define REDIRECT "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
#define GOOD_ACS                                                               \
	"<md:AssertionConsumerService Binding=\"" POST "\""                    \
	" Location=\"https://portal.example.org/acs\" index=\"0\"/>"

static char *
sp_descriptor(const char *cert, const char *acs, const char *proto,
	      const char *key_use)
{
	return aprintf("<md:SPSSODescriptor protocolSupportEnumeration=\"%s\">"
		       "<md:KeyDescriptor%s><ds:KeyInfo><ds:X509Data>"
		       "<ds:X509Certificate>%s</ds:X509Certificate>"
		       "</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
		       "%s</md:SPSSODescriptor>",
		       proto, key_use, cert, acs);
}

char *
meta_doc(const char *entity_id, const char *root_extra, const char *cert,
	 const char *acs)
{
	char *sp =
		sp_descriptor(cert, acs, "urn:oasis:names:tc:SAML:2.0:protocol",
			      " use=\"signing\"");
	char *doc = aprintf("<md:EntityDescriptor xmlns:md=\"" MD "\""
			    " xmlns:ds=\"" DS "\" entityID=\"%s\"%s>%s"
			    "</md:EntityDescriptor>\n",
			    entity_id, root_extra, sp);

	free(sp);
	return doc;
}

static void
add(struct hostile **h, size_t *n, const char *name, char *doc, size_t len,
    int rc, const char *want)
{
	struct hostile *p = realloc(*h, (*n + 1) * sizeof(**h));

	if (p == NULL)
		die("out of memory");
	p[*n] = (struct hostile){name, doc, len, rc, want};
	*h = p;
	(*n)++;
}

/* A text document: its length is strlen. */
static void
add_text(struct hostile **h, size_t *n, const char *name, char *doc, int rc,
	 const char *want)
{
	add(h, n, name, doc, strlen(doc), rc, want);
}

/* The standard document with @acs, refused with @want. */
static void
add_acs(struct hostile **h, size_t *n, const char *name, const char *cert,
	const char *acs, const char *want)
{
	add_text(h, n, name,
		 meta_doc("https://portal.example.org/sp", "", cert, acs),
		 IDP_ERR_INVALID, want);
}

static void
add_entity(struct hostile **h, size_t *n, const char *name, const char *cert,
	   const char *entity_id, const char *want)
{
	add_text(h, n, name, meta_doc(entity_id, "", cert, GOOD_ACS),
		 IDP_ERR_INVALID, want);
}

/* @doc with @pad bytes of comment before the closing root tag. */
static char *
padded(const char *cert, size_t pad, size_t *len)
{
	char *base =
		meta_doc("https://portal.example.org/sp", "", cert, GOOD_ACS);
	const char *end = strstr(base, "</md:EntityDescriptor>");
	size_t head = (size_t)(end - base), blen = strlen(base);
	char *doc = malloc(blen + pad + 8);

	if (doc == NULL)
		die("out of memory");
	memcpy(doc, base, head);
	memcpy(doc + head, "<!--", 4);
	memset(doc + head + 4, 'x', pad);
	memcpy(doc + head + 4 + pad, "-->", 3);
	memcpy(doc + head + 7 + pad, end, blen - head);
	*len = blen + pad + 7;
	doc[*len] = '\0';
	free(base);
	return doc;
}

/* @levels nested <x> elements inside md:Extensions of the SP. */
static char *
nested(const char *cert, int levels)
{
	size_t cap = (size_t)levels * 7 + 64, off = 0;
	char *inner = malloc(cap), *acs, *doc;

	if (inner == NULL)
		die("out of memory");
	off += (size_t)sprintf(inner + off, "<md:Extensions>");
	for (int i = 0; i < levels; i++)
		off += (size_t)sprintf(inner + off, "<x>");
	for (int i = 0; i < levels; i++)
		off += (size_t)sprintf(inner + off, "</x>");
	(void)sprintf(inner + off, "</md:Extensions>");
	acs = aprintf("%s%s", inner, GOOD_ACS);
	doc = meta_doc("https://portal.example.org/sp", "", cert, acs);
	free(inner);
	free(acs);
	return doc;
}

size_t
hostile_build(struct hostile **out, const char *cert, int port)
{
	struct hostile *h = NULL;
	size_t n = 0, len;
	char *doc, *ed, *sp;

	/* DTDs, in every form that gets entities or fetches in. */
	doc = meta_doc("&sp;", "", cert, GOOD_ACS);
	add_text(&h, &n, "doctype_internal_entity",
		 aprintf("<?xml version=\"1.0\"?>\n<!DOCTYPE md:"
			 "EntityDescriptor [\n<!ENTITY sp "
			 "\"https://evil.example.org/sp\">\n]>\n%s",
			 doc),
		 IDP_ERR_INVALID, "DOCTYPE");
	add_text(&h, &n, "external_entity_file",
		 aprintf("<?xml version=\"1.0\"?>\n<!DOCTYPE md:"
			 "EntityDescriptor [\n<!ENTITY sp SYSTEM "
			 "\"file:///etc/passwd\">\n]>\n%s",
			 doc),
		 IDP_ERR_INVALID, "DOCTYPE");
	add_text(&h, &n, "external_entity_http",
		 aprintf("<?xml version=\"1.0\"?>\n<!DOCTYPE md:"
			 "EntityDescriptor [\n<!ENTITY sp SYSTEM "
			 "\"http://127.0.0.1:%d/x\">\n]>\n%s",
			 port, doc),
		 IDP_ERR_INVALID, "DOCTYPE");
	add_text(&h, &n, "external_dtd_http",
		 aprintf("<!DOCTYPE md:EntityDescriptor SYSTEM "
			 "\"http://127.0.0.1:%d/dtd\">\n%s",
			 port, doc),
		 IDP_ERR_INVALID, "DOCTYPE");
	add_text(&h, &n, "parameter_entity_http",
		 aprintf("<!DOCTYPE md:EntityDescriptor [\n<!ENTITY %% p "
			 "SYSTEM \"http://127.0.0.1:%d/p\">\n%%p;\n]>\n%s",
			 port, doc),
		 IDP_ERR_INVALID, "DOCTYPE");
	add_text(&h, &n, "billion_laughs",
		 aprintf("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
			 " <!ENTITY lol \"lol\">\n"
			 " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;"
			 "&lol;&lol;&lol;&lol;\">\n"
			 " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;"
			 "&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
			 " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;"
			 "&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
			 " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;"
			 "&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
			 " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;"
			 "&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
			 " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;"
			 "&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
			 " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;"
			 "&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
			 " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;"
			 "&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
			 " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;"
			 "&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
			 "]>\n<lolz>&lol9;</lolz>\n"),
		 IDP_ERR_INVALID, "DOCTYPE");
	add_text(&h, &n, "doctype_lower_case",
		 aprintf("<!doctype md:EntityDescriptor>\n%s", doc),
		 IDP_ERR_INVALID, "DOCTYPE");
	free(doc);

	/* Size and shape. */
	doc = padded(cert, 2 * 1024 * 1024, &len);
	add(&h, &n, "two_mib", doc, len, IDP_ERR_TOO_LARGE,
	    "larger than 1048576 bytes");
	add_text(&h, &n, "nesting_10000", nested(cert, 10000), IDP_ERR_INVALID,
		 "deeper than 32 levels");
	{
		size_t cap = 30000 * 4 + 512, off = 0;
		char *many = malloc(cap);

		if (many == NULL)
			die("out of memory");
		off += (size_t)sprintf(many, "<md:Extensions>");
		for (int i = 0; i < 30000; i++)
			off += (size_t)sprintf(many + off, "<x/>");
		(void)sprintf(many + off, "</md:Extensions>" GOOD_ACS);
		add_acs(&h, &n, "elements_30000", cert, many,
			"more than 20000 elements");
		free(many);
	}
	add_text(&h, &n, "not_xml", strdup("this is not XML\n"),
		 IDP_ERR_INVALID, "not well-formed XML");
	add_text(&h, &n, "empty", strdup(""), IDP_ERR_INVALID, "empty");
	add_text(&h, &n, "truncated",
		 strdup("<md:EntityDescriptor xmlns:md=\"" MD "\""),
		 IDP_ERR_INVALID, "not well-formed XML");
	doc = meta_doc("https://portal.example.org/sp\xff\xfe", "", cert,
		       GOOD_ACS);
	add_text(&h, &n, "invalid_utf8", doc, IDP_ERR_INVALID,
		 "not valid UTF-8");
	doc = meta_doc("https://portal.example.org/sp", "", cert, GOOD_ACS);
	len = strlen(doc);
	doc[40] = '\0';
	add(&h, &n, "nul_byte", doc, len, IDP_ERR_INVALID, "NUL byte");
	add_text(&h, &n, "latin1_declared",
		 aprintf("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n%s",
			 (doc = meta_doc("https://portal.example.org/sp", "",
					 cert, GOOD_ACS))),
		 IDP_ERR_INVALID, "encoding other than UTF-8");
	free(doc);

	/* The entity. */
	ed = meta_doc("https://portal.example.org/sp", "", cert, GOOD_ACS);
	sp = meta_doc("https://other.example.org/sp", "", cert, GOOD_ACS);
	add_text(&h, &n, "two_entity_descriptors",
		 aprintf("<md:EntitiesDescriptor xmlns:md=\"" MD "\">%s%s"
			 "</md:EntitiesDescriptor>",
			 ed, sp),
		 IDP_ERR_INVALID, "holds 2 EntityDescriptor");
	add_text(&h, &n, "nested_entities",
		 aprintf("<md:EntitiesDescriptor xmlns:md=\"" MD "\">"
			 "<md:EntitiesDescriptor>%s</md:EntitiesDescriptor>"
			 "</md:EntitiesDescriptor>",
			 ed),
		 IDP_ERR_INVALID, "nested EntitiesDescriptor");
	free(ed);
	free(sp);
	add_entity(&h, &n, "entity_id_comment_raw", cert,
		   "https://sp<!---->.example", "not well-formed XML");
	add_entity(&h, &n, "entity_id_comment_escaped", cert,
		   "https://sp&lt;!----&gt;.example", "not allowed in a URI");
	add_entity(&h, &n, "entity_id_blanks", cert,
		   " https://portal.example.org/sp ", "not allowed in a URI");
	add_entity(&h, &n, "entity_id_inner_blank", cert,
		   "https://portal .example.org/sp", "not allowed in a URI");
	add_entity(&h, &n, "entity_id_newline", cert,
		   "https://portal.example.org/sp&#10;x",
		   "not allowed in a URI");
	add_entity(&h, &n, "entity_id_relative", cert, "portal.example.org/sp",
		   "not an absolute URI");
	add_entity(&h, &n, "entity_id_empty", cert, "", "entityID is empty");
	{
		char big[1101];

		memcpy(big, "https://", 8);
		memset(big + 8, 'a', sizeof(big) - 9);
		big[sizeof(big) - 1] = '\0';
		add_entity(&h, &n, "entity_id_1100_bytes", cert, big,
			   "longer than 1024 bytes");
	}
	add_text(&h, &n, "expired_valid_until",
		 meta_doc("https://portal.example.org/sp",
			  " validUntil=\"2001-01-01T00:00:00Z\"", cert,
			  GOOD_ACS),
		 IDP_ERR_INVALID, "metadata expired");
	add_text(&h, &n, "valid_until_not_a_date",
		 meta_doc("https://portal.example.org/sp",
			  " validUntil=\"tomorrow\"", cert, GOOD_ACS),
		 IDP_ERR_INVALID, "not an xs:dateTime");
	add_text(&h, &n, "no_namespace",
		 aprintf("<EntityDescriptor entityID=\"https://x.example/\"/>"),
		 IDP_ERR_INVALID, "root element is not");
	add_text(&h, &n, "idp_metadata",
		 aprintf("<md:EntityDescriptor xmlns:md=\"" MD "\" "
			 "entityID=\"https://idp.example.org/\">"
			 "<md:IDPSSODescriptor protocolSupportEnumeration="
			 "\"urn:oasis:names:tc:SAML:2.0:protocol\">"
			 "<md:SingleSignOnService Binding=\"" REDIRECT "\" "
			 "Location=\"https://idp.example.org/sso\"/>"
			 "</md:IDPSSODescriptor></md:EntityDescriptor>"),
		 IDP_ERR_INVALID, "no SPSSODescriptor");

	/* The SPSSODescriptor. */
	sp = sp_descriptor(cert, GOOD_ACS,
			   "urn:oasis:names:tc:SAML:1.1:protocol", "");
	add_text(&h, &n, "saml11_only",
		 aprintf("<md:EntityDescriptor xmlns:md=\"" MD
			 "\" xmlns:ds=\"" DS
			 "\" entityID=\"https://portal.example.org/sp\">"
			 "%s</md:EntityDescriptor>",
			 sp),
		 IDP_ERR_INVALID, "does not list the SAML 2.0 protocol");
	free(sp);
	add_acs(&h, &n, "no_acs", cert, "",
		"no AssertionConsumerService with the HTTP-POST binding");
	add_acs(&h, &n, "acs_redirect_only", cert,
		"<md:AssertionConsumerService Binding=\"" REDIRECT "\""
		" Location=\"https://portal.example.org/acs\" index=\"0\"/>",
		"no AssertionConsumerService with the HTTP-POST binding");
	add_acs(&h, &n, "acs_http_public", cert,
		"<md:AssertionConsumerService Binding=\"" POST "\""
		" Location=\"http://portal.example.org/acs\" index=\"0\"/>",
		"is not https");
	add_acs(&h, &n, "acs_http_public_second", cert,
		GOOD_ACS "<md:AssertionConsumerService Binding=\"" POST "\""
			 " Location=\"http://10.0.0.1/acs\" index=\"1\"/>",
		"is not https");
	add_acs(&h, &n, "acs_javascript", cert,
		"<md:AssertionConsumerService Binding=\"" POST "\""
		" Location=\"javascript:alert(1)\" index=\"0\"/>",
		"AssertionConsumerService Location");
	add_acs(&h, &n, "acs_credentials", cert,
		"<md:AssertionConsumerService Binding=\"" POST "\""
		" Location=\"https://u:p@portal.example.org/acs\""
		" index=\"0\"/>",
		"user name or password");
	add_acs(&h, &n, "acs_blank", cert,
		"<md:AssertionConsumerService Binding=\"" POST "\""
		" Location=\"https://portal.example.org/a cs\" index=\"0\"/>",
		"blank, control or non-ASCII");
	add_acs(&h, &n, "acs_no_index", cert,
		"<md:AssertionConsumerService Binding=\"" POST "\""
		" Location=\"https://portal.example.org/acs\"/>",
		"no index from 0 to 65535");
	add_acs(&h, &n, "acs_index_too_large", cert,
		"<md:AssertionConsumerService Binding=\"" POST "\""
		" Location=\"https://portal.example.org/acs\""
		" index=\"65536\"/>",
		"no index from 0 to 65535");
	add_acs(&h, &n, "acs_duplicate_index", cert,
		GOOD_ACS "<md:AssertionConsumerService Binding=\"" POST "\""
			 " Location=\"https://portal.example.org/b\""
			 " index=\"0\"/>",
		"have index 0");
	add_acs(&h, &n, "acs_no_location", cert,
		"<md:AssertionConsumerService Binding=\"" POST "\""
		" index=\"0\"/>",
		"an AssertionConsumerService has no Location");
	add_acs(&h, &n, "slo_http_public", cert,
		"<md:SingleLogoutService Binding=\"" REDIRECT "\""
		" Location=\"http://portal.example.org/slo\"/>" GOOD_ACS,
		"SingleLogoutService Location");
	add_acs(&h, &n, "is_default_yes", cert,
		"<md:AssertionConsumerService Binding=\"" POST "\""
		" Location=\"https://portal.example.org/acs\" index=\"0\""
		" isDefault=\"yes\"/>",
		"isDefault of AssertionConsumerService is not true or false");

	/* Certificates. */
	add_text(&h, &n, "cert_invalid_base64",
		 meta_doc("https://portal.example.org/sp", "", "MIIB!!not*b64",
			  GOOD_ACS),
		 IDP_ERR_INVALID, "not valid base64");
	add_text(&h, &n, "cert_base64_no_padding",
		 meta_doc("https://portal.example.org/sp", "", "QUJD RA",
			  GOOD_ACS),
		 IDP_ERR_INVALID, "not valid base64");
	add_text(&h, &n, "cert_not_der",
		 meta_doc("https://portal.example.org/sp", "",
			  "aGVsbG8gd29ybGQ=", GOOD_ACS),
		 IDP_ERR_INVALID, "not one DER-encoded X.509 certificate");
	add_text(&h, &n, "cert_empty",
		 meta_doc("https://portal.example.org/sp", "", "", GOOD_ACS),
		 IDP_ERR_INVALID, "not valid base64");
	{
		/* A valid certificate followed by two more bytes. */
		gsize dlen;
		guchar *der = g_base64_decode(cert, &dlen), *more;
		gchar *b64;

		more = g_malloc(dlen + 2);
		memcpy(more, der, dlen);
		more[dlen] = 0x05;
		more[dlen + 1] = 0x00;
		b64 = g_base64_encode(more, dlen + 2);
		add_text(&h, &n, "cert_trailing_bytes",
			 meta_doc("https://portal.example.org/sp", "", b64,
				  GOOD_ACS),
			 IDP_ERR_INVALID,
			 "not one DER-encoded X.509 certificate");
		g_free(b64);
		g_free(more);
		g_free(der);
	}
	doc = aprintf("%s%s", cert, cert);
	add_text(&h, &n, "cert_two_concatenated",
		 meta_doc("https://portal.example.org/sp", "", doc, GOOD_ACS),
		 IDP_ERR_INVALID, "not valid base64");
	free(doc);
	add_acs(&h, &n, "key_without_certificate", cert,
		"<md:KeyDescriptor use=\"encryption\"><ds:KeyInfo>"
		"<ds:KeyName>k</ds:KeyName></ds:KeyInfo></"
		"md:KeyDescriptor>" GOOD_ACS,
		"has no ds:KeyInfo/ds:X509Data/ds:X509Certificate");
	doc = aprintf("<md:KeyDescriptor use=\"both\"><ds:KeyInfo>"
		      "<ds:X509Data><ds:X509Certificate>%s"
		      "</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
		      "</md:KeyDescriptor>" GOOD_ACS,
		      cert);
	add_acs(&h, &n, "key_use_both", cert, doc, "has use 'both'");
	free(doc);
	doc = aprintf("<md:KeyDescriptor><ds:KeyInfo><ds:X509Data>"
		      "<ds:X509Certificate>%s</ds:X509Certificate>"
		      "<ds:X509Certificate>%s</ds:X509Certificate>"
		      "</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>" GOOD_ACS,
		      cert, cert);
	add_acs(&h, &n, "key_certificate_chain", cert, doc,
		"has more than one X509Certificate");
	free(doc);
	*out = h;
	return n;
}

void
hostile_free(struct hostile *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(h[i].doc);
	free(h);
}

char *
file_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, r;
	char *buf = malloc(cap);

	if (f == NULL || buf == NULL)
		die("cannot read %s: %s", path, strerror(errno));
	while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (n + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (buf == NULL)
				die("out of memory");
		}
	}
	(void)fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

void
file_write(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		die("cannot write %s", path);
}

char *
cert_of(const char *xml)
{
	const char *a = strstr(xml, "X509Certificate>"), *b;
	char *out;
	size_t n = 0;

	if (a == NULL)
		die("no certificate in the metadata");
	a += strlen("X509Certificate>");
	b = strchr(a, '<');
	if (b == NULL)
		die("no certificate end in the metadata");
	out = malloc((size_t)(b - a) + 1);
	if (out == NULL)
		die("out of memory");
	for (; a < b; a++)
		if (*a != ' ' && *a != '\n' && *a != '\r' && *a != '\t')
			out[n++] = *a;
	out[n] = '\0';
	return out;
}

int
listener_open(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(fd, 16) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) != 0)
		die("cannot listen on loopback: %s", strerror(errno));
	*port = ntohs(a.sin_port);
	return fd;
}

bool
listener_touched(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	bool touched = false;

	while (poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0) {
		int c = accept(fd, NULL, NULL);

		if (c >= 0)
			(void)close(c);
		touched = true;
	}
	return touched;
}

static char dir[] = "/tmp/saml-test-pysaml2.XXXXXX";

/* The generator writes files only, no subdirectories. */
static void
generated_remove(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[sizeof(dir) + 256];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		(void)unlink(path);
	}
	(void)closedir(d);
	(void)rmdir(dir);
}

const char *
pysaml2_generate(void)
{
	const char *python = getenv("SAML_TEST_PYTHON");
	const char *script = getenv("SAML_TEST_GENERATOR");
	pid_t pid;
	int st;

	if (python == NULL || script == NULL)
		die("SAML_TEST_PYTHON and SAML_TEST_GENERATOR must be set "
		    "(meson test does)");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp: %s", strerror(errno));
	(void)atexit(generated_remove);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		execl(python, python, script, dir, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		die("%s %s failed", python, script);
	return dir;
}
