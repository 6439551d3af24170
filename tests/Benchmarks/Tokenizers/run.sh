#!/usr/bin/env bash
# Encoding throughput of Mesh.Gateway.Tokenizers and of npm tiktoken (OpenAI's Rust core as WASM) on the same
# ~1 MB corpora (English prose, code, CJK, emoji), in one run. The two tools take turns for several rounds so
# that load on the machine hits both alike; the table gives medians over all rounds (wall clock and CPU time)
# and the ratio to tiktoken.
# Usage: tests/Benchmarks/Tokenizers/run.sh [rounds] [runs-per-round]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
rounds="${1:-3}"
runs="${2:-3}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

(cd "$here/node" && { [ -d node_modules/tiktoken ] || npm ci --no-audit --no-fund --loglevel=error; })
node "$here/node/make-corpora.cjs" "$out/corpora"
dotnet build -c Release "$root/tests/Benchmarks/Mesh.Gateway.Benchmarks.csproj" -v q -nologo >/dev/null
for ((i = 1; i <= rounds; i++)); do
  echo "round $i/$rounds" >&2
  dotnet "$root/tests/Benchmarks/bin/Release/net10.0/Mesh.Gateway.Benchmarks.dll" tokenizers "$out/corpora" "$runs" >>"$out/results.jsonl"
  (cd "$here/node" && node bench.cjs "$out/corpora" "$runs") >>"$out/results.jsonl"
done
node "$here/node/table.cjs" "$out/results.jsonl"
