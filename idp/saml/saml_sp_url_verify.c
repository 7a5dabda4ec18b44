/*
 * Where the IdP may send a citizen or fetch metadata from.
 */
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "idp/saml/saml_internal.h"

/*
 * Plain http only to the own machine: the demo and the tests run SPs on
 * loopback without TLS. Anywhere else an assertion (a citizen's
 * identity) in the clear, or metadata an on-path attacker could swap,
 * is not acceptable.
 */
static bool
loopback(const char *host)
{
	return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0 ||
	       strcasecmp(host, "localhost") == 0;
}

int
saml_sp_url_verify(const char *url, const char *what, char *err, size_t errlen)
{
	char shown[SAML_SHOWN_MAX + 4];
	char *scheme = NULL, *host = NULL, *part = NULL;
	CURLU *u = NULL;
	size_t len;
	int rc = IDP_ERR_INVALID;

	len = strnlen(url, SAML_SP_URL_MAX + 1);
	if (len == 0)
		return idp_errf(err, errlen, rc, "%s is empty", what);
	if (len > SAML_SP_URL_MAX)
		return idp_errf(err, errlen, rc, "%s is longer than %d bytes",
				 what, SAML_SP_URL_MAX);
	/*
	 * URLs are ASCII (RFC 3986); blanks, control characters and raw
	 * UTF-8 would be read differently by different parsers.
	 */
	for (size_t i = 0; i < len; i++)
		if (url[i] <= 0x20 || url[i] >= 0x7f)
			return idp_errf(err, errlen, rc,
					 "%s '%s' holds a blank, control or "
					 "non-ASCII character",
					 what, idp_shown(url, SAML_SHOWN_MAX, shown));
	u = curl_url();
	if (u == NULL)
		return IDP_ERR_NOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		rc = idp_errf(err, errlen, rc,
			       "%s '%s' is not an absolute URL", what,
			       idp_shown(url, SAML_SHOWN_MAX, shown));
		goto out;
	}
	if (strcasecmp(scheme, "https") != 0 &&
	    !(strcasecmp(scheme, "http") == 0 && loopback(host))) {
		rc = idp_errf(err, errlen, rc,
			       "%s '%s' is not https (http is allowed only "
			       "to 127.0.0.1, [::1] and localhost)",
			       what, idp_shown(url, SAML_SHOWN_MAX, shown));
		goto out;
	}
	/* The only way to tell the URL libcurl saw from the one we did. */
	if (strncasecmp(url, scheme, strlen(scheme)) != 0 ||
	    strncmp(url + strlen(scheme), "://", 3) != 0) {
		rc = idp_errf(err, errlen, rc, "%s '%s' must start with %s://",
			       what, idp_shown(url, SAML_SHOWN_MAX, shown), scheme);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK) {
		rc = idp_errf(err, errlen, rc,
			       "%s '%s' holds a user name or password", what,
			       idp_shown(url, SAML_SHOWN_MAX, shown));
		goto out;
	}
	if (curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK) {
		rc = idp_errf(err, errlen, rc, "%s '%s' holds a fragment",
			       what, idp_shown(url, SAML_SHOWN_MAX, shown));
		goto out;
	}
	rc = 0;
out:
	curl_free(part);
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}
