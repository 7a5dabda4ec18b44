#!/usr/bin/env python3
"""End to end in headless Chromium (Debian's chromium + chromedriver, driven
by python3-selenium): register, read the mail, verify, log in, change the
password, log out. Saves a screenshot of every page into SCREENSHOT_DIR
(default: the test's build folder); scripts/screenshots.sh regenerates
docs/screenshots/ with it."""
import os
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from harness import Database, Idpd, Mailbox, Runner, idpctl, link_in

PASSWORD = "Sonnenblume-Leuchtturm-7"
NEW_PASSWORD = "Regenbogen-Wasserfall-8"
EMAIL = "browser@example.org"


class Shots:
    def __init__(self, driver):
        self.driver = driver
        self.dir = os.environ.get("SCREENSHOT_DIR", ".")
        os.makedirs(self.dir, exist_ok=True)
        self.n = 0

    def take(self, name):
        self.n += 1
        # Full-page height so nothing is cut off.
        height = self.driver.execute_script(
            "return document.documentElement.scrollHeight")
        self.driver.set_window_size(1024, max(700, min(height + 40, 3000)))
        path = os.path.join(self.dir, "%02d-%s.png" % (self.n, name))
        assert self.driver.save_screenshot(path), path


def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless", "--no-sandbox", "--disable-gpu",
              "--disable-background-networking", "--disable-component-update",
              "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
              "--user-data-dir=" + tempfile.mkdtemp(prefix="chromium-"),
              "--lang=de-DE"):
        opts.add_argument(a)
    opts.add_experimental_option("prefs", {"intl.accept_languages": "de-DE,de"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"),
                            options=opts)


def fill(d, **fields):
    for name, value in fields.items():
        el = d.find_element(By.ID, name)
        el.clear()
        el.send_keys(value)


def submit(d, form_action):
    """Click the form's submit button and wait until the next document has
    loaded: a marker set on the old window is gone in the new one."""
    d.execute_script("window.__before_submit = true")
    d.find_element(By.CSS_SELECTOR,
                   'form[action="%s"] button[type="submit"]' % form_action).click()
    WebDriverWait(d, 15).until(lambda drv: drv.execute_script(
        "return window.__before_submit === undefined && "
        "document.readyState === 'complete'"))


def test_citizen_journey(srv, mbox, db, d, shots):
    base = srv.public
    d.get(base + "/")
    assert d.find_element(By.TAG_NAME, "h1").text
    shots.take("home")

    d.get(base + "/register")
    shots.take("register")
    fill(d, email=EMAIL, password="passwort", password2="passwort",
         given_name="Erika", family_name="Mustermann")
    submit(d, "/register")
    # The common password is refused, with an error summary linked to it.
    summary = d.find_element(By.CSS_SELECTOR, '[role="alert"]')
    assert summary.find_element(By.CSS_SELECTOR, 'a[href="#password"]')
    shots.take("register-errors")
    fill(d, password=PASSWORD, password2=PASSWORD)
    submit(d, "/register")
    assert EMAIL in d.page_source
    shots.take("register-done")

    link = link_in(mbox.wait_for(EMAIL), "/verify")
    assert link.startswith(base)
    d.get(link)
    shots.take("verified")

    d.get(base + "/login")
    shots.take("login")
    fill(d, email=EMAIL, password=PASSWORD)
    submit(d, "/login")
    assert d.current_url.startswith(base + "/account")
    assert "Erika" in d.page_source
    shots.take("account")

    d.get(base + "/account/password")
    shots.take("password-change")
    fill(d, current_password=PASSWORD, password=NEW_PASSWORD,
         password2=NEW_PASSWORD)
    submit(d, "/account/password")
    assert d.current_url.startswith(base + "/account")
    shots.take("password-changed")

    # Log out with the button in the header.
    submit(d, "/logout")
    shots.take("logged-out")
    d.get(base + "/account")
    assert d.current_url.startswith(base + "/login")

    # The new password works, the old one does not.
    fill(d, email=EMAIL, password=PASSWORD)
    submit(d, "/login")
    assert "/login" in d.current_url
    shots.take("login-failed")
    fill(d, email=EMAIL, password=NEW_PASSWORD)
    submit(d, "/login")
    assert d.current_url.startswith(base + "/account")

    # English on request.
    d.get(base + "/account?lang=en")
    assert d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    shots.take("account-en")


def main():
    db = Database("browser")
    r = idpctl(db, "db", "migrate")
    if r.returncode != 0:
        db.drop()
        raise SystemExit("migrate failed: " + r.stderr)
    mbox = Mailbox()
    srv = Idpd(db, mbox)
    runner = Runner()
    d = browser()
    try:
        runner.run(test_citizen_journey, srv, mbox, db, d, Shots(d))
    finally:
        d.quit()
        srv.stop()
        mbox.stop()
        db.drop()
    return runner.finish()


if __name__ == "__main__":
    sys.exit(main())
