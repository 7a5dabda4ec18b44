#!/usr/bin/env python3
"""SAML single logout end to end: two real pysaml2 SPs registered with the
real `idpctl sp add`, both logged in through the real login form; logout
started at SP1 (Redirect and POST) reaches SP2 (pysaml2 verifies our
signed LogoutRequest and answers), SP1 verifies our final LogoutResponse;
logout started here (/logout) reaches both and lists them. Then hostile
messages through the real /saml/slo: refused, audited, no session ended,
idpd healthy."""
import html
import os
import re
import secrets
import sys
import tempfile
import urllib.parse

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, "..", "saml_sso"))

from samlenv import (PASSWORD, Ctx, add_sp, audit_count, audit_last,
                     keyed_database, login_continue, path_of, run_tests,
                     start_idpd)
from harness import Browser, idpctl
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from sp import SloSP, deflate_b64

EMAIL = "erika.slo@example.org"
SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"


def register(ctx):
    b = Browser(ctx.srv.port)
    r = b.get("/register")
    n = len(ctx.mbox.messages)
    r = b.post("/register", {
        "email": EMAIL, "password": PASSWORD, "password2": PASSWORD,
        "given_name": "Erika", "family_name": "Mustermann",
        "csrf": r.csrf()})
    assert r.status == 200, r.status
    msg = ctx.mbox.wait_for(EMAIL, after=n)
    from harness import link_in
    r = b.get(path_of(ctx, link_in(msg, "/verify")))
    assert r.status == 200


def post_form(reply):
    action = re.search(r'<form id="saml-post"[^>]* action="([^"]+)"',
                       reply.text)
    fields = dict(re.findall(r'name="([A-Za-z]+)" value="([^"]*)"',
                             reply.text))
    assert action, reply.text[:500]
    return html.unescape(action.group(1)), \
        {k: html.unescape(v) for k, v in fields.items()}


def slo_target(reply):
    """Where the IdP sends the browser next: ("redirect", URL) or
    ("post", action, fields)."""
    if reply.status == 303:
        # HTTP-Redirect binding: straight to the portal, no page between.
        loc = reply.header("Location")
        assert loc.startswith("http://") and "SAMLRe" in loc, loc
        assert reply.header("Referrer-Policy") == "no-referrer"
        assert html.unescape(re.search(r'<a href="([^"]+)"',
                                       reply.text).group(1)) == loc
        return ("redirect", loc)
    assert reply.status == 200, (reply.status, reply.text[:500])
    assert "http-equiv" not in reply.text
    action, fields = post_form(reply)
    return ("post", action, fields)


def login_at(ctx, sp, b):
    """SSO at @sp in browser @b (login form when needed): the assertion's
    (NameID object, SessionIndex)."""
    reqid, url = sp.redirect_url(ctx.idp_entity, "rs")
    r = b.get(path_of(ctx, url))
    if r.status == 303:
        r = login_continue(b, r, EMAIL)
    action, fields = post_form(r)
    assert action == sp.acs
    resp = sp.parse(fields["SAMLResponse"])
    return resp.name_id, resp.assertion.authn_statement[0].session_index


def logged_in(b):
    return b.get("/account").status == 200


def last_reason(ctx, event):
    return audit_last(ctx, event, "reason")


def sp2_answers(ctx, b, target, success=True):
    """SP2 (pysaml2) checks our LogoutRequest and answers; the browser
    takes the answer back to idpd. Returns idpd's reply."""
    if target[0] == "redirect":
        url = target[1]
        assert url.startswith(ctx.sp2.slo + "?"), url
        q = ctx.sp2.verify_redirect(url)
        req, back = ctx.sp2.answer_logout(q["SAMLRequest"],
                                          BINDING_HTTP_REDIRECT,
                                          ctx.slo, q.get("RelayState"),
                                          success)
    else:
        _, action, fields = target
        assert action == ctx.sp2.slo
        req, back = ctx.sp2.answer_logout(fields["SAMLRequest"],
                                          BINDING_HTTP_POST, ctx.slo,
                                          fields.get("RelayState"), success)
    assert req.message.name_id.text == ctx.nid2.text
    assert req.message.session_index[0].text == ctx.si2
    return b.get(path_of(ctx, back))


