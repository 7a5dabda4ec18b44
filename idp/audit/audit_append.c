/*
 * Appending an event to the audit chain, with the checks that keep a bad
 * call from becoming a bad row.
 */
#include <string.h>

#include <glib.h>

#include "idp/audit/audit.h"
#include "idp/log/log.h"

/* Whether @s is [a-z][a-z0-9_]* of 1..@max bytes. */
static bool
snake_case(const char *s, size_t max)
{
	size_t i;

	if (s == NULL || s[0] < 'a' || s[0] > 'z')
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= max)
			return false;
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	}
	return true;
}

/* Whether @s is valid UTF-8 of at most @max bytes (NULL: yes). */
static bool
text_ok(const char *s, size_t max)
{
	size_t len;

	if (s == NULL)
		return true;
	len = strnlen(s, max + 1);
	return len <= max && g_utf8_validate_len(s, len, NULL);
}

/* Whether @s looks like a JSON object; PostgreSQL checks the rest. */
static bool
object_ok(const char *s)
{
	if (s == NULL || !text_ok(s, AUDIT_DETAILS_MAX))
		return false;
	s += strspn(s, " \t\r\n");
	return *s == '{';
}

int
audit_append(struct store *s, const char *event, const char *actor,
	     const char *subject, const char *client, const char *details_json)
{
	const char *bad = NULL;
	int64_t seq;
	int rc;

	if (subject != NULL && subject[0] == '\0')
		subject = NULL;
	if (client != NULL && client[0] == '\0')
		client = NULL;
	/*
	 * Every failure here is a bug in the caller, not something a client
	 * can cause: event and actor are constants, subject a pseudonym,
	 * client an address the HTTP layer has parsed. So it fails the
	 * transaction (the event is not recorded without its audit row) and
	 * says which field, without its value.
	 */
	if (!snake_case(event, AUDIT_EVENT_MAX))
		bad = "event";
	else if (actor == NULL || actor[0] == '\0' ||
		 !text_ok(actor, AUDIT_ACTOR_MAX))
		bad = "actor";
	else if (!text_ok(subject, AUDIT_SUBJECT_MAX))
		bad = "subject";
	else if (!text_ok(client, AUDIT_CLIENT_MAX))
		bad = "client";
	else if (!object_ok(details_json))
		bad = "details";
	if (bad != NULL) {
		log_kv(LOG_LEVEL_ERROR, "bug_audit_invalid", "field", bad,
		       "audit_event",
		       snake_case(event, AUDIT_EVENT_MAX) ? event : NULL, NULL);
		return STORE_HARD_ERROR;
	}
	rc = store_audit_insert(s, event, actor, subject, client, details_json,
				&seq);
	if (rc == STORE_ONE_ROW || rc == STORE_SOFT_ERROR ||
	    rc == STORE_HARD_ERROR)
		return rc;
	return STORE_HARD_ERROR;
}
