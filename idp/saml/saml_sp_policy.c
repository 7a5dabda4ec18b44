/*
 * The settings of a relying party as text: the release list, the
 * attribute profile and the NameID format.
 */
#include <string.h>

#include "idp/saml/saml_internal.h"

/* The attribute names, in the canonical order of SAML_SP_ATTRIBUTES. */
static const char *const attributes[] = {
	"given_name", "family_name", "email", "birth_date", "address",
};

#define N_ATTRIBUTES (sizeof(attributes) / sizeof(attributes[0]))

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

int
saml_sp_release_parse(const char *list, char out[SAML_SP_RELEASE_MAX],
		      char *err, size_t errlen)
{
	char shown[SAML_SHOWN_MAX + 4], name[SAML_SHOWN_MAX + 1];
	bool want[N_ATTRIBUTES] = {false};
	const char *p = list;
	size_t n;

	out[0] = '\0';
	while (blank(*p))
		p++;
	if (strcmp(p, "none") == 0 || *p == '\0')
		return 0;
	while (*p != '\0') {
		size_t i;

		while (blank(*p))
			p++;
		n = strcspn(p, ",");
		/* Names end before blanks and the comma. */
		while (n > 0 && blank(p[n - 1]))
			n--;
		if (n > SAML_SHOWN_MAX)
			n = SAML_SHOWN_MAX;
		memcpy(name, p, n);
		name[n] = '\0';
		for (i = 0; i < N_ATTRIBUTES; i++)
			if (strcmp(name, attributes[i]) == 0)
				break;
		if (i == N_ATTRIBUTES)
			return idp_errf(err, errlen, IDP_ERR_INVALID,
					 "unknown attribute '%s' (known: %s)",
					 idp_shown(name, SAML_SHOWN_MAX, shown),
					 SAML_SP_ATTRIBUTES);
		want[i] = true;
		p += strcspn(p, ",");
		if (*p == ',') {
			p++;
			if (*p == '\0')
				return idp_errf(err, errlen, IDP_ERR_INVALID,
						 "the attribute list ends in "
						 "a comma");
		}
	}
	/* Canonical: each once, in the fixed order. Always fits. */
	for (size_t i = 0; i < N_ATTRIBUTES; i++) {
		if (!want[i])
			continue;
		if (out[0] != '\0')
			(void)strcat(out, ",");
		(void)strcat(out, attributes[i]);
	}
	return 0;
}

int
saml_attr_profile_parse(const char *s, enum saml_attr_profile *out)
{
	if (strcmp(s, "eidas") == 0)
		*out = SAML_ATTR_PROFILE_EIDAS;
	else if (strcmp(s, "oid") == 0)
		*out = SAML_ATTR_PROFILE_OID;
	else
		return IDP_ERR_INVALID;
	return 0;
}

const char *
saml_attr_profile_name(enum saml_attr_profile p)
{
	switch (p) {
	case SAML_ATTR_PROFILE_EIDAS:
		return "eidas";
	case SAML_ATTR_PROFILE_OID:
		return "oid";
	}
	return "oid";
}

int
saml_nameid_parse(const char *s, enum saml_nameid *out)
{
	if (strcmp(s, "persistent") == 0)
		*out = SAML_NAMEID_PERSISTENT;
	else if (strcmp(s, "transient") == 0)
		*out = SAML_NAMEID_TRANSIENT;
	else
		return IDP_ERR_INVALID;
	return 0;
}

const char *
saml_nameid_name(enum saml_nameid n)
{
	switch (n) {
	case SAML_NAMEID_PERSISTENT:
		return "persistent";
	case SAML_NAMEID_TRANSIENT:
		return "transient";
	}
	return "persistent";
}
