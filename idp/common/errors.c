#include "idp/common/errors.h"

/*
 * Texts are plain (no markup); the page layout escapes them. German first:
 * it is the default language of the citizen pages.
 */
static const struct idp_error_info table[IDP_E_COUNT] = {
	[IDP_E_BAD_REQUEST] = {
		"bad_request", 400,
		"Ungültige Anfrage",
		"Die Anfrage konnte nicht verarbeitet werden.",
		"Bad request",
		"The request could not be processed.",
	},
	[IDP_E_FORBIDDEN] = {
		"forbidden", 403,
		"Zugriff verweigert",
		"Diese Aktion ist nicht erlaubt. Bitte laden Sie die Seite "
		"neu und versuchen Sie es noch einmal.",
		"Access denied",
		"This action is not allowed. Please reload the page and try "
		"again.",
	},
	[IDP_E_CSRF] = {
		"csrf_failed", 403,
		"Formular abgelaufen",
		"Das Formular ist abgelaufen oder wurde nicht von dieser "
		"Seite gesendet. Bitte laden Sie die Seite neu und versuchen "
		"Sie es noch einmal.",
		"Form expired",
		"The form has expired or was not sent from this site. Please "
		"reload the page and try again.",
	},
	[IDP_E_NOT_FOUND] = {
		"not_found", 404,
		"Seite nicht gefunden",
		"Die angeforderte Seite gibt es nicht.",
		"Page not found",
		"The requested page does not exist.",
	},
	[IDP_E_METHOD_NOT_ALLOWED] = {
		"method_not_allowed", 405,
		"Methode nicht erlaubt",
		"Diese Adresse unterstützt die verwendete Methode nicht.",
		"Method not allowed",
		"This address does not support the method used.",
	},
	[IDP_E_BODY_TOO_LARGE] = {
		"body_too_large", 413,
		"Anfrage zu groß",
		"Die gesendeten Daten sind zu groß.",
		"Request too large",
		"The data sent is too large.",
	},
	[IDP_E_URI_TOO_LONG] = {
		"uri_too_long", 414,
		"Adresse zu lang",
		"Die aufgerufene Adresse ist zu lang.",
		"Address too long",
		"The requested address is too long.",
	},
	[IDP_E_UNSUPPORTED_MEDIA_TYPE] = {
		"unsupported_media_type", 415,
		"Format nicht unterstützt",
		"Die Daten wurden in einem nicht unterstützten Format "
		"gesendet.",
		"Unsupported format",
		"The data was sent in an unsupported format.",
	},
	[IDP_E_HEADERS_TOO_LARGE] = {
		"headers_too_large", 431,
		"Anfrage zu groß",
		"Die Kopfzeilen der Anfrage sind zu groß. Löschen Sie "
		"gegebenenfalls die Cookies dieser Seite.",
		"Request too large",
		"The request headers are too large. Deleting this site's "
		"cookies may help.",
	},
	[IDP_E_INTERNAL] = {
		"internal", 500,
		"Interner Fehler",
		"Es ist ein Fehler aufgetreten. Bitte versuchen Sie es später "
		"noch einmal.",
		"Internal error",
		"An error occurred. Please try again later.",
	},
	[IDP_E_UNAVAILABLE] = {
		"unavailable", 503,
		"Vorübergehend nicht verfügbar",
		"Der Dienst ist vorübergehend nicht erreichbar. Bitte "
		"versuchen Sie es in wenigen Minuten noch einmal.",
		"Temporarily unavailable",
		"The service is temporarily unavailable. Please try again in "
		"a few minutes.",
	},
	[IDP_E_NOT_READY] = {
		"not_ready", 503,
		"Nicht bereit",
		"Der Dienst ist noch nicht bereit.",
		"Not ready",
		"The service is not ready.",
	},
};

const struct idp_error_info *
idp_error_info(enum idp_error e)
{
	return &table[e];
}
