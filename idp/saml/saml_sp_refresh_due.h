/*
 * idpd's periodic refresh of relying parties' metadata (docs/
 * relying-parties.md, "Periodic refresh"): every SP registered with a
 * metadata URL is fetched again every [saml] sp_metadata_refresh_interval
 * by one node of the cluster, through saml_sp_refresh() (which keeps the
 * stored copy when the new one is refused). Kept apart from saml_sp.h,
 * whose functions idpctl uses, because only idpd's janitor calls this.
 *
 * Thread-safety: as saml_sp.h; the caller's own struct store.
 */
#ifndef IDP_SAML_SAML_SP_REFRESH_DUE_H
#define IDP_SAML_SAML_SP_REFRESH_DUE_H

#include <stdbool.h>

#include "idp/common/err.h"
#include "idp/store/store.h"

/*
 * Refresh the relying parties that are due, one at a time: claim one in
 * the database (store_sp_refresh_claim(): no other node takes it within
 * @interval_s), fetch and store it with actor "system", log the outcome,
 * and audit a failure (sp_metadata_refresh_failed; a change is audited
 * by saml_sp_refresh() as sp_metadata_refreshed). Stops when none is due
 * or after @budget_s seconds, so that a caller with other work is held
 * up by at most @budget_s plus one download (SAML_SP_FETCH_TIMEOUT_MS);
 * what is left is claimed at the next call. @interval_s 0 does nothing.
 * @go (may be NULL) is asked before each claim; when it returns false
 * (idpd is stopping) the round ends at once.
 *
 * Must run outside a transaction. Returns the number of SPs attempted
 * (0 or more), or IDP_ERR_UNAVAILABLE when the database failed (logged).
 */
typedef bool (*saml_sp_refresh_go_cb)(void);
IDP_WUR int saml_sp_refresh_due(struct store *s, unsigned interval_s,
				unsigned budget_s, saml_sp_refresh_go_cb go);

#endif
