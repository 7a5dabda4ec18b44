#!/usr/bin/env python3
"""Citizen flows end to end through idpd's real HTTP endpoints: register,
verify by mail, log in, sessions, password change and reset, e-mail change,
profile, export, deletion; and the attacks on each (issue 3)."""
import hashlib
import json
import socket
import re
import sys
import time

from harness import (Browser, Database, Idpd, Mailbox, Runner, idpctl,
                     link_in)

PASSWORD = "Lindenbaum-Brunnen-42"


def register(srv, email, password=PASSWORD, **extra):
    b = Browser(srv.port)
    form = {"email": email, "password": password, "password2": password,
            "given_name": "Erika", "family_name": "Mustermann"}
    form.update(extra)
    return b, b.post("/register", form)


def verified_account(srv, mbox, email, password=PASSWORD):
    n = len(mbox.messages)
    _, r = register(srv, email, password)
    assert r.status == 200, r.status
    msg = mbox.wait_for(email, after=n)
    r = Browser(srv.port).get(link_in(msg, "/verify").split(srv.public)[1])
    assert r.status == 200, r.status


def login(srv, email, password=PASSWORD, browser=None, headers=None):
    b = browser or Browser(srv.port)
    r = b.post("/login", {"email": email, "password": password},
               headers=headers)
    return b, r


# --- registration and verification ------------------------------------


def test_register_page_is_accessible_form(srv, mbox, db):
    r = Browser(srv.port).get("/register")
    assert r.status == 200
    for field in ("email", "password", "password2", "given_name",
                  "family_name", "birth_date", "street", "postal_code",
                  "city"):
        assert re.search(r'<label[^>]+for="%s"' % field, r.text), field
        assert re.search(r'id="%s"' % field, r.text), field
    assert 'lang="de"' in r.text
    assert "/privacy" in r.text
    assert "<script" not in r.text


def test_register_verify_login_logout(srv, mbox, db):
    email = "erika@example.org"
    n = len(mbox.messages)
    _, r = register(srv, email)
    assert r.status == 200 and email in r.text
    msg = mbox.wait_for(email, after=n)
    link = link_in(msg, "/verify")
    assert link.startswith(srv.public + "/verify?token=")
    # Not verified yet: login fails like a wrong password.
    _, r = login(srv, email)
    assert r.status == 401
    path = link.split(srv.public)[1]
    assert Browser(srv.port).get(path).status == 200
    # Single use.
    assert Browser(srv.port).get(path).status == 400
    b, r = login(srv, email)
    assert r.status == 303 and r.header("Location") == "/account"
    cookie = [c for c in r.all("Set-Cookie") if c.startswith("sk_session=")]
    assert cookie and "HttpOnly" in cookie[0] and "SameSite=Lax" in cookie[0]
    r = b.get("/account")
    assert r.status == 200 and "Erika" in r.text and email in r.text
    r = b.post("/logout", {}, csrf_from="/account")
    assert r.status == 200
    assert b.get("/account").status == 303  # back to the login page
    rows = db.query("SELECT string_agg(event, ',' ORDER BY seq) FROM audit_log")
    for ev in ("account_registered", "email_verified", "login_failed",
               "login_succeeded", "logout"):
        assert ev in rows, (ev, rows)


def test_register_existing_email_looks_the_same(srv, mbox, db):
    email = "taken@example.org"
    verified_account(srv, mbox, email)
    n = len(mbox.messages)
    _, first = register(srv, "fresh@example.org")
    _, again = register(srv, email.upper())
    assert first.status == again.status == 200
    strip = lambda r, e: r.text.replace(e, "").replace(e.upper(), "")
    # Same page apart from the address and per-request values.
    norm = lambda t: re.sub(r'(value|content)="[^"]*"|[0-9a-f]{32}', "", t)
    assert norm(strip(first, "fresh@example.org")) == norm(strip(again, email))
    # The owner is told by mail instead.
    msg = mbox.wait_for(email, after=n)
    assert "/password/forgot" in msg.get_body().get_content()
    assert db.query("SELECT count(*) FROM accounts WHERE lower(email) = '%s'"
                    % email) == "1"


