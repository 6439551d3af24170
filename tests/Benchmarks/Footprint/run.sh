#!/usr/bin/env bash
# The sidecar's footprint, JIT and Native AOT side by side in one run (a benchmark, not a test; issue 22):
#   size      on disk: the native executable; the JIT build's output folder (plus the shared runtime it needs)
#   ready     ms from exec to /readyz 200, median of STARTS starts
#   first     ms from exec to the first Generate answered (a new gRPC connection after readiness), same starts
#   idle      RSS after one Generate and IDLE seconds without calls
#   @RATE     at fixed rates (RATES, calls/s; h2load --rps over CLIENTS connections): RSS at the end, the largest RSS
#             sampled, sidecar CPU per call (µs, /proc/PID/stat) and the mock upstream's own CPU per request beside it
#   burst     peak RSS (VmHWM) after BURST calls as fast as they go (BURST_CLIENTS connections, 10 streams each)
#   growth    with GROWTH=600: GROWTH seconds at GROWTH_RATE calls/s (default 1000) for the variants named in GROWTH_VARIANTS
#             (default "jit native"), RSS sampled every GROWTH_SAMPLE s: the RSS
#             after the first minute, at the end, the largest, and the slope over the second half (MB/min; ~0 = no growth)
#   portkey   with PORTKEY=1: tests/Benchmarks/Portkey/run.sh afterwards with the native build as its sidecar (NATIVE=...),
#             PORTKEY_ROUNDS / PORTKEY_DURATION / PORTKEY_WARMUP passed on as its ROUNDS / DURATION / WARMUP
# Each variant is a build (jit | native) with environment settings; the default set names the GC settings tried:
#   VARIANTS="jit:jit native:native native-gen0=net:native:DOTNET_GCgen0size=0 ..." (name:build[:VAR=VALUE,...])
#   build native=PATH runs another native executable (its own size row), so two executables alternate in one run:
#   VARIANTS="before:native=out/before/Mesh.Gateway.Sidecar after:native=out/after/Mesh.Gateway.Sidecar before2:native=... after2:..."
# The native build ships a 4 MB gen0 budget (GCgen0size=400000, baked in at publish: sidecar/Mesh.Gateway.Sidecar.csproj);
# DOTNET_GCgen0size=0 gives .NET's own budget (derived from the CPU's largest cache), other values another fixed budget.
# GC values are hexadecimal WITHOUT "0x": the native runtime ignores a 0x-prefixed value without a word (session 12: the
# 0x variants measured the default), while the JIT runtime takes both.
# The servers are pinned to CPU 0 and the load to CPU 1 (taskset), as the Portkey benchmark does.
#   STARTS=5 IDLE=5 DURATION=10 RATES="1000 5000" bash tests/Benchmarks/Footprint/run.sh
# A quick proof that it works: STARTS=1 IDLE=1 DURATION=1 RATES=200 BURST=500 VARIANTS="jit:jit native:native" bash ...
#   (add GROWTH=20 GROWTH_SAMPLE=5 PORTKEY=1 PORTKEY_ROUNDS=1 PORTKEY_DURATION=2 PORTKEY_WARMUP=0 to prove those parts too)
# NATIVE=path/to/Mesh.Gateway.Sidecar skips the publish. Needs h2load (nghttp2-client) and python3-grpcio (tests/run.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
STARTS=${STARTS:-5}
IDLE=${IDLE:-5}
DURATION=${DURATION:-10}
RATES=${RATES:-"1000 5000"}
CLIENTS=${CLIENTS:-10}
BURST=${BURST:-20000}
BURST_CLIENTS=${BURST_CLIENTS:-50}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
GROWTH=${GROWTH:-0}
GROWTH_RATE=${GROWTH_RATE:-1000}
GROWTH_SAMPLE=${GROWTH_SAMPLE:-30}
GROWTH_VARIANTS=${GROWTH_VARIANTS:-"jit native"}
VARIANTS=${VARIANTS:-"jit:jit jit-tiering-off:jit:DOTNET_TieredCompilation=0 native:native native-gen0=net:native:DOTNET_GCgen0size=0 native-gen0=2M:native:DOTNET_GCgen0size=200000 native-gen0=8M:native:DOTNET_GCgen0size=800000 native-conserve:native:DOTNET_GCConserveMemory=7 native-limit=64M:native:DOTNET_GCHeapHardLimit=4000000 native-limit=32M:native:DOTNET_GCHeapHardLimit=2000000"}

