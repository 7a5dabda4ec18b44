-- 010_sp_metadata_refresh: idpd fetches the metadata of relying parties
-- registered with a URL again every [saml] sp_metadata_refresh_interval
-- (docs/relying-parties.md, "Periodic refresh"). Several nodes share the
-- database; a node claims an SP by moving refresh_claimed_at forward in
-- one conditional UPDATE, so only one node refreshes it per interval.

ALTER TABLE relying_parties
	ADD COLUMN refresh_claimed_at timestamptz;

COMMENT ON COLUMN relying_parties.refresh_claimed_at IS
	'When an idpd node last claimed the periodic metadata refresh of this SP (database clock); the next claim is possible one refresh interval later. NULL: never claimed. Only rows with a metadata_url are claimed; a value left on a row whose source became a file means nothing. Set whether or not the refresh then succeeded (see fetched_at and refresh_failed_at for that).';
