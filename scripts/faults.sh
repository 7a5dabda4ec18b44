#!/bin/bash
# Repeat the fault and multi-node tests (tests/faults, tests/multinode;
# docs/operations-faults.md) N times (default 5) against a throwaway
# PostgreSQL cluster, to catch what happens only in a rare window, such as
# a kill between the SMTP server's answer and the UPDATE that records it.
# Each run is the same as in "make test"; the summary of each repetition
# is printed. Needs a configured build directory (default: build; set
# BUILD=dir for another).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
N=${1:-5}
BUILD=${BUILD:-build}

bash scripts/deps.sh
[ -f "$BUILD/meson-private/coredata.dat" ] || meson setup "$BUILD"
meson compile -C "$BUILD"

PG_TMP=$(mktemp -d /tmp/idp-faults-pg.XXXXXX)
PG=("$BASH" "$ROOT/scripts/pg.sh" "$PG_TMP")
cleanup() {
	"${PG[@]}" stop >/dev/null 2>&1 || true
	rm -rf "$PG_TMP"
}
trap cleanup EXIT
"${PG[@]}" init --fast
"${PG[@]}" start
IDP_TEST_CONNINFO=$("${PG[@]}" conninfo)
export IDP_TEST_CONNINFO=${IDP_TEST_CONNINFO/dbname=idp/dbname=postgres}

failed=0
for i in $(seq 1 "$N"); do
	echo "faults.sh: run $i of $N"
	if ! meson test -C "$BUILD" --print-errorlogs --num-processes 2 \
		--suite faults --suite multinode; then
		failed=$((failed + 1))
	fi
	# The lines with measurements ("# ...") of this run.
	grep -h "^# " "$BUILD/meson-logs/testlog.txt" || true
done
echo "faults.sh: $failed of $N runs failed"
[ "$failed" -eq 0 ]
