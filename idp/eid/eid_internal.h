/*
 * Inside idp/eid: the per-worker lasso server in the SP role, our SP
 * metadata, and the helpers the validators share. Only files in idp/eid
 * include this header (it pulls in lasso and libxml2).
 *
 * Thread-safety: a struct eid_worker belongs to one worker thread (it is
 * kept in thread-local storage and freed when the thread ends).
 */
#ifndef IDP_EID_EID_INTERNAL_H
#define IDP_EID_EID_INTERNAL_H

#include <glib.h>
#include <lasso/lasso.h>
#include <lasso/xml/saml-2.0/saml2_assertion.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idp/cfg/cfg.h"
#include "idp/eid/eid.h"
#include "idp/saml/saml_internal.h"
#include "idp/store/store_eid.h"

/* URIs we compare against. */
#define EID_NS_PROTOCOL	 "urn:oasis:names:tc:SAML:2.0:protocol"
#define EID_NS_ASSERTION "urn:oasis:names:tc:SAML:2.0:assertion"
#define EID_NS_DSIG	 "http://www.w3.org/2000/09/xmldsig#"
#define EID_NS_XENC	 "http://www.w3.org/2001/04/xmlenc#"
#define EID_BINDING_POST "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
#define EID_NAMEID_TRANSIENT                                                   \
	"urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
#define EID_STATUS_SUCCESS	"urn:oasis:names:tc:SAML:2.0:status:Success"
#define EID_STATUS_AUTHN_FAILED "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"
#define EID_CM_BEARER		"urn:oasis:names:tc:SAML:2.0:cm:bearer"

/* What a worker knows of the eID side; rebuilt when the generation moves. */
struct eid_worker {
	bool built;
	char generation[STORE_EID_GENERATION_LEN + 1];
	int64_t built_at;
	char **sign_certs; /* eid-signing certificates (PEM), active
			    * first; NULL-terminated, g_strfreev() */
	size_t n_sign;
	char **enc_certs; /* eid-encryption certificates, likewise */
	size_t n_enc;
	LassoServer *server;	 /* NULL: see @unusable */
	LassoKey *key;		 /* the active eid-signing key, preloaded;
				  * NULL: none active */
	enum eid_error unusable; /* EID_OK when @server is set */
	char *service_entity_id; /* NULL: no eID service configured */
	char *attr[EID_ATTR_COUNT];
};

/*
 * This thread's eID cache, rebuilt when the generation value in the
 * database changed. Returns 0 (*@out set; its server may still be NULL,
 * see unusable) or EID_E_UNAVAILABLE / EID_E_INTERNAL.
 */
IDP_WUR int eid_worker_ensure(struct worker *w, struct eid_worker **out);

/* <public_url>/eid/metadata and <public_url>/eid/acs (g_free()). */
char *eid_entity_id(const struct cfg *cfg);
char *eid_acs_url(const struct cfg *cfg);

/*
 * Our SP metadata, unsigned, for the certificates of @ew (eid-signing
 * and eid-encryption, PEM, the active ones first): a new random ID,
 * validUntil @valid_until (Unix seconds) and cacheDuration [saml]
 * metadata_cache_duration. A new string (g_free()) or NULL (logged).
 */
char *eid_metadata_format(const struct cfg *cfg, const struct eid_worker *ew,
			  int64_t valid_until);

/* Log a failed lasso call with lasso_strerror(). */
void eid_lasso_fail(const char *step, int rc);

/*
 * Audit a refused response (eid_response_rejected, reason = the error's
 * name, @detail a short non-secret fact or NULL) in its own transaction,
 * and log it. Peer faults at info level; ours (internal, unavailable)
 * are only logged.
 */
void eid_audit_rejected(struct worker *w, enum eid_error e, const char *client,
			const char *detail);

/*
 * The attributes of @a into @id by the configured names of @ew: the
 * pseudonym (required, 1..EID_PSEUDONYM_MAX bytes of printable ASCII),
 * and the others each at most once, one value, within EID_ATTRIBUTE_MAX
 * bytes of UTF-8 without control characters, normalised to NFC; the date
 * of birth as YYYY-MM-DD; the address decoded from eIDAS CurrentAddress.
 * Returns EID_OK, EID_E_PSEUDONYM or EID_E_ATTRIBUTE (*@why: the kind).
 */
IDP_WUR enum eid_error eid_attributes_read(const struct eid_worker *ew,
					   LassoSaml2Assertion *a,
					   struct eid_identity *id,
					   const char **why);

/*
 * Decode an eIDAS CurrentAddress value (base64 of XML-escaped
 * eidas:Thoroughfare, LocatorDesignator, PostCode, PostName, ... parts
 * without namespace declaration) into @id's street ("Thoroughfare
 * LocatorDesignator"), postal_code and city. Returns true or false (a
 * malformed value).
 */
IDP_WUR bool eid_address_decode(const char *b64, struct eid_identity *id);

#endif