def test_register_existing_email_notices_are_limited(srv, mbox, db):
    """Registering again and again with a stranger's address must not
    flood their mailbox: the first few attempts are told by mail, the
    rest only audited; the page is the same every time."""
    email = "flooded@example.org"
    verified_account(srv, mbox, email)
    before = mbox.count(email)
    pages = set()
    for _ in range(6):
        _, r = register(srv, email)
        assert r.status == 200, r.status
        pages.add(re.sub(r'(value|content)="[^"]*"|[0-9a-f]{32}', "", r.text))
    assert len(pages) == 1
    # The sender delivers from the outbox: wait for three, then make sure
    # no fourth follows.
    deadline = time.time() + 15
    while mbox.count(email) - before < 3 and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(1.5)
    assert mbox.count(email) - before == 3, mbox.count(email) - before
    rows = db.query("SELECT string_agg(details->>'notice', ',' ORDER BY seq)"
                    " FROM audit_log WHERE event ="
                    " 'registration_existing_email' AND subject ="
                    " (SELECT audit_ref FROM accounts WHERE email = '%s')"
                    % email)
    assert rows == "sent,sent,sent,limit,limit,limit", rows


def test_register_refuses_bad_input(srv, mbox, db):
    cases = [
        ({"password": "password123", "password2": "password123"}, "password"),
        ({"password": "short", "password2": "short"}, "password"),
        ({"password": PASSWORD, "password2": PASSWORD + "x"}, "password2"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "a@b\r\nBcc: x@example.org"}, "email"),
        ({"given_name": ""}, "given_name"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"birth_date": "1990-02-30"}, "birth_date"),
        ({"family_name": "x" * 201}, "family_name"),
    ]
    for extra, field in cases:
        form = {"email": "bad@example.org", "password": PASSWORD,
                "password2": PASSWORD, "given_name": "Erika",
                "family_name": "Mustermann"}
        form.update(extra)
        b = Browser(srv.port)
        r = b.post("/register", form)
        assert r.status == 422, (extra, r.status)
        assert 'href="#%s"' % field in r.text, (extra, field)
        assert 'aria-invalid="true"' in r.text
        # Passwords never come back in the page.
        assert PASSWORD not in r.text
    # Control characters are refused by the form parser itself.
    b = Browser(srv.port)
    r = b.post("/register", {"email": "bad@example.org", "password": PASSWORD,
                             "password2": PASSWORD, "given_name": "Eri\x01ka",
                             "family_name": "M"})
    assert r.status == 400, r.status
    # The email equals the password: refused as personal.
    b = Browser(srv.port)
    r = b.post("/register", {"email": "same.password@example.org",
                             "password": "same.password@example.org",
                             "password2": "same.password@example.org",
                             "given_name": "A", "family_name": "B"})
    assert r.status == 422
    assert db.query("SELECT count(*) FROM accounts WHERE email LIKE 'bad@%'"
                    " OR email LIKE 'same.password@%'") == "0"


def test_unicode_password_nfc(srv, mbox, db):
    # The same password typed as composed or decomposed characters.
    composed, decomposed = "Gr\u00fc\u00dfe-aus-K\u00f6ln", "Gru\u0308\u00dfe-aus-Ko\u0308ln"
    email = "nfc@example.org"
    verified_account(srv, mbox, email, composed)
    _, r = login(srv, email, decomposed)
    assert r.status == 303


# --- CSRF, fixation, hostile input -------------------------------------


def test_csrf_required(srv, mbox, db):
    b = Browser(srv.port)
    form = {"email": "csrf@example.org", "password": PASSWORD,
            "password2": PASSWORD, "given_name": "A", "family_name": "B"}
    assert b.request("POST", "/register", form=form).status == 403
    form["csrf"] = "A" * 43
    b.get("/register")  # has a cookie now, but the token is wrong
    assert b.request("POST", "/register", form=form).status == 403
    # Another browser's token does not fit this browser's cookie.
    other = Browser(srv.port).get("/register").csrf()
    form["csrf"] = other
    assert b.request("POST", "/register", form=form).status == 403
    assert db.query("SELECT count(*) FROM accounts WHERE email = "
                    "'csrf@example.org'") == "0"


