/*
 * The state changes of keys: add a next key, activate it, retire a key,
 * rotate. Each acts within one purpose: the next and active keys are
 * those of the purpose asked for (add, rotate) or of the key named
 * (activate). Each is one transaction that checks, changes, appends
 * its audit row and sends NOTIFY keys_changed, so that the change, its
 * record and its announcement commit together or not at all.
 *
 * The checks read the rows FOR UPDATE: two operators acting on the same
 * key queue, and the second sees what the first committed. The unique
 * indexes (per purpose, sql/011_key_purpose.sql) catch what slips past
 * (two next keys of a purpose inserted at once): the runner retries and
 * the check then refuses.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/audit/audit.h"
#include "idp/store/store_keys.h"
#include "keys/keys_internal.h"

/* "signing_key:" and an int64. */
#define SUBJECT_MAX 40

/* What a transaction saw of one key. */
struct seen {
	bool found;
	bool bad_purpose; /* the row's purpose is none we know */
	int64_t id;
	enum keys_purpose purpose;
	enum keys_state state;
	int64_t published_at;
	int64_t published_for;
	char fingerprint[KEYS_FINGERPRINT_LEN + 1];
	/* With a master key: the private key opens and fits the certificate. */
	const uint8_t *mk;
	bool usable;
	bool nomem;
};

/* The context of one change, shared by the transaction callbacks. */
struct change {
	struct store *s;
	const uint8_t *mk;
	enum keys_purpose purpose;     /* add, rotate; activate: the key's */
	const struct keys_material *m; /* add, rotate: the new key */
	const uint8_t *sealed;	       /* its private key, sealed */
	size_t sealed_len;
	int64_t id; /* activate, retire */
	unsigned window_s;
	bool force;
	const struct keys_who *who;
	struct keys_result *r;
	bool nomem;
};

static void
see(const struct store_key *row, void *cls)
{
	struct seen *w = cls;
	char *plain = NULL;
	size_t len = 0;

	w->found = true;
	w->id = row->id;
	w->published_at = row->published_at;
	w->published_for = row->published_for;
	(void)g_strlcpy(w->fingerprint, row->fingerprint,
			sizeof(w->fingerprint));
	/* The schema allows only the four; retired is the safe reading. */
	if (!keys_state_parse(row->state, &w->state))
		w->state = KEYS_STATE_RETIRED;
	/* The schema allows only the three; refuse to act on another. */
	w->bad_purpose = !keys_purpose_parse(row->purpose, &w->purpose);
	if (w->mk == NULL || row->sealed == NULL || row->certificate == NULL)
		return;
	switch (keys_open(w->mk, row->sealed, row->sealed_len, &plain, &len)) {
	case 0:
		w->usable = keys_pair_check(plain, len, row->certificate, NULL,
					    0) == 0;
		break;
	case IDP_ERR_NOMEM:
		w->nomem = true;
		break;
	default:
		break;
	}
	keys_secret_free(plain);
}

/* master_check(): does every live key open with @mk? */
struct opens {
	const uint8_t *mk;
	int64_t bad_id;
	bool nomem;
};

static void
try_open(const struct store_key *row, void *cls)
{
	struct opens *o = cls;
	char *plain = NULL;
	size_t len;
	int rc;

	if (o->bad_id != 0 || o->nomem || row->sealed == NULL)
		return;
	rc = keys_open(o->mk, row->sealed, row->sealed_len, &plain, &len);
	if (rc == IDP_ERR_NOMEM)
		o->nomem = true;
	else if (rc != 0)
		o->bad_id = row->id;
	keys_secret_free(plain);
}

/*
 * STORE_ONE_ROW when @c->mk opens every live key, of every purpose (one
 * master key seals them all); STORE_NO_ROW with the refusal set when one
 * does not; or an error.
 */
static int
master_check(struct change *c)
{
	struct opens o = {.mk = c->mk};
	int rc;

	rc = store_keys_live_iterate(c->s, try_open, &o);
	if (rc < 0)
		return rc;
	if (o.nomem) {
		c->nomem = true;
		return STORE_HARD_ERROR;
	}
	if (o.bad_id != 0) {
		c->r->refusal = KEYS_WRONG_MASTER;
		c->r->id = o.bad_id;
		return STORE_NO_ROW;
	}
	return STORE_ONE_ROW;
}

