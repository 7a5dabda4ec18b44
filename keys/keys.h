/*
 * keys/: the keys of idpd, shared by idpd and idpctl (docs/keys.md): the
 * IdP's SAML signing keys and, for the eID service to which idpd is a
 * SAML service provider, its eID signing and encryption keys. Each key
 * has one purpose for life; the rollover below runs per purpose. The one
 * home, with idp/crypto, of key material: only code here sees a private
 * key in clear, and only code here includes OpenSSL (the SAML and eID
 * modules get PEM text from keys_set_load()).
 *
 *   master key  32 random bytes in a file of mode 0600 (keys_master_*)
 *   sealing     libsodium secretbox under the master key, a random nonce
 *               per seal; the database holds nonce and ciphertext only
 *   generation  RSA (3072 bits by default) and a self-signed X.509
 *               certificate signed with SHA-256 (keys_generate)
 *   states      next -> active -> previous -> retired, changed only
 *               through keys_add/_activate/_retire/_rotate, each in one
 *               transaction with its audit row and NOTIFY keys_changed;
 *               at most one active and one next key per purpose
 *   loading     keys_set_load(): the live keys of one purpose, opened,
 *               for a node
 *
 * Errors: functions return 0 or a negative enum idp_err and write one
 * line for a person into @err (size @errlen, may be 0; KEYS_ERR_MAX is
 * enough). Private keys live in memory from sodium_malloc() (guarded,
 * locked, zeroed when freed) and are never logged.
 *
 * Thread-safety: everything here is reentrant once crypt_init() has run
 * (it initialises libsodium); functions with a struct store need that
 * store to themselves, as always.
 */
#ifndef IDP_KEYS_KEYS_H
#define IDP_KEYS_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idp/cfg/cfg.h"
#include "idp/common/err.h"
#include "idp/store/store.h"

/* The master key: exactly this many bytes, in the file and in memory. */
#define KEYS_MASTER_KEY_BYTES 32

/* Nonce and authentication tag that sealing adds (secretbox). */
#define KEYS_SEAL_NONCE_BYTES 24
#define KEYS_SEAL_MAC_BYTES   16
#define KEYS_SEAL_OVERHEAD    (KEYS_SEAL_NONCE_BYTES + KEYS_SEAL_MAC_BYTES)

/*
 * Largest private key PEM sealed or opened, and largest certificate PEM
 * read: an RSA-4096 PKCS#8 PEM is about 3.3 KB, its certificate under
 * 2 KB. Anything larger in the database is refused before it is parsed.
 */
#define KEYS_PEM_MAX 12288

/* SHA-256 fingerprint as text: 32 upper-case hex pairs and 31 colons. */
#define KEYS_FINGERPRINT_LEN 95

/* RSA sizes: the default, and the least that BSI TR-02102-1 accepts. */
#define KEYS_BITS_DEFAULT 3072
#define KEYS_BITS_BSI_MIN 3000

/* An error buffer of this size holds every message written here. */
#define KEYS_ERR_MAX 512

/* The audit actor of operator commands; see keys_add(). */
#define KEYS_ACTOR_OPERATOR "operator"

/*
 * What a key is for. Fixed when the key is generated; the database
 * spells it as keys_purpose_name() does.
 */
enum keys_purpose {
	KEYS_PURPOSE_SAML,	     /* signs the IdP's assertions, metadata */
	KEYS_PURPOSE_EID_SIGNING,    /* signs our requests to the eID service */
	KEYS_PURPOSE_EID_ENCRYPTION, /* decrypts the eID service's responses */
};

/* "saml", "eid-signing", "eid-encryption". Never NULL. */
const char *keys_purpose_name(enum keys_purpose p);

/* Parse keys_purpose_name()'s spelling, exactly. False for anything else. */
IDP_WUR bool keys_purpose_parse(const char *name, enum keys_purpose *p);

enum keys_state {
	KEYS_STATE_NEXT,     /* published, not in use yet */
	KEYS_STATE_ACTIVE,   /* in use; at most one per purpose */
	KEYS_STATE_PREVIOUS, /* published, no longer signs (decrypts still) */
	KEYS_STATE_RETIRED,  /* gone from metadata, private key deleted */
};

/* "next", "active", ... (the database's spelling). Never NULL. */
const char *keys_state_name(enum keys_state st);

/* Parse the database's spelling. False for anything else. */
IDP_WUR bool keys_state_parse(const char *name, enum keys_state *st);

/* Whether @bits is an RSA size we generate: 2048, 3072 or 4096. */
bool keys_bits_valid(unsigned bits);

/* --- the master key (keys_master.c) --- */

