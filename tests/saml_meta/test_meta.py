#!/usr/bin/env python3
"""Our IdP metadata and idpd's periodic refresh of SP metadata (issue
"SAML metadata"), end to end with the real idpd, idpctl and PostgreSQL:

- /saml/metadata is signed with the active key (enveloped RSA-SHA256,
  exclusive c14n, Signature as the first child): xmlsec1 verifies it with
  the active certificate from the database and refuses it after one byte
  changed; pysaml2 verifies it too; during a rollover both certificates are
  published and the active one still signs; validUntil and cacheDuration
  come from [saml]; the SingleLogoutService endpoints are advertised;
  [saml] metadata_signed = false serves it unsigned.
- Bad [saml] values stop idpd with one clear line.
- An SP registered with a metadata URL (a real http.server on loopback
  serving a pysaml2 SP's metadata) is refreshed by idpd itself: a new ACS
  URL and key reach the SSO without idpctl; an invalid document keeps the
  old copy and is audited; two idpd processes on one database fetch it
  once per interval between them.
"""
import datetime
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "saml_sso"))

from samlenv import Ctx, add_sp, keyed_database, run_tests, start_idpd
from harness import Browser, Idpd, idpctl
from sp import SP

NS = {"md": "urn:oasis:names:tc:SAML:2.0:metadata",
      "ds": "http://www.w3.org/2000/09/xmldsig#"}
MD_ED = "{urn:oasis:names:tc:SAML:2.0:metadata}EntityDescriptor"
DS_SIG = "{http://www.w3.org/2000/09/xmldsig#}Signature"
INTERVAL = 5  # [saml] sp_metadata_refresh_interval for these tests
VALIDITY = 7200
CACHE = 1800


class MetaServer:
    """http.server on loopback serving @doc at /rp.xml; records the
    monotonic time of every GET."""

    def __init__(self):
        self.doc = b""
        self.hits = []
        self.lock = threading.Lock()
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with outer.lock:
                    outer.hits.append(time.monotonic())
                    body = outer.doc
                if self.path != "/rp.xml":
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d/rp.xml" % self.httpd.server_port
        threading.Thread(target=self.httpd.serve_forever,
                         daemon=True).start()

    def serve(self, doc):
        with self.lock:
            self.doc = doc if isinstance(doc, bytes) else doc.encode()

    def hits_since(self, t):
        with self.lock:
            return [h for h in self.hits if h >= t]

    def stop(self):
        self.httpd.shutdown()


def wait_until(what, fn, timeout=40.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.25)
    raise AssertionError("timed out waiting for " + what)


def active_cert(ctx):
    return ctx.db.query("SELECT certificate FROM signing_keys"
                        " WHERE state = 'active'") + "\n"


def xmlsec_verify(ctx, doc, cert_pem):
    """xmlsec1 --verify of @doc (bytes) with @cert_pem: True if valid."""
    d = tempfile.mkdtemp(dir=ctx.tmp)
    with open(os.path.join(d, "m.xml"), "wb") as f:
        f.write(doc)
    with open(os.path.join(d, "c.pem"), "w") as f:
        f.write(cert_pem)
    r = subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem",
                        os.path.join(d, "c.pem"), "--id-attr:ID",
                        MD_ED[1:].replace("}", ":"),
                        os.path.join(d, "m.xml")],
                       capture_output=True, text=True)
    return r.returncode == 0


def fetch_meta(port):
    r = Browser(port).get("/saml/metadata")
    assert r.status == 200, (r.status, r.text[:300])
    return r.body


def parse_time(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)


# --- our metadata ----------------------------------------------------------


def test_metadata_signed(ctx):
    doc = fetch_meta(ctx.srv.port)
    root = ET.fromstring(doc)
    assert root.tag == MD_ED
    assert re.fullmatch(r"_[A-Za-z0-9_-]{43}", root.get("ID")), root.get("ID")
    kids = [c for c in root]
    assert kids[0].tag == DS_SIG, [c.tag for c in kids]
    assert len(root.findall("ds:Signature", NS)) == 1
    sig = kids[0]
    assert sig.find("ds:SignedInfo/ds:SignatureMethod", NS).get(
        "Algorithm") == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    assert sig.find("ds:SignedInfo/ds:CanonicalizationMethod", NS).get(
        "Algorithm") == "http://www.w3.org/2001/10/xml-exc-c14n#"
    ref = sig.find("ds:SignedInfo/ds:Reference", NS)
    assert ref.get("URI") == "#" + root.get("ID")
    transforms = [t.get("Algorithm") for t in ref.findall(
        "ds:Transforms/ds:Transform", NS)]
    assert "http://www.w3.org/2000/09/xmldsig#enveloped-signature" in \
        transforms, transforms
    assert xmlsec_verify(ctx, doc, active_cert(ctx))


