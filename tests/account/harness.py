"""Test harness for the citizen flows: a real idpd, a real PostgreSQL and a
real SMTP server (aiosmtpd) on loopback. Standard library only, plus
Debian's python3-aiosmtpd.

Environment (set by meson and scripts/test.sh):
  IDPD, IDPCTL        the built programs
  IDP_TEST_CONNINFO   a PostgreSQL role that may create databases
"""
import http.client
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import traceback
import urllib.parse
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An SMTP server on loopback that keeps every message it receives."""

    def __init__(self):
        self.messages = []
        self.cond = threading.Condition()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.cond:
            self.messages.append((list(envelope.rcpt_tos), msg))
            self.cond.notify_all()
        return "250 OK"

    def wait_for(self, to, subject_part=None, timeout=15.0, after=0):
        """The first message to @to (after index @after) whose subject contains
        @subject_part; fails after @timeout seconds."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i, (rcpts, msg) in enumerate(self.messages):
                    if i < after or to not in rcpts:
                        continue
                    if subject_part is None or subject_part in msg["Subject"]:
                        return msg
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        "no mail to %s (%s) within %ss; have: %s"
                        % (to, subject_part, timeout,
                           [(r, m["Subject"]) for r, m in self.messages]))
                self.cond.wait(left)

    def count(self, to):
        with self.cond:
            return sum(1 for rcpts, _ in self.messages if to in rcpts)

    def stop(self):
        self.controller.stop()


def body_of(msg):
    return msg.get_body(preferencelist=("plain",)).get_content()


def link_in(msg, path):
    m = re.search(r"(https?://\S+%s\?token=[A-Za-z0-9_-]+)" % re.escape(path),
                  body_of(msg))
    assert m, "no %s link in mail: %r" % (path, body_of(msg))
    return m.group(1)


def _running(pid):
    """Whether @pid exists and is no zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class PgCluster:
    """A PostgreSQL cluster of the test's own (scripts/pg.sh, --fast) in a
    fresh directory under /tmp (short socket path, and readable by the
    "postgres" user pg.sh runs the server as when we are root), for tests
    that kill and restart the server: the shared one of IDP_TEST_CONNINFO
    stays untouched. @admin is a superuser conninfo for
    Database(admin=...). destroy() removes it."""

    def __init__(self):
        self.top = tempfile.mkdtemp(prefix="idp-pg-")
        os.chmod(self.top, 0o755)
        self.dir = os.path.join(self.top, "c")
        self.pgsh = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                 "..", "..", "scripts", "pg.sh")
        self.ctl("init", "--fast")
        self.ctl("start")
        info = self.ctl("conninfo").stdout.strip()
        self.admin = info.replace("dbname=idp", "dbname=postgres")
        # --fast turns synchronous_commit off: a crash would then lose
        # commits already acknowledged. Without fsync the data survives a
        # killed server (not a power cut), which is all these tests do.
        subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", self.admin,
                        "-c", "ALTER SYSTEM SET synchronous_commit = on",
                        "-c", "SELECT pg_reload_conf()"],
                       check=True, capture_output=True)

    def ctl(self, *args):
        return subprocess.run(["bash", self.pgsh, self.dir] + list(args),
                              check=True, capture_output=True, text=True)

    def pids(self):
        """The postmaster's pid and those of its children."""
        with open(os.path.join(self.dir, "data", "postmaster.pid")) as f:
            pm = int(f.readline())
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pm)],
                             capture_output=True, text=True).stdout
        return [pm] + [int(x) for x in out.split()]

    def kill(self):
        """SIGKILL to the postmaster and every backend: a crash, no
        shutdown. Waits until the postmaster is gone."""
        pids = self.pids()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if not any(_running(p) for p in pids):
                return
            time.sleep(0.05)
        raise AssertionError("PostgreSQL did not die")

    def start(self):
        self.ctl("start")

    def destroy(self):
        subprocess.run(["bash", self.pgsh, self.dir, "stop"],
                       capture_output=True)
        subprocess.run(["rm", "-rf", self.top])


