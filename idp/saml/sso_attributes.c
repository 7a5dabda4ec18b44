/*
 * Which attributes an assertion carries: only those in the relying
 * party's release list, named as its attribute profile says. eIDAS
 * natural person attributes (eIDAS SAML Attribute Profile 1.2) for the
 * eidas profile, the common LDAP/X.500 OIDs (SAML X.500/LDAP attribute
 * profile, urn:oid: names) for the oid profile. eIDAS has no e-mail
 * attribute; both profiles use the mail OID for it.
 */
#include <string.h>

#include "idp/log/log.h"
#include "idp/saml/sso_internal.h"

#define NF_URI	 "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
#define EIDAS_NP "http://eidas.europa.eu/attributes/naturalperson/"
#define OID_MAIL "urn:oid:0.9.2342.19200300.100.1.3"
/*
 * Which released attributes an eID card confirmed: one value per
 * attribute of the release list (given_name, family_name, birth_date,
 * address) whose source is eid and that the assertion carries; absent
 * when none is (everything released is self-declared). Ours, in both
 * profiles: neither eIDAS nor the LDAP OIDs have such an attribute.
 */
#define VERIFIED_NAME "urn:servicekonto:attributes:verified"

static void
add(LassoSaml2AttributeStatement *st, const char *name, const char *friendly,
    const char *value)
{
	LassoSaml2Attribute *a;
	LassoSaml2AttributeValue *v;
	LassoMiscTextNode *t;

	if (value == NULL || value[0] == '\0')
		return; /* not known: not released, rather than empty */
	a = LASSO_SAML2_ATTRIBUTE(lasso_saml2_attribute_new());
	a->Name = g_strdup(name);
	a->NameFormat = g_strdup(NF_URI);
	a->FriendlyName = g_strdup(friendly);
	v = LASSO_SAML2_ATTRIBUTE_VALUE(lasso_saml2_attribute_value_new());
	t = lasso_misc_text_node_new_with_string(value);
	t->text_child = TRUE;
	v->any = g_list_append(v->any, t);
	a->AttributeValue = g_list_append(a->AttributeValue, v);
	st->Attribute = g_list_append(st->Attribute, a);
}

