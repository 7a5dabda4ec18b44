/*
 * SAML 2.0 Web SSO, the identity provider's side (docs/saml.md): the
 * metadata at /saml/metadata, AuthnRequests at /saml/sso (HTTP-Redirect
 * and HTTP-POST), pending requests that wait in PostgreSQL while the
 * citizen logs in or registers, and the response as an HTTP-POST form.
 *
 * This is the API the handlers use; it exposes no lasso, libxml2 or HTTP
 * type. lasso objects live in the worker's cache (struct saml_worker) and
 * per call; they never leave the calling thread.
 *
 * Sequence of an AuthnRequest, one function per step inside idp/saml
 * (sso_receive.c, sso_respond.c):
 *   decode with limits -> check the XML's shape -> issuer registered,
 *   enabled -> ACS from metadata -> lasso parses and verifies -> signature
 *   policy -> replay cache -> IssueInstant -> Destination -> NameIDPolicy
 *   -> RequestedAuthnContext -> session (login, ForceAuthn, IsPassive)
 *   -> NameID -> assertion -> attributes -> signed response.
 * Every validator has its own error (enum saml_error) and logs both the
 * value it saw and the one it wanted.
 *
 * Thread-safety: every function runs on the calling worker's own struct
 * worker; saml_master_key_set() runs once before the workers start.
 */
#ifndef IDP_SAML_SAML_H
#define IDP_SAML_SAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idp/common/err.h"

struct worker;
struct session_info;

/*
 * Limits, enforced before the data they bound is parsed. A real
 * AuthnRequest is 1 to 4 KiB of XML; deflated and base64-encoded it fits
 * the 16 KiB URL of the Redirect binding. RelayState: saml-bindings-2.0
 * section 3.4.3 says at most 80 bytes.
 */
#define SAML_REQUEST_B64_MAX	  (64 * 1024) /* SAMLRequest as sent */
#define SAML_REQUEST_XML_MAX	  (64 * 1024) /* after base64 and inflate */
#define SAML_REQUEST_DEPTH_MAX	  16	      /* element nesting */
#define SAML_REQUEST_ELEMENTS_MAX 256	      /* elements in the request */
#define SAML_RELAY_STATE_MAX	  80
#define SAML_ID_MAX		  256 /* an xs:ID we accept */
#define SAML_CLASS_REFS_MAX	  8   /* AuthnContextClassRef values */
#define SAML_CLASS_REF_MAX	  256 /* bytes of one of them */

/*
 * Time: a request's IssueInstant may be at most SAML_REQUEST_MAX_AGE_S
 * old and SAML_CLOCK_SKEW_S in the future (clocks of SP and IdP differ a
 * little); request IDs stay in the replay cache until such a request
 * would be too old anyway. Assertions are valid from SAML_CLOCK_SKEW_S
 * before now for SAML_ASSERTION_LIFETIME_S.
 */
#define SAML_CLOCK_SKEW_S	  180
#define SAML_REQUEST_MAX_AGE_S	  600
#define SAML_REPLAY_TTL_S	  (SAML_REQUEST_MAX_AGE_S + 2 * SAML_CLOCK_SKEW_S)
#define SAML_ASSERTION_LIFETIME_S 300

/* A pending request waits this long for the login (and registration). */
#define SAML_PENDING_TTL_S 1800
/* The pending id: 256 random bits, base64url without padding. */
#define SAML_PENDING_ID_LEN 43

/*
 * Registration carries a pending login over the e-mail round trip: the
 * register page sets this cookie (HttpOnly, SameSite=Lax, for
 * SAML_PENDING_TTL_S) to the pending id, and the page behind the
 * verification link puts it into its login link. The login ends it.
 */
#define SAML_PENDING_COOKIE "sk_pending"

/*
 * Every way a SAML request can fail, each with a stable name (logs,
 * audit reason, tests), an HTTP status and page texts (i18n keys
 * saml.<name>.title/.text), and for the errors that go back to the SP a
 * SAML status code. See saml_error_info().
 */
