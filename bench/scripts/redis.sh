#!/usr/bin/env bash
# A throwaway Redis for LoadGen's --baseline redis: installs Debian's redis-server when missing, then starts
# (or stops) an instance on 127.0.0.1 with its files in /tmp/mwg-redis-PORT, removed on stop.
#
#   bench/scripts/redis.sh start [--port 6379] [--aof no|everysec|always]
#   bench/scripts/redis.sh stop  [--port 6379]
#
# --aof no (default): persistence off (no RDB snapshots, no append-only file). An MSET is then acknowledged
#   from memory: not durable, while our puts are acknowledged after RocksDB's write-ahead log write.
# --aof everysec: appendonly yes, appendfsync everysec (written to the AOF before the reply, fsynced each second:
#   about like our default durability = wal, which survives a killed process but not a power loss).
# --aof always: appendonly yes, appendfsync always (fsynced before the reply; compare with durability = fsync).
# LoadGen empties the instance (FLUSHDB) before it preloads: never point it at a Redis holding data you need.
set -euo pipefail

action="${1:-start}"
shift || true
port=6379
aof=no
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --aof) aof="$2"; shift 2 ;;
    *) echo "redis.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$aof" in no|everysec|always) ;; *) echo "redis.sh: --aof is no, everysec or always" >&2; exit 2 ;; esac

dir="/tmp/mwg-redis-$port"

install_redis() {
  if command -v redis-server >/dev/null 2>&1; then
    return
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -qq redis-server >/dev/null 2>&1 || {
    $sudo apt-get update -qq >/dev/null
    $sudo apt-get install -y -qq redis-server >/dev/null
  }
}

case "$action" in
  start)
    install_redis
    if redis-cli -p "$port" ping >/dev/null 2>&1; then
      echo "redis.sh: something already answers on port $port; stop it first" >&2
      exit 1
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$aof" = no ]; then
      persistence=(--save '' --appendonly no)
    else
      persistence=(--save '' --appendonly yes --appendfsync "$aof")
    fi
    redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --daemonize yes \
      --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" "${persistence[@]}"
    for _ in $(seq 1 50); do
      redis-cli -p "$port" ping >/dev/null 2>&1 && break
      sleep 0.1
    done
    redis-cli -p "$port" ping >/dev/null
    echo "redis $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:$port, aof $aof, files in $dir (pid $(cat "$dir/redis.pid"))"
    ;;
  stop)
    if [ -f "$dir/redis.pid" ]; then
      redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    fi
    rm -rf "$dir"
    echo "redis on port $port stopped"
    ;;
  *)
    echo "usage: redis.sh start|stop [--port N] [--aof no|everysec|always]" >&2
    exit 2
    ;;
esac
