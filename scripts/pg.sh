#!/bin/bash
# Manage a private PostgreSQL cluster for development and tests.
#
#   scripts/pg.sh DIR init [--fast]   create the cluster and the database "idp"
#   scripts/pg.sh DIR start           start it, wait until it accepts connections
#   scripts/pg.sh DIR stop            stop it (fast shutdown), wait until down
#   scripts/pg.sh DIR restart         restart it, wait until it accepts connections
#   scripts/pg.sh DIR status          exit 0 when running, 3 when not
#   scripts/pg.sh DIR conninfo        print the libpq conninfo for database "idp"
#
# Layout: DIR/data (PGDATA), DIR/log (server log), the unix socket in DIR
# itself (or, when DIR is too long for a socket path, in a short directory
# under /tmp whose name is kept in DIR/socketdir). No TCP listener at all.
# The database superuser is "idp"; local connections are trusted, nothing
# else is accepted, so there is no password anywhere.
#
# PostgreSQL refuses to run as root: when called as root, the server runs as
# the Debian "postgres" user and DIR is handed to that user.
# --fast (for throwaway test clusters) turns off fsync, synchronous_commit
# and full_page_writes.
set -euo pipefail

PG_PORT=5432                      # only names the socket file; no TCP
SOCKET_NAME=".s.PGSQL.${PG_PORT}"
SUN_PATH_MAX=107                  # sizeof(sun_path) - 1

usage() {
	echo "usage: $0 DIR {init [--fast]|start|stop|restart|status|conninfo}" >&2
	exit 2
}

die() {
	echo "pg.sh: $*" >&2
	exit 1
}

note() {
	echo "pg.sh: $*" >&2
}

