#!/bin/sh
# Build the C benchmark guest (bench.c: noop, add, echo, gateway, bulk, add_pod, bulk_raw) to
# OUT.wasm, a wasm32-wasi reactor (WABI_C_TARGET=freestanding for no libc).
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
cd "$(dirname "$0")"
exec ../build-plugin.sh "$out" bench.c
