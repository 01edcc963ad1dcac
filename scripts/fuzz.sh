#!/usr/bin/env bash
# Builds the libFuzzer target with clang (+ ASan/UBSan) and fuzzes decode,
# validate and prepare, seeded with the shared contracts and the spec suite's
# modules when ../shared is present.
# Usage: scripts/fuzz.sh [SECONDS]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
scripts/setup.sh
cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DWVM_SANITIZE=ON -DWVM_FUZZ=ON \
  -DWVM_BUILD_TESTS=OFF >/dev/null
cmake --build build/fuzz --target wvm-fuzz-compile
corpus=build/fuzz/corpus
mkdir -p "$corpus"
if [ -d ../shared/contracts/cosmwasm ]; then cp -n ../shared/contracts/cosmwasm/*.wasm "$corpus"/ || true; fi
if [ -d build/release/tests/spec/wast ]; then
  find build/release/tests/spec/wast -name '*.wasm' -size -64k -exec cp -n {} "$corpus"/ \; || true
fi
build/fuzz/tests/fuzz/wvm-fuzz-compile -max_total_time="$seconds" -max_len=524288 -rss_limit_mb=4096 "$corpus"
