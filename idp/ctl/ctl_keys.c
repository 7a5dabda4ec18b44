/*
 * idpctl keys: the keys of idpd, for operators (docs/keys.md).
 *
 *   idpctl keys init [--json]
 *   idpctl keys generate [--purpose P] [--bits 2048|3072|4096]
 *                        [--json | --quiet]
 *   idpctl keys list [--purpose P] [--json]
 *   idpctl keys activate ID [--force] [--json]
 *   idpctl keys retire ID [--force] [--json]
 *   idpctl keys rotate [--purpose P] [--bits 2048|3072|4096]
 *                      [--json | --quiet]
 *
 * P is saml (the default: the IdP's signing keys), eid-signing or
 * eid-encryption (idpd as a service provider to the eID service); the
 * rollover runs per purpose. activate and retire act on the key named,
 * of whatever purpose, and say which it is.
 *
 * The work is done by keys/ (keys/keys.h); this file parses arguments,
 * loads the master key named by [keys] master_key_file, connects, and
 * prints. Every change is one transaction with its audit row (actor
 * "operator", the OS user in the details) and NOTIFY keys_changed.
 * Malformed input exits 2 before anything is touched; a refusal or a
 * failure exits 1 with one line on stderr. --json prints one JSON value
 * on one line; --quiet prints only the new key's id.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/crypto/crypt.h"
#include "idp/ctl/ctl.h"
#include "idp/ctl/ctl_util.h"
#include "idp/store/store_keys.h"
#include "keys/keys.h"

/* A key id: a positive int64 without leading zeros; 18 digits suffice. */
#define ID_DIGITS_MAX 18

/*
 * Longest --purpose value read: far above the longest purpose, so that
 * a wrong one is reported as wrong (with the allowed values), not as
 * long.
 */
#define PURPOSE_ARG_MAX 256

#define PURPOSES_ALLOWED "saml, eid-signing or eid-encryption"

/* The one positional argument: a key id as `keys list` shows it. */
static int
id_arg(const char *cmd, const char *s, int64_t *id)
{
	char b[CTL_SHOWN_MAX + 4];
	size_t len;

	if (s == NULL)
		return ctl_usage("'keys %s': missing key id", cmd);
	len = strspn(s, "0123456789");
	/* Digits only: no sign, blanks, SQL or leading zeros. */
	if (len == 0 || s[len] != '\0' || s[0] == '0' || len > ID_DIGITS_MAX)
		return ctl_usage("'keys %s': '%s' is not a key id (a number "
				 "as 'idpctl keys list' shows)",
				 cmd, ctl_shown(s, b));
	*id = (int64_t)g_ascii_strtoll(s, NULL, 10);
	return CTL_EXIT_OK;
}

/* --bits: absent means the default; four digits, a size we offer. */
static int
bits_arg(const char *cmd, const char *s, unsigned *bits)
{
	*bits = s == NULL ? KEYS_BITS_DEFAULT : (unsigned)atoi(s);
	if (s != NULL && (strlen(s) != 4 || strspn(s, "0123456789") != 4 ||
			  !keys_bits_valid(*bits)))
		return ctl_usage("'keys %s': --bits must be 2048, 3072 or "
				 "4096",
				 cmd);
	return CTL_EXIT_OK;
}

/* --purpose: absent means saml; else exactly one of the three names. */
static int
purpose_arg(const char *cmd, const char *s, enum keys_purpose *p)
{
	char b[CTL_SHOWN_MAX + 4];

	*p = KEYS_PURPOSE_SAML;
	if (s != NULL && !keys_purpose_parse(s, p))
		return ctl_usage("'keys %s': --purpose '%s' is not a purpose; "
				 "use " PURPOSES_ALLOWED,
				 cmd, ctl_shown(s, b));
	return CTL_EXIT_OK;
}

/* An id, or null/"none" for 0. */
static void
put_id(GString *o, int64_t id, bool json)
{
	if (id == 0)
		g_string_append(o, json ? "null" : "none");
	else
		g_string_append_printf(o, "%lld", (long long)id);
}

/*
 * What a command that changes keys needs: libsodium, the master key
 * (when @mk is not NULL) and the store. Reports and returns
 * CTL_EXIT_FAIL, else CTL_EXIT_OK.
 */