/*
 * Create the master key file @path: KEYS_MASTER_KEY_BYTES from the system
 * CSPRNG, mode 0600 whatever the umask, written and synced before it
 * counts. Refuses to replace anything that exists at @path (a file, a
 * symbolic link, ...): overwriting a master key makes every sealed key
 * unreadable. On failure nothing is left behind.
 * Returns 0, IDP_ERR_INVALID (exists) or IDP_ERR_IO.
 */
IDP_WUR int keys_master_init(const char *path, char *err, size_t errlen);

/*
 * Read the master key from @path into @mk. Refused with a message that
 * names the problem: a missing file, not a regular file (a directory, a
 * FIFO), readable or writable by group or others, any size but exactly
 * KEYS_MASTER_KEY_BYTES. On failure @mk is zeroed. The caller wipes @mk
 * (crypt_wipe()) when done.
 * Returns 0, IDP_ERR_INVALID or IDP_ERR_IO.
 */
IDP_WUR int keys_master_load(const char *path,
			     uint8_t mk[KEYS_MASTER_KEY_BYTES], char *err,
			     size_t errlen);

/* --- sealing (keys_seal.c) --- */

/*
 * Seal @len bytes at @plain (1..KEYS_PEM_MAX) under @mk: a random nonce,
 * then the secretbox ciphertext. *@sealed (freed by the caller with
 * free(); it holds nothing secret) has *@sealed_len = @len +
 * KEYS_SEAL_OVERHEAD bytes.
 * Returns 0, IDP_ERR_TOO_LARGE, IDP_ERR_INVALID (empty) or IDP_ERR_NOMEM.
 */
IDP_WUR int keys_seal(const uint8_t mk[KEYS_MASTER_KEY_BYTES],
		      const void *plain, size_t len, uint8_t **sealed,
		      size_t *sealed_len);

/*
 * Open what keys_seal() made. On success *@plain is the plaintext with a
 * NUL appended (not counted in *@len), in memory from sodium_malloc(),
 * freed by the caller with keys_secret_free(). Fails with IDP_ERR_INVALID
 * when the tag does not verify -- a different master key, or bytes
 * changed anywhere -- and when @sealed_len is too short or too long;
 * nothing of the plaintext is then released. IDP_ERR_NOMEM otherwise.
 */
IDP_WUR int keys_open(const uint8_t mk[KEYS_MASTER_KEY_BYTES],
		      const uint8_t *sealed, size_t sealed_len, char **plain,
		      size_t *len);

/* Free a secret from keys_open() or keys_generate(), zeroing it. NULL ok. */
void keys_secret_free(char *p);

/* --- generation and certificates (keys_generate.c, keys_cert.c) --- */

/* A new key pair, or one opened from the store. */
struct keys_material {
	char *key_pem; /* PKCS#8 PEM, secret: keys_secret_free() */
	size_t key_pem_len;
	char *cert_pem; /* X.509 PEM, public: free() */
	char fingerprint[KEYS_FINGERPRINT_LEN + 1];
	unsigned bits;
	int64_t not_before; /* Unix seconds */
	int64_t not_after;
};

/*
 * Generate an RSA key of @bits (keys_bits_valid()) and a self-signed
 * certificate for it: subject and issuer CN=@cn (1..CFG_CERT_SUBJECT_MAX
 * bytes of UTF-8 without control characters), a random positive 159-bit
 * serial number, valid from now for @days days (1..3650), signed with
 * SHA-256, basicConstraints CA:FALSE and the keyUsage of @purpose
 * (digitalSignature; keyEncipherment for eid-encryption), both
 * critical. Takes from a fraction of a second (2048) to seconds (4096).
 * On success fills @out (release with keys_material_clear()); on failure
 * @out is empty.
 * Returns 0, IDP_ERR_INVALID (arguments), IDP_ERR_NOMEM or
 * IDP_ERR_INTERNAL (OpenSSL failed; its reason is in @err).
 */
IDP_WUR int keys_generate(enum keys_purpose purpose, unsigned bits,
			  unsigned days, const char *cn,
			  struct keys_material *out, char *err, size_t errlen);

/* Free and zero what @m holds; @m becomes empty. NULL is fine. */
void keys_material_clear(struct keys_material *m);

/*
 * The CN for new certificates: [keys] certificate_subject, or else the
 * host of [server] public_url (without brackets for IPv6). Written into
 * @cn. Returns 0, or IDP_ERR_INVALID when the host is longer than
 * CFG_CERT_SUBJECT_MAX (the message says to set certificate_subject).
 */
IDP_WUR int keys_subject_cn(const struct cfg *cfg,
			    char cn[CFG_CERT_SUBJECT_MAX + 1], char *err,
			    size_t errlen);

