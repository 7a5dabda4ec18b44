-- 006_relying_parties: the registry of relying parties (SAML service
-- providers, "SPs") and what each may receive.
--
-- Rows are written only by idpctl sp and by the metadata refresh
-- (idp/saml/saml_sp_*.c), each change in one transaction together with
-- its audit row and a NOTIFY relying_parties_changed, so that every idpd
-- node rebuilds its lasso server. See docs/relying-parties.md.

-- Whether @names is a release list: only names the IdP knows how to
-- release, none twice, no NULL. Immutable, so that a CHECK may use it.
CREATE FUNCTION relying_party_attributes_valid(names text[])
RETURNS boolean LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT coalesce(array_ndims(names), 1) = 1
	   AND coalesce(cardinality(names), 0) <= 5
	   AND array_position(names, NULL) IS NULL
	   AND names <@ ARRAY['given_name', 'family_name', 'email',
			      'birth_date', 'address']::text[]
	   AND (SELECT count(DISTINCT n) FROM unnest(names) AS n)
	       = coalesce(cardinality(names), 0)
$$;

COMMENT ON FUNCTION relying_party_attributes_valid(text[]) IS
	'CHECK helper of relying_parties.release_attributes: a one-dimensional list of distinct known attribute names.';

CREATE TABLE relying_parties (
	id bigserial PRIMARY KEY,
	entity_id text NOT NULL UNIQUE
		CHECK (octet_length(entity_id) BETWEEN 3 AND 1024
		       AND entity_id ~ '^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9._~:/?#@!$&''()*+,;=%\[\]-]+$'),
	metadata text NOT NULL
		CHECK (octet_length(metadata) BETWEEN 1 AND 1048576),
	metadata_url text
		CHECK (octet_length(metadata_url) <= 2048
		       AND metadata_url ~ '^https?://[^[:space:][:cntrl:]]+$'),
	fetched_at timestamptz,
	refresh_failed_at timestamptz,
	refresh_error text CHECK (octet_length(refresh_error) <= 512),
	enabled boolean NOT NULL DEFAULT true,
	release_attributes text[] NOT NULL DEFAULT '{}'
		CHECK (relying_party_attributes_valid(release_attributes)),
	attribute_profile text NOT NULL DEFAULT 'oid'
		CHECK (attribute_profile IN ('eidas', 'oid')),
	nameid_format text NOT NULL DEFAULT 'persistent'
		CHECK (nameid_format IN ('persistent', 'transient')),
	require_signed_requests boolean NOT NULL DEFAULT false,
	encrypt_assertions boolean NOT NULL DEFAULT false,
	revision bigint NOT NULL DEFAULT 1 CHECK (revision > 0),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CHECK (fetched_at IS NULL OR metadata_url IS NOT NULL),
	CHECK ((refresh_failed_at IS NULL) = (refresh_error IS NULL))
);

COMMENT ON TABLE relying_parties IS
	'Registered SAML service providers (portals): their metadata as imported and validated, and the release and NameID policy the IdP applies to them. Changed only through idpctl sp and the metadata refresh; every change is audited and announced with NOTIFY relying_parties_changed (payload: the entity ID).';
COMMENT ON COLUMN relying_parties.id IS
	'Internal key; also the stable reference ("sp") in audit details.';
COMMENT ON COLUMN relying_parties.entity_id IS
	'The SP''s SAML entityID from its metadata: an absolute URI of at most 1024 bytes, the Issuer of its AuthnRequests. Never changes for a row: new metadata must name the same entity.';
COMMENT ON COLUMN relying_parties.metadata IS
	'The SP''s SAML 2.0 metadata document as imported (UTF-8, at most 1 MiB, no DTD), validated by saml_sp_metadata_parse(): exactly one EntityDescriptor with one SPSSODescriptor, HTTP-POST AssertionConsumerService at an https URL, parseable certificates, validUntil not passed at import.';
COMMENT ON COLUMN relying_parties.metadata_url IS
	'Where the metadata was fetched from (https, or http to loopback for tests) and is fetched again by idpctl sp refresh and, later, by idpd; NULL when it was imported from a file.';
COMMENT ON COLUMN relying_parties.fetched_at IS
	'When the metadata was last fetched from metadata_url and found valid (whether or not it had changed); NULL for metadata from a file.';
COMMENT ON COLUMN relying_parties.refresh_failed_at IS
	'When the last refresh failed (download failed or the new copy was invalid, so the old one was kept); NULL after a successful refresh or new metadata.';
COMMENT ON COLUMN relying_parties.refresh_error IS
	'Why the last refresh failed, one line of at most 512 bytes; NULL exactly when refresh_failed_at is.';
COMMENT ON COLUMN relying_parties.enabled IS
	'Whether the IdP answers this SP''s requests; a disabled SP keeps its settings but gets no assertions.';
COMMENT ON COLUMN relying_parties.release_attributes IS
	'Profile attributes the SP may receive, from the fixed list given_name, family_name, email, birth_date, address; empty: none (only the NameID).';
COMMENT ON COLUMN relying_parties.attribute_profile IS
	'How released attributes are named in the assertion: eidas (eIDAS natural person URIs) or oid (SAML X.500/LDAP profile, urn:oid names).';
COMMENT ON COLUMN relying_parties.nameid_format IS
	'NameID the SP gets unless it asks for another allowed one: persistent (a pairwise pseudonym, stable per account and SP) or transient (new per session).';
COMMENT ON COLUMN relying_parties.require_signed_requests IS
	'Whether AuthnRequests from this SP must carry a valid signature by a signing certificate of its metadata.';
COMMENT ON COLUMN relying_parties.encrypt_assertions IS
	'Whether assertions to this SP are encrypted to the encryption certificate of its metadata (set only when there is one).';
COMMENT ON COLUMN relying_parties.revision IS
	'Incremented by every change of the row: an update names the revision it read and fails when another change came first.';
COMMENT ON COLUMN relying_parties.created_at IS 'When the SP was added.';
COMMENT ON COLUMN relying_parties.updated_at IS
	'Last change of the metadata or a setting (not of fetched_at or the refresh error).';
