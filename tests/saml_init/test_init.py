#!/usr/bin/env python3
"""IdP-initiated SSO and the browser binding of pending requests, end to
end: real pysaml2 service providers registered with the real `idpctl sp
add`, idpd with PostgreSQL, the real login and registration pages.

Part A: GET /saml/sso/init?sp=...[&RelayState=...] gives an unsolicited
response (no InResponseTo anywhere) that pysaml2 accepts with
allow_unsolicited (and refuses without it), after the login form or at
once with a session; the hostile inputs each get an HTML error page, no
assertion, an audit row, and idpd stays healthy.

Part B: a pending request (from /saml/sso/init or from an AuthnRequest)
can only be continued by the browser that started it: another cookie jar
with the pending id gets "pending unknown".
"""
import base64
import os
import re
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "saml_sso"))

import samlenv
from samlenv import (PASSWORD, PENDING_RE, Ctx, add_sp, audit_last,
                     keyed_database, post_form, run_tests, start_idpd)
from harness import Browser, idpctl, link_in
from saml2.saml import NAMEID_FORMAT_TRANSIENT
from sp import SP

EMAIL = "erika.init@example.org"
EMAIL2 = "max.phone@example.org"
EIDAS_LOW = "http://eidas.europa.eu/LoA/low"
PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
BIND = "sk_pending_bind"


# --- helpers ---------------------------------------------------------


def init_path(sp=None, relay_state=None, raw=None):
    if raw is not None:
        return "/saml/sso/init?" + raw
    q = {}
    if sp is not None:
        q["sp"] = sp
    if relay_state is not None:
        q["RelayState"] = relay_state
    return "/saml/sso/init?" + urllib.parse.urlencode(q)


def unsolicited_verdict(sp, reply):
    """pysaml2's verdict on an unsolicited response: accepted with
    allow_unsolicited, refused without; no InResponseTo in the XML at
    all (neither Response nor SubjectConfirmationData)."""
    action, saml_response, relay = post_form(reply)
    xml = base64.b64decode(saml_response).decode()
    assert "InResponseTo" not in xml, xml[:2000]
    sp.client.allow_unsolicited = False
    try:
        sp.client.parse_authn_request_response(
            saml_response, "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
            outstanding={})
    except Exception as e:
        assert "nsolicited" in type(e).__name__ + str(e), repr(e)
    else:
        raise AssertionError("pysaml2 took it as solicited")
    finally:
        sp.client.allow_unsolicited = True
    resp = sp.client.parse_authn_request_response(
        saml_response, "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
        outstanding={})
    assert resp.in_response_to is None, resp.in_response_to
    for sc in resp.assertion.subject.subject_confirmation:
        assert sc.subject_confirmation_data.in_response_to is None
        assert sc.subject_confirmation_data.recipient == action
    return action, resp, relay, xml


def login_form(b, pending, email=EMAIL):
    return samlenv.login_form(b, pending, email)


def start_init(b, sp, relay_state=None):
    """GET /saml/sso/init without a session: the pending id."""
    r = b.get(init_path(sp.entity_id, relay_state))
    assert r.status == 303, (r.status, r.text[:300])
    m = re.match(PENDING_RE, r.header("Location"))
    assert m, r.header("Location")
    return m.group(1), r


def count(ctx, event):
    return samlenv.audit_count(ctx, event)


def pending_rows(ctx):
    return int(ctx.db.query("SELECT count(*) FROM saml_pending_requests"))


def healthy(ctx):
    assert ctx.srv.alive()
    assert Browser(ctx.srv.port).get("/healthz").status == 200


def refused_page(ctx, reply, status, reason, before, detail):
    """An HTML error page (never a redirect), no assertion, the audit row
    with @reason and an idp_initiated detail, idpd healthy."""
    assert reply.status == status, (reply.status, reply.text[:300])
    assert reply.header("Location") is None
    assert reply.header("Content-Type").startswith("text/html")
    assert "SAMLResponse" not in reply.text
    assert "<html" in reply.text.lower()
    assert count(ctx, "sso_request_rejected") == before + 1
    assert audit_last(ctx, "sso_request_rejected", "reason") == reason
    d = audit_last(ctx, "sso_request_rejected", "detail")
    assert d == "idp_initiated: " + detail, d
    healthy(ctx)


