#!/usr/bin/env bash
# Benchmark close-lua against lua5.4, curl and the Python clients on a local sandbox.
# Builds the release binary, then hands over to scripts/bench/bench.py, which does the
# measuring; scripts/bench/README.md explains what is measured. Try `--quick` first.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v python3 >/dev/null; then
    echo "bench: python3 is needed to run the benchmark" >&2
    exit 1
fi

# Answer --help and reject unknown options before spending a minute on the build.
for arg in "$@"; do
    case "$arg" in
        -h | --help) exec python3 scripts/bench/bench.py --help ;;
    esac
done
BENCH_CHECK_ARGS=1 python3 scripts/bench/bench.py "$@"

# cargo honours CARGO_TARGET_DIR by itself; bench.py looks for the binary in the same place.
cargo build --release
exec python3 scripts/bench/bench.py "$@"
