/*
 * The periodic metadata refresh: claim the SPs that are due, one by one,
 * and refresh each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "idp/log/log.h"
#include "idp/saml/saml_internal.h"
#include "idp/saml/saml_sp_refresh_due.h"

struct failed_tx {
	const char *entity_id;
	const struct saml_sp_who *who;
	const char *error;
};

static int
failed_cb(struct store *s, void *cls)
{
	struct failed_tx *t = cls;
	struct store_sp sp;
	int rc;

	rc = store_sp_select(s, t->entity_id, &sp);
	if (rc == STORE_ONE_ROW)
		rc = saml_sp_audit(s, "sp_metadata_refresh_failed", t->who, &sp,
				   false, "error", t->error);
	store_sp_clear(&sp);
	return rc;
}

static int64_t
monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

/* Refresh @entity_id, log and (on failure) audit the outcome. */
static void
refresh_one(struct store *s, const char *entity_id)
{
	static const struct saml_sp_who who = {.actor = "system"};
	char err[SAML_SP_ERR_MAX];
	bool changed = false;
	int rc;

	err[0] = '\0';
	rc = saml_sp_refresh(s, entity_id, &who, &changed, err, sizeof(err));
	if (rc == 0) {
		log_kv(LOG_LEVEL_INFO, "sp_metadata_refresh", "sp", entity_id,
		       "result", changed ? "changed" : "unchanged", NULL);
		return;
	}
	/* err quotes at most an entity ID or URL, cut and printable. */
	log_kv(LOG_LEVEL_WARN, "sp_metadata_refresh_failed", "sp", entity_id,
	       "error", err, NULL);
	/*
	 * A refused or unreachable document is an event the operator must
	 * be able to trace (an SP whose metadata goes stale, or someone
	 * serving a changed document); a failing database is not audited,
	 * it cannot be.
	 */
	if (rc == IDP_ERR_UNAVAILABLE || rc == IDP_ERR_NOMEM)
		return;
	struct failed_tx t = {
		.entity_id = entity_id, .who = &who, .error = err};
	if (store_run_tx(s, "sp_refresh_failed_audit", false, failed_cb, &t) <
	    0)
		log_kv(LOG_LEVEL_WARN, "sp_refresh_failure_not_audited", "sp",
		       entity_id, NULL);
}

int
saml_sp_refresh_due(struct store *s, unsigned interval_s, unsigned budget_s,
		    saml_sp_refresh_go_cb go)
{
	int64_t start = monotonic_s();
	char *entity_id = NULL;
	int n = 0, rc;

	if (interval_s == 0)
		return 0;
	while (monotonic_s() - start < (int64_t)budget_s &&
	       (go == NULL || go())) {
		rc = store_sp_refresh_claim(s, interval_s, &entity_id);
		if (rc == STORE_NO_ROW)
			break;
		if (rc != STORE_ONE_ROW) {
			log_kv(LOG_LEVEL_WARN, "sp_refresh_claim_failed", NULL);
			return IDP_ERR_UNAVAILABLE;
		}
		refresh_one(s, entity_id);
		free(entity_id);
		entity_id = NULL;
		n++;
	}
	return n;
}
