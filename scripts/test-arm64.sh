#!/usr/bin/env bash
# The AArch64 build and its whole test suite under qemu-aarch64 (CMake preset
# arm64-qemu: cross-compiled with Debian's g++-aarch64-linux-gnu, tier 1 from
# codegen-arm64/, tests run by ctest through qemu-user). Installs what is
# missing first (scripts/setup.sh and scripts/setup-arm64.sh).
#
# Usage: scripts/test-arm64.sh [CTEST_ARGS...]   e.g. -L spec-core-jit
#
# Everything runs, as on x86-64: the unit tests (every tier), the CLI test,
# the core spec suite in every mode (tier 0, tier 1, tiered; guard pages and
# explicit checks; metered), the SIMD skip check, the bench self-tests and
# checksums. About 4.5 minutes of tests on the 2-core machine. Tests that
# cannot run under qemu-user are listed by unit/not-run, which ctest reports
# as "Not Run" (reasons in tests/unit/CMakeLists.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/setup-arm64.sh
cmake --preset arm64-qemu >/dev/null
cmake --build --preset arm64-qemu
ctest --preset arm64-qemu -j "$(nproc)" "$@"
