/*
 * The eID flows of the accounts (docs/eid.md, "Flows"): link a card to an
 * account, log in with it, hold the verified identity of an unknown card
 * for a registration or a password login that links it, replace a
 * renewed card, unlink, and step a session up to level high for a
 * portal. They act on an identity the eID module has verified
 * (eid_acs()); none of them talks to the eID service.
 *
 * Plain C services like account.h: no HTTP types, no SQL; each change
 * runs in one transaction with its audit row and its notice mail. The
 * card's pseudonym is only ever handled as its keyed hash
 * (eid_pseudonym_hash()) and never logged.
 *
 * Thread-safety: every function runs on the calling worker's own struct
 * worker.
 */
#ifndef IDP_ACCOUNT_ACCOUNT_EID_H
#define IDP_ACCOUNT_ACCOUNT_EID_H

#include <stdint.h>

#include "idp/account/account.h"
#include "idp/crypto/crypt.h"
#include "idp/store/store_eidlink.h"

struct eid_identity;
struct session_info;

/* A held identity waits this long for the registration or login. */
#define ACCOUNT_EID_HOLD_TTL_S 900

/*
 * The cookie naming the held identity of this browser: 256 random bits
 * (base64url), HttpOnly, SameSite=Lax, __Host- and Secure under https,
 * ACCOUNT_EID_HOLD_TTL_S; the database keeps only its hash.
 */
#define ACCOUNT_EID_HOLD_COOKIE "sk_eid_hold"

/* What became of a card presented for linking. */
enum account_eid_outcome {
	ACCOUNT_EID_LINKED,    /* linked (first card of the account) */
	ACCOUNT_EID_REFRESHED, /* the linked card again: data refreshed */
	ACCOUNT_EID_REPLACED,  /* a new card with the same person replaced it */
	ACCOUNT_EID_TAKEN,     /* the card belongs to another account */
	ACCOUNT_EID_MISMATCH,  /* a new card: names or birth date differ */
	ACCOUNT_EID_GONE,      /* the held identity expired or was used */
	ACCOUNT_EID_UNUSABLE,  /* the card's data does not fit an account */
};

/* Stable name of an outcome ("linked", ...), for audit and tests. */
const char *account_eid_outcome_name(enum account_eid_outcome o);

/*
 * The eID state of account @account_id for the pages: link and place of
 * birth (store_eidlink_clear()). ACCOUNT_OK, ACCOUNT_FAILED (no such
 * account) or ACCOUNT_UNAVAILABLE.
 */
enum account_result account_eid_state(struct worker *w, int64_t account_id,
				      struct store_eidlink *out);

/*
 * Before a LINK starts: the account's current @password, because a card
 * linked to an account logs in to it from then on; a stolen session
 * alone must not be enough to add a card of the thief's. Throttled with
 * the login's counters (docs/accounts.md, "Throttling"). ACCOUNT_OK,
 * ACCOUNT_INVALID (err_password in @errs, audited eid_link_failed),
 * ACCOUNT_THROTTLED (*@retry_after seconds; the password was not
 * checked), ACCOUNT_UNAVAILABLE.
 */
enum account_result account_eid_reauth(struct worker *w, int64_t account_id,
				       const char *password,
				       const struct account_actor *who,
				       struct account_errors *errs,
				       unsigned *retry_after);

/*
 * LINK: link the card of @id to the account of the session @si (the
 * session the eID request was started from; the caller checks that it is
 * this browser's). The rules: a card linked to another account is
 * refused (ACCOUNT_EID_TAKEN, audited eid_link_refused); the card already
 * linked refreshes the data; an account with another card gets the new
 * one only when family name, given names and date of birth equal the
 * stored ones (ACCOUNT_EID_REPLACED, audited eid_link_replaced; else
 * ACCOUNT_EID_MISMATCH, audited eid_link_refused). On a link the names,
 * birth date, place of birth and address are set from the card with
 * source 'eid', the session is raised to level high (the card was just
 * read in it; its auth_method stays), eid_linked is audited and the
 * owner gets the mail eid_linked. ACCOUNT_OK with *@out, or
 * ACCOUNT_UNAVAILABLE / ACCOUNT_ERROR.
 */
enum account_result account_eid_link(struct worker *w,
				     const struct session_info *si,
				     const struct eid_identity *id,
				     const struct account_actor *who,
				     enum account_eid_outcome *out);

/* What an eID login came to. */
enum account_eid_login_result {
	ACCOUNT_EID_LOGIN_OK,	    /* new session: @cookie */
	ACCOUNT_EID_LOGIN_UNKNOWN,  /* no account has the card: held */
	ACCOUNT_EID_LOGIN_REFUSED,  /* locked or unverified account */
	ACCOUNT_EID_LOGIN_UNUSABLE, /* unknown card whose data fits no account
				     */
};

