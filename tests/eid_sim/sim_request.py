"""The eID simulator's AuthnRequest intake (TEST TOOL): SP metadata,
size limits, the signature (Redirect query or enveloped XML), the ACS from
metadata, the SP's encryption key."""

import base64
import binascii
import json
import os
import secrets
import threading
import time
import urllib.request
import zlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, samlp
from saml2.config import IdPConfig
from saml2.server import Server

from sim_common import (ATTACK_FIELDS, ATTACKS, MAX_METADATA,
                        MAX_PENDING, MAX_RELAY_STATE,
                        MAX_SAML_B64, MAX_SAML_XML, METADATA_URL_TTL,
                        PENDING_TTL, Refused, log)
from sim_response import cert_from_b64

# Query signature algorithms accepted on the Redirect binding (no SHA-1).
QUERY_SIGALGS = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": hashes.SHA512,
}

# ---------------------------------------------------------- SP metadata

class SPMetadata:
    """The SP metadata sources and the pysaml2 Servers built on them.

    pysaml2 objects are not thread-safe: every use holds self.lock."""

    def __init__(self, sources, state, conf_base):
        self.sources = [{"src": s, "stamp": None, "checked": 0.0,
            "path": os.path.join(state, "sp-metadata-%d.xml" % i)}
            for i, s in enumerate(sources)]
        self.conf_base = conf_base
        self.lock = threading.RLock()
        self.strict = None      # want_authn_requests_signed: POST
        self.verified = None    # parses Redirect requests verified by us
        self.loaded = False

    def _fetch(self, entry):
        src = entry["src"]
        if src.startswith("http://") or src.startswith("https://"):
            if (entry["stamp"] is not None and time.monotonic() -
                    entry["checked"] < METADATA_URL_TTL):
                return False
            entry["checked"] = time.monotonic()
            with urllib.request.urlopen(src, timeout=5) as r:
                data = r.read(MAX_METADATA + 1)
        else:
            st = os.stat(src)
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp == entry["stamp"]:
                return False
            with open(src, "rb") as f:
                data = f.read(MAX_METADATA + 1)
        if len(data) > MAX_METADATA:
            raise ValueError("SP metadata %s larger than %d bytes" %
                (src, MAX_METADATA))
        if entry["stamp"] == data:
            return False
        with open(entry["path"], "wb") as f:
            f.write(data)
        entry["stamp"] = data if src.startswith("http") else stamp
        return True

    def refresh(self):
        """Reread what changed and rebuild the Servers; an unreachable
        URL keeps the copy from before (or no SP at all yet)."""
        with self.lock:
            changed = False
            for entry in self.sources:
                try:
                    changed |= self._fetch(entry)
                except (OSError, ValueError) as e:
                    log("cannot read SP metadata", source=entry["src"],
                        error=str(e))
            paths = [e["path"] for e in self.sources
                if e["stamp"] is not None]
            if not changed and self.loaded:
                return
            if not paths:
                return
            servers = []
            for strict in (True, False):
                conf = json.loads(json.dumps(self.conf_base))
                conf["metadata"] = {"local": paths}
                conf["service"]["idp"]["want_authn_requests_signed"] = \
                    strict
                try:
                    servers.append(Server(config=IdPConfig().load(conf)))
                except Exception as e:
                    # Keep what worked before; say why once per change.
                    log("SP metadata not usable", error="%s: %s" %
                        (type(e).__name__, str(e)[:200]))
                    return
            self.strict, self.verified = servers
            self.loaded = True
            log("SP metadata loaded", entities=self.entities())

    def entities(self):
        with self.lock:
            if not self.loaded:
                return []
            return sorted(self.strict.metadata.service_providers())


def check_xml_sigalg(sig):
    """No SHA-1 in an enveloped request signature (as on Redirect)."""
    try:
        si = sig.signed_info
        algs = [si.signature_method.algorithm] + [
            r.digest_method.algorithm for r in si.reference]
    except AttributeError:
        algs = [None]
    for alg in algs:
        if alg is None or alg.endswith("sha1"):
            raise Refused("signature algorithm %s not accepted (no SHA-1)"
                % alg, "Signaturalgorithmus %s nicht erlaubt (kein SHA-1)"
                % alg)


