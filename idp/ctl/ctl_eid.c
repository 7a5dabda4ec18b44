/*
 * idpctl eid: the eID service idpd is the SAML service provider of.
 *
 *   idpctl eid configure --metadata FILE|URL [--attribute KIND=NAME ...]
 *   idpctl eid show [--json]
 *   idpctl eid remove --yes
 *
 * KIND is one of pseudonym, family_name, given_names, birth_date,
 * place_of_birth, address, document_type; NAME the SAML attribute Name
 * (an absolute URI). Kinds not given keep their stored name, or the
 * eIDAS natural-person default.
 *
 * This file parses arguments and prints; the operations (the same
 * metadata hardening as for relying parties, the transaction with its
 * audit row and NOTIFY eid_changed) are eid_configure() and eid_remove()
 * of idp/eid/eid.h. Malformed arguments exit 2 before anything is read
 * or fetched; a refusal or failure exits 1 with one line.
 * docs/eid.md is the manual.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/crypto/crypt.h"
#include "idp/ctl/ctl.h"
#include "idp/ctl/ctl_util.h"
#include "idp/eid/eid.h"
#include "idp/saml/saml_sp.h"
#include "idp/store/store_eid.h"

/* Longest --metadata value: a path or a URL. */
#define SOURCE_MAX 4096
/* Longest --attribute value: the longest kind, '=', a name. */
#define ATTRIBUTE_ARG_MAX (16 + 1 + EID_ATTR_NAME_MAX)
/* The label column of show. */
#define LABEL_WIDTH 22

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

/*
 * Take every --attribute out of @argv (it may be repeated, once per
 * kind) into @c; the rest goes to @rest (argc in *@nrest) for
 * ctl_args_parse().
 */
static int
attributes_take(int argc, char **argv, struct eid_config_change *c, char **rest,
		int *nrest)
{
	char shown[CTL_SHOWN_MAX + 4];

	*nrest = 0;
	for (int i = 0; i < argc; i++) {
		const char *v = NULL, *eq;
		int k;

		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				rest[(*nrest)++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "--attribute") == 0) {
			if (i + 1 >= argc)
				return ctl_usage("'eid configure': "
						 "--attribute needs a value");
			v = argv[++i];
		} else if (strncmp(argv[i], "--attribute=", 12) == 0) {
			v = argv[i] + 12;
		} else {
			rest[(*nrest)++] = argv[i];
			continue;
		}
		if (strlen(v) > ATTRIBUTE_ARG_MAX)
			return ctl_usage("'eid configure': --attribute is "
					 "longer than %d bytes",
					 ATTRIBUTE_ARG_MAX);
		eq = strchr(v, '=');
		if (eq == NULL || eq[1] == '\0')
			return ctl_usage("'eid configure': --attribute "
					 "'%s' is not KIND=NAME",
					 ctl_shown(v, shown));
		{
			char kind[20];

			if ((size_t)(eq - v) >= sizeof(kind))
				return ctl_usage("'eid configure': unknown "
						 "attribute kind");
			memcpy(kind, v, (size_t)(eq - v));
			kind[eq - v] = '\0';
			k = eid_attr_kind(kind);
			if (k < 0)
				return ctl_usage(
					"'eid configure': unknown attribute "
					"kind '%s' (pseudonym, family_name, "
					"given_names, birth_date, "
					"place_of_birth, address, "
					"document_type)",
					ctl_shown(kind, shown));
		}
		if (c->attr[k] != NULL)
			return ctl_usage("'eid configure': attribute kind "
					 "given twice");
		c->attr[k] = eq + 1;
	}
	return CTL_EXIT_OK;
}

/* ctl_metadata_load() of @source into @c; *@buf owns the text. */
static int
metadata_load(const char *source, struct eid_config_change *c, char **buf)
{
	bool is_url;
	int rc = ctl_metadata_load(source, buf, &c->xml_len, &is_url);

	c->xml = *buf;
	c->url = is_url ? source : NULL;
	return rc;
}

static int
cmd_configure(const struct cfg *cfg, int argc, char **argv)
{
	struct eid_config_change c = {0};
	struct ctl_opt o[] = {{"--metadata", SOURCE_MAX, NULL}};
	struct store *s = NULL;
	char op[CTL_OPERATOR_MAX], why[EID_ERR_MAX];
	char **rest = g_new0(char *, (size_t)argc + 1);
	char *buf = NULL, *entity_id = NULL;
	const char *pos;
	int rc, nrest = 0;

	rc = attributes_take(argc, argv, &c, rest, &nrest);
	if (rc == CTL_EXIT_OK)
		rc = ctl_args_parse("eid", "configure", nrest, rest, o,
				    G_N_ELEMENTS(o), &pos);
	if (rc != CTL_EXIT_OK)
		goto out;
	if (pos != NULL) {
		rc = ctl_usage("'eid configure': unexpected argument; the "
			       "metadata goes after --metadata");
		goto out;
	}
	if (o[0].value == NULL) {
		rc = ctl_usage("'eid configure': missing --metadata "
			       "FILE|URL");
		goto out;
	}
	rc = connect_store(cfg, op, &s);
	if (rc == CTL_EXIT_OK)
		rc = metadata_load(o[0].value, &c, &buf);
	if (rc != CTL_EXIT_OK)
		goto out;
	if (eid_configure(s, &c, op, &entity_id, why, sizeof(why)) != 0) {
		rc = ctl_fail("%s", why);
		goto out;
	}
	{
		GString *m = g_string_new("configured eID service ");

		ctl_put_text(m, entity_id, false);
		g_string_append_c(m, '\n');
		ctl_emit(m);
	}
	rc = CTL_EXIT_OK;
out:
	g_free(rest);
	free(entity_id);
	free(buf);
	store_free(s);
	return rc;
}

