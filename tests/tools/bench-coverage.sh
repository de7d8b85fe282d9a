#!/usr/bin/env bash
# bench-coverage.sh BUILD_DIR - throughput and peak memory of `causeway coverage` and
# `causeway diff` against `causeway classify` on the same input, in one run
# (`make bench-coverage`; results go in BENCHMARKS.md).
#
# Input: 1,000,000 generated complaints, one per line (gen_complaints --seed 7,
# ~104 MB, cached under build/bench-data), and 100,000 of them to show that memory
# does not grow with the input. Rules: the default rule set. Each command reads the
# same file and writes to /dev/null:
#   classify  causeway classify RULES FILE                 (the baseline: one row out per complaint)
#   coverage  causeway coverage RULES FILE -f json         (every section: entry statistics,
#                                                          overlaps, phrase sketches)
#   coverage+ the same with --suggest SYMPTOM             (a second phrase sketch)
#   diff      causeway diff RULES RULES FILE -f json       (every complaint classified twice;
#                                                          identical rule sets, so nothing is
#                                                          skipped and the list stays empty)
# They alternate BENCH_ROUNDS times (default 2); the least CPU time (user + system) of
# each is kept, with its wall time and peak RSS (tools/peakrss): every command is one
# thread, and CPU time is what a machine shared with other jobs inflates least.
# Throughput is MB per CPU second. Targets: coverage >= 50 % and diff >= 45 % of
# classify's throughput, peak RSS under 128 MB at 1 M complaints.
set -euo pipefail

build=${1:?usage: bench-coverage.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
variant=$(basename "$build")
make --no-print-directory VARIANT="$variant" "$build/causeway" "$build/tools/gen_complaints" \
    "$build/tools/peakrss" >/dev/null
bin=$build/causeway
peak=$build/tools/peakrss
rules=${RULES:-rules/default.yaml}
rounds=${BENCH_ROUNDS:-2}

mkdir -p build/bench-data
big=build/bench-data/complaints-1m.txt
small=build/bench-data/complaints-100k.txt
if [ ! -s "$big" ]; then
    "$build/tools/gen_complaints" --format lines --seed 7 --rows 1000000 >"$big.tmp"
    mv "$big.tmp" "$big"
fi
[ -s "$small" ] || head -n 100000 "$big" >"$small"
# The rule set's first symptom, for --suggest.
symptom=$(printf '' | "$bin" coverage "$rules" --section symptoms -f csv - |
    awk -F, '$1 == "symptom" { print $2; exit }')

# measure NAME FILE CMD...: "NAME FILE wall_s maxrss_kib cpu_s" on stdout.
measure() {
    local name=$1 file=$2
    shift 2
    local line
    line=$("$peak" "$@" 2>&1 >/dev/null | grep '^wall_s=' | tail -n 1)
    [[ "$line" == *" status=0 "* ]] || { echo "bench-coverage: $name failed: $line" >&2; exit 1; }
    field() { sed -E "s/.*$1=([0-9.]+).*/\\1/" <<<"$line"; }
    echo "$name $file $(field wall_s) $(field maxrss_kib) $(field cpu_s)"
}

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for _ in $(seq 1 "$rounds"); do
    for file in "$big" "$small"; do
        measure classify "$file" "$bin" classify "$rules" "$file" >>"$results"
        measure coverage "$file" "$bin" coverage "$rules" "$file" -f json >>"$results"
        measure coverage+ "$file" "$bin" coverage "$rules" "$file" -f json --suggest "$symptom" \
            >>"$results"
        measure diff "$file" "$bin" diff "$rules" "$rules" "$file" -f json >>"$results"
    done
done

mb_big=$(awk -v b="$(stat -c %s "$big")" 'BEGIN { printf "%.1f", b / 1e6 }')
mb_small=$(awk -v b="$(stat -c %s "$small")" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "== $(date -u +%F), $rules, best of $rounds alternating rounds (wall time, tools/peakrss)"
echo "   input: $big ($mb_big MB, 1,000,000 complaints) and its first 100,000 ($mb_small MB)"
echo "   --suggest $symptom for coverage+"
awk -v big="$big" -v mbb="$mb_big" -v mbs="$mb_small" '
    {
        key = $1 SUBSEP ($2 == big ? "1m" : "100k")
        if (!(key in cpu) || $5 < cpu[key]) { cpu[key] = $5; wall[key] = $3 }
        if (!(key in rss) || $4 > rss[key]) rss[key] = $4
    }
    END {
        printf "\n| command | 1 M: CPU | wall | MB/s (CPU) | vs classify | peak RSS | 100 k: peak RSS | RSS 1 M / 100 k |\n"
        printf "|---|---:|---:|---:|---:|---:|---:|---:|\n"
        n = split("classify coverage coverage+ diff", names, " ")
        base = mbb / cpu["classify" SUBSEP "1m"]
        for (i = 1; i <= n; i++) {
            c = names[i]
            t = cpu[c SUBSEP "1m"]
            printf "| %s | %.2f s | %.2f s | %.1f | %.2f | %.1f MiB | %.1f MiB | %.2f |\n", c, t,
                wall[c SUBSEP "1m"], mbb / t, (mbb / t) / base, rss[c SUBSEP "1m"] / 1024,
                rss[c SUBSEP "100k"] / 1024, rss[c SUBSEP "1m"] / rss[c SUBSEP "100k"]
            if (c != "classify") {
                target = c == "diff" ? 0.45 : 0.50
                ok = ok sprintf("%s%s %s (%.2f >= %.2f)", ok == "" ? "" : ", ", c,
                    (mbb / t) / base >= target ? "met" : "MISSED", (mbb / t) / base, target)
                memok = memok sprintf("%s%s %s", memok == "" ? "" : ", ", c,
                    rss[c SUBSEP "1m"] < 128 * 1024 ? "met" : "MISSED")
            }
        }
        printf "\nthroughput targets: %s\nmemory target (< 128 MB at 1 M): %s\n", ok, memok
    }' "$results"
