/*
 * Downloading SP metadata with libcurl.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "idp/saml/saml_internal.h"

struct body {
	char *buf;
	size_t len;
	bool over; /* the server sent more than the limit */
};

/*
 * Keep at most SAML_SP_METADATA_MAX bytes; one more aborts the transfer
 * (returning less than given makes libcurl stop with CURLE_WRITE_ERROR),
 * so a server that sends without end costs no more than the limit.
 */
static size_t
body_write(char *data, size_t size, size_t nmemb, void *cls)
{
	struct body *b = cls;
	size_t n = size * nmemb;

	if (n > SAML_SP_METADATA_MAX - b->len) {
		b->over = true;
		return 0;
	}
	memcpy(b->buf + b->len, data, n);
	b->len += n;
	return n;
}

int
saml_sp_metadata_fetch(const char *url, char **xml, size_t *len, char *err,
		       size_t errlen)
{
	char cerr[CURL_ERROR_SIZE] = "", shown[SAML_SHOWN_MAX + 4];
	struct body b = {0};
	CURL *c = NULL;
	CURLcode cc = CURLE_OK;
	long status = 0;
	int rc;

	*xml = NULL;
	*len = 0;
	rc = saml_sp_url_verify(url, "the metadata URL", err, errlen);
	if (rc != 0)
		return rc;
	rc = saml_init();
	if (rc != 0)
		return idp_errf(err, errlen, rc, "cannot initialise libcurl");
	b.buf = malloc(SAML_SP_METADATA_MAX + 1);
	c = curl_easy_init();
	if (b.buf == NULL || c == NULL) {
		rc = idp_errf(err, errlen, IDP_ERR_NOMEM, "out of memory");
		goto out;
	}
#define SET(opt, val)                                                          \
	do {                                                                   \
		if (cc == CURLE_OK)                                            \
			cc = curl_easy_setopt(c, (opt), (val));                \
	} while (0)
	SET(CURLOPT_URL, url);
	/*
	 * http is allowed for the first request only because
	 * saml_sp_url_verify() has limited it to loopback; a redirect may
	 * only lead to https, so a public server cannot send us to plain
	 * http or to a local address over http.
	 */
	SET(CURLOPT_PROTOCOLS_STR, "https,http");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, (long)SAML_SP_FETCH_REDIRECTS_MAX);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SET(CURLOPT_TIMEOUT_MS, (long)SAML_SP_FETCH_TIMEOUT_MS);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)SAML_SP_FETCH_CONNECT_TIMEOUT_MS);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)SAML_SP_METADATA_MAX);
	/* Loopback never through a proxy from the environment. */
	SET(CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_USERAGENT, "servicekonto-idp/" IDP_VERSION);
	SET(CURLOPT_WRITEFUNCTION, body_write);
	SET(CURLOPT_WRITEDATA, &b);
	SET(CURLOPT_ERRORBUFFER, cerr);
#undef SET
	if (cc != CURLE_OK) {
		rc = idp_errf(err, errlen, IDP_ERR_INTERNAL,
			       "libcurl refused an option: %s",
			       curl_easy_strerror(cc));
		goto out;
	}
	cc = curl_easy_perform(c);
	(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (b.over || cc == CURLE_FILESIZE_EXCEEDED) {
		rc = idp_errf(err, errlen, IDP_ERR_TOO_LARGE,
			       "metadata is larger than %d bytes",
			       SAML_SP_METADATA_MAX);
		goto out;
	}
	if (cc != CURLE_OK) {
		rc = idp_errf(err, errlen, IDP_ERR_IO, "cannot fetch '%s': %s",
			       idp_shown(url, SAML_SHOWN_MAX, shown),
			       cerr[0] != '\0' ? cerr : curl_easy_strerror(cc));
		goto out;
	}
	if (status != 200) {
		rc = idp_errf(err, errlen, IDP_ERR_IO,
			       "cannot fetch '%s': HTTP status %ld",
			       idp_shown(url, SAML_SHOWN_MAX, shown), status);
		goto out;
	}
	b.buf[b.len] = '\0';
	*xml = b.buf;
	*len = b.len;
	b.buf = NULL;
	rc = 0;
out:
	curl_easy_cleanup(c);
	free(b.buf);
	return rc;
}
