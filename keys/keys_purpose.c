/*
 * The names of the key purposes, as the database and idpctl spell them.
 */
#include <string.h>

#include "keys/keys.h"

const char *
keys_purpose_name(enum keys_purpose p)
{
	switch (p) {
	case KEYS_PURPOSE_SAML:
		return "saml";
	case KEYS_PURPOSE_EID_SIGNING:
		return "eid-signing";
	case KEYS_PURPOSE_EID_ENCRYPTION:
		return "eid-encryption";
	}
	return "unknown";
}

bool
keys_purpose_parse(const char *name, enum keys_purpose *p)
{
	static const enum keys_purpose all[] = {
		KEYS_PURPOSE_SAML,
		KEYS_PURPOSE_EID_SIGNING,
		KEYS_PURPOSE_EID_ENCRYPTION,
	};

	if (name == NULL)
		return false;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(name, keys_purpose_name(all[i])) == 0) {
			*p = all[i];
			return true;
		}
	}
	return false;
}
