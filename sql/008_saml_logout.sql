-- 008_saml_logout: SAML single logout chains (docs/saml.md, "Single
-- logout").
--
-- A logout walks the browser through every other portal of the ended
-- session (front channel), one LogoutRequest after the other. Any node
-- may receive the next step, so the chain lives here: the chain under the
-- hash of a random 256-bit id (the id itself travels only as RelayState of
-- our LogoutRequests and in a short-lived cookie), and one row per portal
-- to reach, copied out of saml_session_participants before the session
-- (and with it those rows) is deleted.

CREATE TABLE saml_logout_chains (
	id bigserial PRIMARY KEY,
	id_hash bytea NOT NULL UNIQUE CHECK (length(id_hash) = 32),
	audit_ref text CHECK (octet_length(audit_ref) <= 256),
	initiator_sp text
		CHECK (octet_length(initiator_sp) BETWEEN 1 AND 1024),
	initiator_request_id text
		CHECK (octet_length(initiator_request_id) BETWEEN 1 AND 256),
	initiator_relay_state text
		CHECK (octet_length(initiator_relay_state) <= 80),
	finished boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	CHECK (expires_at > created_at),
	CHECK ((initiator_sp IS NULL) = (initiator_request_id IS NULL))
);

CREATE INDEX saml_logout_chains_expires ON saml_logout_chains (expires_at);

COMMENT ON TABLE saml_logout_chains IS
	'One single logout in progress: the portals of an ended session are reached one after the other through the browser. Purged when expired.';
COMMENT ON COLUMN saml_logout_chains.id IS 'Internal key.';
COMMENT ON COLUMN saml_logout_chains.id_hash IS
	'BLAKE2b-256 of the random 256-bit chain id (RelayState of our LogoutRequests, cookie sk_slo); the id itself is never stored.';
COMMENT ON COLUMN saml_logout_chains.audit_ref IS
	'Pseudonymous audit reference of the account whose session ended (accounts.audit_ref), for the audit rows of the chain; NULL when unknown.';
COMMENT ON COLUMN saml_logout_chains.initiator_sp IS
	'Entity ID of the portal whose LogoutRequest started the chain; NULL when the citizen logged out here (IdP-initiated).';
COMMENT ON COLUMN saml_logout_chains.initiator_request_id IS
	'ID of that LogoutRequest, returned as InResponseTo of our LogoutResponse.';
COMMENT ON COLUMN saml_logout_chains.initiator_relay_state IS
	'RelayState sent with that LogoutRequest, returned unchanged; NULL when none.';
COMMENT ON COLUMN saml_logout_chains.finished IS
	'Whether the chain has ended (response sent or result page shown).';
COMMENT ON COLUMN saml_logout_chains.created_at IS 'When the session ended.';
COMMENT ON COLUMN saml_logout_chains.expires_at IS
	'After this the chain is refused and purged.';

CREATE TABLE saml_logout_steps (
	chain_id bigint NOT NULL
		REFERENCES saml_logout_chains (id) ON DELETE CASCADE,
	ord integer NOT NULL CHECK (ord > 0),
	sp_entity_id text NOT NULL
		CHECK (octet_length(sp_entity_id) BETWEEN 1 AND 1024),
	nameid text NOT NULL CHECK (nameid ~ '^[A-Za-z0-9_-]{43}$'),
	nameid_format text NOT NULL
		CHECK (nameid_format IN ('persistent', 'transient')),
	session_index text NOT NULL
		CHECK (session_index ~ '^_[A-Za-z0-9_-]{43}$'),
	status text NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'sent', 'ok', 'failed',
				  'no_endpoint')),
	request_id text CHECK (request_id ~ '^_[A-Za-z0-9_-]{43}$'),
	PRIMARY KEY (chain_id, ord),
	CHECK ((status = 'pending') = (request_id IS NULL)
	       OR status = 'no_endpoint')
);

COMMENT ON TABLE saml_logout_steps IS
	'The portals a logout chain reaches: one row per assertion issued in the ended session, except to the portal that asked for the logout.';
COMMENT ON COLUMN saml_logout_steps.chain_id IS 'The chain.';
COMMENT ON COLUMN saml_logout_steps.ord IS 'Order in which the portals are reached, from 1.';
COMMENT ON COLUMN saml_logout_steps.sp_entity_id IS 'The portal.';
COMMENT ON COLUMN saml_logout_steps.nameid IS 'The NameID it got, sent back in our LogoutRequest.';
COMMENT ON COLUMN saml_logout_steps.nameid_format IS 'persistent or transient.';
COMMENT ON COLUMN saml_logout_steps.session_index IS 'The SessionIndex it got.';
COMMENT ON COLUMN saml_logout_steps.status IS
	'pending (not reached yet), sent (LogoutRequest on its way, no answer yet), ok (logged out), failed (answered with an error), no_endpoint (no SingleLogoutService in its metadata, or no longer enabled).';
COMMENT ON COLUMN saml_logout_steps.request_id IS
	'ID of the LogoutRequest we sent; its LogoutResponse must name it as InResponseTo. NULL while pending.';
