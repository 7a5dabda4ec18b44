/*
 * Mail: a transactional outbox in PostgreSQL and a sender thread.
 *
 * A service that wants to send a mail calls mail_enqueue() inside its own
 * store_run_tx() callback: the mail is stored with the event that causes
 * it and is sent if and only if that transaction commits. A sender thread
 * in every idpd (mail_sender_start()) claims due mails, delivers them by
 * SMTP (libcurl) or appends them to a file, and retries failures with
 * exponential backoff until [mail] max_attempts. Several idpd nodes on one
 * database never send the same mail concurrently (claims with SKIP
 * LOCKED); delivery is at least once: a node that dies between handing a
 * mail to the SMTP server and recording it as sent sends it again once
 * its claim has expired. docs/mail.md is the operator's view.
 *
 * Only plain text mails in UTF-8 to one recipient each. Addresses are
 * plain ASCII addr-specs (no display names, quoted local parts, address
 * literals or internationalized addresses); headers are built from checked
 * fields only, so no input can add a header or a recipient.
 */
#ifndef IDP_MAIL_MAIL_H
#define IDP_MAIL_MAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "idp/cfg/cfg.h"
#include "idp/common/err.h"
#include "idp/store/store.h"

/* Longest address (RFC 5321's path limit less the angle brackets). */
#define MAIL_ADDRESS_MAX 254
/* Longest local part (RFC 5321, 4.5.3.1.1). */
#define MAIL_LOCAL_MAX 64
/* Longest subject in bytes: RFC 5322's line limit; it is encoded anyway. */
#define MAIL_SUBJECT_MAX 998
/* Longest body in bytes. Our mails are a few hundred bytes of text. */
#define MAIL_BODY_MAX (64 * 1024)
/* Sent and given-up mails are deleted this many days later. */
#define MAIL_RETENTION_DAYS 7

/*
 * Whether @addr is one plain address local@domain that we can send to:
 * at most MAIL_ADDRESS_MAX bytes; local part a dot-atom of RFC 5322 atext
 * (letters, digits and !#$%&'*+-/=?^_`{|}~, dots only between them) of at
 * most MAIL_LOCAL_MAX bytes; domain one or more dot-separated labels of
 * letters, digits and inner hyphens, 1 to 63 bytes each. So no white
 * space, control characters, angle brackets, commas, quotes or non-ASCII
 * bytes. NULL is invalid. Pure function, thread-safe; the account code
 * checks registration input with it too.
 */
bool mail_address_valid(const char *addr);

/*
 * Put a mail into the outbox. Call it INSIDE the caller's store_run_tx()
 * callback on @s: the mail is delivered if and only if that transaction
 * commits, and the senders are woken (NOTIFY) at the commit.
 *
 * @to must pass mail_address_valid(); @subject is UTF-8 of at most
 * MAIL_SUBJECT_MAX bytes without control characters (so no CR or LF);
 * @body is UTF-8 of at most MAIL_BODY_MAX bytes in which the only control
 * characters are tab and line ends (LF or CRLF; no lone CR). All strings
 * are borrowed.
 *
 * Returns a STORE_* value so that a callback can pass it on:
 * STORE_ONE_ROW when stored; STORE_HARD_ERROR for invalid fields (logged
 * as mail_invalid with the field and the reason, never the content: the
 * caller should have checked, so this is a bug) or a failed statement;
 * STORE_SOFT_ERROR on a serialization failure (the runner retries).
 */
IDP_WUR int mail_enqueue(struct store *s, const char *to, const char *subject,
			 const char *body);

/*
 * Check the [mail] keys that cfg_load() takes as plain strings: from is
 * "addr" or "Display Name <addr>" with a valid address and a display name
 * without control characters, quotes, backslashes or angle brackets;
 * smtp_url (in smtp mode) has a host, no user or password in it (they
 * belong in smtp_user/smtp_password, which are kept out of logs), and no
 * path beyond an optional client name; credentials are refused over a
 * connection without TLS (smtp:// with smtp_starttls off) unless the host
 * is the loopback address. Returns 0, or IDP_ERR_INVALID with one line in
 * @err (size @errlen) naming the key; the password never appears in it.
 * Thread-safe.
 */
IDP_WUR int mail_cfg_check(const struct cfg *cfg, char *err, size_t errlen);

/*
 * Timing of a sender. Defaults (mail_sender_params_default()) are for
 * production; tests shorten them so that retries take milliseconds.
 */
struct mail_sender_params {
	unsigned poll_ms;	  /* look for due mails at least this often */
	unsigned backoff_base_ms; /* delay after the first failed attempt */
	unsigned backoff_max_ms;  /* cap of the doubling delay */
	unsigned claim_s; /* how long a claim keeps others away; >= 150 */
	unsigned batch;	  /* mails claimed at once */
	unsigned purge_interval_s; /* how often finished mails are purged */
};

/* Production values: 5 s poll, 30 s doubling to 1 h, 10 min claims. */
void mail_sender_params_default(struct mail_sender_params *p);

struct mail_sender;

/*
 * Start a sender thread with its own database connection for @cfg (mode,
 * file or SMTP settings, max_attempts; [database] conninfo). @cfg is
 * borrowed and must outlive the sender; @p NULL means the defaults. Call
 * from the main thread (it initialises libcurl, which is not thread-safe
 * to initialise). The database need not be reachable: the thread
 * reconnects by itself.
 *
 * On success *out is the sender, stopped and freed with
 * mail_sender_free(). Returns 0, IDP_ERR_INVALID (mail_cfg_check() failed;
 * logged), IDP_ERR_NOMEM or IDP_ERR_INTERNAL (no thread).
 */
IDP_WUR int mail_sender_new(const struct cfg *cfg,
			    const struct mail_sender_params *p,
			    struct mail_sender **out);

/*
 * Stop @ms and free it: the thread is woken at once; a transfer in
 * progress is aborted and its mail given back unclaimed (no attempt
 * counted), so another node or the next start sends it. Returns when the
 * thread has ended, within a few seconds (a statement in progress runs to
 * its end). NULL is fine.
 */
void mail_sender_free(struct mail_sender *ms);

/*
 * The one sender of idpd, with default timing: mail_sender_new() into a
 * process-wide slot. Call once, from the main thread, after the HTTP
 * server has started; mail_sender_stop() after it has drained. Returns
 * what mail_sender_new() returns (IDP_ERR_INTERNAL when already started).
 */
IDP_WUR int mail_sender_start(const struct cfg *cfg);
void mail_sender_stop(void);

#endif
