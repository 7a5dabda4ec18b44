/*
 * idpctl account: citizen accounts, for operators.
 *
 *   idpctl account create --email E --given-name G --family-name F
 *                         [--birth-date YYYY-MM-DD] [--verified]
 *                         (password: the first line of stdin)
 *   idpctl account show EMAIL [--json]
 *   idpctl account lock EMAIL
 *   idpctl account unlock EMAIL
 *   idpctl account delete EMAIL --yes
 *   idpctl account sessions EMAIL [--json | --end HANDLE | --end-all]
 *
 * Input obeys the rules of the citizen's forms (mail_address_valid(),
 * account_profile_validate(), the password policy). Every change runs in
 * one transaction together with its audit row (actor "operator", the OS
 * user in the details, the account's audit_ref as subject). Malformed
 * input exits 2 before the database is touched; a refusal or a failure
 * exits 1. Values read from the database are printed with control and
 * format characters escaped, so that a name or user agent cannot drive
 * the operator's terminal. docs/operations-accounts.md is the manual.
 */
#include <errno.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "idp/account/account.h"
#include "idp/audit/audit.h"
#include "idp/common/limits.h"
#include "idp/crypto/crypt.h"
#include "idp/ctl/ctl.h"
#include "idp/ctl/ctl_util.h"
#include "idp/mail/mail.h"
#include "idp/store/store_account.h"

/* A session handle: 128 bits as lower-case hex. */
#define HANDLE_LEN 32
/* The label column of show and sessions (struct ctl_out). */
#define LABEL_WIDTH 20

/* The one positional argument, an e-mail address: present and valid. */
static int
email_arg(const char *cmd, const char *email)
{
	if (email == NULL)
		return ctl_usage("'account %s': missing e-mail address", cmd);
	if (strlen(email) > MAIL_ADDRESS_MAX || !mail_address_valid(email))
		return ctl_usage("'account %s': not a valid e-mail address",
				 cmd);
	return CTL_EXIT_OK;
}

/*
 * Audit row for an operator action inside the running transaction:
 * details {"operator": <OS user>} plus @k: @v when @k is not NULL.
 * Returns a STORE_* value.
 */
static int
audit_operator(struct store *s, const char *event, const char *subject,
	       const char *k, const char *v)
{
	char op[CTL_OPERATOR_MAX];
	char *details;
	int rc;

	ctl_operator_name(op);
	details = audit_details("operator", op, k, v, NULL);
	if (details == NULL)
		return STORE_HARD_ERROR;
	rc = audit_append(s, event, "operator", subject, NULL, details);
	g_free(details);
	return rc;
}

/* libsodium, then the store (ctl_store_open()). */
static int
connect_store(const struct cfg *cfg, struct store **out)
{
	*out = NULL;
	if (crypt_init() != 0)
		return ctl_fail("cannot initialise libsodium");
	return ctl_store_open(cfg, out);
}

/* Exit status for a failed store_run_tx(): nothing was changed. */
static int
tx_fail(int rc)
{
	if (rc == STORE_SOFT_ERROR)
		return ctl_fail("the database kept reporting conflicting "
				"changes; nothing was changed, try again");
	return ctl_fail("the database failed the operation (see the log "
			"line above); nothing was changed");
}

/* --- create --- */

/* What the first line of stdin may hold: the form field's bound. */
#define PW_STDIN_MAX CRYPT_PW_MAX_BYTES

/* The terminal's settings while a password is typed with echo off. */
static struct termios tty_saved;

/* Ctrl-C at the password prompt: give the terminal its echo back first. */
static void
tty_restore_and_die(int sig)
{
	(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &tty_saved);
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

/*
 * Read up to @cap bytes of stdin into @buf, stopping after the first
 * line end, at EOF or when @buf is full; *@line is the length of the
 * first line without its line end (LF or CRLF). From a terminal, with
 * echo off. Returns 0 or an errno value.
 */
static int
stdin_line(char *buf, size_t cap, size_t *line)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGQUIT, SIGHUP};
	struct sigaction die = {.sa_handler = tty_restore_and_die}, prev[4];
	struct termios quiet;
	bool tty = false, eof = false;
	size_t len = 0;
	char *nl = NULL;
	int err = 0;

	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &tty_saved) == 0) {
		for (size_t i = 0; i < G_N_ELEMENTS(sigs); i++)
			(void)sigaction(sigs[i], &die, &prev[i]);
		quiet = tty_saved;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tty = true;
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		fputs("password: ", stderr);
	}
	while (nl == NULL && !eof && len < cap && err == 0) {
		ssize_t n = read(STDIN_FILENO, buf + len, cap - len);

		if (n < 0) {
			err = errno == EINTR ? 0 : errno;
			continue;
		}
		eof = n == 0;
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
	}
	if (tty) {
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &tty_saved);
		for (size_t i = 0; i < G_N_ELEMENTS(sigs); i++)
			(void)sigaction(sigs[i], &prev[i], NULL);
		fputc('\n', stderr);
	}
	*line = nl != NULL ? (size_t)(nl - buf) : len;
	if (*line > 0 && buf[*line - 1] == '\r')
		(*line)--;
	return err;
}

