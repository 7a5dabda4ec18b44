/*
 * SP metadata: from untrusted bytes to struct saml_sp_meta, in three
 * stages: a scan of the raw bytes that refuses what no parser should
 * see, libxml2 for the structure and every value we read, and lasso for
 * the last word on whether idpd will be able to load it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>
#include <lasso/id-ff/provider.h>
#include <lasso/lasso.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "idp/saml/saml_internal.h"

#define MD_NS	  "urn:oasis:names:tc:SAML:2.0:metadata"
#define DS_NS	  "http://www.w3.org/2000/09/xmldsig#"
#define SAML2P_NS "urn:oasis:names:tc:SAML:2.0:protocol"
#define BINDINGS  "urn:oasis:names:tc:SAML:2.0:bindings:"

/* Whether @p (@len bytes) starts with @s. */
static bool
starts(const char *p, size_t len, const char *s)
{
	size_t n = strlen(s);

	return len >= n && memcmp(p, s, n) == 0;
}

/* Offset of @s in @p[from..len), or len when absent. */
static size_t
find(const char *p, size_t len, size_t from, const char *s)
{
	const char *hit;

	if (from >= len)
		return len;
	hit = memmem(p + from, len - from, s, strlen(s));
	return hit != NULL ? (size_t)(hit - p) : len;
}

/* Whether @p holds @s in any case (for "<!DOCTYPE", "<!ENTITY"). */
static bool
contains_nocase(const char *p, size_t len, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i + n <= len; i++)
		if (p[i] == '<' && strncasecmp(p + i, s, n) == 0)
			return true;
	return false;
}

/*
 * Everything that can be decided on the raw bytes, before a parser runs.
 * The order matters: the size first (nothing else reads past the limit),
 * then what would make the text ambiguous (NUL, invalid UTF-8), then any
 * DTD markup at all -- a DOCTYPE is how internal and external entities,
 * billion laughs and external DTD fetches get in, and SAML metadata never
 * needs one. The last pass is a small tokenizer that only counts: start
 * tags (depth and number), skipping comments, CDATA, processing
 * instructions and quoted attribute values. It is not the parser: a
 * document it misreads is still parsed by libxml2 with its own limits.
 */
static int
scan(const char *p, size_t len, char *err, size_t errlen)
{
	size_t i = 0, elements = 0;
	int depth = 0;

	if (len > SAML_SP_METADATA_MAX)
		return idp_errf(err, errlen, IDP_ERR_TOO_LARGE,
				 "metadata is larger than %d bytes",
				 SAML_SP_METADATA_MAX);
	if (len == 0)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "metadata is empty");
	if (memchr(p, '\0', len) != NULL)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "metadata contains a NUL byte");
	if (!g_utf8_validate_len(p, len, NULL))
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "metadata is not valid UTF-8");
	if (contains_nocase(p, len, "<!DOCTYPE") ||
	    contains_nocase(p, len, "<!ENTITY"))
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "metadata contains a DOCTYPE or ENTITY "
				 "declaration; DTDs and entities are refused");
	while (i < len) {
		const char *lt = memchr(p + i, '<', len - i);
		size_t j;
		char q = 0;

		if (lt == NULL)
			break;
		i = (size_t)(lt - p);
		if (starts(p + i, len - i, "<!--")) {
			i = find(p, len, i + 4, "-->") + 3;
			elements++;
		} else if (starts(p + i, len - i, "<![CDATA[")) {
			i = find(p, len, i + 9, "]]>") + 3;
		} else if (starts(p + i, len - i, "<?")) {
			i = find(p, len, i + 2, "?>") + 2;
			elements++;
		} else if (starts(p + i, len - i, "<!")) {
			return idp_errf(err, errlen, IDP_ERR_INVALID,
					 "metadata contains a markup "
					 "declaration (<!...>); DTDs are "
					 "refused");
		} else if (starts(p + i, len - i, "</")) {
			depth--;
			i = find(p, len, i + 2, ">") + 1;
		} else {
			elements++;
			for (j = i + 1; j < len; j++) {
				if (q != 0) {
					if (p[j] == q)
						q = 0;
				} else if (p[j] == '"' || p[j] == '\'') {
					q = p[j];
				} else if (p[j] == '>') {
					break;
				}
			}
			if (j < len && p[j - 1] != '/')
				depth++;
			i = j + 1;
		}
		if (elements > SAML_SP_METADATA_ELEMENTS_MAX)
			return idp_errf(err, errlen, IDP_ERR_INVALID,
					 "metadata has more than %d elements",
					 SAML_SP_METADATA_ELEMENTS_MAX);
		if (depth > SAML_SP_METADATA_DEPTH_MAX)
			return idp_errf(err, errlen, IDP_ERR_INVALID,
					 "metadata nests elements deeper than "
					 "%d levels",
					 SAML_SP_METADATA_DEPTH_MAX);
	}
	return 0;
}