/*
 * The audit row of a change to key @id of @c->purpose: details purpose,
 * fingerprint, @k1: @v1, @k2: @v2 (@k2 may be NULL) and the OS user as
 * "operator" when known. The subject keeps its historical
 * "signing_key:" prefix, whatever the purpose, so that a key's history
 * is found under one name.
 */
static int
audit_key(struct change *c, const char *event, int64_t id, const char *fp,
	  const char *k1, const char *v1, const char *k2, const char *v2)
{
	const char *purpose = keys_purpose_name(c->purpose);
	char subject[SUBJECT_MAX];
	const char *user = c->who->user;
	char *details;
	int rc;

	(void)snprintf(subject, sizeof(subject), "signing_key:%lld",
		       (long long)id);
	if (user != NULL)
		details =
			audit_details("operator", user, "purpose", purpose,
				      "fingerprint", fp, k1, v1, k2, v2, NULL);
	else
		details = audit_details("purpose", purpose, "fingerprint", fp,
					k1, v1, k2, v2, NULL);
	rc = audit_append(c->s, event, c->who->actor, subject, NULL, details);
	g_free(details);
	return rc;
}

/*
 * Insert the new key as next of @c->purpose, audited. STORE_ONE_ROW,
 * NO_ROW or error.
 */
static int
insert_next(struct change *c)
{
	const struct keys_material *m = c->m;
	const char *purpose = keys_purpose_name(c->purpose);
	struct seen next = {0};
	char bits[16];
	int64_t id = 0, published_at = 0;
	int rc;

	rc = store_keys_next_select(c->s, purpose, see, &next);
	if (rc < 0)
		return rc;
	if (next.found) {
		c->r->refusal = KEYS_NEXT_EXISTS;
		c->r->id = next.id;
		c->r->state = KEYS_STATE_NEXT;
		return STORE_NO_ROW;
	}
	rc = store_keys_insert(c->s, purpose, (int)m->bits, m->fingerprint,
			       m->cert_pem, c->sealed, c->sealed_len,
			       m->not_before, m->not_after, &id, &published_at);
	if (rc == STORE_NO_ROW)
		/* Committed by another node since the select: look again. */
		return STORE_SOFT_ERROR;
	if (rc != STORE_ONE_ROW)
		return rc;
	c->r->generated_id = id;
	c->r->ready_at = published_at + (int64_t)c->window_s;
	(void)snprintf(bits, sizeof(bits), "%u", m->bits);
	return audit_key(c, "signing_key_generated", id, m->fingerprint, "bits",
			 bits, NULL, NULL);
}

/*
 * Activate the next key @next (locked, checked by the caller, of
 * @c->purpose): the active key of the same purpose becomes previous.
 * STORE_ONE_ROW or an error.
 */
static int
activate_next(struct change *c, const struct seen *next, const char *how)
{
	char prev[24] = "none";
	int64_t prev_id = 0;
	int rc;

	rc = store_keys_update_previous(c->s, keys_purpose_name(c->purpose),
					&prev_id);
	if (rc < 0)
		return rc;
	rc = store_keys_update_active(c->s, next->id);
	if (rc != STORE_ONE_ROW)
		return rc < 0 ? rc : STORE_HARD_ERROR;
	c->r->previous_id = prev_id;
	if (prev_id != 0)
		(void)snprintf(prev, sizeof(prev), "%lld", (long long)prev_id);
	return audit_key(c, "signing_key_activated", next->id,
			 next->fingerprint, "previous", prev, "how", how);
}

/* An empty result, for @purpose (activate, retire: set once known). */
static void
result_reset(struct keys_result *r, enum keys_purpose purpose)
{
	memset(r, 0, sizeof(*r));
	r->purpose = purpose;
}

static int
add_cb(struct store *s, void *cls)
{
	struct change *c = cls;
	int rc;

	result_reset(c->r, c->purpose);
	rc = master_check(c);
	if (rc != STORE_ONE_ROW)
		return rc;
	rc = insert_next(c);
	if (rc != STORE_ONE_ROW)
		return rc;
	return store_keys_notify(s);
}

