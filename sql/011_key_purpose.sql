-- 011_key_purpose: every key has a purpose (docs/keys.md).
--
-- Besides the IdP's SAML signing keys, idpd is itself a SAML service
-- provider towards the eID service, with its own signing key and its own
-- encryption key. They have the same life cycle (next -> active ->
-- previous -> retired, sealed private key, audit, NOTIFY keys_changed),
-- so they live in the same table, told apart by purpose. Existing rows
-- are the IdP's SAML signing keys: the default says so.

ALTER TABLE signing_keys
	ADD COLUMN purpose text NOT NULL DEFAULT 'saml'
		CHECK (purpose IN ('saml', 'eid-signing', 'eid-encryption'));

-- At most one active and one next key per purpose, in the whole cluster:
-- the IdP's SAML key and the eID signing key sign side by side, but two
-- operators racing to activate an eid-signing key meet here.
DROP INDEX signing_keys_one_active;
DROP INDEX signing_keys_one_next;
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (purpose)
	WHERE state = 'active';
CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys (purpose)
	WHERE state = 'next';

COMMENT ON TABLE signing_keys IS
	'Keys of idpd, signing and encryption alike, told apart by purpose: the IdP''s SAML signing keys and the eID service provider''s signing and encryption keys. Self-signed certificate and sealed private key, with their place in the rollover (docs/keys.md). Changed only by idpctl keys; every change is audited and announced with NOTIFY keys_changed.';
COMMENT ON COLUMN signing_keys.purpose IS
	'What the key is for: saml signs the IdP''s assertions and metadata; eid-signing signs our requests to the eID service; eid-encryption decrypts the eID service''s responses. Rollover states and the one-active/one-next rule apply per purpose.';
COMMENT ON COLUMN signing_keys.state IS
	'next: published, not in use yet; active: in use (at most one per purpose); previous: published, no longer used for signing (an eid-encryption key still decrypts); retired: gone from metadata, private key deleted.';
