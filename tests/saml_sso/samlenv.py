"""What the SAML end-to-end test programs share (tests/saml_sso,
saml_init, saml_slo, saml_meta, mellon), on top of tests/account/harness.py
(idpd, PostgreSQL, SMTP): a throwaway database with our schema and an
active signing key made by the real idpctl, service providers registered
with `idpctl sp add`, idpd started against it, the login form for a pending
request, the auto-submitting POST form, and the program's main loop with a
clean shutdown (a non-zero idpd exit, under ASan a leak or an error, is a
failure).

Importing this module puts tests/account on sys.path, so `from harness
import ...` works after it.
"""
import html
import json
import os
import re
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "account"))

from harness import Browser, Database, Idpd, Mailbox, Runner, idpctl  # noqa

PASSWORD = "Lindenbaum-Brunnen-42"
PENDING_RE = r"^/login\?pending=([A-Za-z0-9_-]{43})$"


class Ctx:
    """The state the functions of one test program share; @tmp is its
    scratch directory, @kw more attributes that cleanup looks at."""

    def __init__(self, tmp, **kw):
        self.tmp = tmp
        self.db = self.mbox = self.srv = self.srv2 = None
        self.__dict__.update(kw)


def ok(r):
    """@r, a finished idpctl, must have succeeded."""
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def keyed_database(ctx, tag, keydir, extra_env=None):
    """ctx.db: a fresh database @tag with our schema and an active 2048-bit
    signing key; ctx.env: the environment idpctl and idpd need for it (the
    master key file in @keydir, plus @extra_env)."""
    ctx.db = Database(tag)
    ok(idpctl(ctx.db, "db", "migrate"))
    ctx.env = {"IDP_KEYS_MASTER_KEY_FILE": os.path.join(keydir, "master.key")}
    ctx.env.update(extra_env or {})
    ok(idpctl(ctx.db, "keys", "init", env=ctx.env))
    r = ok(idpctl(ctx.db, "keys", "generate", "--bits", "2048", "--json",
                  env=ctx.env))
    key_id = str(json.loads(r.stdout)["id"])
    ok(idpctl(ctx.db, "keys", "activate", key_id, "--force", env=ctx.env))


def add_sp(ctx, metadata, *args):
    """`idpctl sp add --metadata @metadata @args`, which must succeed."""
    ok(idpctl(ctx.db, "sp", "add", "--metadata", metadata, *args))


def start_idpd(ctx, sps=()):
    """ctx.mbox and ctx.srv (idpd with ctx.env), ctx.idp_entity; each SP of
    @sps trusts our metadata from /saml/metadata."""
    ctx.mbox = Mailbox()
    ctx.srv = Idpd(ctx.db, ctx.mbox, dict(ctx.env))
    ctx.idp_entity = ctx.srv.public + "/saml/metadata"
    if sps:
        meta = Browser(ctx.srv.port).get("/saml/metadata")
        assert meta.status == 200, (meta.status, meta.text[:300])
        for sp in sps:
            sp.trust(meta.text)


def start_second_idpd(ctx, extra_env=None):
    """ctx.srv2: a second node of the same IdP (after start_idpd()): idpd
    on its own port against ctx.db with ctx.env (plus @extra_env), the
    same public URL as ctx.srv and the same mailbox."""
    env = dict(ctx.env)
    env.update(extra_env or {})
    ctx.srv2 = Idpd(ctx.db, ctx.mbox, env, public_url=ctx.srv.public)


def path_of(ctx, url):
    """The path of @url, one of idpd's own."""
    assert url.startswith(ctx.srv.public), url
    return url[len(ctx.srv.public):]


def post_form(reply):
    """idpd's auto-submitting form: (action, SAMLResponse, RelayState)."""
    assert reply.status == 200, (reply.status, reply.text[:500])
    action = re.search(r'<form id="saml-post"[^>]* action="([^"]+)"',
                       reply.text)
    resp = re.search(r'name="SAMLResponse" value="([^"]+)"', reply.text)
    relay = re.search(r'name="RelayState" value="([^"]*)"', reply.text)
    assert action and resp, reply.text[:500]
    return (html.unescape(action.group(1)), html.unescape(resp.group(1)),
            html.unescape(relay.group(1)) if relay else None)


def login_form(b, pending, email, password=PASSWORD):
    """The login page for @pending in browser @b, then the form sent:
    idpd's answer to the POST."""
    r = b.get("/login?pending=" + pending)
    assert r.status == 200, r.status
    assert 'name="pending" value="%s"' % pending in r.text
    return b.post("/login", {"email": email, "password": password,
                             "pending": pending, "csrf": r.csrf()})


def login_continue(b, r, email, password=PASSWORD):
    """@r is idpd's redirect to the login page for a pending request: log
    in there as @email and follow on to /saml/continue; its reply."""
    assert r.status == 303, (r.status, r.text[:300])
    loc = r.header("Location")
    m = re.match(PENDING_RE, loc)
    assert m, loc
    r = login_form(b, m.group(1), email, password)
    assert r.status == 303, (r.status, r.text[:300])
    loc = r.header("Location")
    assert loc == "/saml/continue?pending=" + m.group(1), loc
    return b.get(loc)


def audit_count(ctx, event):
    return int(ctx.db.query("SELECT count(*) FROM audit_log"
                            " WHERE event = '%s'" % event))


def audit_last(ctx, event, field):
    """details->>@field of the latest audit row of @event."""
    return ctx.db.query(
        "SELECT details->>'%s' FROM audit_log WHERE event = '%s'"
        " ORDER BY seq DESC LIMIT 1" % (field, event))


def stop_idpd(srv, runner):
    """Stops @srv, printing its log when it died or a test failed; a
    non-zero exit status counts as a failure."""
    if srv is None:
        return
    if not srv.alive() or runner.failed:
        print(srv.logtext()[-8000:])
    if srv.alive():
        srv.proc.send_signal(signal.SIGTERM)
        srv.proc.wait(60)
    log = srv.logtext()
    rc = srv.stop()
    if rc != 0:
        runner.failed += 1
        print("not ok - idpd exit status %s\n%s" % (rc, log[-40000:]))


def run_tests(ctx, setup, tests, cleanup=None, setup_as_test=False):
    """setup(@ctx), then each of @tests with @ctx in order (TAP-like lines
    and the summary); whatever happened, then ctx.srv and ctx.srv2 stopped
    (stop_idpd), @cleanup(@ctx, runner) when given, the mailbox stopped and
    the database dropped. With @setup_as_test, setup is reported like a
    test and the tests run only when it passed. The exit status."""
    runner = Runner()
    try:
        if setup_as_test:
            runner.run(setup, ctx)
        else:
            setup(ctx)
        if not runner.failed:
            for fn in tests:
                runner.run(fn, ctx)
    finally:
        for srv in (ctx.srv, ctx.srv2):
            stop_idpd(srv, runner)
        if cleanup is not None:
            cleanup(ctx, runner)
        if ctx.mbox is not None:
            ctx.mbox.stop()
        if ctx.db is not None:
            ctx.db.drop()
    return runner.finish()