def sp_initiated(ctx, binding):
    b = Browser(ctx.srv.port)
    ctx.nid1, ctx.si1 = login_at(ctx, ctx.sp1, b)
    ctx.nid2, ctx.si2 = login_at(ctx, ctx.sp2, b)
    assert logged_in(b)
    ended = audit_count(ctx, "slo_session_ended")
    reqid, msg = ctx.sp1.logout_request(ctx.slo, ctx.nid1, ctx.si1,
                                        binding, relay_state="sp1-rs")
    if binding == BINDING_HTTP_REDIRECT:
        r = b.get(path_of(ctx, msg))
    else:
        r = b.request("POST", "/saml/slo", form={"SAMLRequest": msg,
                                 "RelayState": "sp1-rs"})
    # The session ended at once, before any other portal answered.
    assert not logged_in(b), "the IdP session must be gone"
    assert audit_count(ctx, "slo_session_ended") == ended + 1
    r = sp2_answers(ctx, b, slo_target(r))
    # The end: our LogoutResponse to SP1, checked by pysaml2.
    t = slo_target(r)
    assert t[0] == "redirect" and t[1].startswith(ctx.sp1.slo + "?"), t
    q = ctx.sp1.verify_redirect(t[1])
    assert q["RelayState"] == "sp1-rs"
    resp = ctx.sp1.check_logout_response(q["SAMLResponse"],
                                         BINDING_HTTP_REDIRECT)
    assert resp.response.in_response_to == reqid
    assert resp.response.status.status_code.value.endswith(":Success")
    assert resp.response.status.status_code.status_code is None
    assert b.get("/account").status == 303


def test_sp_initiated_redirect(ctx):
    sp_initiated(ctx, BINDING_HTTP_REDIRECT)


def test_sp_initiated_post(ctx):
    sp_initiated(ctx, BINDING_HTTP_POST)


def test_idp_initiated(ctx):
    b = Browser(ctx.srv.port)
    ctx.nid1, ctx.si1 = login_at(ctx, ctx.sp1, b)
    ctx.nid2, ctx.si2 = login_at(ctx, ctx.sp2, b)
    a = b.get("/account")
    r = b.post("/logout", {"csrf": a.csrf()})
    assert not logged_in(b)
    # SP1 first (in the order of the assertions): pysaml2 answers.
    t = slo_target(r)
    assert t[0] == "redirect" and t[1].startswith(ctx.sp1.slo + "?"), t
    q = ctx.sp1.verify_redirect(t[1])
    req, back = ctx.sp1.answer_logout(q["SAMLRequest"],
                                      BINDING_HTTP_REDIRECT, ctx.slo,
                                      q["RelayState"])
    assert req.message.session_index[0].text == ctx.si1
    r = b.get(path_of(ctx, back))
    r = sp2_answers(ctx, b, slo_target(r), success=False)
    assert r.status == 200
    ok = re.search(r'<ul id="slo-ok">(.*?)</ul>', r.text, re.S).group(1)
    failed = re.search(r'<ul id="slo-failed">(.*?)</ul>', r.text,
                       re.S).group(1)
    assert ctx.sp1.entity_id in ok and ctx.sp2.entity_id in failed, r.text


