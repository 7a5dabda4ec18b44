#!/usr/bin/env python3
"""Interop with Apache httpd and mod_auth_mellon (issue 4): a real apache2
with Debian's mod_auth_mellon (lasso underneath) protects /secret; the
browser goes from there to idpd, logs in, carries the POST form back to
mellon's ACS and lands on /secret. Every verdict on the response is
mellon's own: it checks the signature against the IdP metadata from
/saml/metadata, decrypts the assertion with its own key, checks audience,
destination and times, and refuses to open /secret otherwise. What mellon
saw comes back in response headers: the NameID (the pairwise pseudonym
from saml_pairwise_ids) and the released attributes.
Single logout both ways over HTTP-Redirect: logout at mellon (its signed
LogoutRequest ends our session, mellon verifies our signed
LogoutResponse) and logout here (mellon verifies our LogoutRequest
against its session, answers, and our result page lists it); a flipped
signature bit is refused by mellon each time.
"""
import base64
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ET
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "saml_sso"))

from samlenv import (PASSWORD, Ctx, add_sp, keyed_database, login_continue,
                     ok, post_form, run_tests, start_idpd)
from harness import Browser, free_port, idpctl

EMAIL = "erika.mellon@example.org"
GIVEN = "Erika"
FAMILY = "Mustermann"
APACHE = "/usr/sbin/apache2"
MODULES = "/usr/lib/apache2/modules"
PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
# The SAML V2.0 X.500/LDAP attribute profile names of the release policy.
OID_GIVEN = "urn:oid:2.5.4.42"
OID_FAMILY = "urn:oid:2.5.4.4"
OID_MAIL = "urn:oid:0.9.2342.19200300.100.1.3"
OID_BIRTH = "urn:oid:1.3.6.1.5.5.7.9.1"
NS = {"saml": "urn:oasis:names:tc:SAML:2.0:assertion",
      "ds": "http://www.w3.org/2000/09/xmldsig#"}


SP_METADATA = """<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
    entityID="{base}/mellon/metadata">
  <md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true"
      protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate>
      </ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:KeyDescriptor use="encryption">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate>
      </ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleLogoutService
        Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="{base}/mellon/logout"/>
    <md:NameIDFormat>{persistent}</md:NameIDFormat>
    <md:AssertionConsumerService index="0" isDefault="true"
        Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
        Location="{base}/mellon/postResponse"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>
"""

# Mellon puts each attribute in MELLON_<name> (and MELLON_<name>_0 ...);
# MellonSetEnvNoPrefix gives the OID names short variable names, which
# mod_headers copies into the reply so the test sees what mellon saw.
APACHE_CONF = """ServerRoot "{tmp}"
ServerName 127.0.0.1:{port}
UseCanonicalName On
Listen 127.0.0.1:{port}
PidFile "{tmp}/apache2.pid"
ErrorLog "{tmp}/error.log"
LogLevel warn auth_mellon:debug
{user}
LoadModule mpm_prefork_module {modules}/mod_mpm_prefork.so
LoadModule authn_core_module {modules}/mod_authn_core.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule authz_user_module {modules}/mod_authz_user.so
LoadModule auth_mellon_module {modules}/mod_auth_mellon.so
LoadModule headers_module {modules}/mod_headers.so
LoadModule env_module {modules}/mod_env.so
LoadModule mime_module {modules}/mod_mime.so
TypesConfig /etc/mime.types
DocumentRoot "{tmp}/htdocs"
Mutex file:{tmp} default
MellonLockFile "{tmp}/mellon.lock"
<Directory />
  Require all denied
</Directory>
<Directory "{tmp}/htdocs">
  Require all granted
</Directory>
<Location />
  MellonEndpointPath /mellon
  MellonSPPrivateKeyFile "{tmp}/sp.key"
  MellonSPCertFile "{tmp}/sp.crt"
  MellonSPMetadataFile "{tmp}/sp-metadata.xml"
  MellonIdPMetadataFile "{tmp}/idp-metadata.xml"
  MellonSignatureMethod rsa-sha256
  MellonSecureCookie Off
  MellonVariable mellon-cookie
  MellonSetEnvNoPrefix SK_GIVEN {oid_given}
  MellonSetEnvNoPrefix SK_FAMILY {oid_family}
  MellonSetEnvNoPrefix SK_MAIL {oid_mail}
  MellonSetEnvNoPrefix SK_BIRTH {oid_birth}
</Location>
<Location /secret>
  AuthType Mellon
  MellonEnable auth
  Require valid-user
  Header always set X-NameID "%{{MELLON_NAME_ID}}e"
  Header always set X-Given "%{{SK_GIVEN}}e"
  Header always set X-Family "%{{SK_FAMILY}}e"
  Header always set X-Mail "%{{SK_MAIL}}e"
  Header always set X-Birth "%{{SK_BIRTH}}e"
</Location>
"""


