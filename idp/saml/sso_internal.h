/*
 * Inside idp/saml: the pieces of Web SSO (sso_*.c, saml_server.c,
 * saml_metadata_idp.c). Includes lasso; nothing outside idp/saml
 * includes this header.
 *
 * Ownership: everything hangs off the worker's struct saml_worker or the
 * call's own structs; lasso objects are created and freed on the calling
 * worker's thread only.
 */
#ifndef IDP_SAML_SSO_INTERNAL_H
#define IDP_SAML_SSO_INTERNAL_H

#include <glib.h>
#include <lasso/lasso.h>
#include <lasso/saml-2.0/provider.h>
#include <lasso/xml/misc_text_node.h>
#include <lasso/xml/saml-2.0/saml2_assertion.h>
#include <lasso/xml/saml-2.0/saml2_attribute.h>
#include <lasso/xml/saml-2.0/saml2_attribute_statement.h>
#include <lasso/xml/saml-2.0/saml2_attribute_value.h>
#include <lasso/xml/saml-2.0/saml2_audience_restriction.h>
#include <lasso/xml/saml-2.0/saml2_authn_context.h>
#include <lasso/xml/saml-2.0/saml2_authn_statement.h>
#include <lasso/xml/saml-2.0/saml2_conditions.h>
#include <lasso/xml/saml-2.0/saml2_encrypted_element.h>
#include <lasso/xml/saml-2.0/saml2_name_id.h>
#include <lasso/xml/saml-2.0/saml2_subject.h>
#include <lasso/xml/saml-2.0/saml2_subject_confirmation.h>
#include <lasso/xml/saml-2.0/saml2_subject_confirmation_data.h>
#include <lasso/xml/saml-2.0/samlp2_authn_request.h>
#include <lasso/xml/saml-2.0/samlp2_name_id_policy.h>
#include <lasso/xml/saml-2.0/samlp2_requested_authn_context.h>
#include <lasso/xml/saml-2.0/samlp2_response.h>
#include <lasso/xml/saml-2.0/samlp2_status.h>
#include <lasso/xml/saml-2.0/samlp2_status_code.h>
#include <lasso/key.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idp/saml/saml.h"
#include "idp/saml/saml_internal.h"
#include "idp/saml/saml_sp.h"
#include "idp/store/store_account.h"
#include "idp/store/store_saml.h"

struct cfg;
struct keys_set;

/* URIs we compare against. */
#define SSO_NS_PROTOCOL	 "urn:oasis:names:tc:SAML:2.0:protocol"
#define SSO_NS_ASSERTION "urn:oasis:names:tc:SAML:2.0:assertion"
#define SSO_NS_DSIG	 "http://www.w3.org/2000/09/xmldsig#"
#define SSO_BINDING_POST "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
#define SSO_NAMEID_PERSISTENT                                                  \
	"urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
#define SSO_NAMEID_TRANSIENT                                                   \
	"urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
#define SSO_NAMEID_UNSPECIFIED                                                 \
	"urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"

/* A relying party as this worker knows it (all of them, also disabled). */
struct saml_sp_entry {
	char *entity_id;
	bool enabled;
	bool in_lasso; /* loaded into the worker's server */
	char *release; /* canonical list, "" for none */
	enum saml_attr_profile profile;
	enum saml_nameid nameid;
	bool require_signed_requests;
	bool encrypt_assertions;
	struct saml_sp_meta meta; /* ACS endpoints, WantAssertionsSigned */
	/* RSA keys of its signing certificates, for Redirect signatures. */
	EVP_PKEY **keys;
	size_t n_keys;
};

/* Load and free @e's keys (sso_query_signature.c). */
void sso_sp_keys_load(struct saml_sp_entry *e);
void sso_sp_keys_free(struct saml_sp_entry *e);

/*
 * Verify the Redirect binding's signature in the raw @query against the
 * SP's keys: RSA with SHA-256, -384 or -512 over the octets as received.
 * Returns 0 or SAML_E_SIGNATURE_INVALID with *@why for the log.
 */
int sso_query_signature_verify(const struct saml_sp_entry *sp,
			       const char *query, const char **why);

/* @query with only SAMLRequest and RelayState, for lasso (g_free). */
char *sso_query_unsigned(const char *query);

/* The per-worker cache; see saml_worker_ensure(). */
struct saml_worker {
	char generation[STORE_SAML_GENERATION_LEN + 1];
	bool built;
	int64_t built_at; /* Unix seconds, database clock */
	/*
	 * NULL when there is no active signing key (or no master key): the
	 * SSO then answers SAML_E_NO_SIGNING_KEY.
	 */
	LassoServer *server;
	/* The active key, parsed once: every signature of this cache uses it. */
	LassoKey *key;
	GHashTable *sps; /* entity ID -> struct saml_sp_entry */
	/* PEM certificates of the live keys, for the metadata. */
	char **certs;
	size_t n_certs;
};

