#!/usr/bin/env python3
"""Several nodes (issue 6): two idpd processes on different ports against
one PostgreSQL, with the same public URL and master key, behave as one
IdP. No proxy in front: the test's browser alternates between the ports
itself (cookies are per host, not per port, as in a real browser). Every
SAML verdict is pysaml2's own.

- a session made on node A is valid on node B, and a logout on B ends it
  on A;
- an AuthnRequest sent to A completes on B (login form and
  /saml/continue on B);
- failed logins alternated between A and B are counted together: the
  per-e-mail limit trips after five, with 429 on either node;
- `idpctl keys generate` and `keys activate --force` while both run:
  both publish the new key and sign with it within seconds, no restart;
- `idpctl sp update` and `sp disable` reach both nodes within seconds;
- single logout started on A for a session whose SSO happened on B.
"""
import base64
import hashlib
import re
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

import samlenv
from samlenv import (PASSWORD, Ctx, add_sp, keyed_database, ok, path_of,
                     post_form, run_tests, start_idpd, start_second_idpd)
from harness import Browser, idpctl, link_in
from saml2 import BINDING_HTTP_REDIRECT
from sp import SloSP

EMAIL = "erika.nodes@example.org"
NS = {"md": "urn:oasis:names:tc:SAML:2.0:metadata",
      "ds": "http://www.w3.org/2000/09/xmldsig#"}
# How long a change made with idpctl may take to reach every node.
PROPAGATION_S = 5.0


def on(b, srv):
    """Point browser @b (its cookies kept) at node @srv."""
    b.port = srv.port
    return b


def nodes(ctx):
    return (("A", ctx.srv), ("B", ctx.srv2))


def fingerprint(cert_b64):
    """idpctl's fingerprint of a base64 DER certificate."""
    d = hashlib.sha256(base64.b64decode(cert_b64)).hexdigest().upper()
    return ":".join(d[i:i + 2] for i in range(0, len(d), 2))


def metadata_fingerprints(srv):
    r = Browser(srv.port).get("/saml/metadata")
    assert r.status == 200, r.status
    root = ET.fromstring(r.body)
    return r.text, {fingerprint("".join(c.text.split())) for c in root.findall(
        ".//md:KeyDescriptor[@use='signing']//ds:X509Certificate", NS)}


def only_key(meta_xml, fp):
    """@meta_xml without every signing KeyDescriptor but the one of @fp:
    an SP trusting it accepts signatures by that key alone."""
    def keep(m):
        cert = re.search(r"X509Certificate>([^<]+)<", m.group(0)).group(1)
        return m.group(0) if fingerprint("".join(cert.split())) == fp else ""
    # The metadata's own signature goes too: pysaml2 does not check it
    # here, and the cut would break it anyway.
    out = re.sub(r"<(?:ds:)?Signature\b.*?</(?:ds:)?Signature>", "",
                 meta_xml, flags=re.S)
    out = re.sub(r"<(?:md:)?KeyDescriptor\b.*?</(?:md:)?KeyDescriptor>",
                 keep, out, flags=re.S)
    assert out.count("X509Certificate>") == 2, "expected one certificate"
    return out


def sso(ctx, b, srv, relay_state="rs"):
    """A Redirect AuthnRequest of SP1 to node @srv in browser @b (logging
    in there when asked): idpd's final reply."""
    on(b, srv)
    reqid, url = ctx.sp1.redirect_url(ctx.idp_entity, relay_state)
    r = b.get(path_of(ctx, url))
    if r.status == 303:
        r = samlenv.login_continue(b, r, EMAIL)
    return reqid, r


def verdict(ctx, reply):
    action, saml_response, _ = post_form(reply)
    assert action == ctx.sp1.acs, action
    return ctx.sp1.parse(saml_response), saml_response


def signing_fingerprint(saml_response):
    xml = base64.b64decode(saml_response).decode()
    certs = re.findall(r"X509Certificate>([^<]+)<", xml)
    assert certs, "no certificate in the signature"
    return fingerprint("".join(certs[0].split()))


def until(what, fn, timeout=PROPAGATION_S):
    """Call @fn until it returns a true value; that value and the seconds
    it took; fails after @timeout."""
    start = time.monotonic()
    while True:
        v = fn()
        if v:
            return v, time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError("%s: not within %ss" % (what, timeout))
        time.sleep(0.1)


def login(b, srv, password=PASSWORD):
    on(b, srv)
    f = b.get("/login")
    return b.post("/login", {"email": EMAIL, "password": password,
                             "csrf": f.csrf()})


