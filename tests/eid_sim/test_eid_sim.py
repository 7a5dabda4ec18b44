#!/usr/bin/python3
"""Self-test of the simulated eID service (tests/eid_sim/eid_sim.py, a TEST
TOOL): the simulator runs as a real process on loopback and answers real
pysaml2 service providers (tests/saml_sso/sp.py, with an encryption key
added here).  Every verdict on a response is pysaml2's own: decryption,
signature against the simulator's metadata, audience, recipient, time and
InResponseTo.  What pysaml2 does not judge (two assertions, wrapping, plain
assertions, the key transport, the eIDAS value types) is checked on the
XML itself, decrypted with xmlsec1 where needed.
"""
import base64
import html
import http.server as http_server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request

import lasso
from cryptography import x509

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "saml_sso"))
sys.path.insert(0, os.path.join(HERE, "..", "account"))

from saml2.saml import NAMEID_FORMAT_TRANSIENT  # noqa: E402
from sp import SP  # noqa: E402
from harness import Runner  # noqa: E402

SIM = os.path.join(HERE, "eid_sim.py")
NP = "http://eidas.europa.eu/attributes/naturalperson/"
DOCTYPE = "http://bsi.bund.de/eID/DocumentType"
ERIKA = "vEkCTpUStXBuTnj10E/WKD69HU+5Vfs/amHkSREdZMo="
JONAS = "aMkC1Tu8aw6wbTUn45UBtVf3tAxGWrWMKxSCbgchDOw="
ANA = "ljRw+22APYXekJJIL5SQTrEIDxzkuxOi2gRrX+ziSJs="
SHA256 = {"sigalg": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
          "digest_alg": "http://www.w3.org/2001/04/xmlenc#sha256"}


class Reply:
    def __init__(self, status, text, headers):
        self.status = status
        self.text = text
        self.headers = headers


def http(url, fields=None):
    """GET, or POST of form @fields; 4xx/5xx are replies, not errors."""
    data = None
    if fields is not None:
        data = urllib.parse.urlencode(fields).encode()
    req = urllib.request.Request(url, data=data)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return Reply(r.status, r.read().decode(), r.headers)
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.read().decode(), e.headers)


class Sim:
    """One simulator process; stopped by stop()."""

    def __init__(self, tmp, name, metadata, *extra):
        self.state = os.path.join(tmp, name)
        self.log = open(os.path.join(tmp, name + ".log"), "w+")
        cmd = ["/usr/bin/python3", SIM, "--port", "0", "--state",
               self.state]
        for m in metadata:
            cmd += ["--sp-metadata", m]
        self.proc = subprocess.Popen(cmd + list(extra),
                                     stdout=subprocess.PIPE,
                                     stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError("simulator did not start: %s" %
                               self.logtext()[-3000:])
        self.base = line.split()[1]
        self.entity = self.base + "/metadata"
        self.metadata = http(self.entity).text

    def logtext(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def make_sp(tmp, name, encryption=True):
    """A pysaml2 SP that signs its requests and wants signed responses
    and assertions; with an encryption key pair unless told otherwise."""
    sp = SP(tmp, name, want_assertions_signed=True,
            want_response_signed=True,
            nameid_format=NAMEID_FORMAT_TRANSIENT)
    if encryption:
        sp.enc_key = os.path.join(sp.dir, "enc.key")
        sp.enc_cert = os.path.join(sp.dir, "enc.crt")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:3072",
                        "-nodes", "-keyout", sp.enc_key, "-out",
                        sp.enc_cert, "-days", "30", "-subj",
                        "/CN=%s-enc" % name],
                       check=True, capture_output=True)
        sp.conf["encryption_keypairs"] = [
            {"key_file": sp.enc_key, "cert_file": sp.enc_cert}]
    sp.metadata_path = sp.metadata()
    return sp


def identity_page(reply):
    assert reply.status == 200, (reply.status, reply.text[:800])
    m = re.search(r'name="handle" value="([^"]+)"', reply.text)
    assert m, reply.text[:800]
    return html.unescape(m.group(1))


