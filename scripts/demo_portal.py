#!/usr/bin/python3
"""Demo portal: a small SAML service provider built with pysaml2 (Debian
python3-pysaml2) that signs citizens in through servicekonto and shows what
it received: the NameID, the attributes, the level of assurance; logout
is SAML single logout (servicekonto ends the session there and at every
other portal, and can log the citizen out of this portal too).

For the local default run (make run) and for trying the flow in a browser;
not part of the IdP and not for production.

usage: demo_portal.py --idp-metadata URL --state DIR [--port 8081]
It writes DIR/demo-sp.{key,crt} (made with openssl on first start) and
DIR/demo-sp-metadata.xml, which `idpctl sp add --metadata` imports.
"""
import argparse
import html
import http.cookies
import os
import secrets
import subprocess
import sys
import urllib.parse
import urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_PERSISTENT
from saml2.sigver import verify_redirect_signature

SESSIONS = {}  # cookie value -> identity (in memory; a demo)
OUTSTANDING = {}  # AuthnRequest ID -> where to go after login
OUTSTANDING_LOGOUT = set()  # IDs of our LogoutRequests
SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"


def sp_config(base, state, idp_metadata_file):
    return {
        "entityid": base + "/metadata",
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "key_file": os.path.join(state, "demo-sp.key"),
        "cert_file": os.path.join(state, "demo-sp.crt"),
        "encryption_keypairs": [{
            "key_file": os.path.join(state, "demo-sp.key"),
            "cert_file": os.path.join(state, "demo-sp.crt"),
        }],
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "name": "Demo-Portal",
                "endpoints": {
                    "assertion_consumer_service": [
                        (base + "/acs", BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (base + "/slo", BINDING_HTTP_REDIRECT)],
                },
                "want_response_signed": False,
                "want_assertions_signed": True,
                "authn_requests_signed": True,
                "allow_unsolicited": False,
                "name_id_format": NAMEID_FORMAT_PERSISTENT,
            },
        },
        "metadata": {"local": [idp_metadata_file]},
    }


def ensure_keys(state):
    key = os.path.join(state, "demo-sp.key")
    if not os.path.exists(key):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:3072",
                        "-nodes", "-days", "825", "-subj", "/CN=demo-portal",
                        "-keyout", key, "-out",
                        os.path.join(state, "demo-sp.crt")],
                       check=True, capture_output=True)
        os.chmod(key, 0o600)


def page(title, body):
    return ("<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'>"
            "<title>%s</title></head><body style='font-family:sans-serif;"
            "max-width:40em;margin:2em auto'><h1>%s</h1>%s</body></html>"
            % (html.escape(title), html.escape(title), body)).encode()


