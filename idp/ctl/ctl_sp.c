/*
 * idpctl sp: the registry of relying parties (SAML service providers).
 *
 *   idpctl sp add --metadata FILE|URL [SETTINGS] [--disabled]
 *   idpctl sp list [--json]
 *   idpctl sp show ENTITY_ID [--json]
 *   idpctl sp update ENTITY_ID [--metadata FILE|URL] [SETTINGS]
 *                    [--enabled | --disabled]
 *   idpctl sp enable ENTITY_ID
 *   idpctl sp disable ENTITY_ID
 *   idpctl sp remove ENTITY_ID --yes
 *   idpctl sp refresh ENTITY_ID | --all
 *
 * SETTINGS: --release LIST|none, --attribute-profile eidas|oid,
 * --nameid persistent|transient, --[no-]require-signed-requests,
 * --[no-]encrypt-assertions.
 *
 * This file parses arguments and prints; the operations (metadata
 * validation, the transaction with its audit row and NOTIFY) are the
 * saml_sp_* functions of idp/saml/saml_sp.h, which idpd will share.
 * Malformed arguments exit 2 before anything is read or fetched; a
 * refusal or failure exits 1 with one line. Values from the database
 * and from metadata are printed with control and format characters
 * escaped. docs/relying-parties.md is the manual.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/crypto/crypt.h"
#include "idp/ctl/ctl.h"
#include "idp/ctl/ctl_util.h"
#include "idp/saml/saml_sp.h"
#include "idp/store/store_sp.h"

/* Longest --metadata value: a path or a URL. */
#define SOURCE_MAX 4096
/* The label column of show (struct ctl_out). */
#define LABEL_WIDTH 24

/*
 * The one positional argument, an entity ID: present, at most
 * SAML_SP_ENTITY_ID_MAX bytes of printable ASCII (what the registry can
 * hold; the lookup is exact).
 */
static int
entity_arg(const char *cmd, const char *id)
{
	size_t i;

	if (id == NULL)
		return ctl_usage("'sp %s': missing entity ID", cmd);
	for (i = 0; id[i] != '\0' && i <= SAML_SP_ENTITY_ID_MAX; i++)
		if (id[i] <= 0x20 || id[i] >= 0x7f)
			return ctl_usage("'sp %s': the entity ID holds a "
					 "blank, control or non-ASCII "
					 "character",
					 cmd);
	if (i > SAML_SP_ENTITY_ID_MAX)
		return ctl_usage("'sp %s': the entity ID is longer than %d "
				 "bytes",
				 cmd, SAML_SP_ENTITY_ID_MAX);
	return CTL_EXIT_OK;
}

/* A release list: a JSON array of names, or the text ("none" if empty). */
static void
out_release(struct ctl_out *o, const char *key, const char *label,
	    const char *list)
{
	char **names;

	ctl_out_key(o, key, label);
	if (!o->json) {
		ctl_put_text(o->s, list[0] != '\0' ? list : "none", false);
		g_string_append_c(o->s, '\n');
		return;
	}
	g_string_append_c(o->s, '[');
	names = g_strsplit(list, ",", -1);
	for (size_t i = 0; names[i] != NULL && names[i][0] != '\0'; i++) {
		g_string_append(o->s, i == 0 ? "" : ",");
		ctl_put_text(o->s, names[i], true);
	}
	g_strfreev(names);
	g_string_append_c(o->s, ']');
}

/*
 * libsodium, lasso, then the store (ctl_store_open()); for a change, the
 * operator's name into @op first (NULL: none).
 */
static int
connect_store(const struct cfg *cfg, char *op, struct store **out)
{
	*out = NULL;
	if (op != NULL)
		ctl_operator_name(op);
	if (crypt_init() != 0)
		return ctl_fail("cannot initialise libsodium");
	if (saml_init() != 0)
		return ctl_fail("cannot initialise lasso");
	return ctl_store_open(cfg, out);
}

/* --- add and update --- */

/* Indexes into the options of add and update. */
enum {
	O_METADATA,
	O_RELEASE,
	O_PROFILE,
	O_NAMEID,
	O_REQUIRE,
	O_NO_REQUIRE,
	O_ENCRYPT,
	O_NO_ENCRYPT,
	O_DISABLED,
	O_ENABLED,
	O_COUNT,
};

