/*
 * eID: the German eID card (nPA, eAT, eID card for Union citizens) through
 * an eID service (BSI TR-03130) that answers us over SAML 2.0
 * (docs/eid.md). Toward that service idpd is a SAML service provider with
 * its own entity ID (<public_url>/eid/metadata), metadata, signing and
 * encryption keys (idpctl keys --purpose eid-signing|eid-encryption) and
 * an assertion consumer service at /eid/acs.
 *
 * This is the API the handlers and the account flows use; it exposes no
 * lasso, libxml2 or HTTP type. Two halves:
 *   - the protocol (eid_start(), eid_acs()): one signed AuthnRequest out,
 *     one response in, every rule of DESIGN.md's eID paragraph checked by
 *     its own validator, signature verification forced;
 *   - the flows (link, login, new card, unlink, step-up), which act on a
 *     verified struct eid_identity and live beside the account services.
 *
 * Thread-safety: every function runs on the calling worker's own struct
 * worker (lasso objects are per worker, like idp/saml's).
 */
#ifndef IDP_EID_EID_H
#define IDP_EID_EID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idp/common/err.h"
#include "idp/store/store.h"

struct worker;
struct session_info;

/* Why an eID round trip was started; stored with the request. */
enum eid_purpose {
	EID_PURPOSE_LINK,    /* a logged-in citizen links a card */
	EID_PURPOSE_LOGIN,   /* login page: log in with the card */
	EID_PURPOSE_STEP_UP, /* a portal asked for more than the session has */
};

/* "link", "login", "step_up"; never NULL for a valid value. */
const char *eid_purpose_name(enum eid_purpose p);

/*
 * Limits of what the eID service may send, enforced before parsing and
 * before anything is stored. A real response with an encrypted assertion
 * is 8 to 16 KiB.
 */
#define EID_RESPONSE_B64_MAX (192 * 1024) /* SAMLResponse as posted */
#define EID_RESPONSE_XML_MAX (128 * 1024) /* after base64 */
#define EID_ATTRIBUTE_MAX    1024	  /* bytes of one attribute value */
#define EID_REQUEST_TTL_S    900	  /* an eID request waits 15 min */
#define EID_PSEUDONYM_MAX    512	  /* bytes of the pseudonym */

/*
 * What a verified response says about the card holder. Strings are
 * NUL-terminated UTF-8 (NFC), newly allocated, NULL when the card or the
 * authorisation certificate does not give them. The pseudonym is the
 * card's restricted identification for our service: secret-ish (it links
 * the citizen across our records), never logged, stored only as a keyed
 * hash (eid_pseudonym_hash()).
 */
struct eid_identity {
	char *pseudonym;
	char *family_name;
	char *given_names;
	char *birth_date; /* "YYYY-MM-DD" */
	char *place_of_birth;
	char *street;
	char *postal_code;
	char *city;
	char *document_type; /* "ID", "AR", "UB" or what the service sends */
	const char *loa;     /* "high" (anything lower is refused) */
};

/* Free the strings of @id (the pseudonym wiped first); NULL is fine. */
void eid_identity_clear(struct eid_identity *id);

/*
 * The outcome of /eid/acs for the flows: the verified identity and the
 * request it answers (its purpose, the session that started it or 0, the
 * pending SAML request of a portal or "").
 */
struct eid_result {
	struct eid_identity id;
	enum eid_purpose purpose;
	int64_t session_id; /* LINK and STEP_UP: the session; LOGIN: 0 */
	char pending[64];   /* a portal's pending SAML request or "" */
};

void eid_result_clear(struct eid_result *r);

/*
 * The browser binding of an eID round trip: a cookie (HttpOnly,
 * SameSite=Lax, __Host- and Secure under https, like the session cookie)
 * holding 256 random bits whose hash is stored with the request; a
 * response is accepted only in the browser that started the request.
 * The eID service's page posts the response cross-site, and Lax cookies
 * do not come with that POST: /eid/acs therefore only relays the
 * SAMLResponse (size-checked, not parsed) in an auto-submitting form
 * (with a button) to /eid/acs/finish on our own site, where the binding
 * and session cookies are present and eid_acs() does the checking.
 */
#define EID_BIND_COOKIE "sk_eid"

/* What eid_start() gives the handler to send. */
struct eid_start_reply {
	char *redirect_url;   /* eID service SSO URL + signed query; g_free */
	char bind_cookie[44]; /* set EID_BIND_COOKIE to this when not "" */
};

void eid_start_reply_clear(struct eid_start_reply *r);

/*
 * Start an eID round trip for @purpose: a signed AuthnRequest (HTTP-
 * Redirect binding, RSA-SHA256 with the active eid-signing key) asking
 * for level high and the configured attributes, stored in PostgreSQL
 * with its purpose, the session (@si, NULL for LOGIN), the portal's
 * @pending request ("" or NULL for none) and the hash of the browser
 * binding (@bind_cookie, the current EID_BIND_COOKIE value or NULL: a new
 * one is made). Returns 0 or a positive enum eid_error.
 */
