#!/usr/bin/env bash
# What the Envoy door adds, measured with h2load (a C client: no GC, JIT or thread pool of its own in the figures), the
# gateway's ext_proc and ext_authz against a trivial echo server on the same gRPC layer (a benchmark, not a test):
#   echo         answers every message with the empty answer of its type (EchoExternalProcessor, EchoAuthorization)
#   gateway-pii  the sidecar's Envoy door with email and card redaction only
#   gateway      the same with the guardrails' defaults as well (prompt-injection and moderation scoring)
# One ext_proc exchange is one Process stream carrying Envoy's messages for a streamed chat completion (request headers, an
# 8 KiB body with an email and a card number, response headers, 50 SSE chunks, end of stream: 54 messages, written by
# `envoy-frames`); it ends when the server has answered all 54 and closed the stream. Envoy itself waits for some answers
# before it sends the next message; here they are all sent at once, so the figure is the server's work on the exchange plus
# one round trip, without 54 client round trips whose noise would hide it. One Check is the same request's ext_authz Check.
# Each round runs echo and each gateway in turn side by side, at the same time and rate, first exchanges at PROC_RATE, then
# Checks at CHECK_RATE, so both see the same moments of this noisy machine; the added latency is the gateway's percentile
# minus echo's beside it, and the table takes the median over rounds. Servers and h2load share both cores (SERVER_CPU and
# LOAD_CPU pin them, for taskset -c): pinning the servers to one core made the echo baseline's own p99 2.5x worse.
# CPU per exchange is each server's CPU time (/proc/PID/stat) over the exchanges it answered.
#   ROUNDS=5 SECONDS_PER_ROUND=20 PROC_RATE=100 CHECK_RATE=1000 WARMUP=20 bash tests/Benchmarks/Envoy/h2load.sh
# GATEWAYS (gateway-pii gateway) and KINDS (process check) pick what is measured, for a shorter run while working on one.
# Needs h2load and nghttp (apt-get install -y nghttp2-client).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
ROUNDS=${ROUNDS:-5}
SECONDS_PER_ROUND=${SECONDS_PER_ROUND:-20}
PROC_RATE=${PROC_RATE:-100}
CHECK_RATE=${CHECK_RATE:-1000}
WARMUP=${WARMUP:-20}
SERVER_CPU=${SERVER_CPU:-0-1}
LOAD_CPU=${LOAD_CPU:-0-1}
GATEWAYS=${GATEWAYS:-gateway-pii gateway}
KINDS=${KINDS:-process check}

. "$root/tests/Benchmarks/h2load-lib.sh"
MESSAGES=$(dotnet "$BENCH" envoy-frames "$WORK")

SERVERS=(echo $GATEWAYS)
declare -A PORT PID
for name in "${SERVERS[@]}"; do
  PORT[$name]=$(free_port)
  taskset -c "$SERVER_CPU" dotnet "$BENCH" envoy-server "$name" "${PORT[$name]}" >"$WORK/$name.log" 2>&1 &
  PID[$name]=$!; PIDS+=("${PID[$name]}")
done

GRPC=(-H 'content-type: application/grpc' -H 'te: trailers')
PROCESS=/envoy.service.ext_proc.v3.ExternalProcessor/Process
CHECK=/envoy.service.auth.v3.Authorization/Check
call() { nghttp -v -d "$WORK/$2.body" "${GRPC[@]}" "http://127.0.0.1:${PORT[$1]}$3" 2>/dev/null; }
for name in "${SERVERS[@]}"; do
  for _ in $(seq 1 150); do
    if call "$name" check "$CHECK" | grep -q 'grpc-status: 0'; then continue 2; fi
    sleep 0.2
  done
  echo "the $name server did not answer; its log:" >&2; cat "$WORK/$name.log" >&2; exit 1
done
# The gateways must do the real work, or the figures mean nothing: redact the body, report usage in dynamic metadata.
for name in $GATEWAYS; do
  out=$(call "$name" process "$PROCESS" | tr -d '\0')
  for expected in 'grpc-status: 0' '[EMAIL]' '[CREDIT_CARD]' 'mesh.gateway'; do
    grep -qF -- "$expected" <<<"$out" || { echo "$name: the exchange's answers lack '$expected'" >&2; exit 1; }
  done
done
call echo process "$PROCESS" | grep -q 'grpc-status: 0' || { echo "echo: the exchange failed" >&2; exit 1; }


# Tiered JIT first: each server flat out for WARMUP seconds on both calls.
for name in "${SERVERS[@]}"; do
  for kind in $KINDS; do
    path=$PROCESS; [ "$kind" = check ] && path=$CHECK
    taskset -c "$LOAD_CPU" h2load -D "$WARMUP" -c 4 -m 1 -t 1 -d "$WORK/$kind.body" "${GRPC[@]}" "http://127.0.0.1:${PORT[$name]}$path" >/dev/null
  done
done

# One phase: echo and one gateway at RATE at the same time, one h2load each (one connection, one call at a time, paced by
# --rps). Two at a time, not three: a second gateway beside the first would load the machine more than one sidecar does.
phase() { # round kind rate gateway
  local round=$1 kind=$2 rate=$3 pair=$4 path=$PROCESS min_data name
  # Every answer is a gRPC frame: an exchange carries at least 54 of them, a Check one.
  if [ "$kind" = check ]; then path=$CHECK; min_data=5; else min_data=$((MESSAGES * 5)); fi
  declare -A before clients
  for name in echo "$pair"; do
    before[$name]=$(cpu_ticks "${PID[$name]}")
    rm -f "$WORK/$name.$kind.log"  # h2load appends to its log file
    taskset -c "$LOAD_CPU" h2load -D "$SECONDS_PER_ROUND" --warm-up-time=2 -c 1 -m 1 -t 1 --rps "$rate" --log-file="$WORK/$name.$kind.log" \
      -d "$WORK/$kind.body" "${GRPC[@]}" "http://127.0.0.1:${PORT[$name]}$path" >"$WORK/$name.$kind.out" &
    clients[$name]=$!
  done
  for name in echo "$pair"; do wait "${clients[$name]}"; done
  for name in echo "$pair"; do
    local ticks=$(( $(cpu_ticks "${PID[$name]}") - before[$name] ))
    echo "{\"round\":$round,\"kind\":\"$kind\",\"pair\":\"$pair\",\"server\":\"$name\",\"rate\":$rate,\"cpu_ticks\":$ticks,\"hz\":$(getconf CLK_TCK),\"seconds\":$SECONDS_PER_ROUND,\"result\":$(latency_json "$WORK/$name.$kind.log" "$WORK/$name.$kind.out" "$min_data"),\"load\":\"$(loadavg)\"}"
  done
}

echo "load average at start: $(loadavg); $ROUNDS rounds of ${SECONDS_PER_ROUND}s; exchanges at $PROC_RATE/s, Checks at $CHECK_RATE/s" >&2
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round/$ROUNDS" >&2
  for gateway in $GATEWAYS; do
    for kind in $KINDS; do
      rate=$PROC_RATE; [ "$kind" = check ] && rate=$CHECK_RATE
      phase "$round" "$kind" "$rate" "$gateway" >>"$WORK/results.jsonl"
    done
  done
done
echo "load average at end: $(loadavg)" >&2
python3 "$here/table.py" "$WORK/results.jsonl" "$MESSAGES"
if [ -n "${KEEP_RESULTS:-}" ]; then cp "$WORK/results.jsonl" "$KEEP_RESULTS"; fi
