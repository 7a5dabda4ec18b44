/*
 * File mode: append each mail to one file that a person (or a test) can
 * read, without ever leaving half a message or losing one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idp/log/log.h"
#include "idp/mail/mail_internal.h"

/* The mode warning is given once per process, not once per mail. */
static atomic_bool warned_mode;

static int
fail(char *err, size_t errlen, const char *what, int e)
{
	(void)snprintf(err, errlen, "%s: %s", what, strerror(e));
	return IDP_ERR_IO;
}

int
mail_file_append(const char *path, const char *msg, size_t len, char *err,
		 size_t errlen)
{
	struct stat st;
	size_t done = 0;
	off_t before;
	int fd, rc;

	/* 0600: the file holds single-use links to citizens' accounts. */
	/* O_NONBLOCK: a FIFO without a reader fails instead of hanging. */
	fd = open(path,
		  O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY |
			  O_NONBLOCK,
		  0600);
	if (fd < 0)
		return fail(err, errlen, "open mail file", errno);
	/*
	 * Other senders (a second idpd on this host) append to the same
	 * file: the lock keeps messages whole, and makes the size we may
	 * have to cut back to our own.
	 */
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			rc = fail(err, errlen, "lock mail file", errno);
			goto out;
		}
	}
	if (fstat(fd, &st) != 0) {
		rc = fail(err, errlen, "stat mail file", errno);
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
		rc = fail(err, errlen, "mail file", EINVAL);
		goto out;
	}
	if ((st.st_mode & 077) != 0 && S_ISREG(st.st_mode) &&
	    !atomic_exchange(&warned_mode, true))
		log_kv(LOG_LEVEL_WARN, "mail_file_mode", "hint",
		       "the mail file is open to group or others; chmod 600 it",
		       NULL);
	before = st.st_size;
	while (done < len) {
		ssize_t w = write(fd, msg + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = fail(err, errlen, "write mail file",
				  w < 0 ? errno : EIO);
			goto undo;
		}
		done += (size_t)w;
	}
	/* Marked sent only once it is on disk. */
	if (fdatasync(fd) != 0 && errno != EINVAL) {
		rc = fail(err, errlen, "sync mail file", errno);
		goto undo;
	}
	rc = 0;
	goto out;
undo:
	/* A device such as /dev/full cannot be cut: nothing to undo there. */
	if (done > 0 && S_ISREG(st.st_mode) && ftruncate(fd, before) != 0)
		log_kv(LOG_LEVEL_ERROR, "mail_file_cut_failed", "error",
		       strerror(errno), "hint",
		       "the mail file ends in a partial message", NULL);
out:
	(void)close(fd); /* also drops the lock */
	return rc;
}