class Apache:
    """apache2 in the foreground (-X: one process) on a free loopback
    port, its whole configuration, logs and keys in @tmp."""

    def __init__(self, tmp, port):
        self.tmp = tmp
        self.port = port
        user = ""
        if os.geteuid() == 0:
            # httpd will not serve as root; its child reads the keys and
            # metadata as www-data.
            user = "User www-data\nGroup www-data"
        conf = os.path.join(tmp, "apache2.conf")
        with open(conf, "w") as f:
            f.write(APACHE_CONF.format(
                tmp=tmp, port=port, user=user, modules=MODULES,
                oid_given=OID_GIVEN, oid_family=OID_FAMILY,
                oid_mail=OID_MAIL, oid_birth=OID_BIRTH))
        self.log = open(os.path.join(tmp, "apache2.out"), "w")
        self.proc = subprocess.Popen([APACHE, "-X", "-f", conf],
                                     stdout=self.log, stderr=self.log,
                                     env={"PATH": "/usr/sbin:/usr/bin:/bin",
                                          "LANG": "C"})
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("apache2 exited: " + self.logtext())
            try:
                Browser(port).get("/")
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("apache2 did not start: " + self.logtext())

    def logtext(self):
        out = ""
        for name in ("apache2.out", "error.log"):
            p = os.path.join(self.tmp, name)
            if os.path.exists(p):
                with open(p, encoding="utf-8", errors="replace") as f:
                    out += "--- %s\n%s" % (name, f.read())
        return out

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(20)
        self.log.close()


# --- helpers -----------------------------------------------------------


def split_url(url):
    u = urllib.parse.urlsplit(url)
    assert u.scheme == "http" and u.hostname == "127.0.0.1", url
    return u.port, u.path + ("?" + u.query if u.query else "")


def to_idp(ctx, sp, idp):
    """GET /secret at mellon, follow its redirects to idpd's /saml/sso;
    returns idpd's answer to the AuthnRequest."""
    r = sp.get("/secret")
    hops = 0
    while True:
        assert r.status in (302, 303), (r.status, r.text[:300])
        port, path = split_url(
            urllib.parse.urljoin(ctx.sp_base + "/", r.header("Location")))
        if port == ctx.srv.port:
            assert path.startswith("/saml/sso?"), path
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
            # Redirect binding, signed with RSA-SHA256.
            assert "SAMLRequest" in q and "Signature" in q, q.keys()
            assert q["SigAlg"] == [
                "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"], q
            return idp.get(path)
        assert port == ctx.apache.port, path
        hops += 1
        assert hops < 5, path
        r = sp.get(path)


def to_sp(ctx, sp, form_reply):
    """Carry the POST form to mellon's ACS; returns mellon's answer."""
    action, saml_response, relay = post_form(form_reply)
    assert action == ctx.sp_base + "/mellon/postResponse", action
    form = {"SAMLResponse": saml_response}
    if relay is not None:
        form["RelayState"] = relay
    _, path = split_url(action)
    return sp.request("POST", path, form=form), relay


def pairwise_id(ctx):
    return ctx.db.query(
        "SELECT p.nameid FROM saml_pairwise_ids p JOIN accounts a"
        " ON a.id = p.account_id WHERE p.sp_entity_id = '%s'"
        " AND a.email = '%s'" % (ctx.entity_id, EMAIL))


# --- tests -------------------------------------------------------------


def test_unauthenticated_redirects(ctx):
    """Without a mellon session /secret is not served."""
    sp = Browser(ctx.apache.port)
    r = sp.get("/secret")
    assert r.status in (302, 303), (r.status, r.text[:300])
    assert "Erika" not in r.text


