#!/usr/bin/python3
"""The demo portal that `make run` starts (scripts/demo_portal.py) against
the real idpd: a citizen logs in at the portal through servicekonto's login
form and the portal shows the pairwise NameID and the released
attributes; logout at the portal ends the session at servicekonto too
(SAML single logout, both signatures checked by pysaml2 and idpd); logout
at servicekonto reaches the portal."""
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "saml_sso"))

from samlenv import (PASSWORD, Browser, Ctx, add_sp, idpctl,  # noqa
                     keyed_database, login_continue, ok, post_form,
                     run_tests, start_idpd)
from harness import free_port  # noqa: E402

EMAIL = "demo@example.org"


def path_and_query(url, base):
    assert url.startswith(base + "/"), (url, base)
    return url[len(base):]


def start_portal(ctx):
    args = ["/usr/bin/python3", os.environ["DEMO_PORTAL"], "--idp-metadata",
            ctx.srv.public + "/saml/metadata", "--state", ctx.tmp,
            "--port", str(ctx.portal_port)]
    md = subprocess.run(args + ["--write-metadata-only"], check=True,
                        capture_output=True, text=True).stdout.strip()
    add_sp(ctx, md, "--release", "given_name,family_name,email",
           "--attribute-profile", "eidas")
    ctx.portal = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
    for _ in range(100):
        try:
            if Browser(ctx.portal_port).get("/").status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the demo portal does not answer")


def setup(ctx):
    keyed_database(ctx, "demoportal", ctx.tmp)
    ok(idpctl(ctx.db, "account", "create", "--email", EMAIL,
              "--given-name", "Erika", "--family-name", "Mustermann",
              "--verified", stdin=PASSWORD + "\n"))
    start_idpd(ctx)
    ctx.portal_port = free_port()
    ctx.portal_base = "http://127.0.0.1:%d" % ctx.portal_port
    start_portal(ctx)


def login(ctx):
    """Log in at the portal through idpd's form: (portal, idp) browsers."""
    portal, idp = Browser(ctx.portal_port), Browser(ctx.srv.port)
    r = portal.get("/login")
    assert r.status == 303, r.status
    r = idp.get(path_and_query(r.header("Location"), ctx.srv.public))
    action, saml_response, relay = post_form(
        login_continue(idp, r, EMAIL))
    assert action == ctx.portal_base + "/acs", action
    r = portal.request("POST", "/acs", form={"SAMLResponse": saml_response,
                                             "RelayState": relay})
    assert r.status == 303, (r.status, r.text[:800])
    return portal, idp


def test_login_shows_nameid_and_attributes(ctx):
    portal, _ = login(ctx)
    page = portal.get("/").text
    assert "Angemeldet" in page, page
    nameid = ctx.db.query("SELECT nameid FROM saml_pairwise_ids")
    assert nameid and "<code>%s</code>" % nameid in page, (nameid, page)
    assert "Erika" in page and "Mustermann" in page, page
    assert EMAIL in page, page
    assert "http://eidas.europa.eu/LoA/low" in page, page


def test_logout_at_the_portal(ctx):
    portal, idp = login(ctx)
    assert idp.get("/account").status == 200
    r = portal.get("/logout")
    assert r.status == 303, r.status
    loc = r.header("Location")
    assert loc.startswith(ctx.srv.public + "/saml/slo?SAMLRequest="), loc
    assert "Signature=" in loc and "SigAlg=" in loc, loc
    r = idp.get(path_and_query(loc, ctx.srv.public))
    assert r.status == 303, (r.status, r.text[:500])
    back = r.header("Location")
    assert back.startswith(ctx.portal_base + "/slo?SAMLResponse="), back
    r = portal.get(path_and_query(back, ctx.portal_base))
    assert r.status == 200, (r.status, r.text)
    assert "Abgemeldet" in r.text and "Success" in r.text, r.text
    # Gone at servicekonto and at the portal.
    assert idp.get("/account").status == 303
    assert "Angemeldet" not in portal.get("/").text


def test_logout_at_servicekonto_reaches_the_portal(ctx):
    portal, idp = login(ctx)
    r = idp.post("/logout", {}, csrf_from="/account")
    assert r.status == 303, (r.status, r.text[:500])
    loc = r.header("Location")
    assert loc.startswith(ctx.portal_base + "/slo?SAMLRequest="), loc
    r = portal.get(path_and_query(loc, ctx.portal_base))
    assert r.status == 303, (r.status, r.text[:500])
    back = r.header("Location")
    assert back.startswith(ctx.srv.public + "/saml/slo?SAMLResponse="), back
    r = idp.get(path_and_query(back, ctx.srv.public))
    assert r.status == 200, (r.status, r.text[:500])
    assert "Demo-Portal" in r.text or "127.0.0.1:%d" % ctx.portal_port \
        in r.text, r.text
    assert "Angemeldet" not in portal.get("/").text
    assert idp.get("/account").status == 303


def test_forged_logout_request_is_refused_by_the_portal(ctx):
    portal, idp = login(ctx)
    r = idp.post("/logout", {}, csrf_from="/account")
    loc = r.header("Location")
    # One character of the signature changed: pysaml2 must refuse it.
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
    sig = q["Signature"][0]
    q["Signature"] = [("A" if sig[0] != "A" else "B") + sig[1:]]
    forged = "/slo?" + urllib.parse.urlencode({k: v[0] for k, v in q.items()})
    r = portal.get(forged)
    assert r.status == 400, (r.status, r.text[:300])
    assert re.search("Signatur|signature", r.text), r.text


def cleanup(ctx, runner):
    if getattr(ctx, "portal", None) is not None:
        ctx.portal.terminate()
        _, err = ctx.portal.communicate(timeout=10)
        if runner.failed:
            print(err[-4000:])


def main():
    with tempfile.TemporaryDirectory(prefix="demo-portal-") as tmp:
        return run_tests(Ctx(tmp), setup, [
            test_login_shows_nameid_and_attributes,
            test_logout_at_the_portal,
            test_logout_at_servicekonto_reaches_the_portal,
            test_forged_logout_request_is_refused_by_the_portal,
        ], cleanup)


if __name__ == "__main__":
    sys.exit(main())