static int
prepare(const struct cfg *cfg, uint8_t *mk, struct store **s)
{
	char err[KEYS_ERR_MAX];

	*s = NULL;
	if (crypt_init() != 0)
		return ctl_fail("cannot initialise libsodium");
	if (mk != NULL && keys_master_load(cfg->keys_master_key_file, mk, err,
					   sizeof(err)) != 0)
		return ctl_fail("%s", err);
	return ctl_store_open(cfg, s);
}

/* One line for a refusal: CTL_EXIT_FAIL; CTL_EXIT_OK when there is none. */
static int
refused(const struct cfg *cfg, const struct keys_result *r)
{
	char text[KEYS_ERR_MAX];

	if (r->refusal == KEYS_DONE || r->refusal == KEYS_NOTHING_TO_DO)
		return CTL_EXIT_OK;
	(void)keys_refusal_format(r, cfg->keys_rollover_window_s, text,
				  sizeof(text));
	return ctl_fail("%s%s", text,
			r->refusal == KEYS_TOO_EARLY ? ", or use --force"
			: r->refusal == KEYS_IS_ACTIVE
				? " (--force retires it all the same)"
				: "");
}

/* --- init --- */

static int
cmd_init(const struct cfg *cfg, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--json", 0, NULL}};
	char err[KEYS_ERR_MAX];
	const char *pos;
	GString *out;
	int rc;

	rc = ctl_args_parse("keys", "init", argc, argv, o, G_N_ELEMENTS(o),
			    &pos);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (pos != NULL)
		return ctl_usage("'keys init': unexpected argument; the path "
				 "is [keys] master_key_file");
	if (crypt_init() != 0)
		return ctl_fail("cannot initialise libsodium");
	if (keys_master_init(cfg->keys_master_key_file, err, sizeof(err)) != 0)
		return ctl_fail("%s", err);
	out = g_string_new(NULL);
	if (o[0].value != NULL) {
		g_string_append(out, "{\"master_key_file\":");
		ctl_put_text(out, cfg->keys_master_key_file, true);
		g_string_append(out, "}\n");
	} else {
		g_string_append(out, "created the master key file ");
		ctl_put_text(out, cfg->keys_master_key_file, false);
		g_string_append_printf(out,
				       " (%d bytes, mode 0600)\nback it up "
				       "apart from the database: without it "
				       "no signing key can be opened\n",
				       KEYS_MASTER_KEY_BYTES);
	}
	ctl_emit(out);
	return CTL_EXIT_OK;
}

/* --- generate and rotate --- */

/* "generated saml key 4 ..." lines, or the JSON members of the new key. */
static void
put_new_key(GString *o, const struct keys_result *r,
	    const struct keys_material *m, bool json)
{
	const char *purpose = keys_purpose_name(r->purpose);

	if (json) {
		g_string_append_printf(o,
				       "\"id\":%lld,\"state\":\"next\","
				       "\"purpose\":\"%s\","
				       "\"bits\":%u,\"fingerprint\":\"%s\","
				       "\"not_before\":",
				       (long long)r->generated_id, purpose,
				       m->bits, m->fingerprint);
		ctl_put_time(o, m->not_before, true);
		g_string_append(o, ",\"not_after\":");
		ctl_put_time(o, m->not_after, true);
		g_string_append(o, ",\"activatable_at\":");
		ctl_put_time(o, r->ready_at, true);
		return;
	}
	g_string_append_printf(o,
			       "generated %s key %lld (RSA-%u) as next\n"
			       "  fingerprint:  %s\n  valid:        ",
			       purpose, (long long)r->generated_id, m->bits,
			       m->fingerprint);
	ctl_put_time(o, m->not_before, false);
	g_string_append(o, " to ");
	ctl_put_time(o, m->not_after, false);
	g_string_append(o, "\n  activatable:  from ");
	ctl_put_time(o, r->ready_at, false);
	g_string_append_printf(o, " ('idpctl keys activate %lld')\n",
			       (long long)r->generated_id);
}

/*
 * Generate the key material for a new key, with the BSI warning for
 * 2048 bits. Reports and returns CTL_EXIT_FAIL, else CTL_EXIT_OK.
 */