static void
change_opts(struct ctl_opt o[O_COUNT])
{
	const struct ctl_opt all[O_COUNT] = {
		[O_METADATA] = {"--metadata", SOURCE_MAX, NULL},
		[O_RELEASE] = {"--release", 256, NULL},
		[O_PROFILE] = {"--attribute-profile", 16, NULL},
		[O_NAMEID] = {"--nameid", 16, NULL},
		[O_REQUIRE] = {"--require-signed-requests", 0, NULL},
		[O_NO_REQUIRE] = {"--no-require-signed-requests", 0, NULL},
		[O_ENCRYPT] = {"--encrypt-assertions", 0, NULL},
		[O_NO_ENCRYPT] = {"--no-encrypt-assertions", 0, NULL},
		[O_DISABLED] = {"--disabled", 0, NULL},
		[O_ENABLED] = {"--enabled", 0, NULL},
	};

	memcpy(o, all, sizeof(all));
}

/* A flag and its negation: at most one, and which. */
static int
flag_pair(const char *cmd, const struct ctl_opt *yes, const struct ctl_opt *no,
	  bool *set, bool *value)
{
	*set = yes->value != NULL || no->value != NULL;
	*value = yes->value != NULL;
	return ctl_args_exclude("sp", cmd, yes, no);
}

/* The settings of @o into @c; usage errors reported. */
static int
change_parse(const char *cmd, const struct ctl_opt o[O_COUNT],
	     struct saml_sp_change *c)
{
	char why[SAML_SP_ERR_MAX];
	int rc;

	if (o[O_RELEASE].value != NULL) {
		if (saml_sp_release_parse(o[O_RELEASE].value, c->release, why,
					  sizeof(why)) != 0)
			return ctl_usage("'sp %s': --release: %s", cmd, why);
		c->set_release = true;
	}
	if (o[O_PROFILE].value != NULL) {
		if (saml_attr_profile_parse(o[O_PROFILE].value, &c->profile) !=
		    0)
			return ctl_usage("'sp %s': --attribute-profile must "
					 "be eidas or oid",
					 cmd);
		c->set_profile = true;
	}
	if (o[O_NAMEID].value != NULL) {
		if (saml_nameid_parse(o[O_NAMEID].value, &c->nameid) != 0)
			return ctl_usage("'sp %s': --nameid must be "
					 "persistent or transient",
					 cmd);
		c->set_nameid = true;
	}
	rc = flag_pair(cmd, &o[O_REQUIRE], &o[O_NO_REQUIRE],
		       &c->set_require_signed, &c->require_signed_requests);
	if (rc == CTL_EXIT_OK)
		rc = flag_pair(cmd, &o[O_ENCRYPT], &o[O_NO_ENCRYPT],
			       &c->set_encrypt, &c->encrypt_assertions);
	if (rc == CTL_EXIT_OK)
		rc = flag_pair(cmd, &o[O_ENABLED], &o[O_DISABLED],
			       &c->set_enabled, &c->enabled);
	return rc;
}

int
ctl_metadata_load(const char *source, char **buf, size_t *len, bool *is_url)
{
	char why[SAML_SP_ERR_MAX];
	int rc;

	*len = 0;
	*is_url = saml_sp_source_is_url(source);
	if (*is_url)
		rc = saml_sp_metadata_fetch(source, buf, len, why, sizeof(why));
	else
		rc = saml_sp_metadata_read(source, buf, len, why, sizeof(why));
	if (rc != 0)
		return ctl_fail("%s", why);
	return CTL_EXIT_OK;
}

/* ctl_metadata_load() of @source into @c; *@buf owns the text. */
static int
metadata_load(const char *source, struct saml_sp_change *c, char **buf)
{
	bool is_url;
	int rc = ctl_metadata_load(source, buf, &c->xml_len, &is_url);

	c->xml = *buf;
	c->url = is_url ? source : NULL;
	return rc;
}

