#!/usr/bin/env python3
"""idpd serving HTTPS itself (issue 6): the real idpd with certificates made
by the openssl CLI (a root, an intermediate and a leaf; the certificate
file holds the chain), real clients on loopback (Python's ssl, i.e.
OpenSSL 3). TLS 1.2 and 1.3 work; TLS 1.0 and 1.1, CBC/3DES/RC4-only and
non-forward-secret clients are refused -- and each refused client is first
shown to work against `openssl s_server`, so a refusal is idpd's doing and
not a client that cannot talk at all. Plain HTTP and junk to the TLS port
do not hurt idpd. HSTS and Secure __Host- cookies over https. Config
errors: one line each, exit status 1 like any config error, no key
material in it. Our copies of the PEM key are wiped after the start.
"""
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import warnings

from harness import Database, Runner, free_port, idpctl

IDPD = os.environ["IDPD"]
# TLS 1.0 and 1.1 clients are the point of one test.
warnings.filterwarnings("ignore", category=DeprecationWarning)


def sh(*args, **kw):
    subprocess.run(args, check=True, capture_output=True, **kw)


def make_pki(d):
    """root -> intermediate -> leaf (RSA, SAN IP:127.0.0.1); an EC leaf."""
    def ext(name, text):
        p = os.path.join(d, name)
        with open(p, "w") as f:
            f.write(text)
        return p
    ca_ext = ext("ca.ext", "basicConstraints=critical,CA:TRUE\n"
                 "keyUsage=critical,keyCertSign,cRLSign\n")
    leaf_ext = ext("leaf.ext", "basicConstraints=CA:FALSE\n"
                   "keyUsage=critical,digitalSignature,keyEncipherment\n"
                   "extendedKeyUsage=serverAuth\n"
                   "subjectAltName=IP:127.0.0.1\n")
    j = lambda n: os.path.join(d, n)  # noqa: E731
    sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
       "-keyout", j("root.key"), "-out", j("root.pem"), "-days", "2",
       "-subj", "/CN=Test Root")
    for name, issuer, e, alg in (("int", "root", ca_ext, "rsa:2048"),
                                 ("leaf", "int", leaf_ext, "rsa:2048"),
                                 ("ecleaf", "int", leaf_ext, "ec")):
        extra = ["-pkeyopt", "ec_paramgen_curve:P-256"] if alg == "ec" \
            else []
        sh("openssl", "req", "-new", "-newkey", alg, *extra, "-nodes",
           "-keyout", j(name + ".key"), "-out", j(name + ".csr"),
           "-subj", "/CN=" + name)
        sh("openssl", "x509", "-req", "-in", j(name + ".csr"), "-CA",
           j(issuer + ".pem"), "-CAkey", j(issuer + ".key"),
           "-CAcreateserial", "-out", j(name + ".pem"), "-days", "2",
           "-extfile", e)
    for name in ("leaf", "ecleaf"):
        with open(j(name + "-chain.pem"), "w") as f:
            f.write(open(j(name + ".pem")).read())
            f.write(open(j("int.pem")).read())
    for k in os.listdir(d):
        if k.endswith(".key"):
            os.chmod(j(k), 0o600)


class TlsIdpd:
    """idpd over TLS on a free loopback port."""

    def __init__(self, ctx, cert, key, extra_env=None):
        self.port = free_port()
        self.log = os.path.join(ctx.tmp, "idpd-%d.log" % self.port)
        env = dict(os.environ)
        env.update({
            "IDP_DATABASE_CONNINFO": ctx.db.conninfo,
            "IDP_SERVER_PORT": str(self.port),
            "IDP_SERVER_PUBLIC_URL": "https://127.0.0.1:%d" % self.port,
            "IDP_SERVER_THREADS": "2",
            "IDP_SERVER_TLS_CERTIFICATE_FILE": cert,
            "IDP_SERVER_TLS_KEY_FILE": key,
            "IDP_KEYS_MASTER_KEY_FILE": os.path.join(ctx.tmp, "none.key"),
            "IDP_MAIL_FILE": os.path.join(ctx.tmp, "mail.log"),
        })
        env.update(extra_env or {})
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([IDPD], env=env, stdout=log,
                                         stderr=log)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("idpd exited: " + self.logtext())
            try:
                if https_get(self.port, "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("idpd did not start: " + self.logtext())

    def logtext(self):
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return f.read()

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)
        return self.proc.returncode


