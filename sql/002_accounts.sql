-- 002_accounts: citizen accounts, e-mail tokens, sessions, login throttling.
--
-- Secrets are never stored: tokens and session ids only as BLAKE2b-256
-- hashes, passwords only as Argon2id strings.

CREATE TABLE accounts (
	id bigserial PRIMARY KEY,
	audit_ref text NOT NULL UNIQUE CHECK (audit_ref ~ '^[0-9a-f]{32}$'),
	email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	email_verified_at timestamptz,
	pending_email text CHECK (length(pending_email) BETWEEN 3 AND 254),
	password_hash text CHECK (length(password_hash) <= 512),
	given_name text NOT NULL CHECK (length(given_name) <= 200),
	family_name text NOT NULL CHECK (length(family_name) <= 200),
	birth_date date CHECK (birth_date BETWEEN '0001-01-01' AND '9999-12-31'),
	street text CHECK (length(street) <= 200),
	postal_code text CHECK (length(postal_code) <= 20),
	city text CHECK (length(city) <= 200),
	name_source text NOT NULL DEFAULT 'self' CHECK (name_source IN ('self', 'eid')),
	birth_date_source text NOT NULL DEFAULT 'self' CHECK (birth_date_source IN ('self', 'eid')),
	address_source text NOT NULL DEFAULT 'self' CHECK (address_source IN ('self', 'eid')),
	status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'locked')),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX accounts_email_lower ON accounts (lower(email));
CREATE INDEX accounts_unverified ON accounts (created_at)
	WHERE email_verified_at IS NULL;

COMMENT ON TABLE accounts IS
	'One Servicekonto per citizen: login data and the profile attributes that portals may receive.';
COMMENT ON COLUMN accounts.id IS
	'Internal key; never shown to citizens or portals.';
COMMENT ON COLUMN accounts.audit_ref IS
	'Random 128-bit pseudonym (hex) naming the account in the audit log, so the log stays meaningful after the account is deleted without holding personal data.';
COMMENT ON COLUMN accounts.email IS
	'Login name and contact address; unique without regard to case.';
COMMENT ON COLUMN accounts.email_verified_at IS
	'When the citizen proved control of email; NULL = unverified: cannot log in, purged after the verification link expires.';
COMMENT ON COLUMN accounts.pending_email IS
	'New address requested by the citizen, becomes email once verified.';
COMMENT ON COLUMN accounts.password_hash IS
	'Argon2id string from libsodium crypto_pwhash_str (parameters inside, about 100 characters); NULL when no password is set.';
COMMENT ON COLUMN accounts.given_name IS 'Given name(s).';
COMMENT ON COLUMN accounts.family_name IS 'Family name.';
COMMENT ON COLUMN accounts.birth_date IS
	'Date of birth, optional; within years 1 to 9999, so that it always reads back as YYYY-MM-DD.';
COMMENT ON COLUMN accounts.street IS 'Postal address: street and number, optional.';
COMMENT ON COLUMN accounts.postal_code IS 'Postal address: postal code, optional.';
COMMENT ON COLUMN accounts.city IS 'Postal address: city, optional.';
COMMENT ON COLUMN accounts.name_source IS
	'Where given and family name come from: self-declared or verified by eID (then read-only for the citizen).';
COMMENT ON COLUMN accounts.birth_date_source IS 'Source of birth_date: self or eid.';
COMMENT ON COLUMN accounts.address_source IS 'Source of the postal address: self or eid.';
COMMENT ON COLUMN accounts.status IS
	'active, or locked by an operator (no login, sessions ended).';
COMMENT ON COLUMN accounts.created_at IS 'When the account was registered.';
COMMENT ON COLUMN accounts.updated_at IS 'Last change of any column.';

CREATE TABLE email_tokens (
	token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
	account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	purpose text NOT NULL CHECK (purpose IN ('verify', 'reset', 'email_change')),
	email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	used_at timestamptz
);

CREATE INDEX email_tokens_account ON email_tokens (account_id, purpose);
CREATE INDEX email_tokens_expires ON email_tokens (expires_at);

COMMENT ON TABLE email_tokens IS
	'Single-use links sent by e-mail: address verification, password reset, e-mail change.';
COMMENT ON COLUMN email_tokens.token_hash IS
	'BLAKE2b-256 of the 256-bit token in the link; the token itself is never stored.';
