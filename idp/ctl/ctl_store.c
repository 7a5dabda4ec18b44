/*
 * The store of an idpctl command: connected, and at the schema version
 * this idpctl was built for. What it reports never includes the
 * connection string (store_error_peek() leaves it out).
 */
#include "idp/ctl/ctl.h"
#include "idp/ctl/ctl_util.h"

static const struct ctl_store_words words = {
	.unreachable = "cannot connect to the database",
	.schema = "the database schema",
	.ahead = ": use the idpctl of the newer release",
};

int
ctl_store_open(const struct cfg *cfg, struct store **out)
{
	return ctl_store_open_worded(cfg, &words, out);
}

int
ctl_store_open_worded(const struct cfg *cfg, const struct ctl_store_words *w,
		      struct store **out)
{
	struct store *s;
	int version = 0, expected = store_schema_expected();
	int rc = CTL_EXIT_FAIL;

	*out = NULL;
	s = store_new(cfg->db_conninfo, cfg->db_tx_retries,
		      cfg->db_statement_timeout_ms);
	if (s == NULL)
		return ctl_fail("out of memory");
	if (store_ensure(s) != 0) {
		rc = ctl_fail("%s: %s", w->unreachable, store_error_peek(s));
		goto out;
	}
	if (store_schema_version_select(s, &version) != STORE_ONE_ROW) {
		rc = ctl_fail("cannot read the schema version");
		goto out;
	}
	if (version != expected) {
		rc = ctl_fail("%s is at version %d, this idpctl expects %d%s",
			      w->schema, version, expected,
			      version < expected ? ": run 'idpctl db migrate'"
						 : w->ahead);
		goto out;
	}
	*out = s;
	s = NULL;
	rc = CTL_EXIT_OK;
out:
	store_free(s);
	return rc;
}
