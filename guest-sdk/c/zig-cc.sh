# Sourced by the build scripts: sets ZIG_CC to a `zig cc` command, or exits with a message.
# Zig 0.14.1 from PyPI (python3 -m pip install ziglang==0.14.1) is preferred; a `zig` on PATH
# is used when the Python package is missing; ZIG=/path/to/zig overrides both.
if [ -n "${ZIG:-}" ]; then
    zig_cmd=$ZIG
elif python3 -c 'import ziglang' >/dev/null 2>&1; then
    zig_cmd="python3 -m ziglang"
elif command -v zig >/dev/null 2>&1; then
    zig_cmd=zig
else
    echo "error: the wabi C guest SDK needs Zig 0.14.1 (its C compiler, zig cc), which was not found." >&2
    echo "       install it with: python3 -m pip install ziglang==0.14.1" >&2
    exit 127
fi
zig_version=$($zig_cmd version 2>/dev/null || echo unknown)
if [ "$zig_version" != 0.14.1 ]; then
    echo "warning: the wabi C guest SDK is tested with Zig 0.14.1, found $zig_version ($zig_cmd)" >&2
fi
ZIG_CC="$zig_cmd cc"