. "$root/tests/Benchmarks/h2load-lib.sh"
JIT_DIR="$root/sidecar/bin/Release/net10.0"
# The JIT build only when a variant runs it (a native-only run, e.g. before/after executables, needs no build).
if [[ " $VARIANTS " == *":jit"* ]]; then dotnet build "$root/sidecar/Mesh.Gateway.Sidecar.csproj" -c Release -v q -nologo >/dev/null; fi
if [ -z "${NATIVE:-}" ]; then
  echo "publishing the native build (minutes)" >&2
  dotnet publish "$root/sidecar/Mesh.Gateway.Sidecar.csproj" -c Release -r linux-x64 -p:PublishAot=true -o "$WORK/native" -v q -nologo >/dev/null
  NATIVE="$WORK/native/Mesh.Gateway.Sidecar"
fi
NATIVE=$(realpath "$NATIVE")  # the sidecars run in $WORK/run
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
taskset -c "$SERVER_CPU" dotnet "$BENCH" mock-upstream "$UP" >"$WORK/upstream.log" 2>&1 &
UP_PID=$!; PIDS+=("$UP_PID")
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$UP/count" >/dev/null && break; sleep 0.2; done

# The JIT build also needs the shared runtimes it runs on: the newest installed version of each (not every version installed).
runtime() { dotnet --list-runtimes | awk -v n="$1" '$1 == n {v = $2; d = substr($3, 2, length($3) - 2)} END {print d "/" v}'; }
mb() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
shared=$(( $(du -sb "$(runtime Microsoft.NETCore.App)" | cut -f1) + $(du -sb "$(runtime Microsoft.AspNetCore.App)" | cut -f1) ))
# The build's output folder, less a native publish's intermediate folder (linux-x64/) when one was made beside it.
jit_bytes=$(( $(du -sb "$JIT_DIR" | cut -f1) - $( [ -d "$JIT_DIR/linux-x64" ] && du -sb "$JIT_DIR/linux-x64" | cut -f1 || echo 0) ))
echo "{\"name\":\"jit\",\"metric\":\"size_mb\",\"value\":\"$(mb "$jit_bytes") + $(mb "$shared") runtimes\"}" >>"$WORK/results.jsonl"
echo "{\"name\":\"native\",\"metric\":\"size_mb\",\"value\":\"$(mb "$(stat -c %s "$NATIVE")")\"}" >>"$WORK/results.jsonl"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
result() { echo "{\"name\":\"$1\",\"metric\":\"$2\",\"value\":$3}" >>"$WORK/results.jsonl"; }
generate() { taskset -c "$LOAD_CPU" h2load -n "$1" -c "$2" -m "$3" -t 1 -d "$WORK/generate.frame" -H 'content-type: application/grpc' -H 'te: trailers' "http://127.0.0.1:$SC/mesh.gateway.v1.Inference/Generate"; }

