#!/usr/bin/env bash
# Runs a three-node MwgActors cluster on this machine (docs/cluster.md): a throwaway PostgreSQL for the shared
# journal (.ci/setup-postgres.sh), then three `mwg serve --cluster` nodes with hocon/cluster.conf, each a gateway
# and storage node with its own view folder:
#
#   node 1  ws://127.0.0.1:7521/  cluster 127.0.0.1:4051  data ./data/cluster/node1
#   node 2  ws://127.0.0.1:7522/  cluster 127.0.0.1:4052  data ./data/cluster/node2
#   node 3  ws://127.0.0.1:7523/  cluster 127.0.0.1:4053  data ./data/cluster/node3
#
# Usage: scripts/cluster-local.sh start | stop | status | kill N | restart N
#   start      build, start PostgreSQL and the three nodes (node 1 first: it forms the cluster), wait until each listens
#   stop       SIGTERM every node (a graceful leave; the writer hands over) and wait for them to exit
#   kill N     SIGKILL node N (a crash: the others fail over after the split-brain resolver's stable-after)
#   restart N  start node N again; it joins through the seeds
# Logs: ./data/cluster/nodeN.log. Environment: MWG_CLUSTER_DIR (default ./data/cluster), MWG_PG_PORT (54329).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
dir="${MWG_CLUSTER_DIR:-$root/data/cluster}"
dll="$root/src/Tool/bin/Release/net10.0/mwg.dll"
mkdir -p "$dir"

journal() {
  if [ ! -s "$dir/journal" ]; then
    bash "$root/.ci/setup-postgres.sh" mwg_local | tail -n 1 > "$dir/journal"
  fi
  cat "$dir/journal"
}

running() { [ -s "$dir/node$1.pid" ] && kill -0 "$(cat "$dir/node$1.pid")" 2>/dev/null; }

start_node() {
  local n="$1"
  if running "$n"; then echo "node $n already running (pid $(cat "$dir/node$n.pid"))"; return; fi
  : > "$dir/node$n.log"
  nohup dotnet "$dll" serve --config "$root/hocon/cluster.conf" --cluster --journal "$(journal)" \
    --port "752$n" --cluster-port "405$n" --seed 127.0.0.1:4051 --seed 127.0.0.1:4052 \
    --data "$dir/node$n" >> "$dir/node$n.log" 2>&1 < /dev/null &
  echo $! > "$dir/node$n.pid"
  for _ in $(seq 1 120); do
    if grep -q "^mwg listening on" "$dir/node$n.log"; then
      echo "node $n: $(grep -m1 '^mwg listening on' "$dir/node$n.log" | cut -d' ' -f4) (pid $(cat "$dir/node$n.pid"))"
      return
    fi
    if ! running "$n"; then echo "node $n exited:"; tail -n 5 "$dir/node$n.log"; exit 1; fi
    sleep 0.5
  done
  echo "node $n did not start within 60 s; see $dir/node$n.log"; exit 1
}

stop_node() {
  local n="$1" signal="$2"
  if ! running "$n"; then return; fi
  local pid; pid="$(cat "$dir/node$n.pid")"
  kill "-$signal" "$pid"
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  rm -f "$dir/node$n.pid"
  echo "node $n stopped ($signal)"
}

case "${1:-}" in
  start)
    dotnet build "$root/src/Tool" -c Release -v quiet -nologo >/dev/null
    journal >/dev/null
    for n in 1 2 3; do start_node "$n"; done
    echo "journal: $(journal)"
    ;;
  stop) for n in 3 2 1; do stop_node "$n" TERM; done ;;
  kill) stop_node "${2:?node number}" KILL ;;
  restart) start_node "${2:?node number}" ;;
  status)
    for n in 1 2 3; do
      if running "$n"; then echo "node $n: running (pid $(cat "$dir/node$n.pid")), $(curl -s "http://127.0.0.1:752$n/readyz" || echo 'not answering')"
      else echo "node $n: stopped"; fi
    done
    ;;
  *) sed -n '2,18p' "$0"; exit 2 ;;
esac