/* libxml2's errors go nowhere; the context keeps the last one for us. */
static void
xml_quiet(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

/*
 * Parse with libxml2: no network (XML_PARSE_NONET), and none of the
 * options that load or expand anything (XML_PARSE_NOENT, _DTDLOAD,
 * _DTDATTR, _DTDVALID, _XINCLUDE, _HUGE are all off), so libxml2's own
 * depth and size limits hold as well. Namespace errors count as errors:
 * every check below is by namespace.
 */
static int
xml_parse(const char *p, size_t len, xmlDoc **out, char *err, size_t errlen)
{
	xmlParserCtxt *ctxt;
	const xmlError *e;
	xmlDoc *doc;
	int rc = 0;

	*out = NULL;
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		return IDP_ERR_NOMEM;
	ctxt->sax->serror = xml_quiet;
	doc = xmlCtxtReadMemory(ctxt, p, (int)len, "metadata.xml", NULL,
				XML_PARSE_NONET);
	if (doc == NULL || !ctxt->wellFormed || !ctxt->nsWellFormed) {
		char line[SAML_SHOWN_MAX + 1] = "unknown error";
		char msg[SAML_SHOWN_MAX + 4];

		e = xmlCtxtGetLastError(ctxt);
		if (e != NULL && e->message != NULL) {
			/* libxml2's text ends in a newline: keep one line. */
			(void)snprintf(line, sizeof(line), "%.*s",
				       (int)strcspn(e->message, "\r\n"),
				       e->message);
		}
		(void)idp_shown(line, SAML_SHOWN_MAX, msg);
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "metadata is not well-formed XML (line %d: %s)",
			       e != NULL ? e->line : 0, msg);
		xmlFreeDoc(doc);
		doc = NULL;
	} else if (doc->intSubset != NULL || doc->extSubset != NULL) {
		/* The scan refused DOCTYPE already; kept as a second lock. */
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "metadata has a DTD; DTDs are refused");
		xmlFreeDoc(doc);
		doc = NULL;
	} else if (doc->encoding != NULL &&
		   g_ascii_strcasecmp((const char *)doc->encoding, "UTF-8") !=
			   0) {
		/*
		 * The bytes are UTF-8 (scan); a declaration naming another
		 * encoding would make libxml2 and lasso read other text.
		 */
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "metadata declares an encoding other than "
			       "UTF-8");
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	*out = doc;
	return rc;
}

static bool
is_el(const xmlNode *n, const char *ns, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	       n->ns->href != NULL &&
	       strcmp((const char *)n->ns->href, ns) == 0 &&
	       strcmp((const char *)n->name, name) == 0;
}

/*
 * The value of attribute @name (no namespace) of @n as an owned string;
 * NULL when absent. *@oom is set when the copy failed.
 */
static char *
attr(const xmlNode *n, const char *name, bool *oom)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	char *s;

	if (v == NULL)
		return NULL;
	s = strdup((const char *)v);
	xmlFree(v);
	if (s == NULL)
		*oom = true;
	return s;
}

/*
 * Parse an xs:boolean attribute (absent: @dflt). Returns 0 or
 * IDP_ERR_INVALID.
 */
