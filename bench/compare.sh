#!/usr/bin/env bash
# Runs the benchmark workloads on wvm and on every other WebAssembly engine
# found on this machine, checks every result against native code and prints
# one table of times and ratios to native.
#
# Usage: bench/compare.sh [-h|--help] [BUILD_DIR]
#   BUILD_DIR  the CMake build holding bench/wvm-bench-native,
#              bench/wvm-bench-run and bench/workloads/NAME.wasm; relative to
#              the repository root unless absolute (default build/release)
#
# Every workload in bench/workloads/workloads.txt (lines "NAME ITERATIONS")
# runs on every engine with the same iteration count. Each cell shows the
# median time in ms of one call of run(ITERATIONS) and its ratio to native,
# e.g. "12.3 (1.00x)"; the last row is the geometric mean of the ratios over
# the workloads where the engine ran correctly.
#
# A line "MODULE-VARIANT ITERATIONS" (e.g. "blake2b-long 3000000") is a
# variant: module MODULE.wasm (and MODULE's native twin) with another
# iteration count, and ONE call per process instead of WVM_BENCH_REPEATS.
# It is how the suite shows one long call of a hot loop: in
# blake2b-long the loop sits in run() itself, entered once, so a tier-up
# policy that only acts on function entry (auto without on-stack
# replacement) stays in tier 0 for the whole call, while later calls in
# the same process would already start in tier 1 and hide that. Only
# bench/compare.sh reads variants (CMake builds modules from the plain
# lines). Engines that cannot pass ITERATIONS (wasm-interp, templates
# without {args}: their bench() has the module's built-in count) show n/a.
#
# Engines (columns), in this order; one whose program is missing is skipped
# with a note:
#   native           wvm-bench-native: the same C code compiled natively, the
#                    reference for times and checksums
#   wvm-interp       wvm-bench-run --tier interp
#   wvm-jit          wvm-bench-run --tier jit
#   wvm-jit-metered  wvm-bench-run --tier jit --metered (cosmwasm gas profile)
#   wvm-auto         wvm-bench-run --tier auto
#   wvm-auto-first   the same, timing only the first call of each process: a
#                    hot loop inside one long call moves to tier 1 mid-call
#                    (OSR), so it should be near wvm-jit too
#   v8-liftoff       node --liftoff --no-wasm-tier-up --no-wasm-dynamic-tiering
#                    bench/workloads/run_node.mjs
#   v8-turbofan      node --no-liftoff bench/workloads/run_node.mjs
#   v8-default       node bench/workloads/run_node.mjs
#   wasm-interp      wabt's interpreter, calling bench(); it has no host
#                    imports, so workloads importing env.kv_* (erc20) are n/a
#   NAME             each entry of COMPARE_ENGINES (below)
#
# Timing: native, wvm-* and v8-* time single calls inside the process (3
# calls per process, median); each process runs 3 times and the cell is the
# median of the 3 medians. wasm-interp and COMPARE_ENGINES engines cannot time
# one call: they are timed as process wall time (start-up, decoding and
# compilation included), median of 3 runs. The runs are interleaved: for each
# workload, round r runs every engine once before round r + 1 starts, so load
# from elsewhere on a shared machine falls on all engines alike.
# WVM_BENCH_STAT=min makes each cell the fastest of its runs instead of the
# median: on a host whose speed swings for seconds at a time (this
# project's VM: the same native run takes 17 or 27 ms a few seconds apart),
# load only ever adds time, so the minimum is the better estimate of the
# unloaded time; the output says which statistic it shows.
#
# COMPARE_ENGINES adds engines: a ';'-separated list of NAME=COMMAND TEMPLATE.
# In the template {wasm} is the module file, {args} the iteration count and
# {func} the export to call: run if the template contains {args}, else bench
# (which calls run(ITERATIONS) itself). The template is split into words at
# spaces (no quoting); its first word is the program (a path or a name on
# PATH). The checksum is the last integer in the engine's stdout, or in its
# stderr when stdout has none (wasm3 prints "Result: N" on stderr): decimal,
# possibly negative, or 0x-hexadecimal with an optional ":i64"/":i32" type
# suffix (WAMR's iwasm prints "0x2a:i64"), compared as an unsigned 64-bit
# value. A failure on a module with imports is reported as n/a, like
# wasm-interp. Example:
#   COMPARE_ENGINES='wasm3=wasm3 --func {func} {wasm} {args};wasmtime=wasmtime run --invoke {func} {wasm} {args}' bench/compare.sh
#
# WAMR's fast JIT (asmjit-based, the closest design to wvm's tier 1): build
# iwasm from a checkout of bytecodealliance/wasm-micro-runtime with
#   cd product-mini/platforms/linux && cmake -B build -DCMAKE_BUILD_TYPE=Release \
#     -DWAMR_BUILD_FAST_JIT=1 -DWAMR_BUILD_SIMD=0 && cmake --build build --target iwasm
# (recent WAMR enables SIMD by default, which fast JIT refuses; its CMake
# downloads asmjit from GitHub at configure time, or takes a local checkout
# of the pinned commit with -DFETCHCONTENT_SOURCE_DIR_ASMJIT=DIR), then
#   COMPARE_ENGINES='wamr-fast-jit=/path/to/build/iwasm --fast-jit -f {func} {wasm} {args}' bench/compare.sh
# iwasm takes its options before the module and the function's arguments
# after it, and prints the i64 result as "0x...:i64". The other WAMR modes
# are the same template with --interp (the default build: the fast
# interpreter) or --llvm-jit (-DWAMR_BUILD_JIT=1, needs LLVM). wasm3 (built
# from wasm3/wasm3 with cmake -DBUILD_WASI=simple; the default uvwasi is
# downloaded): 'wasm3=/path/to/build/wasm3 --func {func} {wasm} {args}'.
# Several entries go in one variable, separated by ';'. These engines are
# timed as whole processes (start-up and compilation included).
#
# Every checksum must equal native's: a different one shows as MISMATCH, a
# crash or non-zero exit as error, a run killed after WVM_BENCH_TIMEOUT
# seconds as timeout.
#
# Output: the table on stdout, progress on stderr, and in bench/results/
#   latest.md   the table in Markdown under date (UTC), machine, commit and
#               the command line
#   latest.png  ratio to native per workload and engine, log scale (gnuplot,
#               bench/plot.gp; skipped with a note when gnuplot is missing)
# First runs `scripts/setup.sh bench` (installs gnuplot and node if missing);
# if that fails the script warns and goes on with what is there.
#
# Exit status: 0 when every cell is correct or n/a; 1 when any cell is
# MISMATCH, error or timeout (after writing the results); 2 on a usage error
# or missing inputs (workload list, modules, native runner).
#
# Overrides for testing (relative paths are taken from the current directory):
#   WVM_BENCH_WORKLOADS  workload list (default bench/workloads/workloads.txt)
#   WVM_BENCH_WASM_DIR   directory of NAME.wasm (default BUILD_DIR/bench/workloads)
#   WVM_BENCH_NATIVE     native runner (default BUILD_DIR/bench/wvm-bench-native)
#   WVM_BENCH_RUN        wvm runner (default BUILD_DIR/bench/wvm-bench-run)
#   WVM_BENCH_RESULTS    output directory (default bench/results)
#   WVM_BENCH_RUNS       processes per cell (default 3)
#   WVM_BENCH_REPEATS    calls per process for in-process timers (default 3)
#   WVM_BENCH_STAT       median (default) or min: a cell's time from its runs
#   WVM_BENCH_TIMEOUT    seconds before one process is killed (default 120)
set -euo pipefail