def client_ctx(cafile=None, version=None, ciphers=None):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if cafile:
        c.load_verify_locations(cafile)
    else:
        c.check_hostname = False
        c.verify_mode = ssl.CERT_NONE
    if version is not None:
        c.minimum_version = version
        c.maximum_version = version
    if ciphers is not None:
        c.set_ciphers(ciphers)
    return c


def handshake(port, c):
    """(protocol, cipher) of a completed handshake; raises on refusal."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        with c.wrap_socket(s, server_hostname="127.0.0.1") as t:
            return t.version(), t.cipher()[0]


def https_get(port, path, c=None):
    """(status, headers as list, body) over TLS, by hand: http.client
    would hide nothing here, but this keeps the context explicit."""
    c = c or client_ctx()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        with c.wrap_socket(s, server_hostname="127.0.0.1") as t:
            t.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Connection: close\r\n\r\n" % path).encode())
            data = b""
            while True:
                chunk = t.recv(65536)
                if not chunk:
                    break
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = [tuple(x.strip() for x in ln.split(":", 1)) for ln in lines[1:]]
    return status, headers, body


def refused(port, c):
    try:
        v = handshake(port, c)
    except (ssl.SSLError, OSError):
        return True
    raise AssertionError("handshake succeeded: %r" % (v,))


class SServer:
    """openssl s_server that accepts what the client under test offers,
    to show the client itself works."""

    def __init__(self, ctx, args):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["openssl", "s_server", "-accept", "127.0.0.1:%d" % self.port,
             "-cert", ctx.leaf_chain, "-key", ctx.leaf_key, "-quiet"]
            + args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                # A failed handshake does not stop s_server.
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("s_server did not start")

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def works_elsewhere(ctx, c, server_args):
    s = SServer(ctx, server_args)
    try:
        handshake(s.port, c)
    finally:
        s.stop()


# --- a running idpd over TLS -----------------------------------------


def test_tls13_and_chain(ctx):
    # Verified against the root only: the intermediate must come from
    # the certificate file's chain.
    v, cipher = handshake(ctx.srv.port, client_ctx(cafile=ctx.root))
    assert v == "TLSv1.3", v
    assert cipher in ("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
                      "TLS_CHACHA20_POLY1305_SHA256"), cipher


def test_tls12_aead_ecdhe(ctx):
    v, cipher = handshake(ctx.srv.port, client_ctx(
        cafile=ctx.root, version=ssl.TLSVersion.TLSv1_2))
    assert v == "TLSv1.2", v
    assert cipher.startswith("ECDHE-RSA-") and (
        "GCM" in cipher or "CHACHA20" in cipher), cipher
    # Each AEAD suite of the default on its own.
    for name in ("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                 "ECDHE-RSA-CHACHA20-POLY1305"):
        v, cipher = handshake(ctx.srv.port, client_ctx(
            version=ssl.TLSVersion.TLSv1_2, ciphers=name))
        assert (v, cipher) == ("TLSv1.2", name), (v, cipher)


def test_old_versions_refused(ctx):
    for ver, flag in ((ssl.TLSVersion.TLSv1, "-tls1"),
                      (ssl.TLSVersion.TLSv1_1, "-tls1_1")):
        c = client_ctx(version=ver, ciphers="ALL:@SECLEVEL=0")
        works_elsewhere(ctx, c, [flag, "-cipher", "ALL:@SECLEVEL=0"])
        assert refused(ctx.srv.port, c)
    assert ctx.srv.alive()


def test_weak_ciphers_refused(ctx):
    weak = {
        # CBC with and without ECDHE, 3DES, RC4 (gone from OpenSSL 3:
        # set_ciphers keeps what it knows).
        "cbc": "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:"
               "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:"
               "AES128-SHA:AES256-SHA:AES128-SHA256:DES-CBC3-SHA:RC4-SHA:"
               "@SECLEVEL=0",
        # AEAD but no forward secrecy (RSA key exchange).
        "no_fs": "AES128-GCM-SHA256:AES256-GCM-SHA384",
        # Finite-field DHE: not in our default.
        "dhe": "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
    }
    for name, ciphers in weak.items():
        c = client_ctx(version=ssl.TLSVersion.TLSv1_2, ciphers=ciphers)
        works_elsewhere(ctx, c, ["-tls1_2", "-cipher", ciphers])
        assert refused(ctx.srv.port, c), name
    assert ctx.srv.alive()


def test_plain_http_and_junk(ctx):
    for payload in (b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                    b"\x16\x03\x01\x00\x05junk",
                    b"\x16\x03\x03\xff\xff" + b"A" * 4096,
                    b"\x00" * 100, b""):
        with socket.create_connection(("127.0.0.1", ctx.srv.port), 5) as s:
            s.sendall(payload)
            s.settimeout(5)
            try:
                got = s.recv(4096)
            except (socket.timeout, ConnectionResetError):
                got = b""
            # Never an HTTP answer in clear text.
            assert not got.startswith(b"HTTP/"), got[:40]
    assert ctx.srv.alive()
    assert https_get(ctx.srv.port, "/healthz")[0] == 200


def test_healthz_hsts_secure_cookies(ctx):
    status, headers, body = https_get(ctx.srv.port, "/healthz")
    assert status == 200 and body == b"ok\n", (status, body)
    h = dict((k.lower(), v) for k, v in headers)
    assert h["strict-transport-security"].startswith("max-age="), h
    status, headers, body = https_get(ctx.srv.port, "/login")
    assert status == 200, status
    cookies = [v for k, v in headers if k.lower() == "set-cookie"]
    assert cookies, headers
    for c in cookies:
        assert c.startswith("__Host-"), c
        attrs = [a.strip() for a in c.split(";")]
        assert "Secure" in attrs and "HttpOnly" in attrs, c


def test_key_wiped(ctx):
    """idpd's copies of the PEM key (the file's text, lines and line
    breaks as they are) are gone from its memory once it serves. GnuTLS
    keeps the parsed key, as it must; see docs/deployment.md."""
    if b"libasan" in subprocess.run(["ldd", IDPD], capture_output=True
                                    ).stdout:
        print("# skipped memory scan under ASan (its own allocator)")
        return
    text = open(ctx.leaf_key).read()
    lines = [ln for ln in text.splitlines() if not ln.startswith("-----")]
    pairs = [(a + "\n" + b).encode() for a, b in zip(lines, lines[1:])]
    assert len(pairs) > 10
    pid = ctx.srv.proc.pid
    hits = 0
    with open("/proc/%d/maps" % pid) as maps, \
            open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for m in maps:
            f = m.split()
            if "r" not in f[1]:
                continue
            a, b = (int(x, 16) for x in f[0].split("-"))
            try:
                mem.seek(a)
                data = mem.read(b - a)
            except (OSError, ValueError, OverflowError):
                continue
            hits += sum(1 for p in pairs if p in data)
    assert hits == 0, "%d pieces of the PEM key in idpd's memory" % hits


def test_ec_key(ctx):
    srv = TlsIdpd(ctx, ctx.ec_chain, ctx.ec_key)
    try:
        c = client_ctx(cafile=ctx.root, version=ssl.TLSVersion.TLSv1_2)
        v, cipher = handshake(srv.port, c)
        assert v == "TLSv1.2" and cipher.startswith("ECDHE-ECDSA-"), cipher
        assert handshake(srv.port, client_ctx(cafile=ctx.root))[0] == \
            "TLSv1.3"
    finally:
        assert srv.stop() == 0


# --- configuration errors --------------------------------------------


def start_fails(ctx, env, want, check_config=False):
    e = dict(os.environ)
    e.update({
        "IDP_DATABASE_CONNINFO": ctx.db.conninfo,
        "IDP_SERVER_PUBLIC_URL": "https://idp.example.org",
        "IDP_SERVER_PORT": str(free_port()),
        "IDP_MAIL_FILE": os.path.join(ctx.tmp, "mail.log"),
    })
    e.update(env)
    args = [IDPD] + (["--check-config"] if check_config else [])
    r = subprocess.run(args, env=e, capture_output=True, text=True,
                       timeout=30)
    lines = r.stderr.splitlines()
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("idpd: "), lines
    assert want in lines[0], (want, lines[0])
    # No key material in the message.
    key = open(ctx.leaf_key).read().splitlines()[1]
    assert key[:20] not in r.stderr
    return lines[0]


def write(ctx, name, text, mode=0o600):
    p = os.path.join(ctx.tmp, name)
    with open(p, "w" if isinstance(text, str) else "wb") as f:
        f.write(text)
    os.chmod(p, mode)
    return p


def test_config_errors(ctx):
    cert, key = ctx.leaf_chain, ctx.leaf_key
    T = "IDP_SERVER_TLS_CERTIFICATE_FILE"
    K = "IDP_SERVER_TLS_KEY_FILE"
    # The reference: an ordinary config error exits 1 with one line.
    start_fails(ctx, {"IDP_SERVER_PORT": "0"}, "IDP_SERVER_PORT")
    start_fails(ctx, {T: cert}, "tls_key_file")
    start_fails(ctx, {K: key}, "tls_certificate_file")
    start_fails(ctx, {T: cert, K: key,
                      "IDP_SERVER_PUBLIC_URL": "http://127.0.0.1:8080"},
                "must start with https://")
    start_fails(ctx, {T: os.path.join(ctx.tmp, "missing.pem"), K: key},
                "No such file or directory")
    start_fails(ctx, {T: ctx.tmp, K: key}, "not a regular file")
    for mode in (0o644, 0o640, 0o604, 0o620):
        k = write(ctx, "open.key", open(key).read(), mode)
        line = start_fails(ctx, {T: cert, K: k}, "has mode 0%o" % mode)
        assert "group or others" in line, line
    # Unreadable: as an unprivileged user (root reads everything).
    if shutil.which("setpriv") and os.geteuid() == 0:
        k = write(ctx, "root-only.key", open(key).read(), 0o600)
        e = dict(os.environ)
        e.update({T: cert, K: k,
                  "IDP_SERVER_PUBLIC_URL": "https://idp.example.org",
                  "IDP_MAIL_FILE": "/tmp/x"})
        os.chmod(ctx.tmp, 0o755)
        os.chmod(cert, 0o644)
        r = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup",
                            "--clear-groups", IDPD, "--check-config"],
                           env=e, capture_output=True, text=True)
        assert r.returncode == 1, r
        assert r.stderr.count("\n") == 1 and \
            "Permission denied" in r.stderr, r.stderr
    garbage = write(ctx, "garbage.pem", "this is not a certificate\n")
    start_fails(ctx, {T: garbage, K: key}, "holds no PEM certificate")
    gk = write(ctx, "garbage.key", "not a key\n")
    start_fails(ctx, {T: cert, K: gk}, "holds no PEM private key")
    bad64 = write(ctx, "bad64.pem", "-----BEGIN CERTIFICATE-----\n"
                  "!!!!notbase64!!!!\n-----END CERTIFICATE-----\n")
    start_fails(ctx, {T: bad64, K: key}, "not accepted by GnuTLS")
    badkey = write(ctx, "bad64.key", "-----BEGIN PRIVATE KEY-----\n"
                   "AAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n")
    start_fails(ctx, {T: cert, K: badkey}, "not accepted by GnuTLS")
    # A key of another certificate.
    start_fails(ctx, {T: cert, K: ctx.ec_key}, "not accepted by GnuTLS")
    nul = write(ctx, "nul.pem", open(cert).read() + "\0junk")
    start_fails(ctx, {T: nul, K: key}, "NUL bytes")
    big = write(ctx, "big.pem", "A" * (64 * 1024 + 1))
    start_fails(ctx, {T: big, K: key}, "larger than")
    combined = write(ctx, "combined.pem",
                     open(cert).read() + open(key).read(), 0o644)
    start_fails(ctx, {T: combined, K: key}, "contains a private key")
    enc = os.path.join(ctx.tmp, "enc.key")
    sh("openssl", "pkey", "-in", key, "-out", enc, "-aes256", "-passout",
       "pass:secret")
    os.chmod(enc, 0o600)
    start_fails(ctx, {T: cert, K: enc}, "is encrypted")
    start_fails(ctx, {T: cert, K: key,
                      "IDP_SERVER_TLS_PRIORITIES": "NORMAL:+NONSENSE"},
                "not accepted by GnuTLS")
    fifo = os.path.join(ctx.tmp, "fifo.key")
    os.mkfifo(fifo, 0o600)
    start_fails(ctx, {T: cert, K: fifo}, "not a regular file")
    # --check-config reads and checks the files too.
    start_fails(ctx, {T: garbage, K: key}, "holds no PEM certificate",
                check_config=True)
    e = dict(os.environ)
    e.update({T: cert, K: key,
              "IDP_SERVER_PUBLIC_URL": "https://idp.example.org"})
    r = subprocess.run([IDPD, "--check-config"], env=e, capture_output=True,
                       text=True)
    assert r.returncode == 0 and "is valid" in r.stdout, r


def main():
    tmp = tempfile.mkdtemp(prefix="tls-", dir=".")
    ctx = type("Ctx", (), {})()
    ctx.tmp = os.path.abspath(tmp)
    pki = os.path.join(ctx.tmp, "pki")
    os.mkdir(pki)
    make_pki(pki)
    ctx.root = os.path.join(pki, "root.pem")
    ctx.leaf_chain = os.path.join(pki, "leaf-chain.pem")
    ctx.leaf_key = os.path.join(pki, "leaf.key")
    ctx.ec_chain = os.path.join(pki, "ecleaf-chain.pem")
    ctx.ec_key = os.path.join(pki, "ecleaf.key")
    ctx.db = Database("tls")
    ctx.srv = None
    runner = Runner()
    try:
        r = idpctl(ctx.db, "db", "migrate")
        assert r.returncode == 0, r.stderr
        ctx.srv = TlsIdpd(ctx, ctx.leaf_chain, ctx.leaf_key)
        for t in (test_tls13_and_chain, test_tls12_aead_ecdhe,
                  test_old_versions_refused, test_weak_ciphers_refused,
                  test_plain_http_and_junk, test_healthz_hsts_secure_cookies,
                  test_key_wiped, test_ec_key, test_config_errors):
            runner.run(t, ctx)
        rc = ctx.srv.stop()
        if rc != 0:
            print("not ok - idpd exit status %d: %s"
                  % (rc, ctx.srv.logtext()[-2000:]))
            runner.failed += 1
    finally:
        if ctx.srv is not None and ctx.srv.alive():
            ctx.srv.stop()
        ctx.db.drop()
        shutil.rmtree(ctx.tmp, ignore_errors=True)
    return runner.finish()


if __name__ == "__main__":
    sys.exit(main())