/* "enabled; NameID persistent; attributes ..." for a result line. */
static void
put_settings(GString *o, const struct store_sp *sp)
{
	g_string_append(o, sp->enabled ? "enabled" : "disabled");
	g_string_append(o, "; NameID ");
	ctl_put_text(o, sp->nameid_format, false);
	g_string_append(o, "; attributes ");
	ctl_put_text(o,
		     sp->release_attributes[0] != '\0' ? sp->release_attributes
						       : "none",
		     false);
	g_string_append(o, " (profile ");
	ctl_put_text(o, sp->attribute_profile, false);
	g_string_append_printf(
		o, "); signed requests %s; assertions %s",
		sp->require_signed_requests ? "required" : "not required",
		sp->encrypt_assertions ? "encrypted" : "not encrypted");
}

/* "<verb><entity ID><rest>" and a line end on stdout. */
static void
say(const char *verb, const char *entity_id, const char *rest)
{
	GString *o = g_string_new(verb);

	ctl_put_text(o, entity_id, false);
	g_string_append(o, rest);
	g_string_append_c(o, '\n');
	ctl_emit(o);
}

/*
 * "<verb><entity ID> (<settings>)" from the row as it is now, so that
 * the operator sees the defaults the metadata chose.
 */
static void
print_result(struct store *s, const char *verb, const char *entity_id)
{
	GString *o = g_string_new(NULL);
	struct store_sp sp;

	if (store_sp_select(s, entity_id, &sp) == STORE_ONE_ROW) {
		g_string_append(o, " (");
		put_settings(o, &sp);
		g_string_append_c(o, ')');
	}
	say(verb, entity_id, o->str);
	g_string_free(o, TRUE);
	store_sp_clear(&sp);
}

static int
cmd_add(const struct cfg *cfg, int argc, char **argv)
{
	struct saml_sp_change c = {0};
	struct ctl_opt o[O_COUNT];
	struct store *s = NULL;
	char op[CTL_OPERATOR_MAX], why[SAML_SP_ERR_MAX];
	struct saml_sp_who who = {"operator", op};
	char *buf = NULL, *entity_id = NULL;
	const char *pos;
	int rc;

	change_opts(o);
	rc = ctl_args_parse("sp", "add", argc, argv, o, O_COUNT, &pos);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (pos != NULL)
		return ctl_usage("'sp add': unexpected argument; the metadata "
				 "goes after --metadata");
	if (o[O_METADATA].value == NULL)
		return ctl_usage("'sp add': missing --metadata FILE|URL");
	if (o[O_ENABLED].value != NULL)
		return ctl_usage("'sp add': unknown option '--enabled' (a "
				 "new relying party is enabled unless "
				 "--disabled)");
	rc = change_parse("add", o, &c);
	if (rc != CTL_EXIT_OK)
		return rc;
	rc = connect_store(cfg, op, &s);
	if (rc == CTL_EXIT_OK)
		rc = metadata_load(o[O_METADATA].value, &c, &buf);
	if (rc != CTL_EXIT_OK)
		goto out;
	if (saml_sp_add(s, &c, &who, &entity_id, why, sizeof(why)) != 0) {
		rc = ctl_fail("%s", why);
		goto out;
	}
	print_result(s, "added ", entity_id);
	rc = CTL_EXIT_OK;
out:
	free(entity_id);
	free(buf);
	store_free(s);
	return rc;
}

static int
cmd_update(const struct cfg *cfg, int argc, char **argv)
{
	struct saml_sp_change c = {0};
	struct ctl_opt o[O_COUNT];
	struct store *s = NULL;
	char op[CTL_OPERATOR_MAX], why[SAML_SP_ERR_MAX];
	struct saml_sp_who who = {"operator", op};
	const char *entity_id;
	bool changed = false;
	char *buf = NULL;
	int rc;

	change_opts(o);
	rc = ctl_args_parse("sp", "update", argc, argv, o, O_COUNT, &entity_id);
	if (rc == CTL_EXIT_OK)
		rc = entity_arg("update", entity_id);
	if (rc == CTL_EXIT_OK)
		rc = change_parse("update", o, &c);
	if (rc != CTL_EXIT_OK)
		return rc;
	rc = connect_store(cfg, op, &s);
	if (rc == CTL_EXIT_OK && o[O_METADATA].value != NULL)
		rc = metadata_load(o[O_METADATA].value, &c, &buf);
	if (rc != CTL_EXIT_OK)
		goto out;
	if (saml_sp_update(s, entity_id, &c, &who, &changed, why,
			   sizeof(why)) != 0) {
		rc = ctl_fail("%s", why);
		goto out;
	}
	print_result(s, changed ? "updated " : "nothing to change for ",
		     entity_id);
	rc = CTL_EXIT_OK;
out:
	free(buf);
	store_free(s);
	return rc;
}

