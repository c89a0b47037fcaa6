#!/usr/bin/env bash
# Bounded fuzzing run, as in CI: every cargo-fuzz target for SECONDS (default 60) each, then the
# Go SDK codec's `go test -fuzz` target for the same time when `go` is on PATH.
#
#   fuzz/run.sh          # 60 s per target
#   fuzz/run.sh 600      # 10 min per target
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Exits non-zero on the
# first finding; libFuzzer leaves the reproducer in fuzz/artifacts/<target>/.
set -euo pipefail

seconds="${1:-60}"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

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

for target in decode_envelope decode_msgpack guest_memory; do
  echo "==> cargo fuzz: $target for ${seconds}s"
  mkdir -p "corpus/$target"
  cargo +nightly fuzz run "$target" "corpus/$target" -- "${libfuzzer_flags[@]}"
done

if command -v go >/dev/null 2>&1; then
  echo "==> go test -fuzz: guest-sdk/go FuzzDecode for ${seconds}s"
  (cd ../guest-sdk/go && go test -run '^$' -fuzz '^FuzzDecode$' -fuzztime "${seconds}s" .)
else
  echo "==> go is not on PATH: the Go codec fuzz target is SKIPPED"
fi
