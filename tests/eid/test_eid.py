#!/usr/bin/env python3
"""The eID protocol half end to end (docs/eid.md): a real idpd and
PostgreSQL, the real idpctl for the eID keys and `idpctl eid`, and the
simulated eID service (tests/eid_sim, a TEST TOOL) on loopback.

Covered: every hostile input to `idpctl eid configure/show/remove`;
/eid/metadata (signed with the active eid-signing key, verified by
xmlsec1, validUntil and cacheDuration, the simulator trusting it); the round trip started through its real caller
(POST /login/eid) and relayed through /eid/acs to /eid/acs/finish; every
attack mode of the simulator refused with its own error and audit reason,
nothing accepted and idpd healthy after each; a response without the
binding cookie, for another browser's request, replayed, without CSRF,
oversized, not base64, with a DOCTYPE.
"""
import base64
import datetime
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
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "saml_sso"))

from samlenv import (Browser, Ctx, audit_count, audit_last,  # noqa: E402
                     idpctl, keyed_database, ok, run_tests, start_idpd)

HERE = os.path.dirname(os.path.abspath(__file__))
SIM = os.path.join(HERE, "..", "eid_sim", "eid_sim.py")
MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
NP = "http://eidas.europa.eu/attributes/naturalperson/"


class Reply:
    def __init__(self, status, text):
        self.status = status
        self.text = text


def http(url, fields=None):
    """A request to the simulator; 4xx/5xx are replies."""
    data = urllib.parse.urlencode(fields).encode() if fields else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data),
                                    timeout=60) as r:
            return Reply(r.status, r.read().decode())
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.read().decode())


class Sim:
    """The simulator, with attack modes, trusting our /eid/metadata."""

    def __init__(self, tmp, sp_metadata_url):
        self.log = open(os.path.join(tmp, "sim.log"), "w+")
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", SIM, "--port", "0", "--state",
             os.path.join(tmp, "sim"), "--sp-metadata", sp_metadata_url,
             "--allow-attacks"],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError("simulator did not start")
        self.base = line.split()[1]
        self.metadata_url = self.base + "/metadata"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)


# --- helpers ------------------------------------------------------------


def eid(ctx, *args):
    return idpctl(ctx.db, "eid", *args, env=ctx.env)


def write(ctx, name, text):
    path = os.path.join(ctx.tmp, name)
    with open(path, "w" if isinstance(text, str) else "wb") as f:
        f.write(text)
    return path


def start(ctx, b=None):
    """POST /login/eid in browser @b: the redirect to the simulator."""
    b = b or Browser(ctx.srv.port)
    csrf = b.get("/login").csrf()
    r = b.post("/login/eid", {"csrf": csrf})
    assert r.status == 303, (r.status, r.text[:500])
    loc = r.header("Location")
    assert loc.startswith(ctx.sim.base + "/sso?"), loc[:80]
    assert "sk_eid" in b.cookies, b.cookies
    return b, loc


def sim_response(ctx, loc, identity="erika", attack=None, **fields):
    """The simulator's answer to the request at @loc: its SAMLResponse."""
    page = http(loc + ("&attack=" + attack if attack else ""))
    assert page.status == 200, (page.status, page.text[:500])
    m = re.search(r'name="handle" value="([^"]+)"', page.text)
    assert m, page.text[:500]
    form = {"handle": html.unescape(m.group(1))}
    if identity == "cancel":
        form["cancel"] = "1"
    else:
        form["identity"] = identity
    if attack:
        form["attack"] = attack
    form.update(fields)
    r = http(ctx.sim.base + "/sso/respond", form)
    assert r.status == 200, (r.status, r.text[:500])
    action = re.search(r'<form method="post" action="([^"]+)"', r.text)
    resp = re.search(r'name="SAMLResponse" value="([^"]+)"', r.text)
    assert action and resp, r.text[:500]
    assert html.unescape(action.group(1)) == ctx.srv.public + "/eid/acs"
    return html.unescape(resp.group(1))