def test_session_fixation(srv, mbox, db):
    email = "fixation@example.org"
    verified_account(srv, mbox, email)
    b = Browser(srv.port)
    planted = "Q" * 43
    b.cookies["sk_session"] = planted
    b.cookies["sk_csrf"] = "R" * 43
    _, r = login(srv, email, browser=b)
    assert r.status == 303
    assert b.cookies["sk_session"] != planted
    assert b.cookies["sk_csrf"] != "R" * 43  # rotated at login
    assert b.get("/account").status == 200
    attacker = Browser(srv.port)
    attacker.cookies["sk_session"] = planted
    assert attacker.get("/account").status == 303


def test_hostile_forms(srv, mbox, db):
    b = Browser(srv.port)
    token = b.get("/login").csrf()
    # A 1 MiB password: refused by size before the body is even read.
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: "
                  b"application/x-www-form-urlencoded\r\nContent-Length: "
                  b"1048576\r\n\r\n")
        assert s.recv(64).startswith(b"HTTP/1.1 413"), "expected 413"
    raw = ("csrf=%s&email=%%FF%%FE&password=x" % token).encode()
    assert b.request("POST", "/login", raw_body=raw).status == 400
    raw = ("csrf=%s&email=a&email=b&password=x" % token).encode()
    assert b.request("POST", "/login", raw_body=raw).status == 400
    r = b.request("POST", "/login", raw_body=b"csrf=" + token.encode(),
                  headers={"Content-Type": "text/plain"})
    assert r.status == 415
    # Missing fields: a normal failed login, nothing else.
    r = b.request("POST", "/login", form={"csrf": token})
    assert r.status == 401
    for path in ("/verify?token=", "/verify?token=%00",
                 "/verify?token=" + "A" * 500, "/account/email/confirm?token=x"):
        assert b.get(path).status == 400, path
    assert b.get("/password/reset?token=zzz").status == 200  # says invalid
    assert srv.alive()


def test_host_header_does_not_reach_links(srv, mbox, db):
    email = "host@example.org"
    n = len(mbox.messages)
    b = Browser(srv.port, headers={"Host": "evil.example",
                                   "X-Forwarded-Host": "evil.example"})
    form = {"email": email, "password": PASSWORD, "password2": PASSWORD,
            "given_name": "H", "family_name": "Ost"}
    assert b.post("/register", form).status == 200
    msg = mbox.wait_for(email, after=n)
    assert "evil.example" not in msg.get_body().get_content()
    assert link_in(msg, "/verify").startswith(srv.public)


# --- throttling ----------------------------------------------------------


def test_login_throttled_per_email(srv, mbox, db):
    db.query("DELETE FROM login_throttle")
    email = "throttle@example.org"
    verified_account(srv, mbox, email)
    n = len(mbox.messages)
    statuses = [login(srv, email, "wrong-password-%d" % i)[1].status
                for i in range(7)]
    assert statuses[:5] == [401] * 5, statuses
    assert 429 in statuses[5:], statuses
    # The counter is named by a keyed hash: neither the address nor its
    # plain hash is in the table.
    keys = db.query("SELECT string_agg(key, ' ') FROM login_throttle")
    plain = hashlib.blake2b(email.encode(), digest_size=32).hexdigest()
    assert "email:" in keys and email not in keys and plain not in keys
    assert db.query("SELECT count(*) FROM settings WHERE key = "
                    "'throttle_email_key'") == "1"
    # Even the right password is not checked while throttled.
    _, r = login(srv, email)
    assert r.status == 429
    # The owner got one notice.
    msg = mbox.wait_for(email, after=n)
    assert "5" in msg.get_body().get_content()
    assert db.query("SELECT count(*) FROM audit_log WHERE event = "
                    "'login_failed'") != "0"
    # Delays are capped: the block ends by itself (here: reset the clock).
    db.query("UPDATE login_throttle SET blocked_until = now() - "
             "interval '1 s'")
    _, r = login(srv, email)
    assert r.status == 303


