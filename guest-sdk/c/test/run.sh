#!/bin/sh
# Run the C guest SDK's tests: the codec against abi-spec/vectors, hostile inputs, the export
# machinery (envelopes, argument lists, input ownership, host calls, nested calls, config),
# natively as a 32-bit x86 program (pointers of 32 bits, like wasm32) with undefined-behaviour
# checks. Needs zig cc (python3 -m pip install ziglang==0.14.1) and a Linux that runs i386.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$here/../../..
. "$here/../zig-cc.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$here/gen_vectors.py" "$root" > "$tmp/vectors.h"
$ZIG_CC -target x86-linux-musl -std=c11 -D_DEFAULT_SOURCE -O1 -g -Wall -Wextra \
    -fsanitize=undefined -fsanitize-trap=undefined -I"$tmp" "$here/test.c" -o "$tmp/test"
"$tmp/test"
