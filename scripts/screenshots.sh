#!/bin/bash
# Regenerate docs/screenshots/ from the browser test (tests/browser): a
# throwaway PostgreSQL, a build in build/, headless Chromium.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/deps.sh
test -f build/meson-private/coredata.dat || meson setup build
meson compile -C build
PG_TMP=$(mktemp -d /tmp/idp-shots-pg.XXXXXX)
PG=(bash "$ROOT/scripts/pg.sh" "$PG_TMP")
trap '"${PG[@]}" stop >/dev/null 2>&1 || true; rm -rf "$PG_TMP"' EXIT
"${PG[@]}" init --fast >/dev/null
"${PG[@]}" start >/dev/null
IDP_TEST_CONNINFO=$("${PG[@]}" conninfo)
export IDP_TEST_CONNINFO=${IDP_TEST_CONNINFO/dbname=idp/dbname=postgres}
rm -f docs/screenshots/*.png
mkdir -p docs/screenshots
cd build/tests/browser 2>/dev/null || cd build
SCREENSHOT_DIR="$ROOT/docs/screenshots" IDPD="$ROOT/build/idpd" \
	IDPCTL="$ROOT/build/idpctl" PYTHONPATH="$ROOT/tests/account" \
	python3 "$ROOT/tests/browser/test_browser.py"