/*
 * The password: the first line of stdin, at most PW_STDIN_MAX bytes
 * (read with that bound, so that a huge input costs nothing), valid
 * UTF-8. Returns CTL_EXIT_OK with *@nfc the normalised password
 * (crypt_password_free()), or reports and returns CTL_EXIT_USAGE or
 * CTL_EXIT_FAIL.
 */
static int
password_read(char **nfc)
{
	char buf[PW_STDIN_MAX + 3]; /* the bound, CR, LF, one byte over */
	size_t line;
	int rc = CTL_EXIT_OK, err;

	*nfc = NULL;
	err = stdin_line(buf, sizeof(buf), &line);
	if (err != 0)
		rc = ctl_fail("cannot read the password from stdin: %s",
			      strerror(err));
	else if (line > PW_STDIN_MAX)
		rc = ctl_usage("the password on stdin is longer than %d bytes",
			       PW_STDIN_MAX);
	else if (line == 0)
		rc = ctl_usage("no password on stdin");
	else if ((err = crypt_password_normalize(buf, line, nfc)) ==
		 IDP_ERR_NOMEM)
		rc = ctl_fail("out of memory");
	else if (err != 0)
		rc = ctl_usage("the password on stdin is not valid UTF-8 "
			       "text (or holds a NUL byte)");
	crypt_wipe(buf, sizeof(buf));
	return rc;
}

/* The citizen's password policy; CTL_EXIT_FAIL with the reason. */
static int
password_policy(const char *nfc, const char *email, const char *given,
		const char *family)
{
	switch (crypt_password_check(nfc, email, given, family)) {
	case CRYPT_PW_OK:
		return CTL_EXIT_OK;
	case CRYPT_PW_TOO_SHORT:
		return ctl_fail("password refused: shorter than %d characters",
				CRYPT_PW_MIN_CHARS);
	case CRYPT_PW_TOO_LONG:
		return ctl_fail("password refused: longer than %d characters",
				CRYPT_PW_MAX_CHARS);
	case CRYPT_PW_COMMON:
		return ctl_fail("password refused: it is on the list of "
				"common passwords");
	case CRYPT_PW_PERSONAL:
		return ctl_fail("password refused: it equals the e-mail "
				"address or the name");
	}
	return ctl_fail("password refused");
}

/* One line for the first problem account_profile_validate() found. */
static int
profile_usage(const struct account_errors *errs)
{
	const char *field = errs->e[0].field, *key = errs->e[0].key;
	const char *opt = strcmp(field, "given_name") == 0    ? "--given-name"
			  : strcmp(field, "family_name") == 0 ? "--family-name"
			  : strcmp(field, "birth_date") == 0  ? "--birth-date"
							      : field;

	if (strcmp(key, "err.required") == 0)
		return ctl_usage("'account create': %s must not be blank", opt);
	if (strcmp(key, "err.date_invalid") == 0)
		return ctl_usage("'account create': %s must be a real date "
				 "YYYY-MM-DD from 1900-01-01 to today",
				 opt);
	if (strcmp(key, "err.text_invalid") == 0)
		return ctl_usage("'account create': %s must be UTF-8 text "
				 "without control characters, at most %d "
				 "characters",
				 opt, ACCOUNT_NAME_MAX_CHARS);
	return ctl_usage("'account create': %s is invalid", opt);
}

struct create_tx {
	struct store_account a; /* borrowed strings */
	bool verified;
	bool taken; /* out */
};

static int
create_cb(struct store *s, void *cls)
{
	struct create_tx *t = cls;
	int rc;

	t->taken = false;
	rc = store_account_insert(s, &t->a);
	if (rc == STORE_NO_ROW)
		t->taken = true;
	if (rc != STORE_ONE_ROW)
		return rc;
	if (t->verified) {
		rc = store_account_verify_email(s, t->a.id);
		if (rc != STORE_ONE_ROW)
			return rc < 0 ? rc : STORE_HARD_ERROR;
	}
	return audit_operator(s, "account_created_by_operator", t->a.audit_ref,
			      "verified", t->verified ? "true" : "false");
}

