"""An aiosmtpd handler for the mail tests: keeps every message exactly as
it arrived.

Run as
    PYTHONPATH=tests/mail python3 -m aiosmtpd -n -l 127.0.0.1:PORT \
        -c smtp_sink.RawSink DIR

Each accepted message becomes DIR/<n>.eml (the DATA bytes as received,
after SMTP dot-unstuffing, CRLF line ends kept) and DIR/<n>.env (the
envelope: MAIL FROM on the first line, then one RCPT TO per line). Both
are written under a temporary name and renamed, so a reader counting
*.eml never sees a partial message; the .env file is renamed first.

The aiosmtpd command line cannot set up SMTP AUTH, so for the tests of
credentials this file also runs on its own:
    python3 smtp_sink.py --auth USER:PASSWORD PORT DIR
serves the same sink on 127.0.0.1:PORT, offering AUTH PLAIN and LOGIN
without TLS and accepting only USER with PASSWORD (535 otherwise; mail
without AUTH is refused with 530), until SIGTERM.
"""

import itertools
import os
import signal
import sys


class RawSink:
    def __init__(self, directory):
        self.dir = directory
        self.seq = itertools.count(1)

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("usage: -c smtp_sink.RawSink DIR")
        return cls(args[0])

    def _put(self, name, data):
        tmp = os.path.join(self.dir, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(self.dir, name))

    async def handle_DATA(self, server, session, envelope):
        n = "%06d.%d" % (next(self.seq), os.getpid())
        env = [envelope.mail_from] + list(envelope.rcpt_tos)
        self._put(n + ".env", ("\n".join(env) + "\n").encode())
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        self._put(n + ".eml", content)
        return "250 OK"


class OneUser:
    """Accepts exactly one user name and password."""

    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult
        ok = (getattr(auth_data, "login", None) == self.user and
              getattr(auth_data, "password", None) == self.password)
        # handled=False: aiosmtpd answers 535 itself.
        return AuthResult(success=ok, handled=False)


def main(argv):
    import logging
    import warnings
    from aiosmtpd.controller import Controller
    # AUTH without TLS is the point of this server; say so only once.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    if len(argv) != 5 or argv[1] != "--auth" or ":" not in argv[2]:
        sys.stderr.write("usage: smtp_sink.py --auth USER:PASSWORD PORT DIR\n")
        return 2
    user, password = argv[2].split(":", 1)
    controller = Controller(RawSink(argv[4]), hostname="127.0.0.1",
                            port=int(argv[3]),
                            authenticator=OneUser(user, password),
                            auth_required=True, auth_require_tls=False)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    controller.start()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
