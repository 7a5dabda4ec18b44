/*
 * The eID service configuration behind idpctl eid: validate the
 * service's IdP metadata and the attribute names, store them with NOTIFY
 * and an audit row in one transaction; remove them the same way.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/audit/audit.h"
#include "idp/crypto/crypt.h"
#include "idp/eid/eid.h"
#include "idp/saml/saml_internal.h"
#include "idp/saml/saml_sp.h"
#include "idp/store/store_eid.h"

int
eid_attr_kind(const char *kind)
{
	static const char *const kinds[] = EID_ATTR_KINDS;

	for (int i = 0; i < EID_ATTR_COUNT; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return i;
	return -1;
}

/*
 * An attribute Name: an absolute URI (or urn:) of printable ASCII
 * without blanks, at most EID_ATTR_NAME_MAX bytes; it is compared byte
 * for byte with the Name in every assertion.
 */
static bool
attr_name_ok(const char *n)
{
	size_t len = strlen(n), i = 0;

	if (len == 0 || len > EID_ATTR_NAME_MAX)
		return false;
	for (size_t k = 0; k < len; k++)
		if (n[k] <= 0x20 || n[k] >= 0x7f || n[k] == '"' ||
		    n[k] == '<' || n[k] == '>' || n[k] == '\\')
			return false;
	if (!g_ascii_isalpha(n[0]))
		return false;
	while (g_ascii_isalnum(n[i]) || n[i] == '+' || n[i] == '-' ||
	       n[i] == '.')
		i++;
	return n[i] == ':' && n[i + 1] != '\0';
}

struct configure_tx {
	struct store_eid_service *svc;
	const struct eid_config_change *c;
	const char *operator_name;
	const char *sha256;
};

static int
configure_cb(struct store *s, void *cls)
{
	struct configure_tx *t = cls;
	static const char *const defaults[] = EID_ATTR_DEFAULTS;
	struct store_eid_service old;
	char *details;
	int rc;

	/* Names not given keep the stored ones, or take the defaults. */
	rc = store_eid_service_select(s, &old);
	if (rc < 0)
		return rc;
	for (int i = 0; i < EID_ATTR_COUNT; i++) {
		const char *v = t->c->attr[i] != NULL ? t->c->attr[i]
				: rc == STORE_ONE_ROW ? old.attr[i]
						      : defaults[i];
		free(t->svc->attr[i]);
		t->svc->attr[i] = strdup(v);
		if (t->svc->attr[i] == NULL) {
			store_eid_service_clear(&old);
			return STORE_HARD_ERROR;
		}
	}
	store_eid_service_clear(&old);
	rc = store_eid_service_upsert(s, t->svc);
	if (rc != STORE_ONE_ROW)
		return rc;
	details = audit_details("operator", t->operator_name, "entity_id",
				t->svc->entity_id, "metadata_sha256", t->sha256,
				"metadata_source",
				t->c->url != NULL ? t->c->url : "file",
				"attr_pseudonym", t->svc->attr[0], NULL);
	rc = audit_append(s, "eid_configured", "operator", NULL, NULL, details);
	g_free(details);
	return rc;
}

int
eid_configure(struct store *s, const struct eid_config_change *c,
	      const char *operator_name, char **entity_id, char *err,
	      size_t errlen)
{
	struct store_eid_service svc = {0};
	struct configure_tx t = {&svc, c, operator_name, NULL};
	struct saml_sp_meta m;
	int rc;

	if (entity_id != NULL)
		*entity_id = NULL;
	if (c->xml == NULL)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "no metadata given");
	for (int i = 0; i < EID_ATTR_COUNT; i++)
		if (c->attr[i] != NULL && !attr_name_ok(c->attr[i]))
			return idp_errf(err, errlen, IDP_ERR_INVALID,
					 "an attribute name is not an absolute "
					 "URI of at most %d printable ASCII "
					 "characters",
					 EID_ATTR_NAME_MAX);
	if (c->url != NULL) {
		rc = saml_sp_url_verify(c->url, "the metadata URL", err,
					errlen);
		if (rc != 0)
			return rc;
	}
	rc = saml_idp_metadata_parse(c->xml, c->xml_len, &m, err, errlen);
	if (rc != 0)
		return rc;
	t.sha256 = m.sha256;
	svc.entity_id = strdup(m.entity_id);
	svc.metadata_xml = strndup(c->xml, c->xml_len);
	svc.metadata_url = c->url != NULL ? strdup(c->url) : NULL;
	if (svc.entity_id == NULL || svc.metadata_xml == NULL ||
	    (c->url != NULL && svc.metadata_url == NULL)) {
		rc = idp_errf(err, errlen, IDP_ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = store_run_tx(s, "eid_configure", false, configure_cb, &t);
	if (rc < 0) {
		rc = idp_errf(err, errlen, IDP_ERR_UNAVAILABLE,
			       "the database failed; nothing was changed");
		goto out;
	}
	if (entity_id != NULL) {
		*entity_id = svc.entity_id;
		svc.entity_id = NULL;
	}
	rc = 0;
out:
	store_eid_service_clear(&svc);
	saml_sp_meta_clear(&m);
	return rc;
}

struct remove_tx {
	const char *operator_name;
	bool none;
};

static int
remove_cb(struct store *s, void *cls)
{
	struct remove_tx *t = cls;
	char *details;
	int rc;

	rc = store_eid_service_delete(s);
	t->none = rc == STORE_NO_ROW;
	if (rc != STORE_ONE_ROW)
		return rc;
	details = audit_details("operator", t->operator_name, NULL);
	rc = audit_append(s, "eid_removed", "operator", NULL, NULL, details);
	g_free(details);
	return rc;
}

int
eid_remove(struct store *s, const char *operator_name, char *err, size_t errlen)
{
	struct remove_tx t = {operator_name, false};
	int rc = store_run_tx(s, "eid_remove", false, remove_cb, &t);

	if (rc < 0)
		return idp_errf(err, errlen, IDP_ERR_UNAVAILABLE,
				 "the database failed; nothing was changed");
	if (t.none)
		return idp_errf(err, errlen, IDP_ERR_INVALID,
				 "no eID service is configured");
	return 0;
}
