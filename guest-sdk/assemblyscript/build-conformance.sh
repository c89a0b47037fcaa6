#!/bin/sh
# Builds the AssemblyScript conformance guest (tests/guests/as-conformance) to OUT.wasm.
#
#   guest-sdk/assemblyscript/build-conformance.sh OUT.wasm
#
# Needs Node.js >= 20 and npm on PATH. The compiler (assemblyscript, pinned exactly in
# package-lock.json) is installed into guest-sdk/assemblyscript/node_modules by `npm ci` when it
# is not there yet.
set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 OUT.wasm" >&2
  exit 2
fi
case $1 in
  /*) out=$1 ;;
  *) out=$(pwd)/$1 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "build-conformance.sh: Node.js >= 20 and npm are required on PATH (e.g. apt-get install nodejs npm)" >&2
  exit 127
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "build-conformance.sh: Node.js >= 20 is required, found $(node --version)" >&2
  exit 127
fi

if [ ! -x "$here/node_modules/.bin/asc" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) || {
    echo "build-conformance.sh: npm ci failed in $here (is the npm registry reachable?)" >&2
    exit 1
  }
fi

mkdir -p "$(dirname "$out")"
cd "$root"
"$here/node_modules/.bin/asc" tests/guests/as-conformance/assembly/index.ts \
  --runtime incremental --use abort=__wabi_abort -O3 \
  -o "$out"
node "$here/tools/rename-exports.mjs" "$out" renamed_fn=renamed.fn
