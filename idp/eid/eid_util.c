/*
 * Small helpers of idp/eid: our URLs, lasso failures, the purpose names
 * and freeing the result structs.
 */
#include <stdio.h>
#include <string.h>

#include "idp/crypto/crypt.h"
#include "idp/eid/eid_internal.h"
#include "idp/log/log.h"

char *
eid_entity_id(const struct cfg *cfg)
{
	return g_strconcat(cfg->public_url, "/eid/metadata", NULL);
}

char *
eid_acs_url(const struct cfg *cfg)
{
	return g_strconcat(cfg->public_url, "/eid/acs", NULL);
}

const char *
eid_purpose_name(enum eid_purpose p)
{
	switch (p) {
	case EID_PURPOSE_LINK:
		return "link";
	case EID_PURPOSE_LOGIN:
		return "login";
	case EID_PURPOSE_STEP_UP:
		return "step_up";
	}
	return "unknown";
}

void
eid_lasso_fail(const char *step, int rc)
{
	char code[16];

	(void)snprintf(code, sizeof(code), "%d", rc);
	log_kv(LOG_LEVEL_ERROR, "lasso_failed", "module", "eid", "step", step,
	       "code", code, "error", lasso_strerror(rc), NULL);
}

void
eid_identity_clear(struct eid_identity *id)
{
	if (id == NULL)
		return;
	if (id->pseudonym != NULL)
		crypt_wipe(id->pseudonym, strlen(id->pseudonym));
	g_free(id->pseudonym);
	g_free(id->family_name);
	g_free(id->given_names);
	g_free(id->birth_date);
	g_free(id->place_of_birth);
	g_free(id->street);
	g_free(id->postal_code);
	g_free(id->city);
	g_free(id->document_type);
	memset(id, 0, sizeof(*id));
}

void
eid_result_clear(struct eid_result *r)
{
	if (r == NULL)
		return;
	eid_identity_clear(&r->id);
	crypt_wipe(r->pending, sizeof(r->pending));
	memset(r, 0, sizeof(*r));
}

void
eid_start_reply_clear(struct eid_start_reply *r)
{
	if (r == NULL)
		return;
	g_free(r->redirect_url);
	crypt_wipe(r->bind_cookie, sizeof(r->bind_cookie));
	memset(r, 0, sizeof(*r));
}
