#!/usr/bin/env bash
# The sidecar against @portkey-ai/gateway, in one run, on one mock OpenAI-compatible upstream (a benchmark, not a test):
#   direct   the upstream itself (HTTP/1.1 POST /v1/chat/completions)
#   sidecar  the real sidecar (Release) via gRPC Generate, configured with an openai-compatible provider on the upstream
#   floor    the least a gRPC-to-HTTP gateway on the same stack does (tests/Benchmarks/Floor/FloorProxy.cs: Grpc.AspNetCore in,
#            HttpClient out, no policy): throughput and CPU only, so the sidecar's CPU splits into the stack's and its own
#   portkey  @portkey-ai/gateway 1.15.2 (node, --headless, NODE_ENV=production) via POST /v1/chat/completions with
#            x-portkey-provider: openai and x-portkey-custom-host pointing at the upstream
# Each round measures, for each path in turn, max throughput with h2load at CONCURRENCY requests in flight (CONCURRENCY
# connections, one request each; gRPC over h2c, the others HTTP/1.1); then latency at a fixed RATE with h2load --rps,
# each proxy side by side with the direct path at the same time (latency_pair). The servers (upstream, sidecar, portkey)
# are pinned to CPU 0 and the load generators to CPU 1 (taskset), so a proxy and the upstream share one core, as in a pod.
# Server CPU per request comes from /proc/PID/stat. Every proxied request is checked to have reached the upstream (its
# /count) and every answer to have carried a body.
#   ROUNDS=3 DURATION=10 CONCURRENCY=32 RATE=100 LATENCY_SECONDS=20 WARMUP=30 bash tests/Benchmarks/Portkey/run.sh
#   PROFILE=full ... bash tests/Benchmarks/Portkey/run.sh   (tenant key, limits, budget, ledger, OTLP telemetry on; see below)
#   NATIVE=path/to/Mesh.Gateway.Sidecar ... bash tests/Benchmarks/Portkey/run.sh   (the native build as the sidecar, docs/0023)
# Needs h2load (apt-get install -y nghttp2-client), node, and `npm ci` in this folder (done here if missing).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
CONCURRENCY=${CONCURRENCY:-32}
RATE=${RATE:-100}
LATENCY_SECONDS=${LATENCY_SECONDS:-20}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}

(cd "$here" && { [ -d node_modules/@portkey-ai/gateway ] || npm ci --no-audit --no-fund --loglevel=error; })
. "$root/tests/Benchmarks/h2load-lib.sh"
dotnet build "$root/sidecar/Mesh.Gateway.Sidecar.csproj" -c Release -v q -nologo >/dev/null
SIDECAR="$root/sidecar/bin/Release/net10.0/Mesh.Gateway.Sidecar.dll"
SIDECAR_COMMAND=(dotnet "$SIDECAR")
if [ -n "${NATIVE:-}" ]; then SIDECAR_COMMAND=("$(realpath "$NATIVE")"); fi
UP=$(free_port); SC=$(free_port); ADMIN=$(free_port); PK=$(free_port); FL=$(free_port)
dotnet "$BENCH" bench-requests "$WORK"

mkdir -p "$WORK/config" "$WORK/run"
cat >"$WORK/config/sidecar.yaml" <<YAML
logging: { level: warning }
providers:
  - { name: upstream, kind: openai-compatible, base_url: 'http://127.0.0.1:$UP/v1', api_key: bench }
models:
  - { name: bench, targets: [ { provider: upstream, model: gpt-4o-mini } ] }
YAML
# PROFILE=full: the sidecar as a team runs it (issue 22 asks for this figure too): a tenant whose key every call presents,
# its rate limits and daily budget checked and settled on every call, the ledger (on in both profiles), and OpenTelemetry
# traces and metrics exported over OTLP/HTTP to a sink (a second mock server that answers every POST).
SIDECAR_AUTH=()
if [ "${PROFILE:-bare}" = full ]; then
  OT=$(free_port)
  taskset -c "$LOAD_CPU" dotnet "$BENCH" mock-upstream "$OT" >"$WORK/otlp-sink.log" 2>&1 &
  PIDS+=("$!")
  key=mesh-bench-key-0123456789abcdef
  cat >>"$WORK/config/sidecar.yaml" <<YAML
tenants:
  - id: bench
    api_keys: [ 'sha256:$(printf %s "$key" | sha256sum | cut -d' ' -f1)' ]
    models: [ '*' ]
    limits: { requests_per_minute: 100000000, tokens_per_minute: 1000000000 }
    budget: { per_day_usd: 1000000 }
telemetry: { otlp_endpoint: 'http://127.0.0.1:$OT', otlp_protocol: http/protobuf, metrics_interval_ms: 5000 }
YAML
  SIDECAR_AUTH=(-H "x-api-key: $key")
fi
echo "sidecar profile: ${PROFILE:-bare}, build: ${SIDECAR_COMMAND[0]}" >&2

