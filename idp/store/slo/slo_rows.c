/*
 * The clear functions of store_slo.h and the shared decoding of a step.
 */
#include <stdlib.h>
#include <string.h>

#include "idp/store/slo/slo_rows.h"

void
store_slo_participant_clear(struct store_slo_participant *p)
{
	if (p == NULL)
		return;
	free(p->session_handle);
	free(p->audit_ref);
	memset(p, 0, sizeof(*p));
}

void
store_slo_chain_clear(struct store_slo_chain *c)
{
	if (c == NULL)
		return;
	free(c->audit_ref);
	free(c->initiator_sp);
	free(c->initiator_request_id);
	free(c->relay_state);
	memset(c, 0, sizeof(*c));
}

void
store_slo_step_clear(struct store_slo_step *st)
{
	if (st == NULL)
		return;
	if (st->nameid != NULL)
		explicit_bzero(st->nameid, strlen(st->nameid));
	free(st->sp_entity_id);
	free(st->nameid);
	free(st->nameid_format);
	free(st->session_index);
	free(st->status);
	memset(st, 0, sizeof(*st));
}

bool
store_slo_step_row(const PGresult *res, int row, int col,
		   struct store_slo_step *out)
{
	int64_t ord;

	memset(out, 0, sizeof(*out));
	if (!store_row_text(res, row, col, false, &out->sp_entity_id) ||
	    !store_row_text(res, row, col + 1, false, &out->nameid) ||
	    !store_row_text(res, row, col + 2, false, &out->nameid_format) ||
	    !store_row_text(res, row, col + 3, false, &out->session_index) ||
	    !store_row_text(res, row, col + 4, false, &out->status) ||
	    !store_row_int64(res, row, col + 5, &ord) || ord < 1 ||
	    ord > 1000000) {
		store_slo_step_clear(out);
		return false;
	}
	out->ord = (int)ord;
	return true;
}
