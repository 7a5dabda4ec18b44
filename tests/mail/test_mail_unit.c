/*
 * The parts of idp/mail that need no database: which addresses pass, how
 * a message is built (decoded again by Python's email package, not by our
 * code), the [mail] config check and the backoff.
 */
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "idp/mail/mail.h"
#include "idp/mail/mail_internal.h"
#include "mail_test.h"

static void
test_address_valid(void **state)
{
	static const char *const good[] = {
		"a@b",
		"citizen@example.org",
		"first.last+tag@sub-domain.example.de",
		"o'brien@example.ie",
		"x!#$%&'*+-/=?^_`{|}~y@example.com",
		"UPPER@EXAMPLE.ORG",
		"a@1.2.3.example",
	};
	static const char *const bad[] = {
		"",
		"a@b\r\nBcc: x@y",
		"a@b\nBcc: x@y",
		"a b@c",
		"a@b c",
		"<a@b>",
		"a@b>",
		"a@b,c@d",
		"a@b;c@d",
		"\"a\"@b",
		"a(comment)@b",
		"a",
		"a@",
		"@b",
		"a@@b",
		"a@b@c",
		".a@b",
		"a.@b",
		"a..b@c",
		"a@.b",
		"a@b.",
		"a@b..c",
		"a@-b",
		"a@b-",
		"a@b_c",
		"a@[192.0.2.1]",
		"\xc3\xa4@example.de",
		"a@\xc3\xa4.de",
		"a\t@b",
		"a@b\t",
	};
	char buf[400];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!mail_address_valid(good[i]))
			fail_msg("refused valid address %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mail_address_valid(bad[i]))
			fail_msg("accepted invalid address #%zu", i);
	assert_false(mail_address_valid(NULL));

	/* 300 bytes: over the limit whatever it looks like. */
	memset(buf, 'a', 300);
	memcpy(buf + 290, "@b.example", 11);
	assert_false(mail_address_valid(buf));

	/* Exactly 254 bytes pass, 255 do not (64 + 1 + 63.63.61). */
	memset(buf, 'a', 64);
	buf[64] = '@';
	memset(buf + 65, 'b', 63);
	buf[128] = '.';
	memset(buf + 129, 'c', 63);
	buf[192] = '.';
	memset(buf + 193, 'd', 61);
	buf[254] = '\0';
	assert_true(mail_address_valid(buf));
	buf[254] = 'd';
	buf[255] = '\0';
	assert_false(mail_address_valid(buf));

	/* Local part of 65 bytes, label of 64 bytes. */
	memset(buf, 'a', 65);
	strcpy(buf + 65, "@b");
	assert_false(mail_address_valid(buf));
	strcpy(buf, "a@");
	memset(buf + 2, 'b', 64);
	strcpy(buf + 66, ".de");
	assert_false(mail_address_valid(buf));
	strcpy(buf, "a@");
	memset(buf + 2, 'b', 63);
	strcpy(buf + 65, ".de");
	assert_true(mail_address_valid(buf));
}

/* Write @msg as the only message of a new directory and decode it. */
static char *
decode_one(const GString *msg)
{
	const char *dir = mt_dir("decode");
	char *path = g_strdup_printf("%s/000001.eml", dir);
	char *out;

	assert_true(
		g_file_set_contents(path, msg->str, (gssize)msg->len, NULL));
	out = mt_decode_dir(dir);
	g_free(path);
	return out;
}

/* The decoded body that @body should come back as: LF, ending in one. */
static char *
expected_body(const char *body)
{
	GString *s = g_string_new(NULL);

	for (const char *p = body; *p != '\0'; p++)
		if (!(p[0] == '\r' && p[1] == '\n'))
			g_string_append_c(s, *p);
	if (s->len > 0 && s->str[s->len - 1] != '\n')
		g_string_append_c(s, '\n');
	return g_string_free(s, FALSE);
}

