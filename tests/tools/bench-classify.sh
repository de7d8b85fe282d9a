#!/usr/bin/env bash
# bench-classify.sh BUILD_DIR - single-core classification throughput (`make bench-classify`).
#
# Builds a ~200 MB corpus of generated complaints (tools/gen_complaints, one per
# line; cached under build/bench-data), then runs bench_classify, which measures
# in one process a baseline (split lines + checksum every byte) and
# cw_matcher_classify over every line with the default rule set, and prints
# MB/s, complaints/s and their ratio. When ../shared/data/cfpb is present, the
# same on real CFPB narratives (repeated to 200 MB: long complaints).
set -euo pipefail

build=${1:?usage: bench-classify.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
variant=$(basename "$build")
make --no-print-directory VARIANT="$variant" "$build/bench/bench_classify" "$build/tools/gen_complaints" >/dev/null

rules=rules/default.yaml
[ -f "$rules" ] || rules=tests/data/matcher/basic.yaml
mb=${BENCH_MB:-200}
rows=$((mb * 1000000 / 104)) # generated complaints average ~104 bytes
corpus=build/bench-data/complaints-${mb}mb.txt
if [ ! -s "$corpus" ]; then
    mkdir -p build/bench-data
    "$build/tools/gen_complaints" --format lines --seed 7 --rows "$rows" >"$corpus.tmp"
    mv "$corpus.tmp" "$corpus"
fi

echo "== generated complaints (gen_complaints --format lines --seed 7 --rows $rows)"
"$build/bench/bench_classify" --rules "$rules" --lines "$corpus"

cfpb="${CW_SHARED_DATA:-${SHARED_DATA:-$root/../shared/data}}/cfpb/complaints.csv"
if [ -f "$cfpb" ]; then
    echo
    echo "== CFPB narratives ($cfpb, repeated to $mb MB)"
    "$build/bench/bench_classify" --rules "$rules" --csv "$cfpb" --text-column narrative \
        --target-mb "$mb"
else
    echo "bench-classify: $cfpb not found, CFPB part skipped"
fi
