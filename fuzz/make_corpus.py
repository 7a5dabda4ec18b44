#!/usr/bin/python3
"""Make the seed corpora of fuzz/corpus/ (docs/fuzzing.md) from the real
tools of the test suite: AuthnRequests by pysaml2 (tests/saml_sso/sp.py)
in the Redirect and POST encodings, SP and IdP metadata from pysaml2 and
tests/saml/data, and eID responses by the eID simulator
(tests/eid_sim/). Hand-made forms and cookie headers are committed as
they are; this script does not touch fuzz/corpus/fuzz_http.

    /usr/bin/python3 fuzz/make_corpus.py  (Debian's: it has pysaml2)

Writes into fuzz/corpus/<target>/ (files named after what they are;
existing files of the same name are replaced, others are kept: the
regression inputs live there too). Needs python3-pysaml2 and xmlsec1.
"""
import argparse
import base64
import os
import shutil
import sys
import tempfile
import urllib.parse

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "saml_sso"))
sys.path.insert(0, os.path.join(TOP, "tests", "eid_sim"))

from saml2.saml import NAMEID_FORMAT_TRANSIENT  # noqa: E402

from sp import SP  # noqa: E402

# What fuzz/fuzz_eid_response.c checks the responses against.
ACS_URL = "https://idp.example.org/eid/acs"
EID_ENTITY = "https://eid.example.org/metadata"
IDP_ENTITY = "https://idp.example.org/saml/metadata"
IDP_SSO = "https://idp.example.org/saml/sso"


def put(target, name, data):
    d = os.path.join(TOP, "fuzz", "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def idp_metadata(cert_path):
    """Metadata of our IdP as pysaml2 needs it to address requests."""
    with open(cert_path) as f:
        pem = f.read()
    cert = "".join(l for l in pem.splitlines() if "CERTIFICATE" not in l)
    return ('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:'
            'metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" '
            'entityID="%s"><md:IDPSSODescriptor WantAuthnRequestsSigned='
            '"true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:'
            '2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo>'
            '<ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate>'
            '</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>'
            '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:'
            'bindings:HTTP-Redirect" Location="%s"/><md:SingleSignOnService'
            ' Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
            'Location="%s"/></md:IDPSSODescriptor></md:EntityDescriptor>'
            % (IDP_ENTITY, cert, IDP_SSO, IDP_SSO))


def sso(tmp):
    signed = SP(tmp, "signed")
    plain = SP(tmp, "plain", authn_requests_signed=False,
               nameid_format=NAMEID_FORMAT_TRANSIENT)
    meta = idp_metadata(signed.cert)
    for sp in (signed, plain):
        sp.trust(meta)
        _, url = sp.redirect_url(IDP_ENTITY)
        put("fuzz_sso_redirect", "pysaml2_%s" % sp.name,
            urllib.parse.urlsplit(url).query)
        _, url = sp.redirect_url(IDP_ENTITY, relay_state="",
                                 force_authn="true")
        put("fuzz_sso_redirect", "pysaml2_%s_force" % sp.name,
            urllib.parse.urlsplit(url).query)
        _, b64 = sp.post_request(IDP_ENTITY)
        put("fuzz_sso_post", "pysaml2_%s.xml" % sp.name,
            base64.b64decode(b64))
        put("fuzz_sp_metadata", "pysaml2_sp_%s.xml" % sp.name,
            open(sp.metadata()).read())
    put("fuzz_sp_metadata", "idp_metadata.xml", meta)
    shutil.copy(os.path.join(TOP, "tests", "saml", "data", "mellon_sp.xml"),
                os.path.join(TOP, "fuzz", "corpus", "fuzz_sp_metadata",
                             "mellon_sp.xml"))
    return signed


def eid(tmp, sp):
    from eid_sim import Simulator

    args = argparse.Namespace(
        state=os.path.join(tmp, "sim"), sp_metadata=[sp.metadata()],
        identities=os.path.join(TOP, "tests", "eid_sim", "identities.json"),
        allow_attacks=True, base_url=None, entity_id=EID_ENTITY,
        data_enc="aes256-gcm", value_types="eidas")
    sim = Simulator(args)
    sim.setup("https://eid.example.org")
    put("fuzz_sp_metadata", "eid_sim_idp.xml", sim.metadata_xml)
    with open(sp.cert) as f:
        enc = "".join(l for l in f.read().splitlines()
                      if "CERTIFICATE" not in l)
    p = {"acs": ACS_URL, "sp": sp.entity_id, "request_id": "_req1",
         "enc_cert": enc, "extra": {}}
    ident = sim.identities[0]
    for attack in ("", "plain", "unsigned", "unsigned-assertion", "wrap",
                   "two-assertions", "rsa15"):
        xml = sim.success_response(p, ident, attack, {})
        put("fuzz_eid_response", "sim_%s.xml" % (attack or "ok"), xml)
    put("fuzz_eid_response", "sim_cancel.xml",
        base64.b64decode(sim.error_response(p)))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        sp = sso(tmp)
        eid(tmp, sp)


if __name__ == "__main__":
    main()