[ $# -ge 2 ] || usage
case "$1" in
/*) DIR=$1 ;;
*) DIR=$PWD/$1 ;;
esac
DIR=${DIR%/}
CMD=$2
shift 2

DATA=$DIR/data
LOG=$DIR/log
SOCKDIR_FILE=$DIR/socketdir

find_bindir() {
	local d
	if [ -n "${PG_BINDIR:-}" ]; then
		echo "$PG_BINDIR"
		return
	fi
	if [ -x /usr/lib/postgresql/15/bin/pg_ctl ]; then
		echo /usr/lib/postgresql/15/bin
		return
	fi
	while read -r d; do
		if [ -x "$d/pg_ctl" ]; then
			echo "$d"
			return
		fi
	done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r)
	die "no PostgreSQL server binaries found (install the postgresql package, or set PG_BINDIR)"
}
BINDIR=$(find_bindir)

# Run a command as the user that owns the cluster, from a directory that
# user can read (initdb and postgres complain about an unreadable cwd).
if [ "$(id -u)" -eq 0 ]; then
	PG_USER=postgres
	id -u "$PG_USER" >/dev/null 2>&1 ||
		die "user '$PG_USER' does not exist (install the postgresql package)"
	as_pg() { (cd / && runuser -u "$PG_USER" -- "$@"); }
else
	PG_USER=$(id -un)
	as_pg() { (cd / && "$@"); }
fi

# Quote a value for a libpq conninfo string when it needs it.
conninfo_value() {
	local v=$1
	case "$v" in
	'' | *[[:space:]\'\\]*)
		v=${v//\\/\\\\}
		v=${v//\'/\\\'}
		printf "'%s'" "$v"
		;;
	*) printf '%s' "$v" ;;
	esac
}

# Quote a value for postgresql.conf.
conf_value() {
	printf "'%s'" "${1//\'/\'\'}"
}

socket_dir() {
	if [ -f "$SOCKDIR_FILE" ]; then
		cat "$SOCKDIR_FILE"
	else
		echo "$DIR"
	fi
}

# The socket directory may live under /tmp, which is emptied on reboot:
# create it again (only ever as our own, private directory).
ensure_socket_dir() {
	local s
	s=$(socket_dir)
	[ "$s" = "$DIR" ] && return 0
	if [ ! -d "$s" ]; then
		mkdir -m 0700 "$s"
		if [ "$(id -u)" -eq 0 ]; then
			chown "$PG_USER:" "$s"
		fi
	fi
	[ "$(stat -c %U "$s")" = "$PG_USER" ] ||
		die "socket directory $s is not owned by $PG_USER"
}

# An emptied short socket directory is removed when the server stops.
remove_socket_dir() {
	local s
	s=$(socket_dir)
	[ "$s" = "$DIR" ] && return 0
	rmdir "$s" 2>/dev/null || true
}

is_initialised() {
	[ -f "$DATA/PG_VERSION" ]
}

is_running() {
	is_initialised && as_pg "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

pick_locale() {
	if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
		echo C.UTF-8
	else
		echo C
	fi
}

cmd_init() {
	local fast=false sock
	case "${1:-}" in
	--fast) fast=true ;;
	'') ;;
	*) usage ;;
	esac

	if is_initialised; then
		note "cluster in $DIR already exists"
		return 0
	fi

	mkdir -p "$DIR"
	if [ "$(id -u)" -eq 0 ]; then
		chown "$PG_USER:" "$DIR"
	fi
	chmod 0700 "$DIR"
	as_pg test -x "$DIR" -a -w "$DIR" ||
		die "user $PG_USER cannot reach $DIR (a parent directory is not searchable by it)"

	sock=$DIR
	if [ $((${#DIR} + 1 + ${#SOCKET_NAME})) -gt "$SUN_PATH_MAX" ]; then
		sock=$(mktemp -d /tmp/idp-pg.XXXXXX)
		if [ "$(id -u)" -eq 0 ]; then
			chown "$PG_USER:" "$sock"
		fi
		echo "$sock" >"$SOCKDIR_FILE"
		note "$DIR is too long for a unix socket path; the socket lives in $sock"
	fi

	# The server appends to the log as $PG_USER: create it as that user.
	as_pg touch "$LOG"
	as_pg "$BINDIR/initdb" -D "$DATA" -U idp \
		--auth-local=trust --auth-host=reject \
		--encoding=UTF8 --locale="$(pick_locale)" >"$LOG" 2>&1 ||
		{
			cat "$LOG" >&2
			die "initdb failed"
		}

	{
		echo
		echo "# servicekonto development settings (scripts/pg.sh)"
		echo "listen_addresses = ''"
		echo "port = $PG_PORT"
		echo "unix_socket_directories = $(conf_value "$sock")"
		echo "max_connections = 200"
		if $fast; then
			echo "fsync = off"
			echo "synchronous_commit = off"
			echo "full_page_writes = off"
		fi
	} | as_pg tee -a "$DATA/postgresql.conf" >/dev/null

	# Create the database "idp" without starting a server.
	echo "CREATE DATABASE idp;" |
		as_pg "$BINDIR/postgres" --single -D "$DATA" postgres >>"$LOG" 2>&1 ||
		{
			cat "$LOG" >&2
			die "could not create database idp"
		}
	[ "$sock" = "$DIR" ] || rmdir "$sock" 2>/dev/null || true
	note "initialised cluster in $DIR"
}

cmd_start() {
	is_initialised || die "no cluster in $DIR (run: $0 $DIR init)"
	if is_running; then
		note "already running in $DIR"
		return 0
	fi
	ensure_socket_dir
	as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -w -t 120 start >/dev/null ||
		{
			tail -n 20 "$LOG" >&2
			die "could not start PostgreSQL in $DIR (log: $LOG)"
		}
	note "started PostgreSQL in $DIR (socket in $(socket_dir))"
}

cmd_stop() {
	if ! is_running; then
		note "not running in $DIR"
		remove_socket_dir
		return 0
	fi
	as_pg "$BINDIR/pg_ctl" -D "$DATA" -w -t 120 -m fast stop >/dev/null ||
		die "could not stop PostgreSQL in $DIR (log: $LOG)"
	remove_socket_dir
	note "stopped PostgreSQL in $DIR"
}

cmd_restart() {
	is_initialised || die "no cluster in $DIR (run: $0 $DIR init)"
	ensure_socket_dir
	as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -w -t 120 -m fast restart >/dev/null 2>&1 ||
		{
			tail -n 20 "$LOG" >&2
			die "could not restart PostgreSQL in $DIR (log: $LOG)"
		}
	note "restarted PostgreSQL in $DIR"
}

cmd_status() {
	is_initialised || {
		echo "no cluster in $DIR"
		exit 3
	}
	local rc=0
	as_pg "$BINDIR/pg_ctl" -D "$DATA" status || rc=$?
	exit "$rc"
}

cmd_conninfo() {
	printf 'host=%s port=%s dbname=idp user=idp\n' \
		"$(conninfo_value "$(socket_dir)")" "$PG_PORT"
}

case "$CMD" in
init) cmd_init "$@" ;;
start | stop | restart | status | conninfo)
	[ $# -eq 0 ] || usage
	"cmd_$CMD"
	;;
*) usage ;;
esac
