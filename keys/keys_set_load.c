/*
 * Loading the live keys of one purpose for a node: read, open, check.
 */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "idp/store/store_keys.h"
#include "keys/keys_internal.h"

struct load {
	const uint8_t *mk;
	const char *purpose; /* as the database spells it */
	struct keys_set *set;
	size_t cap;
	int rc; /* the first failure; later rows are skipped */
	char *err;
	size_t errlen;
};

/*
 * Open and check one row into @k. Every check a node relies on before it
 * signs with the key or publishes it: the state is live, the private key
 * opens, the certificate is the one the fingerprint names, and the two
 * belong together.
 */
static int
key_load(struct load *ld, const struct store_key *row, struct keys_key *k)
{
	char why[KEYS_ERR_MAX];
	int rc;

	k->id = row->id;
	k->purpose = ld->set->purpose;
	k->published_at = row->published_at;
	k->activated_at = row->activated_at;
	if (!keys_state_parse(row->state, &k->state) ||
	    k->state == KEYS_STATE_RETIRED || row->certificate == NULL ||
	    row->sealed == NULL) {
		keys_report(ld->err, ld->errlen,
			    "key %lld: the row is not a live key",
			    (long long)row->id);
		return IDP_ERR_INTERNAL;
	}
	rc = keys_open(ld->mk, row->sealed, row->sealed_len, &k->m.key_pem,
		       &k->m.key_pem_len);
	if (rc == IDP_ERR_NOMEM) {
		keys_report(ld->err, ld->errlen, "out of memory");
		return rc;
	}
	if (rc != 0) {
		keys_report(ld->err, ld->errlen,
			    "%s key %lld does not open with the master "
			    "key: wrong master key file, or the row was "
			    "changed",
			    ld->purpose, (long long)row->id);
		return IDP_ERR_INVALID;
	}
	k->m.cert_pem = strdup(row->certificate);
	if (k->m.cert_pem == NULL) {
		keys_report(ld->err, ld->errlen, "out of memory");
		return IDP_ERR_NOMEM;
	}
	if (keys_cert_inspect(k->m.cert_pem, &k->m, why, sizeof(why)) != 0 ||
	    strcmp(k->m.fingerprint, row->fingerprint) != 0 ||
	    keys_pair_check(k->m.key_pem, k->m.key_pem_len, k->m.cert_pem, why,
			    sizeof(why)) != 0) {
		keys_report(ld->err, ld->errlen,
			    "%s key %lld is damaged: its certificate, "
			    "fingerprint and private key do not agree",
			    ld->purpose, (long long)row->id);
		return IDP_ERR_INVALID;
	}
	return 0;
}

static void
load_row(const struct store_key *row, void *cls)
{
	struct load *ld = cls;
	struct keys_set *set = ld->set;

	/* Another purpose's key is not ours to open. */
	if (ld->rc != 0 || strcmp(row->purpose, ld->purpose) != 0)
		return;
	if (set->n == ld->cap) {
		size_t cap = ld->cap == 0 ? 4 : 2 * ld->cap;
		struct keys_key *k = realloc(set->keys, cap * sizeof(*k));

		if (k == NULL) {
			keys_report(ld->err, ld->errlen, "out of memory");
			ld->rc = IDP_ERR_NOMEM;
			return;
		}
		memset(k + ld->cap, 0, (cap - ld->cap) * sizeof(*k));
		set->keys = k;
		ld->cap = cap;
	}
	/* Counted before the checks, so that keys_set_free() frees it. */
	ld->rc = key_load(ld, row, &set->keys[set->n++]);
}

int
keys_set_load(struct store *s, const uint8_t mk[KEYS_MASTER_KEY_BYTES],
	      enum keys_purpose purpose, struct keys_set **out, char *err,
	      size_t errlen)
{
	struct load ld = {.mk = mk,
			  .purpose = keys_purpose_name(purpose),
			  .err = err,
			  .errlen = errlen};
	int rc;

	*out = NULL;
	keys_report(err, errlen, "%s", "");
	ld.set = calloc(1, sizeof(*ld.set));
	if (ld.set == NULL) {
		keys_report(err, errlen, "out of memory");
		return IDP_ERR_NOMEM;
	}
	ld.set->purpose = purpose;
	rc = store_keys_live_iterate(s, load_row, &ld);
	if (rc < 0) {
		keys_report(err, errlen,
			    "cannot read the keys from the database");
		rc = IDP_ERR_UNAVAILABLE;
		goto out;
	}
	rc = ld.rc;
	if (rc != 0)
		goto out;
	for (size_t i = 0; i < ld.set->n; i++) {
		const struct keys_key *k = &ld.set->keys[i];
		const struct keys_key **slot =
			k->state == KEYS_STATE_ACTIVE ? &ld.set->active
			: k->state == KEYS_STATE_NEXT ? &ld.set->next
						      : NULL;

		/* The unique indexes allow one of each; trust but check. */
		if (slot != NULL && *slot != NULL) {
			keys_report(err, errlen,
				    "the database holds two %s %s keys",
				    keys_state_name(k->state), ld.purpose);
			rc = IDP_ERR_INTERNAL;
			goto out;
		}
		if (slot != NULL)
			*slot = k;
	}
	*out = ld.set;
	ld.set = NULL;
out:
	keys_set_free(ld.set);
	return rc;
}

void
keys_set_free(struct keys_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n; i++)
		keys_material_clear(&set->keys[i].m);
	free(set->keys);
	free(set);
}