enum saml_error {
	SAML_E_NO_SIGNING_KEY,	   /* 503: no active key (or master key) */
	SAML_E_UNAVAILABLE,	   /* 503: database */
	SAML_E_INTERNAL,	   /* 500: our bug, lasso failure */
	SAML_E_MISSING_REQUEST,	   /* no SAMLRequest */
	SAML_E_REQUEST_TOO_LARGE,  /* SAMLRequest over the limit */
	SAML_E_INFLATED_TOO_LARGE, /* over the limit after inflate */
	SAML_E_BAD_BASE64,	   /* not strict base64 */
	SAML_E_BAD_DEFLATE,	   /* not a raw deflate stream */
	SAML_E_XML_DOCTYPE,	   /* DTD, entities */
	SAML_E_XML_MALFORMED,	   /* not well-formed, or not UTF-8 */
	SAML_E_XML_COMMENT,	   /* comments or processing instructions */
	SAML_E_XML_STRUCTURE,	   /* not one AuthnRequest as we expect */
	SAML_E_RELAY_STATE_TOO_LONG,
	SAML_E_UNKNOWN_ISSUER,
	SAML_E_DISABLED_ISSUER,
	SAML_E_ACS_URL_UNKNOWN,	    /* AssertionConsumerServiceURL */
	SAML_E_ACS_INDEX_UNKNOWN,   /* AssertionConsumerServiceIndex */
	SAML_E_BINDING_UNSUPPORTED, /* response binding other than POST */
	SAML_E_SIGNATURE_MISSING,
	SAML_E_SIGNATURE_INVALID,
	SAML_E_REPLAY,
	SAML_E_DESTINATION,	/* Destination is not our SSO URL */
	SAML_E_PENDING_UNKNOWN, /* /saml/continue: gone or used */
	/* From here on the SP gets a SAML status at its ACS. */
	SAML_E_ISSUE_INSTANT,	 /* Requester / RequestDenied */
	SAML_E_NAMEID_POLICY,	 /* Requester / InvalidNameIDPolicy */
	SAML_E_AUTHN_CONTEXT,	 /* Requester / RequestUnsupported */
	SAML_E_NO_PASSIVE,	 /* Responder / NoPassive */
	SAML_E_NO_AUTHN_CONTEXT, /* Responder / NoAuthnContext */
};
#define SAML_E_COUNT (SAML_E_NO_AUTHN_CONTEXT + 1)

struct saml_error_info {
	const char *name;      /* stable, lower_snake_case */
	unsigned http_status;  /* for the page */
	const char *text_key;  /* i18n: <key>.title and <key>.text */
	const char *status;    /* top-level StatusCode; NULL: a page */
	const char *substatus; /* second-level StatusCode or NULL */
};

/* Never NULL for a valid value. */
const struct saml_error_info *saml_error_info(enum saml_error e);

/*
 * The master key that opens the signing keys (keys_set_load()). idpd
 * calls this once at startup, before any worker runs, with the key read
 * by keys_master_load(); a copy is kept in guarded read-only memory for
 * the life of the process. Without it /saml/ answers "no signing key".
 * Returns 0 or IDP_ERR_NOMEM.
 */
IDP_WUR int saml_master_key_set(const uint8_t mk[32]);

/* The per-worker cache (lasso server, SP policies); opaque. */
struct saml_worker;

/* Free a worker's cache; NULL is fine. Only on the worker's thread. */
void saml_worker_free(struct saml_worker *sw);

/*
 * The IdP metadata document for /saml/metadata, built from
 * server.public_url and the live signing keys (active, next, previous;
 * during a rollover two or three certificates), with validUntil and
 * cacheDuration. On success *@xml is newly allocated (g_free()).
 * Returns 0, or the error to show (SAML_E_NO_SIGNING_KEY,
 * SAML_E_UNAVAILABLE, SAML_E_INTERNAL) as a positive enum saml_error.
 */
