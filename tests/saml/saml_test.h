/*
 * What the tests of tests/saml share (saml_test.c): the hostile metadata
 * corpus, reading test files, and a loopback listener that tells whether
 * anything tried to connect to it.
 */
#ifndef IDP_TESTS_SAML_SAML_TEST_H
#define IDP_TESTS_SAML_SAML_TEST_H

#include <stdbool.h>
#include <stddef.h>

/* One hostile (or simply invalid) metadata document. */
struct hostile {
	const char *name; /* for failure messages and file names */
	char *doc;	  /* owned; may hold NUL bytes */
	size_t len;
	int rc;		  /* what saml_sp_metadata_parse() must return */
	const char *want; /* a part of its one-line error */
};

/*
 * Build the corpus. @cert: base64 of a valid certificate to embed;
 * @port: a loopback port that nothing may connect to (external
 * entities and DTDs point there). Returns the number of documents; the
 * array is freed with hostile_free(). Aborts the test on failure.
 */
size_t hostile_build(struct hostile **out, const char *cert, int port);
void hostile_free(struct hostile *h, size_t n);

/*
 * A valid SP metadata document: entity @entity_id, extra root
 * attributes @root_extra, one signing certificate @cert, and @acs as the
 * endpoints of the SPSSODescriptor. Owned, freed with free().
 */
char *meta_doc(const char *entity_id, const char *root_extra, const char *cert,
	       const char *acs);

/* The whole file @path, NUL-terminated; *@len without the NUL. Aborts. */
char *file_read(const char *path, size_t *len);

/* Write @len bytes of @data to @path. Aborts on failure. */
void file_write(const char *path, const char *data, size_t len);

/* The text of the first ds:X509Certificate in @xml, without blanks. */
char *cert_of(const char *xml);

/* A listening TCP socket on 127.0.0.1; *@port receives its port. */
int listener_open(int *port);

/* Whether a connection is waiting at listener @fd (accepted and closed). */
bool listener_touched(int fd);

/*
 * Generate the pysaml2 metadata (tests/saml/gen_sp_metadata.py, run with
 * $SAML_TEST_PYTHON) into a fresh temporary directory, whose path is
 * returned (static storage). Aborts on failure.
 */
const char *pysaml2_generate(void);

#endif