taskset -c "$SERVER_CPU" dotnet "$BENCH" mock-upstream "$UP" >"$WORK/upstream.log" 2>&1 &
UP_PID=$!; PIDS+=("$UP_PID")
# The sidecar runs as shipped (its usage ledger on, writing usage/ledger.jsonl under its working directory, $WORK/run).
(cd "$WORK/run" && exec taskset -c "$SERVER_CPU" "${SIDECAR_COMMAND[@]}" --config "$WORK/config/sidecar.yaml" --grpc "127.0.0.1:$SC" --admin "127.0.0.1:$ADMIN") >"$WORK/sidecar.log" 2>&1 &
SC_PID=$!; PIDS+=("$SC_PID")
taskset -c "$SERVER_CPU" dotnet "$BENCH" floor-proxy "$FL" "http://127.0.0.1:$UP/v1" >"$WORK/floor.log" 2>&1 &
FL_PID=$!; PIDS+=("$FL_PID")
(cd "$here/node_modules/@portkey-ai/gateway" && NODE_ENV=production exec taskset -c "$SERVER_CPU" node build/start-server.js --port="$PK" --headless) >"$WORK/portkey.log" 2>&1 &
PK_PID=$!; PIDS+=("$PK_PID")

PORTKEY_HEADERS=(-H 'x-portkey-provider: openai' -H "x-portkey-custom-host: http://127.0.0.1:$UP/v1" -H 'authorization: Bearer bench')
post() { curl -sf -XPOST "$1" -H 'content-type: application/json' "${@:2}" --data-binary @"$WORK/openai.json"; }
for _ in $(seq 1 150); do
  if post "http://127.0.0.1:$UP/v1/chat/completions" | grep -q chatcmpl-bench \
    && post "http://127.0.0.1:$PK/v1/chat/completions" "${PORTKEY_HEADERS[@]}" 2>/dev/null | grep -q chatcmpl-bench \
    && nghttp -n -d "$WORK/generate.frame" -H 'content-type: application/grpc' -H 'te: trailers' "${SIDECAR_AUTH[@]}" -v "http://127.0.0.1:$SC/mesh.gateway.v1.Inference/Generate" 2>/dev/null | grep -q 'grpc-status: 0' \
    && nghttp -n -d "$WORK/generate.frame" -H 'content-type: application/grpc' -H 'te: trailers' -v "http://127.0.0.1:$FL/mesh.gateway.v1.Inference/Generate" 2>/dev/null | grep -q 'grpc-status: 0'; then
    ready=1; break
  fi
  sleep 0.2
done
[ "${ready:-}" = 1 ] || { echo "a server did not answer; logs in $WORK" >&2; tail -5 "$WORK"/*.log >&2; exit 1; }

upstream_count() { curl -sf "http://127.0.0.1:$UP/count"; }
# Both proxies JIT-compile under load (the sidecar's tiered PGO spends 400-500 µs per request for its first 20-30 s, docs/0024):
# WARMUP seconds of load on each before the first round, so the rounds measure the steady state.
if [ "${WARMUP:-30}" -gt 0 ]; then
  taskset -c "$LOAD_CPU" h2load -D "${WARMUP:-30}" -c "$CONCURRENCY" -m 1 -t 1 -d "$WORK/generate.frame" -H 'content-type: application/grpc' -H 'te: trailers' "${SIDECAR_AUTH[@]}" "http://127.0.0.1:$SC/mesh.gateway.v1.Inference/Generate" >/dev/null
  taskset -c "$LOAD_CPU" h2load -D "${WARMUP:-30}" -c "$CONCURRENCY" -m 1 -t 1 -d "$WORK/generate.frame" -H 'content-type: application/grpc' -H 'te: trailers' "http://127.0.0.1:$FL/mesh.gateway.v1.Inference/Generate" >/dev/null
  taskset -c "$LOAD_CPU" h2load -D "${WARMUP:-30}" -c "$CONCURRENCY" -m 1 -t 1 --h1 -d "$WORK/openai.json" -H 'content-type: application/json' "${PORTKEY_HEADERS[@]}" "http://127.0.0.1:$PK/v1/chat/completions" >/dev/null
fi
echo "load average at start: $(loadavg); rounds $ROUNDS, ${DURATION}s throughput at $CONCURRENCY in flight, ${LATENCY_SECONDS}s latency at $RATE req/s" >&2

throughput() { # name pid url h2load-args...
  local name=$1 pid=$2 url=$3; shift 3
  local before_cpu before_up after_cpu after_up out
  before_cpu=$(cpu_ticks "$pid"); before_up=$(upstream_count)
  out=$(taskset -c "$LOAD_CPU" h2load -D "$DURATION" --warm-up-time=2 -c "$CONCURRENCY" -m 1 -t 1 "$@" "$url")
  after_cpu=$(cpu_ticks "$pid"); after_up=$(upstream_count)
  local rps ok failed
  rps=$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")
  ok=$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' <<<"$out")
  failed=$(sed -n 's/^requests: .* \([0-9]*\) failed, \([0-9]*\) errored.*/\1+\2/p' <<<"$out")
  # h2load cannot read grpc-status: the upstream's count shows each proxied request really went through (warm-up included).
  echo "{\"name\":\"$name\",\"phase\":\"throughput\",\"rps\":$rps,\"succeeded\":$ok,\"failed\":\"$failed\",\"upstream\":$((after_up - before_up)),\"cpu_us\":$(awk -v t=$((after_cpu - before_cpu)) -v hz="$(getconf CLK_TCK)" -v n="$((after_up - before_up))" 'BEGIN {printf "%.1f", n ? t * 1000000 / hz / n : 0}'),\"load\":\"$(loadavg)\"}"
}