class Database:
    """A fresh database for this test program, dropped at the end; in the
    cluster of IDP_TEST_CONNINFO unless @admin names another."""

    def __init__(self, tag, admin=None):
        self.admin = admin or os.environ.get("IDP_TEST_CONNINFO")
        if not self.admin:
            raise SystemExit("IDP_TEST_CONNINFO is not set (run make test)")
        self.name = "t_%s_%d" % (tag, os.getpid())
        self.psql_admin("DROP DATABASE IF EXISTS %s" % self.name)
        self.psql_admin("CREATE DATABASE %s" % self.name)
        self.conninfo = self.admin + " dbname=" + self.name

    def psql_admin(self, sql):
        subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1",
                        self.admin, "-c", sql], check=True,
                       capture_output=True)

    def query(self, sql):
        out = subprocess.run(["psql", "-qAtX", "-v", "ON_ERROR_STOP=1",
                              self.conninfo, "-c", sql], check=True,
                             capture_output=True, text=True)
        return out.stdout.strip()

    def drop(self):
        self.psql_admin("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.name)


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body
        self.text = body.decode("utf-8", "replace")

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def csrf(self):
        m = re.search(r'name="csrf" value="([^"]+)"', self.text)
        assert m, "no csrf field in page"
        return m.group(1)


class Browser:
    """A minimal browser: a cookie jar (name -> value) and requests without
    redirect following, so tests see every status and Set-Cookie."""

    def __init__(self, port, headers=None):
        self.port = port
        self.cookies = {}
        self.extra = dict(headers or {})

    def request(self, method, path, form=None, headers=None, raw_body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = dict(self.extra)
        h.update(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = raw_body
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
        if body is not None:
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        reply = Reply(r.status, r.getheaders(), r.read())
        conn.close()
        for sc in reply.all("Set-Cookie"):
            name, _, rest = sc.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in sc:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return reply

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, form, csrf_from=None, **kw):
        """POST @form; the CSRF token comes from GET @csrf_from (default: the
        same path) unless the form has one."""
        form = dict(form)
        if "csrf" not in form:
            form["csrf"] = self.get(csrf_from or path).csrf()
        return self.request("POST", path, form=form, **kw)


class Idpd:
    """idpd on a free loopback port (or @port) against @db, mails to
    @mailbox (None: no SMTP settings, @extra_env chooses the mail mode).
    Several nodes of one IdP share @public_url (default: their own
    address)."""

    def __init__(self, db, mailbox, extra_env=None, public_url=None,
                 port=None):
        self.port = port or free_port()
        self.public = public_url or "http://127.0.0.1:%d" % self.port
        self.log = tempfile.NamedTemporaryFile(prefix="idpd-", suffix=".log",
                                               dir=".", delete=False)
        env = dict(os.environ)
        env.update({
            "IDP_DATABASE_CONNINFO": db.conninfo,
            "IDP_SERVER_PORT": str(self.port),
            "IDP_SERVER_PUBLIC_URL": self.public,
            "IDP_SERVER_THREADS": "2",
            # Fast hashing for tests; the defaults are OWASP's minimum.
            "IDP_ACCOUNTS_PASSWORD_MEMLIMIT": "1M",
            "IDP_ACCOUNTS_PASSWORD_OPSLIMIT": "1",
        })
        if mailbox is not None:
            env.update({
                "IDP_MAIL_MODE": "smtp",
                "IDP_MAIL_SMTP_URL": "smtp://127.0.0.1:%d" % mailbox.port,
                "IDP_MAIL_SMTP_STARTTLS": "false",
            })
        env.update(extra_env or {})
        self.env = env
        self.proc = subprocess.Popen([os.environ["IDPD"]], env=env,
                                     stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("idpd exited: " + self.logtext())
            try:
                if Browser(self.port).get("/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("idpd did not start: " + self.logtext())

    def logtext(self):
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def alive(self):
        return self.proc.poll() is None

    def kill(self):
        """SIGKILL: no shutdown at all. stop() afterwards removes the log
        and returns -9."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(20)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(20)
        os.unlink(self.log.name)
        return self.proc.returncode


def idpctl(db, *args, stdin=None, env=None):
    e = dict(os.environ)
    e["IDP_DATABASE_CONNINFO"] = db.conninfo
    e.update(env or {})
    return subprocess.run([os.environ["IDPCTL"]] + list(args), env=e,
                          input=stdin, capture_output=True, text=True)


class Runner:
    """Runs test functions in order, prints TAP-like lines and the summary
    line 'N passed, N failed'; exits non-zero on any failure."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, fn, *args):
        try:
            fn(*args)
            self.passed += 1
            print("ok - %s" % fn.__name__, flush=True)
        except Exception as e:  # a failed test must not stop the others
            self.failed += 1
            where = traceback.extract_tb(e.__traceback__)[-1]
            print("not ok - %s: %s: %s (%s:%d: %s)"
                  % (fn.__name__, type(e).__name__, e,
                     os.path.basename(where.filename), where.lineno,
                     where.line), flush=True)

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed else 0