static void
assert_contains(const char *hay, const char *needle)
{
	if (hay == NULL)
		fail_msg("missing \"%s\" in nothing", needle);
	else if (strstr(hay, needle) == NULL)
		fail_msg("missing \"%s\" in:\n%s", needle, hay);
}

/* The body part of mail_decode.py's output for one message. */
static char *
decoded_body(const char *out)
{
	const char *start = strstr(out, "\n\n");
	const char *end = strstr(out, "=== end\n");

	assert_non_null(start);
	assert_non_null(end);
	return g_strndup(start + 2, (gsize)(end - start - 2));
}

/* Every line of @raw ends in CRLF and has at most @max bytes. */
static void
assert_lines(const char *raw, size_t max)
{
	const char *p = raw;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');

		assert_non_null(nl);
		assert_true(nl > p ? nl[-1] == '\r' : false);
		if ((size_t)(nl - p - 1) > max)
			fail_msg("line of %zu bytes: %.*s",
				 (size_t)(nl - p - 1), (int)(nl - p - 1), p);
		p = nl + 1;
	}
}

static const char body_text[] =
	"Guten Tag,\n"
	"\n"
	"bitte bestätigen Sie Ihre E-Mail-Adresse für das Servicekonto "
	"über diesen Link:\n"
	"https://idp.example.de/register/verify?token="
	"Q0hBTkdFTUVfX19fX19fX19fX19fX19fX19fX19fX19fX18&lang=de\n"
	".\n"
	".. a line with dots\n"
	"From here on, a line that mbox readers would split at.\n"
	">From quoted already\n"
	"Trailing spaces   \n"
	"Tab\tinside and at the end\t\n"
	"Equals = sign, =3D and =?UTF-8?B?SGk=?=\r\n"
	"Grüße – Ihr Servicekonto 🇩🇪\n"
	"no newline at the end";

static void
test_format_smtp(void **state)
{
	const char *subject =
		"Bestätigen Sie Ihre E-Mail-Adresse – Servicekonto";
	GString *msg = NULL;
	const char *why = NULL;
	char *out, *body, *want, *hdr_end;

	(void)state;
	assert_int_equal(
		mail_message_format(
			"Servicekonto Bürgerportal <noreply@example.de>",
			"citizen@example.org", subject, body_text, 1739440800,
			MAIL_FORM_SMTP, &msg, &why),
		0);
	/* 7-bit clean, CRLF everywhere, QP lines at most 76. */
	for (size_t i = 0; i < msg->len; i++)
		assert_true((unsigned char)msg->str[i] < 0x80);
	hdr_end = strstr(msg->str, "\r\n\r\n");
	assert_non_null(hdr_end);
	assert_lines(hdr_end + 4, 76);
	assert_lines(msg->str, 998);
	assert_contains(msg->str, "Date: Thu, 13 Feb 2025 10:00:00 +0000\r\n");
	assert_contains(msg->str, "\r\nTo: citizen@example.org\r\n");
	assert_contains(msg->str, "\r\nMIME-Version: 1.0\r\n");
	assert_contains(msg->str, "\r\nContent-Type: text/plain; "
				  "charset=UTF-8\r\n");
	assert_contains(msg->str,
			"\r\nContent-Transfer-Encoding: quoted-printable\r\n");
	assert_contains(msg->str, "\r\nAuto-Submitted: auto-generated\r\n");
	assert_contains(msg->str, "@example.de>\r\n");
	assert_contains(msg->str, "\r\nSubject: =?UTF-8?B?");
	/* No line of the body starts with '.' or "From ". */
	assert_null(strstr(hdr_end, "\n."));
	assert_null(strstr(hdr_end, "\nFrom "));

	out = decode_one(msg);
	assert_contains(out, "From: Servicekonto Bürgerportal "
			     "<noreply@example.de>\n");
	assert_contains(out, "To: citizen@example.org\n");
	assert_contains(out, "Subject: Bestätigen Sie Ihre E-Mail-Adresse – "
			     "Servicekonto\n");
	assert_contains(out, "Content-Transfer-Encoding: quoted-printable\n");
	assert_contains(out, "Auto-Submitted: auto-generated\n");
	assert_contains(out, "defects: 0\n");
	body = decoded_body(out);
	want = expected_body(body_text);
	assert_string_equal(body, want);
	g_free(want);
	g_free(body);
	g_free(out);
	mail_message_free(msg);
}