def relay(b, saml_response):
    """The cross-site POST to /eid/acs: our SameSite cookies do not come
    with it. The relay page's new CSRF cookie lands in @b, as it would in
    the browser."""
    saved = b.cookies
    b.cookies = {}
    try:
        r = b.request("POST", "/eid/acs", form={"SAMLResponse":
                                                saml_response})
    finally:
        new, b.cookies = b.cookies, saved
        b.cookies.update(new)
    return r


def finish(b, saml_response, relay_reply=None):
    """/eid/acs, then the relay form to /eid/acs/finish: the reply."""
    r = relay_reply or relay(b, saml_response)
    assert r.status == 200, (r.status, r.text[:500])
    assert 'action="/eid/acs/finish"' in r.text
    relayed = html.unescape(re.search(
        r'name="SAMLResponse" value="([^"]+)"', r.text).group(1))
    assert relayed == saml_response
    return b.post("/eid/acs/finish", {"csrf": r.csrf(),
                                      "SAMLResponse": relayed})


def rejected(ctx, before, reason, reply, status=None):
    """One more eid_response_rejected row, with @reason; no card linked or
    held; idpd still healthy."""
    assert audit_count(ctx, "eid_response_rejected") == before + 1, \
        (reply.status, reply.text[:300])
    assert audit_last(ctx, "eid_response_rejected", "reason") == reason, \
        (audit_last(ctx, "eid_response_rejected", "reason"), reason,
         audit_last(ctx, "eid_response_rejected", "detail"))
    if status is not None:
        assert reply.status == status, (reply.status, reply.text[:300])
    assert Browser(ctx.srv.port).get("/healthz").status == 200
    assert ctx.srv.alive()


def attack(ctx, mode, reason, status=400, **fields):
    before = audit_count(ctx, "eid_response_rejected")
    b, loc = start(ctx)
    r = finish(b, sim_response(ctx, loc, attack=mode, **fields))
    rejected(ctx, before, reason, r, status)


# --- idpctl eid ------------------------------------------------------------


def test_ctl_usage(ctx):
    for args, text in [
            ((), "missing command"),
            (("configure",), "missing --metadata"),
            (("configure", "--metadata"), "needs a value"),
            (("configure", "--metadata", "x", "extra"), "unexpected"),
            (("configure", "--metadata", "x", "--attribute", "nokind"),
             "KIND=NAME"),
            (("configure", "--metadata", "x", "--attribute",
              "shoe_size=urn:x"), "unknown attribute kind"),
            (("configure", "--metadata", "x", "--attribute",
              "pseudonym=urn:a", "--attribute", "pseudonym=urn:b"),
             "given twice"),
            (("configure", "--metadata", "x", "--attribute",
              "pseudonym=" + "u" * 600), "longer than"),
            (("configure", "--metadata", "x" * 5000), "longer than"),
            (("show", "extra"), "unexpected"),
            (("remove",), "--yes"),
            (("frobnicate",), "")]:
        r = eid(ctx, *args)
        assert r.returncode == 2, (args, r.returncode, r.stderr)
        assert text.lower() in (r.stderr + r.stdout).lower(), (args,
                                                                r.stderr)


