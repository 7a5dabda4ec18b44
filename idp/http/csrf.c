/*
 * CSRF protection: a double-submit cookie with a keyed derivation, so that
 * it needs no state on the server and any node can check a token.
 *
 * The browser holds a random 256-bit key in the cookie HTTP_CSRF_COOKIE
 * (base64url, HttpOnly, SameSite=Lax, and __Host- prefixed and Secure under
 * https). Every form carries the token
 *     base64url(BLAKE2b-256(key = cookie bytes, "servicekonto csrf v1"))
 * in field HTTP_CSRF_FIELD, and a POST to a route with HTTP_ROUTE_CSRF must
 * send the token that belongs to its cookie. A page on another site can make
 * the browser send the cookie but can neither read it nor compute the token
 * from anything it can read. With the __Host- prefix no sibling subdomain can
 * plant a cookie of its own choosing either; over plain http (development
 * only) one could, which is the known limit of double-submit cookies.
 *
 * The key is rotated at login and logout (http_csrf_rotate()), so a token
 * seen before login is useless after it.
 */
#include <sodium.h>
#include <string.h>

#include "idp/http/http_internal.h"
#include "idp/log/log.h"

#define CSRF_KEY_BYTES 32
#define CSRF_MAC_BYTES 32

/* Domain separation: this key derives nothing else. */
static const char csrf_context[] = "servicekonto csrf v1";

_Static_assert(
	sodium_base64_ENCODED_LEN(CSRF_KEY_BYTES,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING) ==
		HTTP_CSRF_TOKEN_LEN + 1,
	"cookie value and token are both HTTP_CSRF_TOKEN_LEN long");
_Static_assert(CSRF_MAC_BYTES == CSRF_KEY_BYTES, "same encoded length");

static void
token_derive(const uint8_t key[CSRF_KEY_BYTES],
	     char out[HTTP_CSRF_TOKEN_LEN + 1])
{
	uint8_t mac[CSRF_MAC_BYTES];

	/* BLAKE2b keyed with 32 bytes is a MAC; it cannot fail. */
	(void)crypto_generichash(mac, sizeof(mac),
				 (const unsigned char *)csrf_context,
				 sizeof(csrf_context) - 1, key, CSRF_KEY_BYTES);
	sodium_bin2base64(out, HTTP_CSRF_TOKEN_LEN + 1, mac, sizeof(mac),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(mac, sizeof(mac));
}

/*
 * The key from the request's CSRF cookie: exactly the canonical base64url
 * of 32 bytes, anything else counts as no cookie.
 */
static bool
cookie_key(const struct http_request *req, uint8_t key[CSRF_KEY_BYTES])
{
	const char *v = http_request_cookie(req, HTTP_CSRF_COOKIE);
	const char *end = NULL;
	size_t n = 0;

	if (v == NULL || strlen(v) != HTTP_CSRF_TOKEN_LEN)
		return false;
	if (sodium_base642bin(key, CSRF_KEY_BYTES, v, HTTP_CSRF_TOKEN_LEN, NULL,
			      &n, &end,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n != CSRF_KEY_BYTES || end != v + HTTP_CSRF_TOKEN_LEN) {
		sodium_memzero(key, CSRF_KEY_BYTES);
		return false;
	}
	return true;
}

/* A new key: set as cookie on the reply, its token kept on the request. */
static void
cookie_new(struct http_request *req)
{
	uint8_t key[CSRF_KEY_BYTES];
	char value[HTTP_CSRF_TOKEN_LEN + 1];

	randombytes_buf(key, sizeof(key));
	sodium_bin2base64(value, sizeof(value), key, sizeof(key),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	/*
	 * A session cookie: it ends with the browser session, and a form
	 * left open that long is reloaded anyway.
	 */
	http_reply_cookie(req, HTTP_CSRF_COOKIE, value, 0, 0);
	token_derive(key, req->csrf_token);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(value, sizeof(value));
}

const char *
http_request_csrf(struct http_request *req)
{
	uint8_t key[CSRF_KEY_BYTES];

	if (req->csrf_token[0] != '\0')
		return req->csrf_token;
	if (cookie_key(req, key)) {
		token_derive(key, req->csrf_token);
		sodium_memzero(key, sizeof(key));
	} else {
		cookie_new(req);
	}
	return req->csrf_token;
}

void
http_csrf_rotate(struct http_request *req)
{
	cookie_new(req);
}

bool
http_csrf_verify(struct http_request *req)
{
	const char *field = http_form_peek(&req->form, HTTP_CSRF_FIELD);
	uint8_t key[CSRF_KEY_BYTES];
	char expect[HTTP_CSRF_TOKEN_LEN + 1];
	const char *why = NULL;

	if (!cookie_key(req, key))
		why = "no_cookie";
	else if (field == NULL)
		why = "no_field";
	else if (strlen(field) != HTTP_CSRF_TOKEN_LEN)
		why = "malformed";
	if (why == NULL) {
		token_derive(key, expect);
		/* The length is public; the bytes are compared in constant
		 * time. */
		if (sodium_memcmp(expect, field, HTTP_CSRF_TOKEN_LEN) == 0)
			memcpy(req->csrf_token, expect, sizeof(expect));
		else
			why = "mismatch";
		sodium_memzero(expect, sizeof(expect));
	}
	sodium_memzero(key, sizeof(key));
	if (why == NULL)
		return true;
	/* A peer fault (or an old tab): info, and no token in the log. */
	log_kv(LOG_LEVEL_INFO, "csrf_failed", "request_id", req->id, "route",
	       req->route->name, "reason", why, NULL);
	return false;
}