def post_form(reply):
    """(action, SAMLResponse, RelayState) of the simulator's POST form."""
    assert reply.status == 200, (reply.status, reply.text[:800])
    action = re.search(r'<form method="post" action="([^"]+)"', reply.text)
    resp = re.search(r'name="SAMLResponse" value="([^"]+)"', reply.text)
    relay = re.search(r'name="RelayState" value="([^"]*)"', reply.text)
    assert action and resp, reply.text[:800]
    return (html.unescape(action.group(1)), html.unescape(resp.group(1)),
            html.unescape(relay.group(1)) if relay else None)


def login(ctx, sim, sp, identity="erika", attack=None, binding="redirect",
          **respond_fields):
    """One round: request, identity page, choice.  Returns (request id,
    action, SAMLResponse, RelayState)."""
    if binding == "redirect":
        reqid, url = sp.redirect_url(sim.entity)
        assert url.startswith(sim.base + "/sso?"), url
        if attack:
            url += "&attack=" + attack
        page = http(url)
    else:
        reqid, saml_request = sp.post_request(sim.entity, **SHA256)
        fields = {"SAMLRequest": saml_request, "RelayState": "rs-1"}
        if attack:
            fields["attack"] = attack
        page = http(sim.base + "/sso", fields)
    handle = identity_page(page)
    fields = {"handle": handle, "identity": identity}
    fields.update(respond_fields)
    action, b64, relay = post_form(http(sim.base + "/sso/respond", fields))
    return reqid, action, b64, relay


def xml_of(b64):
    return base64.b64decode(b64).decode("utf-8")


def attributes(resp):
    """{Name: [values]} of the assertion pysaml2 accepted (its ava is
    keyed by FriendlyName)."""
    out = {}
    for st in resp.assertion.attribute_statement:
        for at in st.attribute:
            assert at.name_format == \
                "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
            out[at.name] = [v.text for v in at.attribute_value]
    return out


def refused_by_pysaml2(sp, b64):
    try:
        sp.parse(b64)
    except Exception as e:
        return type(e).__name__
    raise AssertionError("pysaml2 accepted the response")


def decrypt(sp, b64, tmp):
    """The response with every EncryptedAssertion decrypted by xmlsec1."""
    xml = xml_of(b64)
    out = xml
    for i in range(len(re.findall(r"<\w+:EncryptedData\b", xml))):
        path = os.path.join(tmp, "dec.xml")
        with open(path, "w") as f:
            f.write(out)
        r = subprocess.run(["xmlsec1", "--decrypt", "--privkey-pem",
                            sp.enc_key, path], capture_output=True,
                           text=True)
        assert r.returncode == 0, r.stderr
        out = r.stdout
    return out


# --- tests -----------------------------------------------------------


def test_metadata(ctx):
    md = ctx.sim.metadata
    assert 'WantAuthnRequestsSigned="true"' in md, md
    assert "HTTP-Redirect" in md and "HTTP-POST" in md, md
    assert md.count('Location="%s/sso"' % ctx.sim.base) == 2, md
    assert "TEST TOOL" in md and "OrganizationName" in md, md
    assert "md5" not in md and "sha1" not in md, md
    m = re.search(r"<ds:X509Certificate>([^<]+)<", md)
    cert = x509.load_der_x509_certificate(base64.b64decode(m.group(1)))
    assert cert.public_key().key_size == 3072
    key = os.path.join(ctx.sim.state, "signing.key")
    assert os.stat(key).st_mode & 0o077 == 0, oct(os.stat(key).st_mode)


