# Sourced by the build scripts of the Zig guest SDK: finds Zig 0.14 and sets $ZIG (a command
# line, e.g. "zig" or "python3 -m ziglang"), or exits non-zero saying how to install it.
# The pinned toolchain: python3 -m pip install ziglang==0.14.1
zig_required="0.14"
if [ -n "${ZIG:-}" ]; then
  :
elif command -v zig >/dev/null 2>&1; then
  ZIG=zig
elif python3 -m ziglang version >/dev/null 2>&1; then
  ZIG="python3 -m ziglang"
else
  echo "error: Zig ${zig_required}.x not found: install it with 'python3 -m pip install ziglang==0.14.1' (or put zig on PATH, or set ZIG)" >&2
  exit 127
fi
zig_version=$($ZIG version 2>/dev/null || true)
case "$zig_version" in
  "${zig_required}".*) ;;
  *)
    echo "error: the wabi Zig SDK needs Zig ${zig_required}.x, but '$ZIG version' says '${zig_version:-nothing}': install it with 'python3 -m pip install ziglang==0.14.1' (or set ZIG)" >&2
    exit 127
    ;;
esac

# Zig keeps a local cache beside the nearest build.zig (here, in the source tree): use the global
# cache instead, unless the caller chose one.
if [ -z "${ZIG_LOCAL_CACHE_DIR:-}" ]; then
  ZIG_LOCAL_CACHE_DIR=$($ZIG env | python3 -c 'import json, sys; print(json.load(sys.stdin)["global_cache_dir"])')
  export ZIG_LOCAL_CACHE_DIR
fi

# zig_wasm OUT.wasm ROOT.zig [extra flags...]: builds ROOT.zig, which imports "wabi", to OUT.wasm
# (wasm32-freestanding, no entry point, every export kept, ReleaseSmall unless
# WABI_ZIG_OPTIMIZE says otherwise).
zig_wasm() {
  local out=$1 root=$2
  shift 2
  local sdk
  sdk=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  local tmp
  tmp=$(mktemp -d)
  # The object file Zig writes beside its output stays in the temporary directory.
  if ! $ZIG build-exe -target "${WABI_ZIG_TARGET:-wasm32-freestanding}" -fno-entry -rdynamic \
      -O "${WABI_ZIG_OPTIMIZE:-ReleaseSmall}" -fstrip "$@" \
      --dep wabi -Mroot="$root" -Mwabi="$sdk/src/wabi.zig" \
      --name guest -femit-bin="$tmp/guest.wasm"; then
    rm -rf "$tmp"
    return 1
  fi
  mkdir -p "$(dirname "$out")"
  cp "$tmp/guest.wasm" "$out"
  rm -rf "$tmp"
}
