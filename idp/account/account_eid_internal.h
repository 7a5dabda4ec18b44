/* Helpers shared by the eID flow files of idp/account (eid_*.c). */
#ifndef IDP_ACCOUNT_ACCOUNT_EID_INTERNAL_H
#define IDP_ACCOUNT_ACCOUNT_EID_INTERNAL_H

#include "idp/account/account_eid.h"
#include "idp/account/account_internal.h"

/*
 * The card's data of @id as a person (borrowed strings of @id), with a
 * birth date that is not a full valid date and a document type over the
 * column's 16 bytes left out. False when a name is missing or a value is
 * longer than the account's columns take: such a card's data cannot be
 * stored (ACCOUNT_EID_UNUSABLE).
 */
bool account_eid_person(const struct eid_identity *id,
			struct store_eid_person *p);

/* The same checks for a person read back from a hold. */
bool account_eid_person_ok(const struct store_eid_person *p);

/*
 * The keyed hash of the card's pseudonym. Returns 0, or -1 (logged)
 * when it could not be made (no key, no pseudonym).
 */
int account_eid_hash(struct worker *w, const struct eid_identity *id,
		     uint8_t hash[STORE_HASH_BYTES]);

/*
 * Inside a running transaction: link the card @hash with data @p to the
 * account @a by the rules of account_eid_link(), set the fields, audit,
 * mail; raise session @session_id (0: none) to level high. *@out says
 * what happened. Returns a STORE_* value.
 */
int account_eid_link_tx(struct store *s, const struct store_account *a,
			const uint8_t hash[STORE_HASH_BYTES],
			const struct store_eid_person *p, int64_t session_id,
			const char *session_method,
			const struct account_actor *who,
			enum account_eid_outcome *out);

#endif
