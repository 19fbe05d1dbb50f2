#!/bin/sh
# Entrypoint of berth-example/postgres:15, after the official postgres image's
# docker-entrypoint.sh: when the container starts as root it fixes the ownership of $PGDATA (a
# fresh named volume belongs to root) and re-executes itself as the postgres user; when $PGDATA is
# empty it runs initdb with POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB, allows password logins
# from the network and runs /docker-entrypoint-initdb.d/*.sql|*.sh; then it execs the server, so
# postgres is the container's main process and gets STOPSIGNAL (SIGINT: fast shutdown) directly.
#
# During initialisation the temporary server listens only on a private socket directory, so the
# `pg_isready` healthcheck (default socket /var/run/postgresql) does not report the database
# ready before the real server is up.
set -eu

: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
export PGDATA

# `docker run image -c shared_buffers=...`: options for the server.
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
  set -- postgres "$@"
fi

if [ "$1" != postgres ]; then
  exec "$@"
fi

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chmod 0700 "$PGDATA"
  chmod 2775 /var/run/postgresql
  # Only what is not already the postgres user's: a large existing volume is not walked twice.
  find "$PGDATA" /var/run/postgresql \! -user postgres -exec chown postgres:postgres '{}' +
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "docker-entrypoint: POSTGRES_PASSWORD is not set; the database would accept no network login" >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 ${POSTGRES_INITDB_ARGS:-}
  rm -f "$pwfile"
  # initdb allows host logins from loopback only; the app connects over the project network.
  printf '%s\n' 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
  printf '%s\n' "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"

  sockdir=$(mktemp -d)
  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -c unix_socket_directories='$sockdir'" start
  psql_init() { psql -v ON_ERROR_STOP=1 -h "$sockdir" -U "$POSTGRES_USER" -X -q "$@"; }
  if ! psql_init -d postgres -tAc "select 1 from pg_database where datname = '$POSTGRES_DB'" | grep -q 1; then
    psql_init -d postgres -c "CREATE DATABASE \"$POSTGRES_DB\""
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sql) echo "docker-entrypoint: running $f"; psql_init -d "$POSTGRES_DB" -f "$f" ;;
      *.sh) echo "docker-entrypoint: running $f"; . "$f" ;;
      *) ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  rmdir "$sockdir"
  echo "docker-entrypoint: PostgreSQL init process complete; ready for start up."
fi

exec "$@"