static int
activate_cb(struct store *s, void *cls)
{
	struct change *c = cls;
	struct seen k = {.mk = c->mk};
	int rc;

	result_reset(c->r, c->purpose);
	c->r->id = c->id;
	rc = store_keys_select(s, c->id, see, &k);
	if (rc < 0)
		return rc;
	if (k.nomem) {
		c->nomem = true;
		return STORE_HARD_ERROR;
	}
	if (!k.found) {
		c->r->refusal = KEYS_NO_SUCH_KEY;
		return STORE_NO_ROW;
	}
	if (k.bad_purpose)
		return STORE_HARD_ERROR;
	/* The key's purpose decides which active key steps down. */
	c->purpose = k.purpose;
	c->r->purpose = k.purpose;
	c->r->state = k.state;
	c->r->published_for = k.published_for;
	if (k.state != KEYS_STATE_NEXT) {
		c->r->refusal = KEYS_NOT_NEXT;
		return STORE_NO_ROW;
	}
	c->r->ready_at = k.published_at + (int64_t)c->window_s;
	if (!k.usable) {
		c->r->refusal = KEYS_WRONG_MASTER;
		return STORE_NO_ROW;
	}
	if (!c->force && k.published_for < (int64_t)c->window_s) {
		c->r->refusal = KEYS_TOO_EARLY;
		return STORE_NO_ROW;
	}
	rc = activate_next(c, &k, c->force ? "forced" : "after_window");
	if (rc != STORE_ONE_ROW)
		return rc;
	c->r->activated_id = k.id;
	return store_keys_notify(s);
}

static int
retire_cb(struct store *s, void *cls)
{
	struct change *c = cls;
	struct seen k = {0};
	int rc;

	result_reset(c->r, c->purpose);
	c->r->id = c->id;
	rc = store_keys_select(s, c->id, see, &k);
	if (rc < 0)
		return rc;
	if (!k.found) {
		c->r->refusal = KEYS_NO_SUCH_KEY;
		return STORE_NO_ROW;
	}
	if (k.bad_purpose)
		return STORE_HARD_ERROR;
	c->purpose = k.purpose;
	c->r->purpose = k.purpose;
	c->r->state = k.state;
	switch (k.state) {
	case KEYS_STATE_ACTIVE:
		if (c->force)
			break;
		c->r->refusal = KEYS_IS_ACTIVE;
		return STORE_NO_ROW;
	case KEYS_STATE_RETIRED:
		c->r->refusal = KEYS_IS_RETIRED;
		return STORE_NO_ROW;
	case KEYS_STATE_NEXT:
	case KEYS_STATE_PREVIOUS:
		break;
	}
	rc = store_keys_update_retired(s, c->id);
	if (rc != STORE_ONE_ROW)
		return rc < 0 ? rc : STORE_HARD_ERROR;
	rc = audit_key(c, "signing_key_retired", k.id, k.fingerprint, "was",
		       keys_state_name(k.state),
		       k.state == KEYS_STATE_ACTIVE ? "forced" : NULL, "true");
	if (rc != STORE_ONE_ROW)
		return rc;
	return store_keys_notify(s);
}

static int
rotate_cb(struct store *s, void *cls)
{
	struct change *c = cls;
	struct seen next = {.mk = c->mk};
	int rc;

	result_reset(c->r, c->purpose);
	rc = master_check(c);
	if (rc != STORE_ONE_ROW)
		return rc;
	rc = store_keys_next_select(s, keys_purpose_name(c->purpose), see,
				    &next);
	if (rc < 0)
		return rc;
	if (next.nomem) {
		c->nomem = true;
		return STORE_HARD_ERROR;
	}
	if (next.found) {
		c->r->id = next.id;
		c->r->state = KEYS_STATE_NEXT;
		c->r->published_for = next.published_for;
		c->r->ready_at = next.published_at + (int64_t)c->window_s;
		if (next.published_for < (int64_t)c->window_s) {
			c->r->refusal = KEYS_NOTHING_TO_DO;
			return STORE_NO_ROW;
		}
		if (!next.usable) {
			c->r->refusal = KEYS_WRONG_MASTER;
			return STORE_NO_ROW;
		}
		rc = activate_next(c, &next, "rotate");
		if (rc != STORE_ONE_ROW)
			return rc;
		c->r->activated_id = next.id;
	}
	rc = insert_next(c);
	if (rc != STORE_ONE_ROW)
		return rc;
	return store_keys_notify(s);
}

/* Run @cb as one transaction; 0 or IDP_ERR_* with a message. */
static int
run(struct change *c, const char *name, store_tx_cb cb, char *err,
    size_t errlen)
{
	int rc = store_run_tx(c->s, name, false, cb, c);

	if (rc >= 0)
		return 0;
	result_reset(c->r, c->purpose);
	if (c->nomem) {
		keys_report(err, errlen, "out of memory; nothing was changed");
		return IDP_ERR_NOMEM;
	}
	if (rc == STORE_SOFT_ERROR)
		keys_report(err, errlen,
			    "the database kept reporting conflicting "
			    "changes; nothing was changed, try again");
	else
		keys_report(err, errlen,
			    "the database failed the operation (see the log "
			    "line above); nothing was changed");
	return IDP_ERR_UNAVAILABLE;
}

