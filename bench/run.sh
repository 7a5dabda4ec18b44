#!/bin/bash
# Login benchmark: a throwaway PostgreSQL, idpd with the production
# Argon2id defaults, one verified account, then bench/login_bench.
#
# usage: bench/run.sh [connections] [seconds]
# Needs a build in build/ (make build). Prints the table of login_bench.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CONNS=${1:-4}
SECS=${2:-15}

PG_TMP=$(mktemp -d /tmp/idp-bench-pg.XXXXXX)
PG=(bash "$ROOT/scripts/pg.sh" "$PG_TMP")
IDPD_PID=""
cleanup() {
	[ -n "$IDPD_PID" ] && kill -TERM "$IDPD_PID" 2>/dev/null && wait "$IDPD_PID" 2>/dev/null
	"${PG[@]}" stop >/dev/null 2>&1 || true
	rm -rf "$PG_TMP"
}
trap cleanup EXIT

"${PG[@]}" init >/dev/null
"${PG[@]}" start >/dev/null
export IDP_DATABASE_CONNINFO
IDP_DATABASE_CONNINFO=$("${PG[@]}" conninfo)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export IDP_SERVER_PORT=$PORT IDP_SERVER_PUBLIC_URL=http://127.0.0.1:$PORT
export IDP_LOG_LEVEL=warn IDP_MAIL_FILE=$PG_TMP/mail.log
# The production defaults (OWASP minimum), stated for the benchmark too.
export IDP_ACCOUNTS_PASSWORD_MEMLIMIT=$((19 * 1024 * 1024))
export IDP_ACCOUNTS_PASSWORD_OPSLIMIT=2

build/idpctl db migrate >/dev/null
export BENCH_PASSWORD="bench-Passwort-$RANDOM-$RANDOM"
printf '%s\n' "$BENCH_PASSWORD" |
	build/idpctl account create --email bench@example.org \
		--given-name Bench --family-name Mark --verified >/dev/null
build/idpd 2>"$PG_TMP/idpd.log" &
IDPD_PID=$!
for _ in $(seq 100); do
	curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
	sleep 0.1
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
build/bench/login_bench "http://127.0.0.1:$PORT" bench@example.org - "$CONNS" "$SECS"