static int
attr_bool(const xmlNode *n, const char *name, bool dflt, bool *out, bool *set,
	  char *err, size_t errlen)
{
	bool oom = false;
	char *v = attr(n, name, &oom);
	int rc = 0;

	*out = dflt;
	if (set != NULL)
		*set = v != NULL;
	if (oom)
		return IDP_ERR_NOMEM;
	if (v == NULL)
		return 0;
	g_strstrip(v); /* xs:boolean collapses white space */
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "%s of %s is not true or false", name,
			       (const char *)n->name);
	free(v);
	return rc;
}

/*
 * validUntil of @n, when present, must parse and lie in the future; the
 * earliest one found is kept in *@until.
 */
static int
valid_until(const xmlNode *n, int64_t *until, char *err, size_t errlen)
{
	char shown[SAML_SHOWN_MAX + 4];
	bool oom = false;
	char *v = attr(n, "validUntil", &oom);
	GTimeZone *utc = NULL;
	GDateTime *t = NULL, *now = NULL;
	int rc = 0;

	if (oom)
		return IDP_ERR_NOMEM;
	if (v == NULL)
		return 0;
	utc = g_time_zone_new_utc();
	g_strstrip(v);
	if (strlen(v) <= 64)
		t = g_date_time_new_from_iso8601(v, utc);
	now = g_date_time_new_now_utc();
	if (t == NULL || now == NULL) {
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "validUntil '%s' of %s is not an xs:dateTime",
			       idp_shown(v, SAML_SHOWN_MAX, shown), (const char *)n->name);
	} else if (g_date_time_compare(t, now) <= 0) {
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "metadata expired: validUntil '%s' of %s has "
			       "passed",
			       idp_shown(v, SAML_SHOWN_MAX, shown), (const char *)n->name);
	} else if (*until == 0 || g_date_time_to_unix(t) < *until) {
		*until = g_date_time_to_unix(t);
	}
	if (t != NULL)
		g_date_time_unref(t);
	if (now != NULL)
		g_date_time_unref(now);
	g_time_zone_unref(utc);
	free(v);
	return rc;
}

/*
 * An absolute URI (RFC 3986): a scheme, a colon, and at least one more
 * character, all from the URI character set. Blanks, quotes, angle
 * brackets and anything outside ASCII are refused: an entity ID is
 * compared byte for byte with the Issuer of every request, and shown to
 * operators.
 */
static int
entity_id_verify(const char *id, char *err, size_t errlen)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				 "-._~:/?#[]@!$&'()*+,;=%";
	char shown[SAML_SHOWN_MAX + 4];
	size_t len = strlen(id), i = 0;

	if (len == 0)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "entityID is empty");
	if (len > SAML_SP_ENTITY_ID_MAX)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "entityID is longer than %d bytes",
				 SAML_SP_ENTITY_ID_MAX);
	if (strspn(id, ok) != len)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "entityID '%s' holds a character that is "
				 "not allowed in a URI (blank, quote, angle "
				 "bracket, control or non-ASCII)",
				 idp_shown(id, SAML_SHOWN_MAX, shown));
	if (g_ascii_isalpha(id[0]))
		for (i = 1; g_ascii_isalnum(id[i]) || id[i] == '+' ||
			    id[i] == '-' || id[i] == '.';
		     i++)
			;
	if (i == 0 || id[i] != ':' || id[i + 1] == '\0')
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "entityID '%s' is not an absolute URI "
				 "(scheme:...)",
				 idp_shown(id, SAML_SHOWN_MAX, shown));
	return 0;
}

static enum saml_binding
binding_parse(const char *uri)
{
	static const struct {
		const char *name;
		enum saml_binding b;
	} map[] = {
		{BINDINGS "HTTP-POST", SAML_BINDING_HTTP_POST},
		{BINDINGS "HTTP-Redirect", SAML_BINDING_HTTP_REDIRECT},
		{BINDINGS "HTTP-Artifact", SAML_BINDING_HTTP_ARTIFACT},
		{BINDINGS "SOAP", SAML_BINDING_SOAP},
		{BINDINGS "PAOS", SAML_BINDING_PAOS},
	};

	for (size_t i = 0; i < G_N_ELEMENTS(map); i++)
		if (strcmp(uri, map[i].name) == 0)
			return map[i].b;
	return SAML_BINDING_OTHER;
}

