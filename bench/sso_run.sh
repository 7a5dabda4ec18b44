#!/bin/bash
# SSO benchmark: a throwaway PostgreSQL, a master key file and an active
# RSA-3072 signing key, one verified account, one SP (pysaml2 metadata,
# registered with --no-require-signed-requests), idpd, then
# bench/sso_bench with two ceilings measured in the same run:
# `openssl speed -seconds 3 rsa3072` and idpd's response builder alone
# (bench/sso_build_bench).
#
# usage: bench/sso_run.sh [connections] [seconds]
#   BENCH_PG_FAST=1: PostgreSQL without fsync and synchronous_commit
#   (pg.sh --fast), to see what the commit of each response costs; the
#   default is a durable PostgreSQL, as in production.
#   SSO_BENCH=PATH, SSO_BUILD_BENCH=PATH: other builds of sso_bench and
#   sso_build_bench (e.g. with sanitizers); BENCH_BUILD=DIR: another
#   build for everything.
# Needs a build in build/ (make build) and Debian's python3-pysaml2
# (/usr/bin/python3, not a pyenv python). Prints the table of sso_bench.
# bench/all.sh runs all scenarios.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
CONNS=${1:-4}
SECS=${2:-15}

bench_init ssobench
bench_pg_start
bench_account
bench_signing_key
bench_sp
bench_idpd
curl -fs "http://127.0.0.1:$PORT/saml/metadata" >/dev/null || {
	echo "sso_run: /saml/metadata does not answer" >&2
	cat "$IDPD_LOG" >&2
	exit 1
}

echo "machine: $(nproc) cores, $(bench_cpu), load average $(cut -d' ' \
	-f1-3 /proc/loadavg) before the run"
echo "openssl: $(openssl version)"
if [ "${BENCH_PG_FAST:-0}" = 1 ]; then
	echo "postgresql: fsync off (BENCH_PG_FAST)"
else
	echo "postgresql: fsync on"
fi
BENCH_OPENSSL_SIGN=$(bench_openssl_sign)
# The in-process ceiling: before idpd gets any load.
BENCH_INPROCESS_RESPONSE=$(bench_builder_rate)
export BENCH_OPENSSL_SIGN BENCH_INPROCESS_RESPONSE
"${SSO_BENCH:-$BUILD/bench/sso_bench}" "http://127.0.0.1:$PORT" \
	bench@example.org - "$SP_ENTITY" "$SP_ACS" "$CONNS" "$SECS" \
	"$IDPD_PID" || {
	rc=$?
	tail -20 "$IDPD_LOG" >&2
	exit $rc
}
