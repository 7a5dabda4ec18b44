-- 013_eid_accounts: the eID card linked to an account, the place of birth
-- it gives, and the short-lived hold of a verified identity that has to
-- wait for a login or a registration (docs/eid.md, "Flows").
--
-- The card's pseudonym (restricted identification) is never stored: only
-- its keyed BLAKE2b-256 hash (eid_pseudonym_hash()), so the table cannot be
-- matched against pseudonyms from elsewhere without the key.

ALTER TABLE accounts
	ADD COLUMN place_of_birth text
		CHECK (length(place_of_birth) <= 200),
	ADD COLUMN place_of_birth_source text NOT NULL DEFAULT 'self'
		CHECK (place_of_birth_source IN ('self', 'eid'));

COMMENT ON COLUMN accounts.place_of_birth IS
	'Place of birth, optional; set from the eID card when one is linked.';
COMMENT ON COLUMN accounts.place_of_birth_source IS
	'Source of place_of_birth: self or eid (then read-only for the citizen).';

CREATE TABLE eid_links (
	account_id bigint PRIMARY KEY
		REFERENCES accounts (id) ON DELETE CASCADE,
	pseudonym_hash bytea NOT NULL UNIQUE
		CHECK (length(pseudonym_hash) = 32),
	document_type text CHECK (length(document_type) <= 16),
	linked_at timestamptz NOT NULL DEFAULT now(),
	replaced_at timestamptz,
	replacements integer NOT NULL DEFAULT 0 CHECK (replacements >= 0)
);

COMMENT ON TABLE eid_links IS
	'The eID card linked to an account: at most one card per account (primary key) and one account per card (unique pseudonym hash).';
COMMENT ON COLUMN eid_links.account_id IS
	'The account the card belongs to; the link goes with the account.';
COMMENT ON COLUMN eid_links.pseudonym_hash IS
	'Keyed BLAKE2b-256 of the card''s pseudonym for our service (restricted identification); the pseudonym itself is never stored.';
COMMENT ON COLUMN eid_links.document_type IS
	'Document type the eID service named: ID (German identity card), AR (residence permit), UB (eID card for Union citizens) or what it sends.';
COMMENT ON COLUMN eid_links.linked_at IS
	'When this card was linked (the first card or its latest replacement).';
COMMENT ON COLUMN eid_links.replaced_at IS
	'When a new card last replaced the previous one (same names and date of birth); NULL if never. Earlier pseudonym hashes are not kept: the audit log records each replacement.';
COMMENT ON COLUMN eid_links.replacements IS
	'How many times a new card replaced the linked one.';

CREATE TABLE eid_held_identities (
	handle_hash bytea PRIMARY KEY CHECK (length(handle_hash) = 32),
	pseudonym_hash bytea NOT NULL CHECK (length(pseudonym_hash) = 32),
	family_name text CHECK (length(family_name) <= 200),
	given_names text CHECK (length(given_names) <= 200),
	birth_date date CHECK (birth_date BETWEEN '0001-01-01' AND '9999-12-31'),
	place_of_birth text CHECK (length(place_of_birth) <= 200),
	street text CHECK (length(street) <= 200),
	postal_code text CHECK (length(postal_code) <= 20),
	city text CHECK (length(city) <= 200),
	document_type text CHECK (length(document_type) <= 16),
	pending text CHECK (length(pending) <= 64),
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	CHECK (expires_at > created_at)
);

CREATE INDEX eid_held_identities_expires ON eid_held_identities (expires_at);

COMMENT ON TABLE eid_held_identities IS
	'A verified eID identity of a card that is linked to no account, held for 15 minutes while the citizen registers with it or logs in with the password to link it. Deleted when used, and by the janitor when expired.';
COMMENT ON COLUMN eid_held_identities.handle_hash IS
	'BLAKE2b-256 of the random 256-bit handle in the browser''s sk_eid_hold cookie; the handle itself is never stored.';
COMMENT ON COLUMN eid_held_identities.pseudonym_hash IS
	'Keyed BLAKE2b-256 of the card''s pseudonym, to be linked.';
COMMENT ON COLUMN eid_held_identities.family_name IS 'Family name from the card.';
COMMENT ON COLUMN eid_held_identities.given_names IS 'Given names from the card.';
COMMENT ON COLUMN eid_held_identities.birth_date IS 'Date of birth from the card.';
COMMENT ON COLUMN eid_held_identities.place_of_birth IS 'Place of birth from the card.';
COMMENT ON COLUMN eid_held_identities.street IS 'Address from the card: street and number.';
COMMENT ON COLUMN eid_held_identities.postal_code IS 'Address from the card: postal code.';
COMMENT ON COLUMN eid_held_identities.city IS 'Address from the card: city.';
COMMENT ON COLUMN eid_held_identities.document_type IS 'Document type from the eID service.';
COMMENT ON COLUMN eid_held_identities.pending IS
	'Public id of the portal''s pending SAML request the eID login came with, or NULL; continued after the password login that links the card.';
COMMENT ON COLUMN eid_held_identities.created_at IS 'When the identity was verified.';
COMMENT ON COLUMN eid_held_identities.expires_at IS
	'15 minutes after created_at; an expired hold is refused and purged.';
