/*
 * Citizen accounts: registration, e-mail verification, password login,
 * password reset, profile, e-mail change, deletion, data export.
 *
 * Plain C services: no HTTP types (handlers translate requests into these
 * calls and results into pages), no SQL (they call idp/store). Each
 * state change runs in one transaction together with its audit row and
 * the mail it causes, so that a crash never leaves an event without its
 * mail or its audit entry.
 *
 * Answers never reveal whether an e-mail address has an account: the
 * register, login, resend and forgot flows give the same result and do the
 * same expensive work for unknown addresses.
 */
#ifndef IDP_ACCOUNT_ACCOUNT_H
#define IDP_ACCOUNT_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idp/common/err.h"

struct worker;
struct store_account;

/* Who acts, for audit and mails: the request's client and language. */
struct account_actor {
	const char *client;	/* client address */
	const char *user_agent;	/* may be NULL */
	const char *lang;	/* "de" or "en" */
};

/* Per-field validation problems; each is a page_text() key or NULL. */
#define ACCOUNT_FIELDS_MAX 12
struct account_field_error {
	const char *field;	/* form field name */
	const char *key;	/* translation key of the message */
};
struct account_errors {
	struct account_field_error e[ACCOUNT_FIELDS_MAX];
	size_t n;
};

/* Profile input as typed by the citizen (borrowed strings). */
struct account_profile_input {
	const char *given_name;
	const char *family_name;
	const char *birth_date;	/* "YYYY-MM-DD" or "" */
	const char *street;
	const char *postal_code;
	const char *city;
};

struct account_registration {
	const char *email;
	const char *password;
	const char *password2;
	struct account_profile_input profile;
};

/* Results of the services. */
enum account_result {
	ACCOUNT_OK,		/* done (or: nothing to tell) */
	ACCOUNT_INVALID,	/* input refused; see struct account_errors */
	ACCOUNT_FAILED,		/* login failed / wrong password / bad link */
	ACCOUNT_THROTTLED,	/* too many attempts; retry_after set */
	ACCOUNT_UNAVAILABLE,	/* database down: 503 */
	ACCOUNT_ERROR,		/* our bug or a broken invariant: 500 */
};

/* Length of a session cookie value (base64url of 256 bits). */
#define ACCOUNT_COOKIE_LEN 43

/* --- validation (pure) --- */

/*
 * Validate a profile; adds problems to @errs. Names are required (1..200
 * characters, no control characters), birth date optional (a real date,
 * not in the future, not before 1900), address fields optional with
 * length limits. All input must be valid UTF-8.
 */
void account_profile_validate(const struct account_profile_input *p,
			      struct account_errors *errs);

/* Add a problem unless the field already has one. */
void account_errors_add(struct account_errors *errs, const char *field,
			const char *key);

/*
 * Check a new password against the policy and its repetition; on success
 * *nfc is the normalised password (free with crypt_password_free()).
 */
bool account_new_password_check(const char *pw, const char *pw2,
				const char *email, const char *given,
				const char *family, const char *field,
				struct account_errors *errs, char **nfc);

/* --- registration and verification (register.c) --- */

/*
 * Register: on valid input always ACCOUNT_OK, whether the address was new
 * (account created, verification mail) or taken (notice mail to the
 * owner instead).
 */
enum account_result account_register(struct worker *w,
				     const struct account_registration *r,
				     const struct account_actor *who,
				     struct account_errors *errs);

/* Use a verification link token (text). ACCOUNT_FAILED when invalid. */
enum account_result account_verify_email(struct worker *w, const char *token,
					 const struct account_actor *who);

/* Send a new verification link, throttled; always ACCOUNT_OK for input. */
enum account_result account_resend_verification(
	struct worker *w, const char *email, const struct account_actor *who);

/* --- login and logout (login.c) --- */

/*
 * Password login. On ACCOUNT_OK @cookie (ACCOUNT_COOKIE_LEN + 1) holds the
 * new session's cookie value; @old_cookie (may be NULL) is a session the
 * browser had before, which is ended. On ACCOUNT_THROTTLED *retry_after
 * is in seconds.
 */
enum account_result account_login(struct worker *w, const char *email,
				  const char *password, const char *old_cookie,
				  const struct account_actor *who,
				  char cookie[ACCOUNT_COOKIE_LEN + 1],
				  unsigned *retry_after);

/* End the session @si (logout), audited. */
struct session_info;
enum account_result account_logout(struct worker *w,
				   const struct session_info *si,
				   const struct account_actor *who);

/* --- password reset and change (password.c) --- */

/* Always ACCOUNT_OK for well-formed input; a mail only if the account exists. */
enum account_result account_forgot(struct worker *w, const char *email,
				   const struct account_actor *who);

/* Whether a reset token is (still) usable, without using it. */
bool account_reset_token_plausible(const char *token);

/* Set a new password with a reset token; ends every session. */
enum account_result account_reset(struct worker *w, const char *token,
				  const char *password, const char *password2,
				  const struct account_actor *who,
				  struct account_errors *errs);

/*
 * The current password that the changes below require is throttled with
 * the login's counters (the account's address and the client, see
 * docs/accounts.md): ACCOUNT_THROTTLED with *retry_after in seconds, and
 * no password work and no change; a wrong one is ACCOUNT_INVALID with
 * err.password_wrong on its field.
 */

/*
 * Change the password of the logged-in account (current password
 * required); ends every other session.
 */
enum account_result
account_change_password(struct worker *w, int64_t account_id,
			const uint8_t *session_hash, const char *current,
			const char *password, const char *password2,
			const struct account_actor *who,
			struct account_errors *errs, unsigned *retry_after);

/* --- profile, e-mail, deletion, export (profile.c) --- */

enum account_result account_update_profile(struct worker *w,
					   int64_t account_id,
					   const struct account_profile_input *p,
					   const struct account_actor *who,
					   struct account_errors *errs);

/*
 * Start an e-mail change: current password required; a link goes to the
 * new address, a notice to the old one. The change happens on the link.
 */
enum account_result account_change_email(struct worker *w, int64_t account_id,
					 const char *new_email,
					 const char *password,
					 const struct account_actor *who,
					 struct account_errors *errs,
					 unsigned *retry_after);

/* Use an e-mail change link. ACCOUNT_FAILED when invalid or taken. */
enum account_result account_confirm_email(struct worker *w, const char *token,
					  const struct account_actor *who);

/* Delete the account (password required). */
enum account_result account_delete(struct worker *w, int64_t account_id,
				   const char *password,
				   const struct account_actor *who,
				   struct account_errors *errs,
				   unsigned *retry_after);

/* All data about the account as a JSON document (g_free()). */
enum account_result account_export(struct worker *w, int64_t account_id,
				   char **json);

/*
 * Periodic cleanup: unverified accounts, used links, expired sessions, old
 * throttle counters, expired SAML pending requests and replay entries.
 */
void account_purge(struct worker *w);

/* Run account_purge() in a thread of its own every few minutes. */
struct cfg;
IDP_WUR int account_janitor_start(const struct cfg *cfg);
void account_janitor_stop(void);

#endif
