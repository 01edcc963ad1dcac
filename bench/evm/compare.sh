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
# 3), as run.sh's are. keccak-opcode (the EVM hashing with its KECCAK256
# opcode, native code in the node) runs keccak_host.wasm on the wasm side
# (each hash one call of the host's env.keccak256, native code in wvm);
# u256_64 is U256.sol beside u256_64.wasm (the same arithmetic in 64-bit
# limbs).
#
# Also writes bench/results/evm.md (the table, with date, machine, commit and
# command) and bench/results/evm.png (time / native per twin and engine, log
# scale, with the geometric mean; bench/plot.gp, when gnuplot is installed).
#
# EVMC_VM=PATH[,NAME=VALUE...] adds a column: the twin's bytecode on that
# EVMC VM (ABI 12, e.g. evmone v0.14-v0.19's libevmone.so), through wvm's
# own EVMC host (bench/wvm-evmc-run, evm/evmc_run.cc), timed in-process like
# wvm: no RPC round trip.
#
# Environment: BUILD_DIR (default build/release: bench/wvm-bench-run,
# bench/wvm-bench-native, bench/wvm-evmc-run, bench/workloads/*.wasm),
# EVM_REPEATS, EVMC_VM, and run.sh's.
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

ARGS=("$@")
if (($# == 0)); then
  set -- sha256 80 keccak 24 keccak-opcode 32000 blake2b 600 u256 1800 u256_64 1800 erc20 40000
fi
if (($# % 2 != 0)); then
  echo "usage: bench/evm/compare.sh [NAME ITERATIONS]..." >&2
  exit 1
fi

ANVIL_BIN=${ANVIL:-${EVM_NPM_DIR:-$ROOT/build/npm-evm}/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil}
# The EVM first, all twins through one anvil: lines `NAME N checksum=C ms=T`.
evm_out=$("$ROOT/bench/evm/run.sh" "$@")

# FILE CONTRACT of twin NAME (run.sh's table).
twin_of() {
  case $1 in
    sha256) echo "Sha256.sol Sha256" ;;
    keccak) echo "Keccak.sol Keccak" ;;
    keccak-opcode) echo "Keccak.sol KeccakOpcode" ;;
    blake2b) echo "Blake2b.sol Blake2b" ;;
    u256 | u256_64) echo "U256.sol U256" ;;
    erc20) echo "Erc20.sol Erc20" ;;
  esac
}
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<< "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

TMP_DIR=$(mktemp -d)
trap 'rm -rf "$TMP_DIR"' EXIT
table="$TMP_DIR/table.md"
EVMC_VM=${EVMC_VM:-}
EVMC_RUN="$BUILD_DIR/bench/wvm-evmc-run"
if [[ -n $EVMC_VM && ! -x $EVMC_RUN ]]; then
  echo "compare.sh: EVMC_VM needs $EVMC_RUN (build the release preset)" >&2
  exit 1
fi
vm_head= vm_rule= vm_tsv=
if [[ -n $EVMC_VM ]]; then
  vm_name=$(basename "${EVMC_VM%%,*}")
  vm_head=" $vm_name ms | $vm_name / tier 1 |"
  vm_rule="---:|---:|"
  vm_tsv="\t$vm_name"
