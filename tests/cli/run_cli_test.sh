#!/usr/bin/env bash
# End-to-end test of `wvm run` as a user meets it: option forms, the WASI
# command and --invoke forms, error messages and exit codes, AssemblyScript's
# host imports, bounds strategies, --version and trap backtraces, in a tier.
#   tests/cli/run_cli_test.sh BUILD_DIR TIER
# The test modules are tests/cli/modules/*.wat, converted with wat2wasm.
# WVM_EMULATOR, when set (e.g. "qemu-aarch64 ..." for a cross build), runs wvm.
set -uo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR TIER" >&2
  exit 2
fi
WVM_BIN="$1/tools/wvm"
TIER="$2"
HERE="$(cd "$(dirname "$0")" && pwd)"
if ! command -v wat2wasm >/dev/null; then
  echo "SKIP: wat2wasm not found (Debian package wabt; scripts/setup.sh installs it)"
  exit 77
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for w in "$HERE"/modules/*.wat; do
  wat2wasm --debug-names "$w" -o "$WORK/$(basename "${w%.wat}").wasm" || exit 1
done

wvm() {
  if [ -n "${WVM_EMULATOR:-}" ]; then
    # shellcheck disable=SC2086
    $WVM_EMULATOR "$WVM_BIN" "$@"
  else
    "$WVM_BIN" "$@"
  fi
}

FAILED=0
PASSED=0
# check NAME EXPECTED_RC EXPECTED_STDOUT STDERR_SUBSTRING -- ARGS...
# ("-" as STDERR_SUBSTRING: stderr must be empty)
check() {
  local name="$1" want_rc="$2" want_out="$3" want_err="$4"
  shift 5
  local out err rc
  out=$(wvm "$@" 2>"$WORK/stderr")
  rc=$?
  err=$(cat "$WORK/stderr")
  local ok=1
  [ "$rc" = "$want_rc" ] || ok=0
  [ "$out" = "$want_out" ] || ok=0
  if [ "$want_err" = "-" ]; then
    [ -z "$err" ] || ok=0
  else
    [[ "$err" == *"$want_err"* ]] || ok=0
  fi
  if [ $ok = 1 ]; then
    PASSED=$((PASSED + 1))
  else
    FAILED=$((FAILED + 1))
    echo "FAIL: $name: wvm $*"
    echo "  exit code $rc (want $want_rc)"
    echo "  stdout: $(printf '%q' "$out") (want $(printf '%q' "$want_out"))"
    echo "  stderr: $(printf '%q' "$err") (want it to contain $(printf '%q' "$want_err"))"
  fi
}

T="--tier=$TIER"
M="$WORK"

# The invoke forms: legacy positional FUNC, --invoke, option spellings.
check legacy-run 0 "3" - -- run "$T" "$M/add.wasm" add 1 2
check no-run-word 0 "3" - -- "$T" "$M/add.wasm" add 1 2
check invoke 0 "3" - -- run --tier "$TIER" --invoke add "$M/add.wasm" 1 2
check invoke-eq 0 "0.5" - -- "$T" --invoke=fdiv "$M/add.wasm" 1 2
check double-dash 0 "7" - -- run "$T" -- "$M/add.wasm" add 3 4
check gas-eq 0 $'3\ngas used: 4, gas left: 96' - -- run "$T" --gas=100 "$M/add.wasm" add 1 2
check gas-space 0 $'3\ngas used: 4, gas left: 96' - -- run "$T" --gas 100 --gas-profile=uniform "$M/add.wasm" add 1 2
check threshold-eq 0 "3" - -- run --tier=auto --tier-threshold=1 "$M/add.wasm" add 1 2
check hex-and-negative 0 "-1" - -- "$T" --invoke add "$M/add.wasm" 0xffffffff 0

# Errors name what is wrong and what exists.
check unknown-option 1 "" "unknown option --frobnicate" -- run --frobnicate "$M/add.wasm"
check option-needs-value 1 "" "--tier needs a value" -- run --tier
check flag-with-value 1 "" "--deterministic takes no value" -- run --deterministic=1 "$M/add.wasm"
check bad-tier 1 "" "unknown tier \"fast\"" -- run --tier=fast "$M/add.wasm" add 1 2
check unknown-export 1 "" "exported functions: add (i32, i32) -> (i32), fdiv (f64, f64) -> (f64)" \
  -- "$T" --invoke nope "$M/add.wasm"
check not-a-command 1 "" "exports no _start (it is not a WASI command)" -- "$T" "$M/add.wasm"
check not-a-function 1 "" "export \"memory\" is a memory, not a function" -- "$T" --invoke memory "$M/add.wasm"
check arg-count 1 "" "add (i32, i32) -> (i32) takes 2 argument(s), got 1" -- "$T" "$M/add.wasm" add 1
check arg-parse 1 "" "argument 1 of add (i32): cannot parse \"x\"" -- "$T" "$M/add.wasm" add 1 x
check missing-file 2 "" "cannot open $M/none.wasm: No such file or directory" -- "$T" "$M/none.wasm"
check directory 2 "" "Is a directory" -- run "$T" "$M"
cp "$HERE/modules/add.wat" "$M/text.wasm"
check text-format 3 "" "this is WebAssembly text (.wat), not a binary module; convert it with \`wat2wasm" \
  -- "$T" "$M/text.wasm"
check unknown-command 1 "" "unknown command \"frob\"" -- frob

# A trap prints its backtrace: function index, name (name section), offset
# in the file and in the code section; the same in every tier (auto tiers up
# after one call here), for a divide by zero and a guard-page fault.
check trap-trace 5 "" $'trap: integer divide by zero\nwasm backtrace:\n  0: func[1] <div> at 0x49 (code +0x11)\n  1: func[2] <middle> at 0x4f (code +0x17)\n  2: func[3] <outer> at 0x56 (code +0x1e)' \
  -- "$T" --tier-threshold=1 "$M/trap.wasm" outer 0
check trap-trace-fault 5 "" $'trap: out of bounds memory access\nwasm backtrace:\n  0: func[0] <load_far> at 0x3f (code +0x7)' \
  -- "$T" "$M/trap.wasm" load_far
check as-abort-trace 7 "" $'abort: hi at a.ts:3:7\nwasm backtrace:\n  0: func[4] <inner>' -- "$T" "$M/as_abort.wasm"

# WASI commands: output, proc_exit's code from a nested call, gas on stderr,
# a preopen that does not exist, an import nobody provides.
check wasi-exit 3 "hello" - -- "$T" "$M/wasi_exit.wasm"
check wasi-exit-run 3 "hello" - -- run "$T" "$M/wasi_exit.wasm" a b c
check wasi-gas 3 "hello" "gas used: " -- "$T" --gas 1000000 "$M/wasi_exit.wasm"
check wasi-missing-dir 1 "" "$M/absent" -- "$T" --dir "$M/absent" "$M/wasi_exit.wasm"
check env-needs-eq 1 "" "--env takes NAME=VALUE" -- "$T" --env FOO "$M/wasi_exit.wasm"
check unknown-import 4 "" "module imports spectest.print_i32 (func (i32) -> ())" -- "$T" "$M/imports_other.wasm"

# AssemblyScript's env imports: trace prints, abort prints and exits 7, from a nested call.
check as-abort 7 "" $'trace: hi 1.5, 1.' -- "$T" --deterministic "$M/as_abort.wasm"
check as-abort-location 7 "" "abort: hi at a.ts:3:7" -- "$T" "$M/as_abort.wasm"

# Bounds: explicit checks give the same results; under an address-space limit
# guard pages cannot reserve 8 GiB and say which option helps, explicit
# checks reserve less and memory.grow fails (-1) where the reservation ends.
check bounds-explicit 0 "1" - -- "$T" --bounds=explicit "$M/grow.wasm" grow 1
check bounds-bad 1 "" "unknown bounds strategy \"none\" (guard or explicit)" -- --bounds none "$M/grow.wasm" grow 1
if [ -z "${WVM_EMULATOR:-}" ] && ! wvm --version | grep -q asan; then
  ( ulimit -v 1500000
    FAILED=0
    check ulimit-guard 4 "" "run with --bounds explicit" -- "$T" "$M/grow.wasm" grow 1
    check ulimit-explicit 0 "1" - -- "$T" --bounds explicit "$M/grow.wasm" grow 1
    check ulimit-explicit-grow-fails 0 "-1" - -- "$T" --bounds explicit "$M/grow.wasm" grow 60000
    exit $FAILED )
  sub=$?
  FAILED=$((FAILED + sub))
  PASSED=$((PASSED + 3 - sub))
fi

# --version names the commit, build and tiers.
out=$(wvm --version)
for want in "wvm " "commit: " "build: " "target: " "tiers: interp (tier 0)"; do
  if [[ "$out" == *"$want"* ]]; then PASSED=$((PASSED + 1)); else
    FAILED=$((FAILED + 1)); echo "FAIL: --version lacks \"$want\": $out"; fi
done

# Start-up: `wvm run` loads no library that only `wvm cosmwasm` needs (they
# cost ~5 ms per process; bench/startup.sh measures it), and `wvm cosmwasm`,
# which lives in wvm-cosmwasm beside wvm, says so when that is missing.
if command -v readelf >/dev/null; then
  needed=$(readelf -d "$WVM_BIN" | grep NEEDED)
  if [[ "$needed" == *rocksdb* || "$needed" == *libcrypto* || "$needed" == *secp256k1* ]]; then
    FAILED=$((FAILED + 1)); echo "FAIL: wvm links what only wvm cosmwasm needs: $needed"
  else PASSED=$((PASSED + 1)); fi
fi
cp "$WVM_BIN" "$WORK/wvm-alone"
WVM_BIN_SAVED=$WVM_BIN
WVM_BIN=$WORK/wvm-alone
check cosmwasm-helper-missing 127 "" "cannot start $WORK/wvm-cosmwasm" -- cosmwasm addr alice
WVM_BIN=$WVM_BIN_SAVED

echo "run CLI ($TIER): $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
