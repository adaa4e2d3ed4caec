#!/usr/bin/env bash
# Starts (or stops) Debian's PgBouncer in transaction-pooling mode in front of a PostgreSQL, for
# the test suite's second pass (the setup docs/scaling.md describes).
#   scripts/ci-pgbouncer.sh start <dir> <postgres://user:password@host:port/db>   prints the pooled URL
#   scripts/ci-pgbouncer.sh stop <dir>
# PgBouncer refuses to run as root, so as root it runs as the user tailapi-ci (made by ci-postgres.sh).
set -euo pipefail

cmd=${1:?start|stop}
dir=${2:?directory}
OS_USER=tailapi-ci

as_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$OS_USER" -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    direct=${3:?the PostgreSQL URL to pool}
    command -v pgbouncer >/dev/null || { echo "ci-pgbouncer: pgbouncer is not installed" >&2; exit 1; }
    # postgres://user:password@host:port/db
    re='^postgres(ql)?://([^:]+):([^@]+)@([^:/]+):([0-9]+)/(.+)$'
    [[ $direct =~ $re ]] || { echo "ci-pgbouncer: cannot read $direct" >&2; exit 1; }
    user=${BASH_REMATCH[2]} password=${BASH_REMATCH[3]} host=${BASH_REMATCH[4]} port=${BASH_REMATCH[5]} db=${BASH_REMATCH[6]}
    listen=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    mkdir -p "$dir"
    chmod 0755 "$dir"
    printf '"%s" "%s"\n' "$user" "$password" > "$dir/userlist.txt"
    cat > "$dir/pgbouncer.ini" <<INI
[databases]
* = host=$host port=$port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $listen
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 40
; postgres.js sends these at start-up; a transaction-pooling PgBouncer cannot keep per-client
; session settings, so statement_timeout is set on the role instead (see docs/scaling.md).
ignore_startup_parameters = extra_float_digits,statement_timeout,options
server_reset_query =
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
    if [ "$(id -u)" = 0 ]; then chown -R "$OS_USER" "$dir"; fi
    chmod 0600 "$dir/userlist.txt"
    as_user pgbouncer -d "$dir/pgbouncer.ini"
    for _ in $(seq 1 50); do
      (echo > "/dev/tcp/127.0.0.1/$listen") 2>/dev/null && break
      sleep 0.1
    done
    echo "postgres://$user:$password@127.0.0.1:$listen/$db"
    ;;
  stop)
    if [ -f "$dir/pgbouncer.pid" ]; then kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true; fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start <dir> <url> | stop <dir>" >&2
    exit 2
    ;;
esac
