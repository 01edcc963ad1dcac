#!/usr/bin/env bash
# From a fresh clone: install dependencies, build the release preset, and run
# the shipped example (examples/add.wat: calculate(11, 33) prints 44).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release
echo "+ wvm run build/release/examples/add.wasm calculate 11 33"
build/release/tools/wvm run build/release/examples/add.wasm calculate 11 33
