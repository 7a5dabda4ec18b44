/*
 * Relying parties (SAML service providers, "SPs"): their metadata, how it
 * is read, fetched and validated, the release and NameID policy, and the
 * registry operations behind `idpctl sp` (and, later, idpd's periodic
 * refresh). idp/saml is lasso's home; this header exposes no lasso,
 * libxml2 or OpenSSL type. docs/relying-parties.md is the manual.
 *
 * Every function here is thread-safe as long as each thread passes its
 * own struct store (and its own output structs): the only shared state
 * is the one-time initialisation of lasso, done under pthread_once.
 *
 * Error texts (@err, @errlen) are one line of English for the operator,
 * never containing a secret; they may quote parts of the metadata (an
 * entity ID, a URL), cut and with non-printable bytes replaced.
 */
#ifndef IDP_SAML_SAML_SP_H
#define IDP_SAML_SAML_SP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idp/common/err.h"
#include "idp/common/limits.h"
#include "idp/store/store.h"

/*
 * The limits on metadata (SAML_SP_METADATA_MAX, _DEPTH_MAX, _ELEMENTS_MAX,
 * SAML_SP_ENTITY_ID_MAX, _URL_MAX, _ENDPOINTS_MAX, _CERTS_MAX,
 * _CERT_B64_MAX) are in idp/common/limits.h, enforced before any XML
 * parser sees the bytes.
 */

/* The smallest RSA key accepted in metadata. */
#define SAML_SP_RSA_BITS_MIN 2048
/* Downloads of metadata: total time and connect time. */
#define SAML_SP_FETCH_TIMEOUT_MS	 10000
#define SAML_SP_FETCH_CONNECT_TIMEOUT_MS 5000
#define SAML_SP_FETCH_REDIRECTS_MAX	 3

/* Room for an error line; longer ones are cut. */
#define SAML_SP_ERR_MAX 512

/* Initialise lasso (and with it libxml2 and xmlsec) once per process. */
IDP_WUR int saml_init(void);

/* SAML 2.0 bindings we tell apart (saml-bindings-2.0-os). */
enum saml_binding {
	SAML_BINDING_HTTP_POST,
	SAML_BINDING_HTTP_REDIRECT,
	SAML_BINDING_HTTP_ARTIFACT,
	SAML_BINDING_SOAP,
	SAML_BINDING_PAOS,
	SAML_BINDING_OTHER, /* any other URI: kept, never used */
};

/* "HTTP-POST", ..., "other". Never NULL. */
const char *saml_binding_name(enum saml_binding b);

/* An AssertionConsumerService or SingleLogoutService of the metadata. */
struct saml_sp_endpoint {
	enum saml_binding binding;
	char *binding_uri;	 /* as in the metadata */
	char *location;		 /* https:// (http:// only to loopback) */
	char *response_location; /* NULL when none */
	int index;		 /* ACS: 0..65535; SLO: -1 */
	bool is_default;	 /* isDefault="true" */
	bool is_default_set;	 /* isDefault was given at all */
};

/* The use attribute of a KeyDescriptor. */
enum saml_key_use {
	SAML_KEY_USE_ANY, /* no use attribute: signing and encryption */
	SAML_KEY_USE_SIGNING,
	SAML_KEY_USE_ENCRYPTION,
};

/* "signing and encryption", "signing", "encryption". Never NULL. */
const char *saml_key_use_name(enum saml_key_use u);

/* One X509Certificate of a KeyDescriptor, parsed with OpenSSL. */
struct saml_sp_cert {
	enum saml_key_use use;
	char *pem;	/* "-----BEGIN CERTIFICATE-----\n..." */
	char *subject;	/* RFC 2253, one line, printable */
	char *key_type; /* "RSA", "EC" */
	int key_bits;
	bool rsa; /* can wrap a key for encryption (lasso: RSA-OAEP) */
	int64_t not_before; /* Unix seconds; informational: SAML metadata */
	int64_t not_after;  /* certificates are key containers, see docs */
	char sha256[65];    /* fingerprint of the DER, lower-case hex */
};