def register(ctx, b, email, pending=None, verifier=None):
    """Register @email in @b (with the pending id when given) and open the
    verification link in @verifier (default @b): its reply."""
    q = "?pending=" + pending if pending else ""
    r = b.get("/register" + q)
    assert r.status == 200, r.status
    n = len(ctx.mbox.messages)
    form = {"email": email, "password": PASSWORD, "password2": PASSWORD,
            "given_name": "Erika", "family_name": "Mustermann",
            "birth_date": "1964-08-12", "street": "Heidestraße 17",
            "postal_code": "51147", "city": "Köln", "csrf": r.csrf()}
    if pending:
        form["pending"] = pending
    r = b.post("/register", form)
    assert r.status == 200, (r.status, r.text[:300])
    msg = ctx.mbox.wait_for(email, after=n)
    v = verifier or b
    r = v.get(samlenv.path_of(ctx, link_in(msg, "/verify")))
    assert r.status == 200, r.status
    return r


# --- A: IdP-initiated SSO ------------------------------------------------


def test_register_and_login_through_init(ctx):
    """No session, no account: init -> login page -> registration ->
    verification (same browser) -> login -> the portal, unsolicited."""
    b = Browser(ctx.srv.port)
    pending, r = start_init(b, ctx.sp1, "/start?x=1")
    # The binding cookie: HttpOnly, SameSite=Lax, for the pending TTL.
    sc = [c for c in r.all("Set-Cookie") if c.startswith(BIND + "=")]
    assert len(sc) == 1, r.all("Set-Cookie")
    assert "HttpOnly" in sc[0] and "SameSite=Lax" in sc[0], sc
    assert "Max-Age=1800" in sc[0] and "Path=/" in sc[0], sc
    secret = b.cookies[BIND]
    assert re.match(r"^[A-Za-z0-9_-]{43}$", secret)
    assert secret != pending
    # Only the hash of the secret is stored with the row.
    row = ctx.db.query("SELECT encode(binding_hash, 'hex'), request_id IS"
                       " NULL FROM saml_pending_requests")
    hexhash, no_request = row.split("|")
    assert len(hexhash) == 64 and no_request == "t", row
    assert secret not in ctx.db.query(
        "SELECT row_to_json(p)::text FROM saml_pending_requests p")
    r = b.get("/login?pending=" + pending)
    assert "/register?pending=" + pending in r.text
    r = register(ctx, b, EMAIL, pending)
    assert "/login?pending=" + pending in r.text, r.text[:2000]
    r = login_form(b, pending)
    assert r.status == 303, (r.status, r.text[:300])
    assert r.header("Location") == "/saml/continue?pending=" + pending
    before = count(ctx, "sso_response_issued")
    r = b.get("/saml/continue?pending=" + pending)
    action, resp, relay, _ = unsolicited_verdict(ctx.sp1, r)
    assert action == ctx.sp1.acs, action
    assert relay == "/start?x=1", relay
    assert resp.name_id.format == PERSISTENT
    assert re.match(r"^[A-Za-z0-9_-]{43}$", resp.name_id.text)
    ctx.nameid1 = resp.name_id.text
    assert resp.ava["givenName"] == ["Erika"], resp.ava
    assert resp.ava["mail"] == [EMAIL], resp.ava
    assert resp.authn_info()[0][0] == EIDAS_LOW
    assert resp.assertion.signature is not None  # WantAssertionsSigned
    assert count(ctx, "sso_response_issued") == before + 1
    assert audit_last(ctx, "sso_response_issued", "initiated") == \
        "idp_initiated"
    assert audit_last(ctx, "sso_response_issued", "sp") == \
        ctx.sp1.entity_id
    # Used up.
    assert pending_rows(ctx) == 0
    r = b.get("/saml/continue?pending=" + pending)
    assert r.status == 400 and "SAMLResponse" not in r.text
    ctx.browser = b