def test_sso_through_mellon(ctx):
    sp = ctx.sp = Browser(ctx.apache.port)
    idp = ctx.idp = Browser(ctx.srv.port)
    r = to_idp(ctx, sp, idp)
    r = login_continue(idp, r, EMAIL)
    r, relay = to_sp(ctx, sp, r)
    # Mellon accepted the response (signature, decryption, audience,
    # destination, InResponseTo) and sends the browser back to /secret.
    assert r.status in (302, 303), (r.status, r.text[:500],
                                     ctx.apache.logtext()[-3000:])
    port, path = split_url(urllib.parse.urljoin(ctx.sp_base + "/",
                                                r.header("Location")))
    assert port == ctx.apache.port and path.startswith("/secret"), path
    r = sp.get(path)
    assert r.status == 200, (r.status, r.text[:300])
    assert r.text.strip() == "secret page", r.text[:300]
    ctx.secret = r
    nid = r.header("X-NameID")
    assert re.match(r"^[A-Za-z0-9_-]{43}$", nid or ""), nid
    assert "erika" not in nid.lower()
    assert nid == pairwise_id(ctx), (nid, pairwise_id(ctx))
    ctx.nameid = nid


def test_attributes_per_release_policy(ctx):
    r = ctx.secret
    assert r.header("X-Given") == GIVEN, r.header("X-Given")
    assert r.header("X-Family") == FAMILY, r.header("X-Family")
    assert r.header("X-Mail") == EMAIL, r.header("X-Mail")
    # The birth date exists but was not released to this SP.
    assert r.header("X-Birth") in ("", "(null)", None), r.header("X-Birth")


def test_assertion_was_encrypted_and_signed(ctx):
    """A second login (idpd session reused): the response carries an
    EncryptedAssertion (the SP published an encryption key); decrypted it
    has the same persistent NameID, only the released attributes and an
    RSA-SHA256 signature; mellon accepts it again."""
    sp = Browser(ctx.apache.port)
    idp = Browser(ctx.srv.port)
    idp.cookies = dict(ctx.idp.cookies)  # the idpd session: no login
    r = to_idp(ctx, sp, idp)
    _, saml_response, _ = post_form(r)
    xml = base64.b64decode(saml_response).decode()
    assert "EncryptedAssertion" in xml, xml[:500]
    assert PERSISTENT not in xml and EMAIL not in xml
    # Decrypted with the SP's key (xmlsec1, as mellon does with lasso):
    # a persistent NameID, the assertion signed with RSA-SHA256.
    enc = os.path.join(ctx.apache.tmp, "response.xml")
    with open(enc, "w") as f:
        f.write(xml)
    dec = subprocess.run(["xmlsec1", "--decrypt", "--privkey-pem",
                          os.path.join(ctx.apache.tmp, "sp.key"), enc],
                         capture_output=True)
    os.unlink(enc)
    assert dec.returncode == 0, dec.stderr[-500:]
    root = ET.fromstring(dec.stdout)
    assertion = root.find("saml:EncryptedAssertion/saml:Assertion", NS)
    assert assertion is not None, dec.stdout[:500]
    assert assertion.find("saml:Issuer", NS).text == ctx.idp_entity
    nid = assertion.find("saml:Subject/saml:NameID", NS)
    assert nid.get("Format") == PERSISTENT, nid.attrib
    assert nid.text == ctx.nameid, (nid.text, ctx.nameid)
    # Exactly the released attributes, no more (no birth date).
    names = sorted(a.get("Name") for a in assertion.findall(
        "saml:AttributeStatement/saml:Attribute", NS))
    assert names == sorted([OID_GIVEN, OID_FAMILY, OID_MAIL]), names
    sig = assertion.find("ds:Signature/ds:SignedInfo/ds:SignatureMethod", NS)
    assert sig is not None and sig.get("Algorithm") == \
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", sig
    r, _ = to_sp(ctx, sp, r)
    assert r.status in (302, 303), (r.status, ctx.apache.logtext()[-3000:])
    _, path = split_url(urllib.parse.urljoin(ctx.sp_base + "/",
                                             r.header("Location")))
    r = sp.get(path)
    assert r.status == 200 and r.header("X-NameID") == ctx.nameid


