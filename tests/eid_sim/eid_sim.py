#!/usr/bin/python3
"""eid_sim: a SIMULATED eID service (BSI TR-03130 style) -- TEST TOOL ONLY.

It stands in for the eID server that reads the German identity card (nPA)
and answers idpd over SAML 2.0, so that tests and the local demo can link
and log in "with the eID" without a card.  It is never installed, never
built into idpd and must never be trusted by a production idpd: anyone who
can reach it can be anybody listed in identities.json.  Its page header, the
OrganizationName in its metadata and every log line say TEST TOOL.

This file holds the options, the HTTP server and the pages;
sim_request.py checks the AuthnRequest, sim_response.py makes the answers,
sim_common.py holds the constants; docs/eid-simulator.md is the guide.

Usage (Debian's interpreter: python3-pysaml2 and xmlsec1):

    /usr/bin/python3 tests/eid_sim/eid_sim.py --port 8443 --state DIR \\
        --sp-metadata http://127.0.0.1:8080/eid/metadata \\
        [--sp-metadata FILE ...] [--identities FILE] [--allow-attacks]

--port 0 picks a free port.  When listening it prints one line
"READY <base url>" on standard output; everything else goes to standard
error.  The state folder keeps the signing key pair (RSA-3072, made at the
first start: signing.key/signing.crt) and a second, untrusted key pair for
the "other-key" attack (attacker.key/attacker.crt), plus the copies of the
SP metadata.  An SP metadata URL is fetched again when its copy is older
than 30 seconds (so the simulator may start before idpd); a file is read
again when it changed.

Endpoints
  GET  /metadata       IdP metadata: SSO for HTTP-Redirect and HTTP-POST,
                       WantAuthnRequestsSigned="true", signing certificate.
  GET  /sso, POST /sso the AuthnRequest.  It must come from an SP in the
                       SP metadata and be signed (Redirect: query signature
                       over the raw query string, RSA-SHA256/384/512; POST:
                       enveloped XML signature), else a 400 page says why.
                       The ACS is taken from the SP metadata: a request
                       naming an ACS URL that is not there is refused.  The
                       SP metadata must carry an encryption key (a
                       KeyDescriptor with use="encryption" or without use):
                       the simulator never answers in clear.  Answers the
                       "Test identity" page: one button per identity and a
                       cancel button.
  POST /sso/respond    the choice.  Issues a Response (signed) with one
                       signed assertion encrypted to the SP's encryption
                       certificate (RSA-OAEP-MGF1P key transport, AES-256-GCM
                       data by default), InResponseTo = the request ID,
                       Destination = Recipient = the ACS from metadata,
                       Audience = SP entity ID, NotOnOrAfter 5 minutes,
                       transient NameID, AuthnContextClassRef
                       http://eidas.europa.eu/LoA/high and the attributes
                       below, as an HTTP-POST form with a button (auto-
                       submitted by /static/autosubmit.js where JavaScript
                       runs).  "cancel" answers the status
                       Responder / AuthnFailed instead.  A request with
                       IsPassive="true" is answered at once with
                       Responder / NoPassive (a card cannot be read
                       passively).
  GET  /static/autosubmit.js

Attributes (NameFormat urn:oasis:names:tc:SAML:2.0:attrname-format:uri)
  http://eidas.europa.eu/attributes/naturalperson/PersonIdentifier
      the card's service-specific pseudonym (restricted identification),
      base64 of 32 bytes, from identities.json
  .../CurrentFamilyName, .../CurrentGivenName
  .../DateOfBirth          YYYY-MM-DD
  .../PlaceOfBirth
  .../CurrentAddress       eIDAS: base64 of the UTF-8 address parts
      <eidas:LocatorDesignator>, <eidas:Thoroughfare>, <eidas:PostName>,
      <eidas:PostCode>, <eidas:AdminunitFirstline>; left out when the card
      holds no address
  http://bsi.bund.de/eID/DocumentType  ID (Personalausweis), AR
      (elektronischer Aufenthaltstitel), UB (eID-Karte fuer Unionsbuerger)
Values carry the eIDAS xsi:types (eidas-natural:PersonIdentifierType, ...)
by default; --value-types xs sends xs:string instead (pysaml2 as an SP only
understands the latter).

Attack modes (TEST HOOKS).  Only with --allow-attacks; without it any
"attack" parameter is refused with 400.  Select one per request by the
query parameter attack=MODE on GET /sso, a form field attack on POST /sso,
or a form field attack on POST /sso/respond (which wins).  Everything not
named stays as in a correct response.
  unsigned            neither the Response nor the assertion is signed.
  unsigned-assertion  the Response is signed, the assertion is not.
  other-key           both signatures made with attacker.key (its own
                      certificate in KeyInfo), a key the SP does not trust.
  wrap                signature wrapping: the Response is not signed and
                      carries first an UNSIGNED assertion with the SAME ID
                      as the genuine one, for the identity named by the
                      form field wrap_identity (default: the second
                      identity of the file), then the genuine signed
                      assertion; both encrypted to the SP.
  plain               the signed assertion is sent NOT encrypted.
  two-assertions      two signed, encrypted assertions (distinct IDs, the
                      chosen identity both times) in a signed Response.
  wrong-audience      Audience is urn:eid-sim:test-tool:other-sp.
  wrong-recipient     Destination and Recipient are
                      https://other-sp.invalid/eid/acs (the form still posts
                      to the ACS from metadata).
  expired             NotOnOrAfter (Conditions and SubjectConfirmationData)
                      5 minutes in the past (beyond any clock skew);
                      IssueInstant, AuthnInstant and NotBefore 10 minutes
                      in the past: a response held back past its 5 minutes.
  not-yet-valid       everything issued 10 minutes in the future: NotBefore
                      and IssueInstant now+10 min, NotOnOrAfter now+15 min.
  in-response-to      InResponseTo (Response and SubjectConfirmationData)
                      is the form field / query parameter in_response_to
                      given by the caller (required in this mode).
  replay              re-sends the exact bytes of the last SAMLResponse
                      this simulator issued to that SP (any mode but replay);
                      only the RelayState is the current request's.
  rsa15               key transport RSA PKCS#1 v1.5 instead of RSA-OAEP.
  loa-substantial     AuthnContextClassRef
                      http://eidas.europa.eu/LoA/substantial.
"""


