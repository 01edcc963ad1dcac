#!/usr/bin/env bash
# From a fresh clone: install dependencies, build the release preset, and run
# the whole test suite (unit tests + spec suite) with ctest.
# Usage: scripts/test.sh [PRESET]   (release by default; debug or asan-ubsan too)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
scripts/setup.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset" -j "$(nproc)"