COMMENT ON COLUMN email_tokens.account_id IS 'The account the link acts on.';
COMMENT ON COLUMN email_tokens.purpose IS
	'What the link does; a token for one purpose is useless for another.';
COMMENT ON COLUMN email_tokens.email IS
	'The address the link was sent to (for email_change: the new address).';
COMMENT ON COLUMN email_tokens.created_at IS 'When the link was made.';
COMMENT ON COLUMN email_tokens.expires_at IS
	'After this the link is refused (24 h for verify, 1 h for reset); set to the present to invalidate an unused link early.';
COMMENT ON COLUMN email_tokens.used_at IS
	'When the link was used; a used link is refused.';

CREATE TABLE sessions (
	id bigserial PRIMARY KEY,
	token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	handle text NOT NULL UNIQUE CHECK (handle ~ '^[0-9a-f]{32}$'),
	account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	auth_method text NOT NULL CHECK (auth_method IN ('password', 'eid')),
	loa text NOT NULL CHECK (loa IN ('low', 'substantial', 'high')),
	created_at timestamptz NOT NULL DEFAULT now(),
	last_seen_at timestamptz NOT NULL DEFAULT now(),
	idle_expires_at timestamptz NOT NULL,
	absolute_expires_at timestamptz NOT NULL,
	client text CHECK (length(client) <= 64),
	user_agent text CHECK (length(user_agent) <= 256),
	CHECK (idle_expires_at <= absolute_expires_at)
);

CREATE INDEX sessions_account ON sessions (account_id);
-- Idle expiry never passes the absolute one (CHECK above), so "either
-- expiry passed" is "idle_expires_at passed", which this index answers.
CREATE INDEX sessions_expiry ON sessions (idle_expires_at);

COMMENT ON TABLE sessions IS
	'Logged-in browser sessions; any node can check them.';
COMMENT ON COLUMN sessions.id IS 'Internal key.';
COMMENT ON COLUMN sessions.token_hash IS
	'BLAKE2b-256 of the 256-bit cookie value; the value itself is never stored.';
COMMENT ON COLUMN sessions.handle IS
	'Random public name of the session for the account page ("end this session"); not a secret, grants nothing.';
COMMENT ON COLUMN sessions.account_id IS 'Whose session it is.';
COMMENT ON COLUMN sessions.auth_method IS 'How the citizen logged in: password or eid.';
COMMENT ON COLUMN sessions.loa IS 'Level of assurance reached: low (password), substantial, high (eID).';
COMMENT ON COLUMN sessions.created_at IS 'Login time.';
COMMENT ON COLUMN sessions.last_seen_at IS 'Last request with this session (updated at most once a minute).';
COMMENT ON COLUMN sessions.idle_expires_at IS
	'Ends when no request comes before this time; never after absolute_expires_at.';
COMMENT ON COLUMN sessions.absolute_expires_at IS 'Ends at this time whatever the activity.';
COMMENT ON COLUMN sessions.client IS 'Client address at login, shown to the citizen.';
COMMENT ON COLUMN sessions.user_agent IS 'Browser at login (at most 256 characters), shown to the citizen.';

CREATE TABLE login_throttle (
	key text PRIMARY KEY CHECK (length(key) <= 128),
	failures integer NOT NULL CHECK (failures >= 0),
	last_failure_at timestamptz NOT NULL,
	blocked_until timestamptz NOT NULL
);

CREATE INDEX login_throttle_last ON login_throttle (last_failure_at);

COMMENT ON TABLE login_throttle IS
	'Failed logins per e-mail address and per client address, shared by all nodes; drives growing delays.';
COMMENT ON COLUMN login_throttle.key IS
	'"email:" plus the hex keyed BLAKE2b-256 hash of the lower-cased address (key: settings throttle_email_key) (also for unknown addresses, so throttling reveals nothing), or "ip:" plus the client address (IPv6: its /64).';
COMMENT ON COLUMN login_throttle.failures IS 'Failures since the last success or reset.';
COMMENT ON COLUMN login_throttle.last_failure_at IS
	'Time of the last failure; a counter whose last failure is older than the configured window starts over.';
COMMENT ON COLUMN login_throttle.blocked_until IS
	'No login attempt for this key is checked before this time.';