/*
 * Read certificate @cert_pem (at most KEYS_PEM_MAX bytes): its SHA-256
 * fingerprint, RSA size and validity, into @out's fingerprint, bits,
 * not_before and not_after (the rest of @out is untouched).
 * Returns 0 or IDP_ERR_INVALID (not one PEM certificate with an RSA key).
 */
IDP_WUR int keys_cert_inspect(const char *cert_pem, struct keys_material *out,
			      char *err, size_t errlen);

/*
 * Whether private key @key_pem (@len bytes) belongs to certificate
 * @cert_pem and the certificate's self-signature verifies with it.
 * Returns 0 or IDP_ERR_INVALID.
 */
IDP_WUR int keys_pair_check(const char *key_pem, size_t len,
			    const char *cert_pem, char *err, size_t errlen);

/* --- loading, for idpd (keys_set_load.c) --- */

struct keys_key {
	int64_t id;
	enum keys_purpose purpose;
	enum keys_state state; /* next, active or previous */
	/* key_pem (secret), cert_pem, fingerprint, bits, validity: */
	struct keys_material m;
	int64_t published_at; /* Unix seconds */
	int64_t activated_at; /* 0 when never active */
};

/*
 * The live keys of one purpose in the cluster, opened. Immutable once
 * loaded: it may be shared read-only between threads; replace it as a
 * whole on NOTIFY keys_changed.
 */
struct keys_set {
	enum keys_purpose purpose; /* every key in the set has it */
	struct keys_key *keys;	   /* by id; next, active and previous */
	size_t n;
	const struct keys_key *active; /* the key in use; NULL when none */
	const struct keys_key *next;   /* NULL when none */
};

/*
 * Load every next, active and previous key of @purpose (keys of other
 * purposes are neither read into the set nor opened), open each
 * private key with @mk and check it: the fingerprint recorded in the row
 * is the certificate's, the key belongs to the certificate. Every key
 * must pass: a node that cannot open one key must not run with the others
 * (it would fail when that key is activated).
 *
 * On success *@out is a new set (keys_set_free()); it may be empty (no
 * keys yet) or lack an active key -- whether that is acceptable is the
 * caller's decision. Returns 0; IDP_ERR_INVALID when a key does not open
 * (@err says "wrong master key?" and names the key) or does not match
 * its certificate; IDP_ERR_UNAVAILABLE when the database fails;
 * IDP_ERR_NOMEM. Nothing is left allocated on failure.
 */
IDP_WUR int keys_set_load(struct store *s,
			  const uint8_t mk[KEYS_MASTER_KEY_BYTES],
			  enum keys_purpose purpose, struct keys_set **out,
			  char *err, size_t errlen);

/* Free @set, zeroing every private key. NULL is fine. */
void keys_set_free(struct keys_set *set);

/* --- changes (keys_change.c) --- */

/* Why a change was refused; KEYS_DONE when it was made. */
enum keys_refusal {
	KEYS_DONE = 0,
	KEYS_NO_SUCH_KEY,   /* no key with this id */
	KEYS_NEXT_EXISTS,   /* add: a next key of the purpose exists */
	KEYS_NOT_NEXT,	    /* activate: the key is not a next key */
	KEYS_TOO_EARLY,	    /* activate, rotate: inside the window */
	KEYS_IS_ACTIVE,	    /* retire: the key is in use */
	KEYS_IS_RETIRED,    /* retire: already retired */
	KEYS_WRONG_MASTER,  /* a live key does not open with this master key */
	KEYS_NOTHING_TO_DO, /* rotate: the next key waits for its window */
};

/* The outcome of a change. */
struct keys_result {
	enum keys_refusal refusal;
	/* add, rotate, peek: the purpose asked for; else key id's. */
	enum keys_purpose purpose;
	int64_t id;	       /* the key acted on or refused; 0: none */
	enum keys_state state; /* refusals: that key's state */
	int64_t previous_id;   /* the key that became previous; 0: none */
	int64_t activated_id;  /* rotate: the key activated; 0: none */
	int64_t generated_id;  /* add, rotate: the new key; 0: none */
	int64_t published_for; /* too early: seconds published so far */
	int64_t ready_at;      /* next key: activatable from (Unix s) */
};

/*
 * One line for a person on @r's outcome, into @buf (@len bytes;
 * KEYS_ERR_MAX is enough): "key 4 has been published for 10 s, less
 * than the rollover window of 172800 s; ...". Times in UTC. Returns @buf.
 */
const char *keys_refusal_format(const struct keys_result *r, unsigned window_s,
				char *buf, size_t len);