static int
cmd_show(const struct cfg *cfg, int argc, char **argv)
{
	static const char *const kinds[] = EID_ATTR_KINDS;
	struct ctl_opt o[] = {{"--json", 0, NULL}};
	struct ctl_out out = {NULL, false, true, LABEL_WIDTH};
	struct store_eid_service svc = {0};
	struct saml_sp_meta m = {0};
	char why[SAML_SP_ERR_MAX];
	struct store *s = NULL;
	const char *pos;
	int rc;

	rc = ctl_args_parse("eid", "show", argc, argv, o, G_N_ELEMENTS(o),
			    &pos);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (pos != NULL)
		return ctl_usage("'eid show': unexpected argument");
	out.json = o[0].value != NULL;
	rc = connect_store(cfg, NULL, &s);
	if (rc != CTL_EXIT_OK)
		return rc;
	rc = store_eid_service_select(s, &svc);
	if (rc < 0) {
		rc = ctl_fail("cannot read the eID configuration (see the "
			      "log line above)");
		goto out;
	}
	if (rc == STORE_NO_ROW) {
		rc = ctl_fail("no eID service is configured (idpctl eid "
			      "configure --metadata FILE|URL)");
		goto out;
	}
	out.s = g_string_new(NULL);
	ctl_out_str(&out, "entity_id", "entity ID", svc.entity_id);
	ctl_out_str(&out, "metadata_url", "metadata URL",
		    svc.metadata_url != NULL ? svc.metadata_url : "(file)");
	ctl_out_time(&out, "updated_at", "updated", svc.updated_at);
	if (saml_idp_metadata_parse(svc.metadata_xml, strlen(svc.metadata_xml),
				    &m, why, sizeof(why)) == 0) {
		for (size_t i = 0; i < m.n_sso; i++)
			if (m.sso[i].binding == SAML_BINDING_HTTP_REDIRECT) {
				ctl_out_str(&out, "sso_redirect",
					    "SSO (Redirect)",
					    m.sso[i].location);
				break;
			}
		ctl_out_int(&out, "certificates", "certificates",
			    (int64_t)m.n_certs);
		ctl_out_time(&out, "valid_until", "valid until", m.valid_until);
		ctl_out_str(&out, "metadata_sha256", "metadata SHA-256",
			    m.sha256);
	} else {
		ctl_out_str(&out, "metadata_error", "metadata error", why);
	}
	for (int i = 0; i < EID_ATTR_COUNT; i++) {
		char key[32];

		(void)snprintf(key, sizeof(key), "attr_%s", kinds[i]);
		ctl_out_str(&out, key, key, svc.attr[i]);
	}
	if (out.json) {
		ctl_out_end(&out);
		g_string_append_c(out.s, '\n');
	}
	fputs(out.s->str, stdout);
	g_string_free(out.s, TRUE);
	rc = CTL_EXIT_OK;
out:
	saml_sp_meta_clear(&m);
	store_eid_service_clear(&svc);
	store_free(s);
	return rc;
}

static int
cmd_remove(const struct cfg *cfg, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--yes", 0, NULL}};
	struct store *s = NULL;
	char op[CTL_OPERATOR_MAX], why[EID_ERR_MAX];
	const char *pos;
	int rc;

	rc = ctl_args_parse("eid", "remove", argc, argv, o, G_N_ELEMENTS(o),
			    &pos);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (pos != NULL)
		return ctl_usage("'eid remove': unexpected argument");
	if (o[0].value == NULL)
		return ctl_usage("refusing to remove without --yes");
	rc = connect_store(cfg, op, &s);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (eid_remove(s, op, why, sizeof(why)) != 0) {
		rc = ctl_fail("%s", why);
		goto out;
	}
	puts("removed the eID service");
	rc = CTL_EXIT_OK;
out:
	store_free(s);
	return rc;
}

static const struct ctl_command eid_commands[] = {
	{"configure", "--metadata FILE|URL [--attribute KIND=NAME ...]",
	 "set the eID service from its SAML IdP metadata", cmd_configure},
	{"show", "[--json]", "show the eID service and attribute names",
	 cmd_show},
	{"remove", "--yes", "remove the eID service (eID stops working)",
	 cmd_remove},
	{NULL, NULL, NULL, NULL},
};

const struct ctl_group ctl_group_eid = {
	.name = "eid",
	.help = "the eID service (idpd is its SAML service provider)",
	.commands = eid_commands,
};