/*
 * Whether eID round trips can start on this node now: an eID service is
 * configured and the active eid-signing and eid-encryption keys are
 * there. false also when the database cannot be asked.
 */
bool eid_usable(struct worker *w);

IDP_WUR int eid_start(struct worker *w, enum eid_purpose purpose,
		      const struct session_info *si, const char *pending,
		      const char *bind_cookie, const char *client,
		      struct eid_start_reply *out);

/*
 * Check a SAMLResponse posted to /eid/acs (@b64 as posted, @len bytes)
 * in the browser with @bind_cookie: every rule of docs/eid.md, each its
 * own error, audited; the request it answers is used up. On 0 *@out
 * holds the verified identity and the request's purpose and context.
 * Returns 0 or a positive enum eid_error.
 */
IDP_WUR int eid_acs(struct worker *w, const char *b64, size_t len,
		    const char *bind_cookie, const char *client,
		    struct eid_result *out);

/* --- added by the protocol half (docs/eid.md) --- */

/* Allowed clock difference to the eID service in every time check. */
#define EID_CLOCK_SKEW_S 60
/* An IssueInstant older than this is refused (the card read is live). */
#define EID_ISSUE_MAX_AGE_S 300
/* Replay cache entries outlive any response the age check would pass. */
#define EID_REPLAY_TTL_S (EID_ISSUE_MAX_AGE_S + 2 * EID_CLOCK_SKEW_S)
/* The level we ask for and accept, nothing else. */
#define EID_LOA_HIGH "http://eidas.europa.eu/LoA/high"
/* Most bytes of the eID service's metadata (as for relying parties). */
#define EID_ERR_MAX 512

/*
 * Every way an eID round trip fails: a stable name (logs, audit reason,
 * tests), the HTTP status of the page and its text key (i18n
 * <key>.title and <key>.text). See eid_error_info().
 */
enum eid_error {
	EID_OK = 0,
	EID_E_NOT_CONFIGURED,	/* 503: no eID service configured */
	EID_E_NO_KEY,		/* 503: no active eid-signing key, or none
				 * for eid-encryption, or no master key */
	EID_E_UNAVAILABLE,	/* 503: database */
	EID_E_INTERNAL,		/* 500: our bug, lasso failure */
	EID_E_MISSING_RESPONSE, /* no SAMLResponse */
	EID_E_TOO_LARGE,	/* over EID_RESPONSE_B64_MAX/_XML_MAX */
	EID_E_BAD_BASE64,	/* not strict base64 */
	EID_E_XML_DOCTYPE,	/* DTD, entity declarations */
	EID_E_XML_MALFORMED,	/* not well-formed, NUL, not UTF-8 */
	EID_E_XML_STRUCTURE,	/* not one samlp:Response; duplicate IDs */
	EID_E_NO_BINDING,	/* no binding cookie in this browser */
	EID_E_DESTINATION,	/* Response Destination is not our ACS */
	EID_E_ISSUER,		/* Response Issuer is not the eID service */
	EID_E_CANCELLED,	/* status AuthnFailed: the citizen cancelled */
	EID_E_STATUS,		/* any other status than Success */
	EID_E_NOT_ENCRYPTED,	/* a plain saml:Assertion */
	EID_E_ASSERTION_COUNT,	/* not exactly one EncryptedAssertion */
	EID_E_KEY_TRANSPORT,	/* key transport not RSA-OAEP */
	EID_E_SIGNATURE,	/* Response signature missing or invalid */
	EID_E_DECRYPT,		/* the assertion does not decrypt */
	EID_E_ASSERTION_SIGNATURE, /* assertion unsigned or not by the
				    * service's metadata key */
	EID_E_ASSERTION_ISSUER,	   /* assertion Issuer is not the service */
	EID_E_AUDIENCE,		   /* no AudienceRestriction naming us */
	EID_E_NOT_YET_VALID,	   /* Conditions NotBefore in the future */
	EID_E_EXPIRED,		   /* Conditions NotOnOrAfter passed */
	EID_E_ISSUE_INSTANT,	   /* IssueInstant too old or in the future */
	EID_E_RECIPIENT,	   /* SubjectConfirmationData Recipient */
	EID_E_SUBJECT,		   /* no bearer confirmation, its InResponseTo
				    * or NotOnOrAfter wrong */
	EID_E_AUTHN_STATEMENT,	   /* not exactly one AuthnStatement */
	EID_E_LOA,		   /* AuthnContextClassRef is not LoA high */
	EID_E_REPLAY,		   /* response or assertion ID seen before */
	EID_E_UNKNOWN_REQUEST,	   /* InResponseTo: no live request of ours */
	EID_E_WRONG_BROWSER,	   /* the request was started in another
				    * browser (binding does not match) */
	EID_E_PSEUDONYM,	   /* pseudonym missing or out of limits */
	EID_E_ATTRIBUTE,	   /* an attribute value out of limits, not
				    * UTF-8, a bad date or address */
	EID_E_COUNT
};

