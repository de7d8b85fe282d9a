#!/usr/bin/env bash
# bench-run.sh BUILD - `make bench`: the whole `causeway run` against the bare
# export PostgreSQL does anyway, measured in one session on the same server.
#
# For 100 k and 1 M generated complaints (CW_BENCH_SMALL, CW_BENCH_ROWS):
#   bare     COPY (SELECT id, body FROM complaints) TO STDOUT through psql
#   run      causeway run into a fresh results schema (classify, aggregate,
#            detect, rank, store; one transaction)
#   sql      the same rule set as ~* regexes in one SQL query (tests/tools/rules_to_sql)
# and prints wall-time ratios against `bare` and causeway's peak memory. Then the
# floor, what PostgreSQL alone needs to write the run's rows: they are exported
# (COPY (SELECT * FROM <schema>.classified) TO STDOUT, not timed) and loaded again,
# in one psql session and transaction, into a table created in that transaction
# like the run's partition, as the run loads it:
#   write    bare write: CREATE TABLE, \copy FROM the export; no indexes
#            (both writes: the best of three, see write_s)
#   write+ix write + index build: the same, then the partition's indexes built
#            after the load, as ATTACH PARTITION builds them in the run
#   floor    bare + write+ix: read the complaints and store the results, nothing else
#   run / floor  how much of the run is causeway's own work (1.0: none)
#   1-phrase run  the same run with tests/data/bench/one-phrase.yaml, a rule set the
#            matcher spends next to nothing on: run minus this is what matching costs
#   symptom rows write+ix  write + index build of only the rows with a symptom: what
#            storing only complaints with evidence would leave of the write
# New columns go at the end: other tooling parses the first ones.
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

# Wall seconds of one psql session loading $rows into a new table $floor like the
# run's partition $part (created in the loading transaction, as the run creates it,
# so PostgreSQL treats both alike), then running the statements given, in the same
# transaction. Measured warm, as the bare COPY (once to warm up), then the best of
# three counts: one load of 1 M rows varies by +-25 % on the shared machine, more
# than the index build it is compared with, and noise only ever adds time.
write_s() {
    local load=(psql "$dsn" -XAtq -v ON_ERROR_STOP=1 -c BEGIN
                -c "CREATE TABLE $floor (LIKE $part INCLUDING ALL EXCLUDING INDEXES)"
                -c "\\copy $floor FROM '$rows'")
    local stmt
    for stmt in "$@"; do load+=(-c "$stmt"); done
    load+=(-c COMMIT)
    measure "${load[@]}" >/dev/null
    psql "$dsn" -XAtqc "DROP TABLE $floor" >/dev/null
    local best='' t _
    for _ in 1 2 3; do
        t=$(field wall_s "$(measure "${load[@]}")")
        psql "$dsn" -XAtqc "DROP TABLE $floor" >/dev/null
        best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b < a) ? b : a }')
    done
    echo "$best"
}
rows=
trap 'rm -f "$rows"' EXIT # the export of 1 M rows is ~100 MB: not left behind on failure

"$tools/rules_to_sql" - public.complaints >/tmp/causeway-bench-regex.sql

printf '| complaints | bare COPY (s) | causeway run (s) | run / COPY | SQL ~* (s) | SQL / COPY | run peak RSS (MiB) '
printf '| bare write (s) | write + indexes (s) | floor (s) | run / floor | 1-phrase run (s) | symptom rows write + indexes (s) |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
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
    light=${schema}_1phrase
    psql "$dsn" -XAtqc "SET client_min_messages = warning; DROP SCHEMA IF EXISTS $light CASCADE" >/dev/null
    "$cw" -q db init -d "$dsn" --schema "$light" >/dev/null
    out=$(measure "$cw" -q run -d "$dsn" --schema "$light" --week "$last" --format csv \
              --rules "$root/tests/data/bench/one-phrase.yaml")
    light_run=$(field wall_s "$out")
    psql "$dsn" -XAtqc "SET client_min_messages = warning; DROP SCHEMA $light CASCADE" >/dev/null
    # The run made one partition, for its rule set; its name holds the rule set id.
    part=$(psql "$dsn" -XAtc "SELECT inhrelid::regclass FROM pg_inherits
                               WHERE inhparent = '$schema.classified'::regclass")
    [[ $part =~ ^$schema\.classified_r[0-9]+$ ]] || {
        echo "bench: not one partition of $schema.classified: $part" >&2
        exit 1
    }
    floor=$schema.bench_floor
    rows=$(mktemp /tmp/causeway-bench-rows.XXXXXX)
    psql "$dsn" -XAtqc "COPY (SELECT * FROM $schema.classified) TO STDOUT" >"$rows"
    # The partition's indexes as built after the load, by sorting, as ATTACH builds
    # them (the primary key becomes a unique index: the same btree, the same sort).
    mapfile -t indexes < <(psql "$dsn" -XAtc "SELECT regexp_replace(pg_get_indexdef(indexrelid),
        '^(CREATE (UNIQUE )?INDEX) \\S+ ON \\S+ ', '\\1 ON $floor ') FROM pg_index WHERE indrelid = '$part'::regclass")
    [ ${#indexes[@]} -gt 0 ] || { echo "bench: $part has no indexes" >&2; exit 1; }
    write=$(write_s)
    written=$(write_s "${indexes[@]}")
    psql "$dsn" -XAtqc "COPY (SELECT * FROM $schema.classified WHERE symptom_count > 0) TO STDOUT" >"$rows"
    written_sym=$(write_s "${indexes[@]}")
    rm -f "$rows"
    # The SQL alternative is slow: it runs with a time limit, and a timeout is reported as such.
    limit=${CW_BENCH_SQL_LIMIT:-600}
    if out=$(PGOPTIONS="-c statement_timeout=${limit}s" "$tools/peakrss" psql "$dsn" -XAtq -v ON_ERROR_STOP=1 \
                 -f /tmp/causeway-bench-regex.sql 2>&1 >/dev/null); then
        regex=$(field wall_s "$(tail -n 1 <<<"$out")")
    else
        regex=">$limit"
    fi
    awk -v n="$n" -v b="$bare" -v r="$run" -v s="$regex" -v m="${rss[$n]}" -v w="$write" -v wi="$written" \
        -v l="$light_run" -v ws="$written_sym" 'BEGIN {
        sql = s ~ /^>/ ? sprintf("%s | %s", s, ">" sprintf("%.0f", substr(s, 2) / b)) \
                       : sprintf("%.2f | %.2f", s, s / b)
        printf "| %d | %.2f | %.2f | %.2f | %s | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n",
               n, b, r, r / b, sql, m / 1024, w, wi, b + wi, r / (b + wi), l, ws }'
done
awk -v a="${rss[${sizes[0]}]}" -v b="${rss[${sizes[1]}]}" -v sa="${sizes[0]}" -v sb="${sizes[1]}" 'BEGIN {
    printf "\nPeak memory at %d vs %d complaints: %.2fx (flat means within 1.2x)\n", sb, sa, b / a }'
rm -f /tmp/causeway-bench-regex.sql
