#!/usr/bin/env bash
# Bounded fuzzing run, as in CI: every cargo-fuzz target for SECONDS (default 60) each, then the
# Go SDK codec's `go test -fuzz` target for the same time when `go` is on PATH.
#
#   fuzz/run.sh          # 60 s per target
#   fuzz/run.sh 600      # 10 min per target
#
# Needs a nightly toolchain (`cargo +nightly`); installs cargo-fuzz from crates.io when it is
# missing. Exits non-zero on the first finding; libFuzzer leaves the reproducer in
# fuzz/artifacts/<target>/ and prints the command that replays it.
#
# Environment:
#   FUZZ_SANITIZER  none (default) or address. The code under test is safe Rust (the decoders,
#                   the host's checks of guest pointers); AddressSanitizer slows the build and
#                   every run by 2-3x and is for long runs (see README.md).
#   FUZZ_TARGET_DIR where the instrumented build goes (default: a cache outside the clone,
#                   ~/.cache/wabi/fuzz-target, so that the next run on this machine only
#                   rebuilds what changed: the first build compiles wasmtime again, instrumented,
#                   which takes 15-30 min on 2 cores).
set -euo pipefail

seconds="${1:-60}"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
sanitizer="${FUZZ_SANITIZER:-none}"
target_dir="${FUZZ_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/wabi/fuzz-target}"
cargo_fuzz_version=0.13.2

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "==> fuzz: SKIPPED: no nightly toolchain (cargo-fuzz needs one: rustup toolchain install nightly)"
  exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz $cargo_fuzz_version from crates.io"
  cargo install cargo-fuzz --locked --version "$cargo_fuzz_version"
fi

# -malloc_limit_mb: a single allocation above this is a finding (the decoders must never
#   allocate in proportion to a length prefix; inputs are at most -max_len bytes).
# -rss_limit_mb:    the whole process, wasmtime included.
# -timeout:         one input taking longer than this is a hang.
libfuzzer_flags=(
  -max_total_time="$seconds"
  -max_len=65536
  -malloc_limit_mb=256
  -rss_limit_mb=4096
  -timeout=10
  -print_final_stats=1
)

echo "==> cargo fuzz build (sanitizer: $sanitizer, target dir: $target_dir)"
build_start=$SECONDS
cargo +nightly fuzz build -s "$sanitizer" --target-dir "$target_dir"
echo "==> built in $((SECONDS - build_start)) s"

for target in decode_envelope decode_msgpack guest_memory; do
  echo "==> cargo fuzz: $target for ${seconds}s"
  mkdir -p "corpus/$target"
  # libFuzzer reports every new input on a line of its own; keep the rest (stats, findings).
  set +e
  cargo +nightly fuzz run -s "$sanitizer" --target-dir "$target_dir" "$target" "corpus/$target" \
    -- "${libfuzzer_flags[@]}" 2>&1 | grep -Ev '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)'
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ]; then
    echo "==> cargo fuzz: $target FAILED (exit $status): see the reproducer in fuzz/artifacts/$target/"
    exit "$status"
  fi
done

if command -v go >/dev/null 2>&1; then
  echo "==> go test -fuzz: guest-sdk/go FuzzDecode for ${seconds}s"
  (cd ../guest-sdk/go && go test -run '^$' -fuzz '^FuzzDecode$' -fuzztime "${seconds}s" .)
else
  echo "==> go is not on PATH: the Go codec fuzz target is SKIPPED"
fi
