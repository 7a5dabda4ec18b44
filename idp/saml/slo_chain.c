/*
 * The logout chain: started when a session ends (by a portal's
 * LogoutRequest or the citizen's logout here), it walks the browser
 * through every other portal of the session, one LogoutRequest at a
 * time, and ends with the LogoutResponse to the portal that asked or
 * with the result page. The state is in PostgreSQL (any node takes the
 * next step); a portal that never sends the browser back shows as "did
 * not answer" once the citizen goes on (/saml/slo/status): a front
 * channel has no timeout of its own.
 */
#include <string.h>

#include "idp/audit/audit.h"
#include "idp/cfg/cfg.h"
#include "idp/common/worker.h"
#include "idp/crypto/crypt.h"
#include "idp/log/log.h"
#include "idp/saml/slo_internal.h"
#include "idp/session/session.h"

void
saml_slo_reply_clear(struct saml_slo_reply *r)
{
	g_free(r->url);
	g_free(r->origin);
	g_free(r->message);
	g_free(r->relay_state);
	g_strfreev(r->ok);
	g_strfreev(r->failed);
	g_strfreev(r->no_answer);
	g_strfreev(r->no_endpoint);
	crypt_wipe(r->chain, sizeof(r->chain));
	memset(r, 0, sizeof(*r));
}

void
slo_reply_page(struct saml_slo_reply *out, enum saml_error e,
	       const char *text_key)
{
	saml_slo_reply_clear(out);
	out->kind = SAML_SLO_PAGE;
	out->error = e;
	out->text_key = text_key;
}

void
slo_refused(const char *rule, const char *saw, const char *wanted)
{
	log_kv(LOG_LEVEL_INFO, "saml_slo_refused", "reason", rule, "saw", saw,
	       "wanted", wanted, NULL);
}

struct rejected_tx {
	const char *event, *reason, *sp, *id, *client;
};

static int
rejected_tx(struct store *s, void *cls)
{
	struct rejected_tx *t = cls;
	char *d = audit_details("reason", t->reason, "sp", t->sp, "message_id",
				t->id, NULL);
	int rc = audit_append(s, t->event, "citizen", NULL, t->client, d);

	g_free(d);
	return rc;
}

void
slo_audit_rejected(struct worker *w, const char *event, const char *reason,
		   const char *sp, const char *id, const char *client)
{
	struct rejected_tx t = {event, reason, sp, id, client};

	if (store_run_tx(w->store, "slo_rejected", false, rejected_tx, &t) < 0)
		log_kv(LOG_LEVEL_WARN, "audit_failed", "event", event, NULL);
}

/* --- IdP-initiated: the chain before the session ends --- */

struct start_tx {
	const struct session_info *si;
	const uint8_t *hash;
	const char *client;
	int64_t n;
};

static int
start_tx(struct store *s, void *cls)
{
	struct start_tx *t = cls;
	int64_t chain_id = 0;
	char n[24];
	char *d;
	int rc;

	t->n = 0;
	rc = store_slo_chain_insert(s, t->hash, t->si->account.audit_ref, NULL,
				    NULL, NULL, SAML_SLO_TTL_S, &chain_id);
	if (rc != STORE_ONE_ROW)
		return rc < 0 ? rc : STORE_HARD_ERROR;
	rc = store_slo_steps_copy(s, chain_id, t->si->session.id, NULL, &t->n);
	if (rc < 0)
		return rc;
	/* An empty chain is never used (no cookie); the janitor takes it. */
	if (t->n == 0)
		return STORE_ONE_ROW;
	snprintf(n, sizeof(n), "%lld", (long long)t->n);
	d = audit_details("initiator", "idp", "portals", n, "session",
			  t->si->session.handle, NULL);
	rc = audit_append(s, "slo_chain_started", "citizen",
			  t->si->account.audit_ref, t->client, d);
	g_free(d);
	return rc;
}