def test_metadata_tampered(ctx):
    doc = fetch_meta(ctx.srv.port)
    cert = active_cert(ctx)
    assert xmlsec_verify(ctx, doc, cert)
    # One byte in the signed content: the Location of the SSO service.
    i = doc.index(b"/saml/sso\"")
    bad = doc[:i + 1] + b"S" + doc[i + 2:]
    assert bad != doc and len(bad) == len(doc)
    assert not xmlsec_verify(ctx, bad, cert)
    # One byte of validUntil (a later year).
    m = re.search(rb'validUntil="(\d)', doc)
    d = b"9" if m.group(1) != b"9" else b"8"
    bad = doc[:m.start(1)] + d + doc[m.end(1):]
    assert not xmlsec_verify(ctx, bad, cert)
    # Another key's certificate does not verify it.
    other = open(os.path.join(ctx.sp_old.dir, "sp.crt")).read()
    assert not xmlsec_verify(ctx, doc, other)


def test_metadata_pysaml2_verifies(ctx):
    """pysaml2 (as Shibboleth or SimpleSAMLphp would) loads the metadata
    with our certificate as the trust anchor, and refuses it changed."""
    from saml2 import config
    from saml2.attribute_converter import ac_factory
    from saml2.mdstore import MetaDataFile
    from saml2.sigver import security_context
    doc = fetch_meta(ctx.srv.port)
    path = os.path.join(ctx.tmp, "idp-signed.xml")
    cert = os.path.join(ctx.tmp, "active.pem")
    with open(cert, "w") as f:
        f.write(active_cert(ctx))
    conf = config.Config().load({"xmlsec_binary": "/usr/bin/xmlsec1"})
    sec = security_context(conf)

    def load(data):
        with open(path, "wb") as f:
            f.write(data)
        md = MetaDataFile(ac_factory(), path, cert=cert, security=sec,
                          node_name=MD_ED[1:].replace("}", ":"))
        md.load()
        return md

    md = load(doc)
    assert ctx.idp_entity in md.keys(), list(md.keys())
    i = doc.index(b"/saml/sso\"")
    try:
        load(doc[:i + 1] + b"S" + doc[i + 2:])
    except Exception:
        pass
    else:
        raise AssertionError("pysaml2 accepted tampered metadata")


def test_metadata_values(ctx):
    root = ET.fromstring(fetch_meta(ctx.srv.port))
    until = parse_time(root.get("validUntil"))
    now = datetime.datetime.now(datetime.timezone.utc)
    delta = (until - now).total_seconds()
    assert abs(delta - VALIDITY) < 120, delta
    assert root.get("cacheDuration") == "PT30M", root.get("cacheDuration")
    assert root.get("entityID") == ctx.idp_entity
    slo = root.findall("md:IDPSSODescriptor/md:SingleLogoutService", NS)
    got = sorted((s.get("Binding"), s.get("Location")) for s in slo)
    assert got == [
        ("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
         ctx.srv.public + "/saml/slo"),
        ("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
         ctx.srv.public + "/saml/slo")], got
    # Schema order: KeyDescriptor, SingleLogoutService, NameIDFormat,
    # SingleSignOnService.
    order = [c.tag.split("}")[1] for c in root.find("md:IDPSSODescriptor",
                                                   NS)]
    first = {t: order.index(t) for t in reversed(order)}
    assert first["KeyDescriptor"] < first["SingleLogoutService"] < \
        first["NameIDFormat"] < first["SingleSignOnService"], order


def test_metadata_rollover(ctx):
    r = idpctl(ctx.db, "keys", "generate", "--bits", "2048", "--json",
               env=ctx.env)
    assert r.returncode == 0, r.stderr
    nxt = ctx.db.query("SELECT certificate FROM signing_keys"
                       " WHERE state = 'next'") + "\n"
    doc = fetch_meta(ctx.srv.port)
    root = ET.fromstring(doc)
    certs = [c.text for c in root.findall(
        ".//md:KeyDescriptor[@use='signing']//ds:X509Certificate", NS)]
    assert len(certs) == 2, len(certs)

    def body(pem):
        return "".join(pem.strip().splitlines()[1:-1])

    assert certs[0] == body(active_cert(ctx))
    assert certs[1] == body(nxt)
    # Signed by the active key, not by the next one.
    assert xmlsec_verify(ctx, doc, active_cert(ctx))
    assert not xmlsec_verify(ctx, doc, nxt)