struct eid_error_info {
	const char *name;     /* stable, lower_snake_case */
	unsigned http_status; /* for the page */
	const char *text_key; /* i18n: <key>.title and <key>.text */
};

/* Never NULL for a valid value (EID_OK included). */
const struct eid_error_info *eid_error_info(enum eid_error e);

/*
 * The keyed hash under which a pseudonym is stored and looked up:
 * BLAKE2b-256 keyed with a cluster-wide random key kept in the settings
 * table ("eid_pseudonym_key", made on first use with
 * store_setting_ensure(), so every node agrees). Deterministic, so the
 * database can index it; without the key (a database dump alone) the
 * pseudonyms cannot be tested against a guessed card. Returns 0,
 * IDP_ERR_UNAVAILABLE (database) or IDP_ERR_INVALID (a broken key
 * setting, logged).
 */
IDP_WUR int eid_pseudonym_hash(struct store *s, const char *pseudonym,
			       uint8_t out[32]);

/*
 * Our SP metadata for /eid/metadata: a new string (g_free()) in *@xml,
 * made per request with a new ID, validUntil (now + [saml]
 * metadata_validity) and cacheDuration ([saml] metadata_cache_duration),
 * and signed with the active eid-signing key when [saml]
 * metadata_signed is on. Returns 0 or a positive enum eid_error
 * (EID_E_NO_KEY: no eID keys, or signing on and no active eid-signing
 * key).
 */
IDP_WUR int eid_metadata(struct worker *w, char **xml);

/*
 * Audit a response refused before eid_acs() saw it (/eid/acs: missing,
 * too large, not base64): the same eid_response_rejected row eid_acs()
 * writes for its own refusals.
 */
void eid_audit_relay_refused(struct worker *w, enum eid_error e,
			     const char *client);

/* --- the eID service configuration (idpctl eid) --- */

/* The attribute names' defaults: the eIDAS natural-person profile. */
#define EID_ATTR_DEFAULTS                                                      \
	{                                                                      \
		"http://eidas.europa.eu/attributes/naturalperson/"             \
		"PersonIdentifier",                                            \
			"http://eidas.europa.eu/attributes/naturalperson/"     \
			"CurrentFamilyName",                                   \
			"http://eidas.europa.eu/attributes/naturalperson/"     \
			"CurrentGivenName",                                    \
			"http://eidas.europa.eu/attributes/naturalperson/"     \
			"DateOfBirth",                                         \
			"http://eidas.europa.eu/attributes/naturalperson/"     \
			"PlaceOfBirth",                                        \
			"http://eidas.europa.eu/attributes/naturalperson/"     \
			"CurrentAddress",                                      \
			"http://bsi.bund.de/eID/DocumentType",                 \
	}
#define EID_ATTR_KINDS                                                         \
	{                                                                      \
		"pseudonym", "family_name", "given_names", "birth_date",       \
			"place_of_birth", "address", "document_type",          \
	}
#define EID_ATTR_COUNT	  7
#define EID_ATTR_NAME_MAX 512

/*
 * What idpctl eid configure sets: the eID service's IdP metadata (@xml,
 * @xml_len bytes, borrowed), where it came from (@url, NULL for a file)
 * and attribute names by kind (index as EID_ATTR_KINDS; NULL keeps the
 * stored name or the default).
 */
struct eid_config_change {
	const char *xml;
	size_t xml_len;
	const char *url;
	const char *attr[EID_ATTR_COUNT];
};

/* Index of attribute kind @kind in EID_ATTR_KINDS, or -1. */
int eid_attr_kind(const char *kind);

/*
 * Validate @c's metadata as eID service (IdP) metadata with the same
 * hardening as relying-party metadata (size, depth, no DTD or entity, no
 * network; an IDPSSODescriptor with an HTTP-Redirect SingleSignOnService
 * and at least one signing certificate) and the attribute names (absolute
 * URIs of at most EID_ATTR_NAME_MAX bytes), then store it as the eID
 * service in one transaction with NOTIFY eid_changed and the audit row
 * eid_configured (@operator_name: the OS user). *@entity_id (may be NULL;
 * free()) gets the service's entity ID. Returns 0, IDP_ERR_INVALID or
 * IDP_ERR_TOO_LARGE (@err says why), IDP_ERR_UNAVAILABLE, IDP_ERR_NOMEM.
 */
IDP_WUR int eid_configure(struct store *s, const struct eid_config_change *c,
			  const char *operator_name, char **entity_id,
			  char *err, size_t errlen);

/*
 * Remove the eID service: the row, NOTIFY and the audit row eid_removed.
 * Returns 0, IDP_ERR_INVALID (none configured), IDP_ERR_UNAVAILABLE.
 */
IDP_WUR int eid_remove(struct store *s, const char *operator_name, char *err,
		       size_t errlen);

#endif
