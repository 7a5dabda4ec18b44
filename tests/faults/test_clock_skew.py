#!/usr/bin/env python3
"""Clock skew between nodes: node B runs under faketime with its system
clock 10 minutes behind (more than SAML_CLOCK_SKEW_S, 180 s, and more
than the SP's own tolerance of 60 s). idpd takes every SAML and session
time from the database clock (store_now()), so B still accepts the SP's
AuthnRequests, its assertions are valid for pysaml2 with times within a
few seconds of the real time, and sessions move freely between A and B.
A skew within the tolerance is the easier case and is covered by this.
Skipped (exit 77) when faketime (Debian package faketime) is missing.
"""
import base64
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "saml_sso"))

import samlenv  # noqa: E402
from samlenv import (PASSWORD, Ctx, add_sp, keyed_database,  # noqa: E402
                     path_of, post_form, run_tests, start_idpd,
                     start_second_idpd)
from harness import Browser, link_in  # noqa: E402
from sp import SP  # noqa: E402

EMAIL = "erika.skew@example.org"
SKEW = "-10m"
LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def on(b, srv):
    b.port = srv.port
    return b


def issue_instants(saml_response):
    xml = base64.b64decode(saml_response).decode()
    return [datetime.datetime.strptime(t[:19], "%Y-%m-%dT%H:%M:%S")
            .replace(tzinfo=datetime.timezone.utc)
            for t in re.findall(r'IssueInstant="([^"]+)"', xml)]


def sso_via(ctx, b, first, second):
    """AuthnRequest to node @first, login (when asked) and the answer on
    node @second; pysaml2's verdict."""
    reqid, url = ctx.sp1.redirect_url(ctx.idp_entity, "rs")
    r = on(b, first).get(path_of(ctx, url))
    assert r.status in (200, 303), (r.status, r.text[:300])
    if r.status == 303:
        on(b, second)
        r = samlenv.login_continue(b, r, EMAIL)
    _, saml_response, _ = post_form(r)
    resp = ctx.sp1.parse(saml_response)
    assert resp.in_response_to == reqid
    now = datetime.datetime.now(datetime.timezone.utc)
    for t in issue_instants(saml_response):
        assert abs((t - now).total_seconds()) < 10, (t, now)
    return resp


def test_node_b_clock_is_off(ctx):
    """B's own log stamps (its system clock) are 10 minutes behind."""
    Browser(ctx.srv2.port).get("/healthz")
    stamps = re.findall(r'"ts":"([0-9T:-]{19})', ctx.srv2.logtext())
    t = datetime.datetime.strptime(stamps[-1], "%Y-%m-%dT%H:%M:%S")
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    off = (now - t).total_seconds()
    assert 590 <= off <= 610, off


def test_register_on_skewed_node(ctx):
    b = Browser(ctx.srv2.port)
    f = b.get("/register")
    r = b.post("/register", {
        "email": EMAIL, "password": PASSWORD, "password2": PASSWORD,
        "given_name": "Erika", "family_name": "Mustermann",
        "csrf": f.csrf()})
    assert r.status == 200, r.status
    msg = ctx.mbox.wait_for(EMAIL)
    r = on(b, ctx.srv).get(path_of(ctx, link_in(msg, "/verify")))
    assert r.status == 200


def test_sso_on_skewed_node(ctx):
    b = Browser(ctx.srv2.port)
    sso_via(ctx, b, ctx.srv2, ctx.srv2)
    # The session made on B serves A without a new login, and back.
    sso_via(ctx, b, ctx.srv, ctx.srv)
    assert on(b, ctx.srv2).get("/account").status == 200


def test_sso_across_skewed_nodes(ctx):
    sso_via(ctx, Browser(ctx.srv.port), ctx.srv, ctx.srv2)
    sso_via(ctx, Browser(ctx.srv2.port), ctx.srv2, ctx.srv)
    b = Browser(ctx.srv.port)
    f = b.get("/login")
    r = b.post("/login", {"email": EMAIL, "password": PASSWORD,
                          "csrf": f.csrf()})
    assert r.status == 303
    assert on(b, ctx.srv2).get("/account").status == 200
    assert ctx.srv.alive() and ctx.srv2.alive()


def setup(ctx):
    keyed_database(ctx, "skew", ctx.tmp)
    ctx.sp1 = SP(ctx.tmp, "sp1")
    add_sp(ctx, ctx.sp1.metadata(), "--release", "given_name",
           "--no-encrypt-assertions")
    start_idpd(ctx, (ctx.sp1,))
    # libfaketime preloaded into idpd itself (the faketime program would
    # stand between idpd and our signals).
    env = {"LD_PRELOAD": LIBFAKETIME, "FAKETIME": SKEW,
           "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
    if "asan" in subprocess.run(["ldd", os.environ["IDPD"]],
                                capture_output=True, text=True).stdout:
        # faketime preloads its library before ASan's runtime.
        env["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + \
            ":verify_asan_link_order=0"
    start_second_idpd(ctx, env)


def main():
    if shutil.which("faketime") is None or \
            not os.path.exists(LIBFAKETIME):
        print("faketime is missing (scripts/deps.sh installs it): skipped")
        return 77
    ctx = Ctx(tempfile.mkdtemp(prefix="skew-", dir="."))
    return run_tests(ctx, setup, [
        test_node_b_clock_is_off,
        test_register_on_skewed_node,
        test_sso_on_skewed_node,
        test_sso_across_skewed_nodes])


if __name__ == "__main__":
    sys.exit(main())