def run_idpd_config(env):
    """idpd with @env on top: (exit code, stderr) when it stops at once."""
    e = dict(os.environ)
    e.update({"IDP_DATABASE_CONNINFO": "dbname=none host=/nonexistent",
              "IDP_SERVER_PORT": "1"})
    e.update(env)
    p = subprocess.run([os.environ["IDPD"]], env=e, capture_output=True,
                       text=True, timeout=30)
    return p.returncode, p.stderr


def test_config_refused(ctx):
    for env, want in [
            ({"IDP_SAML_METADATA_VALIDITY": "60"},
             "IDP_SAML_METADATA_VALIDITY"),
            ({"IDP_SAML_METADATA_VALIDITY": "1d"},
             "IDP_SAML_METADATA_VALIDITY"),
            ({"IDP_SAML_METADATA_CACHE_DURATION": "-1"},
             "IDP_SAML_METADATA_CACHE_DURATION"),
            ({"IDP_SAML_METADATA_VALIDITY": "3600",
              "IDP_SAML_METADATA_CACHE_DURATION": "3600"},
             "must be shorter than metadata_validity"),
            ({"IDP_SAML_METADATA_CACHE_DURATION": "604800",
              "IDP_SAML_METADATA_VALIDITY": "1209600"},
             "must not exceed [keys] rollover_window"),
            ({"IDP_SAML_METADATA_SIGNED": "maybe"},
             "IDP_SAML_METADATA_SIGNED"),
            ({"IDP_SAML_SP_METADATA_REFRESH_INTERVAL": "2"},
             "0 (off) or at least 5 seconds"),
            ({"IDP_SAML_SP_METADATA_REFRESH_INTERVAL": "99999999999"},
             "IDP_SAML_SP_METADATA_REFRESH_INTERVAL"),
            ({"IDP_SAML_NO_SUCH_KEY": "1"}, "IDP_SAML_NO_SUCH_KEY")]:
        rc, err = run_idpd_config(env)
        assert rc != 0, env
        lines = [l for l in err.splitlines() if l.strip()]
        assert any(want in l for l in lines), (env, err)


def test_docs_name_every_key(ctx):
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    docs = open(os.path.join(root, "docs", "configuration.md")).read()
    example = open(os.path.join(root, "idpd.conf.example")).read()
    assert "[saml]" in example
    for k in ["metadata_validity", "metadata_cache_duration",
              "metadata_signed", "sp_metadata_refresh_interval"]:
        assert "`%s`" % k in docs, k
        assert "IDP_SAML_" + k.upper() in docs, k
        assert re.search(r"(?m)^#?%s = " % k, example), k


# --- the periodic SP metadata refresh ----------------------------------


def sp_row(ctx, col):
    return ctx.db.query("SELECT %s FROM relying_parties WHERE entity_id = "
                        "'%s'" % (col, ctx.sp_old.entity_id))


def audit_count(ctx, event):
    return int(ctx.db.query("SELECT count(*) FROM audit_log WHERE event = "
                            "'%s' AND actor = 'system'" % event))


def sso_reaches_login(ctx, sp):
    """A signed Redirect AuthnRequest of @sp: True when idpd accepts it
    (on to the login page), False for an error page."""
    reqid, url = sp.redirect_url(ctx.idp_entity, "rs")
    assert url.startswith(ctx.srv.public)
    r = Browser(ctx.srv.port).get(url[len(ctx.srv.public):])
    return r.status == 303 and "/login?pending=" in r.header("Location")


def test_refresh_picks_up_change(ctx):
    assert sso_reaches_login(ctx, ctx.sp_old)
    assert not sso_reaches_login(ctx, ctx.sp_new)
    changed = audit_count(ctx, "sp_metadata_refreshed")
    rev = int(sp_row(ctx, "revision"))
    ctx.meta_srv.serve(open(ctx.sp_new.metadata(), "rb").read())
    wait_until("the new ACS in the database",
               lambda: "/rp/acs2" in sp_row(ctx, "metadata"))
    assert int(sp_row(ctx, "revision")) == rev + 1
    assert audit_count(ctx, "sp_metadata_refreshed") == changed + 1
    # The workers rebuild from the generation value: the new key and
    # ACS are in use, the old ones are not.
    wait_until("idpd to accept the new SP's request",
               lambda: sso_reaches_login(ctx, ctx.sp_new), timeout=10)
    assert not sso_reaches_login(ctx, ctx.sp_old)


