/* Validation of account input: pure functions, no database. */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "idp/account/account.h"
#include "idp/common/limits.h"
#include "idp/crypto/crypt.h"
#include "idp/mail/mail.h"

void
account_errors_add(struct account_errors *errs, const char *field,
		   const char *key)
{
	for (size_t i = 0; i < errs->n; i++)
		if (strcmp(errs->e[i].field, field) == 0)
			return;
	if (errs->n < ACCOUNT_FIELDS_MAX) {
		errs->e[errs->n].field = field;
		errs->e[errs->n].key = key;
		errs->n++;
	}
}

/* UTF-8 without control characters, at most @max characters. */
static bool
text_ok(const char *s, size_t max_chars)
{
	if (!g_utf8_validate(s, -1, NULL) ||
	    g_utf8_strlen(s, -1) > (glong)max_chars)
		return false;
	for (const char *p = s; *p != '\0'; p = g_utf8_find_next_char(p, NULL)) {
		gunichar c = g_utf8_get_char(p);
		if (g_unichar_iscntrl(c) || c == 0x2028 || c == 0x2029)
			return false;
	}
	return true;
}

static bool
blank(const char *s)
{
	if (s == NULL)
		return true;
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

/* "YYYY-MM-DD", a real date between 1900-01-01 and today. */
static bool
date_ok(const char *s)
{
	unsigned y, m, d;
	char tail;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3)
		return false;
	for (size_t i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	if (y < 1900 || !g_date_valid_dmy((GDateDay)d, (GDateMonth)m,
					  (GDateYear)y))
		return false;
	GDate *date = g_date_new_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y);
	GDate *today = g_date_new();
	g_date_set_time_t(today, time(NULL));
	bool past = g_date_compare(date, today) <= 0;
	g_date_free(date);
	g_date_free(today);
	return past;
}

void
account_profile_validate(const struct account_profile_input *p,
			 struct account_errors *errs)
{
	if (blank(p->given_name))
		account_errors_add(errs, "given_name", "err.required");
	else if (!text_ok(p->given_name, ACCOUNT_NAME_MAX_CHARS))
		account_errors_add(errs, "given_name", "err.text_invalid");
	if (blank(p->family_name))
		account_errors_add(errs, "family_name", "err.required");
	else if (!text_ok(p->family_name, ACCOUNT_NAME_MAX_CHARS))
		account_errors_add(errs, "family_name", "err.text_invalid");
	if (!blank(p->birth_date) && !date_ok(p->birth_date))
		account_errors_add(errs, "birth_date", "err.date_invalid");
	if (p->street != NULL && !text_ok(p->street, ACCOUNT_STREET_MAX_CHARS))
		account_errors_add(errs, "street", "err.text_invalid");
	if (p->postal_code != NULL &&
	    !text_ok(p->postal_code, ACCOUNT_POSTAL_CODE_MAX_CHARS))
		account_errors_add(errs, "postal_code", "err.text_invalid");
	if (p->city != NULL && !text_ok(p->city, ACCOUNT_CITY_MAX_CHARS))
		account_errors_add(errs, "city", "err.text_invalid");
}

bool
account_new_password_check(const char *pw, const char *pw2, const char *email,
			   const char *given, const char *family,
			   const char *field, struct account_errors *errs,
			   char **nfc)
{
	*nfc = NULL;
	if (pw == NULL || pw[0] == '\0') {
		account_errors_add(errs, field, "err.required");
		return false;
	}
	/* Bound the work before normalising: 4 bytes per character at most. */
	if (strlen(pw) > CRYPT_PW_MAX_BYTES) {
		account_errors_add(errs, field, "err.password_too_long");
		return false;
	}
	if (crypt_password_normalize(pw, strlen(pw), nfc) != 0) {
		account_errors_add(errs, field, "err.text_invalid");
		return false;
	}
	switch (crypt_password_check(*nfc, email, given, family)) {
	case CRYPT_PW_OK:
		break;
	case CRYPT_PW_TOO_SHORT:
		account_errors_add(errs, field, "err.password_too_short");
		goto bad;
	case CRYPT_PW_TOO_LONG:
		account_errors_add(errs, field, "err.password_too_long");
		goto bad;
	case CRYPT_PW_COMMON:
		account_errors_add(errs, field, "err.password_common");
		goto bad;
	case CRYPT_PW_PERSONAL:
		account_errors_add(errs, field, "err.password_personal");
		goto bad;
	}
	if (pw2 == NULL || strcmp(pw, pw2) != 0) {
		account_errors_add(errs, "password2", "err.password_mismatch");
		goto bad;
	}
	return true;
bad:
	crypt_password_free(*nfc);
	*nfc = NULL;
	return false;
}