echo "load average at start: $(loadavg); STARTS=$STARTS IDLE=$IDLE DURATION=$DURATION RATES=$RATES BURST=$BURST GROWTH=$GROWTH" >&2
for variant in $VARIANTS; do
  IFS=: read -r name build settings <<<"$variant"
  if [ "$build" = native ]; then command=("$NATIVE")
  elif [[ "$build" == native=* ]]; then
    command=("$(realpath "${build#native=}")")
    echo "{\"name\":\"$name\",\"metric\":\"size_mb\",\"value\":\"$(mb "$(stat -c %s "${command[0]}")")\"}" >>"$WORK/results.jsonl"
  else command=(dotnet "$JIT_DIR/Mesh.Gateway.Sidecar.dll"); fi
  command+=(--config "$WORK/sidecar.yaml" --grpc "127.0.0.1:$SC" --admin "127.0.0.1:$ADMIN")
  environment=()
  IFS=, read -r -a environment <<<"${settings:-}"
  echo "$name: ${command[0]} ${environment[*]}" >&2

  starts=$(cd "$WORK/run" && env "${environment[@]}" taskset -c "$LOAD_CPU" /usr/bin/python3 "$here/start.py" "$STARTS" "$ADMIN" "$SC" "$WORK/generate.frame" -- taskset -c "$SERVER_CPU" "${command[@]}")
  result "$name" start "$starts"

  (cd "$WORK/run" && exec env "${environment[@]}" taskset -c "$SERVER_CPU" "${command[@]}") >"$WORK/$name.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$ADMIN/readyz" >/dev/null && break; sleep 0.1; done
  generate 1 1 1 >/dev/null
  sleep "$IDLE"
  result "$name" idle_rss_mb "$(awk -v k="$(rss_kb "$pid")" 'BEGIN {printf "%.1f", k / 1024}')"

  for rate in $RATES; do
    before_cpu=$(cpu_ticks "$pid"); before_up_cpu=$(cpu_ticks "$UP_PID"); before_up=$(curl -sf "http://127.0.0.1:$UP/count")
    max=0
    taskset -c "$LOAD_CPU" h2load -D "$DURATION" -c "$CLIENTS" -m 1 -t 1 --rps "$(( (rate + CLIENTS - 1) / CLIENTS ))" -d "$WORK/generate.frame" \
      -H 'content-type: application/grpc' -H 'te: trailers' "http://127.0.0.1:$SC/mesh.gateway.v1.Inference/Generate" >"$WORK/$name-$rate.out" &
    load=$!
    while kill -0 "$load" 2>/dev/null; do r=$(rss_kb "$pid"); [ "$r" -gt "$max" ] && max=$r; sleep 0.25; done
    wait "$load"
    r=$(rss_kb "$pid"); [ "$r" -gt "$max" ] && max=$r
    after_cpu=$(cpu_ticks "$pid"); after_up_cpu=$(cpu_ticks "$UP_PID"); after_up=$(curl -sf "http://127.0.0.1:$UP/count")
    calls=$((after_up - before_up))
    achieved=$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' "$WORK/$name-$rate.out")
    result "$name" "at_$rate" "{\"calls\":$calls,\"achieved_rps\":${achieved:-0},\"rss_mb\":$(awk -v k="$(rss_kb "$pid")" 'BEGIN {printf "%.1f", k / 1024}'),\"max_rss_mb\":$(awk -v k="$max" 'BEGIN {printf "%.1f", k / 1024}'),\"cpu_us\":$(awk -v t=$((after_cpu - before_cpu)) -v hz="$(getconf CLK_TCK)" -v n="$calls" 'BEGIN {printf "%.1f", n ? t * 1e6 / hz / n : 0}'),\"upstream_cpu_us\":$(awk -v t=$((after_up_cpu - before_up_cpu)) -v hz="$(getconf CLK_TCK)" -v n="$calls" 'BEGIN {printf "%.1f", n ? t * 1e6 / hz / n : 0}')}"
  done

  generate "$BURST" "$BURST_CLIENTS" 10 >"$WORK/$name-burst.out"
  result "$name" burst_peak_rss_mb "$(awk -v k="$(hwm_kb "$pid")" 'BEGIN {printf "%.1f", k / 1024}')"

  if [ "$GROWTH" -gt 0 ] && [[ " $GROWTH_VARIANTS " == *" $name "* ]]; then
    # A fresh process, so the burst's peak does not hide a slow climb.
    kill "$pid"; wait "$pid" 2>/dev/null || true
    (cd "$WORK/run" && exec env "${environment[@]}" taskset -c "$SERVER_CPU" "${command[@]}") >>"$WORK/$name.log" 2>&1 &
    pid=$!; PIDS+=("$pid")
    for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$ADMIN/readyz" >/dev/null && break; sleep 0.1; done
    taskset -c "$LOAD_CPU" h2load -D "$GROWTH" -c "$CLIENTS" -m 1 -t 1 --rps "$(( (GROWTH_RATE + CLIENTS - 1) / CLIENTS ))" -d "$WORK/generate.frame" \
      -H 'content-type: application/grpc' -H 'te: trailers' "http://127.0.0.1:$SC/mesh.gateway.v1.Inference/Generate" >"$WORK/$name-growth.out" &
    load=$!; t0=$SECONDS; : >"$WORK/$name-growth.rss"
    while kill -0 "$load" 2>/dev/null; do echo "$((SECONDS - t0)) $(rss_kb "$pid")" >>"$WORK/$name-growth.rss"; sleep "$GROWTH_SAMPLE"; done
    wait "$load"
    result "$name" growth "$(python3 "$here/growth.py" "$WORK/$name-growth.rss" "$GROWTH_RATE" "$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' "$WORK/$name-growth.out")")"
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
echo "load average at end: $(loadavg)" >&2
python3 "$here/table.py" "$WORK/results.jsonl"
if [ -n "${KEEP_RESULTS:-}" ]; then cp "$WORK/results.jsonl" "$KEEP_RESULTS"; fi
if [ "${PORTKEY:-0}" != 0 ]; then
  # The same native executable against Portkey, by the Portkey benchmark itself (its sidecar column is the native build).
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  echo "Portkey comparison, native build:" >&2
  NATIVE="$NATIVE" ROUNDS="${PORTKEY_ROUNDS:-3}" DURATION="${PORTKEY_DURATION:-10}" WARMUP="${PORTKEY_WARMUP:-30}" bash "$root/tests/Benchmarks/Portkey/run.sh"
fi
