#!/usr/bin/env bash
# pgbouncer.sh CMD [ARGS...] - run CMD with a throwaway PgBouncer in front of the
# throwaway PostgreSQL of pgtmp.sh (PGHOST/PGPORT must be set: run it under pgtmp.sh).
#
# PgBouncer listens on 127.0.0.1 on a free port, in transaction pooling mode, as the
# invoking user or, when invoked as root, as the unprivileged user pgtmp.sh uses. It
# trusts every role (auth_query through the superuser 'causeway', against a server
# that trusts loopback), so roles a test creates connect through it at once. Exports
#   CW_POOLER_DSN       database 'causeway', pool of 20 server connections
#   CW_POOLER_TWO_DSN   the same database through a pool of exactly 2
#   CW_POOLER_ONE_DSN   the same database through a pool of 1 (too small for a run)
#   CW_POOLER_PORT      the port, for DSNs with another user
# runs CMD, then stops PgBouncer and removes its directory, also when CMD fails or
# the script is interrupted. Exits with CMD's status. When PgBouncer is not installed
# it says so and exits 1 (make test installs it: tests/tools/ensure-deps.sh).
set -euo pipefail

: "${PGHOST:?pgbouncer.sh runs under tests/tools/pgtmp.sh}" "${PGPORT:?}"
bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
[ -x "$bin" ] || { echo "pgbouncer.sh: pgbouncer not found (apt-get install pgbouncer)" >&2; exit 1; }

dir=$(mktemp -d /tmp/causeway-pgb.XXXXXX)
chmod 755 "$dir"
as_user=()
if [ "$(id -u)" -eq 0 ]; then
    user=postgres
    id "$user" >/dev/null 2>&1 || user=nobody
    chown "$user" "$dir"
    as_user=(runuser -u "$user" --)
fi

stop() {
    if [ -s "$dir/pgbouncer.pid" ]; then
        pid=$(cat "$dir/pgbouncer.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo '"causeway" ""' >"$dir/userlist.txt"
started=
for _ in $(seq 1 30); do
    port=$(( 20000 + RANDOM % 30000 ))
    server="host=$PGHOST port=$PGPORT dbname=${PGDATABASE:-causeway}"
    cat >"$dir/pgbouncer.ini" <<INI
[databases]
causeway = $server
causeway_two = $server pool_size=2
causeway_one = $server pool_size=1

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
pool_mode = transaction
default_pool_size = 20
max_client_conn = 500
auth_type = trust
auth_file = $dir/userlist.txt
auth_user = causeway
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
query_wait_timeout = 60
server_lifetime = 3600
ignore_startup_parameters = extra_float_digits
INI
    [ -n "${as_user[*]}" ] && chown "$user" "$dir/pgbouncer.ini" "$dir/userlist.txt"
    # -d: PgBouncer forks once it listens; a port already taken fails it at once.
    if "${as_user[@]}" "$bin" -d -q "$dir/pgbouncer.ini" 2>>"$dir/start.log"; then
        for _ in $(seq 1 50); do
            if psql -XAtq -h 127.0.0.1 -p "$port" -d causeway -c 'SELECT 1' >/dev/null 2>&1; then
                started=1
                break
            fi
            sleep 0.1
        done
        [ -n "$started" ] && break
        stop_pid=$(cat "$dir/pgbouncer.pid" 2>/dev/null || true)
        [ -n "$stop_pid" ] && kill "$stop_pid" 2>/dev/null || true
        rm -f "$dir/pgbouncer.pid"
    fi
done
[ -n "$started" ] || { echo "pgbouncer.sh: could not start PgBouncer" >&2; cat "$dir/start.log" "$dir/pgbouncer.log" >&2 2>/dev/null; exit 1; }

export CW_POOLER_PORT=$port
export CW_POOLER_DSN="postgresql://causeway@127.0.0.1:$port/causeway"
export CW_POOLER_TWO_DSN="postgresql://causeway@127.0.0.1:$port/causeway_two"
export CW_POOLER_ONE_DSN="postgresql://causeway@127.0.0.1:$port/causeway_one"
echo "pgbouncer.sh: PgBouncer (transaction pooling) on $CW_POOLER_DSN" >&2

set +e
"$@"
status=$?
set -e
exit $status
