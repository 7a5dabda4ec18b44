/*
 * Fetch a relying party's metadata again from its URL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/log/log.h"
#include "idp/saml/saml_internal.h"

struct refresh_tx {
	const char *entity_id;
	const char *url;		 /* the URL fetched from */
	const char *xml;		 /* what it gave, NUL-terminated */
	const struct saml_sp_meta *newm; /* and parsed */
	const struct saml_sp_who *who;
	char *err;
	size_t errlen;
	/* Reset by every run of the transaction: */
	bool found;
	bool moved;   /* the row's URL changed while we fetched */
	bool refused; /* the settings do not fit the new metadata */
	bool changed;
};

static int
refresh_cb(struct store *s, void *cls)
{
	struct refresh_tx *t = cls;
	char prev[65];
	struct store_sp sp;
	int rc;

	t->found = t->moved = t->refused = t->changed = false;
	rc = store_sp_select(s, t->entity_id, &sp);
	if (rc != STORE_ONE_ROW)
		return rc;
	t->found = true;
	if (sp.metadata_url == NULL || strcmp(sp.metadata_url, t->url) != 0) {
		/* An operator changed the source meanwhile: theirs wins. */
		t->moved = true;
		rc = STORE_NO_ROW;
		goto out;
	}
	/* The settings of now, which may be newer than at the fetch. */
	if (saml_sp_settings_verify(&sp, t->newm, t->err, t->errlen) != 0) {
		t->refused = true;
		rc = STORE_NO_ROW;
		goto out;
	}
	if (strcmp(sp.metadata, t->xml) == 0) {
		rc = store_sp_fetch_update(s, sp.id, t->url, NULL);
		goto out;
	}
	saml_sha256_hex(sp.metadata, strlen(sp.metadata), prev);
	free(sp.metadata);
	sp.metadata = strdup(t->xml);
	if (sp.metadata == NULL) {
		rc = STORE_HARD_ERROR;
		goto out;
	}
	rc = store_sp_update(s, &sp, STORE_SP_SOURCE_FETCHED);
	if (rc == STORE_NO_ROW) /* changed since we read it: read again */
		rc = STORE_SOFT_ERROR;
	if (rc != STORE_ONE_ROW)
		goto out;
	rc = saml_sp_audit(s, "sp_metadata_refreshed", t->who, &sp, true,
			   "previous_metadata_sha256", prev);
	t->changed = rc == STORE_ONE_ROW;
out:
	store_sp_clear(&sp);
	return rc;
}

/*
 * Keep the failure where the operator (idpctl sp show) and monitoring
 * see it. Best effort: the refresh has failed either way.
 */
static void
record_failure(struct store *s, const struct store_sp *sp, const char *why)
{
	if (store_sp_fetch_update(s, sp->id, sp->metadata_url, why) < 0)
		log_kv(LOG_LEVEL_WARN, "sp_refresh_failure_not_recorded", NULL);
}

int
saml_sp_refresh(struct store *s, const char *entity_id,
		const struct saml_sp_who *who, bool *changed, char *err,
		size_t errlen)
{
	char why[SAML_SP_ERR_MAX], shown[SAML_SHOWN_MAX + 4];
	struct saml_sp_meta m = {0};
	struct refresh_tx t = {
		.entity_id = entity_id,
		.who = who,
		.err = why,
		.errlen = sizeof(why),
	};
	struct store_sp sp;
	char *xml = NULL;
	size_t len = 0;
	int rc;

	*changed = false;
	why[0] = '\0';
	rc = store_sp_select(s, entity_id, &sp);
	if (rc < 0)
		return saml_tx_fail(rc, err, errlen);
	if (rc == STORE_NO_ROW)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "no relying party with this entity ID");
	if (sp.metadata_url == NULL) {
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "its metadata came from a file and has no URL "
			       "to refresh from");
		goto out;
	}
	/* No transaction is open while the download runs. */
	rc = saml_sp_metadata_fetch(sp.metadata_url, &xml, &len, why,
				    sizeof(why));
	if (rc == 0) {
		rc = saml_sp_metadata_parse(xml, len, &m, why, sizeof(why));
		if (rc == 0 && strcmp(m.entity_id, sp.entity_id) != 0)
			rc = idp_errf(why, sizeof(why), IDP_ERR_INVALID,
				       "it is for entity ID '%s'",
				       idp_shown(m.entity_id, SAML_SHOWN_MAX, shown));
		if (rc == IDP_ERR_INVALID || rc == IDP_ERR_TOO_LARGE) {
			char tmp[SAML_SP_ERR_MAX];

			(void)snprintf(tmp, sizeof(tmp),
				       "new metadata refused: %s", why);
			(void)snprintf(why, sizeof(why), "%s", tmp);
		}
	}
	if (rc == IDP_ERR_NOMEM || rc == IDP_ERR_INTERNAL) {
		rc = idp_errf(err, errlen, rc, "%s", why);
		goto out;
	}
	if (rc != 0) {
		record_failure(s, &sp, why);
		rc = idp_errf(err, errlen, rc,
			       "%s; the stored metadata stays in use", why);
		goto out;
	}
	t.url = sp.metadata_url;
	t.xml = xml;
	t.newm = &m;
	rc = store_run_tx(s, "sp_refresh", false, refresh_cb, &t);
	if (rc < 0) {
		rc = saml_tx_fail(rc, err, errlen);
	} else if (!t.found) {
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "no relying party with this entity ID");
	} else if (t.moved) {
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "its metadata source changed during the "
			       "refresh; nothing was changed");
	} else if (t.refused) {
		record_failure(s, &sp, why);
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "new metadata refused: %s; the stored "
			       "metadata stays in use",
			       why);
	} else {
		*changed = t.changed;
		rc = 0;
	}
out:
	free(xml);
	saml_sp_meta_clear(&m);
	store_sp_clear(&sp);
	return rc;
}
