/*
 * Inside idp/saml: helpers the files of this folder share. Nothing
 * outside idp/saml includes this header.
 */
#ifndef IDP_SAML_SAML_INTERNAL_H
#define IDP_SAML_SAML_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "idp/saml/saml_sp.h"
#include "idp/store/store_sp.h"

/* Bytes of a metadata value quoted in an error line. */
#define SAML_SHOWN_MAX 80

/*
 * Format one error line into @err (when not NULL) and return @rc, so
 * that a check can `return saml_errf(...)`.
 */
int saml_errf(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * A copy of @s fit to quote in an error line: printable ASCII only
 * (anything else becomes '?'), at most SAML_SHOWN_MAX bytes, then
 * "...". Returns @buf.
 */
const char *saml_shown(const char *s, char buf[SAML_SHOWN_MAX + 4]);

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

#endif
