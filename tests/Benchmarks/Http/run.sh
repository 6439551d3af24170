#!/usr/bin/env bash
# The HTTP door beside the gRPC door and @portkey-ai/gateway, in one run, on one mock OpenAI-compatible upstream (a
# benchmark, not a test; issue 17's targets: HTTP door >= 10x Portkey's throughput, its CPU per call within 20% of the gRPC
# door's, <= 0.5 ms added p99 over a direct call, median of >= 10 rounds):
#   direct   the upstream itself (HTTP/1.1 POST /v1/chat/completions)
#   grpc     the real sidecar (Release) via gRPC Generate (h2c)
#   http     the same sidecar process via its HTTP door, POST /v1/chat/completions (HTTP/1.1), the body the direct path gets
#   portkey  @portkey-ai/gateway (tests/Benchmarks/Portkey's lock file) via POST /v1/chat/completions
# Method as tests/Benchmarks/Portkey/run.sh: per round, throughput with h2load at CONCURRENCY in flight for each path, then
# each proxy paced at RATE beside the direct path at the same time (the added latency is the pair's difference); servers
# pinned to SERVER_CPU, load to LOAD_CPU; server CPU per request from /proc/PID/stat over the upstream's count.
#   ROUNDS=10 DURATION=10 CONCURRENCY=32 RATE=100 LATENCY_SECONDS=20 WARMUP=20 bash tests/Benchmarks/Http/run.sh
# A quick proof that it runs: ROUNDS=1 DURATION=2 LATENCY_SECONDS=3 WARMUP=2 bash tests/Benchmarks/Http/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
portkey="$root/tests/Benchmarks/Portkey"
ROUNDS=${ROUNDS:-10}
DURATION=${DURATION:-10}
CONCURRENCY=${CONCURRENCY:-32}
RATE=${RATE:-100}
LATENCY_SECONDS=${LATENCY_SECONDS:-20}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}

(cd "$portkey" && { [ -d node_modules/@portkey-ai/gateway ] || npm ci --no-audit --no-fund --loglevel=error; })
. "$root/tests/Benchmarks/h2load-lib.sh"
dotnet build "$root/sidecar/Mesh.Gateway.Sidecar.csproj" -c Release -v q -nologo >/dev/null
SIDECAR="$root/sidecar/bin/Release/net10.0/Mesh.Gateway.Sidecar.dll"
UP=$(free_port); SC=$(free_port); ADMIN=$(free_port); HTTP=$(free_port); PK=$(free_port)
dotnet "$BENCH" bench-requests "$WORK"
# The HTTP door gets the direct path's body with the gateway's model name.
sed 's/"model":"[^"]*"/"model":"bench"/' "$WORK/openai.json" >"$WORK/http.json"

mkdir -p "$WORK/config" "$WORK/run"
cat >"$WORK/config/sidecar.yaml" <<YAML
logging: { level: warning }
providers:
  - { name: upstream, kind: openai-compatible, base_url: 'http://127.0.0.1:$UP/v1', api_key: bench }
models:
  - { name: bench, targets: [ { provider: upstream, model: gpt-4o-mini } ] }
YAML

taskset -c "$SERVER_CPU" dotnet "$BENCH" mock-upstream "$UP" >"$WORK/upstream.log" 2>&1 &
UP_PID=$!; PIDS+=("$UP_PID")
(cd "$WORK/run" && exec taskset -c "$SERVER_CPU" dotnet "$SIDECAR" --config "$WORK/config/sidecar.yaml" --grpc "127.0.0.1:$SC" --admin "127.0.0.1:$ADMIN" --http "127.0.0.1:$HTTP") >"$WORK/sidecar.log" 2>&1 &
SC_PID=$!; PIDS+=("$SC_PID")
(cd "$portkey/node_modules/@portkey-ai/gateway" && NODE_ENV=production exec taskset -c "$SERVER_CPU" node build/start-server.js --port="$PK" --headless) >"$WORK/portkey.log" 2>&1 &
PK_PID=$!; PIDS+=("$PK_PID")

PORTKEY_HEADERS=(-H 'x-portkey-provider: openai' -H "x-portkey-custom-host: http://127.0.0.1:$UP/v1" -H 'authorization: Bearer bench')
post() { curl -sf -XPOST "$1" -H 'content-type: application/json' "${@:3}" --data-binary @"$2"; }
for _ in $(seq 1 150); do
  if post "http://127.0.0.1:$UP/v1/chat/completions" "$WORK/openai.json" | grep -q chatcmpl-bench \
    && post "http://127.0.0.1:$HTTP/v1/chat/completions" "$WORK/http.json" | grep -q chatcmpl-bench \
    && post "http://127.0.0.1:$PK/v1/chat/completions" "$WORK/openai.json" "${PORTKEY_HEADERS[@]}" 2>/dev/null | grep -q chatcmpl-bench \
    && nghttp -n -d "$WORK/generate.frame" -H 'content-type: application/grpc' -H 'te: trailers' -v "http://127.0.0.1:$SC/mesh.gateway.v1.Inference/Generate" 2>/dev/null | grep -q 'grpc-status: 0'; then
    ready=1; break
  fi
  sleep 0.2