/*
 * LOGIN with the card of @id. A linked card of an active, verified
 * account: a new session (auth_method eid, loa high) whose cookie value
 * goes to @cookie, the browser's previous session @old_cookie (may be
 * NULL) ended, login_succeeded audited (method eid). A locked or
 * unverified account: refused like a failed password login
 * (login_failed audited). An unknown card: the identity is held for
 * ACCOUNT_EID_HOLD_TTL_S with @pending (the portal's pending id or NULL)
 * under a new handle written to @handle (the cookie value). Returns
 * ACCOUNT_OK with *@res, or ACCOUNT_UNAVAILABLE / ACCOUNT_ERROR.
 */
enum account_result account_eid_login(
	struct worker *w, const struct eid_identity *id, const char *pending,
	const char *old_cookie, const struct account_actor *who,
	enum account_eid_login_result *res, char cookie[ACCOUNT_COOKIE_LEN + 1],
	char handle[CRYPT_TOKEN_TEXT_LEN + 1]);

/*
 * The identity held under the cookie value @handle, without using it up
 * (to pre-fill the registration form). ACCOUNT_OK with @out filled
 * (store_eid_hold_clear()), ACCOUNT_FAILED when there is none (expired,
 * used, malformed handle) or ACCOUNT_UNAVAILABLE.
 */
enum account_result account_eid_hold_peek(struct worker *w, const char *handle,
					  struct store_eid_hold *out);

/*
 * After a successful password login in the browser holding @handle: use
 * the held identity up and link it to the account of @si with the rules
 * of account_eid_link() (the session's level is not raised: the card was
 * read before this login). ACCOUNT_OK with *@out (ACCOUNT_EID_GONE when
 * the hold expired), or ACCOUNT_UNAVAILABLE / ACCOUNT_ERROR.
 */
enum account_result account_eid_link_held(struct worker *w,
					  const struct session_info *si,
					  const char *handle,
					  const struct account_actor *who,
					  enum account_eid_outcome *out);

/*
 * Register a new account pre-filled with the identity held under
 * @handle: e-mail and password from the form (@r->profile is ignored;
 * the names, birth date, place of birth and address come from the card
 * with source 'eid'), the card linked at creation, the e-mail verified by
 * link as for account_register() (an address that has an account gets
 * the "exists" mail and the same answer). The hold is used up.
 * ACCOUNT_OK, ACCOUNT_INVALID (@errs), ACCOUNT_FAILED (the hold expired
 * or its card was linked meanwhile: *@out says which),
 * ACCOUNT_UNAVAILABLE or ACCOUNT_ERROR.
 */
enum account_result account_eid_register(struct worker *w, const char *handle,
					 const struct account_registration *r,
					 const struct account_actor *who,
					 struct account_errors *errs,
					 enum account_eid_outcome *out);

/*
 * Unlink the card of account @account_id: the current @password is
 * required (err_password in @errs otherwise, audited
 * eid_unlink_failed; throttled like account_eid_reauth():
 * ACCOUNT_THROTTLED with *@retry_after); the card's fields keep their
 * values with source 'self' again; eid_unlinked audited, the mail
 * eid_unlinked sent. ACCOUNT_OK, ACCOUNT_INVALID, ACCOUNT_THROTTLED,
 * ACCOUNT_FAILED (no card linked), ACCOUNT_UNAVAILABLE.
 */
enum account_result account_eid_unlink(struct worker *w, int64_t account_id,
				       const char *password,
				       const struct account_actor *who,
				       struct account_errors *errs,
				       unsigned *retry_after);

/*
 * STEP_UP: the card of @id must be the one linked to the account of @si;
 * then the session becomes auth_method eid, loa high (eid_step_up
 * audited). ACCOUNT_OK; ACCOUNT_FAILED for another card or no link
 * (eid_step_up_refused audited) or a session that ended meanwhile;
 * ACCOUNT_UNAVAILABLE.
 */
enum account_result account_eid_step_up(struct worker *w,
					const struct session_info *si,
					const struct eid_identity *id,
					const struct account_actor *who);

/*
 * Whether the fields of @p that the account @a has from its eID differ
 * from its stored values (the profile form must not change them). NULL
 * fields of @p count as unchanged. Adds err.eid_readonly to @errs for
 * each one. Pure.
 */
void account_eid_readonly_check(const struct store_account *a,
				const struct account_profile_input *p,
				struct account_errors *errs);

/* Janitor: delete expired held identities. Returns a STORE_* value. */
IDP_WUR int account_eid_purge(struct store *s, int64_t *n);

#endif
