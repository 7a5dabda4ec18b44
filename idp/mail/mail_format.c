/*
 * How a mail looks on the wire (RFC 5322, MIME): the headers from checked
 * fields only, the subject and display name as RFC 2047 encoded words
 * when needed, the body quoted-printable for SMTP or plain UTF-8 for the
 * mbox file.
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "idp/mail/mail_internal.h"

/*
 * Input bytes per encoded word: 39 bytes are 52 base64 characters, and
 * with "=?UTF-8?B?" and "?=" a word is 64 characters, so even the first
 * line ("Subject: " and a word) stays under RFC 2047's 76.
 */
#define WORD_BYTES 39

/* Longest header line we write as plain text (RFC 5322 recommends 78). */
#define PLAIN_LINE_MAX 78

/* Encoded line length of quoted-printable, soft-break '=' excluded. */
#define QP_LINE_MAX 75

/* RFC 5322's hard line limit, for the 8bit body of the mbox form. */
#define LINE_MAX_8BIT 998

/* Random bytes in the local part of a Message-ID. */
#define MSGID_BYTES 16

static const char *const weekdays[] = {"Sun", "Mon", "Tue", "Wed",
				       "Thu", "Fri", "Sat"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static bool
name_char_ok(gunichar c)
{
	/*
	 * Quotes and backslashes would need escaping in a quoted string,
	 * angle brackets would read as a second address: refusing them
	 * keeps every way of writing the name simple and safe.
	 */
	return c >= 0x20 && c != 0x7f && !(c >= 0x80 && c <= 0x9f) &&
	       c != '"' && c != '\\' && c != '<' && c != '>';
}

int
mail_from_parse(const char *from, char addr[MAIL_ADDRESS_MAX + 1],
		char name[MAIL_NAME_MAX + 1], const char **why)
{
	const char *lt, *gt, *start, *end;
	size_t n;

	addr[0] = '\0';
	name[0] = '\0';
	*why = NULL;
	if (from == NULL) {
		*why = "missing";
		return IDP_ERR_INVALID;
	}
	n = strnlen(from, CFG_STRING_MAX + 1);
	if (n > CFG_STRING_MAX) {
		*why = "too long";
		return IDP_ERR_INVALID;
	}
	lt = strchr(from, '<');
	if (lt == NULL) {
		if (!mail_address_valid(from)) {
			*why = "not an address (expected addr or "
			       "\"Display Name <addr>\")";
			return IDP_ERR_INVALID;
		}
		memcpy(addr, from, n + 1);
		return 0;
	}
	gt = strchr(lt, '>');
	if (gt == NULL || gt[1] != '\0') {
		*why = "expected \"Display Name <addr>\" with nothing after "
		       "'>'";
		return IDP_ERR_INVALID;
	}
	n = (size_t)(gt - lt - 1);
	if (n > MAIL_ADDRESS_MAX) {
		*why = "address too long";
		return IDP_ERR_INVALID;
	}
	memcpy(addr, lt + 1, n);
	addr[n] = '\0';
	if (!mail_address_valid(addr)) {
		addr[0] = '\0';
		*why = "the part in <...> is not an address";
		return IDP_ERR_INVALID;
	}
	start = from;
	end = lt;
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - start);
	if (n > MAIL_NAME_MAX) {
		addr[0] = '\0';
		*why = "display name too long";
		return IDP_ERR_INVALID;
	}
	if (!g_utf8_validate(start, (gssize)n, NULL)) {
		addr[0] = '\0';
		*why = "display name is not UTF-8";
		return IDP_ERR_INVALID;
	}
	for (const char *p = start; p < end;
	     p += g_utf8_skip[*(const guchar *)p]) {
		if (!name_char_ok(g_utf8_get_char(p))) {
			addr[0] = '\0';
			*why = "display name has a control character, quote, "
			       "backslash or angle bracket";
			return IDP_ERR_INVALID;
		}
	}
	memcpy(name, start, n);
	name[n] = '\0';
	return 0;
}

/*
 * Whether @s can be written as it is in an unstructured header of @prefix
 * bytes: printable ASCII that fits one short line and holds nothing a
 * reader would decode ("=?").
 */
