"""Decode mails for the C tests with Python's own email parser, an
implementation independent of ours.

    mail_decode.py FILE.eml...     one raw message per file
    mail_decode.py --mbox FILE     every message of an mboxrd file

For each message prints
    === message
    <Header>: <decoded value>       for Date, From, To, Subject,
                                    Message-ID, MIME-Version, Content-Type,
                                    Content-Transfer-Encoding,
                                    Auto-Submitted (in that order; each
                                    header as often as it occurs)
    defects: <n>                    parser defects found
    (empty line)
    <body decoded to text, line ends LF>
    === end
"""

import email
import email.policy
import mailbox
import re
import sys

# mboxrd: a line ">...>From " had one '>' added when it was written.
MBOXRD_QUOTED = re.compile(rb"^>(>*From )", re.MULTILINE)

HEADERS = ["Date", "From", "To", "Subject", "Message-ID", "MIME-Version",
           "Content-Type", "Content-Transfer-Encoding", "Auto-Submitted"]


def show(msg):
    out = ["=== message"]
    for h in HEADERS:
        for v in msg.get_all(h, []):
            out.append("%s: %s" % (h, str(v)))
    out.append("defects: %d" % len(msg.defects))
    out.append("")
    # Parsed from bytes, the text keeps the CRLF of the wire.
    body = msg.get_content().replace("\r\n", "\n")
    sys.stdout.write("\n".join(out) + "\n")
    sys.stdout.write(body)
    sys.stdout.write("=== end\n")


def main(argv):
    if len(argv) == 3 and argv[1] == "--mbox":
        box = mailbox.mbox(argv[2], factory=None, create=False)
        for key in box.keys():
            raw = MBOXRD_QUOTED.sub(rb"\1", box.get_bytes(key))
            show(email.message_from_bytes(raw, policy=email.policy.default))
        return 0
    for path in argv[1:]:
        with open(path, "rb") as f:
            raw = f.read()
        show(email.message_from_bytes(raw, policy=email.policy.default))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