static int
material_new(const struct cfg *cfg, enum keys_purpose purpose, unsigned bits,
	     struct keys_material *m)
{
	char cn[CFG_CERT_SUBJECT_MAX + 1], err[KEYS_ERR_MAX];

	if (keys_subject_cn(cfg, cn, err, sizeof(err)) != 0)
		return ctl_fail("%s", err);
	if (bits < KEYS_BITS_BSI_MIN) {
		(void)fflush(stdout);
		fprintf(stderr,
			"idpctl: warning: RSA-%u is below the %d bits that "
			"BSI TR-02102-1 asks for; use it only for a relying "
			"party that cannot handle more\n",
			bits, KEYS_BITS_BSI_MIN);
	}
	if (keys_generate(purpose, bits, cfg->keys_certificate_validity_days,
			  cn, m, err, sizeof(err)) != 0)
		return ctl_fail("%s", err);
	return CTL_EXIT_OK;
}

static int
new_key_run(const struct cfg *cfg, int argc, char **argv, bool rotate)
{
	enum { BITS, JSON, QUIET, PURPOSE };
	struct ctl_opt o[] = {
		[BITS] = {"--bits", 8, NULL},
		[JSON] = {"--json", 0, NULL},
		[QUIET] = {"--quiet", 0, NULL},
		[PURPOSE] = {"--purpose", PURPOSE_ARG_MAX, NULL},
	};
	enum keys_purpose purpose = KEYS_PURPOSE_SAML;
	const char *cmd = rotate ? "rotate" : "generate";
	uint8_t mk[KEYS_MASTER_KEY_BYTES];
	struct keys_material m = {0};
	struct keys_result r = {0};
	char op[CTL_OPERATOR_MAX], err[KEYS_ERR_MAX];
	struct keys_who who = {KEYS_ACTOR_OPERATOR, op};
	struct store *s = NULL;
	const char *pos;
	GString *out = NULL;
	unsigned bits;
	bool json;
	int rc;

	rc = ctl_args_parse("keys", cmd, argc, argv, o, G_N_ELEMENTS(o), &pos);
	if (rc == CTL_EXIT_OK && pos != NULL)
		rc = ctl_usage("'keys %s': unexpected argument", cmd);
	if (rc == CTL_EXIT_OK)
		rc = purpose_arg(cmd, o[PURPOSE].value, &purpose);
	if (rc == CTL_EXIT_OK)
		rc = bits_arg(cmd, o[BITS].value, &bits);
	if (rc == CTL_EXIT_OK)
		rc = ctl_args_exclude("keys", cmd, &o[JSON], &o[QUIET]);
	if (rc != CTL_EXIT_OK)
		return rc;
	json = o[JSON].value != NULL;
	ctl_operator_name(op);

	rc = prepare(cfg, mk, &s);
	if (rc != CTL_EXIT_OK)
		goto out;
	/* Refuse before spending seconds on a key that would be refused. */
	if (keys_next_peek(s, mk, purpose, cfg->keys_rollover_window_s, &r, err,
			   sizeof(err)) != 0) {
		rc = ctl_fail("%s", err);
		goto out;
	}
	out = g_string_new(NULL);
	if (r.refusal != KEYS_DONE) {
		rc = refused(cfg, &r);
		goto out;
	}
	if (r.id != 0 && !rotate) {
		r.refusal = KEYS_NEXT_EXISTS;
		rc = refused(cfg, &r);
		goto out;
	}
	if (r.id != 0 && rotate &&
	    r.published_for < (int64_t)cfg->keys_rollover_window_s) {
		r.refusal = KEYS_NOTHING_TO_DO;
	} else {
		rc = material_new(cfg, purpose, bits, &m);
		if (rc != CTL_EXIT_OK)
			goto out;
		if ((rotate ? keys_rotate : keys_add)(
			    s, mk, purpose, &m, cfg->keys_rollover_window_s,
			    &who, &r, err, sizeof(err)) != 0) {
			rc = ctl_fail("%s", err);
			goto out;
		}
		rc = refused(cfg, &r);
		if (rc != CTL_EXIT_OK)
			goto out;
	}
	if (o[QUIET].value != NULL) {
		if (r.generated_id != 0)
			g_string_append_printf(out, "%lld\n",
					       (long long)r.generated_id);
	} else if (!rotate) {
		if (json)
			g_string_append_c(out, '{');
		put_new_key(out, &r, &m, json);
		if (json)
			g_string_append(out, "}\n");
	} else if (json) {
		g_string_append_printf(out,
				       "{\"purpose\":\"%s\",\"activated\":",
				       keys_purpose_name(purpose));
		put_id(out, r.activated_id, true);
		g_string_append(out, ",\"previous\":");
		put_id(out, r.previous_id, true);
		g_string_append(out, ",\"generated\":");
		if (r.generated_id == 0) {
			g_string_append(out, "null,\"next\":");
			put_id(out, r.id, true);
			g_string_append(out, ",\"activatable_at\":");
			ctl_put_time(out, r.ready_at, true);
		} else {
			g_string_append_c(out, '{');
			put_new_key(out, &r, &m, true);
			g_string_append_c(out, '}');
		}
		g_string_append(out, "}\n");
	} else if (r.generated_id == 0) {
		g_string_append_printf(
			out, "%s\n",
			keys_refusal_format(&r, cfg->keys_rollover_window_s,
					    err, sizeof(err)));
	} else {
		if (r.activated_id != 0) {
			g_string_append_printf(out, "activated %s key %lld; ",
					       keys_purpose_name(purpose),
					       (long long)r.activated_id);
			if (r.previous_id != 0)
				g_string_append_printf(
					out, "key %lld is now previous\n",
					(long long)r.previous_id);
			else
				g_string_append(out, "no key was active\n");
		}
		put_new_key(out, &r, &m, false);
	}
	ctl_emit(out);
	out = NULL;
	rc = CTL_EXIT_OK;
out:
	if (out != NULL)
		g_string_free(out, TRUE);
	crypt_wipe(mk, sizeof(mk));
	keys_material_clear(&m);
	store_free(s);
	return rc;
}

