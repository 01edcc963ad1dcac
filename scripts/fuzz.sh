#!/usr/bin/env bash
# Builds a libFuzzer target with clang (+ ASan/UBSan) and fuzzes it.
#   compile: decode, validate and prepare arbitrary bytes, seeded with the
#            shared contracts and the spec suite's modules when present.
#   execute: valid modules from wasm-opt -ttf run in every tier and bounds
#            strategy, metered, compared with tier 0 (tests/fuzz/fuzz_execute.cc),
#            seeded with tests/fuzz/corpus/execute.
#   wasi:    hostile WASI preview1 call sequences in tier 0 and tier 1
#            against a fresh sandbox each (tests/fuzz/fuzz_wasi.cc): errnos
#            only, nothing outside the sandbox changes, tiers agree; seeded
#            with tests/fuzz/corpus/wasi.
# New inputs go to build/fuzz/corpus-TARGET, crash inputs to build/fuzz/crashes/
# (keep them as tests/fuzz/regressions/TARGET/: see tests/fuzz/README.md).
# Usage: scripts/fuzz.sh [compile|execute|wasi] [SECONDS]   (compile, 60 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
target=compile
case "${1:-}" in
  compile|execute|wasi) target="$1"; shift ;;
esac
seconds="${1:-60}"
scripts/setup.sh
cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DWVM_SANITIZE=ON -DWVM_FUZZ=ON \
  -DWVM_BUILD_TESTS=OFF >/dev/null
cmake --build build/fuzz --target "wvm-fuzz-$target"
corpus="build/fuzz/corpus-$target"
mkdir -p "$corpus" build/fuzz/crashes
seeds=()
if [ "$target" = compile ]; then
  if [ -d ../shared/contracts/cosmwasm ]; then cp -n ../shared/contracts/cosmwasm/*.wasm "$corpus"/ || true; fi
  if [ -d build/release/tests/spec/wast ]; then
    find build/release/tests/spec/wast -name '*.wasm' -size -64k -exec cp -n {} "$corpus"/ \; || true
  fi
  limits=(-max_len=524288 -rss_limit_mb=4096)
elif [ "$target" = wasi ]; then
  seeds=(tests/fuzz/corpus/wasi)
  limits=(-max_len=2048 -timeout=30 -rss_limit_mb=4096)
else
  seeds=(tests/fuzz/corpus/execute)
  limits=(-max_len=8192 -timeout=60 -rss_limit_mb=8192)
fi
"build/fuzz/tests/fuzz/wvm-fuzz-$target" -max_total_time="$seconds" "${limits[@]}" \
  -print_final_stats=1 -artifact_prefix=build/fuzz/crashes/ "$corpus" "${seeds[@]}"