/*
 * Who acts, for the audit rows: @actor ("operator", "system") and, for an
 * operator, the OS user (details "operator"); @user may be NULL.
 */
struct keys_who {
	const char *actor;
	const char *user;
};

/*
 * Store @m (from keys_generate()) as the next key of @purpose: seal its
 * private key with @mk, check first that @mk opens the keys already live,
 * of every purpose (one master key seals them all; a second one would
 * leave nodes unable to open this key), insert, audit
 * (signing_key_generated, with the purpose), NOTIFY -- one transaction.
 * @window_s gives r->ready_at. Refusals: KEYS_NEXT_EXISTS (r->id names
 * the next key of @purpose), KEYS_WRONG_MASTER (r->id names the key that
 * did not open).
 * Returns 0 (see r->refusal), IDP_ERR_UNAVAILABLE or IDP_ERR_NOMEM.
 */
IDP_WUR int keys_add(struct store *s, const uint8_t mk[KEYS_MASTER_KEY_BYTES],
		     enum keys_purpose purpose, const struct keys_material *m,
		     unsigned window_s, const struct keys_who *who,
		     struct keys_result *r, char *err, size_t errlen);

/*
 * Make next key @id active and the active key of the same purpose
 * previous (keys of other purposes are left alone), after checking
 * that @mk opens it and it matches its certificate (a key that no node
 * can open must never become the signing key); audit
 * (signing_key_activated), NOTIFY -- one transaction. r->purpose is the
 * key's purpose. Unless @force,
 * refused while the key has been published for less than @window_s.
 * Refusals: KEYS_NO_SUCH_KEY, KEYS_NOT_NEXT (r->state), KEYS_TOO_EARLY
 * (r->published_for, r->ready_at), KEYS_WRONG_MASTER.
 * Returns 0, IDP_ERR_UNAVAILABLE or IDP_ERR_NOMEM.
 */
IDP_WUR int keys_activate(struct store *s,
			  const uint8_t mk[KEYS_MASTER_KEY_BYTES], int64_t id,
			  unsigned window_s, bool force,
			  const struct keys_who *who, struct keys_result *r,
			  char *err, size_t errlen);

/*
 * Retire next or previous key @id, of whatever purpose (r->purpose): gone
 * from metadata, its sealed private key deleted; audit
 * (signing_key_retired), NOTIFY -- one transaction.
 * With @force the active key too, leaving no key that signs until another
 * is activated: the way out when the master key is lost (no live key can
 * be opened, and a new key is refused while they are live).
 * Refusals: KEYS_NO_SUCH_KEY, KEYS_IS_ACTIVE, KEYS_IS_RETIRED.
 * Returns 0, IDP_ERR_UNAVAILABLE or IDP_ERR_NOMEM.
 */
IDP_WUR int keys_retire(struct store *s, int64_t id, bool force,
			const struct keys_who *who, struct keys_result *r,
			char *err, size_t errlen);

/*
 * The next key of @purpose as it stands, without locking anything:
 * r->id (0 when there is none), r->state, r->published_for and
 * r->ready_at (when the rollover window @window_s has passed). With @mk (may be
 * NULL), also whether @mk opens every live key: else r->refusal is
 * KEYS_WRONG_MASTER and r->id names the key that did not open. Lets a caller
 * refuse early, before it spends seconds on generating a key that keys_add()
 * would refuse or keys_rotate() would not need; those check again in their
 * transaction.
 * Returns 0, IDP_ERR_UNAVAILABLE or IDP_ERR_NOMEM.
 */
IDP_WUR int keys_next_peek(struct store *s,
			   const uint8_t mk[KEYS_MASTER_KEY_BYTES],
			   enum keys_purpose purpose, unsigned window_s,
			   struct keys_result *r, char *err, size_t errlen);

/*
 * One step of the rollover of @purpose, for a periodic job, in one
 * transaction: when the next key of @purpose has been published for
 * @window_s, activate it as keys_activate() does (the active key of
 * @purpose becomes previous); then store @m as the new next key of
 * @purpose as keys_add() does, so that a next key is always
 * published a full period ahead. While the next key waits for its
 * window, nothing changes (KEYS_NOTHING_TO_DO). r->activated_id,
 * r->previous_id and r->generated_id say what happened.
 * Returns 0, IDP_ERR_UNAVAILABLE or IDP_ERR_NOMEM.
 */
IDP_WUR int keys_rotate(struct store *s,
			const uint8_t mk[KEYS_MASTER_KEY_BYTES],
			enum keys_purpose purpose,
			const struct keys_material *m, unsigned window_s,
			const struct keys_who *who, struct keys_result *r,
			char *err, size_t errlen);

#endif