static int
cmd_generate(const struct cfg *cfg, int argc, char **argv)
{
	return new_key_run(cfg, argc, argv, false);
}

static int
cmd_rotate(const struct cfg *cfg, int argc, char **argv)
{
	return new_key_run(cfg, argc, argv, true);
}

/* --- list --- */

struct list {
	GString *o;
	const char *purpose; /* only keys of this purpose; NULL: all */
	bool json;
	unsigned window_s;
	int64_t n;
};

static void
list_json(struct list *l, const struct store_key *k)
{
	static const char *const names[] = {
		"not_before",	"not_after",	  "created_at", "published_at",
		"activated_at", "deactivated_at", "retired_at",
	};
	const int64_t times[] = {
		k->not_before,	 k->not_after,	  k->created_at,
		k->published_at, k->activated_at, k->deactivated_at,
		k->retired_at,
	};

	g_string_append_printf(l->o,
			       "%s{\"id\":%lld,\"state\":", l->n ? "," : "",
			       (long long)k->id);
	ctl_put_text(l->o, k->state, true);
	g_string_append(l->o, ",\"purpose\":");
	ctl_put_text(l->o, k->purpose, true);
	g_string_append_printf(l->o, ",\"bits\":%d,\"fingerprint\":", k->bits);
	ctl_put_text(l->o, k->fingerprint, true);
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		g_string_append_printf(l->o, ",\"%s\":", names[i]);
		ctl_put_time(l->o, times[i], true);
	}
	g_string_append(l->o, ",\"activatable_at\":");
	ctl_put_time(l->o,
		     strcmp(k->state, "next") == 0
			     ? k->published_at + (int64_t)l->window_s
			     : 0,
		     true);
	g_string_append_c(l->o, '}');
}

static void
list_line(struct list *l, const char *label, int64_t t)
{
	g_string_append_printf(l->o, "  %-14s", label);
	ctl_put_time(l->o, t, false);
	g_string_append_c(l->o, '\n');
}