static int
enable_run(const struct cfg *cfg, int argc, char **argv, bool enable)
{
	const char *cmd = enable ? "enable" : "disable";
	struct saml_sp_change c = {.set_enabled = true, .enabled = enable};
	struct store *s = NULL;
	char op[CTL_OPERATOR_MAX], why[SAML_SP_ERR_MAX];
	struct saml_sp_who who = {"operator", op};
	const char *entity_id;
	bool changed = false;
	int rc;

	rc = ctl_args_parse("sp", cmd, argc, argv, NULL, 0, &entity_id);
	if (rc == CTL_EXIT_OK)
		rc = entity_arg(cmd, entity_id);
	if (rc != CTL_EXIT_OK)
		return rc;
	rc = connect_store(cfg, op, &s);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (saml_sp_update(s, entity_id, &c, &who, &changed, why,
			   sizeof(why)) != 0) {
		rc = ctl_fail("%s", why);
		goto out;
	}
	/* Nothing to change is no failure, and is not audited. */
	if (changed)
		say(enable ? "enabled " : "disabled ", entity_id, "");
	else
		say("", entity_id,
		    enable ? " is already enabled" : " is already disabled");
	rc = CTL_EXIT_OK;
out:
	store_free(s);
	return rc;
}

static int
cmd_enable(const struct cfg *cfg, int argc, char **argv)
{
	return enable_run(cfg, argc, argv, true);
}

static int
cmd_disable(const struct cfg *cfg, int argc, char **argv)
{
	return enable_run(cfg, argc, argv, false);
}

static int
cmd_remove(const struct cfg *cfg, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--yes", 0, NULL}};
	struct store *s = NULL;
	char op[CTL_OPERATOR_MAX], why[SAML_SP_ERR_MAX];
	struct saml_sp_who who = {"operator", op};
	const char *entity_id;
	int rc;

	rc = ctl_args_parse("sp", "remove", argc, argv, o, G_N_ELEMENTS(o),
			    &entity_id);
	if (rc == CTL_EXIT_OK)
		rc = entity_arg("remove", entity_id);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (o[0].value == NULL)
		return ctl_usage("refusing to remove without --yes");
	rc = connect_store(cfg, op, &s);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (saml_sp_remove(s, entity_id, &who, why, sizeof(why)) != 0) {
		rc = ctl_fail("%s", why);
		goto out;
	}
	say("removed ", entity_id, "");
	rc = CTL_EXIT_OK;
out:
	store_free(s);
	return rc;
}

/* --- refresh --- */

/* Entity IDs of the relying parties with a metadata URL. */
static void
collect_url(const struct store_sp *sp, void *cls)
{
	if (sp->metadata_url != NULL)
		g_ptr_array_add(cls, g_strdup(sp->entity_id));
}

/* Refresh one; its result line on stdout, or its failure on stderr. */
static int
refresh_one(struct store *s, const struct saml_sp_who *who,
	    const char *entity_id)
{
	char why[SAML_SP_ERR_MAX];
	bool changed = false;
	GString *o;
	int rc;

	if (saml_sp_refresh(s, entity_id, who, &changed, why, sizeof(why)) ==
	    0) {
		say(changed ? "refreshed " : "unchanged ", entity_id, "");
		return CTL_EXIT_OK;
	}
	o = g_string_new(NULL);
	ctl_put_text(o, entity_id, false);
	rc = ctl_fail("%s: %s", o->str, why);
	g_string_free(o, TRUE);
	return rc;
}

