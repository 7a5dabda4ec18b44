#!/usr/bin/python3
"""Generate SP metadata with pysaml2 (Debian's python3-pysaml2), the way a
real pysaml2 service provider publishes it, for tests/saml.

Usage: gen_sp_metadata.py OUTDIR

Writes into OUTDIR, each with a fresh self-signed certificate from
`openssl req`:
  sp.xml          https://pysaml2.example.org/sp: signing and encryption
                  keys, HTTP-POST ACS, HTTP-Redirect SLO, signed requests
  sp_v2.xml       the same entity with a second ACS and another key
  sp_valid.xml    the same entity with validUntil one week ahead
  sp_signonly.xml https://signonly.example.org/sp: a signing key only
  sp_local.xml    http://127.0.0.1/local-sp: ACS on loopback over http
  entities.xml    sp.xml wrapped in an EntitiesDescriptor
  rsa1024.b64     base64 DER of a certificate with a 1024-bit RSA key
"""
import base64
import os
import subprocess
import sys

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import Config
from saml2.metadata import (entities_descriptor, entity_descriptor,
                            metadata_tostring_fix)
from saml2.validate import valid_instance

NSPAIR = {"xs": "http://www.w3.org/2001/XMLSchema"}


def keypair(outdir, name, bits=2048):
    key = os.path.join(outdir, name + ".key")
    crt = os.path.join(outdir, name + ".crt")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:%d" % bits, "-nodes",
         "-keyout", key, "-out", crt, "-days", "3650",
         "-subj", "/CN=%s/O=servicekonto tests" % name],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return key, crt


def config(entityid, key, crt, acs, slo, encryption=True, valid_hours=0,
           signed=True):
    conf = {
        "entityid": entityid,
        "key_file": key,
        "cert_file": crt,
        "service": {"sp": {
            "endpoints": {
                "assertion_consumer_service": acs,
                "single_logout_service": slo,
            },
            "authn_requests_signed": signed,
            "want_assertions_signed": True,
        }},
    }
    if encryption:
        conf["encryption_keypairs"] = [{"key_file": key, "cert_file": crt}]
    cnf = Config().load(conf)
    if valid_hours:
        cnf.valid_for = valid_hours
    return cnf


def write(outdir, name, ed):
    valid_instance(ed)
    xml = metadata_tostring_fix(ed, NSPAIR, None)
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(xml if isinstance(xml, bytes) else xml.encode("utf-8"))


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    key, crt = keypair(outdir, "sp")
    key2, crt2 = keypair(outdir, "sp2")
    base = "https://pysaml2.example.org/sp"
    acs = [(base + "/acs/post", BINDING_HTTP_POST)]
    slo = [(base + "/slo/redirect", BINDING_HTTP_REDIRECT)]

    write(outdir, "sp.xml",
          entity_descriptor(config(base, key, crt, acs, slo)))
    write(outdir, "sp_v2.xml", entity_descriptor(config(
        base, key2, crt2, acs + [(base + "/acs/post2", BINDING_HTTP_POST)],
        slo)))
    write(outdir, "sp_valid.xml", entity_descriptor(config(
        base, key, crt, acs, slo, valid_hours=24 * 7)))
    write(outdir, "sp_signonly.xml", entity_descriptor(config(
        "https://signonly.example.org/sp", key, crt,
        [("https://signonly.example.org/acs", BINDING_HTTP_POST)], [],
        encryption=False, signed=False)))
    write(outdir, "sp_local.xml", entity_descriptor(config(
        "http://127.0.0.1/local-sp", key, crt,
        [("http://127.0.0.1:8087/acs", BINDING_HTTP_POST)],
        [("http://localhost:8087/slo", BINDING_HTTP_REDIRECT)],
        signed=False)))

    desc, _ = entities_descriptor(
        [entity_descriptor(config(base, key, crt, acs, slo))], 0, "",
        "tests", False, None)
    write(outdir, "entities.xml", desc)

    _, crt1024 = keypair(outdir, "rsa1024", bits=1024)
    der = subprocess.run(["openssl", "x509", "-in", crt1024, "-outform",
                          "DER"], check=True, capture_output=True).stdout
    with open(os.path.join(outdir, "rsa1024.b64"), "w") as f:
        f.write(base64.b64encode(der).decode("ascii"))


if __name__ == "__main__":
    main()