static void
test_format_subjects(void **state)
{
	GString *msg = NULL;
	const char *why;
	char subject[MAIL_SUBJECT_MAX + 1], *out, *line;

	(void)state;
	/* Short ASCII stays as it is. */
	assert_int_equal(mail_message_format("noreply@localhost", "a@b",
					     "Your code", "x", 0,
					     MAIL_FORM_SMTP, &msg, &why),
			 0);
	assert_contains(msg->str, "\r\nSubject: Your code\r\n");
	assert_contains(msg->str, "From: noreply@localhost\r\n");
	mail_message_free(msg);

	/* Looks like an encoded word: encoded, so it reads literally. */
	assert_int_equal(mail_message_format("noreply@localhost", "a@b",
					     "=?UTF-8?B?SGk=?=", "x", 0,
					     MAIL_FORM_SMTP, &msg, &why),
			 0);
	out = decode_one(msg);
	assert_contains(out, "Subject: =?UTF-8?B?SGk=?=\n");
	g_free(out);
	mail_message_free(msg);

	/*
	 * The longest subject, two-byte characters throughout: folded into
	 * encoded words of whole characters, each line under 77.
	 */
	for (size_t i = 0; i + 1 < MAIL_SUBJECT_MAX; i += 2)
		memcpy(subject + i, "\xc3\xa4", 2);
	subject[MAIL_SUBJECT_MAX] = '\0';
	assert_int_equal(mail_message_format("Dienst <noreply@example.de>",
					     "a@b", subject, "x", 0,
					     MAIL_FORM_SMTP, &msg, &why),
			 0);
	assert_lines(msg->str, 76);
	out = decode_one(msg);
	line = g_strdup_printf("Subject: %s\n", subject);
	assert_contains(out, line);
	assert_contains(out, "defects: 0\n");
	g_free(line);
	g_free(out);
	mail_message_free(msg);

	/* Long ASCII with specials in the display name: quoted. */
	assert_int_equal(mail_message_format("Stadt Musterstadt, Amt 1 "
					     "<noreply@example.de>",
					     "a@b", "Hi", "x", 0,
					     MAIL_FORM_SMTP, &msg, &why),
			 0);
	assert_contains(msg->str, "From: \"Stadt Musterstadt, Amt 1\" "
				  "<noreply@example.de>\r\n");
	out = decode_one(msg);
	assert_contains(out, "From: \"Stadt Musterstadt, Amt 1\" "
			     "<noreply@example.de>\n");
	g_free(out);
	mail_message_free(msg);
}

