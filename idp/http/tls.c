/*
 * idpd's own TLS: reading the certificate chain and private key named by
 * [server] tls_certificate_file and tls_key_file, once at startup, and
 * checking that libmicrohttpd (GnuTLS) accepts them together with
 * [server] tls_priorities, so that a bad file stops the start with one
 * line that says which and why, before anything else happens.
 *
 * libmicrohttpd 0.9.75 keeps only the pointers we pass and hands the PEM
 * text to gnutls_certificate_set_x509_key_mem() inside MHD_start_daemon(),
 * which parses it into GnuTLS's own credentials; it never reads the text
 * again. So the caller frees (and we wipe) our copy of the key right after
 * the server started. GnuTLS's parsed key stays in memory for the life of
 * the daemon: it has to, to sign handshakes.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idp/common/err.h"
#include "idp/http/http_internal.h"

/* Bytes of a path shown in a message. */
#define PATH_SHOWN_MAX 200

static void
wipe_free(char *p, size_t len)
{
	if (p == NULL)
		return;
	sodium_memzero(p, len);
	free(p);
}

/*
 * Read the whole of @path (at most @max bytes) into a new NUL-terminated
 * buffer *@out of *@len bytes. @key: the private key, which group and
 * others must not be able to use. @name is the config key, for messages.
 * Returns 0, or IDP_ERR_IO / IDP_ERR_INVALID / IDP_ERR_TOO_LARGE with
 * one line in @err.
 */
static int
read_pem(const char *name, const char *path, size_t max, bool key, char **out,
	 size_t *len, char *err, size_t errlen)
{
	char p[PATH_SHOWN_MAX + 4];
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, e, rc = IDP_ERR_INVALID;

	*out = NULL;
	*len = 0;
	/*
	 * O_NONBLOCK: a FIFO put in its place must not hang the start.
	 * Symbolic links are followed: certbot's live/ directory and
	 * systemd credentials are made of them.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		(void)idp_errf(err, errlen, 0,
			       "[server] %s: cannot open %s: %s", name,
			       idp_shown(path, PATH_SHOWN_MAX, p), strerror(e));
		return IDP_ERR_IO;
	}
	if (fstat(fd, &st) != 0) {
		e = errno;
		(void)idp_errf(err, errlen, 0,
			       "[server] %s: cannot stat %s: %s", name,
			       idp_shown(path, PATH_SHOWN_MAX, p), strerror(e));
		rc = IDP_ERR_IO;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		(void)idp_errf(err, errlen, 0,
			       "[server] %s: %s is not a regular file", name,
			       idp_shown(path, PATH_SHOWN_MAX, p));
		goto out;
	}
	if (key && (st.st_mode & 077) != 0) {
		(void)idp_errf(
			err, errlen, 0,
			"[server] %s: the private key file %s has mode %04o: "
			"group or others may use it; refusing it (chmod 600 "
			"it, and consider the key exposed)",
			name, idp_shown(path, PATH_SHOWN_MAX, p),
			(unsigned)(st.st_mode & 07777));
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		(void)idp_errf(
			err, errlen, 0,
			"[server] %s: %s is larger than %zu bytes; not a PEM "
			"file of ours",
			name, idp_shown(path, PATH_SHOWN_MAX, p), max);
		rc = IDP_ERR_TOO_LARGE;
		goto out;
	}
	/* One byte more than allowed tells a file that grew meanwhile. */
	buf = malloc(max + 2);
	if (buf == NULL) {
		(void)idp_errf(err, errlen, 0, "[server] %s: out of memory",
			       name);
		rc = IDP_ERR_NOMEM;
		goto out;
	}
	while (got < max + 1) {
		ssize_t n = read(fd, buf + got, max + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			(void)idp_errf(err, errlen, 0,
				       "[server] %s: cannot read %s: %s", name,
				       idp_shown(path, PATH_SHOWN_MAX, p),
				       strerror(e));
			rc = IDP_ERR_IO;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (got > max) {
		(void)idp_errf(err, errlen, 0,
			       "[server] %s: %s is larger than %zu bytes", name,
			       idp_shown(path, PATH_SHOWN_MAX, p), max);
		rc = IDP_ERR_TOO_LARGE;
		goto out;
	}
	/* GnuTLS is handed a C string: a NUL would cut it short. */
	if (memchr(buf, '\0', got) != NULL) {
		(void)idp_errf(
			err, errlen, 0,
			"[server] %s: %s contains NUL bytes: not a PEM file",
			name, idp_shown(path, PATH_SHOWN_MAX, p));
		goto out;
	}
	*out = buf;
	*len = got;
	buf = NULL;
	rc = 0;
out:
	wipe_free(buf, max + 2);
	(void)close(fd);
	return rc;
}

/* The PEM armour we need, so that a wrong file gets a plain answer. */
static int
check_armour(const struct cfg *cfg, const struct http_tls *tls, char *err,
	     size_t errlen)
{
	char p[PATH_SHOWN_MAX + 4];

	if (strstr(tls->cert, "-----BEGIN CERTIFICATE-----") == NULL) {
		(void)idp_errf(err, errlen, 0,
			       "[server] tls_certificate_file: %s holds no PEM "
			       "certificate (-----BEGIN CERTIFICATE-----)",
			       idp_shown(cfg->tls_certificate_file,
					 PATH_SHOWN_MAX, p));
		return IDP_ERR_INVALID;
	}
	/*
	 * The certificate file is not checked for its mode; a private key
	 * in it (a "combined" PEM) would be readable by whoever may read
	 * certificates.
	 */
	if (strstr(tls->cert, "PRIVATE KEY-----") != NULL) {
		(void)idp_errf(
			err, errlen, 0,
			"[server] tls_certificate_file: %s contains a private "
			"key; keep the key only in tls_key_file (mode 0600)",
			idp_shown(cfg->tls_certificate_file, PATH_SHOWN_MAX,
				  p));
		return IDP_ERR_INVALID;
	}
	if (strstr(tls->key, "ENCRYPTED") != NULL) {
		(void)idp_errf(
			err, errlen, 0,
			"[server] tls_key_file: %s is encrypted; idpd cannot "
			"ask for a passphrase: store the key unencrypted, mode "
			"0600, readable only by idpd's user",
			idp_shown(cfg->tls_key_file, PATH_SHOWN_MAX, p));
		return IDP_ERR_INVALID;
	}
	if (strstr(tls->key, "-----BEGIN ") == NULL ||
	    strstr(tls->key, "PRIVATE KEY-----") == NULL) {
		(void)idp_errf(
			err, errlen, 0,
			"[server] tls_key_file: %s holds no PEM private key "
			"(-----BEGIN ... PRIVATE KEY-----)",
			idp_shown(cfg->tls_key_file, PATH_SHOWN_MAX, p));
		return IDP_ERR_INVALID;
	}
	return 0;
}

/* The first message libmicrohttpd logs while we try the credentials. */
struct first_msg {
	char text[256];
	bool set;
};

__attribute__((format(printf, 2, 0))) static void
capture_log(void *cls, const char *fmt, va_list ap)
{
	struct first_msg *m = cls;

	if (m->set)
		return;
	vsnprintf(m->text, sizeof(m->text), fmt, ap);
	m->text[strcspn(m->text, "\r\n")] = '\0';
	m->set = true;
}

/* No request ever reaches the trial daemon: it has no socket. */
static enum MHD_Result
refuse_cb(void *cls, struct MHD_Connection *con, const char *url,
	  const char *method, const char *version, const char *upload_data,
	  size_t *upload_data_size, void **con_cls)
{
	(void)cls;
	(void)con;
	(void)url;
	(void)method;
	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)con_cls;
	return MHD_NO;
}

/*
 * Let libmicrohttpd and GnuTLS parse the certificate chain, the key
 * (and that they belong together) and the priority string, in a daemon
 * that opens no socket and runs no thread.
 */
static int
try_credentials(const struct cfg *cfg, const struct http_tls *tls, char *err,
		size_t errlen)
{
	struct first_msg msg = {.set = false};
	struct MHD_Daemon *d;

	d = MHD_start_daemon(
		MHD_USE_TLS | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG, 0,
		NULL, NULL, refuse_cb, NULL, MHD_OPTION_EXTERNAL_LOGGER,
		capture_log, &msg, MHD_OPTION_HTTPS_MEM_KEY, tls->key,
		MHD_OPTION_HTTPS_MEM_CERT, tls->cert,
		MHD_OPTION_HTTPS_PRIORITIES, cfg->tls_priorities,
		MHD_OPTION_END);
	if (d != NULL) {
		MHD_stop_daemon(d);
		return 0;
	}
	if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
		(void)idp_errf(
			err, errlen, 0,
			"[server] tls_certificate_file: this libmicrohttpd "
			"has no TLS support; run idpd behind a reverse proxy");
		return IDP_ERR_INVALID;
	}
	/* Not ours to judge which file GnuTLS disliked: say what it said. */
	(void)idp_errf(err, errlen, 0,
		       "[server] tls_certificate_file, tls_key_file or "
		       "tls_priorities not accepted by GnuTLS: %s",
		       msg.set ? msg.text : "no reason given");
	return IDP_ERR_INVALID;
}

