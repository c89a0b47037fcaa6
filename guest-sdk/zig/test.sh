#!/usr/bin/env bash
# The Zig guest SDK's own tests: the codec and outbound HTTP's encoding and decoding natively
# (golden vectors, limits), then the ABI with a small host in node (test/abi_test.mjs) against
# the conformance guest and test/guest.zig.
# Needs Zig 0.14 (python3 -m pip install ziglang==0.14.1) and node >= 18.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/zig-env.sh"
cd "$here"
WABI_VECTORS="$here/../../abi-spec/vectors/values.json" $ZIG test src/msgpack_test.zig
WABI_HTTP_VECTORS="$here/../../abi-spec/vectors/http.json" $ZIG test src/http_test.zig
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$here/build-conformance.sh" "$tmp/conformance.wasm"
WABI_ZIG_OPTIMIZE=ReleaseSafe zig_wasm "$tmp/test-guest.wasm" "$here/test/guest.zig"
WABI_ZIG_CONFORMANCE="$tmp/conformance.wasm" WABI_ZIG_TEST_GUEST="$tmp/test-guest.wasm" \
  node --test "$here/test/abi_test.mjs"
