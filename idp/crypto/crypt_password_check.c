/*
 * The password policy (NIST SP 800-63B, 5.1.1.2): a length in characters,
 * a list of common passwords, and the account's own personal data. No
 * composition rules ("one digit, one capital"): they push people toward
 * predictable patterns and do not make passwords harder to guess.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "idp/crypto/crypt.h"
#include "idp/crypto/crypt_common_passwords.h"
#include "idp/crypto/crypt_password.h"
#include "idp/log/log.h"

/*
 * The form in which passwords and personal data are compared: case-folded
 * (full Unicode case folding: "Straße" and "STRASSE" fold alike), then NFC
 * again, since folding can leave a string that is no longer composed.
 * Owned, freed with wipe_free(); NULL for invalid UTF-8.
 */
static char *
fold(const char *s, size_t len)
{
	char *cf, *nfc;

	if (!g_utf8_validate_len(s, len, NULL))
		return NULL;
	cf = g_utf8_casefold(s, (gssize)len);
	nfc = g_utf8_normalize(cf, -1, G_NORMALIZE_NFC);
	crypt_wipe(cf, strlen(cf));
	g_free(cf);
	return nfc;
}

static void
wipe_free(char *s)
{
	if (s == NULL)
		return;
	crypt_wipe(s, strlen(s));
	g_free(s);
}

static int
cmp_entry(const void *key, const void *entry)
{
	return strcmp(key, *(const char *const *)entry);
}

/*
 * Binary search in the embedded list. Not constant-time, and it need not
 * be: the list is public, and the password compared is the one its owner
 * is choosing in this very request, so the timing tells the sender at most
 * something about a password they already know.
 */
static bool
is_common(const char *folded)
{
	return bsearch(folded, crypt_common_passwords,
		       crypt_common_passwords_count,
		       sizeof(crypt_common_passwords[0]), cmp_entry) != NULL;
}

/* Whether folded @pw equals @len bytes at @other (constant-time). */
static bool
same(const char *pw, size_t pw_len, const char *other, size_t len)
{
	return len > 0 && len == pw_len && crypt_equal(pw, other, len);
}

/* Whether folded @pw equals folded @s (NULL, "" and bad UTF-8: no). */
static bool
same_folded(const char *pw, size_t pw_len, const char *s)
{
	char *f;
	bool eq;

	if (s == NULL || *s == '\0')
		return false;
	f = fold(s, strlen(s));
	if (f == NULL)
		return false;
	eq = same(pw, pw_len, f, strlen(f));
	wipe_free(f);
	return eq;
}

/* Whether folded @pw is the e-mail address or its local part. */
static bool
is_email(const char *pw, size_t pw_len, const char *email)
{
	const char *at;
	char *f;
	bool eq;

	if (email == NULL || *email == '\0')
		return false;
	f = fold(email, strlen(email));
	if (f == NULL)
		return false;
	/* The last '@': a quoted local part may contain one. */
	at = strrchr(f, '@');
	eq = same(pw, pw_len, f, strlen(f)) ||
	     (at != NULL && same(pw, pw_len, f, (size_t)(at - f)));
	wipe_free(f);
	return eq;
}

/* Whether folded @pw is the given and family name joined by @sep. */
static bool
is_full_name(const char *pw, size_t pw_len, const char *given,
	     const char *family, const char *sep)
{
	char *joined;
	bool eq;

	if (given == NULL || *given == '\0' || family == NULL ||
	    *family == '\0')
		return false;
	joined = g_strconcat(given, sep, family, NULL);
	eq = same_folded(pw, pw_len, joined);
	g_free(joined);
	return eq;
}

enum crypt_pw_problem
crypt_password_check(const char *pw_nfc, const char *email,
		     const char *given_name, const char *family_name)
{
	enum crypt_pw_problem p = CRYPT_PW_OK;
	size_t bytes, pw_len;
	glong chars;
	char *pw = NULL;

	if (pw_nfc == NULL)
		pw_nfc = "";
	/*
	 * More than 4 bytes per allowed character is too long whatever the
	 * characters; checked before anything walks the text.
	 */
	bytes = strnlen(pw_nfc, CRYPT_PW_MAX_BYTES + 1);
	if (bytes > CRYPT_PW_MAX_BYTES)
		return CRYPT_PW_TOO_LONG;
	if (!g_utf8_validate_len(pw_nfc, bytes, NULL)) {
		log_kv(LOG_LEVEL_ERROR, "bug_password_not_normalized", NULL);
		return CRYPT_PW_TOO_LONG;
	}
	/* Characters, not bytes: "ä" is one, whatever its encoding length. */
	chars = g_utf8_strlen(pw_nfc, (gssize)bytes);
	if (chars < CRYPT_PW_MIN_CHARS)
		return CRYPT_PW_TOO_SHORT;
	if (chars > CRYPT_PW_MAX_CHARS)
		return CRYPT_PW_TOO_LONG;

	pw = fold(pw_nfc, bytes);
	if (pw == NULL)
		return CRYPT_PW_TOO_LONG; /* validated above; cannot happen */
	pw_len = strlen(pw);
	if (is_common(pw))
		p = CRYPT_PW_COMMON;
	else if (is_email(pw, pw_len, email) ||
		 same_folded(pw, pw_len, given_name) ||
		 same_folded(pw, pw_len, family_name) ||
		 is_full_name(pw, pw_len, given_name, family_name, "") ||
		 is_full_name(pw, pw_len, given_name, family_name, " "))
		p = CRYPT_PW_PERSONAL;
	wipe_free(pw);
	return p;
}

const char *
crypt_pw_problem_name(enum crypt_pw_problem p)
{
	switch (p) {
	case CRYPT_PW_OK:
		return "ok";
	case CRYPT_PW_TOO_SHORT:
		return "too_short";
	case CRYPT_PW_TOO_LONG:
		return "too_long";
	case CRYPT_PW_COMMON:
		return "common";
	case CRYPT_PW_PERSONAL:
		return "personal";
	}
	return "unknown";
}
