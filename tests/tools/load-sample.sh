#!/usr/bin/env bash
# load-sample.sh DSN [GENERATOR ARGS...] - fill public.complaints and public.exposure
# with sample data from gen_complaints (see its --help for the arguments).
#
# Creates the reference tables (sql/complaints.sql) when missing, then in ONE
# transaction: empties both tables, drops the secondary indexes of complaints,
# streams the generator's rows through psql's \copy, loads the exposure rows,
# re-creates the indexes; then ANALYZE. A failure leaves the previous data.
# DSN may be empty: psql then uses PGHOST, PGDATABASE... as usual.
# Environment: CW_GEN (the generator; default build/release/tools/gen_complaints,
# brought up to date with make). Prints one summary line on stderr.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: load-sample.sh DSN [GENERATOR ARGS...]" >&2; exit 64; }
dsn=$1
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
gen=${CW_GEN:-$root/build/release/tools/gen_complaints}
if [ -z "${CW_GEN:-}" ]; then # rebuilt when stale: the truth test trusts its scenarios
    make -C "$root" --no-print-directory VARIANT=release build/release/tools/gen_complaints >&2
fi

export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
psql_() {
    if [ -n "$dsn" ]; then psql "$dsn" -X -v ON_ERROR_STOP=1 "$@"; else psql -X -v ON_ERROR_STOP=1 "$@"; fi
}

tmp=$(mktemp -d /tmp/causeway-load.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s.%N)

psql_ -q -f "$root/sql/complaints.sql" >/dev/null

# Building the index once after the load is much faster than maintaining it per row.
psql_ -At -c "SELECT format('DROP INDEX %s;', indexrelid::regclass),
                     pg_get_indexdef(indexrelid) || ';'
              FROM pg_index WHERE indrelid = 'public.complaints'::regclass
                AND NOT indisprimary AND NOT indisunique" -F $'\n' >"$tmp/indexes"
# The generator's success is only known when its stream ends: the subshell marks it
# before closing the pipe, and the script raises an error (rolling everything back)
# when the mark is missing, so a failed generator never leaves an empty table.
{
    echo "TRUNCATE public.complaints, public.exposure;"
    grep '^DROP INDEX' "$tmp/indexes" || true
    # FREEZE (allowed: the table was truncated in this transaction) spares the first
    # reader from rewriting every page to set hint bits.
    echo "\\copy public.complaints (id, received_at, channel, site, product, segment, body) from pstdin with (freeze)"
    echo "\\set gen_ok \`test -e '$tmp/ok' && echo 1 || echo 0\`"
    echo "\\if :gen_ok"
    echo "\\copy public.exposure (week, site, volume) from '$tmp/exposure'"
    grep -v '^DROP INDEX' "$tmp/indexes" || true
    echo "\\else"
    echo "DO \$\$ BEGIN RAISE EXCEPTION 'the sample generator failed: nothing loaded'; END \$\$;"
    echo "\\endif"
} >"$tmp/load.sql"

# --format copy last: it wins over a format in the caller's arguments. The generator
# closes the exposure file before its row stream ends, so psql finds it complete.
set +e
{ "$gen" "$@" --exposure "$tmp/exposure" --format copy && touch "$tmp/ok"; } |
    psql_ --single-transaction -f "$tmp/load.sql" >"$tmp/psql.out"
status=("${PIPESTATUS[@]}")
set -e
if [ "${status[0]}" -ne 0 ] || [ "${status[1]}" -ne 0 ]; then
    echo "load-sample: failed (generator exit ${status[0]}, psql exit ${status[1]}); previous data kept" >&2
    exit 1
fi
psql_ -q -c "ANALYZE public.complaints; ANALYZE public.exposure;"

# psql reports "COPY n" per \copy: the first is the complaints (no count(*) scan needed).
rows=$(awk '/^COPY /{print $2; exit}' "$tmp/psql.out")
weeks=$(psql_ -At -c "SELECT count(DISTINCT week) FROM public.exposure")
end=$(date +%s.%N)
awk -v r="$rows" -v w="$weeks" -v s="$start" -v e="$end" \
    'BEGIN { printf "load-sample: %d rows, %d weeks, %.1f seconds\n", r, w, e - s }' >&2
