#!/usr/bin/env python3
"""The eID flows end to end (docs/eid.md, "Flows"): a real idpd, PostgreSQL,
an SMTP server, the eID simulator (tests/eid_sim, TEST TOOL) as the eID
service and a pysaml2 portal for the step-up. Link a card, log in with it,
an unknown card (register pre-filled / link after a password login), a
renewed card (replaced when the person matches, refused when not), a card
of another account, unlink (password), CSRF, the read-only fields, and the
step-up to level high with the verified-attributes attribute."""
import hashlib
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "saml_sso"))

from samlenv import (PASSWORD, Ctx, add_sp, keyed_database, ok,  # noqa
                     post_form, run_tests, start_idpd)
from harness import Browser, idpctl, link_in  # noqa
from sp import SP  # noqa
from saml2.saml import AuthnContextClassRef  # noqa
from saml2.samlp import RequestedAuthnContext  # noqa

SIM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                   "eid_sim", "eid_sim.py")
HIGH = "http://eidas.europa.eu/LoA/high"
VERIFIED = "urn:servicekonto:attributes:verified"


# --- the simulator ---------------------------------------------------------


def http(url, fields=None):
    """GET, or POST of @fields, to the simulator: (status, text)."""
    data = urllib.parse.urlencode(fields).encode() if fields else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data),
                                    timeout=60) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class Sim:
    def __init__(self, tmp, sp_metadata_url):
        self.log = open(os.path.join(tmp, "sim.log"), "w+")
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", SIM, "--port", "0", "--state",
             os.path.join(tmp, "sim"), "--sp-metadata", sp_metadata_url],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            self.stop()
            raise AssertionError("simulator did not start: " +
                                 self.logtext()[-3000:])
        self.base = line.split()[1]

    def logtext(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)


def field(text, name):
    m = re.search(r'name="%s" value="([^"]*)"' % name, text)
    return html.unescape(m.group(1)) if m else None


def eid(ctx, b, r, identity):
    """@r is idpd's redirect to the eID service: present @identity's card
    there, bring the response back through /eid/acs and /eid/acs/finish in
    browser @b; idpd's final reply (handle_eid_result's)."""
    assert r.status == 303, (r.status, r.text[:400])
    loc = r.header("Location")
    assert loc.startswith(ctx.sim.base + "/sso?"), loc
    status, page = http(loc)
    assert status == 200, (status, page[:400])
    status, page = http(ctx.sim.base + "/sso/respond",
                        {"handle": field(page, "handle"),
                         "identity": identity})
    assert status == 200, (status, page[:400])
    action = html.unescape(re.search(r'action="([^"]+)"', page).group(1))
    assert action == ctx.srv.public + "/eid/acs", action
    form = {"SAMLResponse": field(page, "SAMLResponse")}
    if field(page, "RelayState") is not None:
        form["RelayState"] = field(page, "RelayState")
    relay = b.request("POST", "/eid/acs", form=form)
    assert relay.status == 200, (relay.status, relay.text[:400])
    return b.request("POST", "/eid/acs/finish",
                     form={"csrf": relay.csrf(),
                           "SAMLResponse": field(relay.text,
                                                 "SAMLResponse")})


# --- accounts ----------------------------------------------------------------


def account(ctx, email, given="Max", family="Muster"):
    """A verified account with the password PASSWORD; its id."""
    n = len(ctx.mbox.messages)
    b = Browser(ctx.srv.port)
    r = b.post("/register", {"email": email, "password": PASSWORD,
                             "password2": PASSWORD, "given_name": given,
                             "family_name": family})
    assert r.status == 200, r.status
    verify(ctx, email, n)
    return int(ctx.db.query("SELECT id FROM accounts WHERE email = '%s'"
                            % email))


def verify(ctx, email, after):
    msg = ctx.mbox.wait_for(email, after=after)
    r = Browser(ctx.srv.port).get(
        link_in(msg, "/verify").split(ctx.srv.public)[1])
    assert r.status == 200, r.status


def login(ctx, email):
    b = Browser(ctx.srv.port)
    r = b.post("/login", {"email": email, "password": PASSWORD})
    assert r.status == 303 and r.header("Location") == "/account", r.status
    return b


