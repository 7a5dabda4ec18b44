/*
 * Record an assertion issued in a session, for single logout.
 */
#include "idp/store/saml/saml_rows.h"

const struct store_stmt store_stmt_saml_participant_insert = {
	.name = "saml_participant_insert",
	.sql = "INSERT INTO saml_session_participants (session_id,"
	       " sp_entity_id, nameid, nameid_format, session_index)"
	       " VALUES ($1, $2, $3, $4, $5)",
	.nparams = 5,
	.tier = STORE_TIER_APP,
};

int
store_saml_participant_insert(struct store *s,
			      const struct store_saml_participant *p)
{
	char id[STORE_INT64_PARAM_BYTES];
	const char *params[5] = {store_int64_param(id, p->session_id),
				 p->sp_entity_id, p->nameid, p->nameid_format,
				 p->session_index};
	PGresult *res = NULL;
	int rc;

	rc = store_exec(s, &store_stmt_saml_participant_insert, params, &res);
	PQclear(res);
	return rc < 0 ? rc : STORE_ONE_ROW;
}
