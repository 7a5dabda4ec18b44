/*
 * Putting a mail into the outbox, inside the caller's transaction.
 */
#include <glib.h>
#include <string.h>

#include "idp/log/log.h"
#include "idp/mail/mail.h"
#include "idp/mail/mail_internal.h"
#include "idp/store/store_mail.h"

/* C0, DEL and C1 controls. */
static bool
is_control(gunichar c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

/*
 * Line breaks would end the header (and start a new one); the other
 * controls have no business in a subject.
 */
const char *
mail_subject_problem(const char *subject)
{
	size_t n = strnlen(subject, MAIL_SUBJECT_MAX + 1);

	if (n > MAIL_SUBJECT_MAX)
		return "too long";
	if (!g_utf8_validate(subject, (gssize)n, NULL))
		return "not UTF-8";
	for (const char *p = subject; *p != '\0';
	     p += g_utf8_skip[*(const guchar *)p])
		if (is_control(g_utf8_get_char(p)))
			return "control character";
	return NULL;
}

/*
 * A lone CR would be read differently by different programs, so it is
 * refused rather than guessed at.
 */
const char *
mail_body_problem(const char *body)
{
	size_t n = strnlen(body, MAIL_BODY_MAX + 1);

	if (n > MAIL_BODY_MAX)
		return "too long";
	if (!g_utf8_validate(body, (gssize)n, NULL))
		return "not UTF-8";
	for (const char *p = body; *p != '\0';
	     p += g_utf8_skip[*(const guchar *)p]) {
		gunichar c = g_utf8_get_char(p);

		if (c == '\r' && p[1] != '\n')
			return "lone CR";
		if (is_control(c) && c != '\t' && c != '\n' && c != '\r')
			return "control character";
	}
	return NULL;
}

static int
invalid(const char *field, const char *reason)
{
	/* The content stays out of the log: it is personal data. */
	log_kv(LOG_LEVEL_ERROR, "mail_invalid", "field", field, "reason",
	       reason, NULL);
	return STORE_HARD_ERROR;
}

int
mail_enqueue(struct store *s, const char *to, const char *subject,
	     const char *body)
{
	const char *why;
	int64_t id;
	int rc;

	if (!mail_address_valid(to))
		return invalid("to", to == NULL ? "missing" : "not an address");
	if (subject == NULL)
		return invalid("subject", "missing");
	if ((why = mail_subject_problem(subject)) != NULL)
		return invalid("subject", why);
	if (body == NULL)
		return invalid("body", "missing");
	if ((why = mail_body_problem(body)) != NULL)
		return invalid("body", why);
	rc = store_mail_insert(s, to, subject, body, &id);
	if (rc == STORE_ONE_ROW) {
		char buf[21];

		(void)g_snprintf(buf, sizeof(buf), "%" G_GINT64_FORMAT,
				 (gint64)id);
		log_kv(LOG_LEVEL_DEBUG, "mail_enqueued", "mail_id", buf, NULL);
	}
	return rc;
}