# --- tests ------------------------------------------------------------


def test_both_nodes_one_idp(ctx):
    """Same entity ID and the same signing key on both nodes."""
    ta, fa = metadata_fingerprints(ctx.srv)
    tb, fb = metadata_fingerprints(ctx.srv2)
    assert fa == fb and len(fa) == 1, (fa, fb)
    for t in (ta, tb):
        assert 'entityID="%s"' % ctx.idp_entity in t
    assert ctx.srv.port != ctx.srv2.port


def test_register_on_a_verify_on_b(ctx):
    b = Browser(ctx.srv.port)
    f = b.get("/register")
    n = len(ctx.mbox.messages)
    r = b.post("/register", {
        "email": EMAIL, "password": PASSWORD, "password2": PASSWORD,
        "given_name": "Erika", "family_name": "Mustermann",
        "csrf": f.csrf()})
    assert r.status == 200, r.status
    msg = ctx.mbox.wait_for(EMAIL, after=n)
    # Both senders watch one outbox: the mail went out exactly once.
    time.sleep(1)
    assert ctx.mbox.count(EMAIL) == 1, ctx.mbox.count(EMAIL)
    r = on(b, ctx.srv2).get(path_of(ctx, link_in(msg, "/verify")))
    assert r.status == 200, r.status


def test_session_across_nodes(ctx):
    b = Browser(ctx.srv.port)
    r = login(b, ctx.srv)
    assert r.status == 303, r.status
    assert on(b, ctx.srv).get("/account").status == 200
    r = on(b, ctx.srv2).get("/account")
    assert r.status == 200 and EMAIL in r.text, r.status
    # A logout on B ends the session on A as well.
    r = b.post("/logout", {"csrf": r.csrf()})
    assert r.status in (200, 303), r.status
    assert on(b, ctx.srv).get("/account").status == 303
    assert on(b, ctx.srv2).get("/account").status == 303


def test_sso_started_on_a_completes_on_b(ctx):
    b = Browser(ctx.srv.port)
    reqid, url = ctx.sp1.redirect_url(ctx.idp_entity, "rs-ab")
    r = b.get(path_of(ctx, url))
    assert r.status == 303, r.status
    # The pending request lives in the database: B takes over.
    on(b, ctx.srv2)
    r = samlenv.login_continue(b, r, EMAIL)
    resp, _ = verdict(ctx, r)
    assert resp.in_response_to == reqid
    assert resp.ava["givenName"] == ["Erika"], resp.ava
    # And the session from B serves the next request on A.
    reqid, r = sso(ctx, b, ctx.srv)
    assert r.status == 200, "A should have reused B's session"
    assert verdict(ctx, r)[0].in_response_to == reqid


def test_throttle_counts_across_nodes(ctx):
    ctx.db.query("DELETE FROM login_throttle")
    statuses = []
    for i in range(8):
        srv = ctx.srv if i % 2 == 0 else ctx.srv2
        statuses.append(login(Browser(srv.port), srv,
                              "wrong-password-%d" % i).status)
    # Five on the two nodes together, not five on each.
    assert statuses[:5] == [401] * 5, statuses
    assert statuses[5:] == [429] * 3, statuses
    for _, srv in nodes(ctx):
        assert login(Browser(srv.port), srv).status == 429
    ctx.db.query("DELETE FROM login_throttle")
    assert login(Browser(ctx.srv2.port), ctx.srv2).status == 303


def test_key_rotation_reaches_both(ctx):
    _, before = metadata_fingerprints(ctx.srv)
    r = ok(idpctl(ctx.db, "keys", "generate", "--bits", "2048", "--json",
                  env=ctx.env))
    new = re.search(r'"fingerprint":"([0-9A-F:]+)"', r.stdout).group(1)
    key_id = re.search(r'"id":(\d+)', r.stdout).group(1)
    assert new not in before
    for name, srv in nodes(ctx):
        _, took = until("new key in %s's metadata" % name,
                        lambda s=srv: new in metadata_fingerprints(s)[1])
        print("# node %s publishes the next key after %.2fs" % (name, took))
    ok(idpctl(ctx.db, "keys", "activate", key_id, "--force", env=ctx.env))
    b = Browser(ctx.srv.port)
    assert login(b, ctx.srv).status == 303
    # An SP that trusts the new key and no other.
    meta, _ = metadata_fingerprints(ctx.srv2)
    ctx.sp1.trust(only_key(meta, new))

    for name, srv in nodes(ctx):
        def signed_new(s=srv):
            _, r = sso(ctx, b, s)
            try:
                _, saml_response = verdict(ctx, r)
            except Exception:  # still the old key: pysaml2 refuses
                return False
            return signing_fingerprint(saml_response) == new
        # verdict() is pysaml2's check against the new key alone.
        _, took = until("node %s signing with the new key" % name,
                        signed_new)
        print("# node %s signs with the new key after %.2fs" % (name, took))
    # Back to the full metadata for the tests below.
    ctx.sp1.trust(metadata_fingerprints(ctx.srv)[0])
    assert ctx.srv.proc.pid and ctx.srv.alive() and ctx.srv2.alive()


