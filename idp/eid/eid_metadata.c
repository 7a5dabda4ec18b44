/*
 * Our SP metadata toward the eID service (/eid/metadata): entity ID
 * <public_url>/eid/metadata, AuthnRequestsSigned and WantAssertionsSigned,
 * the eid-signing certificates with use="signing", the eid-encryption
 * certificates with use="encryption", one HTTP-POST
 * AssertionConsumerService at <public_url>/eid/acs; made per request
 * with a new ID, validUntil and cacheDuration, and signed with the
 * active eid-signing key when [saml] metadata_signed is on (as
 * /saml/metadata, with the same functions of idp/saml).
 */
#include <string.h>

#include "idp/common/worker.h"
#include "idp/eid/eid_internal.h"
#include "idp/log/log.h"
#include "idp/store/store_account.h"

char *
eid_metadata_format(const struct cfg *cfg, const struct eid_worker *ew,
		    int64_t valid_until)
{
	char *entity = eid_entity_id(cfg), *acs = eid_acs_url(cfg);
	char *e_acs = g_markup_escape_text(acs, -1);
	/* As /saml/metadata: ID, validUntil, cacheDuration ([saml]). */
	GString *x = saml_metadata_begin(cfg, entity, valid_until);
	bool ok;

	g_string_append(x, "  <md:SPSSODescriptor AuthnRequestsSigned=\"true\""
			   " WantAssertionsSigned=\"true\""
			   " protocolSupportEnumeration=\"" EID_NS_PROTOCOL
			   "\">\n");
	/*
	 * Every live key is published: the signing key in use and the ones
	 * before and after it (so a rollover does not break verification),
	 * and every encryption key; the eID service encrypts to the first
	 * encryption certificate, so the active one comes first.
	 */
	ok = saml_metadata_keys(x, "signing", ew->sign_certs, ew->n_sign) &&
	     saml_metadata_keys(x, "encryption", ew->enc_certs, ew->n_enc);
	g_string_append_printf(x,
			       "    <md:NameIDFormat>" EID_NAMEID_TRANSIENT
			       "</md:NameIDFormat>\n"
			       "    <md:AssertionConsumerService index=\"0\""
			       " isDefault=\"true\" Binding=\"" EID_BINDING_POST
			       "\" Location=\"%s\"/>\n"
			       "  </md:SPSSODescriptor>\n"
			       "</md:EntityDescriptor>\n",
			       e_acs);
	g_free(entity);
	g_free(acs);
	g_free(e_acs);
	if (!ok) {
		g_string_free(x, TRUE);
		return NULL;
	}
	return g_string_free(x, FALSE);
}

int
eid_metadata(struct worker *w, char **xml)
{
	struct eid_worker *ew = NULL;
	int64_t now = 0;
	char *plain;
	int rc;

	*xml = NULL;
	rc = eid_worker_ensure(w, &ew);
	if (rc != 0)
		return rc;
	if (ew->n_sign + ew->n_enc == 0)
		return EID_E_NO_KEY;
	/* Signed metadata needs the key that signs: as /saml/metadata. */
	if (w->cfg->saml_metadata_signed && ew->key == NULL)
		return EID_E_NO_KEY;
	if (store_now(w->store, &now) != STORE_ONE_ROW)
		return EID_E_UNAVAILABLE;
	plain = eid_metadata_format(w->cfg, ew,
				    now + w->cfg->saml_metadata_validity_s);
	if (plain == NULL)
		return EID_E_INTERNAL;
	*xml = saml_metadata_publish(w->cfg, ew->key, plain);
	return *xml != NULL ? 0 : EID_E_INTERNAL;
}
