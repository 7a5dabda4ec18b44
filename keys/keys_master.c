/*
 * The master key file: created once by `idpctl keys init`, read by every
 * command and node that seals or opens a signing key.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idp/common/err.h"
#include "keys/keys.h"

/* Bytes of a path shown in a message. */
#define PATH_SHOWN_MAX 200

/* Write all @len bytes; false with errno on failure. */
static bool
write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Best effort: make the new directory entry durable too. */
static void
sync_dir(const char *path)
{
	char copy[4096];
	int fd;

	if (strlen(path) >= sizeof(copy))
		return;
	strcpy(copy, path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)fsync(fd);
	(void)close(fd);
}

int
keys_master_init(const char *path, char *err, size_t errlen)
{
	uint8_t mk[KEYS_MASTER_KEY_BYTES];
	char p[PATH_SHOWN_MAX + 4];
	int fd, rc = IDP_ERR_IO, e;

	/*
	 * O_EXCL: never replace a master key, and never follow a symbolic
	 * link planted where the key should go.
	 */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		e = errno;
		if (e == EEXIST) {
			(void)idp_errf(
				err, errlen, 0,
				"%s exists; refusing to overwrite a master "
				"key (every key sealed with it would be lost)",
				idp_shown(path, PATH_SHOWN_MAX, p));
			return IDP_ERR_INVALID;
		}
		(void)idp_errf(err, errlen, 0, "cannot create %s: %s",
			       idp_shown(path, PATH_SHOWN_MAX, p), strerror(e));
		return IDP_ERR_IO;
	}
	randombytes_buf(mk, sizeof(mk));
	/* The umask may have taken bits away, never added: make it 0600. */
	if (fchmod(fd, 0600) != 0 || !write_all(fd, mk, sizeof(mk)) ||
	    fsync(fd) != 0) {
		e = errno;
		(void)idp_errf(err, errlen, 0, "cannot write %s: %s",
			       idp_shown(path, PATH_SHOWN_MAX, p), strerror(e));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		e = errno;
		(void)idp_errf(err, errlen, 0, "cannot write %s: %s",
			       idp_shown(path, PATH_SHOWN_MAX, p), strerror(e));
		goto out;
	}
	fd = -1;
	sync_dir(path);
	rc = 0;
out:
	sodium_memzero(mk, sizeof(mk));
	if (fd >= 0)
		(void)close(fd);
	if (rc != 0)
		(void)unlink(path);
	return rc;
}

int
keys_master_load(const char *path, uint8_t mk[KEYS_MASTER_KEY_BYTES], char *err,
		 size_t errlen)
{
	/* One byte more than a key tells a file that grew meanwhile. */
	uint8_t buf[KEYS_MASTER_KEY_BYTES + 1];
	char p[PATH_SHOWN_MAX + 4];
	struct stat st;
	size_t got = 0;
	int fd, rc = IDP_ERR_INVALID, e;

	sodium_memzero(mk, KEYS_MASTER_KEY_BYTES);
	/*
	 * O_NONBLOCK: a FIFO put in its place must not hang us; symbolic
	 * links are followed (secret stores mount files through them).
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		(void)idp_errf(err, errlen, 0,
			       "cannot open the master key file %s: %s%s",
			       idp_shown(path, PATH_SHOWN_MAX, p), strerror(e),
			       e == ENOENT
				       ? " (create it with 'idpctl keys init')"
				       : "");
		return IDP_ERR_IO;
	}
	if (fstat(fd, &st) != 0) {
		e = errno;
		(void)idp_errf(err, errlen, 0,
			       "cannot stat the master key file %s: %s",
			       idp_shown(path, PATH_SHOWN_MAX, p), strerror(e));
		rc = IDP_ERR_IO;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		(void)idp_errf(err, errlen, 0,
			       "the master key file %s is not a regular "
			       "file",
			       idp_shown(path, PATH_SHOWN_MAX, p));
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		(void)idp_errf(
			err, errlen, 0,
			"the master key file %s has mode %04o: group or "
			"others may use it; refusing it (chmod 600 it, and "
			"consider the key exposed)",
			idp_shown(path, PATH_SHOWN_MAX, p),
			(unsigned)(st.st_mode & 07777));
		goto out;
	}
	while (got < sizeof(buf)) {
		ssize_t n = read(fd, buf + got, sizeof(buf) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			(void)idp_errf(err, errlen, 0,
				       "cannot read the master key file %s: %s",
				       idp_shown(path, PATH_SHOWN_MAX, p),
				       strerror(e));
			rc = IDP_ERR_IO;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > KEYS_MASTER_KEY_BYTES) {
		(void)idp_errf(
			err, errlen, 0,
			"the master key file %s is larger than %d bytes; a "
			"master key is exactly %d bytes",
			idp_shown(path, PATH_SHOWN_MAX, p),
			KEYS_MASTER_KEY_BYTES, KEYS_MASTER_KEY_BYTES);
		goto out;
	}
	if (got < KEYS_MASTER_KEY_BYTES) {
		(void)idp_errf(
			err, errlen, 0,
			"the master key file %s holds %zu bytes; a master key "
			"is exactly %d bytes",
			idp_shown(path, PATH_SHOWN_MAX, p), got,
			KEYS_MASTER_KEY_BYTES);
		goto out;
	}
	memcpy(mk, buf, KEYS_MASTER_KEY_BYTES);
	rc = 0;
out:
	sodium_memzero(buf, sizeof(buf));
	(void)close(fd);
	return rc;
}
