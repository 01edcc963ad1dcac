#!/usr/bin/env bash
# Determinism across targets: the same corpus gives the same results, traps
# and gas on x86-64 and on AArch64 (under qemu-aarch64), in each tier.
#
# Corpus: every core spec script (../shared/wasm-testsuite/core/*.wast,
# converted by wast2json as the spec tests do) and the differential-test
# modules (wasm-opt -ttf on the seeds of tests/unit/differential_test.cc).
# Everything runs metered with a fixed gas limit per call (spec) or per module
# (differential): the spec scripts with the cosmwasm profile, the
# differential modules with cosmwasm-3.0.9 (the same plus the locals charge,
# which their many-local functions exercise). Each run writes one text file:
#   spec: wvm-spectest --dump (every compile, instantiation and action: result
#         bits or trap, gas used)
#   diff: wvm-determinism run (every export call: result bits or trap, gas
#         left; logged values; final memory hash)
# and the files of x86-64 and AArch64 must be byte-identical for each tier
# (also each tier's x86-64 file and the interp one). Exits 1 on any
# difference, printing the first differing lines.
#
# Usage: scripts/determinism.sh [--tiers "interp jit"] [--modules N] [--no-build]
#   --tiers     tiers to run (default "interp jit"); a build without a tier-1
#               backend (codegen-none targets) fails jit and auto
#   --modules   differential-test modules (default 200, seeds 1..N)
#   --no-build  use the builds as they are
# Build folders: $WVM_X86_BUILD (default build/release, preset release) and
# $WVM_ARM64_BUILD (default build/arm64-qemu, preset arm64-qemu). Output goes
# to $WVM_DETERMINISM_OUT (default build/determinism).
set -euo pipefail
cd "$(dirname "$0")/.."

tiers="interp jit"
modules=200
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --tiers) tiers="$2"; shift 2 ;;
    --modules) modules="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done

x86="${WVM_X86_BUILD:-build/release}"
arm64="${WVM_ARM64_BUILD:-build/arm64-qemu}"
out="${WVM_DETERMINISM_OUT:-build/determinism}"
core="${WVM_SHARED_DIR:-../shared}/wasm-testsuite/core"
gas_limit=10000000000  # per spec call (the heaviest uses ~2e9); modules: 2e9 (the unit test's)
qemu="qemu-aarch64 -R 0x8000000000"  # as cmake/aarch64-linux-gnu.cmake runs tests

if [ ! -d "$core" ]; then
  echo "determinism: $core not found (the shared/ folder beside the clone)" >&2
  exit 1
fi

if [ "$build" -eq 1 ]; then
  scripts/setup.sh
  scripts/setup-arm64.sh
  [ -f "$x86/CMakeCache.txt" ] || cmake --preset release >/dev/null
  [ -f "$arm64/CMakeCache.txt" ] || cmake --preset arm64-qemu >/dev/null
  cmake --build "$x86" --target wvm-spectest wvm-determinism
  cmake --build "$arm64" --target wvm-spectest wvm-determinism
fi

rm -rf "$out"
mkdir -p "$out/modules"
echo "determinism: generating $modules differential-test modules"
"$x86/tests/determinism/wvm-determinism" generate "$out/modules" "$modules" 1

# run TARGET TIER: writes $out/TARGET-TIER-{spec,diff}.txt (and .log).
run() {
  local target="$1" tier="$2" prefix=() dir="$x86"
  if [ "$target" = arm64 ]; then read -r -a prefix <<<"$qemu"; dir="$arm64"; fi
  local base="$out/$target-$tier"
  local start=$SECONDS
  # One process per script, as ctest runs them: qemu-user's bookkeeping of
  # every page it mapped stays small (see cmake/aarch64-linux-gnu.cmake).
  # The spec runner's pass/fail tally is not the point here (a gas limit can
  # change an expected outcome): only its dump is compared.
  : >"$base-spec.txt"
  : >"$base-spec.log"
  local wast
  for wast in "$core"/*.wast; do
    "${prefix[@]}" "$dir/tests/spec/wvm-spectest" --tier="$tier" --unsupported-fatal \
      --gas-profile=cosmwasm --gas-limit "$gas_limit" --dump "$base-spec.part" \
      --work-dir "$out/wast-$target-$tier" "$wast" >>"$base-spec.log" 2>&1 || true
    cat "$base-spec.part" >>"$base-spec.txt"
  done
  rm -f "$base-spec.part"
  "${prefix[@]}" "$dir/tests/determinism/wvm-determinism" run --tier="$tier" \
    --gas-profile=cosmwasm-3.0.9 \
    "$out"/modules/*.wasm >"$base-diff.txt" 2>"$base-diff.log" || true
  echo "determinism: $target $tier done in $((SECONDS - start)) s" \
       "(spec: $(grep -c '' "$base-spec.txt") lines, differential: $(grep -c '' "$base-diff.txt") lines)"
}

for tier in $tiers; do
  run x86 "$tier" &
  run arm64 "$tier" &
  wait
done

failed=0
# same A B: the two files are identical, or the first differences are shown.
same() {
  if cmp -s "$1" "$2"; then
    echo "same:      $1 $2 ($(wc -l <"$1") lines)"
  else
    failed=1
    echo "DIFFERENT: $1 $2"
    { diff "$1" "$2" || true; } | head -n 20 | sed 's/^/  /'
    for f in "${1%.txt}.log" "${2%.txt}.log"; do
      grep -m3 -E "no tier-1 backend|FAIL" "$f" | sed "s|^|  $f: |" || true
    done
  fi
}
for tier in $tiers; do
  for kind in spec diff; do
    same "$out/x86-$tier-$kind.txt" "$out/arm64-$tier-$kind.txt"
    if [ "$tier" != interp ] && [ -f "$out/x86-interp-$kind.txt" ]; then
      same "$out/x86-interp-$kind.txt" "$out/x86-$tier-$kind.txt"
    fi
  done
done
if [ "$failed" -ne 0 ]; then
  echo "determinism: FAILED (outputs in $out)"
  exit 1
fi
echo "determinism: x86-64 and AArch64 agree (tiers: $tiers)"