def test_login_redirect(ctx):
    sp = ctx.sp
    reqid, url = sp.redirect_url(ctx.sim.entity)
    page = http(url)
    assert "Test identity" in page.text and "TEST TOOL" in page.text
    assert "Testidentität" in page.text
    assert "<script" not in page.text, page.text
    assert "erika-new-card" in page.text
    handle = identity_page(page)
    reply = http(ctx.sim.base + "/sso/respond",
                 {"handle": handle, "identity": "erika"})
    assert "script-src 'self'" in reply.headers["Content-Security-Policy"]
    scripts = re.findall(r"<script[^>]*>", reply.text)
    assert scripts == ['<script src="/static/autosubmit.js">'], scripts
    assert "<button" in reply.text
    action, b64, relay = post_form(reply)
    assert action == sp.acs and relay == "rs-1", (action, relay)
    xml = xml_of(b64)
    assert "EncryptedAssertion" in xml and "<saml:Assertion" not in xml
    assert 'Destination="%s"' % sp.acs in xml
    assert 'InResponseTo="%s"' % reqid in xml
    assert "aes256-gcm" in xml and "rsa-oaep-mgf1p" in xml
    resp = sp.parse(b64)
    ava = attributes(resp)
    assert ava[NP + "PersonIdentifier"] == [ERIKA], ava
    assert ava[NP + "CurrentFamilyName"] == ["Mustermann"], ava
    assert ava[NP + "CurrentGivenName"] == ["Erika"], ava
    assert ava[NP + "DateOfBirth"] == ["1964-08-12"], ava
    assert ava[NP + "PlaceOfBirth"] == ["Berlin"], ava
    assert ava[DOCTYPE] == ["ID"], ava
    addr = base64.b64decode(ava[NP + "CurrentAddress"][0]).decode()
    assert "<eidas:Thoroughfare>Heidestraße</eidas:Thoroughfare>" in addr
    assert "<eidas:PostName>Köln</eidas:PostName>" in addr, addr
    a = resp.assertion
    assert a.subject.name_id.format == NAMEID_FORMAT_TRANSIENT
    assert (a.authn_statement[0].authn_context.authn_context_class_ref.text
            == "http://eidas.europa.eu/LoA/high")
    assert a.conditions.audience_restriction[0].audience[0].text == \
        sp.entity_id
    ctx.erika_response = b64


def test_login_post_binding(ctx):
    sp = ctx.sp
    reqid, action, b64, relay = login(ctx, ctx.sim, sp, "ana",
                                      binding="post")
    ava = attributes(sp.parse(b64))
    assert ava[NP + "PersonIdentifier"] == [ANA], ava
    assert NP + "CurrentAddress" not in ava, ava
    assert ava[DOCTYPE] == ["UB"], ava


def test_replacement_card(ctx):
    _, _, b64, _ = login(ctx, ctx.sim, ctx.sp, "erika-new-card")
    ava = attributes(ctx.sp.parse(b64))
    assert ava[NP + "CurrentFamilyName"] == ["Mustermann"]
    assert ava[NP + "DateOfBirth"] == ["1964-08-12"]
    assert ava[NP + "PersonIdentifier"] != [ERIKA], ava


def test_unsigned_redirect_refused(ctx):
    _, url = ctx.sp.redirect_url(ctx.sim.entity)
    bare = re.sub(r"&(SigAlg|Signature)=[^&]*", "", url)
    assert "Signature" not in bare
    r = http(bare)
    assert r.status == 400 and "not signed" in r.text, (r.status, r.text)
    assert "handle" not in r.text


def test_unsigned_post_refused(ctx):
    _, saml_request = ctx.sp.post_request(ctx.sim.entity, **SHA256)
    xml = xml_of(saml_request)
    bare = re.sub(r"<(\w+):Signature\b.*</\1:Signature>", "", xml,
                  flags=re.S)
    assert bare != xml
    r = http(ctx.sim.base + "/sso", {
        "SAMLRequest": base64.b64encode(bare.encode()).decode()})
    assert r.status == 400 and "not signed" in r.text, (r.status, r.text)


def test_bad_signatures_refused(ctx):
    _, url = ctx.sp.redirect_url(ctx.sim.entity)
    r = http(url.replace("RelayState=rs-1", "RelayState=rs-2"))
    assert r.status == 400 and "does not verify" in r.text, r.text
    _, saml_request = ctx.sp.post_request(ctx.sim.entity, **SHA256)
    xml = xml_of(saml_request).replace('Version="2.0"',
                                       'Version="2.0" ForceAuthn="true"')
    r = http(ctx.sim.base + "/sso", {
        "SAMLRequest": base64.b64encode(xml.encode()).decode()})
    assert r.status == 400 and "does not verify" in r.text, r.text


def test_foreign_acs_refused(ctx):
    _, url = ctx.sp.redirect_url(
        ctx.sim.entity,
        assertion_consumer_service_url="https://evil.invalid/acs")
    r = http(url)
    assert r.status == 400 and "not in the SP metadata" in r.text, r.text


