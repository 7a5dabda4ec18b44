#!/bin/bash
# What the benchmark scripts share (sourced by bench/all.sh, bench/run.sh
# and bench/sso_run.sh, never run): a throwaway PostgreSQL, the account,
# the signing key and the SP of the SSO benchmark, idpd nodes, the
# machine facts, and the cleanup of all of it on exit.
#
# The caller sets ROOT (the source tree) and calls bench_init first.
#   BENCH_BUILD=DIR: the build to use (default: build/ in the tree).
#   BENCH_PG_FAST=1: PostgreSQL without fsync and synchronous_commit
#   (pg.sh --fast); the default is a durable PostgreSQL, as in production.

# bench_init TAG: the temporary directory (PG_TMP), the pg.sh command
# (PG), BUILD, and the cleanup trap.
bench_init() {
	BUILD=${BENCH_BUILD:-$ROOT/build}
	PG_TMP=$(mktemp -d "/tmp/idp-$1-pg.XXXXXX")
	PG=(bash "$ROOT/scripts/pg.sh" "$PG_TMP")
	IDPD_PIDS=()
	IDPD_URLS=()
	trap bench_cleanup EXIT
}

bench_cleanup() {
	local pid
	for pid in "${IDPD_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	"${PG[@]}" stop >/dev/null 2>&1 || true
	rm -rf "$PG_TMP"
}

# bench_pg_start: init and start PostgreSQL, migrate, and export what
# idpd and idpctl read: the database, warn-level logs, mail to a file (no
# SMTP server), a master key file, the production Argon2id defaults
# (OWASP minimum, stated for the benchmark too).
bench_pg_start() {
	local init=(init)
	[ "${BENCH_PG_FAST:-0}" = 1 ] && init+=(--fast)
	"${PG[@]}" "${init[@]}" >/dev/null
	"${PG[@]}" start >/dev/null
	export IDP_DATABASE_CONNINFO
	IDP_DATABASE_CONNINFO=$("${PG[@]}" conninfo)
	export IDP_LOG_LEVEL=warn IDP_MAIL_FILE=$PG_TMP/mail.log
	export IDP_KEYS_MASTER_KEY_FILE=$PG_TMP/master.key
	export IDP_ACCOUNTS_PASSWORD_MEMLIMIT=$((19 * 1024 * 1024))
	export IDP_ACCOUNTS_PASSWORD_OPSLIMIT=2
	"$BUILD/idpctl" db migrate >/dev/null
}

# A free TCP port on 127.0.0.1.
bench_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# bench_account: the verified account bench@example.org, its password in
# BENCH_PASSWORD (exported, so it never shows in ps).
bench_account() {
	export BENCH_PASSWORD="bench-Passwort-$RANDOM-$RANDOM"
	printf '%s\n' "$BENCH_PASSWORD" |
		"$BUILD/idpctl" account create --email bench@example.org \
			--given-name Bench --family-name Mark --verified >/dev/null
}

# bench_signing_key: an RSA-3072 signing key (the default of keys
# generate), active now.
bench_signing_key() {
	local key_id
	"$BUILD/idpctl" keys init >/dev/null
	key_id=$("$BUILD/idpctl" keys generate --quiet)
	"$BUILD/idpctl" keys activate --force "$key_id" >/dev/null
}

# bench_sp: one SP, its metadata by pysaml2 (tests/saml_sso/sp.py, needs
# Debian's python3-pysaml2): signed assertions, unsigned requests (the
# benchmark makes its own). Sets SP_ENTITY and SP_ACS.
bench_sp() {
	local out meta
	out=$(cd "$ROOT/tests/saml_sso" && /usr/bin/python3 - "$PG_TMP" <<'PY'
import sys
from sp import SP
sp = SP(sys.argv[1], "bench", authn_requests_signed=False)
print(sp.metadata())
print(sp.entity_id)
print(sp.acs)
PY
)
	{ read -r meta; read -r SP_ENTITY; read -r SP_ACS; } <<<"$out"
	"$BUILD/idpctl" sp add --metadata "$meta" \
		--release given_name,family_name,email --attribute-profile oid \
		--nameid persistent --no-require-signed-requests \
		--no-encrypt-assertions >/dev/null
}

# bench_idpd: one more idpd node on a free port, with its own public URL,
# its log in PG_TMP/idpd-PORT.log; waits for /healthz. Appends to
# IDPD_PIDS and IDPD_URLS; sets IDPD_PID, IDPD_LOG, PORT and exports
# IDP_SERVER_PORT and IDP_SERVER_PUBLIC_URL for that node.
bench_idpd() {
	PORT=$(bench_port)
	export IDP_SERVER_PORT=$PORT
	export IDP_SERVER_PUBLIC_URL=http://127.0.0.1:$PORT
	IDPD_LOG=$PG_TMP/idpd-$PORT.log
	"$BUILD/idpd" 2>"$IDPD_LOG" &
	IDPD_PID=$!
	IDPD_PIDS+=("$IDPD_PID")
	IDPD_URLS+=("$IDP_SERVER_PUBLIC_URL")
	for _ in $(seq 100); do
		curl -fs "$IDP_SERVER_PUBLIC_URL/healthz" >/dev/null && return 0
		sleep 0.1
	done
	echo "bench: idpd on port $PORT does not answer /healthz" >&2
	cat "$IDPD_LOG" >&2
	return 1
}

# The CPU model name.
bench_cpu() {
	grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'
}

# bench_openssl_sign: sign/s of `openssl speed -seconds 3 rsa3072` on one
# core (a single process unless -multi is given). The columns of its
# result line: rsa 3072 bits, sign s, verify s, sign/s, verify/s.
bench_openssl_sign() {
	local speed
	speed=$(openssl speed -seconds 3 rsa3072 2>/dev/null |
		awk '$1 == "rsa" && $2 == "3072" && $3 == "bits" { print $6 }')
	echo "${speed:-0}"
}

# bench_builder_rate: idpd's response builder alone on one core
# (sso_build_bench, 5 s), for the SP and account of bench_sp and
# bench_account, with the environment of the last bench_idpd.
bench_builder_rate() {
	"${SSO_BUILD_BENCH:-$BUILD/bench/sso_build_bench}" \
		bench@example.org "$SP_ENTITY" "$SP_ACS" 5 2>>"$PG_TMP/build.log" || {
		echo "bench: sso_build_bench failed" >&2
		tail -5 "$PG_TMP/build.log" >&2
		return 1
	}
}
