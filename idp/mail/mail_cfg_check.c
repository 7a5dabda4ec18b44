/*
 * The [mail] keys that cfg_load() accepts as plain strings, checked for
 * what the mail code needs before idpd opens its socket.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "idp/mail/mail_internal.h"

/* Hosts where credentials without TLS do not leave the machine. */
static bool
is_loopback(const char *host)
{
	return strcmp(host, "localhost") == 0 ||
	       strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0;
}

/* Whether URL part @what is present in @u. */
static bool
has_part(CURLU *u, CURLUPart what)
{
	char *v = NULL;
	bool has = curl_url_get(u, what, &v, 0) == CURLUE_OK && v != NULL &&
		   v[0] != '\0';

	curl_free(v);
	return has;
}

/*
 * The URL itself is never quoted in @err: an operator who put a password
 * into it would find it in the log.
 */
static int
check_url(const struct cfg *cfg, char *err, size_t errlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int rc = IDP_ERR_INVALID;

	if (u == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return IDP_ERR_NOMEM;
	}
	if (curl_url_set(u, CURLUPART_URL, cfg->mail_smtp_url, 0) !=
	    CURLUE_OK) {
		(void)snprintf(err, errlen,
			       "[mail] smtp_url: not a valid URL "
			       "(expected smtp://host:port or "
			       "smtps://host:port)");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "smtp") != 0 && strcmp(scheme, "smtps") != 0)) {
		(void)snprintf(err, errlen,
			       "[mail] smtp_url: must start with smtp:// or "
			       "smtps://");
		goto out;
	}
	if (has_part(u, CURLUPART_USER) || has_part(u, CURLUPART_PASSWORD) ||
	    has_part(u, CURLUPART_OPTIONS)) {
		(void)snprintf(err, errlen,
			       "[mail] smtp_url: must not hold a user or "
			       "password; set smtp_user and smtp_password "
			       "(they are kept out of logs)");
		goto out;
	}
	if (has_part(u, CURLUPART_QUERY) || has_part(u, CURLUPART_FRAGMENT)) {
		(void)snprintf(err, errlen,
			       "[mail] smtp_url: must not have a query or "
			       "fragment");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    host[0] == '\0') {
		(void)snprintf(err, errlen, "[mail] smtp_url: has no host");
		goto out;
	}
	if (cfg->mail_smtp_user[0] != '\0' && strcmp(scheme, "smtp") == 0 &&
	    !cfg->mail_smtp_starttls && !is_loopback(host)) {
		(void)snprintf(err, errlen,
			       "[mail] smtp_starttls: is off while smtp_user "
			       "is set, so the password would cross the "
			       "network in clear text; turn smtp_starttls on "
			       "or use smtps://");
		goto out;
	}
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

int
mail_cfg_check(const struct cfg *cfg, char *err, size_t errlen)
{
	char addr[MAIL_ADDRESS_MAX + 1], name[MAIL_NAME_MAX + 1];
	const char *why;

	if (mail_from_parse(cfg->mail_from, addr, name, &why) != 0) {
		(void)snprintf(err, errlen, "[mail] from: %s", why);
		return IDP_ERR_INVALID;
	}
	if (!cfg->mail_smtp) {
		if (cfg->mail_file == NULL || cfg->mail_file[0] == '\0') {
			(void)snprintf(err, errlen, "[mail] file: is empty");
			return IDP_ERR_INVALID;
		}
		return 0;
	}
	return check_url(cfg, err, errlen);
}