int
saml_slo_start(struct worker *w, const struct session_info *si,
	       const char *client, char chain[SAML_PENDING_ID_LEN + 1],
	       int64_t *n)
{
	uint8_t token[CRYPT_TOKEN_BYTES], hash[CRYPT_TOKEN_HASH_BYTES];
	struct start_tx t = {si, hash, client, 0};
	int rc;

	chain[0] = '\0';
	*n = 0;
	crypt_token_new(token);
	crypt_token_hash(token, hash);
	rc = store_run_tx(w->store, "slo_start", false, start_tx, &t);
	if (rc >= 0 && t.n > 0) {
		crypt_token_format(token, chain);
		*n = t.n;
	}
	crypt_wipe(token, sizeof(token));
	crypt_wipe(hash, sizeof(hash));
	return rc < 0 ? IDP_ERR_UNAVAILABLE : 0;
}

/* --- the walk --- */

struct step_tx {
	int64_t chain_id;
	const char *audit_ref;
	const char *request_id;
	const struct saml_worker *sw;
	const char *client;
	struct store_slo_step st;
	const struct saml_sp_entry *sp;
	const struct saml_sp_endpoint *ep;
	bool found;
};

static int
participant_audit(struct store *s, const char *audit_ref, const char *sp,
		  const char *result, const char *client)
{
	char *d = audit_details("sp", sp, "result", result, NULL);
	int rc = audit_append(s, "slo_participant_result", "citizen", audit_ref,
			      client, d);

	g_free(d);
	return rc;
}

/*
 * Take the next pending step; one whose portal has no logout endpoint
 * (or is no longer enabled) is settled as no_endpoint on the way.
 */
static int
step_tx(struct store *s, void *cls)
{
	struct step_tx *t = cls;
	int rc;

	t->found = false;
	for (;;) {
		store_slo_step_clear(&t->st);
		rc = store_slo_step_next(s, t->chain_id, t->request_id, &t->st);
		if (rc != STORE_ONE_ROW)
			return rc;
		t->sp = saml_worker_sp(t->sw, t->st.sp_entity_id);
		t->ep = t->sp && t->sp->enabled && t->sp->in_lasso
				? slo_endpoint(t->sp)
				: NULL;
		if (t->ep != NULL) {
			t->found = true;
			return STORE_ONE_ROW;
		}
		rc = store_slo_step_update(s, t->chain_id, t->st.ord,
					   "no_endpoint");
		if (rc < 0)
			return rc;
		rc = participant_audit(s, t->audit_ref, t->st.sp_entity_id,
				       "no_endpoint", t->client);
		if (rc < 0)
			return rc;
	}
}

struct failed_tx {
	int64_t chain_id;
	int ord;
	const char *audit_ref, *sp, *client;
};

/* A step whose LogoutRequest could not be made is settled as failed. */
static int
failed_tx(struct store *s, void *cls)
{
	struct failed_tx *t = cls;
	int rc = store_slo_step_update(s, t->chain_id, t->ord, "failed");

	if (rc < 0)
		return rc;
	return participant_audit(s, t->audit_ref, t->sp, "failed", t->client);
}

struct results {
	GPtrArray *ok, *failed, *no_answer, *no_endpoint;
	bool all_ok;
};

static void
result_cb(const struct store_slo_step *st, void *cls)
{
	struct results *r = cls;
	GPtrArray *to = r->no_answer;

	if (strcmp(st->status, "ok") == 0)
		to = r->ok;
	else if (strcmp(st->status, "failed") == 0)
		to = r->failed;
	else if (strcmp(st->status, "no_endpoint") == 0)
		to = r->no_endpoint;
	if (to != r->ok)
		r->all_ok = false;
	g_ptr_array_add(to, g_strdup(st->sp_entity_id));
}