def test_ctl_hostile_metadata(ctx):
    sim_md = http(ctx.sim.metadata_url).text
    sp_md = Browser(ctx.srv.port).get("/eid/metadata").text
    no_redirect = re.sub(r'<\w+:SingleSignOnService[^>]*HTTP-Redirect[^>]*>',
                         "", sim_md)
    no_key = re.sub(r"<\w+:KeyDescriptor.*?</\w+:KeyDescriptor>", "",
                    sim_md, flags=re.S)
    assert no_redirect != sim_md and no_key != sim_md
    doctype = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' +
               sim_md.split("?>", 1)[-1])
    cases = [
        ("missing.xml", None, "cannot open"),
        ("empty.xml", "", "empty"),
        ("big.xml", "<a>" + "x" * (2 * 1024 * 1024) + "</a>", "larger"),
        ("doctype.xml", doctype, "DOCTYPE"),
        ("notxml.xml", "this is not xml", "well-formed"),
        ("nul.xml", b"<a>\x00</a>", "NUL"),
        ("latin1.xml", b"<a>\xe4</a>", "UTF-8"),
        ("sp.xml", sp_md, "IDPSSODescriptor"),
        ("noredirect.xml", no_redirect, "HTTP-Redirect"),
        ("nokey.xml", no_key, "signing certificate"),
    ]
    before = audit_count(ctx, "eid_configured")
    for name, text, why in cases:
        path = os.path.join(ctx.tmp, name)
        if text is not None:
            write(ctx, name, text)
        r = eid(ctx, "configure", "--metadata", path)
        assert r.returncode == 1, (name, r.returncode, r.stdout, r.stderr)
        assert why.lower() in r.stderr.lower(), (name, r.stderr)
    # A directory, a FIFO, a URL that is not loopback http.
    r = eid(ctx, "configure", "--metadata", ctx.tmp)
    assert r.returncode == 1 and "regular file" in r.stderr, r.stderr
    r = eid(ctx, "configure", "--metadata", "http://example.org/md")
    assert r.returncode == 1, r.stderr
    r = eid(ctx, "configure", "--metadata", write(ctx, "ok.xml", sim_md),
            "--attribute", "pseudonym=not a uri")
    assert r.returncode == 1 and "absolute" in r.stderr, r.stderr
    assert audit_count(ctx, "eid_configured") == before
    assert ctx.db.query("SELECT count(*) FROM eid_service") == "0"


def test_ctl_configure_show_remove(ctx):
    r = eid(ctx, "show")
    assert r.returncode == 1 and "no eID service" in r.stderr, r.stderr
    r = eid(ctx, "remove", "--yes")
    assert r.returncode == 1, r.stderr
    r = ok(eid(ctx, "configure", "--metadata", ctx.sim.metadata_url,
               "--attribute", "document_type=urn:example:doctype"))
    assert ctx.sim.metadata_url in r.stdout, r.stdout
    j = json.loads(ok(eid(ctx, "show", "--json")).stdout)
    assert j["entity_id"] == ctx.sim.metadata_url, j
    assert j["metadata_url"] == ctx.sim.metadata_url, j
    assert j["attr_pseudonym"] == NP + "PersonIdentifier", j
    assert j["attr_document_type"] == "urn:example:doctype", j
    assert j["sso_redirect"] == ctx.sim.base + "/sso", j
    # A second configure keeps the names not given; from a file.
    path = write(ctx, "sim.xml", http(ctx.sim.metadata_url).text)
    ok(eid(ctx, "configure", "--metadata", path))
    j = json.loads(ok(eid(ctx, "show", "--json")).stdout)
    assert j["attr_document_type"] == "urn:example:doctype", j
    assert j["metadata_url"] == "(file)", j
    ok(eid(ctx, "remove", "--yes"))
    assert audit_count(ctx, "eid_removed") == 1
    # The real configuration for the rest of the tests.
    ok(eid(ctx, "configure", "--metadata", ctx.sim.metadata_url,
           "--attribute", "document_type=http://bsi.bund.de/eID/"
           "DocumentType"))
    assert audit_count(ctx, "eid_configured") == 3
    assert audit_last(ctx, "eid_configured", "entity_id") == \
        ctx.sim.metadata_url


# --- /eid/metadata ------------------------------------------------------------