def link(ctx, b, identity, password=PASSWORD):
    r = b.post("/account/eid/link", {"password": password},
               csrf_from="/account/eid")
    return eid(ctx, b, r, identity)


def q(ctx, sql):
    return ctx.db.query(sql)


def linked_to(ctx, account_id):
    return int(q(ctx, "SELECT count(*) FROM eid_links WHERE account_id = %d"
                 % account_id))


def audits(ctx, event):
    return int(q(ctx, "SELECT count(*) FROM audit_log WHERE event = '%s'"
                 % event))


def session_of(ctx, b):
    """(auth_method, loa) of browser @b's session, newest of its account."""
    r = b.get("/account")
    assert r.status == 200, r.status
    return tuple(q(ctx, "SELECT auth_method || ' ' || loa FROM sessions"
                   " ORDER BY last_seen_at DESC, id DESC LIMIT 1").split())


# --- tests -----------------------------------------------------------------


def test_link(ctx):
    ctx.a = account(ctx, "a@example.org")
    b = login(ctx, "a@example.org")
    r = b.get("/account")
    assert "Online-Ausweis" in r.text and "/account/eid" in r.text
    r = b.get("/account/eid")
    assert r.status == 200 and "Nicht verknüpft" in r.text
    # The password first: a stolen session must not add a card.
    r = b.post("/account/eid/link", {"password": "wrong-password-1"},
               csrf_from="/account/eid")
    assert r.status == 422, r.status
    assert audits(ctx, "eid_link_failed") == 1
    n = len(ctx.mbox.messages)
    r = link(ctx, b, "erika")
    assert r.status == 303, (r.status, r.text[:500])
    assert r.header("Location") == "/account/eid?done=linked"
    assert linked_to(ctx, ctx.a) == 1
    row = q(ctx, "SELECT given_name, family_name, birth_date, place_of_birth,"
            " city, name_source, birth_date_source, address_source,"
            " place_of_birth_source FROM accounts WHERE id = %d" % ctx.a)
    assert row == ("Erika|Mustermann|1964-08-12|Berlin|Köln|eid|eid|eid|eid"
                   ), row
    # The card was read in this session: level high; the login stays.
    assert session_of(ctx, b) == ("password", "high")
    assert audits(ctx, "eid_linked") == 1
    ctx.mbox.wait_for("a@example.org", "Online-Ausweis", after=n)
    r = b.get("/account/eid?done=linked")
    assert "Verknüpft" in r.text and "Berlin" in r.text
    ctx.browser_a = b
    export = json.loads(b.get("/account/export").text)
    assert export["place_of_birth"] == "Berlin", export
    assert export["place_of_birth_source"] == "eid"
    assert export["eid_linked"] == "yes"
    assert export["eid_document_type"] == "ID"
    # No secret of the card in the database: only a 32-byte hash.
    h = q(ctx, "SELECT encode(pseudonym_hash, 'base64') FROM eid_links")
    assert "vEkCTpUStXBuTnj10E" not in h


def test_readonly_fields(ctx):
    b = ctx.browser_a
    r = b.get("/account/profile")
    assert r.status == 200
    assert re.search(r'id="given_name"[^>]* disabled', r.text), r.text[:2000]
    assert re.search(r'id="city"[^>]* disabled', r.text)
    # A changed confirmed field is refused, and nothing changes.
    r = b.post("/account/profile", {"given_name": "Eve",
                                    "family_name": "Mustermann"})
    assert r.status == 422, r.status
    assert q(ctx, "SELECT given_name FROM accounts WHERE id = %d"
             % ctx.a) == "Erika"
    # The disabled fields are not sent by a browser: that is fine.
    r = b.post("/account/profile", {})
    assert r.status == 303, r.status