static char **
strv_of(GPtrArray *a)
{
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

struct finish_tx {
	const struct store_slo_chain *c;
	const char *client;
	struct results *res;
	bool first;
};

static int
finish_tx(struct store *s, void *cls)
{
	struct finish_tx *t = cls;
	char n[4][24];
	char *d;
	int rc;

	rc = store_slo_chain_finish(s, t->c->id);
	t->first = rc == STORE_ONE_ROW;
	if (rc != STORE_ONE_ROW)
		return rc;
	snprintf(n[0], sizeof(n[0]), "%u", t->res->ok->len);
	snprintf(n[1], sizeof(n[1]), "%u", t->res->failed->len);
	snprintf(n[2], sizeof(n[2]), "%u", t->res->no_answer->len);
	snprintf(n[3], sizeof(n[3]), "%u", t->res->no_endpoint->len);
	d = audit_details("initiator",
			  t->c->initiator_sp ? t->c->initiator_sp : "idp", "ok",
			  n[0], "failed", n[1], "no_answer", n[2],
			  "no_endpoint", n[3], NULL);
	rc = audit_append(s, "slo_chain_finished", "citizen", t->c->audit_ref,
			  t->client, d);
	g_free(d);
	return rc;
}

/* The end of the chain: the initiator's LogoutResponse or the page. */
static void
finish(struct worker *w, struct saml_worker *sw,
       const struct store_slo_chain *c, const char *client,
       struct saml_slo_reply *out)
{
	struct results r = {g_ptr_array_new_with_free_func(g_free),
			    g_ptr_array_new_with_free_func(g_free),
			    g_ptr_array_new_with_free_func(g_free),
			    g_ptr_array_new_with_free_func(g_free), true};
	struct finish_tx ft = {c, client, &r, false};
	const struct saml_sp_entry *sp = NULL;
	const struct saml_sp_endpoint *ep = NULL;
	int64_t now = 0;
	int rc;

	rc = store_slo_step_iterate(w->store, c->id, result_cb, &r);
	if (rc >= 0)
		rc = store_run_tx(w->store, "slo_finish", false, finish_tx,
				  &ft);
	if (rc < 0 || store_now(w->store, &now) != STORE_ONE_ROW) {
		slo_reply_page(out, SAML_E_UNAVAILABLE, "slo.unavailable");
		goto out;
	}
	if (c->initiator_sp != NULL && ft.first) {
		sp = saml_worker_sp(sw, c->initiator_sp);
		ep = sp && sp->enabled ? slo_endpoint(sp) : NULL;
	}
	if (ep != NULL) {
		char *idp = saml_idp_entity_id(w->cfg);
		/* saml-core 3.7.3.2: PartialLogout when not all are out. */
		rc = slo_response_build(sw, idp, ep, c->initiator_request_id,
					SLO_STATUS_SUCCESS,
					r.all_ok ? NULL : SLO_STATUS_PARTIAL,
					c->relay_state, now, out);
		g_free(idp);
		if (rc == 0) {
			if (!r.all_ok) {
				/* The status travels as a second level. */
				log_kv(LOG_LEVEL_INFO, "saml_slo_partial", "sp",
				       c->initiator_sp, NULL);
			}
			out->chain_done = true;
			goto out;
		}
		saml_slo_reply_clear(out);
	}
	out->kind = r.ok->len + r.failed->len + r.no_answer->len +
					    r.no_endpoint->len ==
				    0
			    ? SAML_SLO_LOGGED_OUT
			    : SAML_SLO_RESULT;
	out->ok = strv_of(r.ok);
	out->failed = strv_of(r.failed);
	out->no_answer = strv_of(r.no_answer);
	out->no_endpoint = strv_of(r.no_endpoint);
	r.ok = r.failed = r.no_answer = r.no_endpoint = NULL;
	out->chain_done = true;
out:
	if (r.ok != NULL)
		g_ptr_array_free(r.ok, TRUE);
	if (r.failed != NULL)
		g_ptr_array_free(r.failed, TRUE);
	if (r.no_answer != NULL)
		g_ptr_array_free(r.no_answer, TRUE);
	if (r.no_endpoint != NULL)
		g_ptr_array_free(r.no_endpoint, TRUE);
}

void
slo_advance(struct worker *w, struct saml_worker *sw,
	    const struct store_slo_chain *c, const char *chain_text,
	    const char *client, struct saml_slo_reply *out)
{
	char rnd[SAML_PENDING_ID_LEN + 1];
	char *request_id, *idp = saml_idp_entity_id(w->cfg);
	struct step_tx t = {0};
	int64_t now = 0;
	int rc;

	saml_slo_reply_clear(out);
	for (;;) {
		sso_random_id(rnd);
		request_id = g_strconcat("_", rnd, NULL);
		t.chain_id = c->id;
		t.audit_ref = c->audit_ref;
		t.request_id = request_id;
		t.sw = sw;
		t.client = client;
		rc = store_run_tx(w->store, "slo_step", false, step_tx, &t);
		if (rc < 0 || store_now(w->store, &now) != STORE_ONE_ROW) {
			slo_reply_page(out, SAML_E_UNAVAILABLE,
				       "slo.unavailable");
			break;
		}
		if (!t.found) {
			finish(w, sw, c, client, out);
			break;
		}
		rc = slo_request_build(sw, idp, t.sp, t.ep, &t.st, request_id,
				       chain_text, now, out);
		if (rc == 0) {
			log_kv(LOG_LEVEL_INFO, "saml_slo_request_sent", "sp",
			       t.sp->entity_id, NULL);
			break;
		}
		/* Could not be made: the portal is settled as failed. */
		saml_slo_reply_clear(out);
		struct failed_tx ft = {c->id, t.st.ord, c->audit_ref,
				       t.st.sp_entity_id, client};
		if (store_run_tx(w->store, "slo_failed", false, failed_tx,
				 &ft) < 0) {
			slo_reply_page(out, SAML_E_UNAVAILABLE,
				       "slo.unavailable");
			break;
		}
		g_free(request_id);
		request_id = NULL;
	}
	g_free(request_id);
	g_free(idp);
	store_slo_step_clear(&t.st);
	/* The cookie lets the citizen go on when a portal keeps them. */
	if (!out->chain_done)
		g_strlcpy(out->chain, chain_text, sizeof(out->chain));
}

void
saml_slo_continue(struct worker *w, const char *chain, const char *client,
		  struct saml_slo_reply *out)
{
	uint8_t token[CRYPT_TOKEN_BYTES], hash[CRYPT_TOKEN_HASH_BYTES];
	struct store_slo_chain c = {0};
	struct saml_worker *sw = NULL;
	int rc;

	saml_slo_reply_clear(out);
	if (chain == NULL || crypt_token_parse(chain, token) != 0) {
		out->kind = SAML_SLO_LOGGED_OUT;
		out->chain_done = chain != NULL;
		return;
	}
	crypt_token_hash(token, hash);
	crypt_wipe(token, sizeof(token));
	rc = saml_worker_ensure(w, &sw);
	if (rc == 0 && sw->server == NULL)
		rc = SAML_E_NO_SIGNING_KEY;
	if (rc != 0) {
		slo_reply_page(out, (enum saml_error)rc, "slo.unavailable");
		goto out;
	}
	rc = store_slo_chain_select(w->store, hash, &c);
	if (rc < 0) {
		slo_reply_page(out, SAML_E_UNAVAILABLE, "slo.unavailable");
		goto out;
	}
	if (rc == STORE_NO_ROW) {
		out->kind = SAML_SLO_LOGGED_OUT;
		out->chain_done = true;
		goto out;
	}
	slo_advance(w, sw, &c, chain, client, out);
out:
	crypt_wipe(hash, sizeof(hash));
	store_slo_chain_clear(&c);
}
