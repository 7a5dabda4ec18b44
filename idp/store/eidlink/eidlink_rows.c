/*
 * Row decoding of the eID link domain and the _clear() functions of its
 * public structs.
 */
#include <stdlib.h>
#include <string.h>

#include "idp/log/log.h"
#include "idp/store/eidlink/eidlink_rows.h"

void
store_eid_person_clear(struct store_eid_person *p)
{
	if (p == NULL)
		return;
	free(p->family_name);
	free(p->given_names);
	free(p->birth_date);
	free(p->place_of_birth);
	free(p->street);
	free(p->postal_code);
	free(p->city);
	free(p->document_type);
	memset(p, 0, sizeof(*p));
}

void
store_eidlink_clear(struct store_eidlink *l)
{
	if (l == NULL)
		return;
	free(l->document_type);
	free(l->place_of_birth);
	free(l->place_of_birth_source);
	explicit_bzero(l, sizeof(*l));
}

void
store_eid_hold_clear(struct store_eid_hold *h)
{
	if (h == NULL)
		return;
	store_eid_person_clear(&h->person);
	free(h->pending);
	explicit_bzero(h, sizeof(*h));
}

bool
eidlink_unhex(const char *hex, uint8_t hash[STORE_HASH_BYTES])
{
	if (hex == NULL || strlen(hex) != 2 * STORE_HASH_BYTES)
		return false;
	for (size_t i = 0; i < STORE_HASH_BYTES; i++) {
		unsigned v = 0;
		for (size_t j = 0; j < 2; j++) {
			char c = hex[2 * i + j];
			unsigned d;
			if (c >= '0' && c <= '9')
				d = (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				d = (unsigned)(c - 'a' + 10);
			else
				return false;
			v = v * 16 + d;
		}
		hash[i] = (uint8_t)v;
	}
	return true;
}

const char *
eidlink_opt(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

int
eidlink_row_hold(const PGresult *res, struct store_eid_hold *out)
{
	static const char *const names[EIDLINK_HOLD_COLUMNS] = {
		"pseudonym_hash", "family_name", "given_names", "birth_date",
		"place_of_birth", "street",	 "postal_code", "city",
		"document_type",  "pending",
	};
	char **dst[EIDLINK_HOLD_COLUMNS - 1] = {
		&out->person.family_name,
		&out->person.given_names,
		&out->person.birth_date,
		&out->person.place_of_birth,
		&out->person.street,
		&out->person.postal_code,
		&out->person.city,
		&out->person.document_type,
		&out->pending,
	};

	memset(out, 0, sizeof(*out));
	if (PQnfields(res) != EIDLINK_HOLD_COLUMNS)
		goto bad;
	for (int i = 0; i < EIDLINK_HOLD_COLUMNS; i++)
		if (strcmp(PQfname(res, i), names[i]) != 0)
			goto bad;
	if (PQgetisnull(res, 0, 0) ||
	    !eidlink_unhex(PQgetvalue(res, 0, 0), out->pseudonym_hash))
		goto bad;
	for (int i = 1; i < EIDLINK_HOLD_COLUMNS; i++)
		if (!store_row_text(res, 0, i, true, dst[i - 1]))
			goto bad;
	return STORE_ONE_ROW;
bad:
	log_kv(LOG_LEVEL_ERROR, "bug_store_row", "what", "eid_hold", NULL);
	store_eid_hold_clear(out);
	return STORE_HARD_ERROR;
}