def test_with_session(ctx):
    """A session: the response at once, no login page; same NameID; the
    RelayState passed through as sent; without RelayState none."""
    b = ctx.browser
    r = b.get(init_path(ctx.sp1.entity_id, "rs-\u00e4 &<>\"'"))
    action, resp, relay, _ = unsolicited_verdict(ctx.sp1, r)
    assert relay == "rs-\u00e4 &<>\"'", relay
    assert resp.name_id.text == ctx.nameid1
    assert pending_rows(ctx) == 0
    r = b.get(init_path(ctx.sp1.entity_id))
    _, resp, relay, _ = unsolicited_verdict(ctx.sp1, r)
    assert relay is None, relay
    # The reply is the form with its own CSP, like a solicited one.
    csp = r.header("Content-Security-Policy")
    assert "form-action 'self' http://127.0.0.1:1;" in csp, csp
    # RelayState of exactly 80 bytes is fine.
    r = b.get(init_path(ctx.sp1.entity_id, "r" * 80))
    _, _, relay, _ = unsolicited_verdict(ctx.sp1, r)
    assert relay == "r" * 80


def test_response_signed_transient(ctx):
    """SP2: the response signed (not the assertion), transient NameIDs,
    eIDAS attribute names."""
    r = ctx.browser.get(init_path(ctx.sp2.entity_id))
    _, resp, _, xml = unsolicited_verdict(ctx.sp2, r)
    assert resp.response.signature is not None
    assert resp.assertion.signature is None
    n = len(re.findall(r"<(\w+:)?SignatureValue[ >]", xml))
    assert n == 1, n
    assert resp.name_id.format == TRANSIENT
    first = resp.name_id.text
    r = ctx.browser.get(init_path(ctx.sp2.entity_id))
    _, resp, _, xml = unsolicited_verdict(ctx.sp2, r)
    assert resp.name_id.text != first
    # eIDAS names, and only what SP2 may get.
    attr = r'<(?:\w+:)?Attribute\b[^>]*?\sName="([^"]+)"'
    names = sorted(re.findall(attr, xml))
    eidas = "http://eidas.europa.eu/attributes/naturalperson/"
    assert names == [eidas + "CurrentFamilyName",
                     eidas + "CurrentGivenName"], names
    assert resp.ava["FirstName"] == ["Erika"], resp.ava


def test_default_acs(ctx):
    """SP4: no isDefault, a Redirect ACS at index 0: the HTTP-POST ACS
    with the lowest index. SP5: the one marked isDefault."""
    r = ctx.browser.get(init_path(ctx.sp4.entity_id))
    action, _, _, _ = unsolicited_verdict(ctx.sp4, r)
    assert action == ctx.sp4.acs_two, action
    r = ctx.browser.get(init_path(ctx.sp5.entity_id))
    action, _, _, _ = unsolicited_verdict(ctx.sp5, r)
    assert action == ctx.sp5.acs_default, action


def test_head_does_nothing(ctx):
    b = Browser(ctx.srv.port)
    before = (pending_rows(ctx), count(ctx, "sso_response_issued"),
              count(ctx, "sso_request_rejected"))
    r = b.request("HEAD", init_path(ctx.sp1.entity_id))
    assert r.status == 200 and r.body == b""
    r = ctx.browser.request("HEAD", init_path(ctx.sp1.entity_id))
    assert r.status == 200 and r.body == b""
    assert before == (pending_rows(ctx), count(ctx, "sso_response_issued"),
                      count(ctx, "sso_request_rejected"))