/*
 * Make @w's cache current: read the generation value and rebuild the
 * lasso server (our metadata, the active key, every enabled SP with the
 * preloaded signing key) when it changed. On success *@out is the cache
 * (owned by @w). Returns 0 or a positive enum saml_error.
 */
int saml_worker_ensure(struct worker *w, struct saml_worker **out);

/* The entry of @entity_id in @sw, or NULL. */
const struct saml_sp_entry *saml_worker_sp(const struct saml_worker *sw,
					   const char *entity_id);

/* Our entity ID and SSO URL: public_url + "/saml/metadata", "/saml/sso". */
char *saml_idp_entity_id(const struct cfg *cfg);
char *saml_idp_sso_url(const struct cfg *cfg);

/*
 * Our metadata document for the certificates @certs (PEM, @n of them,
 * the signing key first), valid until @valid_until (Unix seconds). A new
 * string (g_free()), or NULL when a certificate is not PEM.
 */
char *saml_metadata_idp_format(const struct cfg *cfg, char *const *certs,
			       size_t n, int64_t valid_until);

/* --- receiving a request (sso_decode.c, sso_xml_check.c) --- */

/* What our own reading of the request found, before lasso sees it. */
struct sso_parsed {
	enum saml_sso_binding binding;
	char *xml; /* the decoded document (g_free) */
	size_t xml_len;
	char *issuer;		/* Issuer text (g_free) */
	char *id;		/* ID attribute (g_free) */
	char *acs_url;		/* AssertionConsumerServiceURL or NULL */
	int acs_index;		/* AssertionConsumerServiceIndex or -1 */
	char *protocol_binding; /* ProtocolBinding or NULL */
	char *destination;	/* Destination or NULL */
	bool has_signature;	/* POST: ds:Signature; Redirect: parameter */
	char *relay_state;	/* decoded; NULL when none */
	char *lasso_msg;	/* what lasso gets: query or base64 (g_free) */
};

void sso_parsed_clear(struct sso_parsed *p);

/*
 * Decode the request of @in into @p: the Redirect binding's query
 * parameters (each at most once), strict base64, raw inflate (Redirect),
 * with the limits of saml.h checked before each step. Returns 0 or the
 * error (positive enum saml_error); logs what it refused.
 */
int sso_decode(const struct saml_sso_input *in, struct sso_parsed *p);

/*
 * Check the shape of the decoded document @p->xml and fill the fields:
 * no DOCTYPE (so no DTD and no entities), well-formed UTF-8 within the
 * depth and element limits, no comments, processing instructions or
 * CDATA anywhere, a samlp:AuthnRequest root with an ID and exactly one
 * saml:Issuer child of one text node, no other AuthnRequest or Issuer
 * element anywhere, no ID value twice, and at most one ds:Signature,
 * which must be a child of the root and refer to the root's ID (so no
 * signature wrapping). Returns 0 or a positive enum saml_error.
 */
int sso_xml_check(struct sso_parsed *p);

/* --- the checked request, as a pending row and for the response --- */

enum sso_comparison {
	SSO_CMP_NONE, /* no RequestedAuthnContext */
	SSO_CMP_EXACT,
	SSO_CMP_MINIMUM,
	SSO_CMP_BETTER,
	SSO_CMP_MAXIMUM,
};

/* A request that passed every check, or one being answered. */
struct sso_request {
	char *sp_entity_id;
	char *request_id;
	char *acs_url;
	char *relay_state; /* or NULL */
	bool force_authn;
	bool is_passive;
	enum saml_nameid nameid;
	bool allow_create;
	enum sso_comparison comparison;
	char *class_refs[SAML_CLASS_REFS_MAX];
	size_t n_class_refs;
	int64_t received_at; /* Unix seconds (database clock) */
};

void sso_request_clear(struct sso_request *r);

/* "exact" ... for the pending row; and back. */
const char *sso_comparison_name(enum sso_comparison c);
bool sso_comparison_parse(const char *s, enum sso_comparison *c);

/* --- answering (sso_respond.c, sso_assertion.c, sso_attributes.c) --- */

/*
 * Answer @r for the account and session in @si, or with the error status
 * of @status_error (a SAML_E_* with a status; 0 for success), and fill
 * @out with the POST form. When the session is below the level @r asks
 * for and an eID step-up reaches it (sso_step_up_needed()), nothing is
 * answered: @out is SAML_REPLY_LOGIN with an empty pending id, and the
 * caller keeps or makes the request pending. @pending_hash (or NULL) is the pending request
 * to use up in the same transaction that records the participant and
 * the audit row. @client for the audit row.
 */
