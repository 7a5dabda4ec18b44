#!/bin/bash
# Run servicekonto locally: install missing packages, build, start a private
# PostgreSQL cluster (state/pg, kept between runs), migrate the database and
# serve idpd on http://127.0.0.1:8080 in the foreground. Ctrl-C stops idpd,
# then the database.
#
#   scripts/run.sh          build and serve (what "make run" does)
#   scripts/run.sh stop     stop a database (and idpd) left running
#   scripts/run.sh pgdir    print the cluster directory in use
#
# If state/idpd.conf exists it is passed to idpd and idpctl as --config.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

STATE=$ROOT/state
PID_FILE=$STATE/idpd.pid
STOP_TIMEOUT=30                 # seconds idpd gets to drain after SIGTERM
PUBLIC_URL=http://127.0.0.1:8080

# The cluster lives in state/pg unless the postgres user (which runs the
# server when we are root) cannot reach the checkout, e.g. under /root.
# Then it lives in a directory under /var/tmp named after the checkout.
pg_dir() {
	local fallback
	fallback=/var/tmp/servicekonto-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)/pg
	if [ "$(id -u)" -ne 0 ]; then
		echo "$STATE/pg"
	elif [ -d "$fallback/data" ] && [ ! -d "$STATE/pg/data" ]; then
		echo "$fallback"
	elif runuser -u postgres -- test -x "$STATE" 2>/dev/null; then
		echo "$STATE/pg"
	else
		echo "$fallback"
	fi
}

idpd_pid() {
	local pid
	[ -f "$PID_FILE" ] || return 1
	pid=$(cat "$PID_FILE")
	[ -n "$pid" ] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = idpd ] || return 1
	echo "$pid"
}

# Send SIGTERM, give idpd STOP_TIMEOUT seconds to drain, then SIGKILL.
stop_idpd() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "run.sh: idpd did not stop within ${STOP_TIMEOUT}s, killing it" >&2
	kill -KILL "$pid" 2>/dev/null || true
}

cmd_stop() {
	local pid
	if pid=$(idpd_pid); then
		stop_idpd "$pid"
		echo "run.sh: stopped idpd (pid $pid)" >&2
	fi
	rm -f "$PID_FILE"
	bash scripts/pg.sh "$(pg_dir)" stop
}

# Globals for the exit trap of cmd_serve.
PG_DIR=""
IDPD_PID=""

# Every way out of cmd_serve stops idpd and then the database. A second
# Ctrl-C does not interrupt this (idpd gets STOP_TIMEOUT seconds at most).
serve_cleanup() {
	local rc=$?
	trap - EXIT TERM
	trap '' INT
	local p
	for p in "$PORTAL_PID" "$EID_SIM_PID"; do
		[ -n "$p" ] || continue
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	if [ -n "$IDPD_PID" ]; then
		stop_idpd "$IDPD_PID"
		wait "$IDPD_PID" 2>/dev/null || true
		rm -f "$PID_FILE"
	fi
	if [ -n "$PG_DIR" ]; then
		bash scripts/pg.sh "$PG_DIR" stop || true
	fi
	exit "$rc"
}

# The demo portal (scripts/demo_portal.py, a pysaml2 SP) on 127.0.0.1:8081,
# registered with idpctl sp, so that the whole flow can be tried in a
# browser. A failure here is reported but does not stop the IdP.
PORTAL_PID=""
start_demo_portal() {
	local md entity
	for _ in $(seq 100); do
		curl -fs "$PUBLIC_URL/healthz" >/dev/null 2>&1 && break
		sleep 0.1
	done
	if ! md=$(/usr/bin/python3 scripts/demo_portal.py --write-metadata-only \
		--idp-metadata "$PUBLIC_URL/saml/metadata" --state "$STATE/demo"); then
		echo "run.sh: the demo portal could not be set up; the IdP runs without it" >&2
		return 0
	fi
	entity=http://127.0.0.1:8081/metadata
	if build/idpctl "$@" sp show "$entity" >/dev/null 2>&1; then
		build/idpctl "$@" sp update "$entity" --metadata "$md" >/dev/null || true
	else
		build/idpctl "$@" sp add --metadata "$md" \
			--release given_name,family_name,email,birth_date,address \
			--attribute-profile eidas >/dev/null || true
	fi
	/usr/bin/python3 scripts/demo_portal.py --idp-metadata "$PUBLIC_URL/saml/metadata" \
		--state "$STATE/demo" &
	PORTAL_PID=$!
	echo "run.sh: demo portal on http://127.0.0.1:8081 (log in there to see SSO)" >&2
}

# An active key of each purpose (docs/keys.md): the first key of a purpose
# is activated at once, no relying service has old metadata to wait for.
ensure_active_key() {
	local purpose=$1 keys id
	shift
	keys=$(build/idpctl "$@" keys list --purpose "$purpose" --json)
	if [[ $keys != *'"state":"active"'* ]]; then
		id=$(grep -o '"id":[0-9]*,"state":"next"' <<<"$keys" | grep -o '[0-9][0-9]*' || true)
		if [ -z "$id" ]; then
			id=$(build/idpctl "$@" keys generate --purpose "$purpose" --quiet)
		fi
		build/idpctl "$@" keys activate --force "$id" >/dev/null
	fi
}

