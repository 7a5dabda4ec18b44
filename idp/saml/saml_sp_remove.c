/*
 * Remove a relying party from the registry.
 */
#include "idp/saml/saml_internal.h"

struct remove_tx {
	const char *entity_id;
	const struct saml_sp_who *who;
	bool found; /* out */
};

static int
remove_cb(struct store *s, void *cls)
{
	struct remove_tx *t = cls;
	struct store_sp sp;
	int rc;

	t->found = false;
	rc = store_sp_select(s, t->entity_id, &sp);
	if (rc != STORE_ONE_ROW)
		return rc;
	t->found = true;
	rc = store_sp_delete(s, sp.id);
	if (rc == STORE_NO_ROW) /* removed meanwhile: read again */
		rc = STORE_SOFT_ERROR;
	if (rc == STORE_ONE_ROW)
		rc = saml_sp_audit(s, "sp_removed", t->who, &sp, true, NULL,
				   NULL);
	store_sp_clear(&sp);
	return rc;
}

int
saml_sp_remove(struct store *s, const char *entity_id,
	       const struct saml_sp_who *who, char *err, size_t errlen)
{
	struct remove_tx t = {.entity_id = entity_id, .who = who};
	int rc;

	rc = store_run_tx(s, "sp_remove", false, remove_cb, &t);
	if (rc < 0)
		return saml_tx_fail(rc, err, errlen);
	if (!t.found)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "no relying party with this entity ID");
	return 0;
}
