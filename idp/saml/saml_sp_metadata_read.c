/*
 * Metadata from a file or URL argument: which one it is, and reading the
 * file with a bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idp/saml/saml_internal.h"

bool
saml_sp_source_is_url(const char *source)
{
	return strncasecmp(source, "https://", 8) == 0 ||
	       strncasecmp(source, "http://", 7) == 0;
}

int
saml_sp_metadata_read(const char *path, char **xml, size_t *len, char *err,
		      size_t errlen)
{
	char shown[SAML_SHOWN_MAX + 4];
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int fd, rc;

	*xml = NULL;
	*len = 0;
	/* O_NONBLOCK: a FIFO given by mistake must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return idp_errf(err, errlen, IDP_ERR_IO,
				 "cannot open the metadata file '%s': %s",
				 idp_shown(path, SAML_SHOWN_MAX, shown), strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = idp_errf(err, errlen, IDP_ERR_IO,
			       "the metadata file '%s' is not a regular file",
			       idp_shown(path, SAML_SHOWN_MAX, shown));
		goto out;
	}
	/* One byte over the limit tells "too large" from "just fits". */
	buf = malloc(SAML_SP_METADATA_MAX + 2);
	if (buf == NULL) {
		rc = idp_errf(err, errlen, IDP_ERR_NOMEM, "out of memory");
		goto out;
	}
	while (n < SAML_SP_METADATA_MAX + 1) {
		ssize_t r = read(fd, buf + n, SAML_SP_METADATA_MAX + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = idp_errf(err, errlen, IDP_ERR_IO,
				       "cannot read the metadata file '%s': "
				       "%s",
				       idp_shown(path, SAML_SHOWN_MAX, shown),
				       strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > SAML_SP_METADATA_MAX) {
		rc = idp_errf(err, errlen, IDP_ERR_TOO_LARGE,
			       "metadata is larger than %d bytes",
			       SAML_SP_METADATA_MAX);
		goto out;
	}
	buf[n] = '\0';
	*xml = buf;
	*len = n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	(void)close(fd);
	return rc;
}