def test_mellon_refuses_tampering(ctx):
    """A response whose encrypted assertion was changed in transit is
    refused by mellon: /secret stays closed."""
    sp = Browser(ctx.apache.port)
    idp = Browser(ctx.srv.port)
    idp.cookies = dict(ctx.idp.cookies)
    r = to_idp(ctx, sp, idp)
    action, saml_response, relay = post_form(r)
    xml = base64.b64decode(saml_response).decode()
    # Flip one byte in the middle of the assertion's ciphertext.
    m = re.search(r"<(?:\w+:)?CipherValue>([^<]+)</", xml)
    assert m, xml[:500]
    blob = bytearray(base64.b64decode(m.group(1)))
    blob[len(blob) // 2] ^= 0x01
    bad = xml.replace(m.group(1), base64.b64encode(bytes(blob)).decode())
    assert bad != xml
    form = {"SAMLResponse": base64.b64encode(bad.encode()).decode()}
    if relay is not None:
        form["RelayState"] = relay
    _, path = split_url(action)
    n = ctx.apache.logtext().count("Could not decrypt an assertion")
    r = sp.request("POST", path, form=form)
    assert r.status >= 400, (r.status, r.text[:300])
    assert ctx.apache.logtext().count("Could not decrypt an assertion") == \
        n + 1, ctx.apache.logtext()[-2000:]
    r = sp.get("/secret")
    assert r.status in (302, 303), r.status
    assert ctx.apache.alive()


ENC_TEMPLATE = (
    '<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"'
    ' Type="http://www.w3.org/2001/04/xmlenc#Element">'
    '<xenc:EncryptionMethod'
    ' Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
    '<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
    '<xenc:EncryptedKey><xenc:EncryptionMethod'
    ' Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"/>'
    '<xenc:CipherData><xenc:CipherValue/></xenc:CipherData>'
    '</xenc:EncryptedKey></ds:KeyInfo>'
    '<xenc:CipherData><xenc:CipherValue/></xenc:CipherData>'
    '</xenc:EncryptedData>')


def reencrypted(ctx, xml, change):
    """@xml decrypted with the SP key, @change applied to the plain text,
    the assertion encrypted again to the SP certificate (xmlsec1)."""
    tmp = ctx.apache.tmp
    enc = os.path.join(tmp, "in.xml")
    with open(enc, "w") as f:
        f.write(xml)
    dec = subprocess.run(["xmlsec1", "--decrypt", "--privkey-pem",
                          os.path.join(tmp, "sp.key"), enc],
                         capture_output=True, text=True)
    assert dec.returncode == 0, dec.stderr[-500:]
    plain = change(dec.stdout)
    with open(enc, "w") as f:
        f.write(plain)
    tpl = os.path.join(tmp, "tpl.xml")
    with open(tpl, "w") as f:
        f.write(ENC_TEMPLATE)
    out = subprocess.run(["xmlsec1", "--encrypt", "--pubkey-cert-pem",
                          os.path.join(tmp, "sp.crt"), "--session-key",
                          "aes-128", "--xml-data", enc, "--node-xpath",
                          "//*[local-name()='Assertion']", tpl],
                         capture_output=True, text=True)
    os.unlink(enc)
    os.unlink(tpl)
    assert out.returncode == 0, out.stderr[-500:]
    assert "CipherValue" in out.stdout and GIVEN not in out.stdout
    return out.stdout


def post_changed(ctx, change):
    """A fresh response to a fresh mellon login, changed by @change inside
    its encrypted assertion; mellon's answer and the browser."""
    sp = Browser(ctx.apache.port)
    idp = Browser(ctx.srv.port)
    idp.cookies = dict(ctx.idp.cookies)
    r = to_idp(ctx, sp, idp)
    action, saml_response, relay = post_form(r)
    xml = reencrypted(ctx, base64.b64decode(saml_response).decode(), change)
    form = {"SAMLResponse": base64.b64encode(xml.encode()).decode()}
    if relay is not None:
        form["RelayState"] = relay
    _, path = split_url(action)
    return sp.request("POST", path, form=form), sp


def test_mellon_checks_the_signature(ctx):
    """Decrypted and encrypted again unchanged, the response is accepted
    (the control); with the given name changed inside the signed
    assertion, mellon refuses it: it does verify our signature."""
    r, sp = post_changed(ctx, lambda x: x)
    assert r.status in (302, 303), (r.status, ctx.apache.logtext()[-3000:])
    assert sp.get("/secret").header("X-Given") == GIVEN
    n = ctx.apache.logtext().count("Failed to verify signature")
    r, sp = post_changed(
        ctx, lambda x: x.replace(">%s<" % GIVEN, ">Mallory<", 1))
    assert r.status >= 400, (r.status, r.text[:300])
    r = sp.get("/secret")
    assert r.status in (302, 303), r.status
    assert "Mallory" not in (r.header("X-Given") or "")
    # lasso's own words in mellon's log: the signature check failed.
    assert ctx.apache.logtext().count("Failed to verify signature") == \
        n + 1, ctx.apache.logtext()[-2000:]
    assert ctx.apache.alive()


# --- single logout -----------------------------------------------------

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
NS["samlp"] = SAMLP
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"


def mellon_login(ctx):
    """A fresh mellon session and a fresh idpd session (login form):
    (mellon browser, idpd browser)."""
    sp = Browser(ctx.apache.port)
    idp = Browser(ctx.srv.port)
    r = login_continue(idp, to_idp(ctx, sp, idp), EMAIL)
    r, _ = to_sp(ctx, sp, r)
    assert r.status in (302, 303), (r.status, ctx.apache.logtext()[-3000:])
    r = sp.get("/secret")
    assert r.status == 200 and r.header("X-NameID") == ctx.nameid
    assert idp.get("/account").status == 200
    return sp, idp


def redirect_message(url, field):
    """The HTTP-Redirect message in @url: (query dict, XML root)."""
    q = {k: v[0] for k, v in urllib.parse.parse_qs(
        urllib.parse.urlsplit(url).query).items()}
    assert field in q and "Signature" in q, q.keys()
    assert q["SigAlg"] == RSA_SHA256, q
    xml = zlib.decompress(base64.b64decode(q[field]), -15)
    return q, ET.fromstring(xml)


def bad_signature(url):
    """@url with one bit of its Signature flipped, the rest byte for byte
    (the signature covers the raw query)."""
    base, query = url.split("?", 1)
    parts = []
    for p in query.split("&"):
        k, v = p.split("=", 1)
        if k == "Signature":
            sig = bytearray(base64.b64decode(urllib.parse.unquote(v)))
            sig[len(sig) // 2] ^= 0x01
            v = urllib.parse.quote(base64.b64encode(bytes(sig)), safe="")
        parts.append(k + "=" + v)
    bad = base + "?" + "&".join(parts)
    assert bad != url
    return bad


def mellon_errors(ctx):
    """mellon's and lasso's complaints in apache's error log."""
    return [l for l in ctx.apache.logtext().splitlines()
            if ":error]" in l or "Lasso-CRITICAL" in l
            or "Lasso-WARNING" in l]


def audit_count(ctx, event):
    return int(ctx.db.query("SELECT count(*) FROM audit_log"
                            " WHERE event = '%s'" % event))


def test_slo_from_mellon(ctx):
    """Logout at mellon (SP-initiated, HTTP-Redirect both ways): mellon's
    signed LogoutRequest ends the idpd session; our signed LogoutResponse
    is accepted by mellon, which sends the browser to ReturnTo."""
    sp, idp = mellon_login(ctx)
    errors = len(mellon_errors(ctx))
    received = audit_count(ctx, "slo_request_received")
    r = sp.get("/mellon/logout?ReturnTo=/")
    assert r.status in (302, 303), (r.status, ctx.apache.logtext()[-3000:])
    port, path = split_url(r.header("Location"))
    assert port == ctx.srv.port and path.startswith("/saml/slo?"), path
    q, req = redirect_message(path, "SAMLRequest")
    assert req.tag == "{%s}LogoutRequest" % SAMLP, req.tag
    assert req.find("saml:NameID", NS).text == ctx.nameid
    assert req.find("samlp:SessionIndex", NS) is not None
    r = idp.get(path)
    # The session ended with the accepted request.
    assert idp.get("/account").status == 303
    assert audit_count(ctx, "slo_request_received") == received + 1
    # No other portal: our LogoutResponse, at once, to mellon's endpoint
    # from its metadata, by a 303 (HTTP-Redirect binding).
    assert r.status == 303, (r.status, r.text[:500], ctx.srv.logtext()[-2000:])
    loc = r.header("Location")
    assert loc.startswith(ctx.sp_base + "/mellon/logout?SAMLResponse="), loc
    q2, resp = redirect_message(loc, "SAMLResponse")
    assert q2.get("RelayState") == q.get("RelayState"), (q2, q)
    assert resp.get("InResponseTo") == req.get("ID")
    assert resp.get("Destination") == ctx.sp_base + "/mellon/logout"
    assert resp.find("samlp:Status/samlp:StatusCode", NS).get("Value") == \
        SUCCESS
    # With one bit of our signature changed mellon refuses it: it does
    # check the signature (lasso would take an unsigned one).
    _, path = split_url(bad_signature(loc))
    r = sp.get(path)
    assert r.status >= 400, (r.status, ctx.apache.logtext()[-2000:])
    _, path = split_url(loc)
    r = sp.get(path)
    # mellon accepted it (signature, InResponseTo) and goes to ReturnTo.
    assert r.status in (302, 303), (r.status, ctx.apache.logtext()[-3000:])
    back = urllib.parse.urljoin(ctx.sp_base + "/", r.header("Location"))
    assert back == ctx.sp_base + "/", back
    # mellon's complaint: lasso could not verify the changed signature.
    new = mellon_errors(ctx)[errors:]
    assert any("ignature" in l for l in new), new
    # Both sessions are gone: mellon and idpd ask for a login again.
    r = to_idp(ctx, sp, idp)
    assert r.status == 303 and r.header("Location").startswith(
        "/login?pending="), (r.status, r.header("Location"))
    assert idp.get("/account").status == 303


def test_slo_from_idpd(ctx):
    """Logout here (IdP-initiated): our signed LogoutRequest goes to
    mellon by a 303; mellon verifies it, ends its session and answers;
    the result page lists mellon as logged out."""
    # mellon looks the session up by the NameID alone and takes the
    # first it finds (am_get_request_session_by_nameid): the sessions of
    # the tests above have the same persistent NameID but another
    # SessionIndex, which lasso then refuses (UnknownPrincipal). A fresh
    # apache has only this test's session.
    ctx.apache.stop()
    ctx.apache = Apache(ctx.apache.tmp, ctx.apache.port)
    sp, idp = mellon_login(ctx)
    errors = len(mellon_errors(ctx))
    a = idp.get("/account")
    r = idp.post("/logout", {"csrf": a.csrf()})
    assert idp.get("/account").status == 303
    assert r.status == 303, (r.status, r.text[:500])
    loc = r.header("Location")
    assert loc.startswith(ctx.sp_base + "/mellon/logout?SAMLRequest="), loc
    q, req = redirect_message(loc, "SAMLRequest")
    assert re.match(r"^[A-Za-z0-9_-]{43}$", q.get("RelayState", "")), q
    assert req.get("Destination") == ctx.sp_base + "/mellon/logout"
    assert req.find("saml:Issuer", NS).text == ctx.idp_entity
    nid = req.find("saml:NameID", NS)
    assert nid.text == ctx.nameid and nid.get("Format") == PERSISTENT
    assert nid.get("NameQualifier") == ctx.idp_entity
    assert nid.get("SPNameQualifier") == ctx.entity_id
    assert req.find("samlp:SessionIndex", NS).text
    # One bit of our signature changed: mellon refuses the request and
    # keeps its session.
    _, path = split_url(bad_signature(loc))
    r = sp.get(path)
    assert r.status == 400, (r.status, ctx.apache.logtext()[-2000:])
    assert sp.get("/secret").status == 200
    new = mellon_errors(ctx)[errors:]
    assert any("ignature" in l for l in new), new
    errors = len(mellon_errors(ctx))
    _, path = split_url(loc)
    r = sp.get(path)
    # mellon checked our signature and the NameID/SessionIndex against
    # its session, and answers at our /saml/slo.
    assert r.status in (302, 303), (r.status, ctx.apache.logtext()[-3000:])
    port, path = split_url(r.header("Location"))
    assert port == ctx.srv.port and path.startswith("/saml/slo?"), path
    q2, resp = redirect_message(path, "SAMLResponse")
    assert resp.get("InResponseTo") == req.get("ID")
    assert resp.find("samlp:Status/samlp:StatusCode", NS).get("Value") == \
        SUCCESS, ET.tostring(resp)
    assert q2.get("RelayState") == q["RelayState"]
    assert mellon_errors(ctx)[errors:] == [], mellon_errors(ctx)[errors:]
    r = idp.get(path)
    assert r.status == 200, (r.status, r.text[:500],
                             ctx.srv.logtext()[-2000:])
    ok = re.search(r'<ul id="slo-ok">(.*?)</ul>', r.text, re.S)
    assert ok and ctx.entity_id in ok.group(1), r.text[:3000]
    assert "slo-failed" not in r.text and "slo-no-answer" not in r.text
    # mellon's session is gone.
    r = sp.get("/secret")
    assert r.status in (302, 303), r.status
    res = ctx.db.query("SELECT details->>'result' FROM audit_log"
                       " WHERE event = 'slo_participant_result'"
                       " ORDER BY seq DESC LIMIT 1")
    assert res == "ok", res


def test_audit(ctx):
    n = ctx.db.query("SELECT count(*) FROM audit_log"
                     " WHERE event = 'sso_response_issued'")
    assert int(n) >= 3, n
    r = idpctl(ctx.db, "audit", "verify")
    assert r.returncode == 0, r.stdout + r.stderr
    assert ctx.srv.alive()


# --- setup -------------------------------------------------------------


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, (cmd, r.stdout, r.stderr)


def setup(ctx):
    tmp = ctx.tmp
    # The master key outside @tmp, which apache's child may read.
    ctx.keydir = tempfile.mkdtemp(prefix="keys-", dir=".")
    keyed_database(ctx, "mellon", ctx.keydir)
    ok(idpctl(ctx.db, "account", "create", "--email", EMAIL,
              "--given-name", GIVEN, "--family-name", FAMILY,
              "--birth-date", "1964-08-12", "--verified",
              stdin=PASSWORD + "\n"))
    start_idpd(ctx)

    port = free_port()
    ctx.sp_base = "http://127.0.0.1:%d" % port
    ctx.entity_id = ctx.sp_base + "/mellon/metadata"
    os.makedirs(os.path.join(tmp, "htdocs"))
    with open(os.path.join(tmp, "htdocs", "secret"), "w") as f:
        f.write("secret page\n")
    with open(os.path.join(tmp, "htdocs", "index.html"), "w") as f:
        f.write("public\n")
    key = os.path.join(tmp, "sp.key")
    crt = os.path.join(tmp, "sp.crt")
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
         "-keyout", key, "-out", crt, "-days", "2", "-subj",
         "/CN=127.0.0.1"])
    with open(crt) as f:
        cert = "".join(l.strip() for l in f
                       if l.strip() and not l.startswith("-----"))
    meta = os.path.join(tmp, "sp-metadata.xml")
    with open(meta, "w") as f:
        f.write(SP_METADATA.format(base=ctx.sp_base, cert=cert,
                                   persistent=PERSISTENT))
    r = Browser(ctx.srv.port).get("/saml/metadata")
    assert r.status == 200, (r.status, r.text[:300])
    with open(os.path.join(tmp, "idp-metadata.xml"), "wb") as f:
        f.write(r.body)
    add_sp(ctx, meta, "--release", "given_name,family_name,email",
           "--attribute-profile", "oid")
    # The child runs as www-data: it must read what is in @tmp (a test
    # key for a loopback SP, thrown away at the end).
    for d, dirs, files in os.walk(tmp):
        os.chmod(d, 0o755)
        for n in files:
            os.chmod(os.path.join(d, n), 0o644)
    ctx.apache = Apache(tmp, port)


def cleanup(ctx, runner):
    if ctx.apache is not None:
        if runner.failed:
            print(ctx.apache.logtext()[-8000:])
        ctx.apache.stop()
    shutil.rmtree(ctx.tmp, ignore_errors=True)
    if ctx.keydir is not None:
        shutil.rmtree(ctx.keydir, ignore_errors=True)


def main():
    # In the system's temporary directory, not the build tree: apache's
    # child (www-data when run as root) must be able to reach it.
    ctx = Ctx(tempfile.mkdtemp(prefix="mellon-"), apache=None, keydir=None)
    return run_tests(ctx, setup, [
        test_unauthenticated_redirects,
        test_sso_through_mellon,
        test_attributes_per_release_policy,
        test_assertion_was_encrypted_and_signed,
        test_mellon_refuses_tampering,
        test_mellon_checks_the_signature,
        test_slo_from_mellon,
        test_slo_from_idpd,
        test_audit], cleanup, setup_as_test=True)


if __name__ == "__main__":
    sys.exit(main())
