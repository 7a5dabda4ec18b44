-- 005_keys: the IdP's SAML signing keys (docs/keys.md).
--
-- A key moves next -> active -> previous -> retired (a next key may also
-- be retired without ever signing). next is published in metadata but
-- does not sign; active signs; previous is still published, so that
-- signatures made just before a rollover verify; retired is gone from
-- metadata and its sealed private key is deleted. The private key never
-- reaches the database in clear: keys/ seals it with the master key
-- (libsodium secretbox) first. Every change runs in one transaction with
-- its audit row and a NOTIFY keys_changed, through keys/keys_change.c.

CREATE TABLE signing_keys (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	state text NOT NULL
		CHECK (state IN ('next', 'active', 'previous', 'retired')),
	bits integer NOT NULL CHECK (bits IN (2048, 3072, 4096)),
	fingerprint text NOT NULL UNIQUE
		CHECK (fingerprint ~ '^([0-9A-F]{2}:){31}[0-9A-F]{2}$'),
	certificate text NOT NULL
		CHECK (octet_length(certificate) BETWEEN 64 AND 16384
		       AND certificate LIKE '-----BEGIN CERTIFICATE-----%'),
	sealed_key bytea
		CHECK (octet_length(sealed_key) BETWEEN 41 AND 16384),
	not_before timestamptz NOT NULL,
	not_after timestamptz NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	published_at timestamptz NOT NULL DEFAULT now(),
	activated_at timestamptz,
	deactivated_at timestamptz,
	retired_at timestamptz,
	CHECK (not_after > not_before),
	-- The private key exists exactly as long as the key may sign again.
	CHECK ((state = 'retired') = (sealed_key IS NULL)),
	CHECK ((state = 'retired') = (retired_at IS NOT NULL)),
	CHECK (state IN ('next', 'retired') OR activated_at IS NOT NULL),
	CHECK (state <> 'next' OR activated_at IS NULL),
	CHECK ((state = 'previous') <= (deactivated_at IS NOT NULL))
);

-- At most one key signs and at most one waits to sign, in the whole
-- cluster. Two operators racing meet here, not in the metadata.
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys ((true))
	WHERE state = 'active';
CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys ((true))
	WHERE state = 'next';

COMMENT ON TABLE signing_keys IS
	'SAML signing keys of the IdP: self-signed certificate and sealed private key, with their place in the rollover (docs/keys.md). Changed only by idpctl keys; every change is audited and announced with NOTIFY keys_changed.';
COMMENT ON COLUMN signing_keys.id IS
	'Number the operator names the key by (idpctl keys activate ID).';
COMMENT ON COLUMN signing_keys.state IS
	'next: published, does not sign; active: signs (at most one); previous: published, no longer signs; retired: gone from metadata, private key deleted.';
COMMENT ON COLUMN signing_keys.bits IS
	'RSA modulus size; 3072 unless the operator chose otherwise (BSI TR-02102-1 asks for 3000 or more).';
COMMENT ON COLUMN signing_keys.fingerprint IS
	'SHA-256 of the DER certificate, upper-case hex pairs separated by colons (as openssl x509 -fingerprint -sha256 prints it).';
COMMENT ON COLUMN signing_keys.certificate IS
	'The self-signed X.509 certificate in PEM, as published in metadata. Public.';
COMMENT ON COLUMN signing_keys.sealed_key IS
	'The private key (PKCS#8 PEM) sealed with the master key: 24-byte random nonce, then the libsodium secretbox (XSalsa20-Poly1305) ciphertext with its 16-byte tag. NULL once retired.';
COMMENT ON COLUMN signing_keys.not_before IS
	'Start of the certificate''s validity.';
COMMENT ON COLUMN signing_keys.not_after IS
	'End of the certificate''s validity.';
COMMENT ON COLUMN signing_keys.created_at IS
	'When the key was generated.';
COMMENT ON COLUMN signing_keys.published_at IS
	'Since when the key is published in metadata (it became next); the rollover window counts from here.';
COMMENT ON COLUMN signing_keys.activated_at IS
	'When the key became active; NULL while next, or when retired without having signed.';
COMMENT ON COLUMN signing_keys.deactivated_at IS
	'When another key took over and this one became previous.';
COMMENT ON COLUMN signing_keys.retired_at IS
	'When the key was retired (removed from metadata, private key deleted).';
