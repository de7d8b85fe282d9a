#!/usr/bin/env bash
# demo.sh - the demo's steps against a running PostgreSQL: results schema, sample
# data with known injected scenarios, a first run, the sample's two fixes recorded, a
# run over the whole history (one ranking per week, as if causeway had been scheduled
# all along), the ranking of the last week with the verdict on each fix on the terminal
# and the reports in $CW_DEMO_OUT.
#
# Used by `make demo` (under tests/tools/pgtmp.sh) and by the docker-compose demo.
# Environment: CW_TEST_DSN or PG* (the database), CAUSEWAY (the binary),
# CW_GEN (the sample generator), CW_DEMO_OUT (output folder, default demo-out),
# CW_DEMO_WEEKS (weeks of history, default 78), CW_DEMO_START (its first ISO week;
# default: the history ends in the last complete week, the one weekly.sh ranks).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
causeway=${CAUSEWAY:-$root/build/release/causeway}
gen=${CW_GEN:-$root/build/release/tools/gen_complaints}
out=${CW_DEMO_OUT:-$root/demo-out}
dsn=${CW_TEST_DSN:-}
weeks=${CW_DEMO_WEEKS:-78}
# The sample's last week is the last complete ISO week today, so that the weekly
# service's first report (it ranks the last complete week) is about weeks with data.
start=${CW_DEMO_START:-$(date -u -d "@$(($(date -u +%s) - weeks * 7 * 86400))" +%G-W%V)}
mkdir -p "$out"

step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }
dbargs=()
[ -n "$dsn" ] && dbargs=(-d "$dsn")

step "1/6 results schema"
# In containers the database may still be starting: wait for it up to 60 s.
"$causeway" db init "${dbargs[@]}" --connect-retry 60

step "2/6 sample complaints: $weeks weeks from $start, 8 sites, known drift/shift/spike scenarios and two fixes"
CW_GEN="$gen" "$root/tests/tools/load-sample.sh" "$dsn" --weeks "$weeks" --start "$start" \
    --truth "$out/truth.csv"

first=$(psql "${dsn:-}" -XAtc "SELECT to_char(min(received_at) AT TIME ZONE 'UTC', 'IYYY-\"W\"IW') FROM public.complaints")
# The sample's last week: with the default start, the last complete week, which is
# also the week weekly.sh ranks.
last=$(psql "${dsn:-}" -XAtc "SELECT to_char(max(received_at) AT TIME ZONE 'UTC', 'IYYY-\"W\"IW') FROM public.complaints")
step "3/6 the first run: classify the history, rank $first"
"$causeway" run "${dbargs[@]}" --week "$first" --format csv >/dev/null

# The sample's two fixes (truth kinds fix_works and fix_none), recorded as a CX lead would
# after reading a ranking: rank -> fix -> record -> verdict.
step "4/6 record two fixes: one that works and one that does not"
fix() { # KIND TITLE OWNER EXPECTED_CUT
    IFS=, read -r _ _ symptom area site _ started _ _ < <(awk -F, -v k="$1" '$2 == k' "$out/truth.csv")
    printf 'fix #%s: %s (%s: %s at %s, from %s)\n' "$("$causeway" remediation add "${dbargs[@]}" \
        --area "$area" --symptom "$symptom" --site "$site" --started "$started" --title "$2" \
        --owner "$3" --expected-cut "$4")" "$2" "$area" "$symptom" "$site" "$started" >&2
}
fix fix_works "Pick-list check at the packing bench" "Operations" 25
fix fix_none "Courtesy refresher for counter staff" "Store managers" 50

step "5/6 causeway run over the history ($first .. $last), one ranking per week"
"$causeway" run "${dbargs[@]}" --week "$first..$last" --format json >"$out/ranking.json"

step "6/6 the ranking of the last week, with the verdict on each fix"
"$causeway" report "${dbargs[@]}"
"$causeway" report "${dbargs[@]}" --format markdown --snippets -o "$out/ranking.md"
"$causeway" report "${dbargs[@]}" --format csv -o "$out/ranking.csv"
"$causeway" report "${dbargs[@]}" --format html -o "$out/report.html"
"$causeway" remediation list "${dbargs[@]}" >&2
printf '\nThe HTML report: %s (open it in a browser)\nAlso: ranking.md, ranking.csv, ranking.json in %s\nInjected scenarios (ground truth): %s\n' \
    "$out/report.html" "$out" "$out/truth.csv" >&2
