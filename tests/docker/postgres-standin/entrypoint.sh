#!/usr/bin/env bash
# The stand-in's entrypoint: initialise $PGDATA once (as the official image does),
# then exec the server as the postgres user, so that it is PID 1 and gets the signals.
set -euo pipefail

if [ "$(id -u)" -eq 0 ]; then
    mkdir -p "$PGDATA"
    chown -R postgres "$PGDATA"
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

: "${POSTGRES_PASSWORD:?the stand-in needs POSTGRES_PASSWORD, like postgres:15}"
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" -A scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
    printf 'local all all trust\nhost all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' \
        >"$PGDATA/pg_hba.conf"
    # The temporary server: Unix socket only, as in the official image.
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -k /var/run/postgresql" -w start >/dev/null
    export PGHOST=/var/run/postgresql PGUSER=$user
    [ "$db" = postgres ] || psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE \"$db\""
    for f in /docker-entrypoint-initdb.d/*; do
        case $f in
            *.sh) echo "stand-in: running $f"; . "$f" ;;
            *.sql) echo "stand-in: running $f"; psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$f" ;;
        esac
    done
    sleep "${STANDIN_INIT_DELAY:-0}"
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    echo "stand-in: PostgreSQL init process complete; ready for start up."
fi
exec "$@" -c listen_addresses='*' -k /var/run/postgresql