import argparse
import html
import http.server
import json
import logging
import os
import sys
import threading
import urllib.parse

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_TRANSIENT
from saml2.server import Server

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sim_common import (DATA_ENC, MAX_BODY, MAX_FIELDS,  # noqa: E402
                        MAX_QUERY, OneLine, RSA_SHA256, Refused,
                        ST_NO_PASSIVE, log)
from sim_request import RequestIntake, SPMetadata  # noqa: E402
from sim_response import (ResponseMaker, cert_b64,  # noqa: E402
                          ensure_keypair, load_identities)


class Simulator(RequestIntake, ResponseMaker):
    """The state of one simulator: keys, identities, open requests, the
    last response per SP (for replay), the SP metadata."""

    def __init__(self, args):
        self.args = args
        os.makedirs(args.state, mode=0o700, exist_ok=True)
        self.key, self.crt = ensure_keypair(args.state, "signing",
            "eID simulator TEST TOOL signing")
        self.other_key, self.other_crt = ensure_keypair(args.state,
            "attacker", "eID simulator TEST TOOL attacker (untrusted)")
        self.cert = cert_b64(self.crt)
        self.other_cert = cert_b64(self.other_crt)
        self.identities = load_identities(args.identities)
        self.by_id = {i["id"]: i for i in self.identities}
        self.pending = {}
        self.seen_requests = {}
        self.last_response = {}
        self.state_lock = threading.Lock()
        self.data_enc = DATA_ENC[args.data_enc]

    def setup(self, base):
        self.base = base
        self.entity_id = self.args.entity_id or base + "/metadata"
        sso = base + "/sso"
        conf = {
            "entityid": self.entity_id,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "key_file": self.key,
            "cert_file": self.crt,
            "service": {"idp": {
                "endpoints": {"single_sign_on_service": [
                    [sso, BINDING_HTTP_REDIRECT],
                    [sso, BINDING_HTTP_POST]]},
                "want_authn_requests_signed": True,
                "name_id_format": [NAMEID_FORMAT_TRANSIENT],
            }},
            "organization": {
                "name": [["TEST TOOL eID-Simulator - nicht für den "
                    "Produktivbetrieb", "de"],
                    ["TEST TOOL eID simulator - not for production",
                    "en"]],
                "display_name": [["TEST TOOL eID simulator", "en"]],
                "url": [[base + "/", "en"]],
            },
            "accepted_time_diff": 60,
            "signing_algorithm": RSA_SHA256,
            "digest_algorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
        }
        own = IdPConfig().load(json.loads(json.dumps(conf)))
        ed = entity_descriptor(own)
        # pysaml2 would advertise every algorithm xmlsec1 knows (MD5,
        # SHA-1, ...): we sign with RSA-SHA256 only.
        ed.extensions = None
        self.metadata_xml = str(ed)
        # The key/cert run xmlsec1 for us before any SP metadata exists.
        self.crypto = Server(config=own)
        self.sp = SPMetadata(self.args.sp_metadata, self.args.state, conf)
        self.sp.refresh()