def test_login_flood_spread_over_addresses(srv, mbox, db):
    """Many client addresses (behind the trusted proxy) against one e-mail:
    the per-address counters never trip, the per-e-mail one does."""
    db.query("DELETE FROM login_throttle")
    email = "spread@example.org"
    verified_account(srv, mbox, email)
    statuses = []
    for i in range(8):
        xff = {"X-Forwarded-For": "198.51.100.%d" % (i + 1)}
        statuses.append(login(srv, email, "wrong-%d-password" % i,
                              headers=xff)[1].status)
    assert statuses[:5] == [401] * 5, statuses
    assert statuses[5:] == [429] * 3, statuses
    # One counter per address that got a password check; the throttled
    # attempts were answered before any check.
    keys = db.query("SELECT count(*) FROM login_throttle WHERE key LIKE "
                    "'ip:198.51.100.%'")
    assert keys == "5", keys
    db.query("DELETE FROM login_throttle")


def test_login_flood_from_one_address(srv, mbox, db):
    db.query("DELETE FROM login_throttle")
    statuses = [login(srv, "nobody%d@example.org" % i, "x" * 12)[1].status
                for i in range(24)]
    assert statuses[:20] == [401] * 20, statuses
    assert statuses[-1] == 429, statuses
    db.query("DELETE FROM login_throttle")


# --- sessions, password, e-mail, profile, export, delete ------------------


def test_sessions_and_password_change(srv, mbox, db):
    email = "sessions@example.org"
    verified_account(srv, mbox, email)
    a, _ = login(srv, email)
    b, _ = login(srv, email)
    page = a.get("/account")
    handles = re.findall(r'name="session" value="([0-9a-f]{32})"', page.text)
    assert len(handles) == 1  # b's; a's own has no button
    # Another account cannot end this session by handle.
    verified_account(srv, mbox, "other@example.org")
    o, _ = login(srv, "other@example.org")
    r = o.post("/account/sessions/end", {"session": handles[0]},
               csrf_from="/account")
    assert r.status == 400
    assert b.get("/account").status == 200
    # Wrong current password.
    r = a.post("/account/password", {"current_password": "nope-nope-nope",
                                     "password": "Neues-Passwort-99",
                                     "password2": "Neues-Passwort-99"})
    assert r.status == 422
    r = a.post("/account/password", {"current_password": PASSWORD,
                                     "password": "Neues-Passwort-99",
                                     "password2": "Neues-Passwort-99"})
    assert r.status == 303
    assert a.get("/account").status == 200  # this session stays
    assert b.get("/account").status == 303  # the other one ended
    assert login(srv, email)[1].status == 401
    assert login(srv, email, "Neues-Passwort-99")[1].status == 303
    mbox.wait_for(email, subject_part=None)


def test_password_reset(srv, mbox, db):
    email = "reset@example.org"
    verified_account(srv, mbox, email)
    other, _ = login(srv, email)
    n = len(mbox.messages)
    b = Browser(srv.port)
    known = b.post("/password/forgot", {"email": email})
    unknown = b.post("/password/forgot", {"email": "ghost@example.org"})
    assert known.status == unknown.status == 200
    norm = lambda t: re.sub(r'(value|content)="[^"]*"|[0-9a-f]{32}', "", t)
    assert norm(known.text) == norm(unknown.text)
    msg = mbox.wait_for(email, after=n)
    link = link_in(msg, "/password/reset")
    token = link.split("token=")[1]
    # A verification-purpose token is no reset token and vice versa.
    assert Browser(srv.port).get("/verify?token=" + token).status == 400
    page = b.get(link.split(srv.public)[1])
    assert page.status == 200 and 'name="token"' in page.text
    r = b.post("/password/reset", {"token": token, "password": "short",
                                   "password2": "short"},
               csrf_from="/password/reset?token=" + token)
    assert r.status == 422  # the link still works after this
    r = b.post("/password/reset", {"token": token,
                                   "password": "Zurueckgesetzt-2026",
                                   "password2": "Zurueckgesetzt-2026"},
               csrf_from="/password/reset?token=" + token)
    assert r.status == 200
    r = b.post("/password/reset", {"token": token,
                                   "password": "Nochmal-Anders-2026",
                                   "password2": "Nochmal-Anders-2026"},
               csrf_from="/password/reset?token=" + token)
    assert r.status == 400  # used
    assert other.get("/account").status == 303  # every session ended
    assert login(srv, email, "Zurueckgesetzt-2026")[1].status == 303