def test_refresh_invalid_keeps_old(ctx):
    before = sp_row(ctx, "metadata")
    failed = audit_count(ctx, "sp_metadata_refresh_failed")
    for bad in [b"<md:EntityDescriptor", b"",
                open(ctx.sp_other.metadata(), "rb").read()]:
        ctx.db.query("UPDATE relying_parties SET refresh_failed_at = NULL,"
                     " refresh_error = NULL")
        ctx.meta_srv.serve(bad)
        err = wait_until("the refresh failure",
                         lambda: sp_row(ctx, "refresh_error"))
        assert "stored metadata stays in use" in err or \
            "refused" in err, err
        assert sp_row(ctx, "metadata") == before
    assert audit_count(ctx, "sp_metadata_refresh_failed") >= failed + 3
    assert sso_reaches_login(ctx, ctx.sp_new)
    assert ctx.srv.alive()


def test_two_nodes_refresh_once(ctx):
    ctx.meta_srv.serve(open(ctx.sp_new.metadata(), "rb").read())
    env = dict(ctx.env)
    env["IDP_SAML_METADATA_SIGNED"] = "false"
    ctx.srv2 = Idpd(ctx.db, ctx.mbox, env)
    # The second node serves its metadata unsigned, as configured.
    root = ET.fromstring(fetch_meta(ctx.srv2.port))
    assert root.find("ds:Signature", NS) is None
    assert root.get("ID")
    start = time.monotonic()
    time.sleep(4 * INTERVAL + 1)
    hits = ctx.meta_srv.hits_since(start)
    # Both nodes wake every INTERVAL; one claim per interval between them.
    assert 2 <= len(hits) <= 5, hits
    gaps = [b - a for a, b in zip(hits, hits[1:])]
    assert min(gaps) > INTERVAL - 1.0, gaps
    assert ctx.srv.alive() and ctx.srv2.alive()
    # Unchanged documents write no audit row and no new revision.
    assert sp_row(ctx, "refresh_error") == ""
    assert sp_row(ctx, "fetched_at") != ""


def test_audit_chain_intact(ctx):
    r = idpctl(ctx.db, "audit", "verify")
    assert r.returncode == 0, r.stdout + r.stderr


# --- setup ---------------------------------------------------------------


def setup(ctx):
    keyed_database(ctx, "meta", ctx.tmp, {
        "IDP_SAML_METADATA_VALIDITY": str(VALIDITY),
        "IDP_SAML_METADATA_CACHE_DURATION": str(CACHE),
        "IDP_SAML_SP_METADATA_REFRESH_INTERVAL": str(INTERVAL)})
    # One entity, two generations of its metadata (new key, new ACS).
    ctx.sp_old = SP(ctx.tmp, "rp", acs="http://127.0.0.1:1/rp/acs")
    ctx.sp_new = SP(os.path.join(ctx.tmp, "v2"), "rp",
                    acs="http://127.0.0.1:1/rp/acs2")
    ctx.sp_other = SP(ctx.tmp, "other")
    ctx.meta_srv = MetaServer()
    ctx.meta_srv.serve(open(ctx.sp_old.metadata(), "rb").read())
    add_sp(ctx, ctx.meta_srv.url, "--no-encrypt-assertions")
    start_idpd(ctx, (ctx.sp_old, ctx.sp_new))


def cleanup(ctx, runner):
    if ctx.meta_srv is not None:
        ctx.meta_srv.stop()
    shutil.rmtree(ctx.tmp, ignore_errors=True)


def main():
    ctx = Ctx(tempfile.mkdtemp(prefix="meta-", dir="."), meta_srv=None)
    return run_tests(ctx, setup, [
        test_metadata_signed,
        test_metadata_tampered,
        test_metadata_pysaml2_verifies,
        test_metadata_values,
        test_config_refused,
        test_docs_name_every_key,
        test_refresh_picks_up_change,
        test_refresh_invalid_keeps_old,
        test_two_nodes_refresh_once,
        test_metadata_rollover,
        test_audit_chain_intact], cleanup)


if __name__ == "__main__":
    sys.exit(main())