static int
cmd_create(const struct cfg *cfg, int argc, char **argv)
{
	enum { EMAIL, GIVEN, FAMILY, BIRTH, VERIFIED };
	struct ctl_opt o[] = {
		[EMAIL] = {"--email", MAIL_ADDRESS_MAX, NULL},
		[GIVEN] = {"--given-name", 4 * ACCOUNT_NAME_MAX_CHARS, NULL},
		[FAMILY] = {"--family-name", 4 * ACCOUNT_NAME_MAX_CHARS, NULL},
		[BIRTH] = {"--birth-date", 64, NULL},
		[VERIFIED] = {"--verified", 0, NULL},
	};
	struct account_errors errs = {0};
	struct create_tx t = {0};
	struct store_account existing = {0};
	struct store *s = NULL;
	char hash[CRYPT_PWHASH_STRBYTES] = "", ref[33];
	char *nfc = NULL;
	const char *pos;
	GString *msg = NULL;
	uint8_t raw[16];
	int rc;

	rc = ctl_args_parse("account", "create", argc, argv, o, G_N_ELEMENTS(o),
			    &pos);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (pos != NULL)
		return ctl_usage("'account create': unexpected argument; "
				 "the e-mail address goes after --email");
	for (size_t i = EMAIL; i <= FAMILY; i++)
		if (o[i].value == NULL)
			return ctl_usage("'account create': missing %s",
					 o[i].name);
	if (!mail_address_valid(o[EMAIL].value))
		return ctl_usage("'account create': --email is not a valid "
				 "e-mail address");
	struct account_profile_input p = {
		.given_name = o[GIVEN].value,
		.family_name = o[FAMILY].value,
		.birth_date = o[BIRTH].value != NULL ? o[BIRTH].value : "",
	};
	account_profile_validate(&p, &errs);
	if (errs.n > 0)
		return profile_usage(&errs);

	rc = connect_store(cfg, &s);
	if (rc != CTL_EXIT_OK)
		goto out;
	/* Say so before the operator types a password for nothing. */
	rc = store_account_select_by_email(s, o[EMAIL].value, &existing);
	if (rc < 0) {
		rc = tx_fail(rc);
		goto out;
	}
	if (rc == STORE_ONE_ROW) {
		rc = ctl_fail("an account with this e-mail exists");
		goto out;
	}
	rc = password_read(&nfc);
	if (rc != CTL_EXIT_OK)
		goto out;
	rc = password_policy(nfc, o[EMAIL].value, p.given_name, p.family_name);
	if (rc != CTL_EXIT_OK)
		goto out;
	if (crypt_password_hash(nfc, cfg->password_opslimit,
				cfg->password_memlimit, hash) != 0) {
		rc = ctl_fail("cannot hash the password (Argon2id parameters "
			      "or memory)");
		goto out;
	}

	crypt_random(raw, sizeof(raw));
	crypt_hex(raw, sizeof(raw), ref, sizeof(ref));
	t.a.audit_ref = ref;
	t.a.email = (char *)(uintptr_t)o[EMAIL].value;
	t.a.password_hash = hash;
	t.a.given_name = (char *)(uintptr_t)p.given_name;
	t.a.family_name = (char *)(uintptr_t)p.family_name;
	t.a.birth_date = (char *)(uintptr_t)p.birth_date;
	t.verified = o[VERIFIED].value != NULL;
	rc = store_run_tx(s, "ctl_account_create", false, create_cb, &t);
	if (rc < 0) {
		rc = tx_fail(rc);
		goto out;
	}
	if (t.taken) {
		rc = ctl_fail("an account with this e-mail exists");
		goto out;
	}
	msg = g_string_new("created ");
	ctl_put_text(msg, o[EMAIL].value, false);
	g_string_append_printf(msg, " (audit reference %s, e-mail %s)\n", ref,
			       t.verified ? "verified" : "not verified");
	fputs(msg->str, stdout);
	rc = CTL_EXIT_OK;
out:
	if (msg != NULL)
		g_string_free(msg, TRUE);
	crypt_wipe(hash, sizeof(hash));
	crypt_password_free(nfc);
	store_account_clear(&existing);
	store_free(s);
	return rc;
}

/* --- the commands on one existing account --- */