IDP_WUR int saml_metadata(struct worker *w, char **xml);

/* The binding an AuthnRequest came by. */
enum saml_sso_binding {
	SAML_SSO_REDIRECT,
	SAML_SSO_POST,
};

/* What the handler passes from the HTTP request (all borrowed). */
struct saml_sso_input {
	enum saml_sso_binding binding;
	const char *saml_request; /* the SAMLRequest field, decoded */
	const char *relay_state;  /* RelayState or NULL */
	const char *raw_query;	  /* Redirect: the query string as sent */
	bool has_signature;	  /* Redirect: a Signature parameter */
	const char *client;	  /* client address, for audit */
	const char *bind_cookie;  /* SAML_PENDING_BIND_COOKIE or NULL */
};

/* What the handler does next. */
enum saml_reply_kind {
	SAML_REPLY_PAGE, /* an error page: @error */
	SAML_REPLY_POST, /* the auto-submitting form to @acs_url */
	/*
	 * To the login page with @pending; or first through /saml/continue
	 * (@via_continue), when the request came by POST from another site
	 * and the browser did not send its session cookie along: the
	 * redirect's top-level GET will carry it.
	 */
	SAML_REPLY_LOGIN,
};

struct saml_reply {
	enum saml_reply_kind kind;
	enum saml_error error; /* PAGE; POST: the status sent, if any */
	bool is_error_status;  /* POST carries an error status */
	char *acs_url;	       /* POST: where the form goes (g_free) */
	char *acs_origin;      /* POST: scheme://host[:port] (g_free) */
	char *saml_response;   /* POST: base64 (g_free) */
	char *relay_state;     /* POST: or NULL (g_free) */
	char pending[SAML_PENDING_ID_LEN + 1]; /* LOGIN */
	bool via_continue;		       /* LOGIN */
	/*
	 * LOGIN: when not "", the value to set SAML_PENDING_BIND_COOKIE to
	 * (for SAML_PENDING_TTL_S) with this reply.
	 */
	char bind_cookie[SAML_PENDING_ID_LEN + 1];
};

/* Free what @r owns and zero it; safe on a zeroed reply. */
void saml_reply_clear(struct saml_reply *r);

/*
 * Handle an AuthnRequest. @si is the request's login session (NULL or
 * not valid: none visible; with the POST binding the session cookie is
 * not sent cross-site, so the pending request always takes the detour
 * through /saml/continue). Fills @out: an error page (never a redirect
 * to an address the metadata does not name), an error status or the
 * assertion for the ACS, or a pending id for the login. Every rejection
 * and every assertion issued is audited (sso_request_rejected,
 * sso_response_issued).
 */
void saml_sso_receive(struct worker *w, const struct saml_sso_input *in,
		      const struct session_info *si, struct saml_reply *out);

/*
 * Continue a pending request after the login page (or registration) with
 * the id the page carried: answer it when @si is a session that meets it
 * (for ForceAuthn one made after the request), else send the citizen to
 * the login page again. The pending request is used up by the answer.
 * @bind_cookie is the browser's SAML_PENDING_BIND_COOKIE (or NULL): unless
 * its hash matches the one stored with the request, the request counts
 * as unknown (SAML_E_PENDING_UNKNOWN, audited), so a pending id alone
 * is worth nothing in another browser.
 */
void saml_sso_continue(struct worker *w, const char *pending,
		       const char *bind_cookie, const struct session_info *si,
		       const char *client, struct saml_reply *out);

/*
 * eID step-up (docs/saml.md, "Levels of assurance"): a request whose
 * level the session @si does not reach, but an eID would, stays pending
 * and the citizen is sent to the login page with it. This says whether
 * the pending request @pending of this browser (@bind_cookie) is such a
 * one, so the page offers the eID; false for anything else (unknown,
 * another browser's: audited as by saml_sso_continue()).
 */
