#!/usr/bin/env bash
# weekly.sh - the scheduled run for containers: every Monday at 06:00 UTC, run
# causeway for the last complete week and write the HTML report to
# $CW_REPORT_DIR/report-<week>.html. Exit 75 (another run holds the lock, or the
# database is unreachable for now) is logged and retried next week, not fatal.
# CW_WEEKLY_ONCE=1 runs once now and exits with causeway's status (used by tests).
# Database: the PG* environment or CW_TEST_DSN.
set -uo pipefail

causeway=${CAUSEWAY:-causeway}
out=${CW_REPORT_DIR:-.}
dbargs=()
[ -n "${CW_TEST_DSN:-}" ] && dbargs=(-d "$CW_TEST_DSN")

run_once() {
    local week status
    week=$(date -u -d 'last monday - 7 days' +%G-W%V)
    "$causeway" run "${dbargs[@]}" --week "$week" -o "$out/report-$week.html" --format table
    status=$?
    case $status in
        0) echo "weekly: ranked $week, report $out/report-$week.html" >&2 ;;
        75) echo "weekly: $week not ranked now (temporary: lock held or database away); retrying next time" >&2 ;;
        *) echo "weekly: causeway failed with status $status" >&2 ;;
    esac
    return $status
}

if [ -n "${CW_WEEKLY_ONCE:-}" ]; then
    run_once
    exit $?
fi
while :; do
    now=$(date -u +%s)
    next=$(date -u -d 'next monday 06:00' +%s)
    echo "weekly: next run at $(date -u -d "@$next" '+%F %R UTC')" >&2
    sleep $((next - now))
    run_once || true
done
