#!/bin/sh
# Build the C conformance guest (tests/guests/c-conformance) to OUT.wasm with zig cc:
#
#   guest-sdk/c/build-conformance.sh OUT.wasm                               # wasm32-wasi reactor
#   WABI_C_TARGET=freestanding guest-sdk/c/build-conformance.sh OUT.wasm    # no libc, no WASI
#
# Toolchain: python3 -m pip install ziglang==0.14.1
set -eu
if [ $# -ne 1 ]; then
    echo "usage: $0 OUT.wasm" >&2
    exit 2
fi
case $1 in
    /*) out=$1 ;;
    *) out=$PWD/$1 ;;
esac
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" # panics then name tests/guests/c-conformance/conformance.c
exec guest-sdk/c/build-plugin.sh "$out" tests/guests/c-conformance/conformance.c