def test_login_with_eid(ctx):
    # The browser has another account's session: it ends (no fixation,
    # no mix-up), and the new one is a fresh value.
    other = account(ctx, "other@example.org")
    b = login(ctx, "other@example.org")
    old_session = b.cookies["sk_session"]
    r = b.get("/login?lang=de")
    csrf_before = b.cookies.get("sk_csrf")
    b2 = Browser(ctx.srv.port)
    assert "Mit Online-Ausweis anmelden" in b2.get("/login").text
    r = b.post("/login/eid", {}, csrf_from="/account/eid")
    r = eid(ctx, b, r, "erika")
    assert r.status == 303 and r.header("Location") == "/account", \
        (r.status, r.text[:500])
    assert b.cookies["sk_session"] != old_session
    assert b.cookies.get("sk_csrf") != csrf_before
    assert int(q(ctx, "SELECT count(*) FROM sessions WHERE account_id = %d"
                 % other)) == 0
    assert session_of(ctx, b) == ("eid", "high")
    assert q(ctx, "SELECT details->>'method' FROM audit_log WHERE event ="
             " 'login_succeeded' ORDER BY seq DESC LIMIT 1") == "eid"


def test_locked_account_refused(ctx):
    """A locked account: the eID login gets the password login's one
    refusal (401, the same message) and no session."""
    ok(idpctl(ctx.db, "account", "lock", "a@example.org", env=ctx.env))
    try:
        b = Browser(ctx.srv.port)
        r = eid(ctx, b, b.post("/login/eid", {}, csrf_from="/login"),
                "erika")
        assert r.status == 401, (r.status, r.text[:300])
        failed = Browser(ctx.srv.port).post(
            "/login", {"email": "nobody@example.org", "password": "x" * 9})
        assert failed.status == 401
        msg = re.search(r'<p class="field-error"[^>]*>(.*?)</p>', r.text,
                        re.S)
        assert msg and msg.group(1) in failed.text
        assert "sk_session" not in b.cookies
    finally:
        ok(idpctl(ctx.db, "account", "unlock", "a@example.org",
                  env=ctx.env))
    # Locking ended the account's sessions: log in again for what follows.
    ctx.browser_a = login(ctx, "a@example.org")


def test_card_of_another_account(ctx):
    ctx.b_id = account(ctx, "b@example.org")
    b = login(ctx, "b@example.org")
    r = link(ctx, b, "erika")
    assert r.status == 409, (r.status, r.text[:500])
    assert "anderen Servicekonto" in r.text
    assert linked_to(ctx, ctx.b_id) == 0
    assert q(ctx, "SELECT details->>'reason' FROM audit_log WHERE event ="
             " 'eid_link_refused' ORDER BY seq DESC LIMIT 1") == \
        "card linked to another account"


def test_new_card_matching_replaced(ctx):
    b = ctx.browser_a
    r = link(ctx, b, "erika-new-card")
    assert r.status == 303, (r.status, r.text[:500])
    assert r.header("Location") == "/account/eid?done=replaced"
    assert q(ctx, "SELECT replacements FROM eid_links WHERE account_id = %d"
             % ctx.a) == "1"
    assert audits(ctx, "eid_link_replaced") == 1
    # The old card no longer logs in to this account.
    nb = Browser(ctx.srv.port)
    r = eid(ctx, nb, nb.post("/login/eid", {}, csrf_from="/login"),
            "erika")
    assert r.status == 200 and 'action="/register/eid"' not in r.text
    assert "/register/eid" in r.text, r.text[:500]


def test_new_card_not_matching_refused(ctx):
    before = audits(ctx, "eid_link_refused")
    r = link(ctx, ctx.browser_a, "jonas")
    assert r.status == 409, (r.status, r.text[:500])
    assert "Geburtsdatum" in r.text
    assert audits(ctx, "eid_link_refused") == before + 1
    assert q(ctx, "SELECT given_name FROM accounts WHERE id = %d"
             % ctx.a) == "Erika"


