#!/usr/bin/env bash
# bench-incremental.sh BUILD - `make bench-incremental`: what a weekly run costs as
# history grows, the new causeway against a baseline binary, in one session on one
# throwaway server (noise is shared, so the ratios are what to read).
#
# Data (generated once, cached under build/bench-data/, never in the repository):
# a history of CW_BENCH_ROWS complaints over 52 weeks (gen_complaints --seed 7) whose
# updated_at is its received_at (rows inserted as they arrived), and one further week
# (week 53 of a 53-week generation, ~19 k complaints, ids moved past the history's)
# inserted after the first run, with updated_at = now() as the reference table's
# default gives it.
#
# For each binary, into its own fresh results schema (the new one with
# source.columns.updated_at mapped, the baseline, which knows no such key, without):
#   full     the first run over the history (--week <its last week>)
#   next     after the new week is inserted: the run of the new week
#   rerun    the same run again, nothing new (best of CW_BENCH_RERUNS, default 3)
# Both binaries run every step before the next step, so they see the same table; the
# new one goes first in the later steps, so that the baseline's reading of the whole
# table (its anti-join) does not evict what the new one reads from the cache.
# Environment: OLD (baseline causeway binary; required), CW_BENCH_ROWS (1000000),
# CW_BENCH_NEW (19231: complaints per week of the generation the new week comes from).
# Prints a markdown table and the new/old ratios. Needs the environment of tests/tools/pgtmp.sh.
set -euo pipefail

build=${1:-build/release}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
dsn=${CW_TEST_DSN:?run under tests/tools/pgtmp.sh}
new=$root/$build/causeway
old=${OLD:?set OLD to the baseline causeway binary}
rows=${CW_BENCH_ROWS:-1000000}
fresh=${CW_BENCH_NEW:-19231}
gen=$root/$build/tools/gen_complaints
cache=$root/build/bench-data
mkdir -p "$cache"

# The history and the new week, generated once per size.
history=$cache/history-$rows.copy
week=$cache/week-$fresh.copy
if [ ! -s "$history" ]; then
    "$gen" --rows "$rows" --weeks 52 --seed 7 --format copy |
        awk -F'\t' -v OFS='\t' '{ print $0, $2 }' >"$history.tmp"
    mv "$history.tmp" "$history"
fi
if [ ! -s "$week" ]; then
    # Week 53 of a 53-week generation: the week after the history's last.
    "$gen" --rows $((fresh * 53)) --weeks 53 --seed 7 --format copy |
        awk -F'\t' -v OFS='\t' '$2 >= "2026-01-05" { $1 = $1 + 1000000000; print }' \
        >"$week.tmp"
    mv "$week.tmp" "$week"
fi

export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
q() { psql "$dsn" -XAtq -v ON_ERROR_STOP=1 "$@"; }

# The history, loaded as load-sample.sh loads (indexes built after, FREEZE, ANALYZE).
q -f sql/complaints.sql >/dev/null
q --single-transaction <<SQL >/dev/null
TRUNCATE public.complaints;
DROP INDEX IF EXISTS public.complaints_received_at_idx, public.complaints_updated_at_idx;
\copy public.complaints (id, received_at, channel, site, product, segment, body, updated_at) from '$history' with (freeze)
CREATE INDEX complaints_received_at_idx ON public.complaints (received_at);
CREATE INDEX complaints_updated_at_idx ON public.complaints (updated_at);
SQL
q -c "VACUUM ANALYZE public.complaints" >/dev/null
last=$(q -c "SELECT to_char(max(received_at) AT TIME ZONE 'UTC', 'IYYY-\"W\"IW') FROM public.complaints")

conf_new=$(mktemp) conf_old=$(mktemp)
trap 'rm -f "$conf_new" "$conf_old"' EXIT
printf 'source:\n  table: public.complaints\n  columns: { updated_at: updated_at }\n' >"$conf_new"
printf 'source:\n  table: public.complaints\n' >"$conf_old"

wall() { # seconds the command took; its output is dropped
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}
run() { # which week
    local bin=$1 conf=$2 schema=$3 target=$4
    wall "$bin" -q run -d "$dsn" -c "$conf" --schema "$schema" --week "$target" --format csv
}
best() { awk 'BEGIN { b = "" } { if (b == "" || $1 < b) b = $1 } END { print b }'; }

declare -A full next rerun
for which in old new; do
    bin=${!which}
    conf=conf_$which
    schema=inc_${which}_$rows
    q -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null
    "$bin" -q db init -d "$dsn" --schema "$schema" >/dev/null
    full[$which]=$(run "$bin" "${!conf}" "$schema" "$last")
done
q -c "\\copy public.complaints (id, received_at, channel, site, product, segment, body) from '$week'" >/dev/null
q -c "ANALYZE public.complaints" >/dev/null
target=$(q -c "SELECT to_char(max(received_at) AT TIME ZONE 'UTC', 'IYYY-\"W\"IW') FROM public.complaints")
for which in new old; do
    conf=conf_$which
    next[$which]=$(run "${!which}" "${!conf}" "inc_${which}_$rows" "$target")
done
for which in new old; do
    conf=conf_$which
    rerun[$which]=$(for _ in $(seq "${CW_BENCH_RERUNS:-3}"); do run "${!which}" "${!conf}" "inc_${which}_$rows" "$target"; done | best)
done
# The stored results of both must agree: the same ranking, byte for byte.
for which in old new; do
    "${!which}" report -d "$dsn" --schema "inc_${which}_$rows" --week "$target" --format json \
        >"$cache/report-$which.json"
done
same=no
cmp -s "$cache/report-old.json" "$cache/report-new.json" && same=yes
q -c "DELETE FROM public.complaints WHERE id > 1000000000" >/dev/null

added=$(wc -l <"$week")
printf '| history | new week | binary | full run (s) | next-week run (s) | next / full | rerun, nothing new (s) |\n'
printf '|---:|---:|---|---:|---:|---:|---:|\n'
for which in old new; do
    awk -v r="$rows" -v n="$added" -v w="$which" -v f="${full[$which]}" -v x="${next[$which]}" \
        -v z="${rerun[$which]}" 'BEGIN {
        printf "| %d | %d | %s | %.2f | %.2f | %.3f | %.2f |\n", r, n, w, f, x, x / f, z }'
done
awk -v a="${next[old]}" -v b="${next[new]}" -v c="${rerun[old]}" -v d="${rerun[new]}" \
    -v e="${full[old]}" -v f="${full[new]}" 'BEGIN {
    printf "\nnew / old: full %.2f, next-week %.3f, rerun %.3f\n", f / e, b / a, d / c }'
echo "rankings of $target identical (old vs new): $same"