def test_expired_link_refused(srv, mbox, db):
    email = "expired@example.org"
    n = len(mbox.messages)
    _, r = register(srv, email)
    assert r.status == 200
    link = link_in(mbox.wait_for(email, after=n), "/verify")
    db.query("UPDATE email_tokens SET expires_at = now() - interval '1 s'")
    assert Browser(srv.port).get(link.split(srv.public)[1]).status == 400
    assert login(srv, email)[1].status == 401


def test_email_change(srv, mbox, db):
    email, new = "old.address@example.org", "new.address@example.org"
    verified_account(srv, mbox, email)
    b, _ = login(srv, email)
    r = b.post("/account/email", {"new_email": new,
                                  "current_password": "wrong-wrong-1"})
    assert r.status == 422
    n = len(mbox.messages)
    r = b.post("/account/email", {"new_email": new,
                                  "current_password": PASSWORD})
    assert r.status == 303
    link = link_in(mbox.wait_for(new, after=n), "/account/email/confirm")
    mbox.wait_for(email, after=n)  # notice to the old address
    # Not changed before the link is used.
    assert login(srv, new)[1].status == 401
    assert Browser(srv.port).get(link.split(srv.public)[1]).status == 200
    assert login(srv, new)[1].status == 303
    assert login(srv, email)[1].status == 401


def test_profile_export_delete(srv, mbox, db):
    email = "delete.me@example.org"
    verified_account(srv, mbox, email)
    b, _ = login(srv, email)
    r = b.post("/account/profile", {"given_name": "Eva", "family_name": "Beispiel",
                                    "birth_date": "1980-05-17",
                                    "street": "Hauptstr. 1",
                                    "postal_code": "10115", "city": "Berlin"})
    assert r.status == 303
    assert "Eva" in b.get("/account").text
    r = b.get("/account/export")
    assert r.status == 200
    data = json.loads(r.text)
    assert data["email"] == email and data["city"] == "Berlin"
    assert len(data["sessions"]) >= 1
    assert "password" not in r.text.lower() or "password_hash" not in r.text
    ref = db.query("SELECT audit_ref FROM accounts WHERE email = '%s'" % email)
    r = b.post("/account/delete", {"password": "wrong-wrong-1"})
    assert r.status == 422
    r = b.post("/account/delete", {"password": PASSWORD})
    assert r.status == 200
    assert db.query("SELECT count(*) FROM accounts WHERE email = '%s'"
                    % email) == "0"
    assert b.get("/account").status == 303
    # The audit keeps a pseudonymous record and no personal data.
    assert db.query("SELECT count(*) FROM audit_log WHERE subject = '%s' AND "
                    "event = 'account_deleted'" % ref) == "1"
    assert db.query("SELECT count(*) FROM audit_log WHERE details::text LIKE "
                    "'%%delete.me%%'") == "0"


# --- re-authentication with the current password -------------------------
#
# The forms that ask a logged-in citizen for the current password share
# the login's throttle counters (the account's address and the client):
# a stolen session must not give an unthrottled guessing oracle.

THROTTLED_TEXT = re.compile(r"Bitte versuchen Sie es in \d+ Min\. erneut")


def reauth_account(srv, mbox, db, email):
    db.query("DELETE FROM login_throttle")
    verified_account(srv, mbox, email)
    b, r = login(srv, email)
    assert r.status == 303, r.status
    return b


def assert_throttled(r):
    assert r.status == 429, r.status
    assert THROTTLED_TEXT.search(r.text), r.text
    assert 'role="alert"' in r.text or "error-summary" in r.text


