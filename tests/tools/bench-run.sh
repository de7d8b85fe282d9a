#!/usr/bin/env bash
# bench-run.sh BUILD - `make bench`: the whole `causeway run` against the bare
# export PostgreSQL does anyway, measured in one session on the same server.
#
# For 100 k and 1 M generated complaints (CW_BENCH_SMALL, CW_BENCH_ROWS):
#   bare     COPY (SELECT id, body FROM complaints) TO STDOUT through psql
#   run      causeway run into a fresh results schema (classify, aggregate,
#            detect, rank, store; one transaction)
#   sql      the same rule set as ~* regexes in one SQL query (tests/tools/rules_to_sql)
# and prints wall-time ratios against `bare` and causeway's peak memory.
# Needs the environment of tests/tools/pgtmp.sh.
set -euo pipefail

build=${1:-build/release}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cw=$root/$build/causeway
tools=$root/$build/tools
dsn=${CW_TEST_DSN:?run under tests/tools/pgtmp.sh}
sizes=("${CW_BENCH_SMALL:-100000}" "${CW_BENCH_ROWS:-1000000}")

measure() { # prints "wall_s=.. maxrss_kib=.. status=.." of the command
    local log
    log=$(mktemp)
    if ! "$tools/peakrss" "$@" >/dev/null 2>"$log"; then
        cat "$log" >&2
        rm -f "$log"
        exit 1
    fi
    tail -n 1 "$log"
    rm -f "$log"
}
field() { sed -E "s/.*$1=([0-9.]+).*/\\1/" <<<"$2"; }

"$tools/rules_to_sql" - public.complaints >/tmp/causeway-bench-regex.sql

printf '| complaints | bare COPY (s) | causeway run (s) | run / COPY | SQL ~* (s) | SQL / COPY | run peak RSS (MiB) |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|\n'
declare -A rss
for n in "${sizes[@]}"; do
    "$root/tests/tools/load-sample.sh" "$dsn" --rows "$n" --seed 7 >/dev/null 2>&1
    last=$(psql "$dsn" -XAtc "SELECT to_char(max(received_at) AT TIME ZONE 'UTC', 'IYYY-\"W\"IW') FROM public.complaints")
    copy=(psql "$dsn" -XAtq -c "COPY (SELECT id, body FROM public.complaints) TO STDOUT")
    measure "${copy[@]}" >/dev/null # warm the cache
    bare=$(field wall_s "$(measure "${copy[@]}")")
    schema=bench_$n
    psql "$dsn" -XAtqc "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null
    "$cw" -q db init -d "$dsn" --schema "$schema" >/dev/null
    out=$(measure "$cw" -q run -d "$dsn" --schema "$schema" --week "$last" --format csv)
    run=$(field wall_s "$out")
    rss[$n]=$(field maxrss_kib "$out")
    # The SQL alternative is slow: it runs with a time limit, and a timeout is reported as such.
    limit=${CW_BENCH_SQL_LIMIT:-600}
    if out=$(PGOPTIONS="-c statement_timeout=${limit}s" "$tools/peakrss" psql "$dsn" -XAtq -v ON_ERROR_STOP=1 \
                 -f /tmp/causeway-bench-regex.sql 2>&1 >/dev/null); then
        regex=$(field wall_s "$(tail -n 1 <<<"$out")")
    else
        regex=">$limit"
    fi
    awk -v n="$n" -v b="$bare" -v r="$run" -v s="$regex" -v m="${rss[$n]}" 'BEGIN {
        sql = s ~ /^>/ ? sprintf("%s | %s", s, ">" sprintf("%.0f", substr(s, 2) / b)) \
                       : sprintf("%.2f | %.2f", s, s / b)
        printf "| %d | %.2f | %.2f | %.2f | %s | %.1f |\n", n, b, r, r / b, sql, m / 1024 }'
done
awk -v a="${rss[${sizes[0]}]}" -v b="${rss[${sizes[1]}]}" -v sa="${sizes[0]}" -v sb="${sizes[1]}" 'BEGIN {
    printf "\nPeak memory at %d vs %d complaints: %.2fx (flat means within 1.2x)\n", sb, sa, b / a }'
rm -f /tmp/causeway-bench-regex.sql
