#!/bin/sh
# Build a wabi plugin written in C: guest-sdk/c/build-plugin.sh OUT.wasm SOURCE.c... [-- CFLAGS...]
#
# WABI_C_TARGET selects the target:
#   wasi          (default) wasm32-wasi reactor: wasi-libc (malloc, string.h, snprintf, ...);
#                 exports _initialize, never _start.
#   freestanding  wasm32-freestanding: no libc and no WASI imports; the SDK's own allocator.
set -eu

if [ $# -lt 2 ]; then
    echo "usage: $0 OUT.wasm SOURCE.c... [-- CFLAGS...]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
. "$here/zig-cc.sh"
out=$1
shift
srcs=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
    srcs="$srcs $1"
    shift
done
[ $# -gt 0 ] && shift # the --

case "${WABI_C_TARGET:-wasi}" in
    wasi) target="-target wasm32-wasi -mexec-model=reactor" ;;
    freestanding) target="-target wasm32-freestanding -Wl,--no-entry" ;;
    *) echo "error: WABI_C_TARGET must be wasi or freestanding, not $WABI_C_TARGET" >&2; exit 2 ;;
esac

# -s: no debug information or names (a smaller module); 128 KiB of stack; file names in panics
# relative to the current directory.
# shellcheck disable=SC2086
$ZIG_CC $target -std=c11 ${WABI_C_OPT:--O2} -s -Wall -Wextra -Werror=implicit-function-declaration \
    -fmacro-prefix-map="$PWD/=" -Wl,-z,stack-size=131072 -I"$here" "$here/wabi.c" $srcs "$@" -o "$out"
