/*
 * idpd.conf: a GLib key file, overridden by environment variables, checked
 * as a whole at startup. Every key is documented in docs/configuration.md;
 * idpd.conf.example lists them all with their defaults.
 *
 * Environment overrides are named IDP_<GROUP>_<KEY> in upper case, e.g.
 * IDP_SERVER_PORT=8081 overrides [server] port. They are applied after the
 * file and checked the same way.
 *
 * A struct cfg is immutable once loaded and may then be read from any
 * thread; SIGHUP loads a new one, and cfg_diff() says which changes can be
 * applied at once (log.level, server.trusted_proxies) and which need a
 * restart. Applying them is up to the caller.
 */
#ifndef IDP_CFG_CFG_H
#define IDP_CFG_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "idp/common/err.h"
#include "idp/common/limits.h"
#include "idp/log/log.h"

/*
 * The limits on the file and on values (CFG_FILE_MAX, CFG_CONNINFO_MAX,
 * CFG_PUBLIC_URL_MAX, CFG_STRING_MAX, CFG_CERT_SUBJECT_MAX,
 * CFG_THREADS_MAX, CFG_MAX_TRUSTED_PROXIES) are in idp/common/limits.h.
 */

/*
 * [server] tls_priorities by default, a GnuTLS priority string: TLS 1.3
 * and 1.2 only; AES-GCM and ChaCha20-Poly1305 (AEAD) only; in TLS 1.2
 * only ephemeral elliptic-curve key exchange (forward secrecy); no SHA-1
 * signatures; our order wins over the client's. That is Mozilla's
 * "intermediate" profile without finite-field DHE.
 */
#define CFG_TLS_PRIORITIES_DEFAULT                                          \
	"SECURE256:+SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:"         \
	"-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305:"         \
	"-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:"                   \
	"-SIGN-RSA-SHA1:-SIGN-ECDSA-SHA1:%SERVER_PRECEDENCE"

/*
 * One trusted proxy: an address with a prefix length (CIDR). Bits of @addr
 * beyond @prefix are zero; for AF_INET only addr[0..3] are used and the rest
 * is zero, so two nets are equal exactly when their bytes are.
 */
struct cfg_net {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned prefix; /* 0..32 or 0..128 */
};

struct cfg {
	/* [server] */
	char *listen_address;	  /* numeric IPv4 or IPv6 address */
	unsigned port;		  /* 1..65535 */
	char *public_url;	  /* http(s)://host[:port], no trailing slash */
	bool public_https;	  /* derived: public_url starts with https:// */
	unsigned threads;	  /* worker threads, resolved: never 0 */
	unsigned max_connections; /* total */
	unsigned max_connections_per_ip;
	unsigned connection_timeout_s; /* idle or slow clients */
	size_t connection_memory;      /* bytes per connection */
	size_t max_url;		       /* bytes, path plus query */
	size_t max_headers;	       /* bytes, all headers */
	size_t max_body;	       /* bytes, cap over every route */
	unsigned shutdown_grace_s;     /* SIGTERM drain time */
	struct cfg_net trusted_proxies[CFG_MAX_TRUSTED_PROXIES];
	size_t n_trusted_proxies;
	char *tls_certificate_file; /* PEM, chain allowed; "": plain HTTP */
	char *tls_key_file;	    /* PEM private key, no group/other bits */
	char *tls_priorities;	    /* GnuTLS priority string */
	bool tls;		    /* derived: both TLS files are set */

	/* [database] */
	char *db_conninfo; /* libpq connection string; never logged */
	unsigned db_tx_retries;
	unsigned db_statement_timeout_ms; /* 0: no timeout */

	/* [log] */
	enum log_level log_level;

	/* [accounts] */
	size_t password_memlimit;	/* Argon2id memory, bytes */
	unsigned password_opslimit;	/* Argon2id passes */
	unsigned session_idle_s;	/* session ends after this idle time */
	unsigned session_absolute_s;	/* and at the latest after this */