def test_metadata(ctx):
    r = Browser(ctx.srv.port).get("/eid/metadata")
    assert r.status == 200, (r.status, r.text[:300])
    assert r.header("Content-Type").startswith(
        "application/samlmetadata+xml")
    root = ET.fromstring(r.body)
    assert root.get("entityID") == ctx.srv.public + "/eid/metadata"
    sp = root.find(MD + "SPSSODescriptor")
    assert sp.get("AuthnRequestsSigned") == "true"
    assert sp.get("WantAssertionsSigned") == "true"
    uses = [k.get("use") for k in sp.findall(MD + "KeyDescriptor")]
    assert uses == ["signing", "encryption"], uses
    acs = sp.findall(MD + "AssertionConsumerService")
    assert len(acs) == 1 and acs[0].get("Location") == \
        ctx.srv.public + "/eid/acs", acs
    assert acs[0].get("Binding").endswith("HTTP-POST")


def key_cert(ctx, purpose):
    """The active certificate of @purpose, PEM."""
    return ctx.db.query("SELECT certificate FROM signing_keys"
                        " WHERE state = 'active' AND purpose = '%s'"
                        % purpose) + "\n"


def xmlsec_verify(ctx, doc, cert_pem):
    """xmlsec1 --verify of @doc (bytes) with @cert_pem: True if valid."""
    d = tempfile.mkdtemp(dir=ctx.tmp)
    with open(os.path.join(d, "m.xml"), "wb") as f:
        f.write(doc)
    with open(os.path.join(d, "c.pem"), "w") as f:
        f.write(cert_pem)
    r = subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem",
                        os.path.join(d, "c.pem"), "--id-attr:ID",
                        "urn:oasis:names:tc:SAML:2.0:metadata:"
                        "EntityDescriptor", os.path.join(d, "m.xml")],
                       capture_output=True, text=True)
    return r.returncode == 0