def test_reauth_delete_throttled(srv, mbox, db):
    email = "reauth.delete@example.org"
    b = reauth_account(srv, mbox, db, email)
    for i in range(5):
        r = b.post("/account/delete", {"password": "wrong-guess-%d" % i},
                   csrf_from="/account/delete")
        assert r.status == 422, (i, r.status)
    ref = db.query("SELECT audit_ref FROM accounts WHERE email = '%s'"
                   % email)
    # The right password now changes nothing: it is not even checked.
    r = b.post("/account/delete", {"password": PASSWORD},
               csrf_from="/account/delete")
    assert_throttled(r)
    assert db.query("SELECT count(*) FROM accounts WHERE email = '%s'"
                    % email) == "1"
    assert db.query("SELECT count(*) FROM audit_log WHERE subject = '%s' "
                    "AND event = 'account_deleted'" % ref) == "0"
    assert b.get("/account").status == 200
    # And the login of the same account is throttled too.
    assert login(srv, email)[1].status == 429
    # When the block is over the right password works again.
    db.query("UPDATE login_throttle SET blocked_until = now() - "
             "interval '1 s'")
    r = b.post("/account/delete", {"password": PASSWORD},
               csrf_from="/account/delete")
    assert r.status == 200, r.status
    assert db.query("SELECT count(*) FROM accounts WHERE email = '%s'"
                    % email) == "0"
    db.query("DELETE FROM login_throttle")


def test_reauth_password_change_throttled(srv, mbox, db):
    email = "reauth.password@example.org"
    b = reauth_account(srv, mbox, db, email)
    before = db.query("SELECT password_hash FROM accounts WHERE email = "
                      "'%s'" % email)
    new = "Anderes-Passwort-77"
    for i in range(5):
        r = b.post("/account/password",
                   {"current_password": "wrong-guess-%d" % i,
                    "password": new, "password2": new},
                   csrf_from="/account/password")
        assert r.status == 422, (i, r.status)
    r = b.post("/account/password", {"current_password": PASSWORD,
                                     "password": new, "password2": new},
               csrf_from="/account/password")
    assert_throttled(r)
    assert 'id="current_password"' in r.text  # the form again
    assert db.query("SELECT password_hash FROM accounts WHERE email = "
                    "'%s'" % email) == before
    assert db.query("SELECT count(*) FROM audit_log a JOIN accounts c ON "
                    "a.subject = c.audit_ref WHERE c.email = '%s' AND "
                    "a.event = 'password_changed'" % email) == "0"
    db.query("UPDATE login_throttle SET blocked_until = now() - "
             "interval '1 s'")
    # A right password forgets the failures of the address.
    r = b.post("/account/password", {"current_password": PASSWORD,
                                     "password": new, "password2": new},
               csrf_from="/account/password")
    assert r.status == 303, r.status
    assert db.query("SELECT count(*) FROM login_throttle WHERE key LIKE "
                    "'email:%'") == "0"
    db.query("DELETE FROM login_throttle")


def test_reauth_email_change_throttled(srv, mbox, db):
    email, new = "reauth.email@example.org", "reauth.new@example.org"
    b = reauth_account(srv, mbox, db, email)
    for i in range(5):
        r = b.post("/account/email", {"new_email": new,
                                      "current_password": "wrong-%d-x" % i},
                   csrf_from="/account/email")
        assert r.status == 422, (i, r.status)
    r = b.post("/account/email", {"new_email": new,
                                  "current_password": PASSWORD},
               csrf_from="/account/email")
    assert_throttled(r)
    assert new in r.text  # the typed address is kept
    assert db.query("SELECT coalesce(pending_email, '-') FROM accounts "
                    "WHERE email = '%s'" % email) == "-"
    assert db.query("SELECT count(*) FROM email_tokens t JOIN accounts a "
                    "ON a.id = t.account_id WHERE a.email = '%s' AND "
                    "t.purpose = 'email_change'"
                    % email) == "0"
    assert mbox.count(new) == 0
    db.query("DELETE FROM login_throttle")


