/*
 * Inside idp/saml: the pieces of single logout (slo_*.c). Includes lasso
 * through sso_internal.h; nothing outside idp/saml includes this header.
 * lasso objects are made and freed within one call on the calling
 * worker's thread.
 */
#ifndef IDP_SAML_SLO_INTERNAL_H
#define IDP_SAML_SLO_INTERNAL_H

#include "idp/saml/sso_internal.h"
#include "idp/store/store_slo.h"

#define SLO_STATUS_SUCCESS   "urn:oasis:names:tc:SAML:2.0:status:Success"
#define SLO_STATUS_REQUESTER "urn:oasis:names:tc:SAML:2.0:status:Requester"
#define SLO_STATUS_RESPONDER "urn:oasis:names:tc:SAML:2.0:status:Responder"
#define SLO_STATUS_PARTIAL   "urn:oasis:names:tc:SAML:2.0:status:PartialLogout"
#define SLO_STATUS_UNKNOWN_PRINCIPAL                                           \
	"urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal"
#define SLO_STATUS_REQUEST_DENIED                                              \
	"urn:oasis:names:tc:SAML:2.0:status:RequestDenied"

/* Our SingleLogoutService URL: public_url + "/saml/slo" (g_free). */
char *slo_url(const struct cfg *cfg);

/*
 * The SingleLogoutService of @sp's metadata we use: HTTP-Redirect if it
 * has one, else HTTP-POST; NULL when neither (or @sp is NULL).
 */
const struct saml_sp_endpoint *slo_endpoint(const struct saml_sp_entry *sp);

/*
 * A LogoutRequest to @sp for step @st (NameID, format, SessionIndex as
 * we issued them), with ID @request_id and RelayState @relay_state,
 * signed with the cache's key, into @out (REDIRECT or POST to @ep).
 * Returns 0 or SAML_E_INTERNAL (logged).
 */
int slo_request_build(struct saml_worker *sw, const char *idp,
		      const struct saml_sp_entry *sp,
		      const struct saml_sp_endpoint *ep,
		      const struct store_slo_step *st, const char *request_id,
		      const char *relay_state, int64_t now,
		      struct saml_slo_reply *out);

/*
 * A signed LogoutResponse to @sp at @ep (its ResponseLocation when
 * given) answering @in_response_to with @status and @substatus (or
 * NULL), into @out. Returns 0 or SAML_E_INTERNAL (logged).
 */
int slo_response_build(struct saml_worker *sw, const char *idp,
		       const struct saml_sp_endpoint *ep,
		       const char *in_response_to, const char *status,
		       const char *substatus, const char *relay_state,
		       int64_t now, struct saml_slo_reply *out);

/*
 * Go on with chain @c (@chain_text is its id): the next step's
 * LogoutRequest, or the end (slo_chain.c).
 */
void slo_advance(struct worker *w, struct saml_worker *sw,
		 const struct store_slo_chain *c, const char *chain_text,
		 const char *client, struct saml_slo_reply *out);

/* Fill @out with error page @e and the text @text_key. */
void slo_reply_page(struct saml_slo_reply *out, enum saml_error e,
		    const char *text_key);

/* One line for a refused message: the rule, what it saw and wanted. */
void slo_refused(const char *rule, const char *saw, const char *wanted);

/*
 * Audit a refused message (slo_request_rejected or slo_response_rejected)
 * in its own transaction: @reason, the portal when known, the message ID
 * (cut). Failures to write are logged.
 */
void slo_audit_rejected(struct worker *w, const char *event, const char *reason,
			const char *sp, const char *id, const char *client);

#endif
