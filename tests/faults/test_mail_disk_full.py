#!/usr/bin/env python3
"""A full disk under the mail file ([mail] mode = file): registration
still answers 200, the mails stay in the outbox with the write error and
are retried, nothing half-written lands in the file, idpd stays ready;
once there is room again every mail is written exactly once.

The full disk is a 16 KiB tmpfs filled up (needs mount rights: root in a
container that allows it). Without them the file is /dev/full, where
every write fails with ENOSPC; the recovery is then shown by restarting
idpd with a writable file ([mail] file needs a restart anyway).
The retry delay after a failure is 30 s and more (backoff); the test sets
next_attempt_at to now instead of waiting.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

import faultenv  # noqa: F401 (puts tests/account on sys.path)
from faultenv import accounts_whole, register, wait_all_sent
from harness import Browser, Database, Idpd, Runner, idpctl

TAG = "diskfull"


def try_mount(mnt):
    os.makedirs(mnt, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k,mode=0755",
                        "tmpfs", mnt], capture_output=True)
    return r.returncode == 0


def fill(mnt):
    """Fill @mnt to the last byte."""
    fd = os.open(os.path.join(mnt, "filler"), os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"x" * 512)
    except OSError:
        pass
    finally:
        os.close(fd)


def mails_in(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    return text, re.findall(r"^To: (\S+)$", text, re.M)


def test_disk_full(env):
    emails = ["%s-%d@example.org" % (TAG, i) for i in range(3)]
    for e in emails:
        assert register(env.srv.port, e) == 200
    # The sender tries, fails on the full disk, and keeps the mails.
    deadline = time.monotonic() + 15
    while env.db.query("SELECT count(*) FROM mail_outbox WHERE attempts"
                       " >= 1 AND sent_at IS NULL AND failed_at IS NULL"
                       " AND last_error IS NOT NULL") != "3":
        assert time.monotonic() < deadline, env.db.query(
            "SELECT attempts, sent_at, last_error FROM mail_outbox")
        time.sleep(0.2)
    print("# the error recorded: %s" % env.db.query(
        "SELECT last_error FROM mail_outbox LIMIT 1"))
    assert accounts_whole(env.db, TAG) == set(emails)
    r = Browser(env.srv.port).get("/readyz")
    assert r.status == 200 and env.srv.alive()
    if env.mnt:
        assert os.path.getsize(env.mail_file) == 0, "half a mail written"
        os.unlink(os.path.join(env.mnt, "filler"))
    else:
        env.srv.stop()
        env.mail_file = os.path.join(env.tmp, "mail.log")
        env.srv = Idpd(env.db, None, {"IDP_MAIL_MODE": "file",
                                      "IDP_MAIL_FILE": env.mail_file})
    env.db.query("UPDATE mail_outbox SET next_attempt_at = now()")
    wait_all_sent(env.db, TAG, timeout=20)
    text, tos = mails_in(env.mail_file)
    assert sorted(tos) == sorted(emails), tos
    assert env.srv.alive()


class Env:
    pass


def main():
    env = Env()
    env.tmp = os.path.abspath(tempfile.mkdtemp(prefix="diskfull-", dir="."))
    runner = Runner()
    env.db = Database("diskfull")
    env.srv = None
    mnt = os.path.join(env.tmp, "mnt")
    # IDP_TEST_FAULTS_NO_MOUNT=1 tries the /dev/full variant.
    env.mnt = None if os.environ.get("IDP_TEST_FAULTS_NO_MOUNT") or \
        not try_mount(mnt) else mnt
    try:
        r = idpctl(env.db, "db", "migrate")
        assert r.returncode == 0, r.stderr
        if env.mnt:
            env.mail_file = os.path.join(mnt, "mail.log")
            open(env.mail_file, "w").close()
            os.chmod(env.mail_file, 0o600)
            fill(mnt)
            print("# full tmpfs")
        else:
            env.mail_file = "/dev/full"
            print("# no mount rights: /dev/full")
        env.srv = Idpd(env.db, None, {"IDP_MAIL_MODE": "file",
                                      "IDP_MAIL_FILE": env.mail_file})
        runner.run(test_disk_full, env)
    finally:
        if env.srv is not None:
            if runner.failed:
                print(env.srv.logtext()[-6000:])
            rc = env.srv.stop()
            if rc != 0:
                runner.failed += 1
                print("not ok - idpd exit status %s" % rc)
        if env.mnt:
            subprocess.run(["umount", mnt])
        env.db.drop()
    return runner.finish()


if __name__ == "__main__":
    sys.exit(main())
