"""The eID simulator's answers (TEST TOOL): keys, test identities, the
eIDAS attributes, the signed and encrypted Response and its attack
variants."""

import base64
import datetime
import html
import json
import os
import tempfile
import time
import xml.etree.ElementTree as ET

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2.saml import NAMEID_FORMAT_TRANSIENT
from saml2.sigver import RSA_1_5, RSA_OAEP_MGF1P, pre_encryption_part

from sim_common import (ASSERTION_NODE, ATTACK_FIELDS, ATTRNAME_URI,
                        BEARER, DOCTYPE_ATTR,
                        EIDAS_NP, EIDAS_NS, ENTITY_FMT, ENVELOPED, EXC_C14N,
                        LIFETIME, LOA_HIGH, LOA_SUBSTANTIAL, NS,
                        OTHER_AUDIENCE, OTHER_RECIPIENT, RESPONSE_NODE,
                        RSA_SHA256, Refused, SHA256, ST_AUTHN_FAILED,
                        ST_RESPONDER, ST_SUCCESS, instant, log, new_id, q,
                        strip_decl, sub)

# ------------------------------------------------------------------ keys

def ensure_keypair(state, name, cn):
    """state/<name>.key (0600) and .crt: RSA-3072, self-signed, 10 years;
    made once and kept."""
    key_path = os.path.join(state, name + ".key")
    crt_path = os.path.join(state, name + ".crt")
    if os.path.exists(key_path) and os.path.exists(crt_path):
        return key_path, crt_path
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME,
            "TEST TOOL eID simulator - not for production"),
    ])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256()))
    pem = key.private_bytes(serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption())
    tmp = key_path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    with open(crt_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    os.replace(tmp, key_path)
    return key_path, crt_path


def cert_b64(crt_path):
    """The certificate's DER in base64, one line, as KeyInfo carries it."""
    with open(crt_path, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    return base64.b64encode(
        cert.public_bytes(serialization.Encoding.DER)).decode()


def cert_from_b64(text):
    return x509.load_der_x509_certificate(
        base64.b64decode("".join(text.split())))


# ------------------------------------------------------------ identities

def load_identities(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    ids = doc["identities"]
    seen = set()
    for ident in ids:
        for k in ("id", "label_de", "label_en", "pseudonym",
                "document_type", "family_name", "given_name",
                "date_of_birth", "place_of_birth"):
            if not isinstance(ident.get(k), str) or not ident[k]:
                raise ValueError("identity %r: %s missing" %
                    (ident.get("id"), k))
        if len(base64.b64decode(ident["pseudonym"],
                validate=True)) != 32:
            raise ValueError("identity %s: pseudonym is not 32 bytes"
                % ident["id"])
        datetime.date.fromisoformat(ident["date_of_birth"])
        if ident["document_type"] not in ("ID", "AR", "UB"):
            raise ValueError("identity %s: document_type" % ident["id"])
        if ident["id"] in seen:
            raise ValueError("identity %s twice" % ident["id"])
        seen.add(ident["id"])
    if len(ids) < 2:
        raise ValueError("need at least two identities")
    return ids


def address_value(addr):
    """eIDAS CurrentAddress: base64 of the UTF-8 address parts."""
    parts = [("LocatorDesignator", "locator_designator"),
        ("Thoroughfare", "thoroughfare"), ("PostName", "post_name"),
        ("PostCode", "post_code"),
        ("AdminunitFirstline", "admin_unit_first_line")]
    text = "".join("<eidas:%s>%s</eidas:%s>" %
        (tag, html.escape(addr[key], quote=False), tag)
        for tag, key in parts if addr.get(key))
    return base64.b64encode(text.encode("utf-8")).decode()


def identity_attributes(ident):
    """[(name, friendly name, eIDAS xsi:type, value)] for one identity."""
    attrs = [
        (EIDAS_NP + "PersonIdentifier", "PersonIdentifier",
            "PersonIdentifierType", ident["pseudonym"]),
        (EIDAS_NP + "CurrentFamilyName", "FamilyName",
            "CurrentFamilyNameType", ident["family_name"]),
        (EIDAS_NP + "CurrentGivenName", "FirstName",
            "CurrentGivenNameType", ident["given_name"]),
        (EIDAS_NP + "DateOfBirth", "DateOfBirth",
            "DateOfBirthType", ident["date_of_birth"]),
        (EIDAS_NP + "PlaceOfBirth", "PlaceOfBirth",
            "PlaceOfBirthType", ident["place_of_birth"]),
    ]
    if ident.get("address"):
        attrs.append((EIDAS_NP + "CurrentAddress", "CurrentAddress",
            "CurrentAddressType", address_value(ident["address"])))
    attrs.append((DOCTYPE_ATTR, "DocumentType", None,
        ident["document_type"]))
    return attrs


def signature_template(ref_id, cert):
    """An enveloped RSA-SHA256 signature over #ref_id, filled by xmlsec1."""
    sig = ET.Element(q("ds", "Signature"))
    si = sub(sig, "ds", "SignedInfo")
    sub(si, "ds", "CanonicalizationMethod", Algorithm=EXC_C14N)
    sub(si, "ds", "SignatureMethod", Algorithm=RSA_SHA256)
    ref = sub(si, "ds", "Reference", URI="#" + ref_id)
    tr = sub(ref, "ds", "Transforms")
    sub(tr, "ds", "Transform", Algorithm=ENVELOPED)
    sub(tr, "ds", "Transform", Algorithm=EXC_C14N)
    sub(ref, "ds", "DigestMethod", Algorithm=SHA256)
    sub(ref, "ds", "DigestValue", "")
    sub(sig, "ds", "SignatureValue", "")
    sub(sub(sub(sig, "ds", "KeyInfo"), "ds", "X509Data"), "ds",
        "X509Certificate", cert)
    return sig


class ResponseMaker:
    """Mixed into the Simulator: needs self.crypto (a pysaml2 Server for
    xmlsec1), the keys, self.identities, self.last_response."""

    def respond(self, params):
        """(pending request, base64 SAMLResponse) for the choice made."""
        handle = params.get("handle", "")
        with self.state_lock:
            p = self.pending.pop(handle, None)
        if p is None or p["expires"] < time.time():
            raise Refused("unknown, used or expired request (handle)",
                "unbekannte, benutzte oder abgelaufene Anfrage")
        attack = params.get("attack") or p["attack"]
        self.check_attack(attack)
        fields = dict(p["extra"])
        fields.update({k: params[k] for k in ATTACK_FIELDS
            if params.get(k)})
        if params.get("cancel"):
            b64 = self.error_response(p)
            log("cancelled: Responder/AuthnFailed", sp=p["sp"],
                request_id=p["request_id"])
            return p, b64
        ident = self.by_id.get(params.get("identity", ""))
        if ident is None:
            raise Refused("no such test identity", "keine solche "
                "Testidentität")
        if attack == "replay":
            with self.state_lock:
                b64 = self.last_response.get(p["sp"])
            if b64 is None:
                raise Refused("replay: no earlier response to this SP",
                    "replay: keine frühere Antwort an diesen SP")
            log("REPLAY of the last response", sp=p["sp"])
            return p, b64
        xml = self.success_response(p, ident, attack, fields)
        b64 = base64.b64encode(xml.encode("utf-8")).decode()
        with self.state_lock:
            self.last_response[p["sp"]] = b64
        log("response issued", sp=p["sp"], request_id=p["request_id"],
            identity=ident["id"], attack=attack)
        return p, b64

    def times(self, attack):
        now = time.time()
        if attack == "expired":
            return {"issue": now - 600, "not_before": now - 600,
                "not_on_or_after": now - 300}
        if attack == "not-yet-valid":
            return {"issue": now + 600, "not_before": now + 600,
                "not_on_or_after": now + 900}
        return {"issue": now, "not_before": now,
            "not_on_or_after": now + LIFETIME}

    def assertion(self, p, ident, attack, params, t, aid):
        """One Assertion element (not yet signed)."""
        recipient = OTHER_RECIPIENT if attack == "wrong-recipient" \
            else p["acs"]
        audience = OTHER_AUDIENCE if attack == "wrong-audience" \
            else p["sp"]
        irt = params["in_response_to"] if attack == "in-response-to" \
            else p["request_id"]
        a = ET.Element(q("saml", "Assertion"), {"ID": aid,
            "Version": "2.0", "IssueInstant": instant(t["issue"])})
        if self.args.value_types == "eidas":
            a.set("xmlns:eidas-natural", EIDAS_NS)
        sub(a, "saml", "Issuer", self.entity_id, Format=ENTITY_FMT)
        subj = sub(a, "saml", "Subject")
        sub(subj, "saml", "NameID", new_id(),
            Format=NAMEID_FORMAT_TRANSIENT)
        sc = sub(subj, "saml", "SubjectConfirmation", Method=BEARER)
        sub(sc, "saml", "SubjectConfirmationData",
            NotOnOrAfter=instant(t["not_on_or_after"]),
            Recipient=recipient, InResponseTo=irt)
        cond = sub(a, "saml", "Conditions",
            NotBefore=instant(t["not_before"]),
            NotOnOrAfter=instant(t["not_on_or_after"]))
        sub(sub(cond, "saml", "AudienceRestriction"), "saml", "Audience",
            audience)
        st = sub(a, "saml", "AuthnStatement",
            AuthnInstant=instant(t["issue"]), SessionIndex=new_id())
        loa = LOA_SUBSTANTIAL if attack == "loa-substantial" else LOA_HIGH
        sub(sub(st, "saml", "AuthnContext"), "saml",
            "AuthnContextClassRef", loa)
        ats = sub(a, "saml", "AttributeStatement")
        for name, friendly, etype, value in identity_attributes(ident):
            at = sub(ats, "saml", "Attribute", Name=name,
                NameFormat=ATTRNAME_URI, FriendlyName=friendly)
            if etype and self.args.value_types == "eidas":
                xtype = "eidas-natural:" + etype
            else:
                xtype = "xs:string"
            av = sub(at, "saml", "AttributeValue", value)
            av.set(q("xsi", "type"), xtype)
        return a

    def sign(self, elem, node, node_id, other_key=False):
        """Serialize @elem with a signature after its Issuer, signed by
        xmlsec1 (through pysaml2's security context)."""
        cert = self.other_cert if other_key else self.cert
        elem.insert(1, signature_template(node_id, cert))
        xml = ET.tostring(elem, encoding="unicode")
        return strip_decl(self.crypto.sec.sign_statement(xml, node,
            key_file=self.other_key if other_key else self.key,
            node_id=node_id))

    def encrypt(self, assertion_xml, enc_cert, key_transport):
        """<saml:EncryptedAssertion> holding @assertion_xml encrypted to
        @enc_cert (base64 DER from the SP metadata)."""
        alg, session = self.data_enc
        doc = ('<saml:EncryptedAssertion xmlns:saml="%s">%s'
            '</saml:EncryptedAssertion>' % (NS["saml"], assertion_xml))
        pem = x509.load_der_x509_certificate(base64.b64decode(
            enc_cert)).public_bytes(serialization.Encoding.PEM)
        with tempfile.NamedTemporaryFile(suffix=".pem") as f:
            f.write(pem)
            f.flush()
            template = pre_encryption_part(msg_enc=alg,
                key_enc=key_transport, key_name="sp-encryption",
                encrypt_cert="".join(enc_cert.split()))
            out = self.crypto.sec.encrypt_assertion(doc, f.name,
                template, session, node_xpath="/*[local-name()="
                "'EncryptedAssertion']/*[local-name()='Assertion']")
        return strip_decl(out)

    def response_shell(self, t, destination, irt):
        r = ET.Element(q("samlp", "Response"), {"ID": new_id(),
            "Version": "2.0", "IssueInstant": instant(t["issue"]),
            "Destination": destination, "InResponseTo": irt})
        sub(r, "saml", "Issuer", self.entity_id, Format=ENTITY_FMT)
        return r

    def finish(self, r, assertions, sign, other_key=False):
        """Serialize Response @r, put the assertion texts after Status,
        sign it when @sign."""
        rid = r.get("ID")
        cert = self.other_cert if other_key else self.cert
        if sign:
            r.insert(1, signature_template(rid, cert))
        xml = ET.tostring(r, encoding="unicode")
        end = xml.rindex("</samlp:Response>")
        xml = xml[:end] + "".join(assertions) + xml[end:]
        if not sign:
            return xml
        return strip_decl(self.crypto.sec.sign_statement(xml,
            RESPONSE_NODE, key_file=self.other_key if other_key else
            self.key, node_id=rid))

    def success_response(self, p, ident, attack, params):
        if attack == "in-response-to":
            irt = params.get("in_response_to", "")
            if not irt or len(irt) > 256 or not irt.isprintable():
                raise Refused("in-response-to: give in_response_to",
                    "in-response-to: in_response_to fehlt")
        t = self.times(attack)
        other = attack == "other-key"
        sign_assertion = attack not in ("unsigned", "unsigned-assertion")
        sign_response = attack not in ("unsigned", "wrap")
        transport = RSA_1_5 if attack == "rsa15" else RSA_OAEP_MGF1P

        def one(identity, aid, signed=True):
            a = self.assertion(p, identity, attack, params, t, aid)
            if signed and sign_assertion:
                xml = self.sign(a, ASSERTION_NODE, aid, other)
            else:
                xml = ET.tostring(a, encoding="unicode")
            if attack == "plain":
                return xml
            return self.encrypt(xml, p["enc_cert"], transport)

        aid = new_id()
        assertions = [one(ident, aid)]
        if attack == "two-assertions":
            assertions.append(one(ident, new_id()))
        if attack == "wrap":
            victim = self.by_id.get(params.get("wrap_identity") or
                self.identities[1]["id"])
            if victim is None:
                raise Refused("wrap: no such wrap_identity",
                    "wrap: keine solche wrap_identity")
            assertions.insert(0, one(victim, aid, signed=False))
        r = self.response_shell(t, OTHER_RECIPIENT if attack ==
            "wrong-recipient" else p["acs"], params["in_response_to"]
            if attack == "in-response-to" else p["request_id"])
        status = sub(r, "samlp", "Status")
        sub(status, "samlp", "StatusCode", Value=ST_SUCCESS)
        return self.finish(r, assertions, sign_response, other)

    def error_response(self, p, second=ST_AUTHN_FAILED,
            message="cancelled by the user (eID simulator, TEST TOOL)"):
        """A signed Response with status Responder/@second, no
        assertion."""
        t = self.times("")
        r = self.response_shell(t, p["acs"], p["request_id"])
        status = sub(r, "samlp", "Status")
        code = sub(status, "samlp", "StatusCode", Value=ST_RESPONDER)
        sub(code, "samlp", "StatusCode", Value=second)
        sub(status, "samlp", "StatusMessage", message)
        xml = self.finish(r, [], True)
        return base64.b64encode(xml.encode("utf-8")).decode()
