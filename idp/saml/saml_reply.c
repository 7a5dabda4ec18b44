/*
 * struct saml_reply, and the small helpers every SSO step shares: random
 * ids, times (the parser with idp/eid), lasso failures, the pending id's
 * shape.
 */
#include <string.h>
#include <time.h>

#include "idp/crypto/crypt.h"
#include "idp/log/log.h"
#include "idp/saml/saml_internal.h"
#include "idp/saml/sso_internal.h"

void
saml_reply_clear(struct saml_reply *r)
{
	g_free(r->acs_url);
	g_free(r->acs_origin);
	g_free(r->saml_response);
	g_free(r->relay_state);
	crypt_wipe(r->pending, sizeof(r->pending));
	memset(r, 0, sizeof(*r));
}

void
sso_reply_page(struct saml_reply *out, enum saml_error e)
{
	saml_reply_clear(out);
	out->kind = SAML_REPLY_PAGE;
	out->error = e;
}

void
sso_random_id(char out[SAML_PENDING_ID_LEN + 1])
{
	uint8_t rnd[CRYPT_TOKEN_BYTES];

	crypt_token_new(rnd);
	crypt_token_format(rnd, out);
	crypt_wipe(rnd, sizeof(rnd));
}

bool
saml_pending_id_valid(const char *pending)
{
	uint8_t token[CRYPT_TOKEN_BYTES];
	bool ok = crypt_token_parse(pending, token) == 0;

	crypt_wipe(token, sizeof(token));
	return ok;
}

char *
saml_time_format(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return g_strdup(buf);
}

bool
saml_time_parse(const char *s, int64_t *t)
{
	int y, mo, d, h, mi, sec, n = 0;
	struct tm tm;

	if (s == NULL || strlen(s) > 40 ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
		   &n) != 6 ||
	    n != 19)
		return false;
	s += n;
	/* Fractions of a second are allowed and ignored. */
	if (*s == '.') {
		s++;
		if (!g_ascii_isdigit(*s))
			return false;
		while (g_ascii_isdigit(*s))
			s++;
	}
	/* saml-core 1.3.3: UTC, with the Z. */
	if (strcmp(s, "Z") != 0)
		return false;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*t = (int64_t)timegm(&tm);
	return true;
}

void
sso_lasso_fail(const char *step, int rc)
{
	char code[16];

	snprintf(code, sizeof(code), "%d", rc);
	log_kv(LOG_LEVEL_ERROR, "lasso_failed", "step", step, "code", code,
	       "error", lasso_strerror(rc), NULL);
}

void
sso_request_clear(struct sso_request *r)
{
	g_free(r->sp_entity_id);
	g_free(r->request_id);
	g_free(r->acs_url);
	g_free(r->relay_state);
	for (size_t i = 0; i < r->n_class_refs; i++)
		g_free(r->class_refs[i]);
	memset(r, 0, sizeof(*r));
}

const char *
sso_comparison_name(enum sso_comparison c)
{
	switch (c) {
	case SSO_CMP_NONE:
		return "none";
	case SSO_CMP_EXACT:
		return "exact";
	case SSO_CMP_MINIMUM:
		return "minimum";
	case SSO_CMP_BETTER:
		return "better";
	case SSO_CMP_MAXIMUM:
		return "maximum";
	}
	return "none";
}

bool
sso_comparison_parse(const char *s, enum sso_comparison *c)
{
	static const enum sso_comparison all[] = {
		SSO_CMP_NONE,	SSO_CMP_EXACT,	 SSO_CMP_MINIMUM,
		SSO_CMP_BETTER, SSO_CMP_MAXIMUM,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (s != NULL && strcmp(s, sso_comparison_name(all[i])) == 0) {
			*c = all[i];
			return true;
		}
	return false;
}
