#!/usr/bin/env bash
# demo.sh - the demo's steps against a running PostgreSQL: results schema, sample
# data with known injected scenarios, a run over the whole history (one ranking per
# week, as if causeway had been scheduled all along), the ranking of the last week
# on the terminal and the reports in $CW_DEMO_OUT.
#
# Used by `make demo` (under tests/tools/pgtmp.sh) and by the docker-compose demo.
# Environment: CW_TEST_DSN or PG* (the database), CAUSEWAY (the binary),
# CW_GEN (the sample generator), CW_DEMO_OUT (output folder, default demo-out).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
causeway=${CAUSEWAY:-$root/build/release/causeway}
gen=${CW_GEN:-$root/build/release/tools/gen_complaints}
out=${CW_DEMO_OUT:-$root/demo-out}
dsn=${CW_TEST_DSN:-}
weeks=${CW_DEMO_WEEKS:-78}
mkdir -p "$out"

step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }
dbargs=()
[ -n "$dsn" ] && dbargs=(-d "$dsn")

step "1/4 results schema"
"$causeway" db init "${dbargs[@]}"

step "2/4 sample complaints: $weeks weeks, 8 sites, known drift/shift/spike scenarios"
CW_GEN="$gen" "$root/tests/tools/load-sample.sh" "$dsn" --weeks "$weeks" --truth "$out/truth.csv"

first=$(psql "${dsn:-}" -XAtc "SELECT to_char(min(received_at) AT TIME ZONE 'UTC', 'IYYY-\"W\"IW') FROM public.complaints")
last=$(psql "${dsn:-}" -XAtc "SELECT to_char(max(received_at) AT TIME ZONE 'UTC' - interval '7 days', 'IYYY-\"W\"IW') FROM public.complaints")
step "3/4 causeway run over the history ($first .. $last), one ranking per week"
"$causeway" run "${dbargs[@]}" --week "$first..$last" --format json >"$out/ranking.json"

step "4/4 the ranking of the last week"
"$causeway" report "${dbargs[@]}"
"$causeway" report "${dbargs[@]}" --format markdown --snippets -o "$out/ranking.md"
"$causeway" report "${dbargs[@]}" --format csv -o "$out/ranking.csv"
"$causeway" report "${dbargs[@]}" --format html -o "$out/report.html"
printf '\nThe HTML report: %s (open it in a browser)\nAlso: ranking.md, ranking.csv, ranking.json in %s\nInjected scenarios (ground truth): %s\n' \
    "$out/report.html" "$out" "$out/truth.csv" >&2
