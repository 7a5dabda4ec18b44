/*
 * LISTEN and waiting for notifications: how a thread sleeps until
 * PostgreSQL tells it that something changed.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "idp/log/log.h"
#include "idp/store/store_internal.h"
#include "idp/store/store_mail.h"

/* PostgreSQL's identifier length (NAMEDATALEN - 1). */
#define CHANNEL_MAX 63

/*
 * LISTEN takes no parameters and cannot be prepared. The channel is a
 * constant of the code, but it is still checked to be a plain lower-case
 * identifier, so that the text sent can only ever be LISTEN and a name.
 */
static bool
channel_valid(const char *channel)
{
	size_t i;

	if (channel == NULL || channel[0] == '\0' ||
	    (channel[0] >= '0' && channel[0] <= '9'))
		return false;
	for (i = 0; channel[i] != '\0'; i++) {
		char c = channel[i];

		if (i >= CHANNEL_MAX || !((c >= 'a' && c <= 'z') ||
					  (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

int
store_listen(struct store *s, const char *channel)
{
	char sql[16 + CHANNEL_MAX];
	PGresult *res;
	int rc = STORE_ONE_ROW;

	if (!channel_valid(channel) || s->in_tx) {
		/* A constant of the code, or a call in the wrong place. */
		log_kv(LOG_LEVEL_ERROR, "store_listen_bug", "channel", channel,
		       NULL);
		return STORE_HARD_ERROR;
	}
	if (s->conn == NULL || s->lost) {
		store_error_count_add();
		return STORE_HARD_ERROR;
	}
	(void)snprintf(sql, sizeof(sql), "LISTEN %s", channel);
	res = PQexec(s->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = store_fail(s, "listen", res);
	PQclear(res);
	return rc;
}

/*
 * Read what the server sent and take every queued notification. Returns
 * how many there were, or STORE_HARD_ERROR when the connection failed.
 */
static int
consume(struct store *s)
{
	PGnotify *n;
	int count = 0;

	if (PQconsumeInput(s->conn) == 0 || PQstatus(s->conn) != CONNECTION_OK)
		return store_fail(s, "notify_wait", NULL);
	while ((n = PQnotifies(s->conn)) != NULL) {
		count++;
		PQfreemem(n);
	}
	return count;
}

int
store_notify_wait(struct store *s, int wake_fd, int timeout_ms)
{
	struct pollfd fds[2];
	nfds_t nfds = 1;
	int rc, sock;

	if (s->conn == NULL || s->lost) {
		store_error_count_add();
		return STORE_HARD_ERROR;
	}
	/*
	 * Notifications that arrived with the results of earlier statements
	 * are already in libpq's buffer; the socket would not show them.
	 */
	rc = consume(s);
	if (rc != 0)
		return rc > 0 ? STORE_ONE_ROW : rc;
	sock = PQsocket(s->conn);
	if (sock < 0)
		return store_fail(s, "notify_wait", NULL);
	fds[0].fd = sock;
	fds[0].events = POLLIN;
	fds[0].revents = 0;
	if (wake_fd >= 0) {
		fds[1].fd = wake_fd;
		fds[1].events = POLLIN;
		fds[1].revents = 0;
		nfds = 2;
	}
	rc = poll(fds, nfds, timeout_ms < 0 ? 0 : timeout_ms);
	if (rc < 0) {
		/* A signal: the caller loops and waits again. */
		if (errno == EINTR)
			return STORE_NO_ROW;
		log_kv(LOG_LEVEL_ERROR, "store_notify_poll_failed", "error",
		       strerror(errno), NULL);
		return STORE_HARD_ERROR;
	}
	if (rc == 0 || fds[0].revents == 0)
		return STORE_NO_ROW;
	rc = consume(s);
	if (rc < 0)
		return rc;
	return rc > 0 ? STORE_ONE_ROW : STORE_NO_ROW;
}