static void
test_format_mbox(void **state)
{
	const char *dir = mt_dir("mbox");
	char *path = g_strdup_printf("%s/mail.log", dir);
	char long_body[3000], err[256], *out, *raw, *body, *want, *second;
	GString *msg;
	const char *why;

	(void)state;
	assert_int_equal(mail_message_format("Servicekonto <noreply@localhost>",
					     "citizen@example.org", "Grüße",
					     body_text, 0, MAIL_FORM_MBOX, &msg,
					     &why),
			 0);
	/* Readable: 8bit, the link whole, LF line ends. */
	assert_contains(msg->str, "Content-Transfer-Encoding: 8bit\n");
	assert_contains(msg->str, "?token=Q0hBTkdFTUVfX19fX19fX19fX19fX19fX1"
				  "9fX19fX19fX18&lang=de\n");
	assert_contains(msg->str, "\n>From here on");
	assert_contains(msg->str, "\n>>From quoted already");
	assert_null(strchr(msg->str, '\r'));
	assert_true(strncmp(msg->str,
			    "From noreply@localhost Thu Jan  1 "
			    "00:00:00 1970\n",
			    45) == 0);
	assert_int_equal(
		mail_file_append(path, msg->str, msg->len, err, sizeof(err)),
		0);
	mail_message_free(msg);

	/* A line over 998 bytes: quoted-printable even in the file. */
	memset(long_body, 'x', sizeof(long_body) - 1);
	long_body[sizeof(long_body) - 1] = '\0';
	assert_int_equal(mail_message_format("noreply@localhost", "a@b", "long",
					     long_body, 0, MAIL_FORM_MBOX, &msg,
					     &why),
			 0);
	assert_contains(msg->str,
			"Content-Transfer-Encoding: quoted-printable\n");
	assert_int_equal(
		mail_file_append(path, msg->str, msg->len, err, sizeof(err)),
		0);
	mail_message_free(msg);

	assert_true(g_file_get_contents(path, &raw, NULL, NULL));
	g_free(raw);
	out = mt_decode_mbox(path);
	assert_contains(out, "Subject: Grüße\n");
	assert_contains(out, "defects: 0\n");
	body = decoded_body(out);
	want = expected_body(body_text);
	assert_string_equal(body, want);
	g_free(want);
	g_free(body);
	second = strstr(out + 1, "=== message");
	assert_non_null(second);
	body = decoded_body(second);
	want = expected_body(long_body);
	assert_string_equal(body, want);
	g_free(want);
	g_free(body);
	g_free(out);
	g_free(path);
}

static void
test_format_refuses(void **state)
{
	static const char *const froms[] = {
		"no address",
		"Name <a@b> trailing",
		"Na\"me <a@b>",
		"Na\\me <a@b>",
		"Name <>",
		"Name <a@b",
		"Name <a@b\r\nBcc: c@d>",
		"a@b\r\nBcc: c@d",
		"Name\r\nBcc: c@d <a@b>",
		"<<a@b>>",
	};
	GString *msg = (GString *)1;
	const char *why;

	(void)state;
	assert_int_equal(mail_message_format("a@b", "a@b\r\nBcc: x@y", "s", "b",
					     0, MAIL_FORM_SMTP, &msg, &why),
			 IDP_ERR_INVALID);
	assert_null(msg);
	assert_int_equal(mail_message_format("a@b", "c@d", "s\r\nBcc: x@y", "b",
					     0, MAIL_FORM_SMTP, &msg, &why),
			 IDP_ERR_INVALID);
	assert_int_equal(mail_message_format("a@b", "c@d", "s", "a\rb", 0,
					     MAIL_FORM_SMTP, &msg, &why),
			 IDP_ERR_INVALID);
	assert_int_equal(mail_message_format("a@b", "c@d", "s", "\xff", 0,
					     MAIL_FORM_MBOX, &msg, &why),
			 IDP_ERR_INVALID);
	for (size_t i = 0; i < sizeof(froms) / sizeof(froms[0]); i++) {
		if (mail_message_format(froms[i], "c@d", "s", "b", 0,
					MAIL_FORM_SMTP, &msg,
					&why) != IDP_ERR_INVALID)
			fail_msg("accepted From #%zu", i);
		assert_null(msg);
		assert_non_null(why);
	}
}