readonly ORIG_PWD=$PWD
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
readonly SCRIPT=$ROOT/bench/compare.sh

usage() {
  # The header comment above is the one description of the script.
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$SCRIPT"
}

die() {
  echo "compare.sh: $*" >&2
  exit 2
}

note() {
  echo "compare.sh: $*" >&2
}

# An override path is taken from where the user ran the script, not from the
# repository root the script moves to.
from_caller() {
  case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$ORIG_PWD/$1" ;;
  esac
}

# The command line as typed, with the environment that changes what runs, so
# latest.md says exactly how to repeat the run.
describe_command() {
  local var arg words=()
  for var in COMPARE_ENGINES WVM_BENCH_WORKLOADS WVM_BENCH_WASM_DIR WVM_BENCH_NATIVE \
    WVM_BENCH_RUN WVM_BENCH_RESULTS WVM_BENCH_RUNS WVM_BENCH_REPEATS WVM_BENCH_STAT \
    WVM_BENCH_TIMEOUT; do
    if [ -n "${!var:-}" ]; then words+=("$var=$(shell_quote "${!var}")"); fi
  done
  for arg in "$0" "$@"; do words+=("$(shell_quote "$arg")"); done
  printf '%s\n' "${words[*]}"
}

# Single quotes only where needed: easier to read than printf %q.
shell_quote() {
  if [[ $1 =~ ^[A-Za-z0-9_./=:+-]+$ ]]; then
    printf '%s\n' "$1"
  else
    local escaped=${1//\'/\'\\\'\'}
    printf "'%s'\n" "$escaped"
  fi
}

parse_args() {
  BUILD_DIR=build/release
  local have_dir=0
  while (($# > 0)); do
    case $1 in
      -h | --help)
        usage
        exit 0
        ;;
      -*)
        usage >&2
        die "unknown option $1"
        ;;
      *)
        if ((have_dir)); then die "more than one BUILD_DIR given (see --help)"; fi
        BUILD_DIR=$1
        have_dir=1
        ;;
    esac
    shift
  done
  case $BUILD_DIR in
    /*) ;;
    *) BUILD_DIR=$ROOT/$BUILD_DIR ;;
  esac
}

configure() {
  WORKLOADS_FILE=$ROOT/bench/workloads/workloads.txt
  WASM_DIR=$BUILD_DIR/bench/workloads
  NATIVE=$BUILD_DIR/bench/wvm-bench-native
  WVM_RUN=$BUILD_DIR/bench/wvm-bench-run
  RESULTS_DIR=$ROOT/bench/results
  if [ -n "${WVM_BENCH_WORKLOADS:-}" ]; then WORKLOADS_FILE=$(from_caller "$WVM_BENCH_WORKLOADS"); fi
  if [ -n "${WVM_BENCH_WASM_DIR:-}" ]; then WASM_DIR=$(from_caller "$WVM_BENCH_WASM_DIR"); fi
  if [ -n "${WVM_BENCH_NATIVE:-}" ]; then NATIVE=$(from_caller "$WVM_BENCH_NATIVE"); fi
  if [ -n "${WVM_BENCH_RUN:-}" ]; then WVM_RUN=$(from_caller "$WVM_BENCH_RUN"); fi
  if [ -n "${WVM_BENCH_RESULTS:-}" ]; then RESULTS_DIR=$(from_caller "$WVM_BENCH_RESULTS"); fi
  RUNS=${WVM_BENCH_RUNS:-3}
  REPEATS=${WVM_BENCH_REPEATS:-3}
  TIMEOUT=${WVM_BENCH_TIMEOUT:-120}
  STAT=${WVM_BENCH_STAT:-median}
  [[ $STAT == median || $STAT == min ]] || die "WVM_BENCH_STAT must be median or min"
  RUN_NODE=$ROOT/bench/workloads/run_node.mjs
  local n
  for n in "$RUNS" "$REPEATS" "$TIMEOUT"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "WVM_BENCH_RUNS, _REPEATS and _TIMEOUT must be positive integers"
  done
}

# Setup installs gnuplot and node; the comparison is still worth running
# without them, so a failure only warns.
run_setup() {
  note "running scripts/setup.sh bench"
  if ! "$ROOT/scripts/setup.sh" bench >&2; then
    note "warning: scripts/setup.sh bench failed; going on with the engines already installed"
  fi
}

# Fills WORKLOADS (names in file order), ITERATIONS[name] and MODULE[name]
# (NAME for a plain line, MODULE for a variant MODULE-VARIANT).
read_workloads() {
  [ -f "$WORKLOADS_FILE" ] || die "no workload list at $WORKLOADS_FILE"
  WORKLOADS=()
  declare -gA ITERATIONS=() MODULE=()
  local name iterations rest line_no=0
  while read -r name iterations rest || [ -n "$name" ]; do
    line_no=$((line_no + 1))
    case $name in '' | '#'*) continue ;; esac
    if ! [[ $iterations =~ ^[0-9]+$ ]] || [ -n "$rest" ] ||
      ! [[ $name =~ ^[A-Za-z0-9_]+(-[A-Za-z0-9_]+)?$ ]]; then
      die "$WORKLOADS_FILE:$line_no: expected 'NAME ITERATIONS' or 'MODULE-VARIANT ITERATIONS'"
    fi
    WORKLOADS+=("$name")
    ITERATIONS[$name]=$iterations
    MODULE[$name]=${name%%-*}
  done < "$WORKLOADS_FILE"
  ((${#WORKLOADS[@]} > 0)) || die "$WORKLOADS_FILE lists no workloads"
  for name in "${WORKLOADS[@]}"; do
    [ -f "$WASM_DIR/${MODULE[$name]}.wasm" ] ||
      die "missing $WASM_DIR/${MODULE[$name]}.wasm (build the project first, e.g. scripts/quickstart.sh)"
  done
}

# Fills ENGINES (the columns that run, in order), WALL_TIMED[engine] for the
# engines timed from outside the process, EXTRA_TEMPLATE[engine] for
# COMPARE_ENGINES, and SKIPPED with one line per engine that is not here.
detect_engines() {
  ENGINES=()
  SKIPPED=()
  declare -gA WALL_TIMED=() EXTRA_TEMPLATE=()
  [ -x "$NATIVE" ] || die "missing native runner $NATIVE (build target wvm-bench-native)"
  ENGINES+=(native)
  if [ -x "$WVM_RUN" ]; then
    ENGINES+=(wvm-interp wvm-jit wvm-jit-metered wvm-auto wvm-auto-first)
  else
    SKIPPED+=("wvm-interp, wvm-jit, wvm-jit-metered, wvm-auto, wvm-auto-first: $WVM_RUN not found (build target wvm-bench-run)")
  fi
  if command -v node > /dev/null; then
    ENGINES+=(v8-liftoff v8-turbofan v8-default)
  else
    SKIPPED+=("v8-liftoff, v8-turbofan, v8-default: node not found (scripts/setup.sh bench installs it)")
  fi
  if command -v wasm-interp > /dev/null; then
    ENGINES+=(wasm-interp)
    WALL_TIMED[wasm-interp]=1
  else
    SKIPPED+=("wasm-interp: not found (Debian package wabt)")
  fi
  parse_compare_engines
}

parse_compare_engines() {
  local entries entry name template program known
  IFS=';' read -ra entries <<< "${COMPARE_ENGINES:-}"
  for entry in "${entries[@]}"; do
    [[ $entry =~ ^[[:space:]]*$ ]] && continue
    [[ $entry == *=* ]] || die "COMPARE_ENGINES entry '$entry' is not NAME=COMMAND TEMPLATE"
    name=${entry%%=*}
    name=${name//[[:space:]]/}
    template=${entry#*=}
    # The name becomes a table column and a gnuplot column header.
    [[ $name =~ ^[A-Za-z0-9._+-]+$ ]] || die "COMPARE_ENGINES name '$name' must be letters, digits, . _ + -"
    for known in "${ENGINES[@]}" wvm-interp wvm-jit wvm-jit-metered wvm-auto wvm-auto-first \
      v8-liftoff v8-turbofan v8-default wasm-interp; do
      [ "$known" != "$name" ] || die "COMPARE_ENGINES name '$name' is already an engine"
    done
    read -r program _ <<< "$template"
    if [ -z "$program" ]; then
      die "COMPARE_ENGINES entry '$name' has no command"
    elif command -v "$program" > /dev/null; then
      ENGINES+=("$name")
      WALL_TIMED[$name]=1
      EXTRA_TEMPLATE[$name]=$template
    else
      SKIPPED+=("$name: $program not found")
    fi
  done
}

# Whether WORKLOAD is a variant (MODULE-VARIANT) of a module.
is_variant() {
  [ "${MODULE[$1]}" != "$1" ]
}

# Whether ENGINE can pass the iteration count: wasm-interp and templates
# without {args} call bench(), whose count is built into the module.
passes_iterations() {
  case $1 in
    wasm-interp) return 1 ;;
    native | wvm-* | v8-*) return 0 ;;
    *) [[ ${EXTRA_TEMPLATE[$1]} == *'{args}'* ]] ;;
  esac
}

# Sets CMD to the command line for one process of ENGINE on WORKLOAD.
engine_command() {
  local engine=$1 name=$2
  local module=${MODULE[$name]} iterations=${ITERATIONS[$name]} repeats=$REPEATS
  local wasm=$WASM_DIR/$module.wasm
  # A variant measures the first call (see the header).
  if is_variant "$name"; then repeats=1; fi
  case $engine in
    native) CMD=("$NATIVE" "$module" "$iterations" "$repeats") ;;
    wvm-interp) CMD=("$WVM_RUN" --tier interp "$wasm" "$iterations" "$repeats") ;;
    wvm-jit) CMD=("$WVM_RUN" --tier jit "$wasm" "$iterations" "$repeats") ;;
    wvm-jit-metered) CMD=("$WVM_RUN" --tier jit --metered "$wasm" "$iterations" "$repeats") ;;
    wvm-auto) CMD=("$WVM_RUN" --tier auto "$wasm" "$iterations" "$repeats") ;;
    wvm-auto-first) CMD=("$WVM_RUN" --tier auto "$wasm" "$iterations" 1) ;;
    # Liftoff alone: no background tier-up to TurboFan during the timed calls.
    v8-liftoff)
      CMD=(node --liftoff --no-wasm-tier-up --no-wasm-dynamic-tiering "$RUN_NODE" "$wasm"
        "$iterations" "$repeats")
      ;;
    v8-turbofan) CMD=(node --no-liftoff "$RUN_NODE" "$wasm" "$iterations" "$repeats") ;;
    v8-default) CMD=(node "$RUN_NODE" "$wasm" "$iterations" "$repeats") ;;
    wasm-interp) CMD=(wasm-interp "$wasm" --run-all-exports) ;;
    *) expand_template "${EXTRA_TEMPLATE[$engine]}" "$wasm" "$iterations" ;;
  esac
}

# Sets CMD from a COMPARE_ENGINES template. Placeholders are replaced word by
# word after splitting, so a module path with spaces stays one argument.
expand_template() {
  local template=$1 wasm=$2 iterations=$3 func=bench word words
  if [[ $template == *'{args}'* ]]; then func=run; fi
  read -ra words <<< "$template"
  CMD=()
  for word in "${words[@]}"; do
    # Quoted replacements: bash 5.2 would otherwise expand '&' in them.
    word=${word//'{wasm}'/"$wasm"}
    word=${word//'{func}'/"$func"}
    word=${word//'{args}'/"$iterations"}
    CMD+=("$word")
  done
}

# Runs CMD once under the time limit. Sets OUT (stdout), RC (exit status; 124
# on timeout) and WALL_MS; stderr goes to $TMP_DIR/stderr.
run_once() {
  local start end
  start=$(date +%s%N)
  if OUT=$(timeout --kill-after=5 "$TIMEOUT" "${CMD[@]}" 2> "$TMP_DIR/stderr"); then
    RC=0
  else
    RC=$?
  fi
  end=$(date +%s%N)
  WALL_MS=$(awk -v ns="$((end - start))" 'BEGIN { printf "%.3f", ns / 1e6 }')
}

# The last integer in stdin, decimal or 0x-hex; iwasm's "0x1f:i64" type
# suffix is not a number of the result.
last_integer() {
  sed -E 's/:[if](32|64)\b//g' | grep -oE -- '0x[0-9a-fA-F]+|-?[0-9]+' | tail -n 1
}

# The checksum and time from one run, as "CHECKSUM MS", or nothing when the
# output has no checksum. Checksums are unsigned 64-bit decimal.
parse_run() {
  local engine=$1 line value
  if [ -z "${WALL_TIMED[$engine]:-}" ]; then
    # "checksum=<u64> ms=<median ms>" from wvm-bench-native, -run, run_node.mjs.
    line=$(grep -E '^checksum=[0-9]+ ms=[0-9.]+$' <<< "$OUT" | tail -n 1) || return 0
    value=${line#checksum=}
    printf '%s %s\n' "${value% ms=*}" "${line#* ms=}"
    return 0
  fi
  if [ "$engine" = wasm-interp ]; then
    # --run-all-exports prints "bench() => i64:<value>"; only bench counts.
    line=$(grep -E '^bench\(\) => i64:-?[0-9]+' <<< "$OUT" | tail -n 1) || return 0
    value=${line#*i64:}
  else
    value=$(last_integer <<< "$OUT") || true
    if [ -z "$value" ]; then value=$(last_integer < "$TMP_DIR/stderr") || true; fi
    [ -n "$value" ] || return 0
  fi
  # printf %u maps a negative i64 to the same u64; out-of-range values warn
  # and cannot match a real checksum.
  printf '%s %s\n' "$(printf '%u' "$value" 2> /dev/null)" "$WALL_MS"
}

# Whether a module imports anything: engines without a host (wasm-interp,
# COMPARE_ENGINES) cannot run those, which is not a failure of theirs.
has_imports() {
  command -v wasm-objdump > /dev/null &&
    wasm-objdump -x -j Import "$1" 2> /dev/null | grep -q '^Import\['
}

median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

minimum() {
  printf '%s\n' "$@" | sort -g | head -n 1
}

# Runs ENGINE on WORKLOAD once and adds the run to the cell's TIMES and SUMS;
# a failure sets STATUS (MISMATCH, error, timeout, n/a) and a line in
# PROBLEMS, and the cell runs no more.
measure_once() {
  local engine=$1 name=$2 key="$1/$2" parsed sum ms
  if is_variant "$name" && ! passes_iterations "$engine"; then
    STATUS[$key]=n/a
    return
  fi
  engine_command "$engine" "$name"
  run_once
  parsed=$(parse_run "$engine")
  if ((RC != 0)) || [ -z "$parsed" ]; then
    if [ -n "${WALL_TIMED[$engine]:-}" ] && ((RC != 0 && RC != 124)) &&
      has_imports "$WASM_DIR/${MODULE[$name]}.wasm"; then
      STATUS[$key]=n/a
      return
    fi
    if ((RC == 124)); then
      STATUS[$key]=timeout
      PROBLEMS+=("$engine on $name: killed after ${TIMEOUT}s: ${CMD[*]}")
    else
      STATUS[$key]=error
      local reason="exit status $RC" output
      if ((RC == 0)); then reason="no checksum in the output"; fi
      # The first lines the engine printed usually say what went wrong.
      output=$(cat "$TMP_DIR/stderr" - <<< "$OUT" |
        awk 'NF && n < 3 { printf "%s%s", (n++ ? " | " : ""), $0 }' | cut -c 1-300)
      PROBLEMS+=("$engine on $name: $reason: ${CMD[*]}${output:+ => $output}")
    fi
    return
  fi
  read -r sum ms <<< "$parsed"
  SUMS[$key]+="$sum "
  TIMES[$key]+="$ms "
}

# After the runs: the cell's MS (median, or minimum under WVM_BENCH_STAT=min),
# CHECKSUM and STATUS (ok or MISMATCH) from its TIMES and SUMS.
finish_cell() {
  local engine=$1 name=$2 key="$1/$2" sum sums
  [ "${STATUS[$key]:-}" = running ] || return 0
  read -r -a sums <<< "${SUMS[$key]}"
  # shellcheck disable=SC2086  # the times are words
  if [ "$STAT" = min ]; then
    MS[$key]=$(minimum ${TIMES[$key]})
  else
    MS[$key]=$(median ${TIMES[$key]})
  fi
  CHECKSUM[$key]=${sums[0]}
  STATUS[$key]=ok
  local reference=${CHECKSUM[native/$name]:-}
  for sum in "${sums[@]}"; do
    # A checksum that changes between runs is as wrong as one that differs.
    if [ "$sum" != "${sums[0]}" ] || { [ "$engine" != native ] && [ "$sum" != "$reference" ]; }; then
      STATUS[$key]=MISMATCH
      PROBLEMS+=("$engine on $name: checksums ${sums[*]}, native ${reference:-?}")
      return
    fi
  done
}

# Workload by workload, RUNS rounds over every engine: the engines of one
# workload are measured interleaved, so a burst of load on this shared
# machine spreads over all of them instead of skewing one column.
run_all() {
  declare -gA STATUS=() MS=() CHECKSUM=() TIMES=() SUMS=()
  PROBLEMS=()
  local engine name run key shown
  for name in "${WORKLOADS[@]}"; do
    for engine in "${ENGINES[@]}"; do STATUS[$engine/$name]=running; done
    for ((run = 1; run <= RUNS; run++)); do
      printf '%-10s run %d/%d:' "$name" "$run" "$RUNS" >&2
      for engine in "${ENGINES[@]}"; do
        key=$engine/$name
        [ "${STATUS[$key]}" = running ] || continue
        measure_once "$engine" "$name"
        printf ' %s' "$engine" >&2
      done
      printf '\n' >&2
      # Native's checksum first: nothing can be checked without it.
      if ((run == 1)) && [ "${STATUS[native/$name]}" != running ]; then
        for engine in "${ENGINES[@]}"; do
          [ "$engine" = native ] || STATUS[$engine/$name]=skipped
        done
      fi
    done
    finish_cell native "$name"
    for engine in "${ENGINES[@]}"; do
      [ "$engine" = native ] || finish_cell "$engine" "$name"
      key=$engine/$name
      shown=${STATUS[$key]}
      if [ "$shown" = ok ]; then shown="${MS[$key]} ms"; fi
      printf '  %-16s %s\n' "$engine" "$shown" >&2
    done
  done
}

# "12.3 (1.00x)": three significant digits for times; ratios with two
# decimals below 10 so that they line up.
format_cell() {
  awk -v ms="$1" -v ref="$2" 'function sig(x) {
      if (x >= 100) return sprintf("%.0f", x)
      if (x >= 10) return sprintf("%.1f", x)
      if (x >= 1) return sprintf("%.2f", x)
      return sprintf("%.3f", x)
    }
    function ratio(x) { return x >= 100 ? sprintf("%.0f", x) : x >= 10 ? sprintf("%.1f", x) : sprintf("%.2f", x) }
    BEGIN { printf "%s (%sx)\n", sig(ms), (ref > 0 ? ratio(ms / ref) : "?") }'
}

# Writes the table as tab-separated rows to $TMP_DIR/table.tsv and the
# ratios for the chart to $TMP_DIR/ratios.tsv ("-" where an engine has none).
build_tables() {
  local engine name key row ratio_row ratios ratio geo
  local -A ratio_list=()
  {
    printf 'workload\titerations'
    printf '\t%s' "${ENGINES[@]}"
    printf '\n'
  } > "$TMP_DIR/table.tsv"
  {
    printf 'workload'
    for engine in "${ENGINES[@]}"; do
      [ "$engine" = native ] || printf '\t%s' "$engine"
    done
    printf '\n'
  } > "$TMP_DIR/ratios.tsv"
  for name in "${WORKLOADS[@]}"; do
    row="$name	${ITERATIONS[$name]}"
    ratio_row=$name
    for engine in "${ENGINES[@]}"; do
      key=$engine/$name
      ratio=-
      if [ "${STATUS[$key]}" = ok ]; then
        row+="	$(format_cell "${MS[$key]}" "${MS[native/$name]}")"
        ratio=$(awk -v a="${MS[$key]}" -v b="${MS[native/$name]}" 'BEGIN { if (b > 0 && a > 0) printf "%.6g", a / b; else print "-" }')
        if [ "$ratio" != - ]; then ratio_list[$engine]+=" $ratio"; fi
      else
        row+="	${STATUS[$key]}"
      fi
      [ "$engine" = native ] || ratio_row+="	$ratio"
    done
    printf '%s\n' "$row" >> "$TMP_DIR/table.tsv"
    printf '%s\n' "$ratio_row" >> "$TMP_DIR/ratios.tsv"
  done
  row="geomean ratio	"
  ratio_row=geomean
  for engine in "${ENGINES[@]}"; do
    ratios=${ratio_list[$engine]:-}
    # Geometric mean, with "(k/n)" when the engine ran only k workloads.
    geo=$(awk -v list="$ratios" -v total="${#WORKLOADS[@]}" 'BEGIN {
        n = split(list, r, " ")
        if (n == 0) { print "-"; exit }
        for (i = 1; i <= n; i++) s += log(r[i])
        g = exp(s / n)
        f = g >= 100 ? "%.0f" : g >= 10 ? "%.1f" : "%.2f"
        printf f "x%s\t%.6g\n", g, (n < total ? " (" n "/" total ")" : ""), g
      }')
    row+="	${geo%%	*}"
    [ "$engine" = native ] || ratio_row+="	${geo##*	}"
  done
  printf '%s\n' "$row" >> "$TMP_DIR/table.tsv"
  printf '%s\n' "$ratio_row" >> "$TMP_DIR/ratios.tsv"
}

# Plain text, columns padded; the first column left-aligned, the rest right.
print_text_table() {
  awk -F'\t' '{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) }
      if (NF > nf) nf = NF }
    END {
      for (r = 1; r <= NR; r++) {
        line = sprintf("%-" w[1] "s", cell[r, 1])
        for (i = 2; i <= nf; i++) line = line sprintf("  %" w[i] "s", cell[r, i])
        print line
      }
    }' "$1"
}

print_markdown_table() {
  awk -F'\t' 'NR == 1 { printf "|"; for (i = 1; i <= NF; i++) printf " %s |", $i; printf "\n|---|"
        for (i = 2; i <= NF; i++) printf "---:|"; printf "\n"; next }
      { printf "|"; for (i = 1; i <= NF; i++) printf " %s |", ($i == "" ? " " : $i); printf "\n" }' "$1"
}

# Notes printed under both tables: how to read them, then what went wrong.
print_notes() {
  local line
  echo "Times: ms per call of run(iterations), $STAT of $RUNS runs; ratio = time / native time (lower is faster)."
  echo "native, wvm-* and v8-* time the call in-process (median of $REPEATS calls per run; one call, the first, for a variant NAME-VARIANT)."
  local wall=()
  for line in "${ENGINES[@]}"; do
    if [ -n "${WALL_TIMED[$line]:-}" ]; then wall+=("$line"); fi
  done
  if ((${#wall[@]} > 0)); then
    echo "${wall[*]}: process wall time, including start-up, decoding and compilation."
  fi
  for line in "${SKIPPED[@]}"; do echo "Skipped $line"; done
  if [ -n "$CHART_NOTE" ]; then echo "$CHART_NOTE"; fi
}

print_problems() {
  local line
  for line in "${PROBLEMS[@]}"; do echo "$line"; done
}

machine_description() {
  local cpu
  cpu=$(awk -F': *' '/^(model name|Hardware|cpu model)/ { print $2; exit }' /proc/cpuinfo 2> /dev/null)
  printf '%s, %s, %s cores\n' "$(uname -srm)" "${cpu:-unknown CPU}" "$(nproc)"
}

git_commit() {
  local commit
  commit=$(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null) || {
    echo unknown
    return
  }
  # Tracked files only, as `git describe --dirty` does.
  if ! git -C "$ROOT" diff --quiet HEAD -- 2> /dev/null; then commit+=-dirty; fi
  printf '%s\n' "$commit"
}

engine_versions() {
  local v
  if command -v node > /dev/null; then
    v=$(node -p '"node " + process.version + ", V8 " + process.versions.v8' 2> /dev/null) && echo "$v"
  fi
  if command -v wasm-interp > /dev/null; then
    v=$(wasm-interp --version 2> /dev/null) && echo "wasm-interp (wabt) $v"
  fi
  return 0
}

write_markdown() {
  local out=$RESULTS_DIR/latest.md line
  {
    echo "# wvm benchmark comparison"
    echo
    echo "- date: $RUN_DATE"
    echo "- machine: $(machine_description)"
    echo "- commit: $COMMIT"
    echo "- command: \`$COMMAND\`"
    echo "- build: \`${BUILD_DIR#"$ROOT"/}\`"
    while read -r line; do
      if [ -n "$line" ]; then echo "- $line"; fi
    done <<< "$(engine_versions)"
    echo "- duration: ${ELAPSED}s"
    echo
    print_markdown_table "$TMP_DIR/table.tsv"
    echo
    print_notes | sed 's/^/- /'
    if ((${#PROBLEMS[@]} > 0)); then
      echo
      echo "## Problems"
      echo
      print_problems | sed 's/^/- /'
    fi
    if [ -f "$RESULTS_DIR/latest.png" ]; then
      echo
      echo "![ratio to native per workload and engine](latest.png)"
    fi
  } > "$out"
  note "wrote $out"
}

# Renders latest.png with bench/plot.gp; a missing gnuplot only costs the
# chart.
write_chart() {
  local out=$RESULTS_DIR/latest.png terminal=png range columns
  rm -f "$out"
  CHART_NOTE=
  if ! command -v gnuplot > /dev/null; then
    CHART_NOTE="No chart: gnuplot not found (scripts/setup.sh bench installs gnuplot-nox)."
    note "$CHART_NOTE"
    return
  fi
  # Engines without a single result would only add empty legend entries.
  awk -F'\t' -v OFS='\t' '{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (NR > 1 && $i != "-") used[i] = 1 } }
      END { for (r = 1; r <= NR; r++) { line = cell[r, 1]
          for (i = 2; i <= NF; i++) if (used[i]) line = line OFS cell[r, i]
          print line } }' "$TMP_DIR/ratios.tsv" > "$TMP_DIR/chart.tsv"
  columns=$(head -n 1 "$TMP_DIR/chart.tsv" | awk -F'\t' '{ print NF }')
  if ((columns < 2)); then
    CHART_NOTE="No chart: no engine besides native has a result."
    note "$CHART_NOTE"
    return
  fi
  if gnuplot -e 'set terminal' 2>&1 | grep -qw pngcairo; then terminal=pngcairo; fi
  # Log-scale bounds: whole decades around every ratio and the native line at 1.
  range=$(awk -F'\t' 'function floor(x) { return x == int(x) || x > 0 ? int(x) : int(x) - 1 }
      NR > 1 { for (i = 2; i <= NF; i++) if ($i != "-") { v = $i + 0; if (!n++) lo = hi = v
          if (v < lo) lo = v; if (v > hi) hi = v } }
      END { if (!n || lo > 0.5) lo = 0.5; if (!n || hi < 2) hi = 2
        printf "%g %g\n", 10 ^ floor(log(lo) / log(10)), 10 ^ -floor(-log(hi) / log(10)) }' \
    "$TMP_DIR/chart.tsv")
  if gnuplot -c "$ROOT/bench/plot.gp" "$TMP_DIR/chart.tsv" "$out" "$terminal" \
    "wvm vs other engines: time / native time, $RUN_DATE, commit $COMMIT" \
    "${range% *}" "${range#* }" "$columns" "$(($(wc -l < "$TMP_DIR/chart.tsv") - 1))" >&2; then
    note "wrote $out"
  else
    CHART_NOTE="No chart: gnuplot failed."
    note "warning: $CHART_NOTE"
    rm -f "$out"
  fi
}

main() {
  COMMAND=$(describe_command "$@")
  parse_args "$@"
  configure
  cd "$ROOT"
  local started=$SECONDS
  run_setup
  read_workloads
  detect_engines
  local line
  for line in "${SKIPPED[@]}"; do note "skipping $line"; done
  note "engines: ${ENGINES[*]}"
  note "workloads: ${WORKLOADS[*]}"

  TMP_DIR=$(mktemp -d)
  trap 'rm -rf "$TMP_DIR"' EXIT
  RUN_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
  COMMIT=$(git_commit)

  run_all
  ELAPSED=$((SECONDS - started))
  build_tables
  mkdir -p "$RESULTS_DIR"
  write_chart
  write_markdown

  print_text_table "$TMP_DIR/table.tsv"
  echo
  print_notes
  if ((${#PROBLEMS[@]} > 0)); then
    echo
    echo "Problems:"
    print_problems | sed 's/^/  /'
  fi
  note "took ${ELAPSED}s"

  local key
  for key in "${!STATUS[@]}"; do
    case ${STATUS[$key]} in
      ok | n/a) ;;
      *) exit 1 ;;
    esac
  done
}

main "$@"
