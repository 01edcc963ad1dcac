#!/usr/bin/env bash
# The EVM side by side with wvm: each Solidity twin on anvil (bench/evm/run.sh)
# and its C workload in wvm tier 1, wvm tier 0 and natively, at the same
# iteration count, in one run; checksums must agree everywhere.
#
# Usage: bench/evm/compare.sh [-h|--help] [NAME ITERATIONS]...
#   (no arguments)  every twin at the count where one eth_call takes about
#                   100 ms or more (bench/evm/README.md, "Figures")
#
# Prints one markdown table: ms per call of run(N) for the EVM (anvil's
# eth_call: the HTTP round trip and anvil's set-up included, about 1-2 ms),
# wvm tier 1 (jit), wvm tier 0 (interp) and native, and the ratios EVM / tier
# 1, EVM / tier 0 and tier 1 / native (larger: the EVM is slower). wvm and
# native times are the median of EVM_REPEATS calls in one process (default
# 3), as run.sh's are. keccak-opcode runs keccak.wasm on the wasm side: the
# same work, which the EVM does with its KECCAK256 opcode; u256_64 is U256.sol
# beside u256_64.wasm (the same arithmetic in 64-bit limbs).
#
# Environment: BUILD_DIR (default build/release: bench/wvm-bench-run,
# bench/wvm-bench-native, bench/workloads/*.wasm), EVM_REPEATS, and run.sh's.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
case ${1:-} in
  -h | --help)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
    exit 0
    ;;
esac
BUILD_DIR=${BUILD_DIR:-build/release}
[[ $BUILD_DIR == /* ]] || BUILD_DIR="$ROOT/$BUILD_DIR"
export BUILD_DIR
REPEATS=${EVM_REPEATS:-3}
RUN="$BUILD_DIR/bench/wvm-bench-run"
NATIVE="$BUILD_DIR/bench/wvm-bench-native"
for tool in "$RUN" "$NATIVE"; do
  [[ -x $tool ]] || { echo "compare.sh: no $tool (build the release preset)" >&2; exit 1; }
done

if (($# == 0)); then
  set -- sha256 80 keccak 24 keccak-opcode 32000 blake2b 600 u256 1800 u256_64 1800 erc20 40000
fi
if (($# % 2 != 0)); then
  echo "usage: bench/evm/compare.sh [NAME ITERATIONS]..." >&2
  exit 1
fi

# The EVM first, all twins through one anvil: lines `NAME N checksum=C ms=T`.
evm_out=$("$ROOT/bench/evm/run.sh" "$@")

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<< "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

echo "| twin | N | EVM (anvil) ms | wvm tier 1 ms | wvm tier 0 ms | native ms | EVM / tier 1 | EVM / tier 0 | tier 1 / native |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
status=0
while (($# > 0)); do
  name=$1 n=$2
  shift 2
  c_name=${name%-opcode}
  wasm="$BUILD_DIR/bench/workloads/$c_name.wasm"
  evm=$(grep "^$name $n " <<< "$evm_out")
  jit=$("$RUN" --tier jit "$wasm" "$n" "$REPEATS")
  interp=$("$RUN" --tier interp "$wasm" "$n" "$REPEATS")
  native=$("$NATIVE" "$c_name" "$n" "$REPEATS")
  sums=$(printf '%s\n' "$(field checksum "$evm")" "$(field checksum "$jit")" \
    "$(field checksum "$interp")" "$(field checksum "$native")" | sort -u | wc -l)
  if [[ $sums != 1 ]]; then
    echo "compare.sh: $name N=$n: checksums differ: evm $evm / jit $jit / interp $interp / native $native" >&2
    status=1
  fi
  e=$(field ms "$evm") j=$(field ms "$jit") i=$(field ms "$interp") t=$(field ms "$native")
  echo "| $name | $n | $e | $j | $i | $t | $(ratio "$e" "$j") | $(ratio "$e" "$i") | $(ratio "$j" "$t") |"
done
exit $status