/* Seal the new key's private key for @c, then run @cb. */
static int
run_with_new_key(struct change *c, const char *name, store_tx_cb cb, char *err,
		 size_t errlen)
{
	uint8_t *sealed = NULL;
	size_t sealed_len = 0;
	int rc;

	if (c->m->key_pem == NULL || c->m->cert_pem == NULL) {
		keys_report(err, errlen, "no key to store");
		return IDP_ERR_INVALID;
	}
	rc = keys_seal(c->mk, c->m->key_pem, c->m->key_pem_len, &sealed,
		       &sealed_len);
	if (rc != 0) {
		keys_report(err, errlen, "cannot seal the private key");
		return rc;
	}
	c->sealed = sealed;
	c->sealed_len = sealed_len;
	rc = run(c, name, cb, err, errlen);
	free(sealed);
	return rc;
}

int
keys_add(struct store *s, const uint8_t mk[KEYS_MASTER_KEY_BYTES],
	 enum keys_purpose purpose, const struct keys_material *m,
	 unsigned window_s, const struct keys_who *who, struct keys_result *r,
	 char *err, size_t errlen)
{
	struct change c = {.s = s,
			   .mk = mk,
			   .purpose = purpose,
			   .m = m,
			   .window_s = window_s,
			   .who = who,
			   .r = r};

	result_reset(r, purpose);
	return run_with_new_key(&c, "keys_add", add_cb, err, errlen);
}

int
keys_activate(struct store *s, const uint8_t mk[KEYS_MASTER_KEY_BYTES],
	      int64_t id, unsigned window_s, bool force,
	      const struct keys_who *who, struct keys_result *r, char *err,
	      size_t errlen)
{
	struct change c = {.s = s,
			   .mk = mk,
			   .id = id,
			   .window_s = window_s,
			   .force = force,
			   .who = who,
			   .r = r};

	result_reset(r, KEYS_PURPOSE_SAML);
	return run(&c, "keys_activate", activate_cb, err, errlen);
}

int
keys_retire(struct store *s, int64_t id, bool force, const struct keys_who *who,
	    struct keys_result *r, char *err, size_t errlen)
{
	struct change c = {
		.s = s, .id = id, .force = force, .who = who, .r = r};

	result_reset(r, KEYS_PURPOSE_SAML);
	return run(&c, "keys_retire", retire_cb, err, errlen);
}

int
keys_next_peek(struct store *s, const uint8_t mk[KEYS_MASTER_KEY_BYTES],
	       enum keys_purpose purpose, unsigned window_s,
	       struct keys_result *r, char *err, size_t errlen)
{
	struct change c = {.s = s, .mk = mk, .purpose = purpose, .r = r};
	struct seen next = {0};
	int rc = STORE_ONE_ROW;

	result_reset(r, purpose);
	if (mk != NULL)
		rc = master_check(&c);
	if (c.nomem) {
		keys_report(err, errlen, "out of memory");
		return IDP_ERR_NOMEM;
	}
	if (rc == STORE_NO_ROW)
		return 0;
	if (rc < 0 || store_keys_next_select(s, keys_purpose_name(purpose), see,
					     &next) < 0) {
		keys_report(err, errlen,
			    "cannot read the keys from the database");
		return IDP_ERR_UNAVAILABLE;
	}
	if (next.found) {
		r->id = next.id;
		r->state = KEYS_STATE_NEXT;
		r->published_for = next.published_for;
		r->ready_at = next.published_at + (int64_t)window_s;
	}
	return 0;
}

int
keys_rotate(struct store *s, const uint8_t mk[KEYS_MASTER_KEY_BYTES],
	    enum keys_purpose purpose, const struct keys_material *m,
	    unsigned window_s, const struct keys_who *who,
	    struct keys_result *r, char *err, size_t errlen)
{
	struct change c = {.s = s,
			   .mk = mk,
			   .purpose = purpose,
			   .m = m,
			   .window_s = window_s,
			   .who = who,
			   .r = r};

	result_reset(r, purpose);
	return run_with_new_key(&c, "keys_rotate", rotate_cb, err, errlen);
}