/* What saml_sp_metadata_parse() found. All strings owned. */
struct saml_sp_meta {
	char *entity_id;
	struct saml_sp_endpoint *acs; /* in document order */
	size_t n_acs;
	struct saml_sp_endpoint *slo;
	size_t n_slo;
	struct saml_sp_cert *certs;
	size_t n_certs;
	bool authn_requests_signed;  /* AuthnRequestsSigned="true" */
	bool want_assertions_signed; /* WantAssertionsSigned="true" */
	int64_t valid_until;	     /* earliest validUntil; 0: none */
	char sha256[65];	     /* of the document bytes, hex */
	/* IdP metadata only (saml_idp_metadata_parse()): */
	struct saml_sp_endpoint *sso; /* SingleSignOnService elements */
	size_t n_sso;
	bool want_authn_requests_signed; /* WantAuthnRequestsSigned */
};

/* Free everything @m owns and zero it. NULL is fine. */
void saml_sp_meta_clear(struct saml_sp_meta *m);

/*
 * Parse and validate the SP metadata document @xml of @len bytes
 * (borrowed; it need not end in NUL). Before any parser sees it: at most
 * SAML_SP_METADATA_MAX bytes, not empty, no NUL byte, valid UTF-8, no
 * DOCTYPE or ENTITY declaration anywhere (so no DTD, no entity of any
 * kind), element nesting and count within the limits above. Then
 * libxml2 parses it without network access, DTD loading or entity
 * substitution, and lasso loads it as an SP (the same code idpd will
 * use), and both must agree on the entity ID.
 *
 * Checks: the root is md:EntityDescriptor, or md:EntitiesDescriptor with
 * exactly one md:EntityDescriptor child; the XML declaration, if any,
 * names UTF-8; entityID is an absolute URI (RFC 3986 characters only, no
 * blanks) of at most SAML_SP_ENTITY_ID_MAX bytes; exactly one
 * SPSSODescriptor, listing the SAML 2.0 protocol; at least one
 * AssertionConsumerService with the HTTP-POST binding; every endpoint's
 * Location and ResponseLocation passes saml_sp_url_verify(); ACS indexes
 * present and unique; every KeyDescriptor has a known use and at least
 * one X509Certificate, each strict base64 of one DER certificate with an
 * RSA key of at least SAML_SP_RSA_BITS_MIN bits or an EC key; boolean
 * attributes are xs:boolean; no validUntil (on any descriptor) has
 * passed.
 *
 * On success returns 0 and fills @out (free with saml_sp_meta_clear()).
 * Otherwise @out is cleared, @err holds one line naming the first problem
 * found, and it returns IDP_ERR_TOO_LARGE, IDP_ERR_INVALID, IDP_ERR_NOMEM
 * or IDP_ERR_INTERNAL (lasso could not be initialised).
 */
IDP_WUR int saml_sp_metadata_parse(const char *xml, size_t len,
				   struct saml_sp_meta *out, char *err,
				   size_t errlen);

/*
 * The same for the IdP metadata of a service we are the SP of (the eID
 * service, idp/eid): the same byte scan, parser settings, limits and
 * checks of the entity, URLs and certificates, but exactly one
 * IDPSSODescriptor (listing SAML 2.0) with at least one
 * SingleSignOnService with the HTTP-Redirect binding, at least one
 * certificate that may verify signatures (use signing or no use), and
 * lasso loading it as an IdP. Endpoints land in @out->sso and
 * @out->slo. Returns as saml_sp_metadata_parse().
 */
IDP_WUR int saml_idp_metadata_parse(const char *xml, size_t len,
				    struct saml_sp_meta *out, char *err,
				    size_t errlen);

/* Whether @m has a certificate that may verify signatures. */
bool saml_sp_meta_can_verify(const struct saml_sp_meta *m);

/* Whether @m has a certificate with an RSA key that may encrypt. */
bool saml_sp_meta_can_encrypt(const struct saml_sp_meta *m);

/*
 * Whether @url is where the IdP may send a citizen's browser or fetch
 * from: an absolute https:// URL, or http:// to 127.0.0.1, [::1] or
 * localhost (tests and the demo); printable ASCII, at most
 * SAML_SP_URL_MAX bytes, no user name or password, no fragment. @what
 * names the field in the error line ("AssertionConsumerService
 * Location"). Returns 0 or IDP_ERR_INVALID.
 */
