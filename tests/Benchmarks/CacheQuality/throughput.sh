#!/usr/bin/env bash
# Throughput of cache hits through the real sidecar (Release, HTTP door) vs misses against the mock upstream, in one run
# (issue 18's benchmark; a benchmark, not a test):
#   direct  the mock upstream itself (POST /v1/chat/completions)
#   miss    the sidecar with `cache-control: no-cache, no-store`: every call goes to the mock upstream
#   hit     the sidecar, the same body: every call after the first is an exact hit (no upstream call)
# Per round, each path for DURATION seconds at CONCURRENCY in flight (h2load, HTTP/1.1), servers pinned to SERVER_CPU and
# load to LOAD_CPU; the sidecar's CPU per call from /proc/PID/stat. Prints one JSON line per path and round, then medians.
#   ROUNDS=5 DURATION=10 CONCURRENCY=32 bash tests/Benchmarks/CacheQuality/throughput.sh
# A quick proof that it runs: ROUNDS=1 DURATION=1 bash tests/Benchmarks/CacheQuality/throughput.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
CONCURRENCY=${CONCURRENCY:-32}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}

. "$root/tests/Benchmarks/h2load-lib.sh"
dotnet build "$root/sidecar/Mesh.Gateway.Sidecar.csproj" -c Release -v q -nologo >/dev/null
SIDECAR="$root/sidecar/bin/Release/net10.0/Mesh.Gateway.Sidecar.dll"
UP=$(free_port); SC=$(free_port); ADMIN=$(free_port); HTTP=$(free_port)
dotnet "$BENCH" bench-requests "$WORK"
sed 's/"model":"[^"]*"/"model":"bench"/' "$WORK/openai.json" >"$WORK/http.json"

mkdir -p "$WORK/config" "$WORK/run"
cat >"$WORK/config/sidecar.yaml" <<YAML
logging: { level: warning }
providers:
  - { name: upstream, kind: openai-compatible, base_url: 'http://127.0.0.1:$UP/v1', api_key: bench }
models:
  - { name: bench, targets: [ { provider: upstream, model: gpt-4o-mini } ] }
cache:
  routes:
    bench: { ttl_seconds: 3600, cache_sampled: true }
YAML

taskset -c "$SERVER_CPU" dotnet "$BENCH" mock-upstream "$UP" >"$WORK/upstream.log" 2>&1 &
UP_PID=$!; PIDS+=("$UP_PID")
(cd "$WORK/run" && exec taskset -c "$SERVER_CPU" dotnet "$SIDECAR" --config "$WORK/config/sidecar.yaml" --grpc "127.0.0.1:$SC" --admin "127.0.0.1:$ADMIN" --http "127.0.0.1:$HTTP") >"$WORK/sidecar.log" 2>&1 &
SC_PID=$!; PIDS+=("$SC_PID")

post() { curl -sf -XPOST "$1" -H 'content-type: application/json' "${@:3}" --data-binary @"$2"; }
for _ in $(seq 1 150); do
  if post "http://127.0.0.1:$UP/v1/chat/completions" "$WORK/openai.json" | grep -q chatcmpl-bench \
    && post "http://127.0.0.1:$HTTP/v1/chat/completions" "$WORK/http.json" | grep -q chatcmpl-bench; then
    ready=1; break
  fi
  sleep 0.2
done
[ "${ready:-}" = 1 ] || { echo "a server did not answer; logs in $WORK" >&2; tail -5 "$WORK"/*.log >&2; exit 1; }
sleep 0.5
# The first call was kept: the next one must be a hit, or the "hit" path measures nothing.
curl -sf -D - -o /dev/null -XPOST "http://127.0.0.1:$HTTP/v1/chat/completions" -H 'content-type: application/json' --data-binary @"$WORK/http.json" \
  | grep -qi '^x-mesh-cache: hit' || { echo "the sidecar did not answer from its cache; logs in $WORK" >&2; exit 1; }

upstream_count() { curl -sf "http://127.0.0.1:$UP/count"; }
set_args() {
  case $1 in
    direct) ARGS=("http://127.0.0.1:$UP/v1/chat/completions" --h1 -d "$WORK/openai.json" -H 'content-type: application/json') ;;
    miss) ARGS=("http://127.0.0.1:$HTTP/v1/chat/completions" --h1 -d "$WORK/http.json" -H 'content-type: application/json' -H 'cache-control: no-cache, no-store') ;;
    hit) ARGS=("http://127.0.0.1:$HTTP/v1/chat/completions" --h1 -d "$WORK/http.json" -H 'content-type: application/json') ;;
  esac
}

throughput() { # name pid
  local name=$1 pid=$2 before_cpu before_up after_cpu after_up out rps ok failed
  set_args "$name"
  # A warm-up run outside the counts (h2load's own warm-up requests would be in the CPU and upstream figures).
  taskset -c "$LOAD_CPU" h2load -D 1 -c "$CONCURRENCY" -m 1 -t 1 "${ARGS[@]}" >/dev/null
  before_cpu=$(cpu_ticks "$pid"); before_up=$(upstream_count)
  out=$(taskset -c "$LOAD_CPU" h2load -D "$DURATION" -c "$CONCURRENCY" -m 1 -t 1 "${ARGS[@]}")
  after_cpu=$(cpu_ticks "$pid"); after_up=$(upstream_count)
  rps=$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")
  ok=$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' <<<"$out")
  failed=$(sed -n 's/^requests: .* \([0-9]*\) failed, \([0-9]*\) errored.*/\1+\2/p' <<<"$out")
  echo "{\"name\":\"$name\",\"rps\":$rps,\"succeeded\":$ok,\"failed\":\"$failed\",\"upstream_calls\":$((after_up - before_up)),\"cpu_us_per_call\":$(awk -v t=$((after_cpu - before_cpu)) -v hz="$(getconf CLK_TCK)" -v n="$ok" 'BEGIN {printf "%.1f", n ? t * 1000000 / hz / n : 0}'),\"load\":\"$(loadavg)\"}"
}

echo "load average at start: $(loadavg); rounds $ROUNDS, ${DURATION}s at $CONCURRENCY in flight" >&2
for round in $(seq 1 "$ROUNDS"); do
  throughput direct "$UP_PID" | tee -a "$WORK/results.jsonl"
  throughput miss "$SC_PID" | tee -a "$WORK/results.jsonl"
  throughput hit "$SC_PID" | tee -a "$WORK/results.jsonl"
done
python3 - "$WORK/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| path | req/s (median) | sidecar or upstream CPU µs per call (median) | upstream calls per call |")
print("|---|---|---|---|")
for name in ("direct", "miss", "hit"):
    r = [x for x in rows if x["name"] == name]
    ok = sum(x["succeeded"] for x in r) or 1
    print(f"| {name} | {statistics.median(x['rps'] for x in r):.0f} | {statistics.median(x['cpu_us_per_call'] for x in r):.1f} | {sum(x['upstream_calls'] for x in r) / ok:.2f} |")
PY
