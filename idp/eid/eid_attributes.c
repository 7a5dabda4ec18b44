/*
 * The card holder's data out of a verified assertion: each attribute
 * found by the configured name, at most once and with one value, bounded,
 * UTF-8 without control characters, normalised to NFC (so that the same
 * name compares equal however it was composed), the date of birth as
 * YYYY-MM-DD, the address decoded from the eIDAS CurrentAddress.
 */
#include <string.h>

#include <lasso/xml/misc_text_node.h>
#include <lasso/xml/saml-2.0/saml2_attribute.h>
#include <lasso/xml/saml-2.0/saml2_attribute_statement.h>
#include <lasso/xml/saml-2.0/saml2_attribute_value.h>

#include "idp/eid/eid_internal.h"

/* Most bytes of a decoded address value (all parts with tags). */
#define ADDRESS_XML_MAX (4 * EID_ATTRIBUTE_MAX)

/*
 * The one text value of @at, borrowed; NULL for none, more than one, or a
 * value with element content.
 */
static const char *
single_value(const LassoSaml2Attribute *at)
{
	LassoSaml2AttributeValue *v;
	LassoMiscTextNode *t;

	if (at->AttributeValue == NULL || at->AttributeValue->next != NULL ||
	    !LASSO_IS_SAML2_ATTRIBUTE_VALUE(at->AttributeValue->data))
		return NULL;
	v = LASSO_SAML2_ATTRIBUTE_VALUE(at->AttributeValue->data);
	if (v->any == NULL || v->any->next != NULL ||
	    !LASSO_IS_MISC_TEXT_NODE(v->any->data))
		return NULL;
	t = LASSO_MISC_TEXT_NODE(v->any->data);
	return t->text_child ? t->content : NULL;
}

/* A clean NFC copy of @s (g_free()), or NULL when not acceptable. */
static char *
clean(const char *s, size_t max)
{
	size_t len = strlen(s);
	char *nfc;

	if (len == 0 || len > max || !g_utf8_validate(s, (gssize)len, NULL))
		return NULL;
	for (const char *p = s; *p != '\0';
	     p += g_utf8_skip[(unsigned char)*p]) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_iscntrl(c) ||
		    g_unichar_type(c) == G_UNICODE_FORMAT)
			return NULL;
	}
	nfc = g_utf8_normalize(s, (gssize)len, G_NORMALIZE_NFC);
	if (nfc != NULL && strlen(nfc) > max) {
		g_free(nfc);
		return NULL;
	}
	return nfc;
}

/* The pseudonym: printable ASCII without blanks (base64 in practice). */
static bool
pseudonym_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > EID_PSEUDONYM_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

/* YYYY-MM-DD of a real date (g_date_valid_dmy). */
static bool
date_ok(const char *s)
{
	unsigned y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !g_ascii_isdigit(s[i]))
			return false;
	y = (unsigned)g_ascii_strtoull(s, NULL, 10);
	m = (unsigned)g_ascii_strtoull(s + 5, NULL, 10);
	d = (unsigned)g_ascii_strtoull(s + 8, NULL, 10);
	return y >= 1800 &&
	       g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y);
}

/* The XML text escapes of one address part, undone; NULL if malformed. */
static char *
unescape(const char *s, size_t len)
{
	static const struct {
		const char *esc;
		char c;
	} map[] = {{"&amp;", '&'},
		   {"&lt;", '<'},
		   {"&gt;", '>'},
		   {"&quot;", '"'},
		   {"&apos;", '\''}};
	GString *o = g_string_sized_new(len);

	for (size_t i = 0; i < len;) {
		size_t k;

		if (s[i] == '<' || s[i] == '>') {
			g_string_free(o, TRUE);
			return NULL;
		}
		if (s[i] != '&') {
			g_string_append_c(o, s[i++]);
			continue;
		}
		for (k = 0; k < G_N_ELEMENTS(map); k++) {
			size_t n = strlen(map[k].esc);

			if (len - i >= n && memcmp(s + i, map[k].esc, n) == 0) {
				g_string_append_c(o, map[k].c);
				i += n;
				break;
			}
		}
		if (k == G_N_ELEMENTS(map)) {
			g_string_free(o, TRUE);
			return NULL;
		}
	}
	return g_string_free(o, FALSE);
}

/*
 * The content of <eidas:@tag>...</eidas:@tag> in @xml (cleaned), NULL
 * when absent; *@bad on a malformed or twice given part.
 */