fi
printf "twin\tEVM (anvil)$vm_tsv\twvm tier 1\twvm tier 0\n" > "$TMP_DIR/ratios.tsv"
{
  echo "| twin | N | EVM (anvil) ms |$vm_head wvm tier 1 ms | wvm tier 0 ms | native ms | EVM / tier 1 | EVM / tier 0 | tier 1 / native |"
  echo "|---|---:|---:|$vm_rule---:|---:|---:|---:|---:|---:|"
} > "$table"
status=0
while (($# > 0)); do
  name=$1 n=$2
  shift 2
  # keccak-opcode: the EVM's native Keccak against wasm calling the host's.
  c_name=${name%-opcode}
  wasm_name=$c_name
  [[ $name == keccak-opcode ]] && wasm_name=keccak_host
  wasm="$BUILD_DIR/bench/workloads/$wasm_name.wasm"
  evm=$(grep "^$name $n " <<< "$evm_out")
  jit=$("$RUN" --tier jit "$wasm" "$n" "$REPEATS")
  interp=$("$RUN" --tier interp "$wasm" "$n" "$REPEATS")
  native=$("$NATIVE" "$c_name" "$n" "$REPEATS")
  vm_out="checksum=$(field checksum "$jit")"
  if [[ -n $EVMC_VM ]]; then
    read -r file contract < <(twin_of "$name")
    node "$ROOT/bench/evm/run_evm.mjs" "$ROOT/bench/evm/$file" "$contract" --bytecode \
      > "$TMP_DIR/code.hex"
    vm_out=$("$EVMC_RUN" "$EVMC_VM" "$TMP_DIR/code.hex" "$n" "$REPEATS")
  fi
  sums=$(printf '%s\n' "$(field checksum "$evm")" "$(field checksum "$jit")" \
    "$(field checksum "$interp")" "$(field checksum "$native")" "$(field checksum "$vm_out")" |
    sort -u | wc -l)
  if [[ $sums != 1 ]]; then
    echo "compare.sh: $name N=$n: checksums differ: evm $evm / jit $jit / interp $interp / native $native" >&2
    status=1
  fi
  e=$(field ms "$evm") j=$(field ms "$jit") i=$(field ms "$interp") t=$(field ms "$native")
  vm_cells= vm_ratio=
  if [[ -n $EVMC_VM ]]; then
    v=$(field ms "$vm_out")
    vm_cells=" $v | $(ratio "$v" "$j") |"
    vm_ratio=$(awk -v v="$v" -v t="$t" 'BEGIN { printf "\t%g", v / t }')
  fi
  echo "| $name | $n | $e |$vm_cells $j | $i | $t | $(ratio "$e" "$j") | $(ratio "$e" "$i") | $(ratio "$j" "$t") |" >> "$table"
  awk -v n="$name" -v e="$e" -v j="$j" -v i="$i" -v t="$t" -v vm="$vm_ratio" \
    'BEGIN { printf "%s\t%g%s\t%g\t%g\n", n, e / t, vm, j / t, i / t }' >> "$TMP_DIR/ratios.tsv"
done
cat "$table"

# The record of this run, and the chart with a geometric-mean row (the
# commit is read before anything under bench/results is rewritten).
results="$ROOT/bench/results"
mkdir -p "$results"
commit="$(git -C "$ROOT" rev-parse --short HEAD)"
git -C "$ROOT" diff --quiet HEAD 2> /dev/null || commit+=" (with uncommitted changes)"
{
  echo "# EVM and wvm side by side (bench/evm/compare.sh)"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(uname -srm), $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), $(nproc) cores"
  echo "- commit: $commit"
  echo "- command: \`${EVMC_VM:+EVMC_VM=$EVMC_VM }bench/evm/compare.sh${ARGS[*]:+ ${ARGS[*]}}\`"
  echo "- EVM: $("$ANVIL_BIN" --version 2> /dev/null | head -n 1 || echo "anvil ?"), solc 0.8.37${EVMC_VM:+; EVMC VM $EVMC_VM}"
  echo
  cat "$table"
  echo
  echo "Times: ms per call of run(N), median of $REPEATS calls; EVM times are one eth_call each (HTTP and anvil's set-up included)."
} > "$results/evm.md"
awk -F'\t' -v OFS='\t' 'NR == 1 { print; next }
    { print; for (c = 2; c <= NF; c++) s[c] += log($c); rows++; cols = NF }
    END { line = "geomean"; for (c = 2; c <= cols; c++) line = line OFS exp(s[c] / rows); print line }' \
  "$TMP_DIR/ratios.tsv" > "$TMP_DIR/chart.tsv"
if command -v gnuplot > /dev/null; then
  terminal=png
  if gnuplot -e 'set terminal' 2>&1 | grep -qw pngcairo; then terminal=pngcairo; fi
  gnuplot -c "$ROOT/bench/plot.gp" "$TMP_DIR/chart.tsv" "$results/evm.png" "$terminal" \
    "EVM (anvil) and wvm: time / native time, same work" 0.01 10000 \
    "$(head -n 1 "$TMP_DIR/chart.tsv" | awk -F'\t' '{ print NF }')" \
    "$(($(wc -l < "$TMP_DIR/chart.tsv") - 1))" >&2 || echo "compare.sh: gnuplot failed: no chart" >&2
else
  echo "compare.sh: no gnuplot (scripts/setup.sh bench installs it): no chart" >&2
fi
exit $status
