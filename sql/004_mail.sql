-- 004_mail: the mail outbox.
--
-- A mail is inserted in the same transaction as the event that causes it
-- (mail_enqueue() in idp/mail), so it exists if and only if that event
-- committed. A sender thread in every idpd claims due rows, delivers them
-- and marks them sent or schedules a retry (idp/mail/mail_sender.c). See
-- docs/mail.md.

CREATE TABLE mail_outbox (
	id bigserial PRIMARY KEY,
	created_at timestamptz NOT NULL DEFAULT now(),
	recipient text NOT NULL
		CHECK (octet_length(recipient) BETWEEN 3 AND 254
		       AND recipient !~ '[[:space:][:cntrl:]<>,]'),
	subject text NOT NULL
		CHECK (octet_length(subject) <= 998
		       AND subject !~ '[\r\n]'),
	body text NOT NULL CHECK (octet_length(body) <= 65536),
	attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at timestamptz NOT NULL DEFAULT now(),
	sent_at timestamptz,
	failed_at timestamptz,
	last_error text CHECK (octet_length(last_error) <= 512),
	claimed_until timestamptz,
	CHECK (sent_at IS NULL OR failed_at IS NULL)
);

COMMENT ON TABLE mail_outbox IS
	'Mails waiting to be sent, sent or given up: one row per mail, written in the transaction of the event that sends it. Sent and failed rows are deleted by the sender 7 days after sent_at or failed_at, since bodies hold single-use links.';
COMMENT ON COLUMN mail_outbox.id IS
	'Sequence number; appears in log lines instead of the recipient.';
COMMENT ON COLUMN mail_outbox.created_at IS
	'When the event that caused the mail happened (its transaction began).';
COMMENT ON COLUMN mail_outbox.recipient IS
	'One plain address local@domain, checked by mail_address_valid(); the To: header and the SMTP recipient.';
COMMENT ON COLUMN mail_outbox.subject IS
	'Subject as UTF-8 text without line breaks; encoded (RFC 2047) when the message is built.';
COMMENT ON COLUMN mail_outbox.body IS
	'Plain text body in UTF-8, at most 64 KiB. Holds single-use links: personal and secret until used or expired.';
COMMENT ON COLUMN mail_outbox.attempts IS
	'Delivery attempts made so far, successful or not.';
COMMENT ON COLUMN mail_outbox.next_attempt_at IS
	'The mail is due from this time on; a failed attempt moves it into the future (exponential backoff with jitter).';
COMMENT ON COLUMN mail_outbox.sent_at IS
	'When the SMTP server accepted the mail or it was written to the mail file; NULL while pending or failed.';
COMMENT ON COLUMN mail_outbox.failed_at IS
	'When the mail was given up after [mail] max_attempts failed attempts; NULL otherwise.';
COMMENT ON COLUMN mail_outbox.last_error IS
	'Why the last attempt failed (libcurl''s or the file''s error text); never a password or the body. NULL after success.';
COMMENT ON COLUMN mail_outbox.claimed_until IS
	'A sender working on the mail holds it until this time; other senders skip it meanwhile. The claim expires by itself when that node dies. NULL when not claimed.';

-- The sender's query: pending mails by due time.
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at)
	WHERE sent_at IS NULL AND failed_at IS NULL;

-- The purge of finished mails after the retention time.
CREATE INDEX mail_outbox_done ON mail_outbox ((coalesce(sent_at, failed_at)))
	WHERE sent_at IS NOT NULL OR failed_at IS NOT NULL;