static char *
part(const char *xml, const char *tag, bool *bad)
{
	char *open = g_strdup_printf("<eidas:%s>", tag);
	char *close = g_strdup_printf("</eidas:%s>", tag);
	const char *b = strstr(xml, open), *e;
	char *raw = NULL, *v = NULL;

	if (b == NULL)
		goto out;
	b += strlen(open);
	e = strstr(b, close);
	if (e == NULL || strstr(e, open) != NULL) {
		*bad = true;
		goto out;
	}
	raw = unescape(b, (size_t)(e - b));
	if (raw == NULL || (v = clean(raw, EID_ATTRIBUTE_MAX)) == NULL)
		*bad = true;
out:
	g_free(raw);
	g_free(open);
	g_free(close);
	return v;
}

bool
eid_address_decode(const char *b64, struct eid_identity *id)
{
	gsize n = 0;
	guchar *raw;
	char *xml, *thoroughfare, *locator;
	bool bad = false;

	if (strlen(b64) > ADDRESS_XML_MAX * 4 / 3 + 4)
		return false;
	for (const char *p = b64; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && *p != '+' && *p != '/' && *p != '=')
			return false;
	raw = g_base64_decode(b64, &n);
	if (raw == NULL || n == 0 || n > ADDRESS_XML_MAX ||
	    memchr(raw, '\0', n) != NULL ||
	    !g_utf8_validate((const char *)raw, (gssize)n, NULL)) {
		g_free(raw);
		return false;
	}
	xml = g_strndup((const char *)raw, n);
	g_free(raw);
	thoroughfare = part(xml, "Thoroughfare", &bad);
	locator = part(xml, "LocatorDesignator", &bad);
	id->postal_code = part(xml, "PostCode", &bad);
	id->city = part(xml, "PostName", &bad);
	if (thoroughfare != NULL)
		id->street = locator != NULL ? g_strconcat(thoroughfare, " ",
							   locator, NULL)
					     : g_strdup(thoroughfare);
	g_free(thoroughfare);
	g_free(locator);
	g_free(xml);
	return !bad && id->street != NULL &&
	       strlen(id->street) <= EID_ATTRIBUTE_MAX;
}

enum eid_error
eid_attributes_read(const struct eid_worker *ew, LassoSaml2Assertion *a,
		    struct eid_identity *id, const char **why)
{
	char **slot[EID_ATTR_COUNT] = {
		&id->pseudonym,	    &id->family_name,	 &id->given_names,
		&id->birth_date,    &id->place_of_birth, NULL,
		&id->document_type,
	};
	static const char *const kinds[] = EID_ATTR_KINDS;
	bool seen[EID_ATTR_COUNT] = {false};

	*why = NULL;
	for (GList *s = a->AttributeStatement; s != NULL; s = s->next) {
		LassoSaml2AttributeStatement *st = s->data;

		if (!LASSO_IS_SAML2_ATTRIBUTE_STATEMENT(st))
			continue;
		for (GList *l = st->Attribute; l != NULL; l = l->next) {
			LassoSaml2Attribute *at = l->data;
			const char *v;
			size_t k;

			if (!LASSO_IS_SAML2_ATTRIBUTE(at) || at->Name == NULL)
				continue;
			for (k = 0; k < EID_ATTR_COUNT; k++)
				if (strcmp(at->Name, ew->attr[k]) == 0)
					break;
			if (k == EID_ATTR_COUNT)
				continue; /* not one we read */
			*why = kinds[k];
			v = single_value(at);
			if (seen[k] || v == NULL)
				return k == 0 ? EID_E_PSEUDONYM
					      : EID_E_ATTRIBUTE;
			seen[k] = true;
			if (k == 0) {
				if (!pseudonym_ok(v))
					return EID_E_PSEUDONYM;
				id->pseudonym = g_strdup(v);
			} else if (slot[k] == NULL) {
				if (!eid_address_decode(v, id))
					return EID_E_ATTRIBUTE;
			} else {
				*slot[k] = clean(v, EID_ATTRIBUTE_MAX);
				if (*slot[k] == NULL)
					return EID_E_ATTRIBUTE;
				if (slot[k] == &id->birth_date &&
				    !date_ok(id->birth_date))
					return EID_E_ATTRIBUTE;
			}
		}
	}
	if (id->pseudonym == NULL) {
		*why = kinds[0];
		return EID_E_PSEUDONYM;
	}
	*why = NULL;
	id->loa = "high";
	return EID_OK;
}
