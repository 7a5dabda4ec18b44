#!/bin/bash
# All load scenarios in one run, as one table: SSO with a session
# (sso_bench), password logins (login_bench) and registrations
# (register_bench), each for a fixed time against the same throwaway
# PostgreSQL and the same idpd nodes, each next to its in-process ceiling
# measured in the same run on the same machine.
#
# usage: bench/all.sh [seconds] [connections] [nodes]
#   (defaults 15, 4, 1) nodes > 1: that many idpd processes on different
#   ports against the same database, each with its own public URL;
#   connection i of every scenario goes to node i % nodes.
#   BENCH_BUILD=DIR: the build to use (default build/);
#   BENCH_PG_FAST=1: PostgreSQL without fsync (default: fsync on).
# Needs Debian's python3-pysaml2 (/usr/bin/python3) for the SP metadata.
# Prints the machine facts, then a Markdown table and per scenario the
# operations per idpd CPU-second; the raw key=value lines of each
# scenario go to stderr with BENCH_VERBOSE=1. Exits 1 when a scenario
# failed (more than 1 % errors), after printing the table.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
SECS=${1:-15}
CONNS=${2:-4}
NODES=${3:-1}
case "$NODES" in
[1-9] | 1[0-6]) ;;
*)
	echo "usage: bench/all.sh [seconds] [connections] [nodes 1-16]" >&2
	exit 2
	;;
esac

bench_init allbench
bench_pg_start
bench_account
bench_signing_key
bench_sp
for _ in $(seq "$NODES"); do
	bench_idpd
done
URLS=$(IFS=,; echo "${IDPD_URLS[*]}")
PIDS=$(IFS=,; echo "${IDPD_PIDS[*]}")

echo "machine: $(nproc) cores, $(bench_cpu), $(free -m |
	awk '/^Mem:/ { print $2 }') MiB RAM, load average $(cut -d' ' \
	-f1-3 /proc/loadavg) before the run"
echo "software: $(openssl version | cut -d' ' -f1-2), PostgreSQL" \
	"$(psql --version | awk '{ print $3 }')" \
	"(fsync $([ "${BENCH_PG_FAST:-0}" = 1 ] && echo off || echo on))," \
	"Argon2id m=$((IDP_ACCOUNTS_PASSWORD_MEMLIMIT / 1024)) KiB" \
	"t=$IDP_ACCOUNTS_PASSWORD_OPSLIMIT, RSA-3072 signing key"
echo "run: $SECS s per scenario, $CONNS connections, $NODES idpd" \
	"node(s): $URLS"

# The SSO ceilings, before idpd gets any load.
BENCH_OPENSSL_SIGN=$(bench_openssl_sign)
BENCH_INPROCESS_RESPONSE=$(bench_builder_rate)
export BENCH_OPENSSL_SIGN BENCH_INPROCESS_RESPONSE

# run NAME PROGRAM ARGS...: one scenario, its key=value lines in
# PG_TMP/NAME.kv. A failed scenario (more than 1 % errors) still gets its
# row in the table, its stderr and the tail of each idpd log go to
# stderr, and all.sh exits 1 at the end.
FAILED=0
run() {
	local name=$1 log
	shift
	if ! "$@" >"$PG_TMP/$name.kv" 2>"$PG_TMP/$name.err"; then
		FAILED=1
		echo "bench: $name failed:" >&2
		cat "$PG_TMP/$name.err" >&2
		for log in "$PG_TMP"/idpd-*.log; do
			tail -5 "$log" >&2
		done
	fi
	# Other work on the machine moves every figure: say how much there was.
	echo "load_average_after=$(cut -d' ' -f1 /proc/loadavg)" \
		>>"$PG_TMP/$name.kv"
	if [ "${BENCH_VERBOSE:-0}" = 1 ]; then
		cat "$PG_TMP/$name.kv" "$PG_TMP/$name.err" >&2
	fi
	if ! grep -q '^ok_per_s=' "$PG_TMP/$name.kv"; then
		echo "bench: $name produced no result:" >&2
		cat "$PG_TMP/$name.err" >&2
	fi
}
run sso "$BUILD/bench/sso_bench" --kv "$URLS" bench@example.org - \
	"$SP_ENTITY" "$SP_ACS" "$CONNS" "$SECS" "$PIDS"
run login "$BUILD/bench/login_bench" --kv "$URLS" bench@example.org - \
	"$CONNS" "$SECS" "$PIDS"
run register "$BUILD/bench/register_bench" --kv "$URLS" "$CONNS" "$SECS" \
	"$PIDS"

# kv NAME KEY: one value of a scenario ("-" when missing).
kv() {
	local v
	v=$(sed -n "s/^$2=//p" "$PG_TMP/$1.kv" | head -1)
	echo "${v:--}"
}

# total NAME: ok + errors.
total() {
	local ok err
	ok=$(kv "$1" ok)
	err=$(kv "$1" errors)
	[ "$ok" = - ] || [ "$err" = - ] && { echo -; return; }
	echo $((ok + err))
}

# The table: per node lists are "a / b".
nodes_list() {
	kv "$1" "$2" | sed 's|,| / |g'
}

echo
echo "| scenario | connections | ok/s | errors | p50 ms | p99 ms |" \
	"RSS max MiB per node | idpd CPU s per node | ceiling/s | ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"
for s in sso login register; do
	case $s in
	sso)
		label="SSO with session (GET /saml/sso)"
		cores=$(kv sso cores)
		ceiling="$(kv sso ceiling) builder ($cores × $(kv sso \
			builder_per_core)); $(kv sso ceiling_rsa) RSA ($cores ×\
 $(kv sso openssl_sign_per_core) openssl speed)"
		ratio="$(kv sso ratio) builder; $(kv sso ratio_rsa) RSA"
		;;
	login)
		label="password login (GET + POST /login)"
		ceiling="$(kv login ceiling) Argon2id verify ($(kv login \
			cores) × $(kv login argon2id_verify_per_core))"
		ratio=$(kv login ratio)
		;;
	register)
		label="registration (GET + POST /register)"
		ceiling="$(kv register ceiling) Argon2id hash ($(kv register \
			cores) × $(kv register argon2id_hash_per_core))"
		ratio=$(kv register ratio)
		;;
	esac
	echo "| $label | $(kv $s connections) | $(kv $s ok_per_s) |" \
		"$(kv $s errors) of $(total $s) |" \
		"$(kv $s p50_ms) | $(kv $s p99_ms) |" \
		"$(nodes_list $s rss_max_mib) | $(nodes_list $s idpd_cpu_s) |" \
		"$ceiling | $ratio |"
done
echo
echo "ceilings: per core, measured in this run before the load; the box's"
echo "ceiling is cores × that (all nodes share the same cores)."
for s in sso login register; do
	echo "$s: $(awk -v ok="$(kv $s ok)" -v cpu="$(kv $s idpd_cpu_s)" '
		BEGIN { n = split(cpu, c, ","); t = 0
			for (i = 1; i <= n; i++) t += c[i]
			if (t > 0) printf "%.1f", ok / t; else printf "-" }') ok" \
		"per idpd CPU-second, 1-minute load average" \
		"$(kv $s load_average_after) after it"
done
echo "SSO: machine CPU busy $(kv sso machine_busy_pct) % during the load."
exit "$FAILED"
