#!/usr/bin/env bash
# test-compose.sh - run the README's compose demo for real and check what it promises.
#
# Builds the images, `up -d`, waits for the one-shot demo service to finish (exit 0),
# copies the reports out of it, and asserts that the last week's ranking shows the
# generator's known drift and shift where its truth file says (status drift or shift:
# a sustained rise), that the HTML report exists, that the weekly service ranked the
# last complete week at start-up into report-<week>.html, and that `stop` ends the stack
# within 5 s with the weekly service exiting on SIGTERM itself (not killed, 137). Then
# `down -v` and the image it built is removed, also on failure (the Debian base and the
# postgres stand-in stay cached).
#
# Docker Hub unreachable (the development machines): debian:12 is replaced by the
# image of tests/tools/docker-base.sh, and postgres:15 by a stand-in built from
# Debian's postgresql-15 (tests/docker/postgres-standin) honouring the same contract;
# the output says so. The stand-in holds its socket-only init server 5 s longer
# (STANDIN_INIT_DELAY), the window in which a socket health check would lie.
#
# Exit: 0 ok, 1 a check failed, 69 Docker unavailable. Environment: CW_COMPOSE_TIMEOUT
# (seconds for the build and the demo, default 1800).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
limit=${CW_COMPOSE_TIMEOUT:-1800}
fail() { echo "test-compose: FAILED: $*" >&2; exit 1; }
say() { echo "test-compose: $*"; }

tests/tools/docker-up.sh || exit 69
base=$(tests/tools/docker-base.sh)
project=cwcompose$$
app_image=causeway/causeway:test-$$
tmp=$(mktemp -d /tmp/causeway-compose.XXXXXX)
compose=(docker-compose -p "$project" -f docker/docker-compose.yml -f "$tmp/override.yml")
cleanup() {
    "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
    docker rmi -f "$app_image" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

db_image=postgres:15 delay=0
if timeout 60 docker pull -q postgres:15 >/dev/null 2>&1; then
    say "db: the official postgres:15"
else
    db_image=causeway/postgres-standin:15 delay=5
    say "db: postgres:15 cannot be pulled; using a stand-in built from Debian's postgresql-15 (tests/docker/postgres-standin)"
    timeout "$limit" docker build -q --build-arg BASE="$base" -t "$db_image" \
        tests/docker/postgres-standin >/dev/null || fail "the stand-in image did not build"
fi
[ "$base" = debian:12 ] || say "base: $base instead of debian:12 (Docker Hub unreachable)"
cat >"$tmp/override.yml" <<YAML
services:
  db:
    image: $db_image
    environment:
      STANDIN_INIT_DELAY: "$delay"
  demo:
    image: $app_image
    build:
      args: { BASE: "$base" }
  weekly:
    image: $app_image
YAML

start=$(date +%s)
timeout "$limit" "${compose[@]}" build -q >"$tmp/build.log" 2>&1 || { tail -n 30 "$tmp/build.log"; fail "build"; }
say "images built in $(($(date +%s) - start)) s"
start=$(date +%s)
timeout 300 "${compose[@]}" up -d >"$tmp/up.log" 2>&1 || { tail -n 30 "$tmp/up.log"; fail "up -d"; }
demo=$("${compose[@]}" ps -q demo)
[ -n "$demo" ] || fail "no demo container"
status=$(timeout "$limit" docker wait "$demo") || fail "the demo did not finish within $limit s"
"${compose[@]}" logs --no-color demo >"$tmp/demo.log" 2>&1 || true
[ "$status" = 0 ] || { tail -n 30 "$tmp/demo.log"; fail "the demo service exited $status"; }
say "demo service finished in $(($(date +%s) - start)) s (exit 0)"

docker cp "$demo:/out" "$tmp/out"
[ -s "$tmp/out/report.html" ] && grep -q "What to fix first" "$tmp/out/report.html" ||
    fail "no HTML report in the demo's /out"
# ranking.csv: week,kind,rank,area_id,area_name,site,status,... (no commas before status).
status_of() { # KIND AREA SITE
    awk -F, -v k="$1" -v a="$2" -v s="$3" '$2 == k && $4 == a && $6 == s { print $7; exit }' \
        "$tmp/out/ranking.csv"
}
check() { # SCENARIO KIND
    local area site got
    IFS=, read -r _ _ _ area site _ < <(awk -F, -v k="$1" '$2 == k' "$tmp/out/truth.csv")
    [ -n "$area" ] || fail "truth.csv has no $1 scenario"
    got=$(status_of "$2" "$area" "$site")
    [[ "$got" == drift || "$got" == shift ]] ||
        fail "the injected $1 ($area${site:+ at $site}) is '$got' in ranking.csv, not drift/shift"
    say "ranking shows the injected $1: $area${site:+ at $site} is $got"
}
check drift area_site
check shift area
week=$(head -n 2 "$tmp/out/ranking.csv" | tail -n 1 | cut -d, -f1)
say "ranking of $week and report.html copied out"

weekly=$("${compose[@]}" ps -q weekly)
last=$(date -u -d "@$(($(date -u +%s) - 7 * 86400))" +%G-W%V)
for _ in $(seq 1 120); do
    docker cp "$weekly:/out/report-$last.html" "$tmp/weekly.html" >/dev/null 2>&1 && break
    sleep 1
done
[ -s "$tmp/weekly.html" ] || { "${compose[@]}" logs --no-color weekly | tail; fail "weekly wrote no report-$last.html"; }
grep -q "What to fix first" "$tmp/weekly.html" || fail "report-$last.html is not a report"
# An empty week ranks every area "stable" with no site in it: the drift's site shows.
drift_site=$(awk -F, '$2 == "drift" { print $5; exit }' "$tmp/out/truth.csv")
grep -q "$drift_site" "$tmp/weekly.html" || fail "report-$last.html does not name $drift_site: an empty week?"
say "weekly service ranked $last at start-up (report-$last.html)"

# stop SERVICE...: time `docker-compose stop` of them, in seconds.
stop() {
    local t0
    t0=$(date +%s.%N)
    timeout 60 "${compose[@]}" stop "$@" >/dev/null 2>&1 || fail "stop $*"
    awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}
# The weekly service first: it used to sit out the 10 s grace period and be killed.
took=$(stop weekly)
code=$(docker inspect -f '{{.State.ExitCode}}' "$weekly")
[ "$code" = 143 ] || fail "the weekly service exited $code on stop, not 143 (SIGTERM handled)"
awk -v t="$took" 'BEGIN { exit !(t < 5) }' || fail "stopping the weekly service took $took s (limit 5)"
db=$("${compose[@]}" ps -q db)
rest=$(stop)
db_code=$(docker inspect -f '{{.State.ExitCode}}' "$db")
[ "$db_code" = 0 ] || fail "the database exited $db_code on stop (killed?)"
awk -v t="$rest" 'BEGIN { exit !(t < 5) }' || fail "stopping the database took $rest s (limit 5)"
say "stopped: weekly in $took s (exit $code), the database in $rest s (exit 0)"
say "ok"
