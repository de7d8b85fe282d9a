#!/usr/bin/env bash
# bench-classify.sh BUILD_DIR - single-core classification throughput (`make bench-classify`).
#
# Builds a ~200 MB corpus of generated complaints (tools/gen_complaints, one per
# line; cached under build/bench-data), then runs bench_classify, which measures
# in one process a baseline (split lines + checksum every byte) and
# cw_matcher_classify over every line with the default rule set, and prints
# MB/s, complaints/s and their ratio. When ../shared/data/cfpb is present, the
# same on real CFPB narratives (repeated to 200 MB: long complaints).
#
# BASE_REV=<commit> also builds that commit's bench_classify (from `git archive`,
# under build/bench-base/, the worktree untouched) and runs the two alternately,
# BENCH_ROUNDS times each (default 2), on the same corpus with the same rule
# file: whether a change of the code made classify slower, as ratios measured in
# one run (BENCH_MB sizes the corpora).
#
# BASE_RULES_REV=<commit> instead runs this build's bench_classify alternately with
# that commit's rules/default.yaml and the rules in the tree, BENCH_ROUNDS times
# each: whether a change of the rules made classify slower (issue 12).
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

benches=("$build/bench/bench_classify")
names=(this)
rule_files=("$rules")
if [ -n "${BASE_REV:-}" ]; then
    base=build/bench-base/$(git rev-parse --short "$BASE_REV")
    if [ ! -x "$base/$build/bench/bench_classify" ]; then
        rm -rf "$base" && mkdir -p "$base"
        git archive "$BASE_REV" | tar -x -C "$base"
        make --no-print-directory -C "$base" VARIANT="$variant" "$build/bench/bench_classify" >/dev/null
    fi
    # Alternate, BENCH_ROUNDS times each (default 2): the machine is shared and noisy.
    benches=() names=()
    for _ in $(seq 1 "${BENCH_ROUNDS:-2}"); do
        benches+=("$base/$build/bench/bench_classify" "$build/bench/bench_classify")
        names+=("base $BASE_REV" this)
    done
fi
if [ -n "${BASE_RULES_REV:-}" ]; then
    mkdir -p build/bench-base
    base_rules=build/bench-base/rules-$(git rev-parse --short "$BASE_RULES_REV").yaml
    git show "$BASE_RULES_REV:rules/default.yaml" >"$base_rules"
    benches=() names=() rule_files=()
    for _ in $(seq 1 "${BENCH_ROUNDS:-2}"); do
        benches+=("$build/bench/bench_classify" "$build/bench/bench_classify")
        names+=("rules of $BASE_RULES_REV" "rules in the tree")
        rule_files+=("$base_rules" "$rules")
    done
fi
# With BASE_REV both builds load the same rule file: what is compared is the code;
# with BASE_RULES_REV one build loads two rule files: what is compared is the rules.
run() { # INDEX ARGS...
    local i=$1
    shift
    echo "-- ${names[$i]}"
    "${benches[$i]}" --rules "${rule_files[$i]:-$rules}" "$@"
}

echo "== generated complaints (gen_complaints --format lines --seed 7 --rows $rows)"
for i in "${!benches[@]}"; do run "$i" --lines "$corpus"; done

cfpb="${CW_SHARED_DATA:-${SHARED_DATA:-$root/../shared/data}}/cfpb/complaints.csv"
if [ -f "$cfpb" ]; then
    echo
    echo "== CFPB narratives ($cfpb, repeated to $mb MB)"
    for i in "${!benches[@]}"; do
        run "$i" --csv "$cfpb" --text-column narrative --target-mb "$mb"
    done
else
    echo "bench-classify: $cfpb not found, CFPB part skipped"
fi
