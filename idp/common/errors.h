/*
 * The one table of user-visible failures. Each has a stable name (used in
 * logs and tests), an HTTP status and page texts in German and English.
 * Handlers name an error; they never compose error messages themselves.
 * Later issues add the SAML StatusCode to return for each.
 */
#ifndef IDP_COMMON_ERRORS_H
#define IDP_COMMON_ERRORS_H

enum idp_error {
	IDP_E_BAD_REQUEST,
	IDP_E_FORBIDDEN,
	IDP_E_CSRF,
	IDP_E_NOT_FOUND,
	IDP_E_METHOD_NOT_ALLOWED,
	IDP_E_BODY_TOO_LARGE,
	IDP_E_URI_TOO_LONG,
	IDP_E_UNSUPPORTED_MEDIA_TYPE,
	IDP_E_HEADERS_TOO_LARGE,
	IDP_E_INTERNAL,
	IDP_E_UNAVAILABLE,
	IDP_E_NOT_READY,
};
#define IDP_E_COUNT (IDP_E_NOT_READY + 1)

struct idp_error_info {
	const char *name;     /* stable, lower_snake_case */
	unsigned status;      /* HTTP status */
	const char *title_de; /* page heading */
	const char *text_de;  /* one or two sentences for the citizen */
	const char *title_en;
	const char *text_en;
};

/* Never NULL for a valid enum value. */
const struct idp_error_info *idp_error_info(enum idp_error e);

#endif
