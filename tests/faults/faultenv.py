"""What the fault tests (tests/faults, scripts/faults.sh) share, on top of
tests/account/harness.py: a registration load of many browsers, and the
check that no account is half-written: an account exists with its
verification token and exactly one verification mail in the outbox, or
not at all.

Importing this module puts tests/account on sys.path.
"""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "account"))

from harness import Browser  # noqa: E402

PASSWORD = "Lindenbaum-Brunnen-42"


def register(port, email):
    """One registration of @email through the real form on @port: the
    POST's status, or "conn" when the connection failed."""
    b = Browser(port)
    try:
        f = b.get("/register")
        if f.status != 200:
            return f.status
        return b.post("/register", {
            "email": email, "password": PASSWORD, "password2": PASSWORD,
            "given_name": "Erika", "family_name": "Mustermann",
            "csrf": f.csrf()}).status
    except OSError:
        return "conn"


class Load:
    """@threads browsers registering fresh addresses (prefix @tag) on
    @port until stop(); results: e-mail -> status of its POST."""

    def __init__(self, port, tag, threads=4):
        self.port = port
        self.tag = tag
        self.results = {}
        self.lock = threading.Lock()
        self.halt = threading.Event()
        self.n = 0
        self.threads = [threading.Thread(target=self.run, args=(i,))
                        for i in range(threads)]
        for t in self.threads:
            t.start()

    def run(self, i):
        k = 0
        while not self.halt.is_set():
            email = "%s-%d-%d@example.org" % (self.tag, i, k)
            k += 1
            st = register(self.port, email)
            with self.lock:
                self.results[email] = (st, time.monotonic())
            if st != 200:
                time.sleep(0.02)  # no busy loop against a dead server

    def statuses(self, since=0.0):
        with self.lock:
            return [st for st, t in self.results.values() if t >= since]

    def stop(self):
        self.halt.set()
        for t in self.threads:
            t.join(60)
        return dict((e, st) for e, (st, _) in self.results.items())


def accounts_whole(db, tag):
    """No half account among the addresses of @tag: each account row is
    complete, has one unused verification token and exactly one mail in
    the outbox, and no mail or token exists without its account. The set
    of registered addresses."""
    like = "%s-%%" % tag
    rows = db.query(
        "SELECT a.email, a.password_hash IS NOT NULL, a.given_name,"
        " a.family_name,"
        " (SELECT count(*) FROM email_tokens t WHERE t.account_id = a.id"
        "  AND t.purpose = 'verify'),"
        " (SELECT count(*) FROM mail_outbox m WHERE m.recipient = a.email)"
        " FROM accounts a WHERE a.email LIKE '%s'" % like)
    emails = set()
    for line in rows.splitlines():
        email, hashed, given, family, tokens, mails = line.split("|")
        assert hashed == "t" and given == "Erika" and \
            family == "Mustermann", line
        assert tokens == "1", "account %s has %s tokens" % (email, tokens)
        assert mails == "1", "account %s has %s mails" % (email, mails)
        emails.add(email)
    orphans = db.query(
        "SELECT count(*) FROM mail_outbox m WHERE m.recipient LIKE '%s'"
        " AND NOT EXISTS (SELECT 1 FROM accounts a"
        " WHERE a.email = m.recipient)" % like)
    assert orphans == "0", "%s mails without an account" % orphans
    return emails


def wait_all_sent(db, tag, timeout=30.0):
    """Until every outbox mail of @tag is marked sent."""
    deadline = time.monotonic() + timeout
    like = "%s-%%" % tag
    while True:
        left = db.query("SELECT count(*) FROM mail_outbox WHERE recipient"
                        " LIKE '%s' AND sent_at IS NULL" % like)
        if left == "0":
            return
        if time.monotonic() > deadline:
            raise AssertionError("%s mails of %s not sent within %ss: %s"
                                 % (left, tag, timeout, db.query(
                                     "SELECT attempts, last_error FROM"
                                     " mail_outbox WHERE sent_at IS NULL"
                                     " LIMIT 3")))
        time.sleep(0.2)


def healthy(srv):
    """@srv still runs (same process) and is ready."""
    assert srv.alive(), srv.logtext()[-3000:]
    r = Browser(srv.port).get("/readyz")
    return r.status == 200