/*
 * An action on the account with e-mail @email inside one transaction:
 * @act runs with the account row; it sets the output and returns a
 * STORE_* value.
 */
struct acct_tx {
	const char *email;
	int (*act)(struct store *s, struct acct_tx *t);
	bool json;
	const char *handle; /* sessions --end */
	bool end_all;	    /* sessions --end-all */
	bool lock;	    /* lock or unlock */
	/* Reset by every run of the transaction: */
	struct store_account a;
	bool found;	     /* the account exists */
	const char *refused; /* why the action failed, or NULL */
	GString *out;	     /* stdout */
	int64_t n;	     /* sessions seen or ended */
};

static int
acct_cb(struct store *s, void *cls)
{
	struct acct_tx *t = cls;
	int rc;

	store_account_clear(&t->a);
	t->found = false;
	t->refused = NULL;
	t->n = 0;
	g_string_truncate(t->out, 0);
	rc = store_account_select_by_email(s, t->email, &t->a);
	if (rc != STORE_ONE_ROW)
		return rc;
	t->found = true;
	return t->act(s, t);
}

static int
acct_run(const struct cfg *cfg, const char *name, struct acct_tx *t)
{
	struct store *s = NULL;
	int rc;

	t->out = g_string_new(NULL);
	rc = connect_store(cfg, &s);
	if (rc != CTL_EXIT_OK)
		goto out;
	rc = store_run_tx(s, name, false, acct_cb, t);
	if (rc < 0)
		rc = tx_fail(rc);
	else if (!t->found)
		rc = ctl_fail("no account with this e-mail");
	else if (t->refused != NULL)
		rc = ctl_fail("%s", t->refused);
	else
		rc = CTL_EXIT_OK;
	if (rc == CTL_EXIT_OK)
		fputs(t->out->str, stdout);
out:
	store_account_clear(&t->a);
	g_string_free(t->out, TRUE);
	store_free(s);
	return rc;
}

/* "anna@example.org" as stored, for a result line. */
static void
put_email(struct acct_tx *t)
{
	ctl_put_text(t->out, t->a.email, false);
}

static void
count_session(const struct store_session *ss, void *cls)
{
	(void)ss;
	(void)cls;
}

static int
show_act(struct store *s, struct acct_tx *t)
{
	const struct store_account *a = &t->a;
	struct ctl_out o = {t->out, t->json, true, LABEL_WIDTH};
	int n;

	n = store_session_iterate(s, a->id, NULL, count_session, NULL);
	if (n < 0)
		return n;
	ctl_out_str(&o, "email", "e-mail:", a->email);
	ctl_out_bool(&o, "email_verified", "verified:", a->email_verified);
	ctl_out_str(&o, "pending_email", "pending e-mail:", a->pending_email);
	ctl_out_str(&o, "status", "status:", a->locked ? "locked" : "active");
	ctl_out_bool(&o, "password_set",
		     "password set:", a->password_hash != NULL);
	ctl_out_str(&o, "given_name", "given name:", a->given_name);
	ctl_out_str(&o, "family_name", "family name:", a->family_name);
	ctl_out_str(&o, "birth_date", "birth date:", a->birth_date);
	ctl_out_str(&o, "street", "street:", a->street);
	ctl_out_str(&o, "postal_code", "postal code:", a->postal_code);
	ctl_out_str(&o, "city", "city:", a->city);
	ctl_out_str(&o, "name_source", "name source:", a->name_source);
	ctl_out_str(&o, "birth_date_source",
		    "birth date source:", a->birth_date_source);
	ctl_out_str(&o, "address_source", "address source:", a->address_source);
	ctl_out_time(&o, "created_at", "created:", a->created_at);
	ctl_out_str(&o, "audit_ref", "audit reference:", a->audit_ref);
	ctl_out_int(&o, "live_sessions", "live sessions:", n);
	ctl_out_end(&o);
	if (o.json)
		g_string_append_c(o.s, '\n');
	return STORE_ONE_ROW;
}

static int
cmd_show(const struct cfg *cfg, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--json", 0, NULL}};
	struct acct_tx t = {.act = show_act};
	int rc;

	rc = ctl_args_parse("account", "show", argc, argv, o, G_N_ELEMENTS(o),
			    &t.email);
	if (rc == CTL_EXIT_OK)
		rc = email_arg("show", t.email);
	if (rc != CTL_EXIT_OK)
		return rc;
	t.json = o[0].value != NULL;
	return acct_run(cfg, "ctl_account_show", &t);
}