# ---------------------------------------------------------------- HTML

E = html.escape

PAGE_HEAD = """<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s - eID-Simulator (TESTWERKZEUG / TEST TOOL)</title></head>
<body>
<header><p><strong>TESTWERKZEUG / TEST TOOL:</strong> simulierter
eID-Dienst, kein echter Ausweis, nicht für den Produktivbetrieb. /
Simulated eID service, no real identity card, not for production.</p>
</header>
<main>
"""
PAGE_TAIL = "</main></body></html>\n"


def page(title, body):
    return (PAGE_HEAD % E(title)) + body + PAGE_TAIL


def identity_page(sim, handle, pending):
    rows = []
    for ident in sim.identities:
        rows.append('<li><button type="submit" name="identity" value="%s">'
            '%s / %s</button><br>PersonIdentifier: <code>%s</code>, '
            'DocumentType: %s</li>' % (E(ident["id"]), E(ident["label_de"]),
            E(ident["label_en"]), E(ident["pseudonym"]),
            E(ident["document_type"])))
    attack = ""
    if pending["attack"]:
        attack = ('<input type="hidden" name="attack" value="%s">'
            '<p>Angriffsmodus / attack mode: <code>%s</code></p>' %
            (E(pending["attack"]), E(pending["attack"])))
    body = ("<h1>Testidentität / Test identity</h1>\n"
        "<p>Anfrage von / Request from: <code>%s</code></p>\n"
        '<form method="post" action="/sso/respond">\n'
        '<input type="hidden" name="handle" value="%s">%s\n'
        "<p>Mit welcher Identität soll sich der Ausweis melden? / "
        "Which identity shall the card present?</p>\n<ul>\n%s\n</ul>\n"
        '<p><button type="submit" name="cancel" value="1">Abbrechen / '
        "Cancel</button></p>\n</form>\n" % (E(pending["sp"]), E(handle),
        attack, "\n".join(rows)))
    return page("Testidentität / Test identity", body)


def post_page(acs, b64, relay):
    relay_field = ""
    if relay:
        relay_field = ('<input type="hidden" name="RelayState" value="%s">'
            % E(relay))
    body = ("<h1>Weiterleitung / Redirect</h1>\n"
        '<form method="post" action="%s">\n'
        '<input type="hidden" name="SAMLResponse" value="%s">\n%s\n'
        '<button type="submit">Weiter zum Dienst / Continue</button>\n'
        "</form>\n"
        '<script src="/static/autosubmit.js"></script>\n' %
        (E(acs), E(b64), relay_field))
    return page("Weiterleitung / Redirect", body)


AUTOSUBMIT_JS = "document.forms[0].submit();\n"


# ---------------------------------------------------------------- HTTP

