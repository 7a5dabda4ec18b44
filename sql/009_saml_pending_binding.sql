-- A pending SAML login is bound to the browser that started it, and it
-- may come from an IdP-initiated login (/saml/sso/init) that answers no
-- AuthnRequest (docs/saml.md, "Pending requests").

ALTER TABLE saml_pending_requests
	ALTER COLUMN request_id DROP NOT NULL,
	ADD COLUMN binding_hash bytea
		CHECK (binding_hash IS NULL OR length(binding_hash) = 32);

COMMENT ON COLUMN saml_pending_requests.request_id IS
	'ID of the AuthnRequest, returned as InResponseTo; NULL for an IdP-initiated login (/saml/sso/init), whose response is unsolicited and carries no InResponseTo.';
COMMENT ON COLUMN saml_pending_requests.binding_hash IS
	'BLAKE2b-256 of the random 256-bit secret in the browser-binding cookie (sk_pending_bind) of the browser that started the login; /saml/continue only answers a browser that shows it. NULL only for rows made before this column existed: those are never continued.';
