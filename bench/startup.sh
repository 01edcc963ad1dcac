#!/usr/bin/env bash
# Start-up cost of the `wvm` program: the wall time of a whole
# `wvm run --invoke run tiny.wasm 5` (a 41-byte module whose run(i32) returns
# i+1) minus that of an empty process (`true`), medians over many runs.
#
# Usage: bench/startup.sh [-h|--help] [WVM]
#   WVM   the wvm binary (default build/release/tools/wvm, from the
#         repository root unless absolute)
#
# Environment:
#   WVM_STARTUP_RUNS     processes per command (default 200)
#   WVM_STARTUP_TIER     --tier of the wvm runs (default auto, wvm's default)
#   WVM_STARTUP_ENGINES  more commands to time the same way: a ';'-separated
#                        list of NAME=COMMAND TEMPLATE with {wasm} for the
#                        module, e.g. 'wasm3=/tmp/wasm3 --func run {wasm} 5'
#
# The commands run interleaved (one run of each per round), so load from
# elsewhere falls on all alike. Each time is taken with bash's
# $EPOCHREALTIME around the command, so it includes fork and exec, the same
# for `true` as for wvm. Prints one line per command (median, 10th and 90th
# percentile in ms) and last "startup: X ms" = median(wvm) - median(true),
# the figure issue 17 asks to keep within 2 ms.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT

case ${1:-} in
  -h | --help)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
    exit 0
    ;;
esac
WVM=${1:-build/release/tools/wvm}
case $WVM in /*) ;; *) WVM=$ROOT/$WVM ;; esac
[ -x "$WVM" ] || { echo "startup.sh: $WVM not found (build target wvm-cli)" >&2; exit 2; }
RUNS=${WVM_STARTUP_RUNS:-200}
TIER=${WVM_STARTUP_TIER:-auto}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "startup.sh: WVM_STARTUP_RUNS must be a positive integer" >&2; exit 2; }

TMP_DIR=$(mktemp -d)
trap 'rm -rf "$TMP_DIR"' EXIT
WASM=$TMP_DIR/tiny.wasm
# (func (export "run") (param i32) (result i64) local.get 0 i64.extend_i32_u i64.const 1 i64.add)
printf '\x00asm\x01\x00\x00\x00\x01\x06\x01\x60\x01\x7f\x01\x7e\x03\x02\x01\x00\x07\x07\x01\x03run\x00\x00\x0a\x0a\x01\x08\x00\x20\x00\xad\x42\x01\x7c\x0b' > "$WASM"

NAMES=(true wvm)
declare -A CMDS=()
CMDS[true]=$(type -P true)
CMDS[wvm]="$WVM run --tier $TIER --invoke run $WASM 5"
IFS=';' read -ra extra <<< "${WVM_STARTUP_ENGINES:-}"
for entry in "${extra[@]}"; do
  [[ $entry == *=* ]] || continue
  name=${entry%%=*}
  NAMES+=("$name")
  CMDS[$name]=${entry#*=}
  CMDS[$name]=${CMDS[$name]//'{wasm}'/$WASM}
done

# Each command once, checked, before timing: a broken command would time
# its error path.
for name in "${NAMES[@]}"; do
  read -ra cmd <<< "${CMDS[$name]}"
  if ! "${cmd[@]}" > /dev/null; then
    echo "startup.sh: $name failed: ${CMDS[$name]}" >&2
    exit 1
  fi
done

# Wall time of one run in microseconds, appended to $TMP_DIR/NAME.
for ((i = 0; i < RUNS; i++)); do
  for name in "${NAMES[@]}"; do
    read -ra cmd <<< "${CMDS[$name]}"
    start=$EPOCHREALTIME
    "${cmd[@]}" > /dev/null
    end=$EPOCHREALTIME
    echo $((${end/./} - ${start/./})) >> "$TMP_DIR/$name"
  done
done

# "median p10 p90" in ms of the times in file $1.
stats() {
  sort -n "$1" | awk '{ v[NR] = $1 }
    function at(q) { i = int(q * (NR - 1)) + 1; return v[i] / 1000 }
    END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%.3f %.3f %.3f\n", m / 1000, at(0.1), at(0.9) }'
}

echo "runs per command: $RUNS (interleaved), wvm --tier $TIER"
declare -A MEDIAN=()
for name in "${NAMES[@]}"; do
  read -r med p10 p90 <<< "$(stats "$TMP_DIR/$name")"
  MEDIAN[$name]=$med
  printf '%-10s median %7.3f ms  p10 %7.3f  p90 %7.3f  (%s)\n' "$name" "$med" "$p10" "$p90" "${CMDS[$name]}"
done
for name in "${NAMES[@]}"; do
  [ "$name" = true ] && continue
  [ "$name" = wvm ] && continue
  awk -v a="${MEDIAN[$name]}" -v b="${MEDIAN[true]}" -v n="$name" 'BEGIN { printf "%s startup: %.3f ms\n", n, a - b }'
done
awk -v a="${MEDIAN[wvm]}" -v b="${MEDIAN[true]}" 'BEGIN { printf "startup: %.3f ms\n", a - b }'