/* Mostly for the audit details: a count as text. */
static const char *
count_text(int64_t n, char buf[24])
{
	(void)snprintf(buf, 24, "%lld", (long long)n);
	return buf;
}

static int
lock_act(struct store *s, struct acct_tx *t)
{
	char n[24];
	int rc;

	if (t->a.locked == t->lock) {
		/* Nothing to change, so nothing to audit. */
		put_email(t);
		g_string_append(t->out, t->lock ? " is already locked\n"
						: " is not locked\n");
		return STORE_NO_ROW;
	}
	rc = store_account_update_status(s, t->a.id, t->lock);
	if (rc != STORE_ONE_ROW)
		return rc < 0 ? rc : STORE_HARD_ERROR;
	if (t->lock) {
		/* A locked account must not stay logged in anywhere. */
		rc = store_session_delete_account(s, t->a.id, NULL, &t->n);
		if (rc < 0)
			return rc;
		rc = audit_operator(s, "account_locked", t->a.audit_ref,
				    "sessions_ended", count_text(t->n, n));
	} else {
		rc = audit_operator(s, "account_unlocked", t->a.audit_ref, NULL,
				    NULL);
	}
	if (rc < 0)
		return rc;
	g_string_append(t->out, t->lock ? "locked " : "unlocked ");
	put_email(t);
	if (t->lock)
		g_string_append_printf(t->out, " (%lld sessions ended)",
				       (long long)t->n);
	g_string_append_c(t->out, '\n');
	return rc;
}

static int
lock_run(const struct cfg *cfg, int argc, char **argv, bool lock)
{
	struct acct_tx t = {.act = lock_act, .lock = lock};
	const char *cmd = lock ? "lock" : "unlock";
	int rc;

	rc = ctl_args_parse("account", cmd, argc, argv, NULL, 0, &t.email);
	if (rc == CTL_EXIT_OK)
		rc = email_arg(cmd, t.email);
	if (rc != CTL_EXIT_OK)
		return rc;
	return acct_run(cfg, lock ? "ctl_account_lock" : "ctl_account_unlock",
			&t);
}

static int
cmd_lock(const struct cfg *cfg, int argc, char **argv)
{
	return lock_run(cfg, argc, argv, true);
}

static int
cmd_unlock(const struct cfg *cfg, int argc, char **argv)
{
	return lock_run(cfg, argc, argv, false);
}

static int
delete_act(struct store *s, struct acct_tx *t)
{
	int rc;

	rc = store_account_delete(s, t->a.id);
	if (rc == STORE_NO_ROW) /* deleted by someone else meanwhile */
		t->found = false;
	if (rc != STORE_ONE_ROW)
		return rc;
	rc = audit_operator(s, "account_deleted", t->a.audit_ref, NULL, NULL);
	if (rc < 0)
		return rc;
	g_string_append(t->out, "deleted ");
	put_email(t);
	g_string_append_printf(t->out, " (audit reference %s)\n",
			       t->a.audit_ref);
	return rc;
}

static int
cmd_delete(const struct cfg *cfg, int argc, char **argv)
{
	struct ctl_opt o[] = {{"--yes", 0, NULL}};
	struct acct_tx t = {.act = delete_act};
	int rc;

	rc = ctl_args_parse("account", "delete", argc, argv, o, G_N_ELEMENTS(o),
			    &t.email);
	if (rc == CTL_EXIT_OK)
		rc = email_arg("delete", t.email);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (o[0].value == NULL)
		return ctl_usage("refusing to delete without --yes");
	return acct_run(cfg, "ctl_account_delete", &t);
}

/* One live session: a block of lines, or an element of a JSON array. */
static void
list_session(const struct store_session *ss, void *cls)
{
	struct acct_tx *t = cls;
	struct ctl_out o = {t->out, t->json, true, LABEL_WIDTH};

	if (t->json) {
		g_string_append(o.s, t->n == 0 ? "" : ",");
		ctl_out_str(&o, "handle", "", ss->handle);
	} else {
		g_string_append(o.s, "session ");
		ctl_put_text(o.s, ss->handle, false);
		g_string_append_c(o.s, '\n');
	}
	ctl_out_time(&o, "created_at", "  created:", ss->created_at);
	ctl_out_time(&o, "last_seen_at", "  last seen:", ss->last_seen_at);
	ctl_out_time(&o, "idle_expires_at",
		     "  idle expiry:", ss->idle_expires_at);
	ctl_out_time(&o, "absolute_expires_at",
		     "  absolute expiry:", ss->absolute_expires_at);
	ctl_out_str(&o, "auth_method", "  method:", ss->auth_method);
	ctl_out_str(&o, "loa", "  level:", ss->loa);
	ctl_out_str(&o, "client", "  client:", ss->client);
	ctl_out_str(&o, "user_agent", "  user agent:", ss->user_agent);
	ctl_out_end(&o);
	t->n++;
}

