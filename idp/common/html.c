#include <stdbool.h>
#include <string.h>

#include "idp/common/html.h"

void
html_escape_append(GString *out, const char *s)
{
	if (s == NULL)
		return;
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			g_string_append(out, "&amp;");
			break;
		case '<':
			g_string_append(out, "&lt;");
			break;
		case '>':
			g_string_append(out, "&gt;");
			break;
		case '"':
			g_string_append(out, "&quot;");
			break;
		case '\'':
			g_string_append(out, "&#39;");
			break;
		default:
			g_string_append_c(out, *s);
		}
	}
}

char *
html_page_simple(const char *lang, const char *title, const char *text,
		 const char *request_id)
{
	GString *p = g_string_sized_new(1024);
	bool en = lang != NULL && strcmp(lang, "en") == 0;

	g_string_append(p, "<!DOCTYPE html>\n<html lang=\"");
	g_string_append(p, en ? "en" : "de");
	g_string_append(p, "\">\n<head>\n<meta charset=\"utf-8\">\n"
			   "<meta name=\"viewport\" "
			   "content=\"width=device-width, initial-scale=1\">\n"
			   "<title>");
	html_escape_append(p, title);
	g_string_append(p, " – Servicekonto</title>\n</head>\n<body>\n"
			   "<main>\n<h1>");
	html_escape_append(p, title);
	g_string_append(p, "</h1>\n<p>");
	html_escape_append(p, text);
	g_string_append(p, "</p>\n");
	if (request_id != NULL) {
		g_string_append(p, "<p><small>");
		g_string_append(p, en ? "Request ID: " : "Anfrage-ID: ");
		html_escape_append(p, request_id);
		g_string_append(p, "</small></p>\n");
	}
	g_string_append(p, "</main>\n</body>\n</html>\n");
	return g_string_free(p, FALSE);
}