/* An AssertionConsumerService (@indexed) or SingleLogoutService. */
static int
endpoint_parse(const xmlNode *n, bool indexed, struct saml_sp_endpoint *e,
	       char *err, size_t errlen)
{
	const char *what = (const char *)n->name;
	char field[64], *index = NULL;
	bool oom = false;
	int rc;

	e->index = -1;
	e->binding_uri = attr(n, "Binding", &oom);
	e->location = attr(n, "Location", &oom);
	e->response_location = attr(n, "ResponseLocation", &oom);
	if (indexed)
		index = attr(n, "index", &oom);
	if (oom) {
		rc = IDP_ERR_NOMEM;
		goto out;
	}
	if (e->binding_uri == NULL || e->location == NULL) {
		rc = idp_errf(err, errlen, IDP_ERR_INVALID, "%s %s has no %s",
			       what[0] == 'A' ? "an" : "a", what,
			       e->binding_uri == NULL ? "Binding" : "Location");
		goto out;
	}
	e->binding = binding_parse(e->binding_uri);
	(void)snprintf(field, sizeof(field), "%s Location", what);
	rc = saml_sp_url_verify(e->location, field, err, errlen);
	if (rc == 0 && e->response_location != NULL) {
		(void)snprintf(field, sizeof(field), "%s ResponseLocation",
			       what);
		rc = saml_sp_url_verify(e->response_location, field, err,
					errlen);
	}
	if (rc != 0)
		goto out;
	if (indexed) {
		char *end = NULL;
		unsigned long v = 0;

		if (index != NULL) {
			g_strstrip(index);
			v = strtoul(index, &end, 10);
		}
		if (index == NULL || !g_ascii_isdigit(index[0]) ||
		    *end != '\0' || v > 65535) {
			rc = idp_errf(err, errlen, IDP_ERR_INVALID,
				       "an AssertionConsumerService has no "
				       "index from 0 to 65535");
			goto out;
		}
		e->index = (int)v;
	}
	rc = attr_bool(n, "isDefault", false, &e->is_default,
		       &e->is_default_set, err, errlen);
out:
	free(index);
	return rc;
}

/* Append a zeroed slot to @arr (*@n of them, at most @max). */
static void *
grow(void *arr, size_t *n, size_t size)
{
	char *p = realloc(arr, (*n + 1) * size);

	if (p == NULL)
		return NULL;
	memset(p + *n * size, 0, size);
	(*n)++;
	return p;
}

/*
 * A KeyDescriptor: its use and exactly one ds:X509Certificate in
 * ds:KeyInfo/ds:X509Data -- the one lasso takes. A chain or a bare key
 * (KeyValue, KeyName) is refused rather than half-read.
 */
static int
key_parse(const xmlNode *kd, struct saml_sp_meta *m, char *err, size_t errlen)
{
	enum saml_key_use use = SAML_KEY_USE_ANY;
	const xmlNode *ki, *xd, *c, *cert = NULL;
	struct saml_sp_cert *certs;
	char shown[SAML_SHOWN_MAX + 4];
	xmlChar *text;
	bool oom = false;
	char *u = attr(kd, "use", &oom);
	int rc, found = 0;

	if (oom)
		return IDP_ERR_NOMEM;
	if (u != NULL && strcmp(u, "signing") == 0) {
		use = SAML_KEY_USE_SIGNING;
	} else if (u != NULL && strcmp(u, "encryption") == 0) {
		use = SAML_KEY_USE_ENCRYPTION;
	} else if (u != NULL) {
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "a KeyDescriptor has use '%s' (not signing or "
			       "encryption)",
			       idp_shown(u, SAML_SHOWN_MAX, shown));
		free(u);
		return rc;
	}
	free(u);
	for (ki = kd->children; ki != NULL; ki = ki->next) {
		if (!is_el(ki, DS_NS, "KeyInfo"))
			continue;
		for (xd = ki->children; xd != NULL; xd = xd->next) {
			if (!is_el(xd, DS_NS, "X509Data"))
				continue;
			for (c = xd->children; c != NULL; c = c->next)
				if (is_el(c, DS_NS, "X509Certificate")) {
					cert = c;
					found++;
				}
		}
	}
	if (found != 1)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 found == 0 ? "a KeyDescriptor has no "
					      "ds:KeyInfo/ds:X509Data/"
					      "ds:X509Certificate"
					    : "a KeyDescriptor has more than "
					      "one X509Certificate; publish "
					      "each key in a KeyDescriptor "
					      "of its own");
	if (m->n_certs >= SAML_SP_CERTS_MAX)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "metadata has more than %d certificates",
				 SAML_SP_CERTS_MAX);
	certs = grow(m->certs, &m->n_certs, sizeof(*certs));
	if (certs == NULL)
		return IDP_ERR_NOMEM;
	m->certs = certs;
	text = xmlNodeGetContent(cert);
	if (text == NULL) {
		m->n_certs--;
		return IDP_ERR_NOMEM;
	}
	rc = saml_sp_cert_parse((const char *)text, strlen((char *)text), use,
				&m->certs[m->n_certs - 1], err, errlen);
	if (rc != 0)
		m->n_certs--;
	xmlFree(text);
	return rc;
}