static int
cmd_refresh(const struct cfg *cfg, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--all", 0, NULL}};
	struct store *s = NULL;
	char op[CTL_OPERATOR_MAX];
	struct saml_sp_who who = {"operator", op};
	GPtrArray *ids = NULL;
	const char *entity_id;
	int rc, n;

	rc = ctl_args_parse("sp", "refresh", argc, argv, o, G_N_ELEMENTS(o),
			    &entity_id);
	if (rc != CTL_EXIT_OK)
		return rc;
	if ((entity_id != NULL) == (o[0].value != NULL))
		return ctl_usage("'sp refresh': give an entity ID or --all");
	if (entity_id != NULL &&
	    (rc = entity_arg("refresh", entity_id)) != CTL_EXIT_OK)
		return rc;
	rc = connect_store(cfg, op, &s);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (entity_id != NULL) {
		rc = refresh_one(s, &who, entity_id);
		goto out;
	}
	ids = g_ptr_array_new_with_free_func(g_free);
	n = store_sp_iterate(s, collect_url, ids);
	if (n < 0) {
		rc = ctl_fail("cannot read the relying parties (see the log "
			      "line above)");
		goto out;
	}
	if (ids->len == 0)
		fputs("no relying party has a metadata URL\n", stdout);
	/* One failure does not stop the others; the exit status tells. */
	rc = CTL_EXIT_OK;
	for (unsigned i = 0; i < ids->len; i++)
		if (refresh_one(s, &who, g_ptr_array_index(ids, i)) !=
		    CTL_EXIT_OK)
			rc = CTL_EXIT_FAIL;
out:
	if (ids != NULL)
		g_ptr_array_free(ids, TRUE);
	store_free(s);
	return rc;
}

/* --- list and show --- */

/* The row's own members; list --json has them without labels. */
static void
put_row(struct ctl_out *o, const struct store_sp *sp)
{
	ctl_out_str(o, "entity_id", "entity ID:", sp->entity_id);
	ctl_out_bool(o, "enabled", "enabled:", sp->enabled);
	out_release(o, "release_attributes",
		    "released attributes:", sp->release_attributes);
	ctl_out_str(o, "attribute_profile",
		    "attribute profile:", sp->attribute_profile);
	ctl_out_str(o, "nameid_format", "NameID format:", sp->nameid_format);
	ctl_out_bool(o, "require_signed_requests",
		     "signed requests needed:", sp->require_signed_requests);
	ctl_out_bool(o, "encrypt_assertions",
		     "encrypt assertions:", sp->encrypt_assertions);
	ctl_out_str(o, "metadata_url", "metadata URL:", sp->metadata_url);
	ctl_out_time(o, "fetched_at", "fetched:", sp->fetched_at);
	ctl_out_time(o, "refresh_failed_at",
		     "refresh failed:", sp->refresh_failed_at);
	ctl_out_str(o, "refresh_error", "refresh error:", sp->refresh_error);
	ctl_out_int(o, "revision", "revision:", sp->revision);
	ctl_out_time(o, "created_at", "created:", sp->created_at);
	ctl_out_time(o, "updated_at", "updated:", sp->updated_at);
}

struct list_ctx {
	GString *s;
	bool json;
	int n;
};

static void
list_row(const struct store_sp *sp, void *cls)
{
	struct list_ctx *l = cls;
	struct ctl_out o = {l->s, true, true, LABEL_WIDTH};

	if (!l->json) {
		g_string_append_printf(l->s, "%-8s  %-10s  %-5s  %-6s  %-46s  ",
				       sp->enabled ? "enabled" : "disabled",
				       sp->nameid_format, sp->attribute_profile,
				       sp->metadata_url != NULL ? "url"
								: "file",
				       sp->release_attributes[0] != '\0'
					       ? sp->release_attributes
					       : "none");
		ctl_put_text(l->s, sp->entity_id, false);
		g_string_append_c(l->s, '\n');
		l->n++;
		return;
	}
	g_string_append(l->s, l->n++ == 0 ? "" : ",");
	put_row(&o, sp);
	ctl_out_end(&o);
}