def test_hostile(ctx):
    for b in (Browser(ctx.srv.port), ctx.browser):
        cases = [
            (init_path("http://127.0.0.1:1/nobody/"), 403, "unknown_issuer",
             "unknown sp"),
            (init_path(ctx.sp3.entity_id), 403, "disabled_issuer",
             "disabled sp"),
            (init_path(), 400, "missing_request", "sp missing"),
            (init_path(""), 400, "missing_request", "sp missing"),
            (init_path(relay_state="x"), 400, "missing_request",
             "sp missing"),
            (init_path("http://x/" + "a" * 1100), 400, "request_too_large",
             "sp too long"),
            (init_path(ctx.sp1.entity_id, "r" * 81), 400,
             "relay_state_too_long", "RelayState too long"),
            (init_path(ctx.sp1.entity_id, "r" * 5000), 400,
             "relay_state_too_long", "RelayState too long"),
            (init_path(ctx.sp1.entity_id + "\n"), 403, "unknown_issuer",
             "control characters in sp"),
            (init_path(ctx.sp1.entity_id.replace("/sp1", "/\x01sp1")), 403,
             "unknown_issuer", "control characters in sp"),
            (init_path("\x1b[31mred"), 403, "unknown_issuer",
             "control characters in sp"),
            (init_path(ctx.sp1.entity_id, "a\r\nSet-Cookie: x=y"), 400,
             "xml_malformed", "RelayState not text"),
            (init_path(raw="sp=" + urllib.parse.quote(ctx.sp1.entity_id) +
                       "&RelayState=%ff%fe"), 400, "xml_malformed",
             "RelayState not text"),
        ]
        for path, status, reason, detail in cases:
            before = count(ctx, "sso_request_rejected")
            issued = count(ctx, "sso_response_issued")
            rows = pending_rows(ctx)
            r = b.get(path)
            refused_page(ctx, r, status, reason, before, detail)
            assert BIND not in "".join(r.all("Set-Cookie")), path
            assert count(ctx, "sso_response_issued") == issued
            assert pending_rows(ctx) == rows
        # The unknown SP's name stays out of the audit row.
        assert ctx.db.query(
            "SELECT count(*) FROM audit_log WHERE details::text LIKE"
            " '%nobody%'") == "0"
    # The page speaks the citizen's language.
    r = Browser(ctx.srv.port, {"Accept-Language": "de"}).get(
        init_path("http://127.0.0.1:1/nobody/"))
    assert "Unbekanntes Portal" in r.text, r.text[:500]


def test_disabled_while_logging_in(ctx):
    """The SP is disabled while the citizen logs in: no assertion."""
    b = Browser(ctx.srv.port)
    pending, _ = start_init(b, ctx.sp2)
    r = idpctl(ctx.db, "sp", "disable", ctx.sp2.entity_id)
    assert r.returncode == 0, r.stdout + r.stderr
    try:
        r = login_form(b, pending)
        r = b.get(r.header("Location"))
        assert r.status == 403 and "SAMLResponse" not in r.text, r.status
    finally:
        r = idpctl(ctx.db, "sp", "enable", ctx.sp2.entity_id)
        assert r.returncode == 0, r.stdout + r.stderr
    healthy(ctx)


# --- B: the browser binding -------------------------------------------


def refused_continue(ctx, b, pending, detail):
    before = count(ctx, "sso_request_rejected")
    r = b.get("/saml/continue?pending=" + pending)
    assert r.status == 400, (r.status, r.text[:300])
    assert "SAMLResponse" not in r.text and r.header("Location") is None
    assert count(ctx, "sso_request_rejected") == before + 1
    assert audit_last(ctx, "sso_request_rejected", "reason") == \
        "pending_unknown"
    assert audit_last(ctx, "sso_request_rejected", "detail") == detail
    healthy(ctx)


