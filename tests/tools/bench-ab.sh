#!/usr/bin/env bash
# bench-ab.sh - the 1 M-complaint `causeway run` of `make bench`, two builds alternating
# on one throwaway server (noise is shared, so the ratio is what to read): OLD and NEW
# are causeway binaries (default NEW: build/release/causeway; OLD is required, e.g. a
# build of main in another checkout). Prints wall, CPU and when the ranking phase
# started and ended (-v) per round. Needs the environment of tests/tools/pgtmp.sh.
set -euo pipefail
dsn=${CW_TEST_DSN:?run under tests/tools/pgtmp.sh}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
new=${NEW:-$root/build/release/causeway}
old=${OLD:?set OLD to the baseline causeway binary}
rounds=${CW_BENCH_ROUNDS:-7}
tests/tools/load-sample.sh "$dsn" --rows "${CW_BENCH_ROWS:-1000000}" --seed 7 >/dev/null 2>&1
last=$(psql "$dsn" -XAtc "SELECT to_char(max(received_at) AT TIME ZONE 'UTC', 'IYYY-\"W\"IW') FROM public.complaints")
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "target week $last"
for round in $(seq "$rounds"); do
    for which in old new; do
        bin=${!which}
        schema=ab_${which}_$round
        "$bin" -q db init -d "$dsn" --schema "$schema" >/dev/null
        t0=$(date +%s.%N)
        /usr/bin/time -f "cpu %U+%S" "$bin" -v run -d "$dsn" --schema "$schema" --week "$last" \
            --format csv >/dev/null 2>"$log"
        t1=$(date +%s.%N)
        weekly=$(grep -o "weekly rows at [0-9.]*" "$log" | grep -o "[0-9.]*$")
        ranked=$(grep -o "ranked at [0-9.]*" "$log" | grep -o "[0-9.]*$")
        echo "$round $which wall $(echo "$t1 - $t0" | bc) weekly_at $weekly ranked_at $ranked" \
            "$(grep cpu "$log")"
    done
done
