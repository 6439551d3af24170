# Shared by the h2load benchmarks (Portkey/run.sh, Envoy/h2load.sh); source it with `root` set to the repository root.
# Builds the benchmark servers (BENCH), makes a work directory (WORK) and kills every process listed in PIDS on exit.
command -v h2load >/dev/null || { echo "h2load not found: apt-get install -y nghttp2-client" >&2; exit 1; }
# BENCH=path/to/Mesh.Gateway.Benchmarks.dll uses servers already built (no build here).
if [ -z "${BENCH:-}" ]; then
  dotnet build "$root/tests/Benchmarks/Mesh.Gateway.Benchmarks.csproj" -c Release -v q -nologo >/dev/null
  BENCH="$root/tests/Benchmarks/bin/Release/net10.0/Mesh.Gateway.Benchmarks.dll"
fi
WORK=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime of a process, in clock ticks
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
# A latency summary of one h2load run as JSON (percentiles, errors): h2load-latency.py LOG STDOUT MIN_DATA_PER_REQUEST.
latency_json() { python3 "$root/tests/Benchmarks/h2load-latency.py" "$@"; }