class Portal:
    def __init__(self, client):
        self.client = client
        self.idp = next(iter(client.metadata.identity_providers()))
        self.idp_slo = client.metadata.single_logout_service(
            self.idp, BINDING_HTTP_REDIRECT, "idpsso")[0]["location"]
        # Every signing certificate of its metadata (two in a rollover).
        self.idp_certs = client.metadata.certs(self.idp, "idpsso", "signing")

    def redirect(self, start, location, cookie=None):
        headers = [("Location", location)]
        if cookie is not None:
            headers.append(("Set-Cookie", cookie))
        start("303 See Other", headers)
        return [b""]

    def signed_query(self, env):
        """The query of a Redirect-binding message from the IdP, its
        signature checked against the IdP's metadata certificate."""
        q = {k: v[0] for k, v in urllib.parse.parse_qs(
            env.get("QUERY_STRING", "")).items()}
        if not any(verify_redirect_signature(q, self.client.sec.sec_backend,
                                             cert=c) for c in self.idp_certs):
            raise ValueError("bad or missing signature")
        return q

    def logout(self, sid, start):
        """Portal-initiated single logout: our session ends here at once,
        then a signed LogoutRequest goes to servicekonto, which ends the
        citizen's session there and at the other portals."""
        who = SESSIONS.pop(sid, None)
        gone = "demo=; Path=/; Max-Age=0"
        if who is None:
            return self.redirect(start, "/", gone)
        reqid, req = self.client.create_logout_request(
            self.idp_slo, self.idp, name_id=who["name_id_obj"],
            session_indexes=[who["session_index"]], sign=False)
        OUTSTANDING_LOGOUT.add(reqid)
        info = self.client.apply_binding(BINDING_HTTP_REDIRECT, str(req),
                                         self.idp_slo, "/", sigalg=SHA256)
        return self.redirect(start, dict(info["headers"])["Location"], gone)

    def slo(self, env, start):
        q = self.signed_query(env)
        if "SAMLResponse" in q:
            # The answer to our LogoutRequest.
            resp = self.client.parse_logout_request_response(
                q["SAMLResponse"], BINDING_HTTP_REDIRECT)
            if resp.in_response_to not in OUTSTANDING_LOGOUT:
                raise ValueError("a LogoutResponse we did not ask for")
            OUTSTANDING_LOGOUT.discard(resp.in_response_to)
            start("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [page("Abgemeldet", "<p>Sie sind abgemeldet, hier und "
                         "beim Servicekonto (Status: %s).</p>"
                         "<p><a href='/'>Zur Startseite</a></p>"
                         % html.escape(resp.response.status.status_code.value
                                       .rsplit(":", 1)[-1]))]
        # servicekonto logs the citizen out (logout there or at another
        # portal): end every session of that NameID and SessionIndex.
        req = self.client.parse_logout_request(q["SAMLRequest"],
                                               BINDING_HTTP_REDIRECT)
        msg = req.message
        for k, v in list(SESSIONS.items()):
            if (v["name_id"] == msg.name_id.text and
                    v["session_index"] in [i.text for i in
                                           msg.session_index]):
                del SESSIONS[k]
        resp = self.client.create_logout_response(
            msg, [BINDING_HTTP_REDIRECT], sign=False)
        info = self.client.apply_binding(
            BINDING_HTTP_REDIRECT, str(resp), self.idp_slo,
            q.get("RelayState"), response=True, sigalg=SHA256)
        return self.redirect(start, dict(info["headers"])["Location"])

    def __call__(self, env, start):
        path = env.get("PATH_INFO", "/")
        cookie = http.cookies.SimpleCookie(env.get("HTTP_COOKIE", ""))
        sid = cookie["demo"].value if "demo" in cookie else None
        if path == "/metadata":
            start("200 OK", [("Content-Type", "application/samlmetadata+xml")])
            return [str(entity_descriptor(self.client.config)).encode()]
        if path == "/login":
            # RSA-SHA256: servicekonto refuses SHA-1 signatures.
            reqid, info = self.client.prepare_for_authenticate(
                relay_state="/", binding=BINDING_HTTP_REDIRECT,
                sigalg=SHA256)
            OUTSTANDING[reqid] = "/"
            start("303 See Other", info["headers"])
            return [b""]
        if path == "/acs" and env["REQUEST_METHOD"] == "POST":
            size = min(int(env.get("CONTENT_LENGTH") or 0), 1 << 20)
            form = urllib.parse.parse_qs(env["wsgi.input"].read(size).decode())
            try:
                resp = self.client.parse_authn_request_response(
                    form["SAMLResponse"][0], BINDING_HTTP_POST,
                    outstanding=OUTSTANDING)
            except Exception as e:  # show why, it is a demo
                start("400 Bad Request", [("Content-Type", "text/html")])
                return [page("Anmeldung abgelehnt", "<p>%s</p>"
                             % html.escape(repr(e)))]
            sid = secrets.token_urlsafe(32)
            SESSIONS[sid] = {
                "name_id": str(resp.name_id.text),
                "name_id_obj": resp.name_id,
                "format": str(resp.name_id.format),
                "session_index": resp.assertion.authn_statement[0]
                .session_index,
                "attributes": resp.get_identity(),
                # (AuthnContextClassRef, authorities, instant) per statement
                "authn": ["%s (%s)" % (a[0], a[2]) for a in resp.authn_info()],
            }
            return self.redirect(
                start, "/", "demo=%s; Path=/; HttpOnly; SameSite=Lax" % sid)
        if path == "/logout":
            return self.logout(sid, start)
        if path == "/slo":
            try:
                return self.slo(env, start)
            except Exception as e:  # show why, it is a demo
                start("400 Bad Request", [("Content-Type", "text/html")])
                return [page("Abmeldung abgelehnt", "<p>%s</p>"
                             % html.escape(repr(e)))]
        start("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        who = SESSIONS.get(sid)
        if who is None:
            return [page("Demo-Portal",
                         "<p>Ein Beispielportal einer Verwaltung.</p>"
                         "<p><a href='/login'>Mit dem Servicekonto "
                         "anmelden</a></p>")]
        rows = "".join("<tr><th>%s</th><td>%s</td></tr>"
                       % (html.escape(k), html.escape(", ".join(v)))
                       for k, v in sorted(who["attributes"].items()))
        return [page("Angemeldet", (
            "<p>NameID (%s):<br><code>%s</code></p>"
            "<p>Authentisierung: %s</p><table>%s</table>"
            "<p><a href='/logout'>Abmelden (hier und beim Servicekonto)"
            "</a></p>")
            % (html.escape(who["format"]), html.escape(who["name_id"]),
               html.escape("; ".join(who["authn"])), rows))]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idp-metadata", required=True)
    ap.add_argument("--state", required=True)
    ap.add_argument("--port", type=int, default=8081)
    ap.add_argument("--write-metadata-only", action="store_true")
    a = ap.parse_args()
    base = "http://127.0.0.1:%d" % a.port
    os.makedirs(a.state, exist_ok=True)
    ensure_keys(a.state)
    idp_md = os.path.join(a.state, "idp-metadata.xml")
    with urllib.request.urlopen(a.idp_metadata, timeout=10) as r, \
            open(idp_md, "wb") as f:
        f.write(r.read())
    conf = SPConfig()
    conf.load(sp_config(base, a.state, idp_md))
    md = os.path.join(a.state, "demo-sp-metadata.xml")
    with open(md, "w") as f:
        f.write(str(entity_descriptor(conf)))
    if a.write_metadata_only:
        print(md)
        return 0
    server = make_server("127.0.0.1", a.port, Portal(Saml2Client(conf)),
                         handler_class=QuietHandler)
    print("demo portal on %s" % base, file=sys.stderr)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
