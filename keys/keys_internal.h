/*
 * Inside keys/: helpers the files here share. Only the files in keys/
 * include this header; it is one of the few places that may include
 * OpenSSL headers.
 */
#ifndef IDP_KEYS_KEYS_INTERNAL_H
#define IDP_KEYS_KEYS_INTERNAL_H

#include <openssl/x509.h>
#include <stddef.h>

#include "keys/keys.h"

/* One line into @err (size @errlen, may be 0). */
void keys_report(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * "@what: <OpenSSL's reason>" into @err, and OpenSSL's error queue of
 * this thread emptied, so that a later failure does not report this one.
 */
void keys_report_ossl(char *err, size_t errlen, const char *what);

/*
 * The SHA-256 fingerprint of @x's DER encoding as "AB:CD:...".
 * Returns 0 or IDP_ERR_INTERNAL.
 */
IDP_WUR int keys_fingerprint(X509 *x, char out[KEYS_FINGERPRINT_LEN + 1]);

/* @t as Unix seconds. False when it does not parse. */
IDP_WUR bool keys_asn1_time(const ASN1_TIME *t, int64_t *out);

/*
 * Parse @cert_pem (NUL-terminated, at most KEYS_PEM_MAX bytes, starting
 * with the PEM header) into a certificate, freed with X509_free().
 * NULL when it is not one.
 */
X509 *keys_cert_parse(const char *cert_pem);

#endif