done
[ "${ready:-}" = 1 ] || { echo "a server did not answer; logs in $WORK" >&2; tail -5 "$WORK"/*.log >&2; exit 1; }

upstream_count() { curl -sf "http://127.0.0.1:$UP/count"; }
echo "load average at start: $(loadavg); rounds $ROUNDS, ${DURATION}s throughput at $CONCURRENCY in flight, ${LATENCY_SECONDS}s latency at $RATE req/s" >&2

# The h2load arguments of each path, into ARGS.
set_args() {
  case $1 in
    direct) ARGS=("http://127.0.0.1:$UP/v1/chat/completions" --h1 -d "$WORK/openai.json" -H 'content-type: application/json') ;;
    grpc) ARGS=("http://127.0.0.1:$SC/mesh.gateway.v1.Inference/Generate" -d "$WORK/generate.frame" -H 'content-type: application/grpc' -H 'te: trailers') ;;
    http) ARGS=("http://127.0.0.1:$HTTP/v1/chat/completions" --h1 -d "$WORK/http.json" -H 'content-type: application/json') ;;
    portkey) ARGS=("http://127.0.0.1:$PK/v1/chat/completions" --h1 -d "$WORK/openai.json" -H 'content-type: application/json' "${PORTKEY_HEADERS[@]}") ;;
  esac
}

throughput() { # name pid
  local name=$1 pid=$2 before_cpu before_up after_cpu after_up out rps ok failed
  before_cpu=$(cpu_ticks "$pid"); before_up=$(upstream_count)
  set_args "$name"
  out=$(taskset -c "$LOAD_CPU" h2load -D "$DURATION" --warm-up-time=2 -c "$CONCURRENCY" -m 1 -t 1 "${ARGS[@]}")
  after_cpu=$(cpu_ticks "$pid"); after_up=$(upstream_count)
  rps=$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")
  ok=$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' <<<"$out")
  failed=$(sed -n 's/^requests: .* \([0-9]*\) failed, \([0-9]*\) errored.*/\1+\2/p' <<<"$out")
  echo "{\"name\":\"$name\",\"phase\":\"throughput\",\"rps\":$rps,\"succeeded\":$ok,\"failed\":\"$failed\",\"upstream\":$((after_up - before_up)),\"cpu_us\":$(awk -v t=$((after_cpu - before_cpu)) -v hz="$(getconf CLK_TCK)" -v n="$((after_up - before_up))" 'BEGIN {printf "%.1f", n ? t * 1000000 / hz / n : 0}'),\"load\":\"$(loadavg)\"}"
}

paced() { # out-prefix name
  rm -f "$1.log"
  local ARGS; set_args "$2"
  taskset -c "$LOAD_CPU" h2load -D "$LATENCY_SECONDS" --warm-up-time=2 -c 1 -m 1 -t 1 --rps "$RATE" --log-file="$1.log" "${ARGS[@]}" >"$1.out"
}

latency_pair() { # subject
  local subject=$1 prefix="$WORK/lat-$1" before_up after_up direct_pid subject_pid
  before_up=$(upstream_count)
  paced "$prefix-direct" direct & direct_pid=$!
  paced "$prefix-$subject" "$subject" & subject_pid=$!
  wait "$direct_pid" "$subject_pid"
  after_up=$(upstream_count)
  for name in direct "$subject"; do
    echo "{\"name\":\"$name\",\"phase\":\"latency\",\"pair\":\"$subject\",\"result\":$(latency_json "$prefix-$name.log" "$prefix-$name.out" 60),\"upstream\":$((after_up - before_up)),\"load\":\"$(loadavg)\"}"
  done
}

# WARMUP seconds of load on each proxy path before the first round (JIT tiers, pools), so the rounds measure the steady state.
if [ "${WARMUP:-20}" -gt 0 ]; then
  for name in grpc http portkey; do
    set_args "$name"
    taskset -c "$LOAD_CPU" h2load -D "${WARMUP:-20}" -c "$CONCURRENCY" -m 1 -t 1 "${ARGS[@]}" >/dev/null
  done
fi

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round/$ROUNDS" >&2
  throughput direct "$UP_PID" >>"$WORK/results.jsonl"
  throughput grpc "$SC_PID" >>"$WORK/results.jsonl"
  throughput http "$SC_PID" >>"$WORK/results.jsonl"
  throughput portkey "$PK_PID" >>"$WORK/results.jsonl"
  for subject in grpc http portkey; do latency_pair "$subject" >>"$WORK/results.jsonl"; done
done
echo "load average at end: $(loadavg)" >&2
python3 "$here/table.py" "$WORK/results.jsonl" "$CONCURRENCY" "$RATE"
if [ -n "${KEEP_RESULTS:-}" ]; then cp "$WORK/results.jsonl" "$KEEP_RESULTS"; fi