static void
list_key(const struct store_key *k, void *cls)
{
	struct list *l = cls;

	if (l->purpose != NULL && strcmp(k->purpose, l->purpose) != 0)
		return;
	if (l->json) {
		list_json(l, k);
		l->n++;
		return;
	}
	g_string_append_printf(l->o, "%skey %lld  ", l->n ? "\n" : "",
			       (long long)k->id);
	ctl_put_text(l->o, k->state, false);
	g_string_append(l->o, "\n  purpose:      ");
	ctl_put_text(l->o, k->purpose, false);
	g_string_append(l->o, "\n  fingerprint:  ");
	ctl_put_text(l->o, k->fingerprint, false);
	g_string_append_printf(l->o, "\n  bits:         %d\n", k->bits);
	list_line(l, "created:", k->created_at);
	list_line(l, "published:", k->published_at);
	if (strcmp(k->state, "next") == 0)
		list_line(l, "activatable:",
			  k->published_at + (int64_t)l->window_s);
	if (k->activated_at != 0)
		list_line(l, "activated:", k->activated_at);
	if (k->deactivated_at != 0)
		list_line(l, "deactivated:", k->deactivated_at);
	if (k->retired_at != 0)
		list_line(l, "retired:", k->retired_at);
	list_line(l, "valid from:", k->not_before);
	list_line(l, "valid until:", k->not_after);
	l->n++;
}

static int
cmd_list(const struct cfg *cfg, int argc, char **argv)
{
	enum { JSON, PURPOSE };
	struct ctl_opt o[] = {
		[JSON] = {"--json", 0, NULL},
		[PURPOSE] = {"--purpose", PURPOSE_ARG_MAX, NULL},
	};
	enum keys_purpose purpose;
	struct list l = {0};
	struct store *s = NULL;
	const char *pos;
	int rc;

	rc = ctl_args_parse("keys", "list", argc, argv, o, G_N_ELEMENTS(o),
			    &pos);
	if (rc == CTL_EXIT_OK && pos != NULL)
		rc = ctl_usage("'keys list': unexpected argument");
	if (rc == CTL_EXIT_OK)
		rc = purpose_arg("list", o[PURPOSE].value, &purpose);
	if (rc != CTL_EXIT_OK)
		return rc;
	/* Without --purpose: every key, each showing its purpose. */
	if (o[PURPOSE].value != NULL)
		l.purpose = keys_purpose_name(purpose);
	rc = prepare(cfg, NULL, &s);
	if (rc != CTL_EXIT_OK)
		return rc;
	l.o = g_string_new(NULL);
	l.json = o[JSON].value != NULL;
	l.window_s = cfg->keys_rollover_window_s;
	if (l.json)
		g_string_append_c(l.o, '[');
	if (store_keys_iterate(s, list_key, &l) < 0) {
		g_string_free(l.o, TRUE);
		rc = ctl_fail("cannot read the keys from the database");
		goto out;
	}
	if (l.json)
		g_string_append(l.o, "]\n");
	else if (l.n == 0 && l.purpose == NULL)
		g_string_append(l.o, "no signing keys; create one with "
				     "'idpctl keys generate'\n");
	else if (l.n == 0)
		g_string_append_printf(l.o,
				       "no %s keys; create one with 'idpctl "
				       "keys generate --purpose %s'\n",
				       l.purpose, l.purpose);
	ctl_emit(l.o);
	rc = CTL_EXIT_OK;
out:
	store_free(s);
	return rc;
}

/* --- activate and retire --- */