IDP_WUR int saml_sp_url_verify(const char *url, const char *what, char *err,
			       size_t errlen);

/*
 * Whether @source (an argument of idpctl sp add --metadata) is a URL
 * (it starts with http:// or https://, in any case) rather than a path.
 */
bool saml_sp_source_is_url(const char *source);

/*
 * Read the metadata file @path: a regular file of at most
 * SAML_SP_METADATA_MAX bytes (reading stops one byte past the limit).
 * On success *@xml (NUL-terminated, freed with free()) and *@len.
 * Returns 0, IDP_ERR_TOO_LARGE, IDP_ERR_IO or IDP_ERR_NOMEM with @err.
 */
IDP_WUR int saml_sp_metadata_read(const char *path, char **xml, size_t *len,
				  char *err, size_t errlen);

/*
 * Download metadata from @url with libcurl: @url must pass
 * saml_sp_url_verify(); TLS 1.2 or newer with the peer verified; at
 * most SAML_SP_FETCH_REDIRECTS_MAX redirects, to https only; never
 * through a proxy for loopback; SAML_SP_FETCH_TIMEOUT_MS in all; status
 * 200; at most SAML_SP_METADATA_MAX bytes (the transfer is cut at the
 * limit). On success *@xml (NUL-terminated, freed with free()) and
 * *@len. Returns 0, IDP_ERR_INVALID (URL refused), IDP_ERR_TOO_LARGE,
 * IDP_ERR_IO (the download failed) or IDP_ERR_NOMEM with @err.
 */
IDP_WUR int saml_sp_metadata_fetch(const char *url, char **xml, size_t *len,
				   char *err, size_t errlen);

/*
 * The release policy: attributes an SP may receive. The names are fixed;
 * how each is spelled in an assertion depends on the attribute profile.
 */
#define SAML_SP_ATTRIBUTES "given_name, family_name, email, birth_date, address"
/* The longest canonical release list: all five names and commas. */
#define SAML_SP_RELEASE_MAX 64

/*
 * Parse @list, names separated by commas (blanks around names are
 * allowed; "none" or "" for no attribute), into the canonical form the
 * store keeps: known names, each once, in the order of
 * SAML_SP_ATTRIBUTES, joined by ','. Returns 0 or IDP_ERR_INVALID with
 * @err naming the first unknown name.
 */
IDP_WUR int saml_sp_release_parse(const char *list,
				  char out[SAML_SP_RELEASE_MAX], char *err,
				  size_t errlen);

/* How released attributes are named in an assertion. */
enum saml_attr_profile {
	SAML_ATTR_PROFILE_EIDAS, /* eIDAS natural person attribute URIs */
	SAML_ATTR_PROFILE_OID,	 /* SAML X.500/LDAP profile, urn:oid: */
};

/* "eidas"/"oid" to the enum; IDP_ERR_INVALID otherwise. */
IDP_WUR int saml_attr_profile_parse(const char *s, enum saml_attr_profile *out);
const char *saml_attr_profile_name(enum saml_attr_profile p);

/* The NameID an SP gets by default. */
enum saml_nameid {
	SAML_NAMEID_PERSISTENT, /* pairwise pseudonym, stable per SP */
	SAML_NAMEID_TRANSIENT,	/* new per session */
};

/* "persistent"/"transient" to the enum; IDP_ERR_INVALID otherwise. */
IDP_WUR int saml_nameid_parse(const char *s, enum saml_nameid *out);
const char *saml_nameid_name(enum saml_nameid n);

/*
 * A change to a relying party, for saml_sp_add() and saml_sp_update():
 * each setting is applied only when its set_ flag is true. New metadata
 * is given by @xml (@xml_len bytes, borrowed) and @url (where it was
 * fetched, NULL for a file); @xml NULL keeps the stored metadata.
 */
struct saml_sp_change {
	const char *xml;
	size_t xml_len;
	const char *url;
	bool set_release;
	char release[SAML_SP_RELEASE_MAX]; /* canonical (release_parse) */
	bool set_profile;
	enum saml_attr_profile profile;
	bool set_nameid;
	enum saml_nameid nameid;
	bool set_require_signed;
	bool require_signed_requests;
	bool set_encrypt;
	bool encrypt_assertions;
	bool set_enabled;
	bool enabled;
};