# One fixed-rate h2load client: a C client with no GC or JIT of its own, one connection, one request at a time, paced at
# RATE. h2load does not correct for coordinated omission: at 100 req/s a request is 10 ms after the one before it, so it
# waits for that one only when the p99 would already be ten times the target.
paced() { # out-prefix url h2load-args...
  rm -f "$1.log"  # h2load appends to its log file
  taskset -c "$LOAD_CPU" h2load -D "$LATENCY_SECONDS" --warm-up-time=2 -c 1 -m 1 -t 1 --rps "$RATE" --log-file="$1.log" "${@:3}" "$2" >"$1.out"
}

# A proxy and the upstream direct, paced at RATE each and at the same time, so that both see the same moments of this
# noisy machine (a slow second in one of them alone moved the p99 by more than the 1 ms target): the added latency is the
# proxy's percentile minus the direct percentile of the same pair, and the table takes the median over rounds.
latency_pair() { # subject
  local subject=$1 prefix="$WORK/lat-$1" before_up after_up direct_pid subject_pid
  before_up=$(upstream_count)
  paced "$prefix-direct" "http://127.0.0.1:$UP/v1/chat/completions" --h1 -d "$WORK/openai.json" -H 'content-type: application/json' &
  direct_pid=$!
  if [ "$subject" = sidecar ]; then
    paced "$prefix-sidecar" "http://127.0.0.1:$SC/mesh.gateway.v1.Inference/Generate" -d "$WORK/generate.frame" -H 'content-type: application/grpc' -H 'te: trailers' "${SIDECAR_AUTH[@]}" &
  else
    paced "$prefix-portkey" "http://127.0.0.1:$PK/v1/chat/completions" --h1 -d "$WORK/openai.json" -H 'content-type: application/json' "${PORTKEY_HEADERS[@]}" &
  fi
  subject_pid=$!
  wait "$direct_pid" "$subject_pid"
  after_up=$(upstream_count)
  # A good answer carries at least a chat completion's worth of DATA (the sidecar's GenerateResponse is over 100 bytes);
  # a gRPC error is HTTP 200 with trailers only, which this catches.
  for name in direct "$subject"; do
    echo "{\"name\":\"$name\",\"phase\":\"latency\",\"pair\":\"$subject\",\"result\":$(latency_json "$prefix-$name.log" "$prefix-$name.out" 60),\"upstream\":$((after_up - before_up)),\"load\":\"$(loadavg)\"}"
  done
}

for round in $(seq 1 "$ROUNDS"); do
  echo "round $round/$ROUNDS" >&2
  throughput direct "$UP_PID" "http://127.0.0.1:$UP/v1/chat/completions" --h1 -d "$WORK/openai.json" -H 'content-type: application/json' >>"$WORK/results.jsonl"
  throughput sidecar "$SC_PID" "http://127.0.0.1:$SC/mesh.gateway.v1.Inference/Generate" -d "$WORK/generate.frame" -H 'content-type: application/grpc' -H 'te: trailers' "${SIDECAR_AUTH[@]}" >>"$WORK/results.jsonl"
  throughput floor "$FL_PID" "http://127.0.0.1:$FL/mesh.gateway.v1.Inference/Generate" -d "$WORK/generate.frame" -H 'content-type: application/grpc' -H 'te: trailers' >>"$WORK/results.jsonl"
  throughput portkey "$PK_PID" "http://127.0.0.1:$PK/v1/chat/completions" --h1 -d "$WORK/openai.json" -H 'content-type: application/json' "${PORTKEY_HEADERS[@]}" >>"$WORK/results.jsonl"
  latency_pair sidecar >>"$WORK/results.jsonl"
  latency_pair portkey >>"$WORK/results.jsonl"
done
echo "load average at end: $(loadavg)" >&2
python3 "$here/table.py" "$WORK/results.jsonl" "$CONCURRENCY" "$RATE"
if [ -n "${KEEP_RESULTS:-}" ]; then cp "$WORK/results.jsonl" "$KEEP_RESULTS"; fi