def test_continue_from_other_browser(ctx):
    """The pending id alone is worth nothing in another cookie jar:
    without a binding cookie, with a forged one, with a logged-in
    session of another account; the refusals leave the request to its
    own browser, which finishes it."""
    a = Browser(ctx.srv.port)
    pending, _ = start_init(a, ctx.sp1, "rs-bind")
    other = Browser(ctx.srv.port)
    refused_continue(ctx, other, pending, "no binding cookie")
    other.cookies[BIND] = "A" * 43
    refused_continue(ctx, other, pending, "binding cookie of another browser")
    other.cookies[BIND] = "not a token"
    refused_continue(ctx, other, pending, "no binding cookie")
    # Another browser with a session (the attacker's, say), through the
    # login form: still refused at /saml/continue.
    thief = Browser(ctx.srv.port)
    thief.cookies.update(ctx.browser.cookies)
    thief.cookies.pop(BIND, None)
    refused_continue(ctx, thief, pending, "no binding cookie")
    r = login_form(Browser(ctx.srv.port), pending)
    assert r.status == 303
    refused_continue(ctx, Browser(ctx.srv.port), pending,
                     "no binding cookie")
    # The browser it belongs to: login, and on to the portal.
    r = login_form(a, pending)
    r = a.get(r.header("Location"))
    _, _, relay, _ = unsolicited_verdict(ctx.sp1, r)
    assert relay == "rs-bind"


def test_sp_initiated_bound_too(ctx):
    """An AuthnRequest (Redirect binding, signed by pysaml2) without a
    session: its pending request is bound the same way."""
    a = Browser(ctx.srv.port)
    reqid, url = ctx.sp1.redirect_url(ctx.idp_entity, "rs-sp")
    r = a.get(samlenv.path_of(ctx, url))
    assert r.status == 303, r.status
    pending = re.match(PENDING_RE, r.header("Location")).group(1)
    assert BIND in a.cookies
    r = login_form(Browser(ctx.srv.port), pending)
    refused_continue(ctx, Browser(ctx.srv.port), pending,
                     "no binding cookie")
    r = login_form(a, pending)
    r = a.get(r.header("Location"))
    action, saml_response, relay = post_form(r)
    resp = ctx.sp1.parse(saml_response)
    assert resp.in_response_to == reqid and relay == "rs-sp"


def test_two_tabs(ctx):
    """Two portals started in one browser: the binding cookie is kept,
    both pending requests finish."""
    a = Browser(ctx.srv.port)
    p1, _ = start_init(a, ctx.sp1, "tab-1")
    secret = a.cookies[BIND]
    p2, _ = start_init(a, ctx.sp2, "tab-2")
    assert a.cookies[BIND] == secret
    r = login_form(a, p1)
    r = a.get(r.header("Location"))
    assert unsolicited_verdict(ctx.sp1, r)[2] == "tab-1"
    r = a.get("/saml/continue?pending=" + p2)
    assert unsolicited_verdict(ctx.sp2, r)[2] == "tab-2"


def test_registration_verified_on_phone(ctx):
    """The verification link opened in another browser: that page does
    not carry the pending id; the citizen simply logs in there, and the
    pending id would not work in that browser anyway."""
    a = Browser(ctx.srv.port)
    pending, _ = start_init(a, ctx.sp1)
    phone = Browser(ctx.srv.port)
    r = register(ctx, a, EMAIL2, pending, verifier=phone)
    assert pending not in r.text
    assert "pending=" not in r.text
    assert BIND not in phone.cookies
    refused_continue(ctx, phone, pending, "no binding cookie")
    # Back in the first browser the portal login goes on.
    r = login_form(a, pending, EMAIL2)
    r = a.get(r.header("Location"))
    unsolicited_verdict(ctx.sp1, r)


def test_audit_chain_intact(ctx):
    r = idpctl(ctx.db, "audit", "verify")
    assert r.returncode == 0, r.stdout + r.stderr
    healthy(ctx)


# --- setup ---------------------------------------------------------------


