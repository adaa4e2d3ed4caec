#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL from Debian's packages for the test suite.
#   scripts/ci-postgres.sh start <dir>   prints DATABASE_URL on stdout
#   scripts/ci-postgres.sh stop <dir>
# PostgreSQL refuses to run as root, so as root it runs as the user tailapi-ci.
set -euo pipefail

cmd=${1:?start|stop}
dir=${2:?directory}
PGUSER_OS=tailapi-ci

pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
    echo "ci-postgres: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin" >&2
    return 1
  fi
  echo "$d"
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$PGUSER_OS" -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    bin=$(pg_bin)
    if [ "$(id -u)" = 0 ] && ! id "$PGUSER_OS" >/dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin "$PGUSER_OS"
    fi
    mkdir -p "$dir"
    chmod 0755 "$dir"
    [ "$(id -u)" = 0 ] && chown "$PGUSER_OS" "$dir"
    password=$(node -e 'console.log(require("crypto").randomBytes(18).toString("hex"))')
    port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    printf '%s\n' "$password" > "$dir/pwfile"
    [ "$(id -u)" = 0 ] && chown "$PGUSER_OS" "$dir/pwfile"
    as_pg "$bin/initdb" -D "$dir/data" -U tailapi --pwfile="$dir/pwfile" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$dir/pwfile"
    mkdir -p "$dir/sock"
    [ "$(id -u)" = 0 ] && chown "$PGUSER_OS" "$dir/sock"
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    as_pg "$bin/psql" -h "$dir/sock" -p "$port" -U tailapi -d postgres -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE tailapi_test" >&2
    echo "postgres://tailapi:${password}@127.0.0.1:${port}/tailapi_test"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      bin=$(pg_bin)
      as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop <dir>" >&2
    exit 2
    ;;
esac