bool saml_pending_step_up(struct worker *w, const char *pending,
			  const char *bind_cookie,
			  const struct session_info *si, const char *client);

/*
 * The citizen gives a step-up up: answer the pending request @pending
 * with the status NoAuthnContext (a POST form to the portal's ACS), or
 * the page for an unknown request.
 */
void saml_sso_give_up(struct worker *w, const char *pending,
		      const char *bind_cookie, const struct session_info *si,
		      const char *client, struct saml_reply *out);

/* Whether @pending has the shape of a pending id (43 base64url). */
bool saml_pending_id_valid(const char *pending);

/*
 * The AuthnContext level model (sso_level.c), pure and exposed for tests.
 * Levels: 0 minimal (STORK-QAA-Level-1), 1 low, 2 substantial, 3 high.
 * Known class refs: eIDAS http://eidas.europa.eu/LoA/{low,substantial,
 * high}; STORK-QAA-Level-1..4; the mechanisms PasswordProtectedTransport
 * and Password (low) and SmartcardPKI (high, the eID card).
 *
 * Choose the AuthnContextClassRef to assert for a session at
 * @session_level, given the request's @comparison ("exact", "minimum",
 * "better", "maximum"; NULL means exact as in SAML core 3.3.2.2.1) and
 * @refs (@n of them; n = 0: nothing requested, the eIDAS name of the
 * session's level is asserted). Never more than the session has. On
 * success *@chosen is a static string. Returns 0, or SAML_E_AUTHN_CONTEXT
 * (an unknown comparison) or SAML_E_NO_AUTHN_CONTEXT (nothing requested
 * is known, or the session does not reach it).
 */
int saml_level_choose(const char *comparison, const char *const *refs, size_t n,
		      int session_level, const char **chosen);

/* "low" -> 1 and so on (sessions.loa); -1 for anything else. */
int saml_level_of_loa(const char *loa);

/* --- IdP-initiated SSO (sso_init.c) --- */

/*
 * The browser-binding cookie of pending requests (HttpOnly, SameSite=Lax,
 * __Host- and Secure under https, SAML_PENDING_TTL_S): a random 256-bit
 * secret whose BLAKE2b hash is stored with every pending request the
 * browser starts; /saml/continue answers only the browser that shows it.
 * A browser that already has one keeps it, so that two portals started
 * in two tabs both work (an HTTP-POST AuthnRequest comes cross-site
 * without it and gets a new one: an older pending request of the same
 * browser is then lost, and the citizen starts that portal again).
 */
#define SAML_PENDING_BIND_COOKIE "sk_pending_bind"

/*
 * /saml/sso/init?sp=: the entity ID at most this long (the relying
 * parties' own limit), checked before it is looked up. RelayState as
 * for AuthnRequests: SAML_RELAY_STATE_MAX.
 */
#define SAML_INIT_SP_MAX 1024

/* What the handler passes from GET /saml/sso/init (all borrowed). */
struct saml_init_input {
	const char *sp;		 /* the sp parameter, decoded, or NULL */
	const char *relay_state; /* RelayState, decoded, or NULL */
	const char *bind_cookie; /* SAML_PENDING_BIND_COOKIE or NULL */
	const char *client;	 /* client address, for audit */
};

/*
 * Start an IdP-initiated login at the enabled relying party @in->sp:
 * with a valid session @si an unsolicited response (no InResponseTo) to
 * the SP's default HTTP-POST ACS from its metadata, NameID in the SP's
 * format, attributes by its release list, the session's level; without
 * one a pending request (bound to the browser, see
 * SAML_PENDING_BIND_COOKIE) and the login page, as for an AuthnRequest.
 * A missing, oversized or unprintable sp, an unknown or disabled SP, an
 * overlong RelayState: an error page, never a redirect; audited as
 * sso_request_rejected with detail "idp_initiated: ...".
 */
