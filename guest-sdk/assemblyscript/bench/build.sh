#!/bin/sh
# Builds the AssemblyScript benchmark guest (bench/assembly) to OUT.wasm.
#
#   guest-sdk/assemblyscript/bench/build.sh OUT.wasm
#
# Needs Node.js >= 20 and npm on PATH; installs the pinned compiler with `npm ci` when missing.
set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 OUT.wasm" >&2
  exit 2
fi
case $1 in
  /*) out=$1 ;;
  *) out=$(pwd)/$1 ;;
esac

sdk=$(cd "$(dirname "$0")/.." && pwd)

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "bench/build.sh: Node.js >= 20 and npm are required on PATH" >&2
  exit 1
fi
if [ ! -x "$sdk/node_modules/.bin/asc" ]; then
  (cd "$sdk" && npm ci --no-audit --no-fund --loglevel=error) || {
    echo "bench/build.sh: npm ci failed in $sdk (is the npm registry reachable?)" >&2
    exit 1
  }
fi

mkdir -p "$(dirname "$out")"
cd "$sdk"
./node_modules/.bin/asc bench/assembly/index.ts \
  --runtime incremental --use abort=__wabi_abort -O3 \
  -o "$out"