static int
one_key_run(const struct cfg *cfg, int argc, char **argv, bool activate)
{
	enum { JSON, FORCE };
	struct ctl_opt o[] = {
		[JSON] = {"--json", 0, NULL},
		[FORCE] = {"--force", 0, NULL},
	};
	const char *cmd = activate ? "activate" : "retire";
	uint8_t mk[KEYS_MASTER_KEY_BYTES];
	struct keys_result r = {0};
	char op[CTL_OPERATOR_MAX], err[KEYS_ERR_MAX];
	struct keys_who who = {KEYS_ACTOR_OPERATOR, op};
	struct store *s = NULL;
	const char *pos;
	GString *out;
	int64_t id = 0;
	bool json, early;
	int rc;

	rc = ctl_args_parse("keys", cmd, argc, argv, o, G_N_ELEMENTS(o), &pos);
	if (rc == CTL_EXIT_OK)
		rc = id_arg(cmd, pos, &id);
	if (rc != CTL_EXIT_OK)
		return rc;
	json = o[JSON].value != NULL;
	ctl_operator_name(op);
	/* Activation checks that the key opens; retiring needs no key. */
	rc = prepare(cfg, activate ? mk : NULL, &s);
	if (rc != CTL_EXIT_OK)
		goto out;
	if (activate)
		rc = keys_activate(s, mk, id, cfg->keys_rollover_window_s,
				   o[FORCE].value != NULL, &who, &r, err,
				   sizeof(err));
	else
		rc = keys_retire(s, id, o[FORCE].value != NULL, &who, &r, err,
				 sizeof(err));
	if (rc != 0) {
		rc = ctl_fail("%s", err);
		goto out;
	}
	rc = refused(cfg, &r);
	if (rc != CTL_EXIT_OK)
		goto out;
	early = r.published_for < (int64_t)cfg->keys_rollover_window_s;
	out = g_string_new(NULL);
	if (json) {
		g_string_append_printf(out,
				       "{\"id\":%lld,\"state\":\"%s\","
				       "\"purpose\":\"%s\"",
				       (long long)id,
				       activate ? "active" : "retired",
				       keys_purpose_name(r.purpose));
		if (activate) {
			g_string_append(out, ",\"previous\":");
			put_id(out, r.previous_id, true);
			g_string_append_printf(out, ",\"forced\":%s",
					       early ? "true" : "false");
		} else {
			g_string_append_printf(out, ",\"was\":\"%s\"",
					       keys_state_name(r.state));
		}
		g_string_append(out, "}\n");
	} else if (activate) {
		g_string_append_printf(out, "activated %s key %lld; ",
				       keys_purpose_name(r.purpose),
				       (long long)id);
		if (r.previous_id != 0)
			g_string_append_printf(out, "key %lld is now previous",
					       (long long)r.previous_id);
		else
			g_string_append(out, "no key was active");
		if (early)
			g_string_append_printf(
				out,
				" (forced: published for %lld s of the %u s "
				"rollover window)",
				(long long)r.published_for,
				cfg->keys_rollover_window_s);
		g_string_append_c(out, '\n');
	} else {
		g_string_append_printf(out,
				       "retired %s key %lld (was %s); it is no "
				       "longer published and its private key "
				       "is deleted",
				       keys_purpose_name(r.purpose),
				       (long long)id, keys_state_name(r.state));
		if (r.state == KEYS_STATE_ACTIVE)
			g_string_append_printf(out,
					       "; no %s key is in use until "
					       "another is activated",
					       keys_purpose_name(r.purpose));
		g_string_append_c(out, '\n');
	}
	ctl_emit(out);
	rc = CTL_EXIT_OK;
out:
	crypt_wipe(mk, sizeof(mk));
	store_free(s);
	return rc;
}

static int
cmd_activate(const struct cfg *cfg, int argc, char **argv)
{
	return one_key_run(cfg, argc, argv, true);
}

static int
cmd_retire(const struct cfg *cfg, int argc, char **argv)
{
	return one_key_run(cfg, argc, argv, false);
}

static const struct ctl_command keys_commands[] = {
	{"init", "[--json]",
	 "create the master key file ([keys] master_key_file), mode 0600; "
	 "never overwrites",
	 cmd_init},
	{"generate",
	 "[--purpose saml|eid-signing|eid-encryption] "
	 "[--bits 2048|3072|4096] [--json | --quiet]",
	 "generate an RSA key and self-signed certificate as the next key "
	 "of the purpose (default saml)",
	 cmd_generate},
	{"list", "[--purpose saml|eid-signing|eid-encryption] [--json]",
	 "list the keys with purpose, state and dates", cmd_list},
	{"activate", "ID [--force] [--json]",
	 "make next key ID active (the active key of its purpose becomes "
	 "previous), once it has been published for the rollover window",
	 cmd_activate},
	{"retire", "ID [--force] [--json]",
	 "retire a next or previous key (the active one with --force): "
	 "unpublished, private key deleted",
	 cmd_retire},
	{"rotate",
	 "[--purpose saml|eid-signing|eid-encryption] "
	 "[--bits 2048|3072|4096] [--json | --quiet]",
	 "activate the next key of the purpose (default saml) when its "
	 "window has passed and generate a new next key",
	 cmd_rotate},
	{NULL, NULL, NULL, NULL},
};

const struct ctl_group ctl_group_keys = {
	.name = "keys",
	.help = "keys (SAML, eID signing and encryption): master key, "
		"generation, rollover",
	.commands = keys_commands,
};