static int
cmd_list(const struct cfg *cfg, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--json", 0, NULL}};
	struct list_ctx l = {0};
	struct store *s = NULL;
	const char *pos;
	int rc, n;

	rc = ctl_args_parse("sp", "list", argc, argv, o, G_N_ELEMENTS(o), &pos);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (pos != NULL)
		return ctl_usage("'sp list': takes no argument");
	l.json = o[0].value != NULL;
	rc = connect_store(cfg, NULL, &s);
	if (rc != CTL_EXIT_OK)
		return rc;
	l.s = g_string_new(l.json ? "[" : "");
	if (!l.json)
		g_string_append_printf(
			l.s, "%-8s  %-10s  %-5s  %-6s  %-46s  %s\n", "STATE",
			"NAMEID", "PROF.", "SOURCE", "ATTRIBUTES", "ENTITY ID");
	n = store_sp_iterate(s, list_row, &l);
	if (n < 0) {
		rc = ctl_fail("cannot read the relying parties (see the log "
			      "line above)");
		goto out;
	}
	if (l.json)
		g_string_append(l.s, "]\n");
	else if (n == 0)
		g_string_assign(l.s, "no relying parties\n");
	fputs(l.s->str, stdout);
	rc = CTL_EXIT_OK;
out:
	g_string_free(l.s, TRUE);
	store_free(s);
	return rc;
}

/* The endpoints of the metadata: lines, or a JSON array. */
static void
put_endpoints(struct ctl_out *o, const char *key, const char *label,
	      const struct saml_sp_endpoint *e, size_t n)
{
	if (o->json) {
		ctl_out_key(o, key, label);
		g_string_append_c(o->s, '[');
	}
	for (size_t i = 0; i < n; i++) {
		struct ctl_out eo = {o->s, o->json, true, LABEL_WIDTH};

		if (o->json) {
			g_string_append(o->s, i == 0 ? "" : ",");
			ctl_out_str(&eo, "binding", "", e[i].binding_uri);
			ctl_out_str(&eo, "location", "", e[i].location);
			ctl_out_str(&eo, "response_location", "",
				    e[i].response_location);
			if (e[i].index >= 0)
				ctl_out_int(&eo, "index", "", e[i].index);
			ctl_out_bool(&eo, "is_default", "", e[i].is_default);
			ctl_out_end(&eo);
			continue;
		}
		g_string_append_printf(o->s, "%-24s%s ", label,
				       saml_binding_name(e[i].binding));
		ctl_put_text(o->s, e[i].location, false);
		if (e[i].index >= 0)
			g_string_append_printf(o->s, " index %d", e[i].index);
		if (e[i].is_default)
			g_string_append(o->s, " (default)");
		g_string_append_c(o->s, '\n');
	}
	if (o->json)
		g_string_append_c(o->s, ']');
}

static void
put_certs(struct ctl_out *o, const struct saml_sp_meta *m)
{
	if (o->json) {
		ctl_out_key(o, "certificates", "");
		g_string_append_c(o->s, '[');
	}
	for (size_t i = 0; i < m->n_certs; i++) {
		const struct saml_sp_cert *c = &m->certs[i];
		struct ctl_out co = {o->s, o->json, true, LABEL_WIDTH};

		if (o->json)
			g_string_append(o->s, i == 0 ? "" : ",");
		else
			g_string_append_printf(o->s, "certificate %zu:\n",
					       i + 1);
		ctl_out_str(&co, "use", "  use:", saml_key_use_name(c->use));
		ctl_out_key(&co, "key", "  key:");
		g_string_append_printf(o->s, o->json ? "\"%s %d\"" : "%s %d\n",
				       c->key_type, c->key_bits);
		ctl_out_str(&co, "subject", "  subject:", c->subject);
		ctl_out_time(&co, "not_before", "  not before:", c->not_before);
		ctl_out_time(&co, "not_after", "  not after:", c->not_after);
		ctl_out_str(&co, "sha256", "  SHA-256:", c->sha256);
		if (o->json)
			ctl_out_end(&co);
	}
	if (o->json)
		g_string_append_c(o->s, ']');
}

