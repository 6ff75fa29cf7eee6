#!/usr/bin/env bash
# Measures two builds of the server side by side in one run: for each configuration, alternately on a fresh
# server of build A and of build B (ROUNDS times each), with the same LoadGen; prints each run's line and the
# median ratio B/A. For a before/after figure of an optimization, on a machine as quiet as you can get.
#
#   bench/scripts/compare-builds.sh REF_A REF_B [OUT]     e.g. compare-builds.sh b195efd HEAD
#   ROUNDS=3 DURATION=8 KEYS=200000 bench/scripts/compare-builds.sh ...
#   ONLY=get-1,fanout-100 bench/scripts/compare-builds.sh ...   (configurations: get-1 get-16 put-1 put-16 fanout-100 fanout-1000)
set -euo pipefail
cd "$(dirname "$0")/../.."

ref_a="$1"
ref_b="$2"
out="${3:-/tmp/mwg-compare}"
rounds="${ROUNDS:-3}"
duration="${DURATION:-8}"
keys="${KEYS:-200000}"
port="${MWG_BENCH_PORT:-7514}"
mkdir -p "$out"

build() {
  local ref="$1" dir="$out/build-$1"
  if [ ! -f "$dir/bin/mwg.dll" ]; then
    rm -rf "$dir/src"
    git worktree add --detach "$dir/src" "$ref" >/dev/null
    dotnet build "$dir/src/src/$(test -d "$dir/src/src/Tool" && echo Tool || echo Gateway)" -c Release -v q -nologo -o "$dir/bin" >/dev/null
    git worktree remove --force "$dir/src"
  fi
}

build "$ref_a"
build "$ref_b"
dotnet build bench/MwgActors.LoadGen -c Release -v q -nologo >/dev/null
loadgen=bench/MwgActors.LoadGen/bin/Release/net10.0/MwgActors.LoadGen.dll

# One measurement: a fresh server of the build, then the scenario; prints its rate and p99. For kv: keys/s and the
# op's p99, with the keys loaded first; for fanout: notifications/s received and the notify p99 (from the put's ack).
measure() {
  local ref="$1" name="$2" scenario="$3"
  shift 3
  local data="$out/data-$ref"
  rm -rf "$data"
  dotnet "$out/build-$ref/bin/mwg.dll" serve --port "$port" --data "$data" >"$out/server.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 300); do grep -q "listening" "$out/server.log" && break; sleep 0.1; done
  local json
  if [ "$scenario" = kv ]; then
    json=$(dotnet "$loadgen" kv --url "ws://127.0.0.1:$port/" --clients 8 --batch 16 --value-size 100 --keys "$keys" \
      --load "$keys" --warmup 2 --duration "$duration" --json "$@" 2>/dev/null || true)
  else
    json=$(dotnet "$loadgen" "$scenario" --url "ws://127.0.0.1:$port/" --batch 16 --value-size 100 \
      --warmup 2 --duration "$duration" --json "$@" 2>/dev/null || true)
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
  python3 -c "
import json,sys
d=json.loads(sys.argv[1])
if sys.argv[2] == 'kv':
    print(round(d['keysPerSecond']), d['ops'][0]['p99'])
else:
    n=[o for o in d['ops'] if o['op']=='notify'][0]
    print(round(n['requestsPerSecond']), n['p99'])" "$json" "$scenario"
}

configs=("get-1:kv --mix 100:0:0 --inflight 1" "get-16:kv --mix 100:0:0 --inflight 16" "put-1:kv --mix 0:100:0 --inflight 1"
  "put-16:kv --mix 0:100:0 --inflight 16" "fanout-100:fanout --subscribers 100" "fanout-1000:fanout --subscribers 1000")
for config in "${configs[@]}"; do
  name="${config%%:*}"
  args="${config#*:}"
  if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then
    continue
  fi
  unit=$([ "${args%% *}" = kv ] && echo keys/s || echo notifications/s)
  ratios=()
  for round in $(seq 1 "$rounds"); do
    # shellcheck disable=SC2086
    read -r a_keys a_p99 < <(measure "$ref_a" "$name" $args)
    # shellcheck disable=SC2086
    read -r b_keys b_p99 < <(measure "$ref_b" "$name" $args)
    ratio=$(python3 -c "print(f'{$b_keys/$a_keys:.2f}')")
    ratios+=("$ratio")
    echo "$name round $round: $ref_a $a_keys $unit p99 $a_p99 us | $ref_b $b_keys $unit p99 $b_p99 us | ratio $ratio (load $(cut -d' ' -f1 /proc/loadavg))"
  done
  echo "$name median ratio $ref_b/$ref_a $unit: $(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(( (rounds + 1) / 2 ))p")"
done
