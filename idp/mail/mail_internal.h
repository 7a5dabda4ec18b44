/*
 * Inside idp/mail: building a message and the two ways of delivering it.
 * Declared here rather than in mail.h because only the sender and the
 * tests (tests/mail) use them.
 */
#ifndef IDP_MAIL_MAIL_INTERNAL_H
#define IDP_MAIL_MAIL_INTERNAL_H

#include <glib.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "idp/cfg/cfg.h"
#include "idp/common/err.h"
#include "idp/mail/mail.h"

/* Longest display name in [mail] from. */
#define MAIL_NAME_MAX 256

/*
 * Split [mail] from into its address and display name ("" when there is
 * none): "addr" or "Display Name <addr>". The address must pass
 * mail_address_valid(); the name is UTF-8 of at most MAIL_NAME_MAX bytes
 * without control characters, '"', '\\', '<' or '>' (so it can always be
 * written as a quoted string or encoded words). Returns 0, or
 * IDP_ERR_INVALID with the reason in *@why (static string).
 */
IDP_WUR int mail_from_parse(const char *from, char addr[MAIL_ADDRESS_MAX + 1],
			    char name[MAIL_NAME_MAX + 1], const char **why);

/*
 * Why @subject or @body does not meet mail_enqueue()'s contract (a short
 * static reason: "too long", "not UTF-8", "control character", "lone
 * CR"), or NULL when it does. @subject and @body must not be NULL.
 */
const char *mail_subject_problem(const char *subject);
const char *mail_body_problem(const char *body);

/* How a message is written out. */
enum mail_form {
	/*
	 * For SMTP: CRLF line ends, body quoted-printable, so that it is
	 * 7-bit clean whatever the server supports.
	 */
	MAIL_FORM_SMTP,
	/*
	 * One entry of an mbox file (mboxrd): a "From " separator line, LF
	 * line ends, lines starting with ">*From " quoted with one more '>',
	 * a blank line at the end. The body is 8bit (plain UTF-8, readable
	 * with less or grep) unless a line exceeds 998 bytes, then
	 * quoted-printable.
	 */
	MAIL_FORM_MBOX,
};

/*
 * Build the message from @from (the [mail] from value), @to, @subject and
 * @body (checked as mail_enqueue() checks them; checked again here, since
 * rows may come from an older version or a hand-edited table) at time
 * @now. Headers: Date, From, To, Subject (RFC 2047 encoded words when not
 * plain short ASCII), Message-ID (random, at the domain of @from),
 * MIME-Version, Content-Type text/plain UTF-8, Content-Transfer-Encoding,
 * Auto-Submitted: auto-generated.
 *
 * On success *out is a new string freed with mail_message_free() and the
 * return value is 0; else *out is NULL and the return value is
 * IDP_ERR_INVALID (a field is unfit; *@why says which) or
 * IDP_ERR_INTERNAL (no random bytes for the Message-ID). Thread-safe.
 */
IDP_WUR int mail_message_format(const char *from, const char *to,
				const char *subject, const char *body,
				time_t now, enum mail_form form, GString **out,
				const char **why);

/* Zero (the body holds links) and free @msg. NULL is fine. */
void mail_message_free(GString *msg);

/*
 * Append @msg (@len bytes) to the file @path, created with mode 0600,
 * under an exclusive flock() so that several senders on one host do not
 * interleave, and flushed to disk before returning 0. On failure the
 * file is cut back to its previous size, where it can be (a half-written
 * message would be read as a whole one), and the return value is
 * IDP_ERR_IO with one line in @err (size @errlen). Never crashes on a
 * full disk or an unwritable path: the caller retries later.
 */
IDP_WUR int mail_file_append(const char *path, const char *msg, size_t len,
			     char *err, size_t errlen);

/*
 * An SMTP client (libcurl) for one sender thread; it keeps the connection
 * to the server open between mails. Not thread-safe.
 */
struct mail_smtp;

/*
 * A client for @cfg's smtp_url, smtp_starttls, smtp_user, smtp_password
 * (borrowed; @cfg outlives the client). A transfer is aborted as soon as
 * *@stop is true. Returns NULL on allocation failure.
 */
struct mail_smtp *mail_smtp_new(const struct cfg *cfg, const atomic_bool *stop);

/* Close the connection and free. NULL is fine. */
void mail_smtp_free(struct mail_smtp *c);

/*
 * Send @msg (@len bytes, MAIL_FORM_SMTP) from @from_addr to @to. Returns 0
 * when the server accepted it, else IDP_ERR_IO (or IDP_ERR_UNAVAILABLE when
 * aborted because *stop became true) with libcurl's error in @err (size
 * @errlen). Neither the password nor the message ever appear in @err.
 */
IDP_WUR int mail_smtp_send(struct mail_smtp *c, const char *from_addr,
			   const char *to, const char *msg, size_t len,
			   char *err, size_t errlen);

/*
 * Delay in milliseconds before the next attempt after @failures failed
 * ones (1, 2, ...): @base_ms doubled per earlier failure, capped at
 * @max_ms, then a random part of up to a quarter taken off, so that mails
 * that failed together (server down) do not all come back at once. @rnd
 * is any random value. Pure function.
 */
unsigned mail_backoff_ms(int failures, unsigned base_ms, unsigned max_ms,
			 uint32_t rnd);

#endif