int
http_tls_load(const struct cfg *cfg, struct http_tls **out, char *err,
	      size_t errlen)
{
	struct http_tls *tls = NULL;
	int rc;

	*out = NULL;
	if (!cfg->tls)
		return 0;
	tls = calloc(1, sizeof(*tls));
	if (tls == NULL) {
		(void)idp_errf(err, errlen, 0, "[server] tls: out of memory");
		return IDP_ERR_NOMEM;
	}
	rc = read_pem("tls_certificate_file", cfg->tls_certificate_file,
		      HTTP_TLS_CERT_FILE_MAX, false, &tls->cert, &tls->cert_len,
		      err, errlen);
	if (rc != 0)
		goto out;
	rc = read_pem("tls_key_file", cfg->tls_key_file, HTTP_TLS_KEY_FILE_MAX,
		      true, &tls->key, &tls->key_len, err, errlen);
	if (rc != 0)
		goto out;
	rc = check_armour(cfg, tls, err, errlen);
	if (rc != 0)
		goto out;
	rc = try_credentials(cfg, tls, err, errlen);
	if (rc != 0)
		goto out;
	*out = tls;
	tls = NULL;
out:
	http_tls_free(tls);
	return rc;
}

void
http_tls_free(struct http_tls *tls)
{
	if (tls == NULL)
		return;
	/* The certificate is public; wiped all the same, it costs nothing. */
	wipe_free(tls->cert, tls->cert_len);
	wipe_free(tls->key, tls->key_len);
	free(tls);
}
