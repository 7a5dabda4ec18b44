/*
 * Which AuthnContextClassRef may be asserted: one level model for the
 * eIDAS levels of assurance, the STORK QAA levels and the mechanisms
 * (password, eID card), evaluated with the comparisons of saml-core-2.0
 * section 3.3.2.2.1. The rule that never bends: nothing above the level
 * the session has is asserted.
 */
#include <string.h>

#include "idp/saml/saml.h"

#define LEVEL_MAX 3

enum family {
	FAMILY_EIDAS,
	FAMILY_STORK,
	FAMILY_MECHANISM,
};
#define FAMILIES 3

struct class_ref {
	const char *uri;
	enum family family;
	int level;
};

/*
 * The first entry of a family and level is the name we assert for it;
 * Password is accepted in requests but PasswordProtectedTransport is what
 * our login (always over TLS in production) is.
 */
static const struct class_ref refs_known[] = {
	{"http://eidas.europa.eu/LoA/low", FAMILY_EIDAS, 1},
	{"http://eidas.europa.eu/LoA/substantial", FAMILY_EIDAS, 2},
	{"http://eidas.europa.eu/LoA/high", FAMILY_EIDAS, 3},
	{"STORK-QAA-Level-1", FAMILY_STORK, 0},
	{"STORK-QAA-Level-2", FAMILY_STORK, 1},
	{"STORK-QAA-Level-3", FAMILY_STORK, 2},
	{"STORK-QAA-Level-4", FAMILY_STORK, 3},
	{"urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
	 FAMILY_MECHANISM, 1},
	{"urn:oasis:names:tc:SAML:2.0:ac:classes:Password", FAMILY_MECHANISM,
	 1},
	{"urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
	 FAMILY_MECHANISM, 3},
};
#define N_KNOWN (sizeof(refs_known) / sizeof(refs_known[0]))

static const struct class_ref *
lookup(const char *uri)
{
	for (size_t i = 0; i < N_KNOWN; i++)
		if (strcmp(refs_known[i].uri, uri) == 0)
			return &refs_known[i];
	return NULL;
}

/* The name of @level in @f, or NULL when the family has none. */
static const char *
name_of(enum family f, int level)
{
	for (size_t i = 0; i < N_KNOWN; i++)
		if (refs_known[i].family == f && refs_known[i].level == level)
			return refs_known[i].uri;
	return NULL;
}

int
saml_level_of_loa(const char *loa)
{
	if (loa == NULL)
		return -1;
	if (strcmp(loa, "low") == 0)
		return 1;
	if (strcmp(loa, "substantial") == 0)
		return 2;
	if (strcmp(loa, "high") == 0)
		return 3;
	return -1;
}

/*
 * The highest level of family @f at most @ceiling and above @floor (both
 * inclusive; floor -1: none) that has a name: the strongest claim the
 * session supports within what was asked.
 */
static const char *
best(enum family f, int floor, int ceiling)
{
	for (int l = ceiling; l >= 0 && l >= floor; l--) {
		const char *n = name_of(f, l);
		if (n != NULL)
			return n;
	}
	return NULL;
}

int
saml_level_choose(const char *comparison, const char *const *refs, size_t n,
		  int session_level, const char **chosen)
{
	const struct class_ref *first = NULL;
	int lo = LEVEL_MAX + 1, hi = -1;
	const char *pick = NULL;

	*chosen = NULL;
	if (session_level < 0 || session_level > LEVEL_MAX)
		return SAML_E_NO_AUTHN_CONTEXT;
	if (comparison != NULL && strcmp(comparison, "exact") != 0 &&
	    strcmp(comparison, "minimum") != 0 &&
	    strcmp(comparison, "better") != 0 &&
	    strcmp(comparison, "maximum") != 0)
		return SAML_E_AUTHN_CONTEXT;
	if (n == 0) {
		*chosen = name_of(FAMILY_EIDAS, session_level);
		return *chosen != NULL ? 0 : SAML_E_NO_AUTHN_CONTEXT;
	}
	for (size_t i = 0; i < n; i++) {
		const struct class_ref *r = lookup(refs[i]);
		if (r == NULL)
			continue; /* not ours to judge: ignored */
		if (first == NULL)
			first = r;
		if (r->level < lo)
			lo = r->level;
		if (r->level > hi)
			hi = r->level;
	}
	if (first == NULL)
		return SAML_E_NO_AUTHN_CONTEXT;
	if (comparison == NULL || strcmp(comparison, "exact") == 0) {
		/* Exactly one of those named: the strongest we can back. */
		int got = -1;
		for (size_t i = 0; i < n; i++) {
			const struct class_ref *r = lookup(refs[i]);
			if (r != NULL && r->level <= session_level &&
			    r->level > got) {
				got = r->level;
				pick = r->uri;
			}
		}
	} else if (strcmp(comparison, "minimum") == 0) {
		/* At least as strong as one of them: the weakest counts. */
		pick = best(first->family, lo, session_level);
	} else if (strcmp(comparison, "better") == 0) {
		pick = best(first->family, lo + 1, session_level);
	} else {
		/* maximum: as strong as we can without exceeding them. */
		pick = best(first->family, -1,
			    hi < session_level ? hi : session_level);
	}
	if (pick == NULL)
		return SAML_E_NO_AUTHN_CONTEXT;
	*chosen = pick;
	return 0;
}
