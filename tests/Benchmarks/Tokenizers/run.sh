#!/usr/bin/env bash
# Encoding throughput of Mesh.Gateway.Tokenizers and of npm tiktoken (OpenAI's Rust core as WASM) on the same
# ~1 MB corpora (English prose, code, CJK, emoji), in one run. Prints a table of medians and ratios.
# Usage: tests/Benchmarks/Tokenizers/run.sh [runs]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
runs="${1:-9}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

(cd "$here/node" && { [ -d node_modules/tiktoken ] || npm ci --no-audit --no-fund --loglevel=error; })
node "$here/node/make-corpora.cjs" "$out/corpora"
dotnet build -c Release "$root/tests/Benchmarks/Mesh.Gateway.Benchmarks.csproj" -v q -nologo >/dev/null
dotnet "$root/tests/Benchmarks/bin/Release/net10.0/Mesh.Gateway.Benchmarks.dll" tokenizers "$out/corpora" "$runs" >"$out/results.jsonl"
(cd "$here/node" && node bench.cjs "$out/corpora" "$runs") >>"$out/results.jsonl"
node "$here/node/table.cjs" "$out/results.jsonl"
