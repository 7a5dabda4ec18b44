-- 003_audit: the append-only, hash-chained audit log (docs/audit.md).
--
-- Every row carries the SHA-256 of its own contents and of the previous
-- row's hash, so changing, deleting or inserting a row in the middle
-- breaks the chain where it happened; `idpctl audit verify` recomputes it
-- (in C, from the columns, independently of the functions below). Rows
-- are appended by one statement (idp/store/audit/pg_audit_insert.c) that
-- moves the one-row audit_head forward in the same transaction: the row
-- lock on audit_head, held until commit, serializes appends from every
-- node, so the chain has no forks and seq has no gaps.

-- One field of the hashed encoding: its length as a 4-byte big-endian
-- integer, then its bytes; NULL is the length ffffffff and no bytes, so
-- that NULL, '' and every other value encode differently.
CREATE FUNCTION audit_field(v bytea) RETURNS bytea
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE WHEN v IS NULL THEN decode('ffffffff', 'hex')
		ELSE int4send(length(v)) || v END;

COMMENT ON FUNCTION audit_field(bytea) IS
	'Length-prefixed encoding of one audit hash field: 4-byte big-endian length and the bytes, or ffffffff for NULL.';

-- The timestamp as hashed and as verify reads it: UTC, microseconds,
-- fixed width, independent of the session's TimeZone and DateStyle.
CREATE FUNCTION audit_time_text(at timestamptz) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');

COMMENT ON FUNCTION audit_time_text(timestamptz) IS
	'Canonical text of an audit timestamp: YYYY-MM-DDTHH:MM:SS.ffffffZ in UTC.';

-- The hash of one row. Fields, in this order, each through audit_field():
-- the version tag, the previous hash, seq as decimal text, the time as
-- audit_time_text(), event, actor, subject, client, details as jsonb's
-- canonical text. Text is UTF-8.
CREATE FUNCTION audit_hash(prev_hash bytea, seq bigint, at timestamptz,
	event text, actor text, subject text, client text, details jsonb)
	RETURNS bytea
	LANGUAGE sql STABLE PARALLEL SAFE
	RETURN sha256(
		audit_field(convert_to('servicekonto-audit-v1', 'UTF8')) ||
		audit_field(prev_hash) ||
		audit_field(convert_to(seq::text, 'UTF8')) ||
		audit_field(convert_to(audit_time_text(at), 'UTF8')) ||
		audit_field(convert_to(event, 'UTF8')) ||
		audit_field(convert_to(actor, 'UTF8')) ||
		audit_field(convert_to(subject, 'UTF8')) ||
		audit_field(convert_to(client, 'UTF8')) ||
		audit_field(convert_to(details::text, 'UTF8')));

COMMENT ON FUNCTION audit_hash(bytea, bigint, timestamptz, text, text, text, text, jsonb) IS
	'SHA-256 of one audit row and the previous row''s hash (format: docs/audit.md). Used when appending; idpctl audit verify recomputes it in C.';

CREATE TABLE audit_log (
	seq bigint PRIMARY KEY CHECK (seq > 0),
	at timestamptz NOT NULL,
	event text NOT NULL CHECK (event ~ '^[a-z][a-z0-9_]{0,63}$'),
	actor text NOT NULL CHECK (length(actor) BETWEEN 1 AND 256),
	subject text CHECK (length(subject) BETWEEN 1 AND 256),
	client text CHECK (length(client) BETWEEN 1 AND 64),
	details jsonb NOT NULL DEFAULT '{}'
		CHECK (jsonb_typeof(details) = 'object'),
	prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
	hash bytea NOT NULL CHECK (length(hash) = 32)
);

-- An account's history (for the citizen's own view and for requests
-- under the GDPR) without scanning the whole log.
CREATE INDEX audit_log_subject ON audit_log (subject, seq)
	WHERE subject IS NOT NULL;