def parse_fields(text):
    """Form or query fields; a field twice or too many fields is refused."""
    try:
        pairs = urllib.parse.parse_qsl(text, keep_blank_values=True,
            strict_parsing=False, max_num_fields=MAX_FIELDS,
            encoding="utf-8", errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise Refused("malformed or too many parameters",
            "fehlerhafte oder zu viele Parameter")
    out = {}
    for k, v in pairs:
        if k in out:
            raise Refused("parameter %s twice" % k[:40],
                "Parameter %s doppelt" % k[:40])
        out[k] = v
    return out


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "eid_sim-TEST-TOOL"
    sys_version = ""
    timeout = 15
    sim = None

    def log_message(self, fmt, *args):
        log("http", client=self.client_address[0],
            request=self.requestline[:120], status=str(args[1])
            if len(args) > 1 else "")

    def reply(self, status, body, ctype="text/html; charset=utf-8"):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", "default-src 'none'; "
            "script-src 'self'; frame-ancestors 'none'")
        self.send_header("X-Test-Tool", "eid_sim")
        self.end_headers()
        self.wfile.write(data)

    def refuse(self, e):
        log("refused", status=e.status, reason=e.en)
        self.reply(e.status, page("Fehler / Error",
            "<h1>Anfrage abgelehnt / Request refused</h1>\n"
            "<p lang=\"de\">%s</p>\n<p lang=\"en\">%s</p>\n" %
            (E(e.de), E(e.en))))

    def sso(self, binding, params, raw_query):
        handle, p = self.sim.receive(binding, params, raw_query)
        if handle is None:
            b64 = self.sim.error_response(p, ST_NO_PASSIVE,
                "IsPassive: an eID card cannot be read passively "
                "(eID simulator, TEST TOOL)")
            self.reply(200, post_page(p["acs"], b64, p["relay_state"]))
        else:
            self.reply(200, identity_page(self.sim, handle, p))

    def split(self):
        path, _, query = self.path.partition("?")
        if len(query) > MAX_QUERY:
            raise Refused("query too long", "Query zu lang", 414)
        return path, query

    def do_GET(self):
        try:
            path, query = self.split()
            if path == "/metadata":
                self.reply(200, self.sim.metadata_xml,
                    "application/samlmetadata+xml")
            elif path == "/static/autosubmit.js":
                self.reply(200, AUTOSUBMIT_JS,
                    "text/javascript; charset=utf-8")
            elif path == "/sso":
                params = parse_fields(query)
                self.sso(BINDING_HTTP_REDIRECT, params, query)
            elif path == "/":
                self.reply(200, page("eID-Simulator", "<h1>eID-Simulator "
                    "(TESTWERKZEUG / TEST TOOL)</h1>\n<p><a href=\""
                    "/metadata\">/metadata</a></p>\n"))
            else:
                self.reply(404, page("404", "<h1>404</h1>"))
        except Refused as e:
            self.refuse(e)
        except Exception as e:
            log("internal error", error="%s: %s" % (type(e).__name__, e))
            self.reply(500, page("500", "<h1>500</h1>"))

    def do_POST(self):
        try:
            path, query = self.split()
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                raise Refused("Content-Length required",
                    "Content-Length fehlt", 411)
            if length < 0 or length > MAX_BODY:
                raise Refused("body too large", "Inhalt zu groß", 413)
            ctype = self.headers.get("Content-Type", "").split(";")[0]
            if ctype.strip().lower() != \
                    "application/x-www-form-urlencoded":
                raise Refused("form data expected",
                    "Formulardaten erwartet", 415)
            body = self.rfile.read(length)
            try:
                text = body.decode("ascii")
            except UnicodeDecodeError:
                raise Refused("form data not URL-encoded",
                    "Formulardaten nicht URL-kodiert")
            params = parse_fields(text)
            if path == "/sso":
                self.sso(BINDING_HTTP_POST, params, "")
            elif path == "/sso/respond":
                p, b64 = self.sim.respond(params)
                self.reply(200, post_page(p["acs"], b64,
                    p["relay_state"]))
            else:
                self.reply(404, page("404", "<h1>404</h1>"))
        except Refused as e:
            self.refuse(e)
        except Exception as e:
            log("internal error", error="%s: %s" % (type(e).__name__, e))
            self.reply(500, page("500", "<h1>500</h1>"))


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Simulated eID service "
        "(SAML IdP) -- TEST TOOL, never for production")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--state", required=True,
        help="folder for keys and metadata copies")
    ap.add_argument("--sp-metadata", action="append", required=True,
        help="SP metadata file or URL (repeatable)")
    ap.add_argument("--identities",
        default=os.path.join(here, "identities.json"))
    ap.add_argument("--allow-attacks", action="store_true",
        help="enable the attack modes (tests only)")
    ap.add_argument("--base-url", help="default http://127.0.0.1:PORT")
    ap.add_argument("--entity-id", help="default <base-url>/metadata")
    ap.add_argument("--data-enc", choices=sorted(DATA_ENC),
        default="aes256-gcm")
    ap.add_argument("--value-types", choices=("eidas", "xs"),
        default="eidas")
    args = ap.parse_args(argv)
    root = logging.getLogger()
    root.handlers[:] = [OneLine()]
    root.setLevel(logging.WARNING)
    sim = Simulator(args)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", args.port),
        Handler)
    httpd.daemon_threads = True
    port = httpd.server_address[1]
    base = (args.base_url or "http://127.0.0.1:%d" % port).rstrip("/")
    sim.setup(base)
    Handler.sim = sim
    log("listening (simulated eID service, NOT for production)",
        base=base, entity_id=sim.entity_id,
        attacks="enabled" if args.allow_attacks else "disabled")
    sys.stdout.write("READY %s\n" % base)
    sys.stdout.flush()
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
