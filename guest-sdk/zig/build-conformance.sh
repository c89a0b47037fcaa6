#!/usr/bin/env bash
# Builds the Zig conformance guest (tests/guests/zig-conformance) to OUT.wasm.
# Needs Zig 0.14: python3 -m pip install ziglang==0.14.1
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 OUT.wasm" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
. "$here/zig-env.sh"
zig_wasm "$1" "$here/../../tests/guests/zig-conformance/main.zig"
