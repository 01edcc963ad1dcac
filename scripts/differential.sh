#!/usr/bin/env bash
# The differential test on more random modules than CI runs: wasm-opt -ttf
# modules executed in tier 0, tier 1 and tiered, with guard pages and explicit
# checks, metered and not; all must agree on results, traps, gas and memory.
# Usage: scripts/differential.sh [MODULES] [FIRST_SEED]   (default 2000 1)
set -euo pipefail
cd "$(dirname "$0")/.."
modules="${1:-2000}"
seed="${2:-1}"
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target wvm-unit-tests
WVM_DIFF_MODULES="$modules" WVM_DIFF_SEED="$seed" \
  build/release/tests/unit/wvm-unit-tests --gtest_filter='DifferentialTest.*'