void saml_sso_init(struct worker *w, const struct saml_init_input *in,
		   const struct session_info *si, struct saml_reply *out);

/* --- Single logout (slo_*.c, docs/saml.md "Single logout") --- */

/*
 * A logout chain: the id (256 random bits, base64url, the shape of a
 * pending id) travels only as RelayState of our LogoutRequests and in
 * this cookie (HttpOnly, SameSite=Lax, SAML_SLO_TTL_S); PostgreSQL keeps
 * its hash. The chain expires after SAML_SLO_TTL_S.
 */
#define SAML_SLO_COOKIE "sk_slo"
#define SAML_SLO_TTL_S	600

/* Where the handler sends the browser next. */
enum saml_slo_reply_kind {
	SAML_SLO_PAGE,	     /* an error page: @error, @text_key */
	SAML_SLO_REDIRECT,   /* HTTP-Redirect binding: to @url */
	SAML_SLO_POST,	     /* HTTP-POST binding: form to @url */
	SAML_SLO_RESULT,     /* the result page: the lists below */
	SAML_SLO_LOGGED_OUT, /* the plain logged-out page */
};

struct saml_slo_reply {
	enum saml_slo_reply_kind kind;
	enum saml_error error; /* PAGE: its HTTP status */
	const char *text_key;  /* PAGE: i18n <key>.title and <key>.text */
	char *url;	       /* REDIRECT: full URL; POST: form action */
	char *origin;	       /* REDIRECT, POST: scheme://host[:port] */
	const char *field;     /* POST: "SAMLRequest" or "SAMLResponse" */
	char *message;	       /* POST: base64 (g_free) */
	char *relay_state;     /* POST: or NULL (g_free) */
	/* RESULT: entity IDs of the portals, per outcome (g_strfreev). */
	char **ok;
	char **failed;
	char **no_answer;
	char **no_endpoint;
	/* The chain cookie to set with this reply ("": none). */
	char chain[SAML_PENDING_ID_LEN + 1];
	bool chain_done; /* delete the chain cookie */
};

/* Free what @r owns and zero it; safe on a zeroed reply. */
void saml_slo_reply_clear(struct saml_slo_reply *r);

/*
 * A message at /saml/slo: a LogoutRequest of a portal (SP-initiated:
 * signed by the portal's metadata key, registered and enabled, addressed
 * to us, fresh, new ID, naming a participant of a live session) or a
 * portal's LogoutResponse to a LogoutRequest of our chain (@response;
 * found by its RelayState, else by the chain cookie @cookie_chain).
 * @in as for SSO (the field SAMLRequest or SAMLResponse in
 * @in->saml_request). Ends the session, walks the chain, answers the
 * initiating portal; fills @out. Every outcome is audited (slo_*).
 */
void saml_slo_receive(struct worker *w, const struct saml_sso_input *in,
		      bool response, const char *cookie_chain,
		      struct saml_slo_reply *out);

/*
 * IdP-initiated logout, step one, before the session ends: copy the
 * participants of @si's session into a new chain (audited) and write its
 * id to @chain. *@n is how many portals it names; with none no chain is
 * made. Returns 0 or IDP_ERR_UNAVAILABLE.
 */
IDP_WUR int saml_slo_start(struct worker *w, const struct session_info *si,
			   const char *client,
			   char chain[SAML_PENDING_ID_LEN + 1], int64_t *n);

/*
 * Go on with the chain @chain (from the cookie or saml_slo_start()):
 * the next portal's LogoutRequest, or at the end the initiating portal's
 * LogoutResponse or the result page. Steps sent earlier and not answered
 * count as "did not answer". An unknown or expired chain gives
 * SAML_SLO_LOGGED_OUT.
 */
void saml_slo_continue(struct worker *w, const char *chain,
		       const char *client, struct saml_slo_reply *out);

#endif
