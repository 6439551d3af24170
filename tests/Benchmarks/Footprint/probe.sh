#!/usr/bin/env bash
# What the native sidecar's RSS is made of, idle and under load (issue 22; docs/0023-native-aot.md): one sidecar on the
# footprint configuration, one Generate, IDLE seconds, then RATE calls/s for DURATION seconds; /proc/PID/smaps by kind
# (smaps.py) and the runtime's own meter from /metrics (GC heap, committed memory, thread pool) before, at the end of the
# load and IDLE seconds after it. A probe for finding causes, not a benchmark of record (run.sh is that).
#   NATIVE=path/to/Mesh.Gateway.Sidecar [RATE=5000 DURATION=10 IDLE=3 EXTRA_YAML=...] bash tests/Benchmarks/Footprint/probe.sh [VAR=VALUE ...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
RATE=${RATE:-5000}
DURATION=${DURATION:-10}
IDLE=${IDLE:-3}
CLIENTS=${CLIENTS:-10}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
: "${NATIVE:?NATIVE=path to the published executable}"
NATIVE=$(realpath "$NATIVE")
. "$root/tests/Benchmarks/h2load-lib.sh"
dotnet "$BENCH" bench-requests "$WORK"
UP=$(free_port); SC=$(free_port); ADMIN=$(free_port)
mkdir -p "$WORK/run"
cat >"$WORK/sidecar.yaml" <<YAML
logging: { level: warning }
providers:
  - { name: upstream, kind: openai-compatible, base_url: 'http://127.0.0.1:$UP/v1', api_key: bench }
models:
  - { name: bench, targets: [ { provider: upstream, model: gpt-4o-mini } ] }
YAML
# EXTRA_YAML='admin: { recent_calls: 1000 }' adds top-level sections to the configuration.
if [ -n "${EXTRA_YAML:-}" ]; then printf '%s\n' "$EXTRA_YAML" >>"$WORK/sidecar.yaml"; fi
taskset -c "$SERVER_CPU" dotnet "$BENCH" mock-upstream "$UP" >"$WORK/upstream.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$UP/count" >/dev/null && break; sleep 0.2; done
(cd "$WORK/run" && exec env "$@" taskset -c "$SERVER_CPU" "$NATIVE" --config "$WORK/sidecar.yaml" --grpc "127.0.0.1:$SC" --admin "127.0.0.1:$ADMIN") >"$WORK/sidecar.log" 2>&1 &
pid=$!; PIDS+=("$pid")
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$ADMIN/readyz" >/dev/null && break; sleep 0.1; done
generate() { taskset -c "$LOAD_CPU" h2load -n "$1" -c 1 -m 1 -t 1 -d "$WORK/generate.frame" -H 'content-type: application/grpc' -H 'te: trailers' "http://127.0.0.1:$SC/mesh.gateway.v1.Inference/Generate" >/dev/null; }
metrics() { curl -sf "http://127.0.0.1:$ADMIN/metrics" | grep -E '^dotnet_(gc_last_collection|gc_heap_total_allocated|process_memory|thread_pool_thread_count|gc_collections)' || true; }
snap() { python3 "$here/smaps.py" "$pid" "$NATIVE" >"$WORK/$1.json"; metrics >"$WORK/$1.metrics"; }
generate 1
sleep "$IDLE"
snap idle
taskset -c "$LOAD_CPU" h2load -D "$DURATION" -c "$CLIENTS" -m 1 -t 1 --rps "$(( (RATE + CLIENTS - 1) / CLIENTS ))" -d "$WORK/generate.frame" \
  -H 'content-type: application/grpc' -H 'te: trailers' "http://127.0.0.1:$SC/mesh.gateway.v1.Inference/Generate" >"$WORK/load.out" &
load=$!
sleep "$(( DURATION - 1 ))"
snap load
wait "$load"
sleep "$IDLE"
snap after
echo "load average $(loadavg); $(grep -E '^finished' "$WORK/load.out")"
echo "== idle -> at the end of ${RATE}/s"; python3 "$here/smaps.py" --diff "$WORK/idle.json" "$WORK/load.json"
echo "== idle -> ${IDLE} s after the load"; python3 "$here/smaps.py" --diff "$WORK/idle.json" "$WORK/after.json"
echo "== runtime meter: idle | load | after"
paste -d'|' <(sort "$WORK/idle.metrics") <(sort "$WORK/load.metrics" | awk '{print $NF}') <(sort "$WORK/after.metrics" | awk '{print $NF}')
if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP"; cp "$WORK"/*.json "$WORK"/*.metrics "$KEEP"/; fi