def test_request_id_once(ctx):
    _, url = ctx.sp.redirect_url(ctx.sim.entity)
    identity_page(http(url))
    r = http(url)
    assert r.status == 400 and "already used" in r.text, r.text


def test_no_encryption_key_refused(ctx):
    _, url = ctx.noenc.redirect_url(ctx.sim.entity)
    r = http(url)
    assert r.status == 400 and "no encryption key" in r.text, r.text


def test_unknown_sp_refused(ctx):
    stranger = make_sp(ctx.tmp, "stranger")
    stranger.trust(ctx.sim.metadata)
    _, url = stranger.redirect_url(ctx.sim.entity)
    r = http(url)
    assert r.status == 400 and "unknown SP" in r.text, r.text


def test_cancel(ctx):
    reqid, url = ctx.sp.redirect_url(ctx.sim.entity)
    handle = identity_page(http(url))
    _, b64, _ = post_form(http(ctx.sim.base + "/sso/respond",
                               {"handle": handle, "cancel": "1"}))
    xml = xml_of(b64)
    assert "status:Responder" in xml and "status:AuthnFailed" in xml, xml
    assert "Assertion" not in xml
    assert 'InResponseTo="%s"' % reqid in xml
    name = refused_by_pysaml2(ctx.sp, b64)
    assert "AuthnFailed" in name or "Status" in name, name
    r = http(ctx.sim.base + "/sso/respond",
             {"handle": handle, "identity": "erika"})
    assert r.status == 400 and "used or expired" in r.text, r.text


def test_is_passive(ctx):
    reqid, url = ctx.sp.redirect_url(ctx.sim.entity, is_passive="true")
    action, b64, relay = post_form(http(url))
    assert action == ctx.sp.acs and relay == "rs-1"
    xml = xml_of(b64)
    assert "status:NoPassive" in xml and "Assertion" not in xml, xml
    assert 'InResponseTo="%s"' % reqid in xml
    refused_by_pysaml2(ctx.sp, b64)


def test_metadata_url_read_late(ctx):
    """The simulator may start before idpd: an SP metadata URL that does
    not answer yet is read again at the next request."""
    served = {}

    class MD(http_server.BaseHTTPRequestHandler):
        def do_GET(self):
            data = served.get(self.path)
            self.send_response(200 if data else 404)
            self.end_headers()
            self.wfile.write(data or b"")

        def log_message(self, *a):
            pass

    httpd = http_server.ThreadingHTTPServer(("127.0.0.1", 0), MD)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    sim = None
    try:
        url = "http://127.0.0.1:%d/eid/metadata" % httpd.server_address[1]
        sim = Sim(ctx.tmp, "sim-url", [url], "--value-types", "xs")
        late = make_sp(ctx.tmp, "late")
        late.trust(sim.metadata)
        _, req = late.redirect_url(sim.entity)
        r = http(req)
        assert r.status == 400 and "unknown SP" in r.text, r.text
        with open(late.metadata_path, "rb") as f:
            served["/eid/metadata"] = f.read()
        _, _, b64, _ = login(ctx, sim, late, "jonas")
        assert attributes(late.parse(b64))[NP + "PersonIdentifier"] == \
            [JONAS]
    finally:
        if sim is not None:
            sim.stop()
        httpd.shutdown()
        httpd.server_close()


def test_attacks_disabled_without_flag(ctx):
    _, url = ctx.sp2.redirect_url(ctx.plain_sim.entity)
    r = http(url + "&attack=unsigned")
    assert r.status == 400 and "disabled" in r.text, r.text
    _, url = ctx.sp2.redirect_url(ctx.plain_sim.entity)
    handle = identity_page(http(url))
    r = http(ctx.plain_sim.base + "/sso/respond",
             {"handle": handle, "identity": "erika", "attack": "plain"})
    assert r.status == 400 and "disabled" in r.text, r.text


