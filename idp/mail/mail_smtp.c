/*
 * SMTP delivery with libcurl: one easy handle per sender thread, so the
 * connection to the server is reused from one mail to the next.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idp/log/log.h"
#include "idp/mail/mail_internal.h"

/* Seconds to open the connection, and for the whole transfer. */
#define SMTP_CONNECT_TIMEOUT_S 10L
#define SMTP_TIMEOUT_S	       60L

struct mail_smtp {
	const struct cfg *cfg;
	const atomic_bool *stop;
	CURL *curl;
};

/* The message being uploaded. */
struct upload {
	const char *data;
	size_t len;
	size_t pos;
};

static size_t
read_cb(char *buf, size_t size, size_t nitems, void *cls)
{
	struct upload *u = cls;
	size_t n = size * nitems;

	if (n > u->len - u->pos)
		n = u->len - u->pos;
	memcpy(buf, u->data + u->pos, n);
	u->pos += n;
	return n;
}

/* Called about once a second and on progress: abort when stopping. */
static int
progress_cb(void *cls, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
	    curl_off_t ulnow)
{
	const struct mail_smtp *c = cls;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return atomic_load(c->stop) ? 1 : 0;
}

struct mail_smtp *
mail_smtp_new(const struct cfg *cfg, const atomic_bool *stop)
{
	struct mail_smtp *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->cfg = cfg;
	c->stop = stop;
	c->curl = curl_easy_init();
	if (c->curl == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void
mail_smtp_free(struct mail_smtp *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	free(c);
}

/*
 * The one place that decides how we talk to the server. curl_easy_reset()
 * before each mail keeps the open connection but no option of the last
 * transfer.
 */
static CURLcode
setup(struct mail_smtp *c, const char *from_addr, struct curl_slist *rcpt,
      struct upload *up, char *errbuf)
{
	const struct cfg *cfg = c->cfg;
	CURL *h = c->curl;
	CURLcode rc = CURLE_OK;
	char from[MAIL_ADDRESS_MAX + 3];

	(void)snprintf(from, sizeof(from), "<%s>", from_addr);
	curl_easy_reset(h);
#define SET(opt, val)                                                          \
	do {                                                                   \
		if (rc == CURLE_OK)                                            \
			rc = curl_easy_setopt(h, opt, val);                    \
	} while (0)
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_URL, cfg->mail_smtp_url);
	/* Whatever the URL says, only SMTP: never a redirect elsewhere. */
	SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_CONNECTTIMEOUT, SMTP_CONNECT_TIMEOUT_S);
	SET(CURLOPT_TIMEOUT, SMTP_TIMEOUT_S);
	/*
	 * CURLUSESSL_ALL makes STARTTLS mandatory: a server (or a man in
	 * the middle) that does not offer it fails the transfer, it never
	 * falls back to clear text. smtps:// is TLS from the first byte.
	 */
	if (strncmp(cfg->mail_smtp_url, "smtp://", 7) == 0)
		SET(CURLOPT_USE_SSL, cfg->mail_smtp_starttls
					     ? (long)CURLUSESSL_ALL
					     : (long)CURLUSESSL_NONE);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (cfg->mail_smtp_user[0] != '\0') {
		SET(CURLOPT_USERNAME, cfg->mail_smtp_user);
		SET(CURLOPT_PASSWORD, cfg->mail_smtp_password);
	}
	SET(CURLOPT_MAIL_FROM, from);
	SET(CURLOPT_MAIL_RCPT, rcpt);
	SET(CURLOPT_UPLOAD, 1L);
	SET(CURLOPT_READFUNCTION, read_cb);
	SET(CURLOPT_READDATA, up);
	SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)up->len);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, progress_cb);
	SET(CURLOPT_XFERINFODATA, c);
#undef SET
	return rc;
}

/*
 * libcurl's error texts name the step and the server's reply code ("RCPT
 * failed: 550"), never the password. Checked anyway, since a message that
 * did quote it would end up in the log and the table.
 */
static void
scrub(char *text, const char *password)
{
	if (password != NULL && password[0] != '\0' &&
	    strstr(text, password) != NULL)
		(void)snprintf(text, CURL_ERROR_SIZE, "%s",
			       "(error text withheld: it quoted the password)");
}

int
mail_smtp_send(struct mail_smtp *c, const char *from_addr, const char *to,
	       const char *msg, size_t len, char *err, size_t errlen)
{
	char errbuf[CURL_ERROR_SIZE];
	struct upload up = {msg, len, 0};
	struct curl_slist *rcpt;
	const char *what;
	long code = 0;
	CURLcode rc;

	errbuf[0] = '\0';
	rcpt = curl_slist_append(NULL, to);
	if (rcpt == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return IDP_ERR_IO;
	}
	rc = setup(c, from_addr, rcpt, &up, errbuf);
	if (rc == CURLE_OK)
		rc = curl_easy_perform(c->curl);
	/* The handle points at these; unhook before they go. */
	(void)curl_easy_setopt(c->curl, CURLOPT_MAIL_RCPT,
			       (struct curl_slist *)NULL);
	(void)curl_easy_setopt(c->curl, CURLOPT_READDATA, (void *)NULL);
	(void)curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, (char *)NULL);
	curl_slist_free_all(rcpt);
	if (rc == CURLE_OK)
		return 0;
	(void)curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &code);
	scrub(errbuf, c->cfg->mail_smtp_password);
	/*
	 * errbuf details curl_easy_strerror() and often repeats it ("Failed
	 * to connect ...: Couldn't connect to server"); the summary is added
	 * where it does not ("STARTTLS not supported.").
	 */
	what = curl_easy_strerror(rc);
	if (errbuf[0] == '\0')
		(void)snprintf(err, errlen, "%s", what);
	else if (strstr(errbuf, what) != NULL)
		(void)snprintf(err, errlen, "%s", errbuf);
	else
		(void)snprintf(err, errlen, "%s: %s", what, errbuf);
	if (code != 0) {
		size_t n = strlen(err);

		(void)snprintf(err + n, errlen - n, " (last SMTP reply %ld)",
			       code);
	}
	return rc == CURLE_ABORTED_BY_CALLBACK ? IDP_ERR_UNAVAILABLE
					       : IDP_ERR_IO;
}
