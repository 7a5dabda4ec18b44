#!/bin/bash
# Login benchmark: a throwaway PostgreSQL, idpd with the production
# Argon2id defaults, one verified account, then bench/login_bench.
#
# usage: bench/run.sh [connections] [seconds]
# Needs a build in build/ (make build; BENCH_BUILD=DIR for another one).
# Prints the table of login_bench. bench/all.sh runs all scenarios.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
CONNS=${1:-4}
SECS=${2:-15}

bench_init bench
bench_pg_start
bench_account
bench_idpd
echo "machine: $(nproc) cores, $(bench_cpu)"
"$BUILD/bench/login_bench" "http://127.0.0.1:$PORT" bench@example.org - \
	"$CONNS" "$SECS"
