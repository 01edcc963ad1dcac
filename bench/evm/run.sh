#!/usr/bin/env bash
# Runs the Solidity twins of the benchmark workloads on a local anvil (an EVM
# node) and, with no arguments, checks their checksums against native code.
#
# Usage: bench/evm/run.sh [-h|--help] [NAME ITERATIONS]...
#   NAME ITERATIONS   run twin NAME with run(ITERATIONS) and print
#                     `NAME ITERATIONS checksum=<u64> ms=<median ms of one eth_call>`
#   (no arguments)    check mode: run every twin at each count in
#                     EVM_CHECK_ITERATIONS and compare its checksum with
#                     `wvm-bench-native NAME N`; prints OK or MISMATCH per run
#                     and exits 1 if any run mismatched
#   Exits 77 (skipped, for ctest) when solc or anvil is not installed.
#
# Twins (NAME: file, contract; the native workload it is checked against):
#   sha256         Sha256.sol   Sha256        sha256
#   keccak         Keccak.sol   Keccak        keccak
#   keccak-opcode  Keccak.sol   KeccakOpcode  keccak
#   blake2b        Blake2b.sol  Blake2b       blake2b
#   u256           U256.sol     U256          u256
#   u256_64        U256.sol     U256          u256_64 (64-bit limbs: same checksum)
#   erc20          Erc20.sol    Erc20         erc20
#
# Environment:
#   EVM_REPEATS           eth_calls per run, the time is their median (default 3)
#   EVM_CHECK_ITERATIONS  counts for check mode (default "0 1 3")
#   BUILD_DIR             CMake build holding bench/wvm-bench-native (default
#                         build/release, from the repository root unless absolute)
#   EVM_NPM_DIR           where solc and anvil are installed (default build/npm-evm)
#   ANVIL                 the anvil binary (default the one under EVM_NPM_DIR)
#
# Starts one anvil on 127.0.0.1 at a port the system picks, waits until it
# listens, runs everything through run_evm.mjs, and stops it on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly ROOT
readonly EVM_DIR="$ROOT/bench/evm"

case ${1:-} in
  -h | --help)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
    exit 0
    ;;
esac
if (($# % 2 != 0)); then
  echo "usage: bench/evm/run.sh [NAME ITERATIONS]..." >&2
  exit 1
fi

REPEATS=${EVM_REPEATS:-3}
CHECK_ITERATIONS=${EVM_CHECK_ITERATIONS:-0 1 3}
BUILD_DIR=${BUILD_DIR:-build/release}
[[ $BUILD_DIR == /* ]] || BUILD_DIR="$ROOT/$BUILD_DIR"
export EVM_NPM_DIR=${EVM_NPM_DIR:-$ROOT/build/npm-evm}
ANVIL=${ANVIL:-$EVM_NPM_DIR/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil}

# NAME -> "FILE CONTRACT NATIVE_NAME"
twin() {
  case $1 in
    sha256) echo "Sha256.sol Sha256 sha256" ;;
    keccak) echo "Keccak.sol Keccak keccak" ;;
    keccak-opcode) echo "Keccak.sol KeccakOpcode keccak" ;;
    blake2b) echo "Blake2b.sol Blake2b blake2b" ;;
    u256) echo "U256.sol U256 u256" ;;
    u256_64) echo "U256.sol U256 u256_64" ;;  # the same twin; C with 64-bit limbs
    erc20) echo "Erc20.sol Erc20 erc20" ;;
    *) return 1 ;;
  esac
}
readonly ALL_TWINS="sha256 keccak keccak-opcode blake2b u256 erc20"

for ((i = 1; i <= $#; i += 2)); do
  name=${!i}
  j=$((i + 1))
  twin "$name" > /dev/null || { echo "run.sh: no twin $name (one of: $ALL_TWINS)" >&2; exit 1; }
  [[ ${!j} =~ ^[0-9]+$ ]] || { echo "run.sh: bad iteration count ${!j}" >&2; exit 1; }
done
if [[ ! -x $ANVIL || ! -d $EVM_NPM_DIR/node_modules/solc ]]; then
  echo "run.sh: skipped: anvil or solc missing under $EVM_NPM_DIR (scripts/setup.sh" \
    "installs them from the npm registry; it was unreachable, or this is not x86-64)" >&2
  exit 77
fi
NATIVE="$BUILD_DIR/bench/wvm-bench-native"
if (($# == 0)) && [[ ! -x $NATIVE ]]; then
  echo "run.sh: check mode needs $NATIVE (build the release preset)" >&2
  exit 1
fi

TMP_DIR=$(mktemp -d)
ANVIL_PID=
# shellcheck disable=SC2317  # only called from the EXIT trap
stop_anvil() {
  if [[ -n $ANVIL_PID ]]; then
    kill "$ANVIL_PID" 2> /dev/null || true
    wait "$ANVIL_PID" 2> /dev/null || true
  fi
  rm -rf "$TMP_DIR"
}
trap stop_anvil EXIT
# A signal ends the script through `exit`, so the EXIT trap runs too.
trap 'exit 1' INT TERM HUP

# Osaka: solc 0.8.37's default target, pinned in run_evm.mjs. No block gas
# limit, so one eth_call may use far more than a block's 30M gas.
"$ANVIL" --host 127.0.0.1 --port 0 --hardfork osaka --disable-block-gas-limit \
  > "$TMP_DIR/anvil.log" 2>&1 &
ANVIL_PID=$!
RPC=
for _ in $(seq 300); do
  if ! kill -0 "$ANVIL_PID" 2> /dev/null; then
    echo "run.sh: anvil exited:" >&2
    cat "$TMP_DIR/anvil.log" >&2
    ANVIL_PID=
    exit 1
  fi
  port=$(sed -n 's/^Listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$TMP_DIR/anvil.log")
  if [[ -n $port ]]; then
    RPC="http://127.0.0.1:$port"
    break
  fi
  sleep 0.1
done
if [[ -z $RPC ]]; then
  echo "run.sh: anvil did not start listening within 30 s:" >&2
  cat "$TMP_DIR/anvil.log" >&2
  exit 1
fi

# Runs twin $1 at the comma-separated counts $2; prints one run_evm.mjs line
# (`checksum=... ms=...`) per count.
run_twin() {
  local file contract native
  read -r file contract native < <(twin "$1")
  node "$EVM_DIR/run_evm.mjs" "$EVM_DIR/$file" "$contract" "$2" "$REPEATS" --rpc "$RPC"
}

if (($# > 0)); then
  while (($# > 0)); do
    out=$(run_twin "$1" "$2")
    echo "$1 $2 $out"
    shift 2
  done
  exit 0
fi

status=0
read -r -a counts <<< "$CHECK_ITERATIONS"
for name in $ALL_TWINS; do
  read -r _ _ native < <(twin "$name")
  if ! out=$(run_twin "$name" "$(IFS=,; echo "${counts[*]}")"); then
    echo "FAILED   $name"
    status=1
    continue
  fi
  mapfile -t lines <<< "$out"
  for k in "${!counts[@]}"; do
    n=${counts[k]}
    evm=${lines[k]}
    want=$("$NATIVE" "$native" "$n")
    evm_sum=${evm%% *}
    want_sum=${want%% *}
    if [[ $evm_sum == "$want_sum" ]]; then
      echo "OK       $name N=$n $evm_sum (evm ${evm##* }, native ${want##* })"
    else
      echo "MISMATCH $name N=$n evm ${evm_sum#checksum=} native ${want_sum#checksum=}"
      status=1
    fi
  done
done
exit $status
