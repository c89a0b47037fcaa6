#!/usr/bin/env bash
# Builds the Zig bench guest (bench/main.zig) to OUT.wasm, ReleaseFast unless WABI_ZIG_OPTIMIZE
# says otherwise. Needs Zig 0.14: python3 -m pip install ziglang==0.14.1
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 OUT.wasm" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../zig-env.sh"
WABI_ZIG_OPTIMIZE=${WABI_ZIG_OPTIMIZE:-ReleaseFast} zig_wasm "$1" "$here/main.zig"