def test_eidas_value_types(ctx):
    """The default: eIDAS xsi:types (pysaml2 cannot parse these, so the
    signature is checked with xmlsec1 and the values on the XML)."""
    _, _, b64, _ = login(ctx, ctx.plain_sim, ctx.sp2, "zoe")
    xml = decrypt(ctx.sp2, b64, ctx.tmp)
    assert 'xsi:type="eidas-natural:PersonIdentifierType"' in xml
    assert 'xmlns:eidas-natural="http://eidas.europa.eu/attributes/' \
        'naturalperson"' in xml
    assert "Müller-Lüdenscheidt" in html.unescape(xml), xml
    crt = os.path.join(ctx.plain_sim.state, "signing.crt")
    # The Response's signature covers the encrypted form, the assertion's
    # the decrypted one.
    for node, doc in (("Response", xml_of(b64)), ("Assertion", xml)):
        path = os.path.join(ctx.tmp, "verify.xml")
        with open(path, "w") as f:
            f.write(doc)
        prefix = "samlp" if node == "Response" else "saml"
        idattr = "%s:%s" % ({"samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
                             "saml": "urn:oasis:names:tc:SAML:2.0:assertion"}
                            [prefix], node)
        nid = re.search(r"<%s:%s [^>]*ID=\"([^\"]+)\"" % (prefix, node),
                        doc).group(1)
        r = subprocess.run(["xmlsec1", "--verify", "--enabled-key-data",
                            "raw-x509-cert", "--pubkey-cert-pem", crt,
                            "--id-attr:ID", idattr, "--node-id", nid, path],
                           capture_output=True, text=True)
        assert r.returncode == 0, (node, r.stderr)


def test_lasso_sp(ctx):
    """lasso, the library idpd uses as the eID service's SP: its signed
    Redirect request (lasso's own query encoding) is accepted, and it
    verifies, decrypts (RSA-OAEP, AES-256-GCM) and reads the default
    response with the eIDAS value types."""
    sp, sim = ctx.sp2, ctx.plain_sim
    idp_md = os.path.join(ctx.tmp, "plain-idp.xml")
    with open(idp_md, "w") as f:
        f.write(sim.metadata)
    server = lasso.Server(sp.metadata_path, sp.key, None, sp.cert)
    server.setEncryptionPrivateKey(sp.enc_key)
    server.signatureMethod = lasso.SIGNATURE_METHOD_RSA_SHA256
    server.addProvider(lasso.PROVIDER_ROLE_IDP, idp_md)
    login = lasso.Login(server)
    login.initAuthnRequest(sim.entity, lasso.HTTP_METHOD_REDIRECT)
    login.request.nameIdPolicy.format = \
        lasso.SAML2_NAME_IDENTIFIER_FORMAT_TRANSIENT
    login.msgRelayState = "relay-lasso"
    login.buildAuthnRequestMsg()
    reqid = login.request.id
    handle = identity_page(http(login.msgUrl))
    action, b64, relay = post_form(http(sim.base + "/sso/respond",
                                        {"handle": handle,
                                         "identity": "erika"}))
    assert action == sp.acs and relay == "relay-lasso", (action, relay)
    login = lasso.Login(server)
    login.setSignatureVerifyHint(lasso.PROFILE_SIGNATURE_VERIFY_HINT_FORCE)
    login.processAuthnResponseMsg(b64)
    login.acceptSso()
    assert login.response.inResponseTo == reqid
    a = login.assertion
    got = {}
    for st in a.attributeStatement:
        for at in st.attribute:
            got[at.name] = [v.any[0].content for v in at.attributeValue]
    assert got[NP + "PersonIdentifier"] == [ERIKA], got
    assert got[NP + "CurrentGivenName"] == ["Erika"], got
    assert got[DOCTYPE] == ["ID"], got
    assert (a.authnStatement[0].authnContext.authnContextClassRef ==
            "http://eidas.europa.eu/LoA/high")


def attack_refused(mode, **fields):
    def test(ctx):
        _, _, b64, _ = login(ctx, ctx.sim, ctx.sp, attack=mode, **fields)
        refused_by_pysaml2(ctx.sp, b64)
        ctx.last = b64
    test.__name__ = "test_attack_%s_refused" % mode.replace("-", "_")
    return test


