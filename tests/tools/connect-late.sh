#!/usr/bin/env bash
# connect-late.sh - causeway waits for a database that comes up late (--connect-retry):
# `db init --connect-retry 30` and a plain `run` (its default retry) are started while
# the server is down, the server is started a few seconds later, and both succeed.
# Runs under its own tests/tools/pgtmp.sh (it stops and starts that server), with the
# binary under test (CW_BIN). Prints "connect-late: ok" on success.
set -euo pipefail

cw=${CW_BIN:?the causeway binary under test}
dsn=${CW_TEST_DSN:?run under tests/tools/pgtmp.sh}
as_pg=()
[ "$(id -u)" -eq 0 ] && as_pg=(runuser -u "$(stat -c %U "$CW_PG_DATADIR")" --)
fail() { echo "connect-late: $*" >&2; exit 1; }
server() { # stop | start
    if [ "$1" = stop ]; then
        "${as_pg[@]}" "$CW_PG_BINDIR/pg_ctl" -D "$CW_PG_DATADIR" -m fast -w stop >/dev/null
    else
        "${as_pg[@]}" "$CW_PG_BINDIR/pg_ctl" -D "$CW_PG_DATADIR" -l "$CW_PG_LOG" -w start \
            -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $(dirname "$CW_PG_DATADIR")" >/dev/null
    fi
}
# late DELAY CMD...: run CMD with the server down, start the server after DELAY
# seconds; fails unless CMD exits 0 and took at least DELAY.
late() {
    local delay=$1 start status
    shift
    server stop
    start=$(date +%s)
    "$@" >/dev/null 2>"$tmp/err" &
    local pid=$!
    sleep "$delay"
    server start
    status=0
    wait "$pid" || status=$?
    [ "$status" -eq 0 ] || fail "'$*' exited $status: $(cat "$tmp/err")"
    [ $(($(date +%s) - start)) -ge "$delay" ] || fail "'$*' finished before the server was up"
}
tmp=$(mktemp -d /tmp/causeway-late.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

psql "$dsn" -XAtq -v ON_ERROR_STOP=1 -f sql/complaints.sql
psql "$dsn" -XAtq -c "INSERT INTO public.complaints (id, received_at, channel, site, body)
    SELECT g, timestamptz '2026-01-05 10:00+00' + (g % 20) * interval '7 days', 'web',
           'north', 'the cashier was rude' FROM generate_series(1, 200) g"
late 2 "$cw" db init -d "$dsn" --connect-retry 30
late 3 "$cw" run -d "$dsn" --week 2026-W20 --format csv
# Without a retry the same refusal is 75 at once.
server stop
status=0
"$cw" db migrate -d "$dsn" --connect-retry 0 >/dev/null 2>"$tmp/err" || status=$?
server start
[ "$status" -eq 75 ] || fail "a refused connection without retry exited $status, not 75"
echo "connect-late: ok"
