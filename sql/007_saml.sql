-- 007_saml: the state of SAML Web SSO (docs/saml.md).
--
-- Pending AuthnRequests wait here while the citizen logs in or registers
-- (never in the URL: only a random id travels, stored as a hash); request
-- IDs are kept until no request with them could pass the age check again
-- (replay cache); each account has one stable pseudonym per relying
-- party (persistent pairwise NameID); and every assertion issued is
-- recorded with its session, for single logout.

CREATE TABLE saml_pending_requests (
	id_hash bytea PRIMARY KEY CHECK (length(id_hash) = 32),
	sp_entity_id text NOT NULL
		CHECK (octet_length(sp_entity_id) BETWEEN 1 AND 1024),
	request_id text NOT NULL
		CHECK (octet_length(request_id) BETWEEN 1 AND 256),
	acs_url text NOT NULL CHECK (octet_length(acs_url) BETWEEN 1 AND 2048),
	relay_state text CHECK (octet_length(relay_state) <= 80),
	force_authn boolean NOT NULL,
	is_passive boolean NOT NULL,
	nameid_format text NOT NULL
		CHECK (nameid_format IN ('persistent', 'transient')),
	allow_create boolean NOT NULL,
	authn_comparison text NOT NULL
		CHECK (authn_comparison IN ('none', 'exact', 'minimum',
					    'better', 'maximum')),
	authn_class_refs text NOT NULL
		CHECK (octet_length(authn_class_refs) <= 4096),
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	CHECK (expires_at > created_at)
);

CREATE INDEX saml_pending_requests_expires
	ON saml_pending_requests (expires_at);

COMMENT ON TABLE saml_pending_requests IS
	'AuthnRequests that passed every check and wait for the citizen to log in or register; single use, deleted when the response is built or when they expire.';
COMMENT ON COLUMN saml_pending_requests.id_hash IS
	'BLAKE2b-256 of the random 256-bit id that the login and registration pages carry as "pending"; the id itself is never stored.';
COMMENT ON COLUMN saml_pending_requests.sp_entity_id IS
	'Issuer of the request: the relying party the response goes to.';
COMMENT ON COLUMN saml_pending_requests.request_id IS
	'ID of the AuthnRequest, returned as InResponseTo.';
COMMENT ON COLUMN saml_pending_requests.acs_url IS
	'AssertionConsumerService URL chosen from the relying party''s metadata when the request was checked.';
COMMENT ON COLUMN saml_pending_requests.relay_state IS
	'RelayState sent with the request (at most 80 bytes, saml-bindings-2.0 3.4.3), returned unchanged; NULL when none.';
COMMENT ON COLUMN saml_pending_requests.force_authn IS
	'ForceAuthn: only a login made after the request counts.';
COMMENT ON COLUMN saml_pending_requests.is_passive IS
	'IsPassive: the citizen must not be asked to log in; without a session the answer is NoPassive.';
COMMENT ON COLUMN saml_pending_requests.nameid_format IS
	'NameID format decided from NameIDPolicy and the relying party''s setting.';
COMMENT ON COLUMN saml_pending_requests.allow_create IS
	'NameIDPolicy AllowCreate: whether a new persistent pseudonym may be made for the account.';
COMMENT ON COLUMN saml_pending_requests.authn_comparison IS
	'RequestedAuthnContext Comparison, or none when no context was requested.';
COMMENT ON COLUMN saml_pending_requests.authn_class_refs IS
	'Requested AuthnContextClassRef values, one per line, in request order.';
COMMENT ON COLUMN saml_pending_requests.created_at IS
	'When the request was checked.';
COMMENT ON COLUMN saml_pending_requests.expires_at IS
	'After this the pending request is refused and purged.';

CREATE TABLE saml_replay_cache (
	issuer text NOT NULL CHECK (octet_length(issuer) BETWEEN 1 AND 1024),
	request_id text NOT NULL
		CHECK (octet_length(request_id) BETWEEN 1 AND 256),
	expires_at timestamptz NOT NULL,
	PRIMARY KEY (issuer, request_id)
);

CREATE INDEX saml_replay_cache_expires ON saml_replay_cache (expires_at);

COMMENT ON TABLE saml_replay_cache IS
	'IDs of the SAML requests seen, per issuer, until a request with that ID would fail the IssueInstant check anyway; a second request with a known ID is a replay.';
COMMENT ON COLUMN saml_replay_cache.issuer IS 'Issuer of the request.';
COMMENT ON COLUMN saml_replay_cache.request_id IS 'ID attribute of the request.';
COMMENT ON COLUMN saml_replay_cache.expires_at IS
	'When the entry may be forgotten (and purged).';

CREATE TABLE saml_pairwise_ids (
	account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	sp_entity_id text NOT NULL
		CHECK (octet_length(sp_entity_id) BETWEEN 1 AND 1024),
	nameid text NOT NULL UNIQUE CHECK (nameid ~ '^[A-Za-z0-9_-]{43}$'),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (account_id, sp_entity_id)
);

COMMENT ON TABLE saml_pairwise_ids IS
	'The persistent NameID of each account at each relying party: a random pseudonym, different per relying party (no two portals can link their users), stable forever (also when the relying party is removed and added again), never derived from the e-mail address.';
COMMENT ON COLUMN saml_pairwise_ids.account_id IS 'The account; the pseudonym goes with it.';
COMMENT ON COLUMN saml_pairwise_ids.sp_entity_id IS
	'Entity ID of the relying party (not a reference: the pseudonym outlives a registration).';
COMMENT ON COLUMN saml_pairwise_ids.nameid IS
	'256 random bits, base64url without padding (43 characters).';
COMMENT ON COLUMN saml_pairwise_ids.created_at IS
	'When the account first went to this relying party.';

CREATE TABLE saml_session_participants (
	id bigserial PRIMARY KEY,
	session_id bigint NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	sp_entity_id text NOT NULL
		CHECK (octet_length(sp_entity_id) BETWEEN 1 AND 1024),
	nameid text NOT NULL CHECK (nameid ~ '^[A-Za-z0-9_-]{43}$'),
	nameid_format text NOT NULL
		CHECK (nameid_format IN ('persistent', 'transient')),
	session_index text NOT NULL UNIQUE
		CHECK (session_index ~ '^_[A-Za-z0-9_-]{43}$'),
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX saml_session_participants_session
	ON saml_session_participants (session_id);

COMMENT ON TABLE saml_session_participants IS
	'Every assertion issued: which relying party got which NameID and SessionIndex in which login session; single logout reaches each of them. Deleted with the session.';
COMMENT ON COLUMN saml_session_participants.id IS 'Internal key.';
COMMENT ON COLUMN saml_session_participants.session_id IS 'The login session the assertion was issued from.';
COMMENT ON COLUMN saml_session_participants.sp_entity_id IS 'The relying party.';
COMMENT ON COLUMN saml_session_participants.nameid IS 'The NameID in the assertion.';
COMMENT ON COLUMN saml_session_participants.nameid_format IS 'persistent or transient.';
COMMENT ON COLUMN saml_session_participants.session_index IS
	'SessionIndex of the AuthnStatement: "_" and 256 random bits, base64url.';
COMMENT ON COLUMN saml_session_participants.created_at IS 'When the assertion was issued.';