def test_reauth_and_login_count_together(srv, mbox, db):
    email = "reauth.mixed@example.org"
    b = reauth_account(srv, mbox, db, email)
    for i in range(3):
        assert login(srv, email, "login-guess-%d" % i)[1].status == 401
    for i in range(2):
        r = b.post("/account/delete", {"password": "form-guess-%d" % i},
                   csrf_from="/account/delete")
        assert r.status == 422, (i, r.status)
    r = b.post("/account/delete", {"password": PASSWORD},
               csrf_from="/account/delete")
    assert_throttled(r)
    assert login(srv, email)[1].status == 429
    assert db.query("SELECT count(*) FROM accounts WHERE email = '%s'"
                    % email) == "1"
    # The other way round: failures at the form throttle the login.
    db.query("DELETE FROM login_throttle")
    for i in range(5):
        r = b.post("/account/delete", {"password": "form-guess-%d" % i},
                   csrf_from="/account/delete")
        assert r.status == 422, (i, r.status)
    assert login(srv, email)[1].status == 429
    db.query("DELETE FROM login_throttle")


def test_reauth_eid_forms_throttled(srv, mbox, db):
    """The eID link and unlink forms check the password before any eID
    step, so they can be reached without the eID service."""
    email = "reauth.eid@example.org"
    b = reauth_account(srv, mbox, db, email)
    for i in range(3):
        r = b.post("/account/eid/link", {"password": "wrong-link-%d" % i},
                   csrf_from="/account/eid")
        assert r.status == 422, (i, r.status)
    for i in range(2):
        r = b.post("/account/eid/unlink",
                   {"unlink_password": "wrong-unlink-%d" % i},
                   csrf_from="/account/eid")
        assert r.status == 422, (i, r.status)
    assert db.query("SELECT count(*) FROM audit_log WHERE event IN "
                    "('eid_link_failed', 'eid_unlink_failed')") == "5"
    r = b.post("/account/eid/unlink", {"unlink_password": PASSWORD},
               csrf_from="/account/eid")
    # In the summary (the unlink form itself shows only with a card).
    assert_throttled(r)
    r = b.post("/account/eid/link", {"password": PASSWORD},
               csrf_from="/account/eid")
    assert_throttled(r)
    assert 'id="password-error"' in r.text
    # Throttled attempts are no password checks: nothing more audited.
    assert db.query("SELECT count(*) FROM audit_log WHERE event IN "
                    "('eid_link_failed', 'eid_unlink_failed')") == "5"
    db.query("DELETE FROM login_throttle")


def test_audit_chain_intact(srv, mbox, db):
    r = idpctl(db, "audit", "verify")
    assert r.returncode == 0, r.stdout + r.stderr
    assert srv.alive()


def main():
    db = Database("flows")
    r = idpctl(db, "db", "migrate")
    if r.returncode != 0:
        db.drop()
        raise SystemExit("migrate failed: " + r.stderr)
    mbox = Mailbox()
    # The test client is also the trusted proxy: requests without
    # X-Forwarded-For come from 127.0.0.1, the others from what it says.
    srv = Idpd(db, mbox, {"IDP_SERVER_TRUSTED_PROXIES": "127.0.0.1"})
    runner = Runner()
    try:
        for fn in [test_register_page_is_accessible_form,
                   test_register_verify_login_logout,
                   test_register_existing_email_looks_the_same,
                   test_register_existing_email_notices_are_limited,
                   test_register_refuses_bad_input,
                   test_unicode_password_nfc,
                   test_csrf_required,
                   test_session_fixation,
                   test_hostile_forms,
                   test_host_header_does_not_reach_links,
                   test_login_throttled_per_email,
                   test_login_flood_spread_over_addresses,
                   test_login_flood_from_one_address,
                   test_sessions_and_password_change,
                   test_password_reset,
                   test_expired_link_refused,
                   test_email_change,
                   test_profile_export_delete,
                   test_reauth_delete_throttled,
                   test_reauth_password_change_throttled,
                   test_reauth_email_change_throttled,
                   test_reauth_and_login_count_together,
                   test_reauth_eid_forms_throttled,
                   test_audit_chain_intact]:
            runner.run(fn, srv, mbox, db)
    finally:
        srv.stop()
        mbox.stop()
        db.drop()
    return runner.finish()


if __name__ == "__main__":
    sys.exit(main())