	/* [mail] */
	char *mail_mode;	/* "file" or "smtp" */
	bool mail_smtp;		/* derived: mail_mode is "smtp" */
	char *mail_file;	/* file mode: mails are appended here */
	char *mail_from;	/* From: header, "Name <addr>" or "addr" */
	char *mail_smtp_url;	/* smtp://host:port or smtps://host:port */
	bool mail_smtp_starttls; /* require STARTTLS on smtp:// */
	char *mail_smtp_user;	/* empty: no authentication */
	char *mail_smtp_password; /* secret; never logged */
	unsigned mail_max_attempts; /* then the mail is given up, logged */

	/* [keys] */
	char *keys_master_key_file;	 /* path of the 32-byte master key */
	unsigned keys_rollover_window_s; /* next is published this long */
	unsigned keys_certificate_validity_days;
	char *keys_certificate_subject; /* CN; "": the public URL's host */

	/* [saml] */
	unsigned saml_metadata_validity_s;	 /* our validUntil: now + this */
	unsigned saml_metadata_cache_duration_s; /* our cacheDuration */
	bool saml_metadata_signed;		 /* sign /saml/metadata */
	unsigned saml_sp_refresh_interval_s;	 /* SP metadata; 0: off */
};

/*
 * Load the config from @path (NULL: built-in defaults only), then apply
 * environment overrides, then validate every key and the keys that depend
 * on each other. Unknown groups and keys in the file, and IDP_SERVER_*,
 * IDP_DATABASE_* or IDP_LOG_* variables that name no key, are errors.
 *
 * On success returns 0 and *out is a new config, freed with cfg_free(). On
 * failure *out is NULL and the return value is IDP_ERR_IO (file cannot be
 * read), IDP_ERR_TOO_LARGE (file over CFG_FILE_MAX) or IDP_ERR_INVALID,
 * and @err (size @errlen, may be 0) holds one line naming the file and
 * line, or the group and key, or the environment variable, and the problem.
 * The value of [database] conninfo is never written into @err.
 *
 * Reads the environment: not safe against concurrent setenv().
 */
IDP_WUR int cfg_load(const char *path, struct cfg **out, char *err,
		     size_t errlen);

/* Free @cfg, zeroing the conninfo first. NULL is fine. */
void cfg_free(struct cfg *cfg);

/*
 * Parse a list of addresses or CIDR networks ("127.0.0.1, 10.0.0.0/8,
 * ::1") into @nets (capacity CFG_MAX_TRUSTED_PROXIES) and set *@n to their
 * count. Entries are separated by commas, semicolons or white space; empty
 * entries are skipped, so NULL or "" is an empty list. An address without
 * a prefix is a single host (/32, /128). Bits beyond the prefix must be
 * zero: "10.1.2.3/8" is refused, since it is more likely a typo for a host
 * than a deliberate network. IPv4-mapped IPv6 networks (::ffff:a.b.c.d/96
 * or longer) are stored as the IPv4 network they denote.
 *
 * Returns 0, or IDP_ERR_INVALID with *@n = 0 and the bad entry named in
 * @err (size @errlen, may be 0).
 */
IDP_WUR int cfg_nets_parse(const char *list, struct cfg_net *nets,
			   size_t *n, char *err, size_t errlen);

/*
 * Whether @sa (AF_INET or AF_INET6; NULL or any other family: false) is in
 * one of @nets. An IPv4-mapped IPv6 peer (::ffff:a.b.c.d, as a dual-stack
 * socket reports IPv4 clients) is treated as the IPv4 address it carries:
 * it matches IPv4 networks and no IPv6 network.
 */
bool cfg_nets_contain(const struct cfg_net *nets, size_t n,
		      const struct sockaddr *sa);

/*
 * Compare @old and @new for SIGHUP: calls @cb once for each changed key,
 * in the order of docs/configuration.md, with whether it can be applied
 * without restart (only [log] level and [server] trusted_proxies can).
 * public_https is part of public_url and not reported on its own. Values
 * are not passed since some are secrets (db_conninfo).
 */
typedef void (*cfg_change_cb)(const char *group, const char *key,
			      bool reloadable, void *cls);
void cfg_diff(const struct cfg *old, const struct cfg *new, cfg_change_cb cb,
	      void *cls);

#endif
