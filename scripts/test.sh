#!/bin/bash
# Build and run the whole test suite twice: a normal build ("build") and one
# with AddressSanitizer and UndefinedBehaviorSanitizer ("build-san"), against
# a throwaway PostgreSQL cluster in a fresh temporary directory.
#
# Exported for the tests:
#   IDP_TEST_CONNINFO  libpq conninfo of a superuser ("idp", database
#                      "postgres"); tests create their own databases with it
#   IDP_TEST_PG_CTL    command prefix: "$IDP_TEST_PG_CTL stop|start|restart"
#                      controls that server and blocks until done
#
# The last lines printed are meson's summary of the last run; the exit status
# is non-zero when either run fails.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

NUM_PROCESSES=2
SAN_TIMEOUT_MULTIPLIER=3

bash scripts/deps.sh

PG_TMP=$(mktemp -d /tmp/idp-test-pg.XXXXXX)
PG=("$BASH" "$ROOT/scripts/pg.sh" "$PG_TMP")
MESON_PID=""

# On every way out: stop a running "meson test", stop the server quietly and
# remove its directory; keep the server log next to meson's logs.
cleanup() {
	local rc=$?
	trap - EXIT TERM
	trap '' INT
	if [ -n "$MESON_PID" ]; then
		kill -TERM "$MESON_PID" 2>/dev/null || true
		wait "$MESON_PID" 2>/dev/null || true
	fi
	"${PG[@]}" stop >/dev/null 2>&1 || true
	if [ -f "$PG_TMP/log" ] && [ -d build/meson-logs ]; then
		cp "$PG_TMP/log" build/meson-logs/postgresql-test.log 2>/dev/null || true
	fi
	rm -rf "$PG_TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"${PG[@]}" init --fast
"${PG[@]}" start

IDP_TEST_CONNINFO=$("${PG[@]}" conninfo)
IDP_TEST_CONNINFO=${IDP_TEST_CONNINFO/dbname=idp/dbname=postgres}
IDP_TEST_PG_CTL=$(printf '%q ' "${PG[@]}")
IDP_TEST_PG_CTL=${IDP_TEST_PG_CTL% }
export IDP_TEST_CONNINFO IDP_TEST_PG_CTL

# Set a build directory up once; later runs only rebuild.
setup() {
	local dir=$1
	shift
	if [ ! -f "$dir/meson-private/coredata.dat" ]; then
		meson setup "$dir" "$@"
	fi
}

setup build
setup build-san -Db_sanitize=address,undefined -Db_lundef=false
meson compile -C build
meson compile -C build-san

# "meson test" runs in the background so that a signal reaches our traps at
# once. Meson cancels all its tests on Ctrl-C and exits like after a failure;
# an interrupted test in its log tells the two apart.
run_tests() {
	local dir=$1 rc=0
	shift
	rm -f "$dir/meson-logs/testlog.json"
	meson test -C "$dir" --print-errorlogs --num-processes "$NUM_PROCESSES" "$@" &
	MESON_PID=$!
	wait "$MESON_PID" || rc=$?
	MESON_PID=""
	if grep -qs '"result": "INTERRUPT"' "$dir/meson-logs/testlog.json"; then
		echo "test.sh: interrupted" >&2
		exit 130
	fi
	return "$rc"
}

rc_normal=0
run_tests build || rc_normal=$?

rc_san=0
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	run_tests build-san --timeout-multiplier "$SAN_TIMEOUT_MULTIPLIER" ||
	rc_san=$?

if [ "$rc_normal" -ne 0 ] || [ "$rc_san" -ne 0 ]; then
	echo "test.sh: FAILED: build (normal) exit $rc_normal, build-san (sanitizers) exit $rc_san" >&2
	echo "test.sh: logs: build/meson-logs/testlog.txt build-san/meson-logs/testlog.txt build/meson-logs/postgresql-test.log" >&2
	exit 1
fi