static void
show_row(struct ctl_out *o, const struct store_sp *sp)
{
	struct saml_sp_meta m;
	char why[SAML_SP_ERR_MAX];
	bool ok;

	put_row(o, sp);

	/* What the stored metadata says, as the IdP would read it now. */
	ok = saml_sp_metadata_parse(sp->metadata, strlen(sp->metadata), &m, why,
				    sizeof(why)) == 0;
	if (o->json) {
		ctl_out_str(o, "metadata_error", "", ok ? NULL : why);
	} else {
		ctl_out_key(o, "metadata_error", "metadata valid:");
		g_string_append(o->s, ok ? "yes" : "no: ");
		if (!ok)
			ctl_put_text(o->s, why, false);
		g_string_append_c(o->s, '\n');
	}
	if (!ok)
		return;
	ctl_out_str(o, "metadata_sha256", "metadata SHA-256:", m.sha256);
	ctl_out_time(o, "valid_until", "valid until:", m.valid_until);
	ctl_out_bool(o, "authn_requests_signed",
		     "AuthnRequestsSigned:", m.authn_requests_signed);
	ctl_out_bool(o, "want_assertions_signed",
		     "WantAssertionsSigned:", m.want_assertions_signed);
	put_endpoints(o, "assertion_consumer_services",
		      "AssertionConsumer:", m.acs, m.n_acs);
	put_endpoints(o, "single_logout_services", "SingleLogout:", m.slo,
		      m.n_slo);
	put_certs(o, &m);
	saml_sp_meta_clear(&m);
}

static int
cmd_show(const struct cfg *cfg, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--json", 0, NULL}};
	struct store *s = NULL;
	struct store_sp sp = {0};
	const char *entity_id;
	struct ctl_out out = {NULL, false, true, LABEL_WIDTH};
	int rc;

	rc = ctl_args_parse("sp", "show", argc, argv, o, G_N_ELEMENTS(o),
			    &entity_id);
	if (rc == CTL_EXIT_OK)
		rc = entity_arg("show", entity_id);
	if (rc != CTL_EXIT_OK)
		return rc;
	out.json = o[0].value != NULL;
	rc = connect_store(cfg, NULL, &s);
	if (rc != CTL_EXIT_OK)
		return rc;
	rc = store_sp_select(s, entity_id, &sp);
	if (rc < 0) {
		rc = ctl_fail("cannot read the relying party (see the log "
			      "line above)");
		goto out;
	}
	if (rc == STORE_NO_ROW) {
		rc = ctl_fail("no relying party with this entity ID");
		goto out;
	}
	out.s = g_string_new(NULL);
	show_row(&out, &sp);
	if (out.json) {
		ctl_out_end(&out);
		g_string_append_c(out.s, '\n');
	}
	fputs(out.s->str, stdout);
	g_string_free(out.s, TRUE);
	rc = CTL_EXIT_OK;
out:
	store_sp_clear(&sp);
	store_free(s);
	return rc;
}

#define SETTINGS                                                               \
	"[--release LIST|none] [--attribute-profile eidas|oid] "               \
	"[--nameid persistent|transient] "                                     \
	"[--[no-]require-signed-requests] [--[no-]encrypt-assertions]"

static const struct ctl_command sp_commands[] = {
	{"add", "--metadata FILE|URL " SETTINGS " [--disabled]",
	 "register a relying party from its SAML metadata", cmd_add},
	{"list", "[--json]", "list the relying parties", cmd_list},
	{"show", "ENTITY_ID [--json]",
	 "show a relying party, its settings and its metadata", cmd_show},
	{"update",
	 "ENTITY_ID [--metadata FILE|URL] " SETTINGS " [--enabled|--disabled]",
	 "change a relying party's metadata or settings", cmd_update},
	{"enable", "ENTITY_ID", "let a relying party receive assertions",
	 cmd_enable},
	{"disable", "ENTITY_ID", "stop answering a relying party", cmd_disable},
	{"remove", "ENTITY_ID --yes", "remove a relying party", cmd_remove},
	{"refresh", "ENTITY_ID | --all",
	 "fetch metadata again from its URL; an invalid copy is refused",
	 cmd_refresh},
	{NULL, NULL, NULL, NULL},
};

const struct ctl_group ctl_group_sp = {
	.name = "sp",
	.help = "relying parties (SAML service providers)",
	.commands = sp_commands,
};