COMMENT ON TABLE audit_log IS
	'Append-only, hash-chained log of security events (docs/audit.md). A trigger refuses UPDATE, DELETE and TRUNCATE; the chain makes changes by anyone who gets around it visible to idpctl audit verify.';
COMMENT ON COLUMN audit_log.seq IS
	'Position in the chain: 1, 2, 3, ... without gaps, assigned from audit_head.';
COMMENT ON COLUMN audit_log.at IS
	'When the event was recorded (statement time of the append), microsecond precision.';
COMMENT ON COLUMN audit_log.event IS
	'Stable lower_snake_case event name, e.g. login_failed; the list is in docs/audit.md.';
COMMENT ON COLUMN audit_log.actor IS
	'Who acted: citizen, operator, system, ... (a role, never an e-mail address or name).';
COMMENT ON COLUMN audit_log.subject IS
	'Pseudonymous reference to the account or object concerned (e.g. accounts.audit_ref); never an e-mail address or name. NULL when none.';
COMMENT ON COLUMN audit_log.client IS
	'IP address of the client that caused the event; NULL for operator and system events.';
COMMENT ON COLUMN audit_log.details IS
	'Further facts as a JSON object of short values; never secrets (passwords, tokens, session ids, keys).';
COMMENT ON COLUMN audit_log.prev_hash IS
	'hash of row seq - 1; 32 zero bytes for row 1.';
COMMENT ON COLUMN audit_log.hash IS
	'audit_hash() of this row and prev_hash: SHA-256, 32 bytes.';

CREATE TABLE audit_head (
	id boolean PRIMARY KEY DEFAULT true CHECK (id),
	seq bigint NOT NULL CHECK (seq >= 0),
	prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
	hash bytea NOT NULL CHECK (length(hash) = 32)
);

COMMENT ON TABLE audit_head IS
	'The one row naming the end of the audit chain. Every append updates it in its own transaction; its row lock serializes appends from all nodes until commit.';
COMMENT ON COLUMN audit_head.id IS
	'Always true: keeps the table at one row.';
COMMENT ON COLUMN audit_head.seq IS
	'seq of the last row appended; 0 for an empty log.';
COMMENT ON COLUMN audit_head.prev_hash IS
	'prev_hash of the last row appended (the append statement returns it from here, since UPDATE ... RETURNING sees only new values).';
COMMENT ON COLUMN audit_head.hash IS
	'hash of the last row appended; 32 zero bytes (the genesis value) for an empty log.';

INSERT INTO audit_head (seq, prev_hash, hash)
	VALUES (0, decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'));

-- Guards against mistakes, not against the database owner (who can drop
-- them): audit_log rows are never changed or removed, and audit_head only
-- moves forward by one row at a time along the chain.
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$;

COMMENT ON FUNCTION audit_log_refuse_change() IS
	'Trigger function: refuses UPDATE, DELETE and TRUNCATE on audit_log.';

CREATE TRIGGER audit_log_append_only
	BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate
	BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

CREATE FUNCTION audit_head_forward_only() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'UPDATE' THEN
		RAISE EXCEPTION 'audit_head: % refused', TG_OP;
	END IF;
	IF NEW.id IS DISTINCT FROM OLD.id
		OR NEW.seq IS DISTINCT FROM OLD.seq + 1
		OR NEW.prev_hash IS DISTINCT FROM OLD.hash THEN
		RAISE EXCEPTION 'audit_head moves forward by one row only';
	END IF;
	RETURN NEW;
END;
$$;

COMMENT ON FUNCTION audit_head_forward_only() IS
	'Trigger function: audit_head may only advance by one appended row; no DELETE, no TRUNCATE.';

CREATE TRIGGER audit_head_forward_only
	BEFORE UPDATE OR DELETE ON audit_head
	FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
CREATE TRIGGER audit_head_no_truncate
	BEFORE TRUNCATE ON audit_head
	FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward_only();
