#!/usr/bin/env bash
# pgtmp.sh CMD [ARGS...] - run CMD against a private, throwaway PostgreSQL.
#
# Starts a cluster in a temporary directory, listening on 127.0.0.1 on a free
# port, as the invoking user or, when invoked as root (PostgreSQL refuses to run
# as root), as the unprivileged 'postgres' user. Exports PGHOST, PGPORT, PGUSER,
# PGDATABASE and CW_TEST_DSN (printed on stderr), runs CMD, then stops the server
# and removes the directory, also when CMD fails or the script is interrupted.
# Exits with CMD's status.
#
# Roles: 'causeway' is the superuser (trust on loopback). 'cw_password_test'
# must authenticate with scram-sha-256 (for wrong-password tests).
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "pgtmp: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

dir=$(mktemp -d /tmp/causeway-pg.XXXXXX)
chmod 755 "$dir"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
    pguser=postgres
    id "$pguser" >/dev/null 2>&1 || pguser=nobody
    chown "$pguser" "$dir"
    as_pg=(runuser -u "$pguser" --)
fi

stop() {
    "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U causeway -A trust -E UTF8 --locale=C \
    --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
# Password auth for one test role first; everything else on loopback is trusted.
"${as_pg[@]}" bash -c "cat > '$dir/data/pg_hba.conf'" <<HBA
local all all trust
host all cw_password_test 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
HBA

started=
for _ in $(seq 1 30); do
    port=$(( 20000 + RANDOM % 30000 ))
    # A port someone already listens on makes pg_ctl fail fast; try another.
    if "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off \
            -c synchronous_commit=off -c max_connections=200 -c shared_buffers=256MB \
            -c password_encryption=scram-sha-256" start >/dev/null 2>&1; then
        started=1
        break
    fi
done
[ -n "$started" ] || { echo "pgtmp: could not start PostgreSQL" >&2; tail -n 20 "$dir/server.log" >&2; exit 1; }

export PGHOST=127.0.0.1 PGPORT=$port PGUSER=causeway PGDATABASE=causeway
"$bindir/psql" -q -d postgres -c "CREATE DATABASE causeway" >/dev/null
export CW_TEST_DSN="postgresql://causeway@127.0.0.1:$port/causeway"
export CW_PG_BINDIR=$bindir CW_PG_DATADIR=$dir/data CW_PG_LOG=$dir/server.log
echo "pgtmp: PostgreSQL on $CW_TEST_DSN" >&2

set +e
"$@"
status=$?
set -e
exit $status
