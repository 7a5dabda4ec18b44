/*
 * One line for a person on why a key change was refused.
 */
#include <stdio.h>
#include <time.h>

#include "keys/keys_internal.h"

/* "YYYY-MM-DDTHH:MM:SSZ" of Unix time @t into @buf (32 bytes). */
static const char *
utc(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(buf, 32, "%lld", (long long)t);
	return buf;
}

const char *
keys_refusal_format(const struct keys_result *r, unsigned window_s, char *buf,
		    size_t len)
{
	long long id = (long long)r->id;
	const char *p = keys_purpose_name(r->purpose);
	char t[32];

	switch (r->refusal) {
	case KEYS_DONE:
		keys_report(buf, len, "done");
		break;
	case KEYS_NO_SUCH_KEY:
		keys_report(buf, len, "no key with id %lld", id);
		break;
	case KEYS_NEXT_EXISTS:
		keys_report(buf, len,
			    "there is a next %s key already: key %lld; "
			    "activate or retire it first (at most one next "
			    "key per purpose)",
			    p, id);
		break;
	case KEYS_NOT_NEXT:
		keys_report(buf, len,
			    "%s key %lld is %s, not next: only a next key "
			    "can be activated",
			    p, id, keys_state_name(r->state));
		break;
	case KEYS_TOO_EARLY:
		keys_report(buf, len,
			    "%s key %lld has been published for %lld s, less "
			    "than the rollover window of %u s; it can be "
			    "activated from %s",
			    p, id, (long long)r->published_for, window_s,
			    utc(r->ready_at, t));
		break;
	case KEYS_IS_ACTIVE:
		keys_report(buf, len,
			    "key %lld is the active %s key; activate another "
			    "%s key first",
			    id, p, p);
		break;
	case KEYS_IS_RETIRED:
		keys_report(buf, len, "%s key %lld is already retired", p, id);
		break;
	case KEYS_WRONG_MASTER:
		keys_report(buf, len,
			    "key %lld does not open with this master key, or "
			    "does not match its certificate (wrong master key "
			    "file?); nothing was changed",
			    id);
		break;
	case KEYS_NOTHING_TO_DO:
		keys_report(buf, len,
			    "nothing to do: next %s key %lld becomes "
			    "activatable at %s",
			    p, id, utc(r->ready_at, t));
		break;
	}
	return buf;
}
