#!/usr/bin/env bash
# weekly.sh - the scheduled run for containers: every Monday at 06:00 UTC, run
# causeway for the last complete week and write the HTML report to
# $CW_REPORT_DIR/report-<week>.html. At start-up it first catches up: when the last
# complete week has no report yet it ranks it at once (so `up` shows a weekly report
# now, not next Monday). Exit 75 (another run holds the lock, or the database is
# unreachable for now) is logged and retried next week, not fatal. SIGTERM/SIGINT
# (docker stop) end the wait at once, or are passed to a running causeway, which rolls
# back; the script then exits 143/130 - no 10 s grace period, no SIGKILL.
# CW_WEEKLY_ONCE=1 runs once now and exits with causeway's status (used by tests).
# CW_WEEKLY_PLAN=1 only prints the week it would rank and the next run time, for
# the moment CW_WEEKLY_NOW (any `date -d` text; default now) - used by tests.
# Database: the PG* environment or CW_TEST_DSN.
set -uo pipefail

causeway=${CAUSEWAY:-causeway}
out=${CW_REPORT_DIR:-.}
dbargs=()
[ -n "${CW_TEST_DSN:-}" ] && dbargs=(-d "$CW_TEST_DSN")

# The last complete ISO week at epoch second $1: the week of the same moment 7
# days earlier (on a Monday morning that is last week, not the one before).
last_week() { date -u -d "@$(($1 - 7 * 86400))" +%G-W%V; }

# The first Monday 06:00 UTC strictly after epoch second $1 (today's, on a Monday
# before 06:00).
next_run() {
    local dow six days next
    dow=$(date -u -d "@$1" +%u)
    six=$(date -u -d "$(date -u -d "@$1" +%F) 06:00" +%s)
    days=$(((8 - dow) % 7))
    next=$((six + days * 86400))
    [ "$next" -le "$1" ] && next=$((next + 7 * 86400))
    echo "$next"
}

# Signals: bash runs a trap only between commands, so everything long runs in the
# background and is waited for; the trap passes the signal on and exits.
child=
on_signal() {
    [ -n "$child" ] && kill -s "$1" "$child" 2>/dev/null && wait "$child"
    echo "weekly: stopped by SIG$1" >&2
    exit $((128 + $(kill -l "$1")))
}
trap 'on_signal TERM' TERM
trap 'on_signal INT' INT
background() {
    "$@" &
    child=$!
    wait "$child"
    local status=$?
    child=
    return $status
}

run_once() {
    local week status
    week=$(last_week "$(date -u +%s)")
    background "$causeway" run "${dbargs[@]}" --week "$week" -o "$out/report-$week.html" \
        --format table
    status=$?
    case $status in
        0) echo "weekly: ranked $week, report $out/report-$week.html" >&2 ;;
        75) echo "weekly: $week not ranked now (temporary: lock held, database away or a lock timeout); retrying next time" >&2 ;;
        *) echo "weekly: causeway failed with status $status" >&2 ;;
    esac
    return $status
}

if [ -n "${CW_WEEKLY_PLAN:-}" ]; then
    now=$(date -u -d "${CW_WEEKLY_NOW:-now}" +%s) || exit 64
    echo "week $(last_week "$now") next $(date -u -d "@$(next_run "$now")" '+%F %R')"
    exit 0
fi
if [ -n "${CW_WEEKLY_ONCE:-}" ]; then
    run_once
    exit $?
fi
[ -e "$out/report-$(last_week "$(date -u +%s)").html" ] || run_once || true
while :; do
    now=$(date -u +%s)
    next=$(next_run "$now")
    echo "weekly: next run at $(date -u -d "@$next" '+%F %R UTC')" >&2
    background sleep $((next - now))
    run_once || true
done