def test_attack_unsigned_xml(ctx):
    _, _, b64, _ = login(ctx, ctx.sim, ctx.sp, attack="unsigned")
    xml = decrypt(ctx.sp, b64, ctx.tmp)
    assert "Signature" not in xml and ERIKA in xml


def test_attack_plain(ctx):
    _, _, b64, _ = login(ctx, ctx.sim, ctx.sp, attack="plain")
    xml = xml_of(b64)
    assert "EncryptedAssertion" not in xml and "<saml:Assertion" in xml
    assert ERIKA in xml
    sp_ava = attributes(ctx.sp.parse(b64))  # pysaml2 takes it
    assert sp_ava[NP + "PersonIdentifier"] == [ERIKA]


def test_attack_two_assertions(ctx):
    _, _, b64, _ = login(ctx, ctx.sim, ctx.sp, attack="two-assertions")
    xml = xml_of(b64)
    assert xml.count("<saml:EncryptedAssertion") == 2, xml
    dec = decrypt(ctx.sp, b64, ctx.tmp)
    ids = re.findall(r"<saml:Assertion [^>]*ID=\"([^\"]+)\"", dec)
    assert len(ids) == 2 and ids[0] != ids[1], ids


def test_attack_wrap(ctx):
    _, _, b64, _ = login(ctx, ctx.sim, ctx.sp, attack="wrap")
    xml = xml_of(b64)
    assert xml.count("<saml:EncryptedAssertion") == 2
    head = xml[:xml.index("<saml:EncryptedAssertion")]
    assert "Signature" not in head, head
    dec = decrypt(ctx.sp, b64, ctx.tmp)
    ids = re.findall(r"<saml:Assertion [^>]*ID=\"([^\"]+)\"", dec)
    assert len(ids) == 2 and ids[0] == ids[1], ids
    first, second = dec.split("<saml:Assertion ")[1:3]
    assert JONAS in first and "Signature" not in first
    assert ERIKA in second and "<ds:Signature" in second


def test_attack_wrong_recipient_xml(ctx):
    """pysaml2 only logs a foreign Destination: judged on the XML."""
    _, action, b64, _ = login(ctx, ctx.sim, ctx.sp,
                              attack="wrong-recipient")
    assert action == ctx.sp.acs
    xml = xml_of(b64)
    assert 'Destination="https://other-sp.invalid/eid/acs"' in xml
    dec = decrypt(ctx.sp, b64, ctx.tmp)
    assert 'Recipient="https://other-sp.invalid/eid/acs"' in dec, dec


def test_sha1_post_refused(ctx):
    _, saml_request = ctx.sp.post_request(ctx.sim.entity)
    assert "rsa-sha1" in xml_of(saml_request)
    r = http(ctx.sim.base + "/sso", {"SAMLRequest": saml_request})
    assert r.status == 400 and "no SHA-1" in r.text, r.text


def test_attack_replay(ctx):
    _, _, first, _ = login(ctx, ctx.sim, ctx.sp)
    _, _, again, _ = login(ctx, ctx.sim, ctx.sp, attack="replay")
    assert again == first


def test_attack_rsa15_and_loa(ctx):
    _, _, b64, _ = login(ctx, ctx.sim, ctx.sp, attack="rsa15")
    xml = xml_of(b64)
    assert "xmlenc#rsa-1_5" in xml and "rsa-oaep" not in xml
    _, _, b64, _ = login(ctx, ctx.sim, ctx.sp, attack="loa-substantial")
    a = ctx.sp.parse(b64).assertion
    assert (a.authn_statement[0].authn_context.authn_context_class_ref.text
            == "http://eidas.europa.eu/LoA/substantial")


def test_in_response_to_needs_value(ctx):
    reqid, url = ctx.sp.redirect_url(ctx.sim.entity)
    handle = identity_page(http(url + "&attack=in-response-to"))
    r = http(ctx.sim.base + "/sso/respond",
             {"handle": handle, "identity": "erika"})
    assert r.status == 400 and "in_response_to" in r.text, r.text
    # Given with the request itself (query parameter) it is kept.
    reqid, url = ctx.sp.redirect_url(ctx.sim.entity)
    handle = identity_page(http(
        url + "&attack=in-response-to&in_response_to=_other-request"))
    _, b64, _ = post_form(http(ctx.sim.base + "/sso/respond",
                               {"handle": handle, "identity": "erika"}))
    xml = xml_of(b64)
    assert 'InResponseTo="_other-request"' in xml, xml
    assert reqid not in xml