static int
sessions_act(struct store *s, struct acct_tx *t)
{
	char n[24];
	int rc;

	if (t->handle != NULL) {
		rc = store_session_delete_handle(s, t->a.id, t->handle);
		if (rc == STORE_NO_ROW)
			t->refused = "no session with this handle for this "
				     "account";
		if (rc != STORE_ONE_ROW)
			return rc;
		rc = audit_operator(s, "session_ended", t->a.audit_ref,
				    "handle", t->handle);
		g_string_append_printf(t->out, "ended session %s of ",
				       t->handle);
	} else if (t->end_all) {
		rc = store_session_delete_account(s, t->a.id, NULL, &t->n);
		if (rc < 0 || t->n == 0) {
			put_email(t);
			g_string_append(t->out, " has no sessions\n");
			return rc < 0 ? rc : STORE_NO_ROW;
		}
		rc = audit_operator(s, "session_ended", t->a.audit_ref, "ended",
				    count_text(t->n, n));
		g_string_append_printf(t->out, "ended %lld sessions of ",
				       (long long)t->n);
	} else {
		if (t->json)
			g_string_append_c(t->out, '[');
		rc = store_session_iterate(s, t->a.id, NULL, list_session, t);
		if (t->json)
			g_string_append(t->out, "]\n");
		else if (rc == 0)
			g_string_append(t->out, "no live sessions\n");
		return rc < 0 ? rc : STORE_ONE_ROW;
	}
	if (rc < 0)
		return rc;
	put_email(t);
	g_string_append_c(t->out, '\n');
	return rc;
}

static bool
handle_valid(const char *h)
{
	size_t i;

	for (i = 0; h[i] != '\0'; i++)
		if (!((h[i] >= '0' && h[i] <= '9') ||
		      (h[i] >= 'a' && h[i] <= 'f')))
			return false;
	return i == HANDLE_LEN;
}

static int
cmd_sessions(const struct cfg *cfg, int argc, char **argv)
{
	enum { JSON, END, END_ALL };
	struct ctl_opt o[] = {
		[JSON] = {"--json", 0, NULL},
		[END] = {"--end", 64, NULL},
		[END_ALL] = {"--end-all", 0, NULL},
	};
	struct acct_tx t = {.act = sessions_act};
	int rc;

	rc = ctl_args_parse("account", "sessions", argc, argv, o,
			    G_N_ELEMENTS(o), &t.email);
	if (rc == CTL_EXIT_OK)
		rc = email_arg("sessions", t.email);
	if (rc != CTL_EXIT_OK)
		return rc;
	if ((o[JSON].value != NULL) + (o[END].value != NULL) +
		    (o[END_ALL].value != NULL) >
	    1)
		return ctl_usage("'account sessions': --json, --end and "
				 "--end-all exclude each other");
	if (o[END].value != NULL && !handle_valid(o[END].value))
		return ctl_usage("'account sessions': --end needs a session "
				 "handle (32 hex digits, as listed)");
	t.json = o[JSON].value != NULL;
	t.handle = o[END].value;
	t.end_all = o[END_ALL].value != NULL;
	return acct_run(cfg, "ctl_account_sessions", &t);
}

static const struct ctl_command account_commands[] = {
	{"create",
	 "--email E --given-name G --family-name F [--birth-date YYYY-MM-DD] "
	 "[--verified] < PASSWORD",
	 "create an account; the password is the first line of stdin",
	 cmd_create},
	{"show", "EMAIL [--json]",
	 "show an account and its number of live sessions", cmd_show},
	{"lock", "EMAIL", "lock an account and end all its sessions", cmd_lock},
	{"unlock", "EMAIL", "unlock an account", cmd_unlock},
	{"delete", "EMAIL --yes",
	 "delete an account with its sessions and e-mail links", cmd_delete},
	{"sessions", "EMAIL [--json | --end HANDLE | --end-all]",
	 "list an account's live sessions, or end one or all of them",
	 cmd_sessions},
	{NULL, NULL, NULL, NULL},
};

const struct ctl_group ctl_group_account = {
	.name = "account",
	.help = "citizen accounts and their sessions",
	.commands = account_commands,
};
