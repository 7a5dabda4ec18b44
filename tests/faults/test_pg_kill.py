#!/usr/bin/env python3
"""PostgreSQL killed (SIGKILL to the postmaster and every backend, no
shutdown) while browsers register accounts on idpd, then started again
(crash recovery). idpd must not crash, answer 503 while the database is
gone (and /healthz 200), recover without a restart, and leave no half
account: each account exists complete with exactly one verification mail
in the outbox, or not at all; every registration answered 200 has its
account; every mail is delivered exactly once once the database is back.

The cluster is the test's own (harness.PgCluster), so the shared test
server of IDP_TEST_CONNINFO keeps running for the other tests.
"""
import sys
import tempfile
import time

import faultenv  # noqa: F401 (puts tests/account on sys.path)
from faultenv import Load, accounts_whole, healthy, wait_all_sent
from harness import Browser, Database, Idpd, Mailbox, PgCluster, Runner, \
    idpctl

TAG = "pgkill"


def test_pg_killed_under_registration_load(env):
    srv = env.srv
    pid = srv.proc.pid
    load = Load(srv.port, TAG, threads=4)
    try:
        time.sleep(1.5)
        assert 200 in load.statuses(), load.statuses()
        env.cluster.kill()
        down = time.monotonic()
        # While it is down: /healthz answers, the rest says 503.
        health = []
        while time.monotonic() - down < 2.5:
            health.append(Browser(srv.port).get("/healthz").status)
            time.sleep(0.1)
        assert set(health) == {200}, health
        r = Browser(srv.port).get("/readyz")
        assert r.status == 503, r.status
        late = load.statuses(since=down + 1.0)
        assert late and set(late) == {503}, sorted(set(map(str, late)))
        env.cluster.start()
        up = time.monotonic()
        while not healthy(srv):
            assert time.monotonic() - up < 10, "no recovery within 10s"
            time.sleep(0.1)
        print("# ready again %.2fs after PostgreSQL accepted connections"
              % (time.monotonic() - up))
        time.sleep(1.5)
        assert 200 in load.statuses(since=time.monotonic() - 1.0), \
            "no registration succeeded after the recovery"
    finally:
        results = load.stop()
    assert srv.alive() and srv.proc.pid == pid, "idpd was restarted"
    bad = {e: s for e, s in results.items() if s not in (200, 503)}
    assert not bad, list(bad.items())[:5]
    emails = accounts_whole(env.db, TAG)
    ok = {e for e, s in results.items() if s == 200}
    assert ok <= emails, sorted(ok - emails)[:5]
    # A 503 may still have committed (the answer was lost, not the data).
    print("# %d registrations: %d answered 200, %d answered 503, %d"
          " accounts" % (len(results), len(ok), len(results) - len(ok),
                         len(emails)))
    wait_all_sent(env.db, TAG)
    time.sleep(0.5)
    for e in emails:
        assert env.mbox.count(e) == 1, (e, env.mbox.count(e))
    strays = [r for r, _ in env.mbox.messages if r[0] not in emails]
    assert not strays, strays[:3]


class Env:
    pass


def main():
    env = Env()
    env.tmp = tempfile.mkdtemp(prefix="pgkill-", dir=".")
    runner = Runner()
    env.cluster = PgCluster()
    env.db = env.mbox = env.srv = None
    try:
        env.db = Database("pgkill", admin=env.cluster.admin)
        r = idpctl(env.db, "db", "migrate")
        assert r.returncode == 0, r.stderr
        env.mbox = Mailbox()
        env.srv = Idpd(env.db, env.mbox)
        runner.run(test_pg_killed_under_registration_load, env)
    finally:
        if env.srv is not None:
            if runner.failed:
                print(env.srv.logtext()[-6000:])
            rc = env.srv.stop()
            if rc != 0:
                runner.failed += 1
                print("not ok - idpd exit status %s" % rc)
        if env.mbox is not None:
            env.mbox.stop()
        env.cluster.destroy()
    return runner.finish()


if __name__ == "__main__":
    sys.exit(main())