def test_unknown_card_register(ctx):
    b = Browser(ctx.srv.port)
    r = eid(ctx, b, b.post("/login/eid", {}, csrf_from="/login"), "zoe")
    assert r.status == 200, (r.status, r.text[:500])
    assert "sk_eid_hold" in b.cookies
    r = b.get("/register/eid")
    assert r.status == 200
    assert "Zoë Aleksandra" in r.text and "Kyjiw" in r.text
    assert re.search(r'id="family_name"[^>]* disabled', r.text)
    n = len(ctx.mbox.messages)
    # Names sent along are ignored: the card's are taken.
    r = b.post("/register/eid", {"email": "zoe@example.org",
                                 "password": PASSWORD,
                                 "password2": PASSWORD,
                                 "given_name": "Mallory"},
               csrf_from="/register/eid")
    assert r.status == 200, (r.status, r.text[:500])
    row = q(ctx, "SELECT given_name, family_name, name_source,"
            " email_verified_at IS NULL FROM accounts"
            " WHERE email = 'zoe@example.org'")
    assert row == "Zoë Aleksandra|Müller-Lüdenscheidt|eid|t", row
    assert int(q(ctx, "SELECT count(*) FROM eid_held_identities WHERE"
                 " family_name = 'Müller-Lüdenscheidt'")) == 0
    # Not verified yet: the eID login is refused like a password login.
    nb = Browser(ctx.srv.port)
    r = eid(ctx, nb, nb.post("/login/eid", {}, csrf_from="/login"), "zoe")
    assert r.status == 401, r.status
    verify(ctx, "zoe@example.org", n)
    nb = Browser(ctx.srv.port)
    r = eid(ctx, nb, nb.post("/login/eid", {}, csrf_from="/login"), "zoe")
    assert r.status == 303 and r.header("Location") == "/account"


def test_unknown_card_password_login_links(ctx):
    c = account(ctx, "c@example.org", "Ana", "Ejemplo García")
    b = Browser(ctx.srv.port)
    r = eid(ctx, b, b.post("/login/eid", {}, csrf_from="/login"), "ana")
    assert r.status == 200, (r.status, r.text[:500])
    r = b.request("POST", "/login", form={
        "csrf": r.csrf(), "email": "c@example.org", "password": PASSWORD,
        "eid_link": "1"})
    assert r.status == 200, (r.status, r.text[:500])
    assert "verknüpft" in r.text
    assert linked_to(ctx, c) == 1
    # Ana's card has no address: the typed one stays self-declared.
    assert q(ctx, "SELECT name_source || address_source FROM accounts"
             " WHERE id = %d" % c) == "eidself"
    assert "sk_eid_hold" not in b.cookies


def test_unlink(ctx):
    b = ctx.browser_a
    r = b.post("/account/eid/unlink", {"unlink_password": "wrong-pass-9"},
               csrf_from="/account/eid")
    assert r.status == 422, r.status
    assert linked_to(ctx, ctx.a) == 1
    assert audits(ctx, "eid_unlink_failed") == 1
    n = len(ctx.mbox.messages)
    r = b.post("/account/eid/unlink", {"unlink_password": PASSWORD},
               csrf_from="/account/eid")
    assert r.status == 303, r.status
    assert linked_to(ctx, ctx.a) == 0
    assert q(ctx, "SELECT given_name || name_source || address_source ||"
             " place_of_birth_source FROM accounts WHERE id = %d"
             % ctx.a) == "Erikaselfselfself"
    assert audits(ctx, "eid_unlinked") == 1
    ctx.mbox.wait_for("a@example.org", "getrennt", after=n)


def test_csrf(ctx):
    b = ctx.browser_a
    for path, form in [("/account/eid/link", {"password": PASSWORD}),
                       ("/account/eid/unlink",
                        {"unlink_password": PASSWORD}),
                       ("/login/eid", {}), ("/eid/step-up", {}),
                       ("/register/eid", {"email": "x@example.org"})]:
        r = b.request("POST", path, form=form)
        assert r.status == 403, (path, r.status)
        r = b.request("POST", path, form=dict(form, csrf="A" * 43))
        assert r.status == 403, (path, r.status)


def step_up_request(ctx, b):
    rac = RequestedAuthnContext(
        authn_context_class_ref=[AuthnContextClassRef(text=HIGH)],
        comparison="exact")
    _, url = ctx.sp.redirect_url(ctx.idp_entity,
                                 requested_authn_context=rac)
    r = b.get(url[len(ctx.srv.public):])
    # Not pending yet: stored, and through /saml/continue to the login page.
    while r.status == 303 and r.header("Location").startswith(
            "/saml/continue"):
        r = b.get(r.header("Location"))
    assert r.status == 303, (r.status, r.text[:400])
    m = re.match(r"^/login\?pending=([A-Za-z0-9_-]{43})$",
                 r.header("Location"))
    assert m, r.header("Location")
    return m.group(1)