void sso_respond(struct worker *w, struct saml_worker *sw,
		 const struct sso_request *r, const struct session_info *si,
		 int status_error, const uint8_t *pending_hash,
		 const char *client, struct saml_reply *out);

/*
 * Whether @si's session is below the level @r asks for and an eID
 * step-up (level high) would reach it; false for IsPassive requests and
 * without a session (sso_respond.c).
 */
bool sso_step_up_needed(const struct sso_request *r,
			const struct session_info *si);

/*
 * The part of sso_respond() that touches no database: the assertion for
 * @si with @nameid, @class_ref and @session_index at @now (Unix
 * seconds), the attributes @sp may get, the signed response (or the
 * status of @status_error) as a POST form in @out. bench/sso_build_bench
 * measures it alone. Returns 0 or a positive enum saml_error.
 */
IDP_WUR int sso_response_build(struct saml_worker *sw,
			       const struct saml_sp_entry *sp,
			       const struct sso_request *r,
			       const struct session_info *si, const char *idp,
			       const char *nameid, const char *class_ref,
			       const char *session_index, int64_t now,
			       int status_error, struct saml_reply *out);

/* The attributes @sp may get of @a, added to @assertion. */
int sso_attributes_add(LassoSaml2Assertion *assertion,
		       const struct saml_sp_entry *sp,
		       const struct store_account *a);

/* Log a lasso failure with lasso_strerror() and the step. */
void sso_lasso_fail(const char *step, int rc);

/*
 * Audit a rejected request (sso_request_rejected) in its own
 * transaction: reason @e's name, the SP when known, the request ID (cut)
 * and @detail (or NULL). Failures to write are logged, not returned:
 * the citizen's answer does not depend on them.
 */
void sso_audit_rejected(struct worker *w, enum saml_error e,
			const char *sp_entity_id, const char *request_id,
			const char *subject, const char *client,
			const char *detail);

/* Fill @out with error page @e. */
void sso_reply_page(struct saml_reply *out, enum saml_error e);

/* A new random value: 256 bits, base64url without padding (44 bytes). */
void sso_random_id(char out[SAML_PENDING_ID_LEN + 1]);


/*
 * Percent-decode @len bytes at @s (g_free()). '+' stays '+', as lasso
 * reads it too (xmlURIUnescapeString) when it checks the signature over
 * the same query: both sides must see one and the same message. NULL for
 * a bad escape or a NUL byte.
 */
char *sso_unescape(const char *s, size_t len);

/* --- pending requests (sso_continue.c) --- */

/*
 * Store @r as a pending request bound to this browser: to the secret of
 * its SAML_PENDING_BIND_COOKIE @bind_cookie when that is well-formed,
 * else to a new one. Fills @out with the LOGIN reply (the pending id,
 * @via_continue, the cookie value to set in @out->bind_cookie), or with
 * the page SAML_E_UNAVAILABLE when the database fails.
 */
void sso_pend(struct worker *w, const struct sso_request *r,
	      const char *bind_cookie, bool via_continue,
	      struct saml_reply *out);

/* --- single logout (slo_*.c) --- */

/*
 * sso_decode() for a LogoutResponse too: with @response the Redirect
 * binding's message parameter is SAMLResponse (the POST binding passes
 * the field in @in->saml_request either way).
 */
int sso_decode_message(const struct saml_sso_input *in, bool response,
		       struct sso_parsed *p);

/* sso_xml_check() for a message whose root is samlp:@root_name. */
int sso_xml_check_root(struct sso_parsed *p, const char *root_name);

/*
 * Rule (sso_receive.c): @issuer is a registered relying party and it is
 * enabled; *@sp is its entry. 0, SAML_E_UNKNOWN_ISSUER or
 * SAML_E_DISABLED_ISSUER (logged with what was seen and wanted).
 */
IDP_WUR int sso_validate_issuer(const struct saml_worker *sw,
				const char *issuer,
				const struct saml_sp_entry **sp);

/* --- signatures (saml_xml_sign.c) --- */

/* Where the schema wants the Signature among the element's children. */
enum saml_sig_place {
	SAML_SIG_AFTER_ISSUER, /* protocol messages, assertions */
	SAML_SIG_FIRST,	       /* metadata (EntityDescriptor) */
};

/*
 * Sign @root, an element with the xs:ID @id and no Signature yet, with
 * @key (enveloped, RSA-SHA256, exclusive c14n, the certificate in
 * KeyInfo), and put the Signature @where. false (logged) on failure;
 * @root may then hold a misplaced Signature and must not be sent.
 */
IDP_WUR bool saml_xml_sign(LassoKey *key, xmlNode *root, const char *id,
			   enum saml_sig_place where);

#endif
