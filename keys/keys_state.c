/*
 * The names of the key states, as the database spells them.
 */
#include <string.h>

#include "keys/keys.h"

const char *
keys_state_name(enum keys_state st)
{
	switch (st) {
	case KEYS_STATE_NEXT:
		return "next";
	case KEYS_STATE_ACTIVE:
		return "active";
	case KEYS_STATE_PREVIOUS:
		return "previous";
	case KEYS_STATE_RETIRED:
		return "retired";
	}
	return "unknown";
}

bool
keys_state_parse(const char *name, enum keys_state *st)
{
	static const enum keys_state all[] = {
		KEYS_STATE_NEXT,
		KEYS_STATE_ACTIVE,
		KEYS_STATE_PREVIOUS,
		KEYS_STATE_RETIRED,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(name, keys_state_name(all[i])) == 0) {
			*st = all[i];
			return true;
		}
	}
	return false;
}