def acs_metadata(sp, acs_xml):
    """@sp's metadata with its AssertionConsumerService elements replaced
    by @acs_xml."""
    path = sp.metadata()
    with open(path) as f:
        text = f.read()
    text2 = re.sub(r"<(\w+:)?AssertionConsumerService [^>]*/>", "", text)
    assert text2 != text
    text2 = re.sub(r"(</(\w+:)?SPSSODescriptor>)", acs_xml + r"\1", text2)
    with open(path, "w") as f:
        f.write(text2)
    return path


def setup(ctx):
    tmp = ctx.tmp
    keyed_database(ctx, "init", tmp)
    ctx.sp1 = SP(tmp, "sp1", allow_unsolicited=True)
    ctx.sp2 = SP(tmp, "sp2", want_assertions_signed=False,
                 want_response_signed=True, authn_requests_signed=False,
                 nameid_format=NAMEID_FORMAT_TRANSIENT,
                 allow_unsolicited=True)
    ctx.sp3 = SP(tmp, "sp3", allow_unsolicited=True)
    ctx.sp4 = SP(tmp, "sp4", allow_unsolicited=True)
    ctx.sp5 = SP(tmp, "sp5", allow_unsolicited=True)
    md = "urn:oasis:names:tc:SAML:2.0:metadata"
    post = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    redir = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
    acs = '<md:AssertionConsumerService xmlns:md="%s" Binding="%s"' \
          ' Location="%s" index="%d"%s/>'
    base4 = "http://127.0.0.1:1/sp4/"
    ctx.sp4.acs_two = base4 + "acs-two"
    # pysaml2 takes a response only at an ACS of its own configuration.
    ctx.sp4.conf["service"]["sp"]["endpoints"][
        "assertion_consumer_service"] = [
            (base4 + "acs-three", post), (ctx.sp4.acs_two, post)]
    meta4 = acs_metadata(ctx.sp4, "".join([
        acs % (md, post, base4 + "acs-three", 3, ""),
        acs % (md, redir, base4 + "acs-redirect", 0, ""),
        acs % (md, post, ctx.sp4.acs_two, 2, ""),
    ]))
    base5 = "http://127.0.0.1:1/sp5/"
    ctx.sp5.acs_default = base5 + "acs-default"
    ctx.sp5.conf["service"]["sp"]["endpoints"][
        "assertion_consumer_service"] = [
            (base5 + "acs-one", post), (ctx.sp5.acs_default, post)]
    meta5 = acs_metadata(ctx.sp5, "".join([
        acs % (md, post, base5 + "acs-one", 1, ""),
        acs % (md, post, ctx.sp5.acs_default, 7, ' isDefault="true"'),
    ]))
    for sp, meta, args in [
            (ctx.sp1, ctx.sp1.metadata(),
             ["--release", "given_name,family_name,email",
              "--attribute-profile", "oid", "--nameid", "persistent",
              "--require-signed-requests", "--no-encrypt-assertions"]),
            (ctx.sp2, ctx.sp2.metadata(),
             ["--release", "given_name,family_name",
              "--attribute-profile", "eidas", "--nameid", "transient",
              "--no-require-signed-requests", "--no-encrypt-assertions"]),
            (ctx.sp3, ctx.sp3.metadata(), ["--disabled"]),
            (ctx.sp4, meta4, ["--no-encrypt-assertions"]),
            (ctx.sp5, meta5, ["--no-encrypt-assertions"])]:
        add_sp(ctx, meta, *args)
    start_idpd(ctx, (ctx.sp1, ctx.sp2, ctx.sp3, ctx.sp4, ctx.sp5))


def main():
    ctx = Ctx(tempfile.mkdtemp(prefix="init-", dir="."))
    return run_tests(ctx, setup, [
        test_register_and_login_through_init,
        test_with_session,
        test_response_signed_transient,
        test_default_acs,
        test_head_does_nothing,
        test_hostile,
        test_disabled_while_logging_in,
        test_continue_from_other_browser,
        test_sp_initiated_bound_too,
        test_two_tabs,
        test_registration_verified_on_phone,
        test_audit_chain_intact])


if __name__ == "__main__":
    sys.exit(main())