def test_step_up(ctx):
    d = account(ctx, "d@example.org")
    b = login(ctx, "d@example.org")
    assert link(ctx, b, "jonas").status == 303
    b = login(ctx, "d@example.org")  # a fresh password session: low
    assert session_of(ctx, b) == ("password", "low")
    pending = step_up_request(ctx, b)
    r = b.get("/login?pending=" + pending)
    assert r.status == 200 and 'action="/eid/step-up"' in r.text
    r = b.post("/eid/step-up", {"pending": pending, "csrf": r.csrf()})
    r = eid(ctx, b, r, "jonas")
    assert r.status == 303, (r.status, r.text[:500])
    assert r.header("Location") == "/saml/continue?pending=" + pending
    assert session_of(ctx, b) == ("eid", "high")
    resp = ctx.sp.parse(post_form(b.get(r.header("Location")))[1])
    assert resp.authn_info()[0][0] == HIGH, resp.authn_info()
    ava = resp.ava
    verified = next(v for k, v in ava.items() if "verified" in k)
    assert sorted(verified) == ["address", "birth_date", "family_name",
                                "given_name"], ava
    assert audits(ctx, "eid_step_up") == 1
    assert linked_to(ctx, d) == 1


def test_step_up_other_card_refused(ctx):
    b = login(ctx, "d@example.org")
    pending = step_up_request(ctx, b)
    r = b.get("/login?pending=" + pending)
    r = b.post("/eid/step-up", {"pending": pending, "csrf": r.csrf()})
    r = eid(ctx, b, r, "zoe")
    assert r.status == 403, (r.status, r.text[:500])
    assert session_of(ctx, b) == ("password", "low")


def test_step_up_post_binding(ctx):
    """The step-up for a portal that sends its AuthnRequest by HTTP-POST:
    the cross-site POST carries no cookies, so the request is stored and
    bound to the browser (which keeps the binding cookie the answer set),
    then the same step-up, then the portal's answer at level high."""
    b = login(ctx, "d@example.org")  # linked to jonas by test_step_up
    assert session_of(ctx, b) == ("password", "low")
    rac = RequestedAuthnContext(
        authn_context_class_ref=[AuthnContextClassRef(text=HIGH)],
        comparison="exact")
    reqid, saml_request = ctx.sp.post_request(
        ctx.idp_entity, "rs-stepup", requested_authn_context=rac)
    cross_site = Browser(ctx.srv.port)
    r = cross_site.request("POST", "/saml/sso", form={
        "SAMLRequest": saml_request, "RelayState": "rs-stepup"})
    assert r.status == 303, (r.status, r.text[:400])
    b.cookies["sk_pending_bind"] = cross_site.cookies["sk_pending_bind"]
    r = b.get(r.header("Location"))
    while r.status == 303 and r.header("Location").startswith(
            "/saml/continue"):
        r = b.get(r.header("Location"))
    m = re.match(r"^/login\?pending=([A-Za-z0-9_-]{43})$",
                 r.header("Location") or "")
    assert r.status == 303 and m, (r.status, r.header("Location"))
    pending = m.group(1)
    r = b.get("/login?pending=" + pending)
    assert r.status == 200 and 'action="/eid/step-up"' in r.text
    r = b.post("/eid/step-up", {"pending": pending, "csrf": r.csrf()})
    r = eid(ctx, b, r, "jonas")
    assert r.status == 303, (r.status, r.text[:500])
    assert r.header("Location") == "/saml/continue?pending=" + pending
    action, saml_response, relay = post_form(b.get(r.header("Location")))
    assert relay == "rs-stepup", relay
    resp = ctx.sp.parse(saml_response)
    assert resp.in_response_to == reqid
    assert resp.authn_info()[0][0] == HIGH, resp.authn_info()
    assert session_of(ctx, b) == ("eid", "high")


def test_step_up_not_linked_give_up(ctx):
    b = login(ctx, "b@example.org")
    pending = step_up_request(ctx, b)
    r = b.get("/login?pending=" + pending)
    assert r.status == 200 and 'href="/account/eid"' in r.text
    assert 'action="/eid/step-up"' not in r.text
    r = b.post("/eid/step-up/cancel", {"pending": pending,
                                       "csrf": r.csrf()})
    try:
        ctx.sp.parse(post_form(r)[1])
        raise AssertionError("the portal got an assertion")
    except AssertionError:
        raise
    except Exception as e:  # pysaml2 raises a class per status
        assert "NoAuthnContext" in type(e).__name__ + str(e), e