def test_idp_initiated_no_answer(ctx):
    """SP2 keeps the browser: /saml/slo/status goes on and says so."""
    b = Browser(ctx.srv.port)
    ctx.nid2, ctx.si2 = login_at(ctx, ctx.sp2, b)
    a = b.get("/account")
    r = b.post("/logout", {"csrf": a.csrf()})
    t = slo_target(r)
    assert t[0] == "redirect" and t[1].startswith(ctx.sp2.slo + "?")
    r = b.get("/saml/slo/status")
    assert r.status == 200
    m = re.search(r'<ul id="slo-no-answer">(.*?)</ul>', r.text, re.S)
    assert m and ctx.sp2.entity_id in m.group(1), r.text[:3000]
    # The chain is over: the cookie is gone, the page is the plain one.
    r = b.get("/saml/slo/status")
    assert "slo-no-answer" not in r.text


def test_no_participants(ctx):
    b = Browser(ctx.srv.port)
    f = b.get("/login")
    r = b.post("/login", {"email": EMAIL, "password": PASSWORD,
                          "csrf": f.csrf()})
    a = b.get("/account")
    r = b.post("/logout", {"csrf": a.csrf()})
    assert r.status == 200 and 'href="/login"' in r.text
    assert r.header("Location") is None and "saml-post" not in r.text


# --- hostile messages ---------------------------------------------------


def refused(ctx, b, r, reason, before):
    assert r.status in (400, 403, 409), (r.status, r.text[:300])
    assert "SAMLResponse" not in r.text and r.header("Location") is None
    assert audit_count(ctx, "slo_request_rejected") == before + 1
    assert last_reason(ctx, "slo_request_rejected") == reason, \
        last_reason(ctx, "slo_request_rejected")
    assert logged_in(b), "a refused request must not end the session"
    assert Browser(ctx.srv.port).get("/healthz").status == 200


def logout_xml(ctx, nid, si, issuer=None, dest=None, rid=None):
    rid = rid or "_" + secrets.token_hex(16)
    import datetime
    now = datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    return rid, (
        '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:'
        'protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"'
        ' ID="%s" Version="2.0" IssueInstant="%s" Destination="%s">'
        '<saml:Issuer>%s</saml:Issuer><saml:NameID Format="%s"'
        ' NameQualifier="%s" SPNameQualifier="%s">%s</saml:NameID>'
        '<samlp:SessionIndex>%s</samlp:SessionIndex></samlp:LogoutRequest>'
        % (rid, now, dest or ctx.slo, issuer or ctx.sp1.entity_id,
           nid.format, ctx.idp_entity, ctx.sp1.entity_id, nid.text, si))


