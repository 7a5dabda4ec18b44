#!/bin/bash
# SSO benchmark: a throwaway PostgreSQL, a master key file and an active
# RSA-3072 signing key, one verified account, one SP (pysaml2 metadata,
# registered with --no-require-signed-requests), idpd, then
# bench/sso_bench with two ceilings measured in the same run:
# `openssl speed -seconds 3 rsa3072` and an in-process EVP sign loop.
#
# usage: bench/sso_run.sh [connections] [seconds]
#   BENCH_PG_FAST=1: PostgreSQL without fsync and synchronous_commit
#   (pg.sh --fast), to see what the commit of each response costs; the
#   default is a durable PostgreSQL, as in production.
#   SSO_BENCH=PATH, SSO_BUILD_BENCH=PATH: other builds of sso_bench and
#   sso_build_bench (e.g. with sanitizers).
# Needs a build in build/ (make build) and Debian's python3-pysaml2
# (/usr/bin/python3, not a pyenv python). Prints the table of sso_bench.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CONNS=${1:-4}
SECS=${2:-15}

PG_TMP=$(mktemp -d /tmp/idp-ssobench-pg.XXXXXX)
PG=(bash "$ROOT/scripts/pg.sh" "$PG_TMP")
IDPD_PID=""
cleanup() {
	[ -n "$IDPD_PID" ] && kill -TERM "$IDPD_PID" 2>/dev/null &&
		wait "$IDPD_PID" 2>/dev/null
	"${PG[@]}" stop >/dev/null 2>&1 || true
	rm -rf "$PG_TMP"
}
trap cleanup EXIT

PG_INIT=(init)
[ "${BENCH_PG_FAST:-0}" = 1 ] && PG_INIT+=(--fast)
"${PG[@]}" "${PG_INIT[@]}" >/dev/null
"${PG[@]}" start >/dev/null
export IDP_DATABASE_CONNINFO
IDP_DATABASE_CONNINFO=$("${PG[@]}" conninfo)
PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export IDP_SERVER_PORT=$PORT IDP_SERVER_PUBLIC_URL=http://127.0.0.1:$PORT
export IDP_LOG_LEVEL=warn IDP_MAIL_FILE=$PG_TMP/mail.log
export IDP_KEYS_MASTER_KEY_FILE=$PG_TMP/master.key

build/idpctl db migrate >/dev/null
export BENCH_PASSWORD="bench-Passwort-$RANDOM-$RANDOM"
printf '%s\n' "$BENCH_PASSWORD" |
	build/idpctl account create --email bench@example.org \
		--given-name Bench --family-name Mark --verified >/dev/null

# The signing key: RSA-3072 (the default of keys generate), active now.
build/idpctl keys init >/dev/null
KEY_ID=$(build/idpctl keys generate --quiet)
build/idpctl keys activate --force "$KEY_ID" >/dev/null

# One SP, its metadata by pysaml2 (tests/saml_sso/sp.py): signed
# assertions, unsigned requests (sso_bench makes its own).
SP_OUT=$(cd "$ROOT/tests/saml_sso" && /usr/bin/python3 - "$PG_TMP" <<'PY'
import sys
from sp import SP
sp = SP(sys.argv[1], "bench", authn_requests_signed=False)
print(sp.metadata())
print(sp.entity_id)
print(sp.acs)
PY
)
{ read -r SP_META; read -r SP_ENTITY; read -r SP_ACS; } <<<"$SP_OUT"
build/idpctl sp add --metadata "$SP_META" \
	--release given_name,family_name,email --attribute-profile oid \
	--nameid persistent --no-require-signed-requests \
	--no-encrypt-assertions >/dev/null

build/idpd 2>"$PG_TMP/idpd.log" &
IDPD_PID=$!
for _ in $(seq 100); do
	curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
	sleep 0.1
done
curl -fs "http://127.0.0.1:$PORT/saml/metadata" >/dev/null || {
	echo "sso_run: /saml/metadata does not answer" >&2
	cat "$PG_TMP/idpd.log" >&2
	exit 1
}

CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
echo "machine: $(nproc) cores, $CPU, load average $(cut -d' ' -f1-3 \
	/proc/loadavg) before the run"
echo "openssl: $(openssl version)"
if [ "${BENCH_PG_FAST:-0}" = 1 ]; then
	echo "postgresql: fsync off (BENCH_PG_FAST)"
else
	echo "postgresql: fsync on"
fi
# One core: openssl speed runs a single process unless -multi is given.
# The columns of its result line: rsa 3072 bits, sign s, verify s, sign/s,
# verify/s.
SPEED=$(openssl speed -seconds 3 rsa3072 2>/dev/null |
	awk '$1 == "rsa" && $2 == "3072" && $3 == "bits" { print $6 }')
export BENCH_OPENSSL_SIGN=${SPEED:-0}
# The in-process ceiling: idpd's response builder alone on one core, for
# the same SP and account, before idpd gets any load.
INPROC=$("${SSO_BUILD_BENCH:-build/bench/sso_build_bench}" \
	bench@example.org "$SP_ENTITY" "$SP_ACS" 5 2>>"$PG_TMP/idpd.log") || {
	echo "sso_run: sso_build_bench failed" >&2
	tail -5 "$PG_TMP/idpd.log" >&2
	exit 1
}
export BENCH_INPROCESS_RESPONSE=$INPROC
"${SSO_BENCH:-build/bench/sso_bench}" "http://127.0.0.1:$PORT" bench@example.org - \
	"$SP_ENTITY" "$SP_ACS" "$CONNS" "$SECS" "$IDPD_PID" || {
	rc=$?
	tail -20 "$PG_TMP/idpd.log" >&2
	exit $rc
}