def test_metadata_signed(ctx):
    """As /saml/metadata: signed by the active eid-signing key (Signature
    first, RSA-SHA256, exclusive c14n, over the ID), a new ID per
    request, validUntil now + [saml] metadata_validity (default 7 days),
    cacheDuration [saml] metadata_cache_duration (default 1 hour)."""
    b = Browser(ctx.srv.port)
    doc = b.get("/eid/metadata").body
    root = ET.fromstring(doc)
    assert re.fullmatch(r"_[A-Za-z0-9_-]{43}", root.get("ID")), \
        root.get("ID")
    kids = list(root)
    assert kids[0].tag == DS + "Signature", [c.tag for c in kids]
    assert len(root.findall(DS + "Signature")) == 1
    si = kids[0].find(DS + "SignedInfo")
    assert si.find(DS + "SignatureMethod").get("Algorithm") == \
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    assert si.find(DS + "CanonicalizationMethod").get("Algorithm") == \
        "http://www.w3.org/2001/10/xml-exc-c14n#"
    assert si.find(DS + "Reference").get("URI") == "#" + root.get("ID")
    sign = key_cert(ctx, "eid-signing")
    assert xmlsec_verify(ctx, doc, sign)
    # Not the encryption key, not the IdP's SAML key.
    assert not xmlsec_verify(ctx, doc, key_cert(ctx, "eid-encryption"))
    assert not xmlsec_verify(ctx, doc, key_cert(ctx, "saml"))
    # One byte of the signed content (the ACS Location), one of validUntil.
    i = doc.index(b"/eid/acs\"")
    bad = doc[:i + 1] + b"E" + doc[i + 2:]
    assert bad != doc and not xmlsec_verify(ctx, bad, sign)
    m = re.search(rb'validUntil="(\d)', doc)
    d = b"9" if m.group(1) != b"9" else b"8"
    assert not xmlsec_verify(ctx, doc[:m.start(1)] + d + doc[m.end(1):],
                             sign)
    until = datetime.datetime.strptime(
        root.get("validUntil"), "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc)
    delta = (until - datetime.datetime.now(datetime.timezone.utc)) \
        .total_seconds()
    assert abs(delta - 7 * 86400) < 120, delta
    assert root.get("cacheDuration") == "PT1H", root.get("cacheDuration")
    # Made per request: another ID, and it verifies too.
    doc2 = b.get("/eid/metadata").body
    assert ET.fromstring(doc2).get("ID") != root.get("ID")
    assert xmlsec_verify(ctx, doc2, sign)


# --- the round trip -------------------------------------------------------


def test_round_trip(ctx):
    """A good response reaches the flows (handle_eid_result): no eID
    error page, no rejection audited, the request used up."""
    before = audit_count(ctx, "eid_response_rejected")
    b, loc = start(ctx)
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
    assert q["SigAlg"] == ["http://www.w3.org/2001/04/xmldsig-more#"
                           "rsa-sha256"], q
    assert ctx.db.query("SELECT count(*) FROM eid_requests") == "1"
    resp = sim_response(ctx, loc)
    ctx.good = (b, resp)
    r = finish(b, resp)
    assert r.status in (200, 303), (r.status, r.text[:500])
    assert "eID-Dienstes war ungültig" not in r.text
    assert audit_count(ctx, "eid_response_rejected") == before
    assert ctx.db.query("SELECT count(*) FROM eid_requests") == "0"


def test_replay_of_used_response(ctx):
    b, resp = ctx.good
    before = audit_count(ctx, "eid_response_rejected")
    rejected(ctx, before, "replay", finish(b, resp), 400)


def test_cancel(ctx):
    before = audit_count(ctx, "eid_response_rejected")
    b, loc = start(ctx)
    r = finish(b, sim_response(ctx, loc, identity="cancel"))
    rejected(ctx, before, "cancelled", r, 200)
    assert "Abgebrochen" in r.text, r.text[:300]


def test_attack_unsigned(ctx):
    attack(ctx, "unsigned", "signature")


def test_attack_unsigned_assertion(ctx):
    attack(ctx, "unsigned-assertion", "assertion_signature")


def test_attack_other_key(ctx):
    attack(ctx, "other-key", "signature")


def test_attack_wrap(ctx):
    attack(ctx, "wrap", "assertion_count")


def test_attack_plain(ctx):
    attack(ctx, "plain", "not_encrypted")


def test_attack_two_assertions(ctx):
    attack(ctx, "two-assertions", "assertion_count")


def test_attack_wrong_audience(ctx):
    attack(ctx, "wrong-audience", "audience")


def test_attack_wrong_recipient(ctx):
    attack(ctx, "wrong-recipient", "destination")


def test_attack_expired(ctx):
    attack(ctx, "expired", "expired")


def test_attack_not_yet_valid(ctx):
    attack(ctx, "not-yet-valid", "not_yet_valid")


def test_attack_in_response_to(ctx):
    attack(ctx, "in-response-to", "unknown_request",
           in_response_to="_not-our-request")


def test_attack_replay(ctx):
    attack(ctx, "replay", "replay")


def test_attack_rsa15(ctx):
    attack(ctx, "rsa15", "key_transport")


def test_attack_loa_substantial(ctx):
    attack(ctx, "loa-substantial", "loa", 403)


def test_no_binding_cookie(ctx):
    before = audit_count(ctx, "eid_response_rejected")
    b, loc = start(ctx)
    resp = sim_response(ctx, loc)
    del b.cookies["sk_eid"]
    rejected(ctx, before, "no_binding", finish(b, resp), 403)
    # The request was not used up by that: the right browser still can.


def test_other_browsers_request(ctx):
    before = audit_count(ctx, "eid_response_rejected")
    _, loc = start(ctx)
    resp = sim_response(ctx, loc)
    other, _ = start(ctx)  # another browser with its own binding
    rejected(ctx, before, "wrong_browser", finish(other, resp), 403)


def test_csrf_missing(ctx):
    before = audit_count(ctx, "eid_response_rejected")
    b, loc = start(ctx)
    resp = sim_response(ctx, loc)
    relay(b, resp)
    r = b.request("POST", "/eid/acs/finish", form={"SAMLResponse": resp})
    assert r.status == 403, (r.status, r.text[:300])
    assert audit_count(ctx, "eid_response_rejected") == before
    # Nothing was used up: the same response still goes through.
    r = finish(b, resp)
    assert audit_count(ctx, "eid_response_rejected") == before, r.text[:300]


def test_hostile_encodings(ctx):
    b, _ = start(ctx)
    doctype = base64.b64encode(
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]>'
        b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:'
        b'protocol">&a;</samlp:Response>').decode()
    comment = base64.b64encode(
        b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:'
        b'protocol"><!-- x --></samlp:Response>').decode()
    for value, reason, where in [
            ("A" * (192 * 1024 + 4), "too_large", "acs"),
            ("not base64!", "bad_base64", "acs"),
            ("QUJD=A==", "bad_base64", "finish"),
            (base64.b64encode(b"<a>" + b"x" * (129 * 1024) +
                              b"</a>").decode(), "too_large", "finish"),
            (doctype, "xml_doctype", "finish"),
            (base64.b64encode(b"<not-closed>").decode(), "xml_malformed",
             "finish"),
            (comment, "xml_structure", "finish"),
            (base64.b64encode(b"<a/>").decode(), "xml_structure",
             "finish")]:
        before = audit_count(ctx, "eid_response_rejected")
        if where == "acs":
            r = relay(b, value)
            assert r.status == 400, (reason, r.status)
        else:
            r = finish(b, value)
        rejected(ctx, before, reason, r)
    before = audit_count(ctx, "eid_response_rejected")
    r = b.request("POST", "/eid/acs", form={"RelayState": "x"})
    rejected(ctx, before, "missing_response", r, 400)