class RequestIntake:
    """Mixed into the Simulator: needs self.sp, self.args, self.pending,
    self.seen_requests, self.state_lock."""

    def receive(self, binding, params, raw_query):
        """Check one AuthnRequest; returns the pending request."""
        attack = params.get("attack", "")
        self.check_attack(attack)
        saml_request = params.get("SAMLRequest")
        if not saml_request:
            raise Refused("no SAMLRequest", "kein SAMLRequest")
        relay = params.get("RelayState", "")
        if len(relay) > MAX_RELAY_STATE:
            raise Refused("RelayState too long", "RelayState zu lang")
        if len(saml_request) > MAX_SAML_B64:
            raise Refused("SAMLRequest too large", "SAMLRequest zu groß")
        try:
            raw = base64.b64decode(saml_request, validate=True)
        except (binascii.Error, ValueError):
            raise Refused("SAMLRequest is not base64",
                "SAMLRequest ist kein Base64")
        if binding == BINDING_HTTP_REDIRECT:
            d = zlib.decompressobj(-15)
            try:
                xml = d.decompress(raw, MAX_SAML_XML + 1)
            except zlib.error:
                raise Refused("SAMLRequest does not inflate",
                    "SAMLRequest lässt sich nicht entpacken")
            if len(xml) > MAX_SAML_XML or d.unconsumed_tail:
                raise Refused("AuthnRequest too large after inflate",
                    "AuthnRequest entpackt zu groß")
        else:
            xml = raw
        try:
            req = samlp.authn_request_from_string(xml.decode("utf-8"))
        except Exception:
            req = None
        if req is None or req.issuer is None or not req.issuer.text:
            raise Refused("not an AuthnRequest with an Issuer",
                "kein AuthnRequest mit Issuer")
        issuer = req.issuer.text.strip()
        self.sp.refresh()
        if issuer not in self.sp.entities():
            raise Refused("unknown SP %s (not in the SP metadata)" %
                issuer, "unbekannter Diensteanbieter %s (nicht in den "
                "SP-Metadaten)" % issuer)
        with self.sp.lock:
            md = self.sp.strict.metadata
            if binding == BINDING_HTTP_REDIRECT:
                if "Signature" not in params or "SigAlg" not in params:
                    raise Refused("AuthnRequest is not signed (this eID "
                        "service wants signed requests)",
                        "AuthnRequest ist nicht signiert (dieser "
                        "eID-Dienst verlangt signierte Anfragen)")
                self.verify_query(raw_query, params,
                    md.certs(issuer, "spsso", "signing"))
                srv = self.sp.verified
            else:
                if req.signature is None:
                    raise Refused("AuthnRequest is not signed (this eID "
                        "service wants signed requests)",
                        "AuthnRequest ist nicht signiert (dieser "
                        "eID-Dienst verlangt signierte Anfragen)")
                check_xml_sigalg(req.signature)
                srv = self.sp.strict
            try:
                parsed = srv.parse_authn_request(saml_request, binding)
            except Exception as e:
                log("AuthnRequest refused", sp=issuer,
                    error=type(e).__name__)
                raise Refused("AuthnRequest signature or content does "
                    "not verify against the SP metadata (%s)" %
                    type(e).__name__, "Signatur oder Inhalt des "
                    "AuthnRequest passt nicht zu den SP-Metadaten")
            if parsed is None or parsed.message is None:
                raise Refused("AuthnRequest not valid",
                    "AuthnRequest ungültig")
            msg = parsed.message
            acs = self.pick_acs(md, issuer, msg)
            enc = md.certs(issuer, "spsso", "encryption")
        if not enc:
            raise Refused("the SP metadata of %s has no encryption key: "
                "the eID service answers only with encrypted assertions"
                % issuer, "die SP-Metadaten von %s enthalten keinen "
                "Schlüssel zur Verschlüsselung: der eID-Dienst antwortet "
                "nur verschlüsselt" % issuer)
        now = time.time()
        with self.state_lock:
            self.seen_requests = {k: v for k, v in
                self.seen_requests.items() if v > now}
            if (issuer, msg.id) in self.seen_requests:
                raise Refused("AuthnRequest ID %s already used" % msg.id,
                    "AuthnRequest-ID %s wurde schon benutzt" % msg.id)
            self.seen_requests[(issuer, msg.id)] = now + PENDING_TTL
            self.pending = {k: v for k, v in self.pending.items()
                if v["expires"] > now}
            if len(self.pending) >= MAX_PENDING:
                raise Refused("too many open requests",
                    "zu viele offene Anfragen", 503)
            handle = secrets.token_urlsafe(24)
            # Attack parameters given with the request itself.
            extra = {k: params[k] for k in ATTACK_FIELDS if params.get(k)}
            p = {"sp": issuer, "request_id": msg.id, "acs": acs,
                "relay_state": relay, "attack": attack, "extra": extra,
                "enc_cert": enc[0], "expires": now + PENDING_TTL}
            if str(msg.is_passive).lower() in ("true", "1"):
                # A card cannot be read without the citizen.
                log("IsPassive: answering NoPassive", sp=issuer,
                    request_id=msg.id)
                return None, p
            self.pending[handle] = p
        log("AuthnRequest accepted", sp=issuer, binding=binding,
            request_id=msg.id, attack=attack)
        return handle, p

    def check_attack(self, attack):
        if not attack:
            return
        if not self.args.allow_attacks:
            raise Refused("attack modes are disabled (start with "
                "--allow-attacks)", "Angriffsmodi sind ausgeschaltet "
                "(Start mit --allow-attacks)")
        if attack not in ATTACKS:
            raise Refused("unknown attack mode %s" % attack,
                "unbekannter Angriffsmodus %s" % attack)

    def verify_query(self, raw_query, params, certs):
        """The Redirect binding's signature, over the parameters exactly
        as they were sent (SAML bindings 3.4.4.1)."""
        raw = {}
        for part in raw_query.split("&"):
            k = part.split("=", 1)[0]
            if k in ("SAMLRequest", "RelayState", "SigAlg"):
                raw[k] = part
        signed = "&".join(raw[k] for k in
            ("SAMLRequest", "RelayState", "SigAlg") if k in raw)
        alg = QUERY_SIGALGS.get(params["SigAlg"])
        if alg is None:
            raise Refused("signature algorithm %s not accepted" %
                params["SigAlg"], "Signaturalgorithmus %s nicht erlaubt"
                % params["SigAlg"])
        try:
            sig = base64.b64decode(params["Signature"], validate=True)
        except (binascii.Error, ValueError):
            raise Refused("Signature is not base64",
                "Signature ist kein Base64")
        for c in certs:
            try:
                cert_from_b64(c).public_key().verify(sig,
                    signed.encode("ascii"), padding.PKCS1v15(), alg())
                return
            except (InvalidSignature, ValueError, TypeError):
                continue
        raise Refused("AuthnRequest signature does not verify against "
            "the SP metadata", "Signatur des AuthnRequest passt nicht "
            "zu den SP-Metadaten")

    def pick_acs(self, md, issuer, msg):
        """The ACS from metadata (HTTP-POST); never one from elsewhere."""
        if msg.protocol_binding and msg.protocol_binding != \
                BINDING_HTTP_POST:
            raise Refused("ProtocolBinding %s not supported (HTTP-POST "
                "only)" % msg.protocol_binding, "ProtocolBinding %s "
                "nicht unterstützt" % msg.protocol_binding)
        acs = md.assertion_consumer_service(issuer, BINDING_HTTP_POST) \
            or []
        if not acs:
            raise Refused("the SP metadata has no HTTP-POST "
                "AssertionConsumerService", "die SP-Metadaten haben "
                "keinen HTTP-POST-AssertionConsumerService")
        if msg.assertion_consumer_service_url:
            for a in acs:
                if a["location"] == msg.assertion_consumer_service_url:
                    return a["location"]
            raise Refused("AssertionConsumerServiceURL %s is not in "
                "the SP metadata" % msg.assertion_consumer_service_url,
                "AssertionConsumerServiceURL %s steht nicht in den "
                "SP-Metadaten" % msg.assertion_consumer_service_url)
        if msg.assertion_consumer_service_index is not None:
            for a in acs:
                if str(a.get("index")) == str(
                        msg.assertion_consumer_service_index):
                    return a["location"]
            raise Refused("AssertionConsumerServiceIndex not in the SP "
                "metadata", "AssertionConsumerServiceIndex steht nicht "
                "in den SP-Metadaten")
        for a in acs:
            if str(a.get("is_default", "")).lower() == "true":
                return a["location"]
        return acs[0]["location"]

    # --------------------------------------------------- /sso/respond