def test_sp_update_and_disable_reach_both(ctx):
    b = Browser(ctx.srv.port)
    assert login(b, ctx.srv).status == 303
    ok(idpctl(ctx.db, "sp", "update", ctx.sp1.entity_id, "--release",
              "given_name"))
    for name, srv in nodes(ctx):
        def narrowed(s=srv):
            resp, _ = verdict(ctx, sso(ctx, b, s)[1])
            return "sn" not in resp.ava and \
                resp.ava.get("givenName") == ["Erika"]
        _, took = until("sp update on node %s" % name, narrowed)
        print("# node %s applies sp update after %.2fs" % (name, took))
    ok(idpctl(ctx.db, "sp", "disable", ctx.sp1.entity_id))
    for name, srv in nodes(ctx):
        def refused(s=srv):
            _, r = sso(ctx, b, s)
            return r.status == 403 and "SAMLResponse" not in r.text
        _, took = until("sp disable on node %s" % name, refused)
        print("# node %s refuses the disabled SP after %.2fs"
              % (name, took))
    ok(idpctl(ctx.db, "sp", "update", ctx.sp1.entity_id, "--enabled",
              "--release", "given_name,family_name,email"))
    for name, srv in nodes(ctx):
        until("sp enable on node %s" % name,
              lambda s=srv: sso(ctx, b, s)[1].status == 200)


def test_slo_on_a_for_sso_on_b(ctx):
    b = Browser(ctx.srv2.port)
    reqid, r = sso(ctx, b, ctx.srv2, "rs-slo")
    resp, _ = verdict(ctx, r)
    nid = resp.name_id
    si = resp.assertion.authn_statement[0].session_index
    assert on(b, ctx.srv).get("/account").status == 200
    reqid, url = ctx.sp1.logout_request(ctx.srv.public + "/saml/slo", nid,
                                        si, BINDING_HTTP_REDIRECT,
                                        relay_state="slo-rs")
    r = on(b, ctx.srv).get(path_of(ctx, url))
    assert r.status == 303, (r.status, r.text[:300])
    loc = r.header("Location")
    assert loc.startswith(ctx.sp1.slo + "?"), loc
    q = ctx.sp1.verify_redirect(loc)
    assert q["RelayState"] == "slo-rs"
    lr = ctx.sp1.check_logout_response(q["SAMLResponse"],
                                       BINDING_HTTP_REDIRECT)
    assert lr.response.in_response_to == reqid
    assert lr.response.status.status_code.value.endswith(":Success")
    for _, srv in nodes(ctx):
        assert on(b, srv).get("/account").status == 303


def test_audit_chain_intact(ctx):
    """Both nodes appended to one hash chain without breaking it."""
    r = idpctl(ctx.db, "audit", "verify")
    assert r.returncode == 0, r.stdout + r.stderr
    assert ctx.srv.alive() and ctx.srv2.alive()


def setup(ctx):
    keyed_database(ctx, "nodes", ctx.tmp)
    ctx.sp1 = SloSP(ctx.tmp, "sp1", slo_bindings=(BINDING_HTTP_REDIRECT,))
    add_sp(ctx, ctx.sp1.metadata(), "--release",
           "given_name,family_name,email", "--nameid", "persistent",
           "--require-signed-requests", "--no-encrypt-assertions")
    start_idpd(ctx, (ctx.sp1,))
    start_second_idpd(ctx)


def main():
    ctx = Ctx(tempfile.mkdtemp(prefix="nodes-", dir="."))
    return run_tests(ctx, setup, [
        test_both_nodes_one_idp,
        test_register_on_a_verify_on_b,
        test_session_across_nodes,
        test_sso_started_on_a_completes_on_b,
        test_throttle_counts_across_nodes,
        test_key_rotation_reaches_both,
        test_sp_update_and_disable_reach_both,
        test_slo_on_a_for_sso_on_b,
        test_audit_chain_intact])


if __name__ == "__main__":
    sys.exit(main())
