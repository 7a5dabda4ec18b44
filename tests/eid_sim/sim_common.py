"""Shared by the eID simulator's modules (TEST TOOL): constants, size
limits, the log line, the refusal, small XML helpers."""

import datetime
import json
import logging
import secrets
import sys
import xml.etree.ElementTree as ET

TAG = "eid_sim TEST TOOL"

# Size limits, checked before anything is decoded or parsed.
MAX_QUERY = 64 * 1024           # raw query string
MAX_BODY = 256 * 1024           # POST body
MAX_SAML_B64 = 96 * 1024        # SAMLRequest as sent
MAX_SAML_XML = 128 * 1024       # AuthnRequest XML after inflate
MAX_RELAY_STATE = 1024
MAX_FIELDS = 16
MAX_METADATA = 1024 * 1024
MAX_PENDING = 1000
PENDING_TTL = 600               # seconds a shown identity page stays usable
METADATA_URL_TTL = 30           # seconds before an SP metadata URL is reread
LIFETIME = 300                  # assertion validity: 5 minutes

NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "xs": "http://www.w3.org/2001/XMLSchema",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
for _p, _u in NS.items():
    ET.register_namespace(_p, _u)

EIDAS_NP = "http://eidas.europa.eu/attributes/naturalperson/"
EIDAS_NS = "http://eidas.europa.eu/attributes/naturalperson"
DOCTYPE_ATTR = "http://bsi.bund.de/eID/DocumentType"
ATTRNAME_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
LOA_HIGH = "http://eidas.europa.eu/LoA/high"
LOA_SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
ENTITY_FMT = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
ST_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
ST_RESPONDER = "urn:oasis:names:tc:SAML:2.0:status:Responder"
ST_AUTHN_FAILED = "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"
ST_NO_PASSIVE = "urn:oasis:names:tc:SAML:2.0:status:NoPassive"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
ASSERTION_NODE = "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"
RESPONSE_NODE = "urn:oasis:names:tc:SAML:2.0:protocol:Response"


# --data-enc: EncryptedData algorithm and xmlsec1's session key type.
DATA_ENC = {
    "aes256-gcm": ("http://www.w3.org/2009/xmlenc11#aes256-gcm", "aes-256"),
    "aes128-gcm": ("http://www.w3.org/2009/xmlenc11#aes128-gcm", "aes-128"),
    "aes256-cbc": ("http://www.w3.org/2001/04/xmlenc#aes256-cbc", "aes-256"),
}

ATTACKS = ("unsigned", "unsigned-assertion", "other-key", "wrap", "plain",
    "two-assertions", "wrong-audience", "wrong-recipient", "expired",
    "not-yet-valid", "in-response-to", "replay", "rsa15",
    "loa-substantial")

# Fields that some attack modes read (from /sso or /sso/respond).
ATTACK_FIELDS = ("in_response_to", "wrap_identity")

OTHER_AUDIENCE = "urn:eid-sim:test-tool:other-sp"
OTHER_RECIPIENT = "https://other-sp.invalid/eid/acs"


def log(msg, **kv):
    """One line on stderr; never keys, never whole SAML messages."""
    parts = ["%s=%s" % (k, json.dumps(v, ensure_ascii=True))
        for k, v in kv.items()]
    sys.stderr.write("%s: %s %s\n" % (TAG, msg, " ".join(parts)))
    sys.stderr.flush()


class OneLine(logging.Handler):
    """pysaml2's own log records (and xmlsec1's output inside them) as
    single TEST TOOL lines, cut short: they may quote whole messages."""

    def emit(self, record):
        try:
            text = " | ".join(record.getMessage().split("\n"))
        except Exception:
            text = "(unprintable log record)"
        log("pysaml2", level=record.levelname, message=text[:300])


class Refused(Exception):
    """A request we answer with a 400 page: (English, German) text."""

    def __init__(self, en, de, status=400):
        super().__init__(en)
        self.en = en
        self.de = de
        self.status = status



# ---------------------------------------------------------------- SAML

def instant(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id():
    return "_" + secrets.token_hex(20)


def q(prefix, tag):
    return "{%s}%s" % (NS[prefix], tag)


def sub(parent, prefix, tag, text=None, **attrs):
    e = ET.SubElement(parent, q(prefix, tag), attrs)
    if text is not None:
        e.text = text
    return e


def strip_decl(xml):
    xml = xml.strip()
    if xml.startswith("<?xml"):
        xml = xml[xml.index("?>") + 2:].lstrip()
    return xml
