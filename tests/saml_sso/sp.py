"""A real SAML service provider for the tests: pysaml2 (Debian's
python3-pysaml2) with keys made by openssl, its metadata exported for
`idpctl sp add`, and the IdP's metadata taken from idpd's /saml/metadata.
"""
import base64
import os
import re
import subprocess
import zlib

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_PERSISTENT


class SP:
    """One pysaml2 SP: entity ID http://127.0.0.1:1/<name>/ and an ACS that
    nobody listens on: the tests carry the form over themselves."""

    def __init__(self, workdir, name, want_assertions_signed=True,
                 want_response_signed=False, authn_requests_signed=True,
                 nameid_format=NAMEID_FORMAT_PERSISTENT, acs=None,
                 allow_unsolicited=False):
        self.name = name
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.key = os.path.join(self.dir, "sp.key")
        self.cert = os.path.join(self.dir, "sp.crt")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                        "-nodes", "-keyout", self.key, "-out", self.cert,
                        "-days", "30", "-subj", "/CN=%s" % name],
                       check=True, capture_output=True)
        self.entity_id = "http://127.0.0.1:1/%s/" % name
        self.acs = acs or "http://127.0.0.1:1/%s/acs" % name
        self.conf = {
            "entityid": self.entity_id,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "key_file": self.key,
            "cert_file": self.cert,
            "service": {"sp": {
                "endpoints": {"assertion_consumer_service": [
                    (self.acs, BINDING_HTTP_POST)]},
                "want_assertions_signed": want_assertions_signed,
                "want_response_signed": want_response_signed,
                "authn_requests_signed": authn_requests_signed,
                "allow_unsolicited": allow_unsolicited,
                "name_id_format": nameid_format,
                "name_id_format_allow_create": True,
            }},
            "allow_unknown_attributes": True,
            "accepted_time_diff": 60,
        }
        self.client = None

    def metadata(self):
        """Our metadata as XML text, for idpctl sp add."""
        conf = SPConfig().load(dict(self.conf))
        ed = entity_descriptor(conf)
        path = os.path.join(self.dir, "metadata.xml")
        with open(path, "w") as f:
            f.write(str(ed))
        return path

    def trust(self, idp_metadata_xml):
        """Use @idp_metadata_xml (from /saml/metadata) as the IdP."""
        path = os.path.join(self.dir, "idp.xml")
        with open(path, "w") as f:
            f.write(idp_metadata_xml)
        conf = dict(self.conf)
        conf["metadata"] = {"local": [path]}
        self.client = Saml2Client(config=SPConfig().load(conf))
        self.outstanding = {}

    def redirect_url(self, idp_entity, relay_state="rs-1", **kw):
        """A fresh AuthnRequest by the Redirect binding: (request id, URL)."""
        reqid, info = self.client.prepare_for_authenticate(
            entityid=idp_entity, relay_state=relay_state,
            binding=BINDING_HTTP_REDIRECT,
            sigalg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            **kw)
        self.outstanding[reqid] = "/"
        url = dict(info["headers"])["Location"]
        return reqid, url

    def post_request(self, idp_entity, relay_state="rs-1", **kw):
        """A fresh AuthnRequest by the POST binding: (id, SAMLRequest)."""
        reqid, info = self.client.prepare_for_authenticate(
            entityid=idp_entity, relay_state=relay_state,
            binding=BINDING_HTTP_POST, **kw)
        self.outstanding[reqid] = "/"
        m = re.search(r'name="SAMLRequest" value="([^"]+)"', info["data"])
        return reqid, m.group(1)

    def parse(self, saml_response):
        """pysaml2's own verdict on a response (raises when it refuses)."""
        return self.client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding=self.outstanding)


def deflate_b64(xml):
    """The Redirect binding's encoding: raw deflate, then base64."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = c.compress(xml.encode() if isinstance(xml, str) else xml)
    data += c.flush()
    return base64.b64encode(data).decode()


# --- single logout (tests/saml_slo) ---------------------------------------
# Added for the SLO tests; nothing above depends on it.

SIG_RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"


class SloSP(SP):
    """An SP whose metadata lists SingleLogoutService endpoints (the
    bindings in @slo_bindings, at http://127.0.0.1:1/<name>/slo), able to
    send, answer and check single logout messages with pysaml2."""

    def __init__(self, workdir, name, slo_bindings=(BINDING_HTTP_REDIRECT,
                                                     BINDING_HTTP_POST),
                 **kw):
        super().__init__(workdir, name, **kw)
        self.slo = "http://127.0.0.1:1/%s/slo" % name
        self.conf["service"]["sp"]["endpoints"]["single_logout_service"] = \
            [(self.slo, b) for b in slo_bindings]

    def idp_cert(self):
        """The IdP's signing certificate (base64 DER) from its metadata."""
        with open(os.path.join(self.dir, "idp.xml")) as f:
            m = re.search(r"<ds:X509Certificate>([^<]+)<", f.read())
        return m.group(1).strip()

    def logout_request(self, idp_slo, name_id, session_index, binding,
                       relay_state="slo-rs", sigalg=SIG_RSA_SHA256):
        """A signed LogoutRequest: (id, URL) for Redirect, (id, SAMLRequest)
        for POST."""
        sign_post = binding == BINDING_HTTP_POST
        reqid, req = self.client.create_logout_request(
            idp_slo, None, name_id=name_id,
            session_indexes=[session_index], sign=sign_post,
            sign_alg=sigalg if sign_post else None,
            digest_alg="http://www.w3.org/2001/04/xmlenc#sha256"
            if sign_post else None)
        info = self.client.apply_binding(binding, str(req), idp_slo,
                                         relay_state, sigalg=sigalg)
        if binding == BINDING_HTTP_REDIRECT:
            return reqid, dict(info["headers"])["Location"]
        m = re.search(r'name="SAMLRequest" value="([^"]+)"', info["data"])
        return reqid, m.group(1)

    def verify_redirect(self, url):
        """The query of a Redirect-binding URL from the IdP, its signature
        checked against the IdP's metadata certificate; the parameters."""
        from urllib.parse import parse_qs, urlsplit
        from saml2.sigver import verify_redirect_signature
        q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert verify_redirect_signature(q, self.client.sec.sec_backend,
                                         cert=self.idp_cert()), url
        return q

    def answer_logout(self, saml_request, binding, idp_slo, relay_state,
                      success=True):
        """pysaml2 reads our LogoutRequest and answers it with a signed
        LogoutResponse by the Redirect binding: (request, URL)."""
        from saml2.samlp import STATUS_SUCCESS, STATUS_RESPONDER
        from saml2.s_utils import success_status_factory, \
            status_message_factory
        req = self.client.parse_logout_request(saml_request, binding)
        status = success_status_factory() if success else \
            status_message_factory("no", STATUS_RESPONDER)
        resp = self.client.create_logout_response(
            req.message, [BINDING_HTTP_REDIRECT], status=status, sign=False)
        info = self.client.apply_binding(
            BINDING_HTTP_REDIRECT, str(resp), idp_slo, relay_state,
            response=True, sigalg=SIG_RSA_SHA256)
        del STATUS_SUCCESS
        return req, dict(info["headers"])["Location"]

    def check_logout_response(self, saml_response, binding):
        """pysaml2's reading of our LogoutResponse (signature by the IdP
        checked for POST; Redirect: verify_redirect first)."""
        return self.client.parse_logout_request_response(saml_response,
                                                         binding)