def test_session_mismatch(ctx):
    """A LINK result is applied only to the session that started it: the
    browser finishing it with another session (of the same account, in
    this test) is refused and nothing is linked. (A session that ended
    meanwhile takes its eID request with it: the protocol refuses.)"""
    e_id = account(ctx, "e@example.org")
    b = login(ctx, "e@example.org")
    r = b.post("/account/eid/link", {"password": PASSWORD},
               csrf_from="/account/eid")
    b2 = login(ctx, "e@example.org")
    b.cookies["sk_session"] = b2.cookies["sk_session"]
    r = eid(ctx, b, r, "ana")
    assert r.status == 403, (r.status, r.text[:400])
    assert linked_to(ctx, e_id) == 0


def test_hold_expired_or_forged(ctx):
    """An expired hold is refused (and gone after the janitor's purge);
    a handle the server did not issue finds nothing."""
    handle = "A" * 43  # base64url of 32 zero bytes
    digest = hashlib.blake2b(bytes(32), digest_size=32).hexdigest()
    q(ctx, "INSERT INTO eid_held_identities (handle_hash, pseudonym_hash,"
      " family_name, given_names, created_at, expires_at) VALUES"
      " (decode('%s', 'hex'), decode(repeat('cd', 32), 'hex'), 'X', 'Y',"
      " now() - interval '1 hour', now() - interval '1 minute')" % digest)
    for value in (handle, "B" * 43, "<script>", "A" * 500):
        b = Browser(ctx.srv.port)
        b.cookies["sk_eid_hold"] = value
        r = b.get("/register/eid")
        assert r.status == 410, (value, r.status)
        r = b.request("POST", "/register/eid", form={
            "csrf": b.get("/login").csrf(), "email": "h@example.org",
            "password": PASSWORD, "password2": PASSWORD})
        assert r.status == 410, (value, r.status)
    assert q(ctx, "SELECT count(*) FROM accounts WHERE email ="
             " 'h@example.org'") == "0"


# --- setup -------------------------------------------------------------------


def setup(ctx):
    tmp = ctx.tmp
    keyed_database(ctx, "eidflows", tmp)
    for purpose in ("eid-signing", "eid-encryption"):
        r = ok(idpctl(ctx.db, "keys", "generate", "--purpose", purpose,
                      "--bits", "2048", "--json", env=ctx.env))
        ok(idpctl(ctx.db, "keys", "activate",
                  str(json.loads(r.stdout)["id"]), "--force", env=ctx.env))
    ctx.sp = SP(tmp, "portal", want_assertions_signed=True)
    add_sp(ctx, ctx.sp.metadata(), "--release",
           "given_name,family_name,email,birth_date,address",
           "--attribute-profile", "eidas", "--no-encrypt-assertions",
           "--no-require-signed-requests")
    start_idpd(ctx, (ctx.sp,))
    ctx.sim = Sim(tmp, ctx.srv.public + "/eid/metadata")
    status, meta = http(ctx.sim.base + "/metadata")
    assert status == 200
    path = os.path.join(tmp, "eid-service.xml")
    with open(path, "w") as f:
        f.write(meta)
    ok(idpctl(ctx.db, "eid", "configure", "--metadata", path, env=ctx.env))


def cleanup(ctx, runner):
    sim = getattr(ctx, "sim", None)
    if sim is not None:
        if runner.failed:
            print(sim.logtext()[-4000:])
        sim.stop()


def main():
    ctx = Ctx(tempfile.mkdtemp(prefix="eidflows-", dir="."))
    return run_tests(ctx, setup, [
        test_link,
        test_readonly_fields,
        test_login_with_eid,
        test_locked_account_refused,
        test_card_of_another_account,
        test_new_card_matching_replaced,
        test_new_card_not_matching_refused,
        test_unknown_card_register,
        test_unknown_card_password_login_links,
        test_unlink,
        test_csrf,
        test_step_up,
        test_step_up_other_card_refused,
        test_step_up_post_binding,
        test_step_up_not_linked_give_up,
        test_session_mismatch,
        test_hold_expired_or_forged,
    ], cleanup, setup_as_test=True)


if __name__ == "__main__":
    sys.exit(main())
