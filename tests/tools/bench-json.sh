#!/usr/bin/env bash
# bench-json.sh BUILD_DIR - the JSON library comparison of issue 19 (`make bench-json`).
#
# 1. Makes a JSON Lines corpus of BENCH_ROWS (default 1 M) generated complaints
#    (tools/gen_complaints --format csv --seed 7, turned into {"id", "received_at",
#    "channel", "site", "product", "segment", "text"} objects by python3's json
#    module; cached under build/bench-data).
# 2. bench_json on it: jansson, json-c and causeway's reader against a split +
#    checksum baseline, and writing a ranking-shaped document with jansson, json-c
#    and printf, all in one process (see tests/bench/bench_json.c).
# 3. `causeway classify rules/default.yaml -i jsonl` over the corpus, this build's
#    binary alternating with BASE_REV's (default main; built from `git archive` under
#    build/bench-base/, the worktree untouched; use the branch point when main has moved
#    on), BENCH_ROUNDS times each (default 3):
#    wall and CPU seconds and peak RSS (tools/peakrss), and the CPU-time ratio.
# 4. bench_csv: Debian's libcsv against causeway's CSV reader on the same complaints
#    as CSV: the behaviours the reader must have, then the speed (tests/bench/bench_csv.c).
set -euo pipefail

build=${1:?usage: bench-json.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
variant=$(basename "$build")
make --no-print-directory VARIANT="$variant" "$build/causeway" "$build/bench/bench_json" \
    "$build/tools/gen_complaints" "$build/tools/peakrss" >/dev/null

rows=${BENCH_ROWS:-1000000}
corpus=build/bench-data/complaints-${rows}.jsonl
if [ ! -s "$corpus" ]; then
    mkdir -p build/bench-data
    "$build/tools/gen_complaints" --format csv --seed 7 --rows "$rows" | python3 -c '
import csv, json, sys
for r in csv.DictReader(sys.stdin):
    r["text"] = r.pop("body")
    print(json.dumps(r))' >"$corpus.tmp"
    mv "$corpus.tmp" "$corpus"
fi

echo "== bench_json --jsonl $corpus (one process, best of 3 CPU times)"
"$build/bench/bench_json" --jsonl "$corpus"

base_rev=${BASE_REV:-main}
base=build/bench-base/$(git rev-parse --short "$base_rev")
if [ ! -x "$base/$build/causeway" ]; then
    rm -rf "$base" && mkdir -p "$base"
    git archive "$base_rev" | tar -x -C "$base"
    make --no-print-directory -C "$base" VARIANT="$variant" "$build/causeway" >/dev/null
fi
echo
echo "== causeway classify rules/default.yaml -i jsonl --channel-column channel --site-column site"
echo "   $corpus >/dev/null: $base_rev ($base) vs this build, alternating"
declare -A cpu_sum=()
for round in $(seq 1 "${BENCH_ROUNDS:-3}"); do
    for who in base this; do
        bin=$build/causeway
        [ "$who" = base ] && bin=$base/$build/causeway
        line=$("$build/tools/peakrss" "$bin" classify rules/default.yaml -i jsonl \
            --channel-column channel --site-column site "$corpus" 2>&1 >/dev/null | tail -n 1)
        echo "  round $round $who: $line"
        cpu=$(sed -n 's/.*cpu_s=\([0-9.]*\).*/\1/p' <<<"$line")
        cpu_sum[$who]=$(python3 -c "print(${cpu_sum[$who]:-0} + $cpu)")
    done
done
python3 -c "print('  CPU time this / $base_rev: %.3f' % (${cpu_sum[this]} / ${cpu_sum[base]}))"

# 4. The CSV question: libcsv against causeway's reader on the same complaints as CSV.
csv=build/bench-data/complaints-${rows}.csv
if [ ! -s "$csv" ]; then
    "$build/tools/gen_complaints" --format csv --seed 7 --rows "$rows" >"$csv.tmp"
    mv "$csv.tmp" "$csv"
fi
make --no-print-directory VARIANT="$variant" "$build/bench/bench_csv" >/dev/null
echo
echo "== bench_csv --csv $csv"
"$build/bench/bench_csv" --csv "$csv"
