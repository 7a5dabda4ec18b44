/*
 * Register a relying party from its metadata.
 */
#include <stdlib.h>
#include <string.h>

#include "idp/saml/saml_internal.h"

struct add_tx {
	struct store_sp *sp;
	const struct saml_sp_who *who;
	bool taken; /* out: the entity ID is registered already */
};

static int
add_cb(struct store *s, void *cls)
{
	struct add_tx *t = cls;
	int rc;

	t->taken = false;
	rc = store_sp_insert(s, t->sp);
	if (rc == STORE_NO_ROW)
		t->taken = true;
	if (rc != STORE_ONE_ROW)
		return rc;
	return saml_sp_audit(s, "sp_added", t->who, t->sp, true, NULL, NULL);
}

/*
 * Encryption by default only where the SP asked for it: a KeyDescriptor
 * with use="encryption". A certificate without use is published by many
 * SPs that cannot decrypt; for those the operator opts in.
 */
static bool
publishes_encryption_key(const struct saml_sp_meta *m)
{
	for (size_t i = 0; i < m->n_certs; i++)
		if (m->certs[i].use == SAML_KEY_USE_ENCRYPTION &&
		    m->certs[i].rsa)
			return true;
	return false;
}

int
saml_sp_add(struct store *s, const struct saml_sp_change *c,
	    const struct saml_sp_who *who, char **entity_id, char *err,
	    size_t errlen)
{
	struct saml_sp_meta m;
	struct store_sp sp = {0};
	struct add_tx t = {.sp = &sp, .who = who};
	char shown[SAML_SHOWN_MAX + 4];
	int rc;

	if (entity_id != NULL)
		*entity_id = NULL;
	if (c->xml == NULL)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "no metadata given");
	rc = saml_sp_metadata_parse(c->xml, c->xml_len, &m, err, errlen);
	if (rc != 0)
		return rc;
	if (c->url != NULL) {
		rc = saml_sp_url_verify(c->url, "the metadata URL", err,
					errlen);
		if (rc != 0)
			goto out;
	}
	sp.entity_id = strdup(m.entity_id);
	sp.metadata = strndup(c->xml, c->xml_len);
	sp.metadata_url = c->url != NULL ? strdup(c->url) : NULL;
	sp.enabled = c->set_enabled ? c->enabled : true;
	sp.release_attributes = strdup(c->set_release ? c->release : "");
	sp.attribute_profile = strdup(saml_attr_profile_name(
		c->set_profile ? c->profile : SAML_ATTR_PROFILE_OID));
	sp.nameid_format = strdup(saml_nameid_name(
		c->set_nameid ? c->nameid : SAML_NAMEID_PERSISTENT));
	sp.require_signed_requests = c->set_require_signed
					     ? c->require_signed_requests
					     : m.authn_requests_signed;
	sp.encrypt_assertions = c->set_encrypt ? c->encrypt_assertions
					       : publishes_encryption_key(&m);
	if (sp.entity_id == NULL || sp.metadata == NULL ||
	    (c->url != NULL && sp.metadata_url == NULL) ||
	    sp.release_attributes == NULL || sp.attribute_profile == NULL ||
	    sp.nameid_format == NULL) {
		rc = idp_errf(err, errlen, IDP_ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = saml_sp_settings_verify(&sp, &m, err, errlen);
	if (rc != 0)
		goto out;
	rc = store_run_tx(s, "sp_add", false, add_cb, &t);
	if (rc < 0) {
		rc = saml_tx_fail(rc, err, errlen);
		goto out;
	}
	if (t.taken) {
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "a relying party with entity ID '%s' is "
			       "registered already (use 'idpctl sp update')",
			       idp_shown(sp.entity_id, SAML_SHOWN_MAX, shown));
		goto out;
	}
	if (entity_id != NULL) {
		*entity_id = sp.entity_id;
		sp.entity_id = NULL;
	}
	rc = 0;
out:
	store_sp_clear(&sp);
	saml_sp_meta_clear(&m);
	return rc;
}