static bool
plain_ok(const char *s, size_t prefix)
{
	size_t n = strlen(s);

	if (prefix + n > PLAIN_LINE_MAX || strstr(s, "=?") != NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/*
 * @s (valid UTF-8) as RFC 2047 "B" encoded words, one per folded line.
 * Each word holds whole characters, as section 5 demands.
 */
static void
append_words(GString *out, const char *s)
{
	size_t n = strlen(s), i = 0;

	while (i < n) {
		size_t take = n - i;
		gchar *b64;

		if (take > WORD_BYTES) {
			take = WORD_BYTES;
			while (((unsigned char)s[i + take] & 0xc0) == 0x80)
				take--;
		}
		b64 = g_base64_encode((const guchar *)s + i, take);
		if (i > 0)
			g_string_append(out, "\r\n ");
		g_string_append_printf(out, "=?UTF-8?B?%s?=", b64);
		g_free(b64);
		i += take;
	}
}

static bool
is_atext_or_space(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr(" !#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static void
append_from(GString *out, const char *addr, const char *name)
{
	bool atoms = true;

	if (name[0] == '\0') {
		g_string_append_printf(out, "From: %s\r\n", addr);
		return;
	}
	if (!plain_ok(name, 0)) {
		g_string_append(out, "From: ");
		append_words(out, name);
		g_string_append_printf(out, "\r\n <%s>\r\n", addr);
		return;
	}
	for (const char *p = name; *p != '\0'; p++)
		atoms = atoms && is_atext_or_space(*p);
	/* Specials such as '.' or ',' need a quoted string. */
	g_string_append_printf(
		out, atoms ? "From: %s <%s>\r\n" : "From: \"%s\" <%s>\r\n",
		name, addr);
}

static void
append_subject(GString *out, const char *subject)
{
	g_string_append(out, "Subject: ");
	if (plain_ok(subject, strlen("Subject: ")))
		g_string_append(out, subject);
	else
		append_words(out, subject);
	g_string_append(out, "\r\n");
}

static void
append_date(GString *out, time_t now)
{
	struct tm tm;

	/* English names and UTC whatever the locale: RFC 5322, 3.3. */
	if (gmtime_r(&now, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	g_string_append_printf(
		out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
		weekdays[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
		tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int
append_message_id(GString *out, const char *from_addr)
{
	unsigned char rnd[MSGID_BYTES];
	ssize_t got;

	/* Unique, not secret: the kernel's generator, no libsodium here. */
	got = getrandom(rnd, sizeof(rnd), 0);
	if (got != (ssize_t)sizeof(rnd))
		return IDP_ERR_INTERNAL;
	g_string_append(out, "Message-ID: <");
	for (size_t i = 0; i < sizeof(rnd); i++)
		g_string_append_printf(out, "%02x", rnd[i]);
	g_string_append_printf(out, "@%s>\r\n", strchr(from_addr, '@') + 1);
	return 0;
}

/* Whether a line break (LF or CRLF) starts at @p; its length in *@n. */
static bool
line_break(const char *p, size_t *n)
{
	if (p[0] == '\n') {
		*n = 1;
		return true;
	}
	if (p[0] == '\r' && p[1] == '\n') {
		*n = 2;
		return true;
	}
	return false;
}

/*
 * A character at the start of an encoded line that must not stay
 * literal: a '.' (SMTP's end of data; libcurl escapes it too, but a
 * message that never needs the escape is sturdier) and "From " (mbox
 * readers would split the message there).
 */
static bool
risky_at_line_start(const char *p)
{
	return p[0] == '.' || strncmp(p, "From ", 5) == 0;
}

/*
 * Quoted-printable (RFC 2045, 6.7): line breaks become CRLF, lines are
 * cut with soft breaks at 76 characters, '=', non-ASCII and white space
 * before a line end are escaped.
 */
static void
append_qp(GString *out, const char *body)
{
	size_t col = 0, n;
	const char *p = body;

	while (*p != '\0') {
		unsigned char c = (unsigned char)*p;
		bool at_eol, literal;
		size_t w;

		if (line_break(p, &n)) {
			g_string_append(out, "\r\n");
			col = 0;
			p += n;
			continue;
		}
		at_eol = p[1] == '\0' || line_break(p + 1, &n);
		if (c == ' ' || c == '\t')
			literal = !at_eol;
		else
			literal = c >= 33 && c <= 126 && c != '=';
		if (col == 0 && risky_at_line_start(p))
			literal = false;
		w = literal ? 1 : 3;
		if (col + w > QP_LINE_MAX) {
			g_string_append(out, "=\r\n");
			col = 0;
			if (risky_at_line_start(p)) {
				literal = false;
				w = 3;
			}
		}
		if (literal)
			g_string_append_c(out, (char)c);
		else
			g_string_append_printf(out, "=%02X", c);
		col += w;
		p++;
	}
	if (p != body && col > 0)
		g_string_append(out, "\r\n");
}

/* Whether every line of @body has at most LINE_MAX_8BIT bytes. */
static bool
lines_short(const char *body)
{
	size_t col = 0, n;

	for (const char *p = body; *p != '\0'; p++) {
		if (line_break(p, &n)) {
			col = 0;
			p += n - 1;
		} else if (++col > LINE_MAX_8BIT) {
			return false;
		}
	}
	return true;
}

/* The body unchanged but for CRLF line ends, ending in one. */
static void
append_8bit(GString *out, const char *body)
{
	const char *p = body;
	size_t n;

	while (*p != '\0') {
		if (line_break(p, &n)) {
			g_string_append(out, "\r\n");
			p += n;
			continue;
		}
		g_string_append_c(out, *p);
		p++;
		if (*p == '\0')
			g_string_append(out, "\r\n");
	}
}

/*
 * The mboxrd entry for @msg (CRLF lines): a "From " line with the
 * envelope sender and the time in asctime() form, LF line ends, every line
 * that matches ">*From " quoted with one more '>', one blank line after.
 */
static GString *
mbox_entry(const GString *msg, const char *env_from, time_t now)
{
	/*
	 * LF instead of CRLF saves a byte on each line that a '>' may cost,
	 * so the separator line is all that is added.
	 */
	GString *out = g_string_sized_new(msg->len + 512);
	const char *p = msg->str, *end = msg->str + msg->len;
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	g_string_append_printf(out, "From %s %s %s %2d %02d:%02d:%02d %04d\n",
			       env_from, weekdays[tm.tm_wday % 7],
			       months[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour,
			       tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
	while (p < end) {
		const char *eol = strstr(p, "\r\n");
		const char *q = p;

		if (eol == NULL)
			eol = end;
		while (q < eol && *q == '>')
			q++;
		if ((size_t)(eol - q) >= 5 && memcmp(q, "From ", 5) == 0)
			g_string_append_c(out, '>');
		g_string_append_len(out, p, eol - p);
		g_string_append_c(out, '\n');
		p = eol < end ? eol + 2 : end;
	}
	g_string_append_c(out, '\n');
	return out;
}

int
mail_message_format(const char *from, const char *to, const char *subject,
		    const char *body, time_t now, enum mail_form form,
		    GString **out, const char **why)
{
	char addr[MAIL_ADDRESS_MAX + 1], name[MAIL_NAME_MAX + 1];
	GString *msg = NULL, *entry;
	bool qp = true;
	int rc;

	*out = NULL;
	*why = NULL;
	if (mail_from_parse(from, addr, name, why) != 0)
		return IDP_ERR_INVALID;
	if (!mail_address_valid(to)) {
		*why = "recipient is not an address";
		return IDP_ERR_INVALID;
	}
	if (subject == NULL || mail_subject_problem(subject) != NULL) {
		*why = "subject unfit";
		return IDP_ERR_INVALID;
	}
	if (body == NULL || mail_body_problem(body) != NULL) {
		*why = "body unfit";
		return IDP_ERR_INVALID;
	}
	switch (form) {
	case MAIL_FORM_SMTP:
		qp = true;
		break;
	case MAIL_FORM_MBOX:
		qp = !lines_short(body);
		break;
	}
	/*
	 * Sized for the worst case up front, so that the body is not left
	 * behind in freed memory by a reallocation.
	 */
	msg = g_string_sized_new(strlen(body) * 3 + strlen(body) * 3 / 25 +
				 strlen(subject) * 2 + 2048);
	append_date(msg, now);
	append_from(msg, addr, name);
	g_string_append_printf(msg, "To: %s\r\n", to);
	append_subject(msg, subject);
	rc = append_message_id(msg, addr);
	if (rc != 0) {
		*why = "no random bytes for the Message-ID";
		goto out;
	}
	g_string_append(msg, "MIME-Version: 1.0\r\n"
			     "Content-Type: text/plain; charset=UTF-8\r\n");
	g_string_append_printf(msg, "Content-Transfer-Encoding: %s\r\n",
			       qp ? "quoted-printable" : "8bit");
	g_string_append(msg, "Auto-Submitted: auto-generated\r\n\r\n");
	if (qp)
		append_qp(msg, body);
	else
		append_8bit(msg, body);
	switch (form) {
	case MAIL_FORM_SMTP:
		*out = msg;
		msg = NULL;
		break;
	case MAIL_FORM_MBOX:
		entry = mbox_entry(msg, addr, now);
		*out = entry;
		break;
	}
	rc = 0;
out:
	mail_message_free(msg);
	return rc;
}

void
mail_message_free(GString *msg)
{
	if (msg == NULL)
		return;
	explicit_bzero(msg->str, msg->allocated_len);
	g_string_free(msg, TRUE);
}
