#!/usr/bin/env bash
# Runs issue 7's target configurations once each, every one on a fresh Release server with a fresh data
# folder, side by side with the RocksDB and Redis baselines; writes each summary table to OUT/NAME.txt
# (progress and load times in OUT/NAME.log). Starts a throwaway Redis (bench/scripts/redis.sh) when none answers.
#
#   bench/scripts/targets.sh [OUT]        (default OUT: /tmp/mwg-targets)
#   MWG_BENCH_PORT=7513 REDIS_PORT=6379 DURATION=10 LOAD=1000000 bench/scripts/targets.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

out="${1:-/tmp/mwg-targets}"
port="${MWG_BENCH_PORT:-7513}"
redis_port="${REDIS_PORT:-6379}"
duration="${DURATION:-10}"
load="${LOAD:-1000000}"
mkdir -p "$out"

dotnet build src/Tool -c Release -v q -nologo >/dev/null
dotnet build bench/MwgActors.LoadGen -c Release -v q -nologo >/dev/null
redis-cli -p "$redis_port" ping >/dev/null 2>&1 || bench/scripts/redis.sh start --port "$redis_port"

server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
trap stop_server EXIT

run() {
  local name="$1"
  shift
  local data="/tmp/mwg-bench-$name"
  rm -rf "$data"
  dotnet src/Tool/bin/Release/net10.0/mwg.dll serve --port "$port" --data "$data" >"$out/$name.server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do grep -q "listening" "$out/$name.server.log" && break; sleep 0.1; done
  echo "== $name: $* ($(date -u +%H:%M:%S) UTC, load average $(cut -d' ' -f1-3 /proc/loadavg))" >"$out/$name.txt"
  dotnet bench/MwgActors.LoadGen/bin/Release/net10.0/MwgActors.LoadGen.dll "$@" --url "ws://127.0.0.1:$port/" \
    --redis "127.0.0.1:$redis_port" >>"$out/$name.txt" 2>"$out/$name.log" || echo "(exit $?)" >>"$out/$name.txt"
  stop_server
  rm -rf "$data"
  cat "$out/$name.txt"
}

kv=(kv --clients 8 --batch 16 --value-size 100 --keys "$load" --load "$load" --warmup 2 --duration "$duration" --baseline rocksdb,redis)
run get-1 "${kv[@]}" --mix 100:0:0 --inflight 1
run get-16 "${kv[@]}" --mix 100:0:0 --inflight 16
run put-1 "${kv[@]}" --mix 0:100:0 --inflight 1
run put-16 "${kv[@]}" --mix 0:100:0 --inflight 16
run fanout-1000 fanout --subscribers 1000 --batch 16 --value-size 100 --warmup 2 --duration "$duration" --baseline redis