def test_hostile_input(ctx):
    base = ctx.sim.base
    for url in ("/sso", "/sso?SAMLRequest=%%%", "/sso?SAMLRequest=AAAA",
                "/sso?SAMLRequest=" + "A" * 100000,
                "/sso?SAMLRequest=a&SAMLRequest=b"):
        r = http(base + url)
        assert r.status in (400, 414), (url, r.status)
    bomb = base64.b64encode(
        __import__("zlib").compress(b"<a>" + b" " * 50000000)[2:-4])
    r = http(base + "/sso?" + urllib.parse.urlencode(
        {"SAMLRequest": bomb}))
    assert r.status == 400 and "too large" in r.text, (r.status, r.text)
    r = http(base + "/sso/respond", {"handle": "x", "identity": "erika"})
    assert r.status == 400
    assert http(base + "/metadata").status == 200


def main():
    ctx = type("Ctx", (), {})()
    runner = Runner()
    tmp = tempfile.mkdtemp(prefix="eid-sim-", dir=".")
    ctx.tmp = tmp
    sims = []
    try:
        ctx.sp = make_sp(tmp, "eidsp")
        ctx.sp2 = make_sp(tmp, "eidsp2")
        ctx.noenc = make_sp(tmp, "noenc", encryption=False)
        with open(ctx.sp.metadata_path) as f:
            assert 'use="encryption"' in f.read()
        mds = [ctx.sp.metadata_path, ctx.sp2.metadata_path,
               ctx.noenc.metadata_path]
        ctx.sim = Sim(tmp, "sim-attacks", mds, "--allow-attacks",
                      "--value-types", "xs")
        sims.append(ctx.sim)
        ctx.plain_sim = Sim(tmp, "sim-plain", mds)
        sims.append(ctx.plain_sim)
        ctx.sp.trust(ctx.sim.metadata)
        ctx.noenc.trust(ctx.sim.metadata)
        ctx.sp2.trust(ctx.plain_sim.metadata)
        for fn in [test_metadata,
                   test_login_redirect,
                   test_login_post_binding,
                   test_replacement_card,
                   test_unsigned_redirect_refused,
                   test_unsigned_post_refused,
                   test_bad_signatures_refused,
                   test_sha1_post_refused,
                   test_foreign_acs_refused,
                   test_request_id_once,
                   test_no_encryption_key_refused,
                   test_unknown_sp_refused,
                   test_cancel,
                   test_is_passive,
                   test_metadata_url_read_late,
                   test_attacks_disabled_without_flag,
                   test_eidas_value_types,
                   test_lasso_sp,
                   attack_refused("unsigned"),
                   test_attack_unsigned_xml,
                   attack_refused("unsigned-assertion"),
                   attack_refused("other-key"),
                   attack_refused("wrong-audience"),
                   attack_refused("expired"),
                   attack_refused("not-yet-valid"),
                   attack_refused("in-response-to",
                                  in_response_to="_not-our-request"),
                   test_attack_plain,
                   test_attack_two_assertions,
                   test_attack_wrap,
                   test_attack_wrong_recipient_xml,
                   test_attack_replay,
                   test_attack_rsa15_and_loa,
                   test_in_response_to_needs_value,
                   test_hostile_input]:
            runner.run(fn, ctx)
        for sim in sims:
            text = sim.logtext()
            lines = [ln for ln in text.splitlines() if ln.strip()]
            bad = [ln for ln in lines
                   if not ln.startswith("eid_sim TEST TOOL: ")]
            if bad or "PRIVATE KEY" in text or "internal error" in text:
                runner.failed += 1
                print("not ok - log lines of %s: %s" % (sim.state,
                                                        bad[:5]))
    finally:
        for sim in sims:
            if runner.failed:
                print(sim.logtext()[-4000:])
            sim.stop()
    if not runner.failed:
        shutil.rmtree(tmp)
    return runner.finish()


if __name__ == "__main__":
    sys.exit(main())
