/*
 * Change a relying party: new metadata, settings, enabled or not.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "idp/saml/saml_internal.h"

/* Names of all changed fields, joined by ',': always fits. */
#define CHANGED_MAX 160

struct update_tx {
	const char *entity_id;
	const struct saml_sp_change *c;
	const struct saml_sp_who *who;
	const struct saml_sp_meta *newm; /* parsed new metadata, or NULL */
	const char *xml;		 /* the same, NUL-terminated */
	char *err;
	size_t errlen;
	/* Reset by every run of the transaction: */
	bool found;
	bool refused; /* err says why */
	bool changed;
};

/* Replace the owned string *@field by a copy of @v. */
static bool
set_text(char **field, const char *v)
{
	char *copy = v != NULL ? strdup(v) : NULL;

	if (v != NULL && copy == NULL)
		return false;
	free(*field);
	*field = copy;
	return true;
}

static bool
same_text(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/*
 * Apply the change to @sp, noting each changed field in @changed.
 * Returns false when out of memory.
 */
static bool
apply(const struct update_tx *t, struct store_sp *sp,
      enum store_sp_source *source, char changed[CHANGED_MAX])
{
	const struct saml_sp_change *c = t->c;
	const char *v;
	bool ok = true;

#define NOTE(name)                                                             \
	do {                                                                   \
		if (changed[0] != '\0')                                        \
			g_strlcat(changed, ",", CHANGED_MAX);                  \
		g_strlcat(changed, (name), CHANGED_MAX);                       \
	} while (0)

	if (c->set_enabled && sp->enabled != c->enabled) {
		sp->enabled = c->enabled;
		NOTE("enabled");
	}
	if (c->set_release && strcmp(sp->release_attributes, c->release) != 0) {
		ok = ok && set_text(&sp->release_attributes, c->release);
		NOTE("release_attributes");
	}
	v = saml_attr_profile_name(c->profile);
	if (c->set_profile && strcmp(sp->attribute_profile, v) != 0) {
		ok = ok && set_text(&sp->attribute_profile, v);
		NOTE("attribute_profile");
	}
	v = saml_nameid_name(c->nameid);
	if (c->set_nameid && strcmp(sp->nameid_format, v) != 0) {
		ok = ok && set_text(&sp->nameid_format, v);
		NOTE("nameid_format");
	}
	if (c->set_require_signed &&
	    sp->require_signed_requests != c->require_signed_requests) {
		sp->require_signed_requests = c->require_signed_requests;
		NOTE("require_signed_requests");
	}
	if (c->set_encrypt && sp->encrypt_assertions != c->encrypt_assertions) {
		sp->encrypt_assertions = c->encrypt_assertions;
		NOTE("encrypt_assertions");
	}
	*source = STORE_SP_SOURCE_KEEP;
	if (t->xml != NULL && (strcmp(sp->metadata, t->xml) != 0 ||
			       !same_text(sp->metadata_url, c->url))) {
		ok = ok && set_text(&sp->metadata, t->xml) &&
		     set_text(&sp->metadata_url, c->url);
		*source = c->url != NULL ? STORE_SP_SOURCE_FETCHED
					 : STORE_SP_SOURCE_FILE;
		NOTE("metadata");
	}
#undef NOTE
	return ok;
}

/*
 * Whether the settings of @sp work with the metadata it will use. The
 * stored metadata is parsed again: it may have expired since it was
 * imported. An SP that stays disabled may keep expired metadata (it is
 * checked again when enabled).
 */
static int
settings_check(struct update_tx *t, const struct store_sp *sp)
{
	char why[SAML_SP_ERR_MAX];
	struct saml_sp_meta stored;
	int rc;

	if (t->newm != NULL)
		return saml_sp_settings_verify(sp, t->newm, t->err, t->errlen);
	rc = saml_sp_metadata_parse(sp->metadata, strlen(sp->metadata), &stored,
				    why, sizeof(why));
	if (rc == IDP_ERR_NOMEM || rc == IDP_ERR_INTERNAL)
		return rc;
	if (rc != 0 && !sp->enabled)
		return 0;
	if (rc != 0)
		return idp_errf(t->err, t->errlen, IDP_ERR_INVALID,
				 "the stored metadata is no longer valid "
				 "(%s); give new metadata with --metadata",
				 why);
	rc = saml_sp_settings_verify(sp, &stored, t->err, t->errlen);
	saml_sp_meta_clear(&stored);
	return rc;
}

static int
update_cb(struct store *s, void *cls)
{
	struct update_tx *t = cls;
	char changed[CHANGED_MAX] = "", shown[SAML_SHOWN_MAX + 4];
	enum store_sp_source source;
	struct store_sp sp;
	const char *event;
	int rc;

	t->found = t->refused = t->changed = false;
	rc = store_sp_select(s, t->entity_id, &sp);
	if (rc != STORE_ONE_ROW)
		return rc;
	t->found = true;
	if (t->newm != NULL && strcmp(t->newm->entity_id, sp.entity_id) != 0) {
		(void)idp_errf(t->err, t->errlen, IDP_ERR_INVALID,
				"the new metadata is for entity ID '%s', not "
				"this one",
				idp_shown(t->newm->entity_id, SAML_SHOWN_MAX, shown));
		t->refused = true;
		rc = STORE_NO_ROW;
		goto out;
	}
	if (!apply(t, &sp, &source, changed)) {
		rc = STORE_HARD_ERROR;
		goto out;
	}
	if (changed[0] == '\0') {
		rc = STORE_NO_ROW; /* nothing to write, nothing to audit */
		goto out;
	}
	rc = settings_check(t, &sp);
	if (rc == IDP_ERR_INVALID) {
		t->refused = true;
		rc = STORE_NO_ROW;
		goto out;
	}
	if (rc != 0) {
		rc = STORE_HARD_ERROR;
		goto out;
	}
	rc = store_sp_update(s, &sp, source);
	if (rc == STORE_NO_ROW) /* changed since we read it: read again */
		rc = STORE_SOFT_ERROR;
	if (rc != STORE_ONE_ROW)
		goto out;
	if (strcmp(changed, "enabled") == 0)
		event = sp.enabled ? "sp_enabled" : "sp_disabled";
	else
		event = "sp_updated";
	rc = saml_sp_audit(s, event, t->who, &sp, true, "changed", changed);
	t->changed = rc == STORE_ONE_ROW;
out:
	store_sp_clear(&sp);
	return rc;
}

int
saml_sp_update(struct store *s, const char *entity_id,
	       const struct saml_sp_change *c, const struct saml_sp_who *who,
	       bool *changed, char *err, size_t errlen)
{
	struct saml_sp_meta m = {0};
	struct update_tx t = {
		.entity_id = entity_id,
		.c = c,
		.who = who,
		.err = err,
		.errlen = errlen,
	};
	char *xml = NULL;
	int rc;

	*changed = false;
	if (c->xml != NULL) {
		rc = saml_sp_metadata_parse(c->xml, c->xml_len, &m, err,
					    errlen);
		if (rc != 0)
			return rc;
		if (c->url != NULL) {
			rc = saml_sp_url_verify(c->url, "the metadata URL", err,
						errlen);
			if (rc != 0)
				goto out;
		}
		xml = strndup(c->xml, c->xml_len);
		if (xml == NULL) {
			rc = idp_errf(err, errlen, IDP_ERR_NOMEM,
				       "out of memory");
			goto out;
		}
		t.newm = &m;
		t.xml = xml;
	}
	rc = store_run_tx(s, "sp_update", false, update_cb, &t);
	if (rc < 0)
		rc = saml_tx_fail(rc, err, errlen);
	else if (!t.found)
		rc = idp_errf(err, errlen, IDP_ERR_INVALID,
			       "no relying party with this entity ID");
	else if (t.refused)
		rc = IDP_ERR_INVALID;
	else
		rc = 0;
	*changed = rc == 0 && t.changed;
out:
	free(xml);
	saml_sp_meta_clear(&m);
	return rc;
}
