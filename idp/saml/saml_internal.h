/*
 * Inside idp/saml: helpers the files of this folder share, and the ones
 * idp/eid (our SAML service-provider side toward the eID service) uses
 * too, so that both sides run one implementation. Only idp/saml and
 * idp/eid include this header (it pulls in lasso).
 */
#ifndef IDP_SAML_SAML_INTERNAL_H
#define IDP_SAML_SAML_INTERNAL_H

#include <glib.h>
#include <lasso/lasso.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idp/saml/saml.h"
#include "idp/saml/saml_sp.h"
#include "idp/store/store_sp.h"

/*
 * Bytes of a metadata value quoted in an error line (idp_shown() of
 * idp/common/err.h; idp_errf() formats the lines).
 */
#define SAML_SHOWN_MAX 80

/*
 * Parse one X509Certificate element's text @b64 (@len bytes, strict
 * base64 with blanks and line breaks allowed) into @out, marked with
 * @use. Returns 0, IDP_ERR_INVALID (@err says why) or IDP_ERR_NOMEM;
 * on failure @out holds nothing to free.
 */
IDP_WUR int saml_sp_cert_parse(const char *b64, size_t len,
			       enum saml_key_use use, struct saml_sp_cert *out,
			       char *err, size_t errlen);

/* Free what @c owns. */
void saml_sp_cert_clear(struct saml_sp_cert *c);

/*
 * Whether settings @sp (require_signed_requests, encrypt_assertions) can
 * work with metadata @m. Returns 0 or IDP_ERR_INVALID with @err.
 */
IDP_WUR int saml_sp_settings_verify(const struct store_sp *sp,
				    const struct saml_sp_meta *m, char *err,
				    size_t errlen);

/*
 * The audit row of a registry change, inside the caller's transaction:
 * actor @who->actor, no subject, details with the operator (when
 * given), the entity ID, the row id ("sp"), and for @full the settings
 * and the metadata's SHA-256 and source, plus @k: @v when @k is not
 * NULL. Returns a STORE_* value.
 */
IDP_WUR int saml_sp_audit(struct store *s, const char *event,
			  const struct saml_sp_who *who,
			  const struct store_sp *sp, bool full, const char *k,
			  const char *v);

/* The SHA-256 of @len bytes at @data as lower-case hex. */
void saml_sha256_hex(const void *data, size_t len, char hex[65]);

/* Map a failed store_run_tx() result to an idp_err with @err. */
int saml_tx_fail(int rc, char *err, size_t errlen);

/* --- shared with idp/eid --- */

struct cfg;
struct keys_key;

/* The master key from saml_master_key_set(), or NULL. */
const uint8_t *saml_master_key_peek(void);

/* @t (Unix seconds) as xs:dateTime "YYYY-MM-DDThh:mm:ssZ" (g_free()). */
char *saml_time_format(int64_t t);

/*
 * Parse an xs:dateTime in UTC into *@t (Unix seconds): "YYYY-MM-DDThh:mm:ss"
 * with optional fractions (ignored) and the Z saml-core 1.3.3 requires, at
 * most 40 bytes; @s may be NULL. False for anything else.
 */
IDP_WUR bool saml_time_parse(const char *s, int64_t *t);

/*
 * A LassoKey for RSA-SHA256 signatures with @k's private key and its
 * certificate for the signatures' KeyInfo, preloaded once per worker so
 * that lasso does not parse the PEM key for every signature. The
 * certificate (public) goes through a temporary file removed at once
 * (see saml_server.c for why). A new reference (g_object_unref()), or
 * NULL when lasso refuses the key (the caller logs). Thread-safe.
 */
LassoKey *saml_signing_key_new(const struct keys_key *k);

/*
 * A new metadata document for @entity_id: the XML declaration and the
 * opening EntityDescriptor (md and ds namespaces) with a new random ID
 * (what a signature refers to; '_' and 43 base64url characters),
 * validUntil @valid_until (Unix seconds) and cacheDuration [saml]
 * metadata_cache_duration. The caller appends the role descriptor and
 * the closing tag. Never NULL (GLib aborts when memory runs out).
 */
GString *saml_metadata_begin(const struct cfg *cfg, const char *entity_id,
			     int64_t valid_until);

/*
 * Append one KeyDescriptor use=@use (signing, encryption) with the
 * X509Certificate of each of the @n PEM certificates @certs, in order.
 * False (logged: a bug) when one is not PEM; @x is then incomplete.
 */
IDP_WUR bool saml_metadata_keys(GString *x, const char *use, char *const *certs,
				size_t n);

/*
 * Our metadata @plain (unsigned, an EntityDescriptor with an ID; taken)
 * as it is published: @plain itself when [saml] metadata_signed is off,
 * otherwise a copy with an enveloped signature over the EntityDescriptor
 * by @key (RSA-SHA256, exclusive c14n, the certificate in KeyInfo) as
 * its first child, where the schema wants it (saml_xml_sign()). For
 * /saml/metadata and /eid/metadata alike. A new string (g_free()), or
 * NULL (logged). Thread-safe as long as @key belongs to the calling
 * worker.
 */
char *saml_metadata_publish(const struct cfg *cfg, LassoKey *key, char *plain);

#endif
