#!/usr/bin/env bash
# The README's test command: installs what the tests need on Debian (apt packages, redis-server, npm packages from
# their lock files) and runs every test. Safe to re-run: installed packages are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  redis-server                                     # shared limits, budgets and ledger against a real Redis
  ruby-grpc grpc-proto                             # Google's official gRPC interop client and server
  python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc libprotobuf-dev  # Python stubs
  nghttp2-client                                   # h2load / nghttp for the benchmarks' frame checks
  postgresql                                       # the PostgreSQL ledger sink
  chromium                                         # the console's browser tests (Playwright drives /usr/bin/chromium)
  gcc zlib1g-dev                                   # the Native AOT publish links with them (clang is taken first if present)
)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing apt packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Every folder with a package.json gets its packages: from its lock file where it has one (npm ci); tools/buf has
# none on purpose (see tools/buf/README.md) and pins an exact version instead.
for dir in $(git ls-files '*package.json' | grep -v node_modules | xargs -r -n1 dirname | sort -u); do
  if [ -f "$dir/package-lock.json" ]; then
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error && touch node_modules)
    fi
  elif [ ! -d "$dir/node_modules" ] || [ "$dir/package.json" -nt "$dir/node_modules" ]; then
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error && touch node_modules)
  fi
done

dotnet test Mesh.Gateway.sln "$@"

# The native build (docs/0023-native-aot.md): published once, then the functional tests run against that executable
# (SidecarHost starts it instead of the in-process sidecar). Opt-in (MESH_NATIVE_TESTS=1) until the publish is timed on a
# quiet machine: on the shared 2-core machine it took 35 min (load average 25, docs/0023-native-aot.md), against CI's
# 20-minute budget (the JIT run alone is about 5).
if [ "${MESH_NATIVE_TESTS:-0}" != 0 ]; then
  native="$(mktemp -d)"
  start=$SECONDS
  dotnet publish sidecar -c Release -r linux-x64 -p:PublishAot=true -o "$native" -v q -nologo
  echo "native publish: $((SECONDS - start)) s"
  MESH_SIDECAR_EXECUTABLE="$native/Mesh.Gateway.Sidecar" dotnet test tests/Mesh.Gateway.FunctionalTests "$@"
  echo "native publish and functional tests: $((SECONDS - start)) s"
  rm -rf "$native"
fi
