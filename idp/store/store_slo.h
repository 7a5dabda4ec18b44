/*
 * Store statements of SAML single logout (sql/008_saml_logout.sql): the
 * logout chain that walks the browser through every portal of an ended
 * session, one step per portal, and the lookups that start one. The
 * policy (which request is valid, when a step counts as answered) lives
 * in idp/saml (slo_*.c); these functions only move rows.
 *
 * Strings returned in structs are owned by them (free() via the matching
 * _clear()); a struct filled by a select is zeroed first, so _clear() is
 * always safe. Strings passed in are borrowed for the call. Chain ids
 * never reach the store, only their 32-byte BLAKE2b-256 hashes. Return
 * values as in store.h; like every store function these run on the
 * calling thread's own struct store.
 */
#ifndef IDP_STORE_STORE_SLO_H
#define IDP_STORE_STORE_SLO_H

#include <stdbool.h>
#include <stdint.h>

#include "idp/store/store.h"

#define STORE_SLO_HASH_BYTES 32

/* The participant a LogoutRequest names, in a live session. */
struct store_slo_participant {
	int64_t session_id;
	char *session_handle; /* public handle, for the audit row */
	char *audit_ref;      /* the account's pseudonym */
};

void store_slo_participant_clear(struct store_slo_participant *p);

/*
 * Find the assertion issued to @sp_entity_id with @nameid and
 * @session_index in a session that is still live (both expiries ahead).
 * STORE_ONE_ROW with @out filled, or STORE_NO_ROW.
 */
IDP_WUR int store_slo_participant_select(struct store *s,
					 const char *sp_entity_id,
					 const char *nameid,
					 const char *session_index,
					 struct store_slo_participant *out);

/* End the session @session_id (and its participant rows). */
IDP_WUR int store_slo_session_delete(struct store *s, int64_t session_id);

/*
 * A new chain under @hash, valid for @ttl_s seconds. @initiator_sp and
 * @initiator_request_id are both NULL (the citizen logged out here) or
 * both set; @relay_state and @audit_ref may be NULL. On STORE_ONE_ROW
 * *@chain_id is the new row's key.
 */
IDP_WUR int store_slo_chain_insert(struct store *s,
				   const uint8_t hash[STORE_SLO_HASH_BYTES],
				   const char *audit_ref,
				   const char *initiator_sp,
				   const char *initiator_request_id,
				   const char *relay_state, int64_t ttl_s,
				   int64_t *chain_id);

/*
 * Copy the participants of session @session_id into steps of
 * @chain_id (status pending, in the order the assertions were issued),
 * leaving out the one with @skip_session_index (NULL: none). *@n is how
 * many were copied. STORE_ONE_ROW (also for 0) or an error.
 */
IDP_WUR int store_slo_steps_copy(struct store *s, int64_t chain_id,
				 int64_t session_id,
				 const char *skip_session_index, int64_t *n);

/* A chain as read back. */
struct store_slo_chain {
	int64_t id;
	char *audit_ref;	    /* or NULL */
	char *initiator_sp;	    /* NULL: IdP-initiated */
	char *initiator_request_id; /* NULL with initiator_sp */
	char *relay_state;	    /* or NULL */
	bool finished;
};

void store_slo_chain_clear(struct store_slo_chain *c);

/* The unexpired chain with @hash. STORE_ONE_ROW or STORE_NO_ROW. */
IDP_WUR int store_slo_chain_select(struct store *s,
				   const uint8_t hash[STORE_SLO_HASH_BYTES],
				   struct store_slo_chain *out);

/*
 * Mark the chain finished. STORE_ONE_ROW for the call that finished it,
 * STORE_NO_ROW when it was finished already.
 */
IDP_WUR int store_slo_chain_finish(struct store *s, int64_t chain_id);

/* One step of a chain. */
struct store_slo_step {
	int ord;
	char *sp_entity_id;
	char *nameid;
	char *nameid_format; /* "persistent" or "transient" */
	char *session_index;
	char *status; /* pending, sent, ok, failed, no_endpoint */
};

void store_slo_step_clear(struct store_slo_step *st);

/*
 * Take the first pending step of @chain_id: it becomes "sent" with
 * @request_id (the LogoutRequest about to go out). One statement, so of
 * two concurrent calls each gets another step. STORE_ONE_ROW with @out
 * filled, or STORE_NO_ROW when none is pending.
 */
IDP_WUR int store_slo_step_next(struct store *s, int64_t chain_id,
				const char *request_id,
				struct store_slo_step *out);

/*
 * Set the status of step @ord of @chain_id to @status (no_endpoint,
 * failed), whatever it was. STORE_ONE_ROW or STORE_NO_ROW.
 */
IDP_WUR int store_slo_step_update(struct store *s, int64_t chain_id, int ord,
				  const char *status);

/*
 * Record the answer to a LogoutRequest: the step of @chain_id that was
 * sent to @sp_entity_id as @request_id, and has not been answered yet,
 * becomes @status ("ok" or "failed"). STORE_ONE_ROW, or STORE_NO_ROW when
 * no such step is waiting (wrong InResponseTo, wrong SP, answered).
 */
IDP_WUR int store_slo_step_answer(struct store *s, int64_t chain_id,
				  const char *sp_entity_id,
				  const char *request_id, const char *status);

/*
 * Call @cb for every step of @chain_id in order (@st borrowed for the
 * call). Returns the row count or an error.
 */
typedef void (*store_slo_step_cb)(const struct store_slo_step *st, void *cls);
IDP_WUR int store_slo_step_iterate(struct store *s, int64_t chain_id,
				   store_slo_step_cb cb, void *cls);

/* Delete expired chains (and their steps). STORE_ONE_ROW or an error. */
IDP_WUR int store_slo_purge(struct store *s);

#endif
