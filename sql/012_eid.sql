-- 012_eid: the SAML service-provider side toward the eID service
-- (docs/eid.md).
--
-- One configured eID service (BSI TR-03130 eID server answering over
-- SAML 2.0), the AuthnRequests we sent it and wait an answer for (bound to
-- the browser that started them, single use), and the IDs of the responses
-- and assertions already accepted (replay cache).

CREATE TABLE eid_service (
	id boolean PRIMARY KEY DEFAULT true CHECK (id),
	entity_id text NOT NULL
		CHECK (octet_length(entity_id) BETWEEN 1 AND 1024),
	metadata_xml text NOT NULL
		CHECK (octet_length(metadata_xml) BETWEEN 1 AND 1048576),
	metadata_url text CHECK (octet_length(metadata_url) BETWEEN 1 AND 2048),
	attr_pseudonym text NOT NULL
		DEFAULT 'http://eidas.europa.eu/attributes/naturalperson/PersonIdentifier'
		CHECK (octet_length(attr_pseudonym) BETWEEN 1 AND 512),
	attr_family_name text NOT NULL
		DEFAULT 'http://eidas.europa.eu/attributes/naturalperson/CurrentFamilyName'
		CHECK (octet_length(attr_family_name) BETWEEN 1 AND 512),
	attr_given_names text NOT NULL
		DEFAULT 'http://eidas.europa.eu/attributes/naturalperson/CurrentGivenName'
		CHECK (octet_length(attr_given_names) BETWEEN 1 AND 512),
	attr_birth_date text NOT NULL
		DEFAULT 'http://eidas.europa.eu/attributes/naturalperson/DateOfBirth'
		CHECK (octet_length(attr_birth_date) BETWEEN 1 AND 512),
	attr_place_of_birth text NOT NULL
		DEFAULT 'http://eidas.europa.eu/attributes/naturalperson/PlaceOfBirth'
		CHECK (octet_length(attr_place_of_birth) BETWEEN 1 AND 512),
	attr_address text NOT NULL
		DEFAULT 'http://eidas.europa.eu/attributes/naturalperson/CurrentAddress'
		CHECK (octet_length(attr_address) BETWEEN 1 AND 512),
	attr_document_type text NOT NULL
		DEFAULT 'http://bsi.bund.de/eID/DocumentType'
		CHECK (octet_length(attr_document_type) BETWEEN 1 AND 512),
	updated_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE eid_service IS
	'The eID service idpd sends eID AuthnRequests to (at most one row). Changed only by idpctl eid configure/remove; every change is audited and announced with NOTIFY eid_changed.';
COMMENT ON COLUMN eid_service.id IS
	'Always true: the table holds at most one row.';
COMMENT ON COLUMN eid_service.entity_id IS
	'entityID of the eID service''s IdP metadata; responses must have it as Issuer.';
COMMENT ON COLUMN eid_service.metadata_xml IS
	'The eID service''s IdP metadata (EntityDescriptor with an IDPSSODescriptor), checked with the same hardening as relying-party metadata; its signing certificates verify the responses.';
COMMENT ON COLUMN eid_service.metadata_url IS
	'The https URL the metadata was fetched from by idpctl eid configure, or NULL when it was read from a file.';
COMMENT ON COLUMN eid_service.attr_pseudonym IS
	'SAML attribute Name carrying the card''s service-specific pseudonym (restricted identification).';
COMMENT ON COLUMN eid_service.attr_family_name IS
	'SAML attribute Name carrying the family name.';
COMMENT ON COLUMN eid_service.attr_given_names IS
	'SAML attribute Name carrying the given names.';
COMMENT ON COLUMN eid_service.attr_birth_date IS
	'SAML attribute Name carrying the date of birth (YYYY-MM-DD).';
COMMENT ON COLUMN eid_service.attr_place_of_birth IS
	'SAML attribute Name carrying the place of birth.';
COMMENT ON COLUMN eid_service.attr_address IS
	'SAML attribute Name carrying the address (eIDAS CurrentAddress: base64 of the address parts).';
COMMENT ON COLUMN eid_service.attr_document_type IS
	'SAML attribute Name carrying the document type (ID, AR, UB, ...).';
COMMENT ON COLUMN eid_service.updated_at IS
	'When the row was last written; part of the generation that makes each worker rebuild its eID lasso server.';

CREATE TABLE eid_requests (
	id_hash bytea PRIMARY KEY CHECK (length(id_hash) = 32),
	purpose text NOT NULL CHECK (purpose IN ('link', 'login', 'step_up')),
	session_id bigint REFERENCES sessions (id) ON DELETE CASCADE,
	pending_sealed bytea
		CHECK (octet_length(pending_sealed) BETWEEN 41 AND 128),
	binding_hash bytea NOT NULL CHECK (length(binding_hash) = 32),
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	CHECK (expires_at > created_at),
	CHECK ((purpose = 'login') = (session_id IS NULL))
);

CREATE INDEX eid_requests_expires ON eid_requests (expires_at);

COMMENT ON TABLE eid_requests IS
	'eID AuthnRequests sent and not yet answered; single use: the response that answers one deletes it in the same statement that finds it.';
COMMENT ON COLUMN eid_requests.id_hash IS
	'BLAKE2b-256 of the ID of our AuthnRequest (the response''s InResponseTo); the ID itself is not stored.';
COMMENT ON COLUMN eid_requests.purpose IS
	'Why the round trip was started: link a card, log in with it, or step up a session to level high.';
COMMENT ON COLUMN eid_requests.session_id IS
	'The login session that started a link or step-up; NULL for login.';
COMMENT ON COLUMN eid_requests.pending_sealed IS
	'The pending SAML request id of the portal waiting for this login, sealed (libsodium secretbox, 24-byte nonce first) with a key derived from the browser-binding secret, which only the browser holds; NULL when no portal waits.';
COMMENT ON COLUMN eid_requests.binding_hash IS
	'BLAKE2b-256 of the random 256-bit secret in the browser-binding cookie (sk_eid) of the browser that started the request; only that browser may finish it.';
COMMENT ON COLUMN eid_requests.created_at IS
	'When the AuthnRequest was sent.';
COMMENT ON COLUMN eid_requests.expires_at IS
	'After this the request is refused and purged.';

CREATE TABLE eid_replay_cache (
	kind text NOT NULL CHECK (kind IN ('response', 'assertion')),
	id text NOT NULL CHECK (octet_length(id) BETWEEN 1 AND 256),
	expires_at timestamptz NOT NULL,
	PRIMARY KEY (kind, id)
);

CREATE INDEX eid_replay_cache_expires ON eid_replay_cache (expires_at);

COMMENT ON TABLE eid_replay_cache IS
	'IDs of the eID responses and assertions accepted, until an assertion with that ID would fail the age check anyway; a second one with a known ID is a replay.';
COMMENT ON COLUMN eid_replay_cache.kind IS
	'response (Response ID) or assertion (Assertion ID).';
COMMENT ON COLUMN eid_replay_cache.id IS
	'The ID attribute as sent by the eID service.';
COMMENT ON COLUMN eid_replay_cache.expires_at IS
	'When the entry may be forgotten (and purged).';