/* Whether the space-separated list @list holds @token. */
static bool
has_token(const char *list, const char *token)
{
	size_t n = strlen(token);

	for (const char *p = list; *p != '\0';) {
		size_t len;

		p += strspn(p, " \t\r\n");
		len = strcspn(p, " \t\r\n");
		if (len == n && strncmp(p, token, n) == 0)
			return true;
		p += len;
	}
	return false;
}

/* Which list an endpoint goes to. */
enum ep_kind { EP_ACS, EP_SLO, EP_SSO };

static int
endpoint_add(const xmlNode *n, enum ep_kind kind, struct saml_sp_meta *m,
	     char *err, size_t errlen)
{
	bool acs = kind == EP_ACS;
	struct saml_sp_endpoint **arr = acs		? &m->acs
					: kind == EP_SLO ? &m->slo
							 : &m->sso;
	size_t *count = acs		 ? &m->n_acs
			: kind == EP_SLO ? &m->n_slo
					 : &m->n_sso;
	struct saml_sp_endpoint *p;
	int rc;

	if (*count >= SAML_SP_ENDPOINTS_MAX)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "metadata has more than %d %s elements",
				 SAML_SP_ENDPOINTS_MAX, (const char *)n->name);
	p = grow(*arr, count, sizeof(*p));
	if (p == NULL)
		return IDP_ERR_NOMEM;
	*arr = p;
	rc = endpoint_parse(n, acs, &p[*count - 1], err, errlen);
	if (rc != 0)
		return rc;
	if (acs)
		for (size_t i = 0; i + 1 < *count; i++)
			if (p[i].index == p[*count - 1].index)
				return idp_errf(err, errlen, IDP_ERR_INVALID,
						 "two AssertionConsumerService "
						 "elements have index %d",
						 p[i].index);
	return 0;
}

static int
sp_descriptor(const xmlNode *sp, struct saml_sp_meta *m, char *err,
	      size_t errlen)
{
	bool oom = false, post = false;
	char *proto = attr(sp, "protocolSupportEnumeration", &oom);
	int rc = 0;

	if (oom)
		return IDP_ERR_NOMEM;
	if (proto == NULL || !has_token(proto, SAML2P_NS))
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "the SPSSODescriptor does not list the SAML "
			       "2.0 protocol in protocolSupportEnumeration");
	free(proto);
	if (rc == 0)
		rc = valid_until(sp, &m->valid_until, err, errlen);
	if (rc == 0)
		rc = attr_bool(sp, "AuthnRequestsSigned", false,
			       &m->authn_requests_signed, NULL, err, errlen);
	if (rc == 0)
		rc = attr_bool(sp, "WantAssertionsSigned", false,
			       &m->want_assertions_signed, NULL, err, errlen);
	for (const xmlNode *c = sp->children; c != NULL && rc == 0;
	     c = c->next) {
		if (is_el(c, MD_NS, "KeyDescriptor"))
			rc = key_parse(c, m, err, errlen);
		else if (is_el(c, MD_NS, "AssertionConsumerService"))
			rc = endpoint_add(c, EP_ACS, m, err, errlen);
		else if (is_el(c, MD_NS, "SingleLogoutService"))
			rc = endpoint_add(c, EP_SLO, m, err, errlen);
	}
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < m->n_acs; i++)
		post = post || m->acs[i].binding == SAML_BINDING_HTTP_POST;
	if (!post)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "the SPSSODescriptor has no "
				 "AssertionConsumerService with the "
				 "HTTP-POST binding");
	return 0;
}

