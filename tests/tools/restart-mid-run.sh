#!/usr/bin/env bash
# restart-mid-run.sh - the server restarts while `causeway run` is writing
# (RELIABILITY.md): exit 75 with one clear line, the results unchanged, and the
# next run completes. Runs under its own tests/tools/pgtmp.sh (it restarts that
# server), with a causeway built with fault hooks (CW_BIN, the asan build).
set -euo pipefail

cw=${CW_BIN:?the causeway binary with fault hooks}
dsn=${CW_TEST_DSN:?run under tests/tools/pgtmp.sh}
as_pg=()
[ "$(id -u)" -eq 0 ] && as_pg=(runuser -u "$(stat -c %U "$CW_PG_DATADIR")" --)
fail() { echo "restart-mid-run: $*" >&2; exit 1; }
checksum() {
    psql "$dsn" -XAtc "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM (
        SELECT 'c' || x::text t FROM r.classified x UNION ALL
        SELECT 'w' || x::text FROM r.weekly x UNION ALL
        SELECT 'k' || x::text FROM r.rankings x UNION ALL SELECT 'empty') s"
}

psql "$dsn" -XAtq -v ON_ERROR_STOP=1 -f sql/complaints.sql
psql "$dsn" -XAtq -c "INSERT INTO public.complaints (id, received_at, channel, site, body)
    SELECT g, timestamptz '2026-01-05 10:00+00' + (g % 30) * interval '7 days', 'web',
           'north', CASE WHEN g % 2 = 0 THEN 'the cashier was rude' ELSE 'all good' END
      FROM generate_series(1, 3000) g"
"$cw" -q db init -d "$dsn" --schema r >/dev/null
before=$(checksum)

err=$(mktemp)
CW_FAULT_AT=ingest-first-row:pause "$cw" run -d "$dsn" --schema r --week 2026-W31 \
    >/dev/null 2>"$err" &
pid=$!
for _ in $(seq 1 600); do
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = T ] && break
    sleep 0.05
done
[ "$(awk '{print $3}' "/proc/$pid/stat")" = T ] || fail "the run never reached its fault point"
"${as_pg[@]}" "$CW_PG_BINDIR/pg_ctl" -D "$CW_PG_DATADIR" -l "$CW_PG_LOG" -m fast -w restart \
    >/dev/null
kill -CONT "$pid"
status=0
wait "$pid" || status=$?
[ "$status" -eq 75 ] || fail "exit $status after the restart, want 75: $(cat "$err")"
errors=$(grep -v 'fault point' "$err" || true) # the hook announces itself
[ "$(wc -l <<<"$errors")" -eq 1 ] || fail "want one line, got: $errors"
grep -q 'connection to the database lost' <<<"$errors" || fail "unclear message: $errors"
rm -f "$err"
[ "$(checksum)" = "$before" ] || fail "the interrupted run left rows behind"

"$cw" -q run -d "$dsn" --schema r --week 2026-W31 >/dev/null ||
    fail "the next run failed"
[ "$(psql "$dsn" -XAtc 'SELECT count(*) FROM r.classified')" = 3000 ] ||
    fail "the next run did not classify every complaint"
echo "restart-mid-run: ok"