# The simulated eID service (tests/eid_sim, a TEST TOOL: never part of a
# production set-up) on 127.0.0.1:8444, configured as idpd's eID service,
# so that linking a card, the eID login and the step-up can be tried with
# its test identities. A failure here is reported; the IdP runs without.
EID_SIM_PID=""
EID_SIM_URL=http://127.0.0.1:8444
start_eid_simulator() {
	local i
	/usr/bin/python3 tests/eid_sim/eid_sim.py --port 8444 \
		--state "$STATE/eid-sim" --sp-metadata "$PUBLIC_URL/eid/metadata" \
		>"$STATE/eid-sim.log" 2>&1 &
	EID_SIM_PID=$!
	for i in $(seq 100); do
		curl -fs "$EID_SIM_URL/metadata" >/dev/null 2>&1 && break
		sleep 0.1
	done
	if ! build/idpctl "$@" eid configure --metadata "$EID_SIM_URL/metadata" >/dev/null; then
		echo "run.sh: the eID simulator could not be configured (see $STATE/eid-sim.log);" \
			"the IdP runs without eID" >&2
		return 0
	fi
	echo "run.sh: simulated eID service (test tool) on $EID_SIM_URL" >&2
}

cmd_serve() {
	local pid rc=0
	local -a config=()

	bash scripts/deps.sh
	if [ ! -f build/meson-private/coredata.dat ]; then
		meson setup build
	fi
	meson compile -C build

	if pid=$(idpd_pid); then
		echo "run.sh: idpd is already running (pid $pid); run 'make stop' first" >&2
		exit 1
	fi

	mkdir -p "$STATE"
	PG_DIR=$(pg_dir)
	if [ "$PG_DIR" != "$STATE/pg" ]; then
		echo "run.sh: note: user postgres cannot reach $STATE," \
			"so the database lives in $PG_DIR" >&2
		# /var/tmp is shared: use the directory only if it is ours.
		[ -d "${PG_DIR%/pg}" ] || mkdir -m 0755 "${PG_DIR%/pg}"
		if [ "$(stat -c %u "${PG_DIR%/pg}")" != 0 ]; then
			echo "run.sh: ${PG_DIR%/pg} is not owned by root; remove it" >&2
			exit 1
		fi
	fi

	trap serve_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	bash scripts/pg.sh "$PG_DIR" init
	bash scripts/pg.sh "$PG_DIR" start

	IDP_DATABASE_CONNINFO=$(bash scripts/pg.sh "$PG_DIR" conninfo)
	export IDP_DATABASE_CONNINFO
	export IDP_SERVER_PUBLIC_URL=$PUBLIC_URL
	export IDP_SERVER_PORT=8080
	export IDP_SERVER_LISTEN_ADDRESS=127.0.0.1
	# Mails (verification and reset links) go to a file a person can read.
	export IDP_MAIL_MODE=file IDP_MAIL_FILE=$STATE/mail.log

	if [ -f "$STATE/idpd.conf" ]; then
		config=(--config "$STATE/idpd.conf")
	fi

	build/idpctl "${config[@]}" db migrate

	# A master key in state/, the active keys (SAML signing, eID signing
	# and encryption) and the simulated eID service.
	export IDP_KEYS_MASTER_KEY_FILE=$STATE/master.key
	if [ ! -e "$IDP_KEYS_MASTER_KEY_FILE" ]; then
		build/idpctl "${config[@]}" keys init
	fi
	ensure_active_key saml "${config[@]}"
	ensure_active_key eid-signing "${config[@]}"
	ensure_active_key eid-encryption "${config[@]}"
	start_eid_simulator "${config[@]}"

	# idpd runs in the background so that the traps run as soon as a signal
	# arrives; they pass it on as SIGTERM (idpd drains on SIGTERM).
	build/idpd "${config[@]}" &
	IDPD_PID=$!
	echo "$IDPD_PID" >"$PID_FILE"
	echo "run.sh: idpd (pid $IDPD_PID) serving $PUBLIC_URL; press Ctrl-C to stop" >&2
	echo "run.sh: mails (verification and reset links) are appended to $STATE/mail.log" >&2
	start_demo_portal "${config[@]}"
	wait "$IDPD_PID" || rc=$?
	IDPD_PID=""
	rm -f "$PID_FILE"
	echo "run.sh: idpd exited with status $rc" >&2
	exit "$rc"
}

case "${1:-serve}" in
serve) cmd_serve ;;
stop) cmd_stop ;;
pgdir) pg_dir ;;
*)
	echo "usage: $0 [serve|stop|pgdir]" >&2
	exit 2
	;;
esac