/*
 * The IdP side (saml_idp_metadata_parse()): the same element checks, with
 * SingleSignOnService instead of AssertionConsumerService, and what an SP
 * needs of its IdP: a Redirect endpoint to send requests to and a key
 * that verifies the responses.
 */
static int
idp_descriptor(const xmlNode *idp, struct saml_sp_meta *m, char *err,
	       size_t errlen)
{
	bool oom = false, redirect = false;
	char *proto = attr(idp, "protocolSupportEnumeration", &oom);
	int rc = 0;

	if (oom)
		return IDP_ERR_NOMEM;
	if (proto == NULL || !has_token(proto, SAML2P_NS))
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "the IDPSSODescriptor does not list the SAML "
			       "2.0 protocol in protocolSupportEnumeration");
	free(proto);
	if (rc == 0)
		rc = valid_until(idp, &m->valid_until, err, errlen);
	if (rc == 0)
		rc = attr_bool(idp, "WantAuthnRequestsSigned", false,
			       &m->want_authn_requests_signed, NULL, err,
			       errlen);
	for (const xmlNode *c = idp->children; c != NULL && rc == 0;
	     c = c->next) {
		if (is_el(c, MD_NS, "KeyDescriptor"))
			rc = key_parse(c, m, err, errlen);
		else if (is_el(c, MD_NS, "SingleSignOnService"))
			rc = endpoint_add(c, EP_SSO, m, err, errlen);
		else if (is_el(c, MD_NS, "SingleLogoutService"))
			rc = endpoint_add(c, EP_SLO, m, err, errlen);
	}
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < m->n_sso; i++)
		redirect = redirect ||
			   m->sso[i].binding == SAML_BINDING_HTTP_REDIRECT;
	if (!redirect)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "the IDPSSODescriptor has no "
				 "SingleSignOnService with the HTTP-Redirect "
				 "binding");
	if (!saml_sp_meta_can_verify(m))
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "the IDPSSODescriptor has no signing "
				 "certificate (a KeyDescriptor with "
				 "use=\"signing\" or without use)");
	return 0;
}

static int
entity_descriptor(const xmlNode *ed, bool idp, struct saml_sp_meta *m,
		  char *err, size_t errlen)
{
	const char *want = idp ? "IDPSSODescriptor" : "SPSSODescriptor";
	const xmlNode *sp = NULL;
	bool oom = false;
	int rc, n = 0;

	m->entity_id = attr(ed, "entityID", &oom);
	if (oom)
		return IDP_ERR_NOMEM;
	if (m->entity_id == NULL)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "the EntityDescriptor has no entityID");
	rc = entity_id_verify(m->entity_id, err, errlen);
	if (rc == 0)
		rc = valid_until(ed, &m->valid_until, err, errlen);
	if (rc != 0)
		return rc;
	for (const xmlNode *c = ed->children; c != NULL; c = c->next)
		if (is_el(c, MD_NS, want)) {
			sp = c;
			n++;
		}
	if (n != 1)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 n == 0 ? "the EntityDescriptor has no %s "
					  "(not %s metadata)"
					: "the EntityDescriptor has more than "
					  "one %s%.0s",
				 want, idp ? "IdP" : "SP");
	return idp ? idp_descriptor(sp, m, err, errlen)
		   : sp_descriptor(sp, m, err, errlen);
}