/* Whether @name is in the canonical, comma-joined @list. */
static bool
released(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p != NULL && *p != '\0';) {
		size_t len = strcspn(p, ",");
		if (len == n && memcmp(p, name, n) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

/*
 * eIDAS CurrentAddress: the base64 of the address parts as
 * eidas-natural:CurrentAddressStructuredType children.
 */
static char *
eidas_address(const struct store_account *a)
{
	GString *x = g_string_new(NULL);
	char *e;
	char *out;

	if (a->street && *a->street) {
		e = g_markup_escape_text(a->street, -1);
		g_string_append_printf(x,
				       "<eidas:Thoroughfare>%s"
				       "</eidas:Thoroughfare>",
				       e);
		g_free(e);
	}
	if (a->postal_code && *a->postal_code) {
		e = g_markup_escape_text(a->postal_code, -1);
		g_string_append_printf(x, "<eidas:PostCode>%s</eidas:PostCode>",
				       e);
		g_free(e);
	}
	if (a->city && *a->city) {
		e = g_markup_escape_text(a->city, -1);
		g_string_append_printf(x, "<eidas:PostName>%s</eidas:PostName>",
				       e);
		g_free(e);
	}
	if (x->len == 0) {
		g_string_free(x, TRUE);
		return NULL;
	}
	out = g_base64_encode((const guchar *)x->str, x->len);
	g_string_free(x, TRUE);
	return out;
}

/* RFC 3739 dateOfBirth is a GeneralizedTime at midnight. */
static char *
generalized_date(const char *ymd)
{
	if (ymd == NULL || strlen(ymd) != 10)
		return NULL;
	return g_strdup_printf("%.4s%.2s%.2s000000Z", ymd, ymd + 5, ymd + 8);
}

static bool
given(const char *s)
{
	return s != NULL && s[0] != '\0';
}

static bool
from_eid(const char *source)
{
	return source != NULL && strcmp(source, "eid") == 0;
}

/* The verified attribute (VERIFIED_NAME), after the others. */
static void
verified_add(LassoSaml2AttributeStatement *st, const struct saml_sp_entry *sp,
	     const struct store_account *a)
{
	const struct {
		const char *name;
		bool eid;
		bool sent;
	} attrs[] = {
		{"given_name", from_eid(a->name_source), given(a->given_name)},
		{"family_name", from_eid(a->name_source),
		 given(a->family_name)},
		{"birth_date", from_eid(a->birth_date_source),
		 given(a->birth_date)},
		{"address", from_eid(a->address_source),
		 given(a->street) || given(a->postal_code) || given(a->city)},
	};
	LassoSaml2Attribute *attr = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(attrs); i++) {
		LassoSaml2AttributeValue *v;
		LassoMiscTextNode *t;

		if (!attrs[i].eid || !attrs[i].sent ||
		    !released(sp->release, attrs[i].name))
			continue;
		if (attr == NULL) {
			attr = LASSO_SAML2_ATTRIBUTE(
				lasso_saml2_attribute_new());
			attr->Name = g_strdup(VERIFIED_NAME);
			attr->NameFormat = g_strdup(NF_URI);
			attr->FriendlyName = g_strdup("verified");
		}
		v = LASSO_SAML2_ATTRIBUTE_VALUE(
			lasso_saml2_attribute_value_new());
		t = lasso_misc_text_node_new_with_string(attrs[i].name);
		t->text_child = TRUE;
		v->any = g_list_append(v->any, t);
		attr->AttributeValue = g_list_append(attr->AttributeValue, v);
	}
	if (attr != NULL)
		st->Attribute = g_list_append(st->Attribute, attr);
}

int
sso_attributes_add(LassoSaml2Assertion *assertion,
		   const struct saml_sp_entry *sp,
		   const struct store_account *a)
{
	LassoSaml2AttributeStatement *st;
	bool eidas = false;

	if (sp->release == NULL || sp->release[0] == '\0')
		return 0;
	switch (sp->profile) {
	case SAML_ATTR_PROFILE_EIDAS:
		eidas = true;
		break;
	case SAML_ATTR_PROFILE_OID:
		break;
	}
	st = LASSO_SAML2_ATTRIBUTE_STATEMENT(
		lasso_saml2_attribute_statement_new());
	if (released(sp->release, "given_name"))
		add(st,
		    eidas ? EIDAS_NP "CurrentGivenName" : "urn:oid:2.5.4.42",
		    eidas ? "FirstName" : "givenName", a->given_name);
	if (released(sp->release, "family_name"))
		add(st,
		    eidas ? EIDAS_NP "CurrentFamilyName" : "urn:oid:2.5.4.4",
		    eidas ? "FamilyName" : "sn", a->family_name);
	if (released(sp->release, "email"))
		add(st, OID_MAIL, "mail", a->email);
	if (released(sp->release, "birth_date")) {
		if (eidas) {
			add(st, EIDAS_NP "DateOfBirth", "DateOfBirth",
			    a->birth_date);
		} else {
			char *g = generalized_date(a->birth_date);
			add(st, "urn:oid:1.3.6.1.5.5.7.9.1", "dateOfBirth", g);
			g_free(g);
		}
	}
	if (released(sp->release, "address")) {
		if (eidas) {
			char *addr = eidas_address(a);
			add(st, EIDAS_NP "CurrentAddress", "CurrentAddress",
			    addr);
			g_free(addr);
		} else {
			add(st, "urn:oid:2.5.4.9", "street", a->street);
			add(st, "urn:oid:2.5.4.17", "postalCode",
			    a->postal_code);
			add(st, "urn:oid:2.5.4.7", "l", a->city);
		}
	}
	verified_add(st, sp, a);
	if (st->Attribute == NULL) {
		g_object_unref(st);
		return 0;
	}
	assertion->AttributeStatement =
		g_list_append(assertion->AttributeStatement, st);
	return 0;
}