def test_hostile(ctx):
    b = Browser(ctx.srv.port)
    nid1, si1 = login_at(ctx, ctx.sp1, b)
    nid2, si2 = login_at(ctx, ctx.sp2, b)
    n = lambda: audit_count(ctx, "slo_request_rejected")

    # Unsigned (Redirect), the message of a real SP.
    _, xml = logout_xml(ctx, nid1, si1)
    before = n()
    r = b.get("/saml/slo?" + urllib.parse.urlencode(
        {"SAMLRequest": deflate_b64(xml)}))
    refused(ctx, b, r, "signature_missing", before)
    # Unsigned (POST).
    before = n()
    import base64
    r = b.request("POST", "/saml/slo", form={"SAMLRequest":
                             base64.b64encode(xml.encode()).decode()})
    refused(ctx, b, r, "signature_missing", before)
    # SHA-1.
    before = n()
    _, url = ctx.sp1.logout_request(ctx.slo, nid1, si1,
                                    BINDING_HTTP_REDIRECT, sigalg=SHA1)
    r = b.get(path_of(ctx, url))
    refused(ctx, b, r, "signature_invalid", before)
    # Signed by another key: SP1's message, the query signed by SP3.
    before = n()
    _, xml = logout_xml(ctx, nid1, si1)
    info = ctx.sp3.client.apply_binding(
        BINDING_HTTP_REDIRECT, xml, ctx.slo, "rs",
        sigalg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
    r = b.get(path_of(ctx, dict(info["headers"])["Location"]))
    refused(ctx, b, r, "signature_invalid", before)
    # Signature by another key over SP1's own message (POST): the
    # signature by SP3 is checked against SP1's metadata key.
    before = n()
    _, form = ctx.sp3.logout_request(ctx.slo, nid1, si1, BINDING_HTTP_POST)
    xml3 = base64.b64decode(form).decode()
    xml3 = xml3.replace(ctx.sp3.entity_id + "</", ctx.sp1.entity_id + "</")
    r = b.request("POST", "/saml/slo", form={"SAMLRequest":
                             base64.b64encode(xml3.encode()).decode()})
    refused(ctx, b, r, "signature_invalid", before)
    # A disabled SP (sp3 is registered disabled).
    before = n()
    _, url = ctx.sp3.logout_request(ctx.slo, nid1, si1,
                                    BINDING_HTTP_REDIRECT)
    r = b.get(path_of(ctx, url))
    refused(ctx, b, r, "disabled_issuer", before)
    # Wrong Destination.
    before = n()
    _, url = ctx.sp1.logout_request(ctx.srv.public + "/saml/sso", nid1,
                                    si1, BINDING_HTTP_REDIRECT)
    url = url.replace(ctx.srv.public + "/saml/sso", ctx.slo, 1)
    r = b.get(path_of(ctx, url))
    refused(ctx, b, r, "destination", before)
    # NameID and SessionIndex of another SP: a signed error answer at
    # SP1's endpoint, no session ended.
    before = n()
    reqid, url = ctx.sp1.logout_request(ctx.slo, nid2, si2,
                                        BINDING_HTTP_REDIRECT)
    r = b.get(path_of(ctx, url))
    t = slo_target(r)
    assert t[0] == "redirect" and t[1].startswith(ctx.sp1.slo + "?")
    q = ctx.sp1.verify_redirect(t[1])
    import zlib
    xmlresp = zlib.decompress(base64.b64decode(q["SAMLResponse"]), -15)
    assert b"UnknownPrincipal" in xmlresp and reqid.encode() in xmlresp
    assert audit_count(ctx, "slo_request_rejected") == before + 1
    assert logged_in(b)
    # SP1's NameID with SP2's SessionIndex.
    before = n()
    _, url = ctx.sp1.logout_request(ctx.slo, nid1, si2,
                                    BINDING_HTTP_REDIRECT)
    r = b.get(path_of(ctx, url))
    assert b"UnknownPrincipal" in zlib.decompress(base64.b64decode(
        ctx.sp1.verify_redirect(slo_target(r)[1])["SAMLResponse"]), -15)
    assert logged_in(b)
    # Malformed and oversized.
    for q, reason in [("SAMLRequest=%%%", None),
                      ("SAMLRequest=" + "A" * 300000,
                       "request_too_large"),
                      ("SAMLRequest=" + urllib.parse.quote_plus(
                          deflate_b64("<a><!DOCTYPE x></a>")),
                       None)]:
        r = b.get("/saml/slo?" + q)
        assert r.status >= 400, (q[:40], r.status)
        assert logged_in(b)
    # A LogoutResponse nobody asked for (wrong InResponseTo / chain).
    rb = audit_count(ctx, "slo_response_rejected")
    _, url = ctx.sp2.logout_request(ctx.slo, nid2, si2,
                                    BINDING_HTTP_REDIRECT)
    url = url.replace("SAMLRequest=", "SAMLResponse=")
    r = b.get(path_of(ctx, url))
    assert r.status >= 400
    assert audit_count(ctx, "slo_response_rejected") == rb + 1
    assert logged_in(b)
    # Replay: a valid request, twice; the second is refused.
    reqid, url = ctx.sp1.logout_request(ctx.slo, nid1, si1,
                                        BINDING_HTTP_REDIRECT)
    r = b.get(path_of(ctx, url))
    assert not logged_in(b)
    before = n()
    b2 = Browser(ctx.srv.port)
    r = b2.get(path_of(ctx, url))
    assert r.status == 409 or r.status == 400, r.status
    assert audit_count(ctx, "slo_request_rejected") == before + 1
    assert last_reason(ctx, "slo_request_rejected") == "replay"
    assert ctx.srv.alive()


def test_wrong_in_response_to(ctx):
    """An answer from the wrong SP, or to another request, is refused and
    leaves the step waiting."""
    b = Browser(ctx.srv.port)
    ctx.nid2, ctx.si2 = login_at(ctx, ctx.sp2, b)
    a = b.get("/account")
    r = b.post("/logout", {"csrf": a.csrf()})
    t = slo_target(r)
    q = ctx.sp2.verify_redirect(t[1])
    # SP1 answers SP2's request (its own signature, wrong SP).
    rb = audit_count(ctx, "slo_response_rejected")
    req2 = ctx.sp2.client.parse_logout_request(q["SAMLRequest"],
                                               BINDING_HTTP_REDIRECT)
    from saml2.s_utils import success_status_factory
    resp = ctx.sp1.client.create_logout_response(
        req2.message, [BINDING_HTTP_REDIRECT],
        status=success_status_factory(), sign=False)
    info = ctx.sp1.client.apply_binding(
        BINDING_HTTP_REDIRECT, str(resp), ctx.slo, q["RelayState"],
        response=True, sigalg="http://www.w3.org/2001/04/xmldsig-more#"
        "rsa-sha256")
    r = b.get(path_of(ctx, dict(info["headers"])["Location"]))
    assert r.status >= 400, r.status
    assert audit_count(ctx, "slo_response_rejected") == rb + 1
    assert last_reason(ctx, "slo_response_rejected") == "in_response_to"
    # The right SP with the right InResponseTo still counts.
    _, back = ctx.sp2.answer_logout(q["SAMLRequest"], BINDING_HTTP_REDIRECT,
                                    ctx.slo, q["RelayState"])
    r = b.get(path_of(ctx, back))
    assert ctx.sp2.entity_id in re.search(
        r'<ul id="slo-ok">(.*?)</ul>', r.text, re.S).group(1)


def test_audit_chain_intact(ctx):
    r = idpctl(ctx.db, "audit", "verify")
    assert r.returncode == 0, r.stdout + r.stderr
    for ev in ("slo_session_ended", "slo_participant_result",
               "slo_chain_finished", "slo_request_received"):
        assert audit_count(ctx, ev) > 0, ev
    # No NameID or chain id in the log.
    log = ctx.srv.logtext()
    assert ctx.nid2.text not in log and ctx.nid1.text not in log
    assert ctx.srv.alive()


def setup(ctx):
    tmp = ctx.tmp
    keyed_database(ctx, "slo", tmp)
    ctx.sp1 = SloSP(tmp, "sp1")
    ctx.sp2 = SloSP(tmp, "sp2")
    ctx.sp3 = SloSP(tmp, "sp3")
    for sp, extra in [(ctx.sp1, []), (ctx.sp2, []), (ctx.sp3, ["--disabled"])]:
        add_sp(ctx, sp.metadata(), "--release", "given_name", "--nameid",
               "persistent", "--no-encrypt-assertions", *extra)
    start_idpd(ctx, (ctx.sp1, ctx.sp2, ctx.sp3))
    ctx.slo = ctx.srv.public + "/saml/slo"
    register(ctx)


def main():
    ctx = Ctx(tempfile.mkdtemp(prefix="slo-", dir="."))
    return run_tests(ctx, setup, [
        test_sp_initiated_redirect,
        test_sp_initiated_post,
        test_idp_initiated,
        test_idp_initiated_no_answer,
        test_no_participants,
        test_hostile,
        test_wrong_in_response_to,
        test_audit_chain_intact])


if __name__ == "__main__":
    sys.exit(main())