static void
test_cfg_check(void **state)
{
	static const char *const bad[][5] = {
		{"IDP_MAIL_FROM=not an address", NULL},
		{"IDP_MAIL_FROM=Name <a@b> x", NULL},
		{"IDP_MAIL_MODE=smtp",
		 "IDP_MAIL_SMTP_URL=smtp://user:s3cr3tpw@mail.example:587",
		 NULL},
		{"IDP_MAIL_MODE=smtp",
		 "IDP_MAIL_SMTP_URL=smtps://:s3cr3tpw@mail.example", NULL},
		{"IDP_MAIL_MODE=smtp",
		 "IDP_MAIL_SMTP_URL=smtp://mail.example/?s3cr3tpw", NULL},
		{"IDP_MAIL_MODE=smtp", "IDP_MAIL_SMTP_URL=smtp://", NULL},
		{"IDP_MAIL_MODE=smtp", "IDP_MAIL_SMTP_URL=smtp://a b/", NULL},
		/* A password in clear text over the network. */
		{"IDP_MAIL_MODE=smtp", "IDP_MAIL_SMTP_STARTTLS=false",
		 "IDP_MAIL_SMTP_URL=smtp://mail.example:25",
		 "IDP_MAIL_SMTP_USER=idp", NULL},
	};
	static const char *const good[][5] = {
		{NULL},
		{"IDP_MAIL_FROM=Bürgerservice Musterstadt <noreply@example.de>",
		 NULL},
		{"IDP_MAIL_MODE=smtp",
		 "IDP_MAIL_SMTP_URL=smtps://mail.example:465",
		 "IDP_MAIL_SMTP_USER=idp", "IDP_MAIL_SMTP_PASSWORD=s3cr3tpw",
		 NULL},
		{"IDP_MAIL_MODE=smtp",
		 "IDP_MAIL_SMTP_URL=smtp://mail.example:587",
		 "IDP_MAIL_SMTP_USER=idp", "IDP_MAIL_SMTP_PASSWORD=s3cr3tpw",
		 NULL},
		{"IDP_MAIL_MODE=smtp", "IDP_MAIL_SMTP_URL=smtp://127.0.0.1:25",
		 "IDP_MAIL_SMTP_STARTTLS=false", "IDP_MAIL_SMTP_USER=idp",
		 NULL},
	};
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cfg *cfg = mt_cfg("dbname=none", bad[i]);

		err[0] = '\0';
		if (mail_cfg_check(cfg, err, sizeof(err)) != IDP_ERR_INVALID)
			fail_msg("accepted bad mail config #%zu", i);
		assert_true(strncmp(err, "[mail] ", 7) == 0);
		if (strstr(err, "s3cr3tpw") != NULL)
			fail_msg("secret in the error: %s", err);
		cfg_free(cfg);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct cfg *cfg = mt_cfg("dbname=none", good[i]);

		if (mail_cfg_check(cfg, err, sizeof(err)) != 0)
			fail_msg("refused good mail config #%zu: %s", i, err);
		cfg_free(cfg);
	}
}

static void
test_backoff(void **state)
{
	const unsigned base = 30000, cap = 3600000;

	(void)state;
	assert_int_equal(mail_backoff_ms(1, base, cap, 0), 30000);
	assert_int_equal(mail_backoff_ms(2, base, cap, 0), 60000);
	assert_int_equal(mail_backoff_ms(7, base, cap, 0), 1920000);
	assert_int_equal(mail_backoff_ms(8, base, cap, 0), cap);
	assert_int_equal(mail_backoff_ms(1000, base, cap, 0), cap);
	/* Jitter takes off at most a quarter, and never reaches zero. */
	for (uint32_t r = 0; r < 100000; r += 997) {
		unsigned d = mail_backoff_ms(3, base, cap, r * 2654435761u);

		assert_true(d <= 120000 && d >= 90000);
	}
	assert_true(mail_backoff_ms(1, 0, cap, 12345) >= 1);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address_valid),
		cmocka_unit_test(test_format_smtp),
		cmocka_unit_test(test_format_subjects),
		cmocka_unit_test(test_format_mbox),
		cmocka_unit_test(test_format_refuses),
		cmocka_unit_test(test_cfg_check),
		cmocka_unit_test(test_backoff),
	};

	mt_init(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
