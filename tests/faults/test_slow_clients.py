#!/usr/bin/env python3
"""A flood of slow connections (slowloris): many sockets that send a
request one header byte at a time, each just inside the idle timeout.
libmicrohttpd has no deadline for a whole request (docs/architecture.md),
so what protects everybody else is [server] max_connections_per_ip: one
address gets that many slots and no more, while clients from other
addresses are served at once. A trickle that stops is closed after
connection_timeout.

All of loopback is 127.0.0.0/8: the flood comes from 127.0.0.2 (and, for
the spread flood, from 127.0.0.10 to .39), the well-behaved client from
127.0.0.1. No proxy: the socket's address is the client's.
"""
import socket
import sys
import threading
import time

import faultenv  # noqa: F401 (puts tests/account on sys.path)
from harness import Browser, Database, Idpd, Runner, idpctl

PER_IP = 16
TIMEOUT_S = 4
REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + \
    b"a" * 4000


def open_slow(port, source, n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind((source, 0))
        s.settimeout(2)
        try:
            s.connect(("127.0.0.1", port))
            s.send(REQUEST[:1])
        except OSError:
            s.close()
            continue
        s.settimeout(None)  # still_open() peeks without waiting
        socks.append(s)
    return socks


def still_open(s):
    """Whether the server still holds @s open."""
    try:
        data = s.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK)
        return data != b""
    except BlockingIOError:  # nothing to read, not closed
        return True
    except OSError:  # reset
        return False


class Trickle:
    """One more byte on each socket every second, until stop()."""

    def __init__(self, socks):
        self.socks = socks
        self.halt = threading.Event()
        self.t = threading.Thread(target=self.run)
        self.t.start()

    def run(self):
        k = 1
        while not self.halt.wait(1.0):
            for s in self.socks:
                try:
                    s.send(REQUEST[k:k + 1])
                except OSError:
                    pass
            k += 1

    def stop(self):
        self.halt.set()
        self.t.join()


def served(port, n=10, limit_s=1.0):
    """@n requests for /healthz from 127.0.0.1: the slowest one's time."""
    worst = 0.0
    for _ in range(n):
        t = time.monotonic()
        r = Browser(port).get("/healthz")
        took = time.monotonic() - t
        assert r.status == 200, r.status
        assert took < limit_s, "a normal client waited %.2fs" % took
        worst = max(worst, took)
        time.sleep(0.1)
    return worst


def test_flood_from_one_address(env):
    socks = open_slow(env.srv.port, "127.0.0.2", 200)
    trickle = Trickle(socks)
    try:
        time.sleep(2.5)
        worst = served(env.srv.port)
        held = sum(still_open(s) for s in socks)
        print("# 200 slow sockets from one address: %d held open by idpd,"
              " normal client's slowest /healthz %.3fs" % (held, worst))
        assert held <= PER_IP, held
        assert held >= PER_IP // 2, "the flood did not get its slots"
        # The trickling ones survive the idle timeout...
        time.sleep(TIMEOUT_S + 1)
        assert sum(still_open(s) for s in socks) == held
    finally:
        trickle.stop()
    # ...and go once they stop sending.
    time.sleep(TIMEOUT_S + 2)
    assert sum(still_open(s) for s in socks) == 0
    for s in socks:
        s.close()
    assert env.srv.alive()


def test_flood_spread_over_addresses(env):
    socks = []
    for i in range(30):
        socks += open_slow(env.srv.port, "127.0.0.%d" % (10 + i), 5)
    trickle = Trickle(socks)
    try:
        time.sleep(1.5)
        worst = served(env.srv.port)
        held = sum(still_open(s) for s in socks)
        print("# %d slow sockets from 30 addresses: %d held, normal"
              " client's slowest /healthz %.3fs" % (len(socks), held, worst))
        assert held == 150, held
    finally:
        trickle.stop()
        for s in socks:
            s.close()
    assert env.srv.alive()
    assert Browser(env.srv.port).get("/readyz").status == 200


class Env:
    pass


def main():
    env = Env()
    runner = Runner()
    env.db = Database("slow")
    env.srv = None
    try:
        r = idpctl(env.db, "db", "migrate")
        assert r.returncode == 0, r.stderr
        env.srv = Idpd(env.db, None, {
            "IDP_MAIL_MODE": "file", "IDP_MAIL_FILE": "/dev/null",
            "IDP_SERVER_MAX_CONNECTIONS": "400",
            "IDP_SERVER_MAX_CONNECTIONS_PER_IP": str(PER_IP),
            "IDP_SERVER_CONNECTION_TIMEOUT": str(TIMEOUT_S)})
        runner.run(test_flood_from_one_address, env)
        runner.run(test_flood_spread_over_addresses, env)
    finally:
        if env.srv is not None:
            if runner.failed:
                print(env.srv.logtext()[-6000:])
            rc = env.srv.stop()
            if rc != 0:
                runner.failed += 1
                print("not ok - idpd exit status %s" % rc)
        env.db.drop()
    return runner.finish()


if __name__ == "__main__":
    sys.exit(main())
