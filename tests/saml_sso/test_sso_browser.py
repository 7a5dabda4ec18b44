#!/usr/bin/env python3
"""The HTTP-POST form in a real browser (headless Chromium via Debian's
python3-selenium): with JavaScript, /static/autosubmit.js sends the
response to the portal's ACS by itself, under the reply's CSP (script-src
'self', form-action the ACS's origin); without JavaScript the button does.
The ACS is a small HTTP server on loopback; pysaml2 judges what arrives.
"""
import http.server
import sys
import tempfile
import threading
import urllib.parse

from samlenv import (PASSWORD, Ctx, add_sp, keyed_database, ok, run_tests,
                     start_idpd)
from harness import free_port, idpctl
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from sp import SP

EMAIL = "browser.sso@example.org"


class Acs:
    """The portal's AssertionConsumerService: keeps what is POSTed."""

    def __init__(self):
        self.port = free_port()
        self.posts = []
        self.cond = threading.Condition()
        acs = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                form = urllib.parse.parse_qs(self.rfile.read(n).decode())
                with acs.cond:
                    acs.posts.append(form)
                    acs.cond.notify_all()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(b"<html><body><h1>portal</h1></body></html>")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port),
                                                      Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, count, timeout=20):
        with self.cond:
            ok = self.cond.wait_for(lambda: len(self.posts) >= count, timeout)
        assert ok, "nothing arrived at the ACS"
        return self.posts[count - 1]

    def stop(self):
        self.server.shutdown()


def chromium(javascript):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless", "--no-sandbox", "--disable-gpu",
              "--disable-background-networking", "--disable-component-update",
              "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
              "--user-data-dir=" + tempfile.mkdtemp(prefix="chromium-")):
        opts.add_argument(a)
    if not javascript:
        opts.add_experimental_option("prefs", {
            "profile.managed_default_content_settings.javascript": 2})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"),
                            options=opts)


def login_at_portal(ctx, d, relay):
    _, url = ctx.sp.redirect_url(ctx.idp_entity, relay)
    d.get(url)
    WebDriverWait(d, 15).until(lambda drv: "/login" in drv.current_url)
    d.find_element(By.ID, "email").send_keys(EMAIL)
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    d.find_element(By.CSS_SELECTOR,
                   'form[action="/login"] button[type="submit"]').click()


def test_autosubmit(ctx):
    d = chromium(True)
    try:
        login_at_portal(ctx, d, "rs-js")
        form = ctx.acs.wait(1)
        WebDriverWait(d, 15).until(
            lambda drv: drv.current_url == ctx.sp.acs)
    finally:
        d.quit()
    assert form["RelayState"] == ["rs-js"]
    resp = ctx.sp.parse(form["SAMLResponse"][0])
    assert resp.ava["givenName"] == ["Erika"]


def test_button_without_javascript(ctx):
    d = chromium(False)
    try:
        login_at_portal(ctx, d, "rs-nojs")
        WebDriverWait(d, 15).until(
            lambda drv: "/saml/continue" in drv.current_url)
        # Nothing goes out by itself; the visible button sends it.
        assert len(ctx.acs.posts) == 1
        button = d.find_element(By.CSS_SELECTOR,
                                '#saml-post button[type="submit"]')
        assert button.is_displayed()
        button.click()
        form = ctx.acs.wait(2)
    finally:
        d.quit()
    assert form["RelayState"] == ["rs-nojs"]
    ctx.sp.parse(form["SAMLResponse"][0])


def setup(ctx):
    keyed_database(ctx, "ssobrowser", ctx.tmp)
    ok(idpctl(ctx.db, "account", "create", "--email", EMAIL,
              "--given-name", "Erika", "--family-name", "Mustermann",
              "--verified", stdin=PASSWORD + "\n"))
    ctx.acs = Acs()
    ctx.sp = SP(ctx.tmp, "spb", acs="http://127.0.0.1:%d/acs" % ctx.acs.port)
    add_sp(ctx, ctx.sp.metadata(), "--release", "given_name",
           "--no-encrypt-assertions")
    start_idpd(ctx, (ctx.sp,))


def cleanup(ctx, runner):
    if ctx.acs is not None:
        ctx.acs.stop()


def main():
    ctx = Ctx(tempfile.mkdtemp(prefix="sso-browser-", dir="."), acs=None)
    return run_tests(ctx, setup, [test_autosubmit,
                                  test_button_without_javascript], cleanup)


if __name__ == "__main__":
    sys.exit(main())
