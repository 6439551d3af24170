#!/usr/bin/env bash
# Unary gRPC throughput and latency with h2load: the gRPC server (Grpc.AspNetCore) against a bare Kestrel HTTP/2
# endpoint that writes the same headers, framed bytes and trailers, alternating in the same run. A benchmark, not a test.
# Prints per run and as medians: req/s, p50/p99 latency, server CPU and bytes allocated per request, and the ratio of each
# run pair (ours/bare, run back to back, so a drifting machine load cancels out of the ratio better than out of the medians).
#   RUNS=3 DURATION=8 WARMUP=15 CONNS=4 STREAMS=32 bash tests/Benchmarks/grpc-h2load.sh
# Needs h2load and nghttp (apt-get install -y nghttp2-client).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-3}
DURATION=${DURATION:-8}
CONNS=${CONNS:-4}
STREAMS=${STREAMS:-32}
command -v h2load >/dev/null || { echo "h2load not found: apt-get install -y nghttp2-client" >&2; exit 1; }

dotnet build tests/Benchmarks -c Release -v q -nologo >/dev/null
DLL=tests/Benchmarks/bin/Release/net10.0/Mesh.Gateway.Benchmarks.dll
WORK=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
GRPC_PORT=$(free_port)
BARE_PORT=$(free_port)
BENCH_STATS="$WORK/grpc.alloc" dotnet "$DLL" grpc-server "$GRPC_PORT" >"$WORK/grpc.log" 2>&1 &
GRPC_PID=$!
BENCH_STATS="$WORK/bare.alloc" dotnet "$DLL" grpc-bare "$BARE_PORT" >"$WORK/bare.log" 2>&1 &
BARE_PID=$!
trap 'kill $GRPC_PID $BARE_PID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

# BenchRequest{response_size: 1024} as a gRPC frame: flag 0, length 3, then 08 80 08.
printf '\x00\x00\x00\x00\x03\x08\x80\x08' >"$WORK/unary.frame"
PATH_URL=/mesh.bench.v1.BenchService/Unary
HEADERS=(-H 'content-type: application/grpc' -H 'te: trailers')

for port in "$GRPC_PORT" "$BARE_PORT"; do
  for _ in $(seq 1 100); do
    if nghttp -n -d "$WORK/unary.frame" "${HEADERS[@]}" -v "http://127.0.0.1:$port$PATH_URL" 2>/dev/null | grep -q 'grpc-status: 0'; then
      continue 2
    fi
    sleep 0.2
  done
  echo "server on port $port did not answer grpc-status 0" >&2
  exit 1
done

# h2load counts HTTP 200s and cannot read grpc-status: the nghttp check above shows both answer grpc-status 0.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime of the server process, in clock ticks

allocated() { cat "$WORK/$1.alloc"; }  # bytes the server has allocated (it rewrites the file every 100 ms)

run() { # name port run pid
  local log="$WORK/$1-$3.tsv" before after abefore aafter
  before=$(cpu_ticks "$4")
  abefore=$(allocated "$1")
  h2load -D "$DURATION" -c "$CONNS" -m "$STREAMS" -t 1 -d "$WORK/unary.frame" "${HEADERS[@]}" \
    --log-file="$log" "http://127.0.0.1:$2$PATH_URL" >"$WORK/$1-$3.out"
  after=$(cpu_ticks "$4")
  sleep 0.2
  aafter=$(allocated "$1")
  local rps fails p50 p99 done cpu alloc
  rps=$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' "$WORK/$1-$3.out")
  fails=$(sed -n 's/^requests: .* \([0-9]*\) failed.*/\1/p' "$WORK/$1-$3.out")
  done=$(sed -n 's/^requests: .* \([0-9]*\) done.*/\1/p' "$WORK/$1-$3.out")
  cpu=$(awk -v t=$((after - before)) -v n="$done" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", t * 1000000 / hz / n}')
  alloc=$(awk -v a=$((aafter - abefore)) -v n="$done" 'BEGIN {printf "%.0f", a / n}')
  read -r p50 p99 < <(cut -f3 "$log" | sort -n | awk '{a[NR]=$1} END {i50=int(NR*0.50); i99=int(NR*0.99); if(i50<1)i50=1; if(i99<1)i99=1; printf "%.2f %.2f\n", a[i50]/1000, a[i99]/1000}')
  printf '%-5s run %d: %10.0f req/s  p50 %6.2f ms  p99 %6.2f ms  server CPU %5.1f us/req  alloc %5s B/req  failed %s\n' "$1" "$3" "$rps" "$p50" "$p99" "$cpu" "$alloc" "$fails"
  echo "$rps $p50 $p99 $cpu $alloc" >>"$WORK/$1.results"
}

# Warm both servers up first (tiered JIT: our layer has more code to promote to tier 1 than the bare endpoint).
for port in "$GRPC_PORT" "$BARE_PORT"; do
  h2load -D "${WARMUP:-15}" -c "$CONNS" -m "$STREAMS" -t 1 -d "$WORK/unary.frame" "${HEADERS[@]}" "http://127.0.0.1:$port$PATH_URL" >/dev/null
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "h2load: ${DURATION}s per run after ${WARMUP:-15}s warm-up per server, $CONNS connections x $STREAMS streams, 1 thread; unary, 1 KiB response"
for i in $(seq 1 "$RUNS"); do
  run grpc "$GRPC_PORT" "$i" "$GRPC_PID"
  run bare "$BARE_PORT" "$i" "$BARE_PID"
  paste -d' ' <(tail -n1 "$WORK/grpc.results") <(tail -n1 "$WORK/bare.results") | awk '{print $1 / $6}' >>"$WORK/ratio.results"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for name in grpc bare; do
  eval "${name}_rps=$(cut -d' ' -f1 "$WORK/$name.results" | median)"
  eval "${name}_p50=$(cut -d' ' -f2 "$WORK/$name.results" | median)"
  eval "${name}_p99=$(cut -d' ' -f3 "$WORK/$name.results" | median)"
  eval "${name}_cpu=$(cut -d' ' -f4 "$WORK/$name.results" | median)"
  eval "${name}_alloc=$(cut -d' ' -f5 "$WORK/$name.results" | median)"
done
echo "median of $RUNS runs:"
printf '  Grpc.AspNetCore   : %10.0f req/s  p50 %6.2f ms  p99 %6.2f ms  server CPU %5.1f us/req  alloc %5s B/req\n' "$grpc_rps" "$grpc_p50" "$grpc_p99" "$grpc_cpu" "$grpc_alloc"
printf '  bare Kestrel      : %10.0f req/s  p50 %6.2f ms  p99 %6.2f ms  server CPU %5.1f us/req  alloc %5s B/req\n' "$bare_rps" "$bare_p50" "$bare_p99" "$bare_cpu" "$bare_alloc"
awk -v a="$grpc_rps" -v b="$bare_rps" 'BEGIN {printf "  throughput ratio  : %.1f%% of bare Kestrel (ratio of the medians; target >= 85%%)\n", 100*a/b}'
awk -v r="$(median <"$WORK/ratio.results")" 'BEGIN {printf "  paired ratio      : %.1f%% (median of the per-run ours/bare ratios)\n", 100*r}'
awk -v a="$grpc_cpu" -v b="$bare_cpu" 'BEGIN {printf "  CPU ratio         : bare needs %.1f%% of our CPU per request (less sensitive to a busy machine)\n", 100*b/a}'
