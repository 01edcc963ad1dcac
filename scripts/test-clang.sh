#!/usr/bin/env bash
# The clang build in CI (CMake preset clang-ubsan: clang 14, UBSan with
# -fno-sanitize-recover=all, no ASan, RelWithDebInfo, libFuzzer targets):
# keeps the engine free of undefined behaviour under clang's rules too, and
# runs a fixed slice of execution fuzzing. Builds only what it runs.
#
# Usage: scripts/test-clang.sh [CTEST_ARGS...]
#
# Runs the unit tests (every tier), the core spec suite in tier 0 and tier 1
# (spec-core, spec-core-jit), the replay of the kept fuzz inputs and the
# fuzz slices (label fuzz: fuzz/execute-slice runs WVM_FUZZ_EXECUTE_RUNS
# libFuzzer inputs with a fixed seed, fuzz/compile-slice the decoder's,
# fuzz/wasi-slice WVM_FUZZ_WASI_RUNS hostile WASI call sequences) and the
# install tests (label install: consumers built against the installed package).
# Not the wasmvm Go tests, bench checks or the other spec modes (the release
# and asan-ubsan runs have them): this stays within its CI budget (README, Tests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset clang-ubsan >/dev/null
cmake --build --preset clang-ubsan --target wvm-unit-tests wvm-spectest wvm-fuzz-compile \
  wvm-fuzz-execute wvm-fuzz-execute-replay wvm-fuzz-wasi wvm-fuzz-wasi-replay wvm_shared wvm_static
ctest --preset clang-ubsan -j "$(nproc)" -L '^(unit|spec-core|spec-core-jit|fuzz|install)$' "$@"