/* The root: an EntityDescriptor, or an EntitiesDescriptor of one. */
static int
root_parse(const xmlDoc *doc, bool idp, struct saml_sp_meta *m, char *err,
	   size_t errlen)
{
	const xmlNode *root = xmlDocGetRootElement(doc), *ed = NULL;
	int rc, n = 0;

	if (is_el(root, MD_NS, "EntityDescriptor"))
		return entity_descriptor(root, idp, m, err, errlen);
	if (!is_el(root, MD_NS, "EntitiesDescriptor"))
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "the root element is not an md:"
				 "EntityDescriptor (namespace " MD_NS ")");
	rc = valid_until(root, &m->valid_until, err, errlen);
	if (rc != 0)
		return rc;
	for (const xmlNode *c = root->children; c != NULL; c = c->next) {
		if (is_el(c, MD_NS, "EntitiesDescriptor"))
			return idp_errf(err, errlen, IDP_ERR_INVALID,
					 "nested EntitiesDescriptor elements "
					 "are not accepted; import one "
					 "EntityDescriptor");
		if (is_el(c, MD_NS, "EntityDescriptor")) {
			ed = c;
			n++;
		}
	}
	if (n != 1)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "the EntitiesDescriptor holds %d "
				 "EntityDescriptor elements; exactly one "
				 "is accepted",
				 n);
	return entity_descriptor(ed, idp, m, err, errlen);
}

/*
 * lasso reads the document the way idpd will: it must load it as an SP,
 * find the same entity ID, and see each HTTP-POST AssertionConsumerService
 * with the same index and location.
 */
static int
lasso_check(const char *p, size_t len, bool idp, const struct saml_sp_meta *m,
	    char *err, size_t errlen)
{
	LassoProvider *prov;
	char *buf, key[96];
	int rc = 0;

	buf = g_strndup(p, len);
	prov = lasso_provider_new_from_buffer(idp ? LASSO_PROVIDER_ROLE_IDP
						  : LASSO_PROVIDER_ROLE_SP,
					      buf, NULL, NULL);
	g_free(buf);
	if (prov == NULL)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "lasso cannot load the metadata as %s "
				 "metadata",
				 idp ? "IdP" : "SP");
	if (prov->ProviderID == NULL ||
	    strcmp(prov->ProviderID, m->entity_id) != 0)
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "lasso reads another entity ID than the "
			       "EntityDescriptor's entityID");
	for (size_t i = 0; i < m->n_acs && rc == 0; i++) {
		GList *l;

		if (m->acs[i].binding != SAML_BINDING_HTTP_POST)
			continue;
		(void)snprintf(key, sizeof(key),
			       "AssertionConsumerService HTTP-POST %d",
			       m->acs[i].index);
		l = lasso_provider_get_metadata_list_for_role(
			prov, LASSO_PROVIDER_ROLE_SP, key);
		if (l == NULL || l->data == NULL ||
		    strcmp(l->data, m->acs[i].location) != 0)
			rc = idp_errf(err, errlen, IDP_ERR_INVALID,
				       "lasso does not see the HTTP-POST "
				       "AssertionConsumerService with index "
				       "%d",
				       m->acs[i].index);
	}
	g_object_unref(prov);
	return rc;
}

static int
metadata_parse(const char *xml, size_t len, bool idp, struct saml_sp_meta *out,
	       char *err, size_t errlen)
{
	xmlDoc *doc = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	rc = scan(xml, len, err, errlen);
	if (rc != 0)
		return rc;
	rc = saml_init();
	if (rc != 0)
		return idp_errf(err, errlen, rc, "cannot initialise lasso");
	rc = xml_parse(xml, len, &doc, err, errlen);
	if (rc == 0)
		rc = root_parse(doc, idp, out, err, errlen);
	if (rc == 0)
		rc = lasso_check(xml, len, idp, out, err, errlen);
	if (rc == 0)
		saml_sha256_hex(xml, len, out->sha256);
	if (rc == IDP_ERR_NOMEM)
		(void)idp_errf(err, errlen, rc, "out of memory");
	if (rc != 0)
		saml_sp_meta_clear(out);
	xmlFreeDoc(doc);
	return rc;
}

int
saml_sp_metadata_parse(const char *xml, size_t len, struct saml_sp_meta *out,
		       char *err, size_t errlen)
{
	return metadata_parse(xml, len, false, out, err, errlen);
}

int
saml_idp_metadata_parse(const char *xml, size_t len, struct saml_sp_meta *out,
			char *err, size_t errlen)
{
	return metadata_parse(xml, len, true, out, err, errlen);
}
