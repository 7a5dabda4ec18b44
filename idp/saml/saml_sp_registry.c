/*
 * What the registry operations (add, update, remove, refresh) share: the
 * check of settings against metadata, the audit row, and the words for
 * a failed transaction.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "idp/audit/audit.h"
#include "idp/saml/saml_internal.h"

int
saml_sp_settings_verify(const struct store_sp *sp, const struct saml_sp_meta *m,
			char *err, size_t errlen)
{
	/*
	 * A setting the metadata cannot support would fail every login of
	 * the SP later, far from the operator who made the mistake.
	 */
	if (sp->require_signed_requests && !saml_sp_meta_can_verify(m))
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "signed requests cannot be required: the "
				 "metadata has no signing certificate");
	if (sp->encrypt_assertions && !saml_sp_meta_can_encrypt(m))
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "assertions cannot be encrypted: the "
				 "metadata has no RSA certificate for "
				 "encryption (a KeyDescriptor with "
				 "use=\"encryption\" or without use)");
	return 0;
}

int
saml_sp_audit(struct store *s, const char *event, const struct saml_sp_who *who,
	      const struct store_sp *sp, bool full, const char *k,
	      const char *v)
{
	char id[24], sha[65];
	char *details;
	int rc;

	(void)snprintf(id, sizeof(id), "%lld", (long long)sp->id);
	/*
	 * No subject: the column holds pseudonyms of accounts. The entity
	 * ID is public and names the SP; "sp" is the row id, complete even
	 * where a very long entity ID is cut at 512 bytes. "operator" is
	 * null for changes made by idpd itself.
	 */
	if (full) {
		saml_sha256_hex(sp->metadata, strlen(sp->metadata), sha);
		details = audit_details(
			"operator", who->operator_name, "entity_id",
			sp->entity_id, "sp", id, "enabled",
			sp->enabled ? "true" : "false", "release_attributes",
			sp->release_attributes, "attribute_profile",
			sp->attribute_profile, "nameid_format",
			sp->nameid_format, "require_signed_requests",
			sp->require_signed_requests ? "true" : "false",
			"encrypt_assertions",
			sp->encrypt_assertions ? "true" : "false",
			"metadata_sha256", sha, "metadata_source",
			sp->metadata_url != NULL ? sp->metadata_url : "file", k,
			v, NULL);
	} else {
		details = audit_details("operator", who->operator_name,
					"entity_id", sp->entity_id, "sp", id, k,
					v, NULL);
	}
	if (details == NULL)
		return STORE_HARD_ERROR;
	rc = audit_append(s, event, who->actor, NULL, NULL, details);
	g_free(details);
	return rc;
}

int
saml_tx_fail(int rc, char *err, size_t errlen)
{
	if (rc == STORE_SOFT_ERROR)
		return idp_errf(err, errlen, IDP_ERR_UNAVAILABLE,
				 "the database kept reporting conflicting "
				 "changes; nothing was changed, try again");
	return idp_errf(err, errlen, IDP_ERR_UNAVAILABLE,
			 "the database failed the operation (see the log); "
			 "nothing was changed");
}
