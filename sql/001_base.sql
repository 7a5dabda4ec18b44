-- 001_base: the version table and cluster-wide settings.
--
-- Schema only. The runner (idp/store/store_migrate.c) wraps this file in a
-- transaction and records it in schema_migrations in that same transaction.

CREATE TABLE schema_migrations (
	version integer PRIMARY KEY CHECK (version > 0),
	name text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE schema_migrations IS
	'Applied migrations, one row per sql/NNN_name.sql, written by idpctl db migrate in the transaction that applied it. The highest version is the schema version.';
COMMENT ON COLUMN schema_migrations.version IS
	'The NNN of sql/NNN_name.sql.';
COMMENT ON COLUMN schema_migrations.name IS
	'The name part of sql/NNN_name.sql, for people reading idpctl db status.';
COMMENT ON COLUMN schema_migrations.applied_at IS
	'When the migration was committed.';

CREATE TABLE settings (
	key text PRIMARY KEY,
	value text NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE settings IS
	'Cluster-wide settings shared by every idpd node: state that belongs to the deployment rather than to one node''s config file.';
COMMENT ON COLUMN settings.key IS
	'Name of the setting, chosen by the code that owns it.';
COMMENT ON COLUMN settings.value IS
	'Value as text; the owning code parses and checks it.';
COMMENT ON COLUMN settings.updated_at IS
	'When the value was last written.';