/*
 * Who makes a change, for the audit row: @actor ("operator", "system")
 * and @operator_name (the OS user for idpctl; NULL for idpd).
 */
struct saml_sp_who {
	const char *actor;
	const char *operator_name;
};

/*
 * Register the SP whose metadata @c->xml (required) holds. Settings not
 * set in @c take their defaults: enabled; no attributes released;
 * attribute profile oid; NameID persistent; signed requests required
 * when the metadata says AuthnRequestsSigned="true"; assertions
 * encrypted when the metadata has a KeyDescriptor with
 * use="encryption" holding an RSA certificate. Refused: invalid metadata,
 * an entity ID registered already, require_signed_requests without a
 * signing certificate, encrypt_assertions without an encryption one.
 *
 * One transaction: the row, NOTIFY relying_parties_changed, and the
 * audit row sp_added. On success *@entity_id (may be NULL) receives the
 * entity ID (freed with free()). Returns 0, IDP_ERR_INVALID (refused,
 * @err says why), IDP_ERR_TOO_LARGE, IDP_ERR_UNAVAILABLE (the database
 * failed; nothing was changed) or IDP_ERR_NOMEM.
 */
IDP_WUR int saml_sp_add(struct store *s, const struct saml_sp_change *c,
			const struct saml_sp_who *who, char **entity_id,
			char *err, size_t errlen);

/*
 * Apply @c to the SP @entity_id: new metadata (it must name the same
 * entity ID) and settings. The result is checked as a whole against the
 * metadata it will use (the new or the stored one): a change that
 * requires signed requests or encryption the metadata cannot support is
 * refused, and so is one that leaves the SP enabled with stored metadata
 * that no longer validates (its validUntil passed); disabling always
 * works. *@changed says whether anything changed; when nothing did, no
 * row, notification or audit row is written. One transaction: the row,
 * NOTIFY, and the audit row (sp_enabled, sp_disabled or sp_updated,
 * naming what changed). Returns as saml_sp_add(); IDP_ERR_INVALID also
 * for an unknown entity ID.
 */
IDP_WUR int saml_sp_update(struct store *s, const char *entity_id,
			   const struct saml_sp_change *c,
			   const struct saml_sp_who *who, bool *changed,
			   char *err, size_t errlen);

/*
 * Remove the SP @entity_id: the row, NOTIFY and the audit row sp_removed
 * in one transaction. Returns 0, IDP_ERR_INVALID (unknown entity ID),
 * IDP_ERR_UNAVAILABLE or IDP_ERR_NOMEM.
 */
IDP_WUR int saml_sp_remove(struct store *s, const char *entity_id,
			   const struct saml_sp_who *who, char *err,
			   size_t errlen);

/*
 * Fetch the metadata of the SP @entity_id again from its metadata_url
 * and, when it is valid, still names the same entity and supports the
 * SP's settings (signed requests, encryption), store it: when it
 * differs from the stored copy, in one transaction with NOTIFY and the
 * audit row sp_metadata_refreshed (*@changed true); when it is the same,
 * only fetched_at moves. When the download fails or the new copy is
 * refused, the stored copy stays in use and the failure is recorded in
 * refresh_failed_at and refresh_error (no NOTIFY; the periodic refresh
 * in idpd audits the failure as sp_metadata_refresh_failed).
 *
 * Blocks for the download (up to SAML_SP_FETCH_TIMEOUT_MS) without a
 * transaction open. idpctl sp refresh calls it, and idpd's janitor
 * thread for every SP with a URL that is due (saml_sp_refresh_due()),
 * with @who->actor "system".
 *
 * Returns 0; IDP_ERR_INVALID (unknown entity ID, no metadata URL, or the
 * new copy was refused: @err says why); IDP_ERR_IO or IDP_ERR_TOO_LARGE
 * (download failed); IDP_ERR_UNAVAILABLE (database); IDP_ERR_NOMEM.
 */
IDP_WUR int saml_sp_refresh(struct store *s, const char *entity_id,
			    const struct saml_sp_who *who, bool *changed,
			    char *err, size_t errlen);

#endif