def test_nothing_held_or_linked(ctx):
    """Only the one good response reached the flows."""
    for table in ("eid_links",):
        try:
            n = ctx.db.query("SELECT count(*) FROM %s" % table)
        except subprocess.CalledProcessError:
            continue
        assert n == "0", (table, n)


# --- setup ------------------------------------------------------------------


def setup(ctx):
    keyed_database(ctx, "eid", ctx.tmp)
    for purpose in ("eid-signing", "eid-encryption"):
        r = ok(idpctl(ctx.db, "keys", "generate", "--purpose", purpose,
                      "--bits", "2048", "--json", env=ctx.env))
        ok(idpctl(ctx.db, "keys", "activate",
                  str(json.loads(r.stdout)["id"]), "--force", env=ctx.env))
    start_idpd(ctx)
    ctx.sim = Sim(ctx.tmp, ctx.srv.public + "/eid/metadata")


def cleanup(ctx, runner):
    if getattr(ctx, "sim", None) is not None:
        ctx.sim.stop()


def main():
    ctx = Ctx(tempfile.mkdtemp(prefix="eid-", dir="."), sim=None)
    return run_tests(ctx, setup, [
        test_ctl_usage,
        test_ctl_hostile_metadata,
        test_ctl_configure_show_remove,
        test_metadata,
        test_metadata_signed,
        test_round_trip,
        test_replay_of_used_response,
        test_cancel,
        test_attack_unsigned,
        test_attack_unsigned_assertion,
        test_attack_other_key,
        test_attack_wrap,
        test_attack_plain,
        test_attack_two_assertions,
        test_attack_wrong_audience,
        test_attack_wrong_recipient,
        test_attack_expired,
        test_attack_not_yet_valid,
        test_attack_in_response_to,
        test_attack_replay,
        test_attack_rsa15,
        test_attack_loa_substantial,
        test_no_binding_cookie,
        test_other_browsers_request,
        test_csrf_missing,
        test_hostile_encodings,
        test_nothing_held_or_linked,
    ], cleanup=cleanup, setup_as_test=True)


if __name__ == "__main__":
    sys.exit(main())
