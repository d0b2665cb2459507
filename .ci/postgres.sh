#!/usr/bin/env bash
# Throwaway PostgreSQL cluster on loopback for tests.
#   .ci/postgres.sh start DIR PORT   -> initdb + pg_ctl start, prints the database URL
#   .ci/postgres.sh stop DIR
# Runs the server binaries as the `postgres` user when invoked as root (initdb refuses root).
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?data directory}
port=${3:-55432}

bindir=""
for candidate in /usr/lib/postgresql/*/bin; do
  [ -x "$candidate/initdb" ] && bindir=$candidate
done
if [ -z "$bindir" ]; then
  bindir=$(dirname "$(command -v initdb || command -v pg_ctl || echo /nonexistent/x)")
fi
[ -x "$bindir/initdb" ] || { echo "postgres.sh: no initdb found (apt install postgresql)" >&2; exit 3; }

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_pg "$bindir/initdb" -D "$dir" -U cairn --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 \
        || { cat "$dir.initdb.log" >&2; exit 1; }
    fi
    as_pg "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null
    as_pg "$bindir/psql" -h 127.0.0.1 -p "$port" -U cairn -d postgres -qAt \
      -c "SELECT 1 FROM pg_database WHERE datname='cairn'" | grep -q 1 \
      || as_pg "$bindir/createdb" -h 127.0.0.1 -p "$port" -U cairn cairn
    echo "postgres://cairn@127.0.0.1:$port/cairn"
    ;;
  stop)
    [ -f "$dir/postmaster.pid" ] && as_pg "$bindir/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
