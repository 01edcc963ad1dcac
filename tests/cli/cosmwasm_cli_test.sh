#!/usr/bin/env bash
# End-to-end test of `wvm cosmwasm` on the shared contracts: every command is
# its own process, so each step also checks what the previous ones left in
# the RocksDB state.
#   tests/cli/cosmwasm_cli_test.sh BUILD_DIR SHARED_DIR
# Exits 77 (skipped) when SHARED_DIR/contracts/cosmwasm/hackatom.wasm is absent.
# WVM_EMULATOR, when set (e.g. "qemu-aarch64" for a cross build), runs wvm.
set -uo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SHARED_DIR" >&2
  exit 2
fi
WVM="$1/tools/wvm"
CONTRACTS="$2/contracts/cosmwasm"
if [ ! -f "$CONTRACTS/hackatom.wasm" ]; then
  echo "SKIP: $CONTRACTS/hackatom.wasm not found: the shared contracts are absent"
  exit 77
fi
if [ ! -x "$WVM" ]; then
  echo "FAIL: $WVM is not built" >&2
  exit 1
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if [ -n "${WVM_EMULATOR:-}" ]; then
  # `wvm cosmwasm` execs wvm-cosmwasm, which an emulator without binfmt_misc
  # cannot follow: run that program under the emulator directly.
  printf '#!/bin/sh\nif [ "$1" = cosmwasm ]; then shift; exec %s %q "$@"; fi\nif [ "$1 $2" = "help cosmwasm" ]; then shift 2; exec %s %q help "$@"; fi\nexec %s %q "$@"\n' \
    "$WVM_EMULATOR" "$1/tools/wvm-cosmwasm" "$WVM_EMULATOR" "$1/tools/wvm-cosmwasm" "$WVM_EMULATOR" "$WVM" >"$WORK/wvm"
  chmod +x "$WORK/wvm"
  WVM="$WORK/wvm"
fi
STATE="$WORK/state"
failures=0
checks=0

# run CMD...: runs it, keeping stdout, stderr and the exit code.
run() {
  LAST_CMD="$*"
  "$@" >"$WORK/out" 2>"$WORK/err"
  RC=$?
}
fail() {
  failures=$((failures + 1))
  echo "FAIL: $1"
  echo "  command: $LAST_CMD"
  echo "  exit code: $RC"
  sed 's/^/  stdout: /' "$WORK/out"
  sed 's/^/  stderr: /' "$WORK/err"
}
expect_rc() {
  checks=$((checks + 1))
  [ "$RC" -eq "$1" ] || fail "expected exit code $1"
}
# expect_out TEXT / expect_err TEXT: a line of stdout / stderr contains TEXT (fixed string).
expect_out() {
  checks=$((checks + 1))
  grep -qF -- "$1" "$WORK/out" || fail "stdout lacks: $1"
}
expect_err() {
  checks=$((checks + 1))
  grep -qF -- "$1" "$WORK/err" || fail "stderr lacks: $1"
}
# expect_line TEXT: stdout has a line equal to TEXT.
expect_line() {
  checks=$((checks + 1))
  grep -qxF -- "$1" "$WORK/out" || fail "stdout has no line: $1"
}
# The value after "KEY: " on stdout.
field() { sed -n "s/^$1: //p" "$WORK/out" | head -n1; }

cw() { run "$WVM" cosmwasm "$@"; }

VERIFIER=$("$WVM" cosmwasm addr verifier)
BENEFICIARY=$("$WVM" cosmwasm addr beneficiary)
CREATOR=$("$WVM" cosmwasm addr creator)
RICH=$("$WVM" cosmwasm addr rich)

# ---- addresses: MockApi::addr_make ----
cw addr verifier beneficiary
expect_rc 0
expect_line "$VERIFIER"
expect_line "$BENEFICIARY"
checks=$((checks + 1))
[[ "$VERIFIER" =~ ^cosmwasm1[02-9ac-hj-np-z]{58}$ ]] || { RC=0; fail "bad address $VERIFIER"; }

# ---- help ----
run "$WVM" help cosmwasm
expect_rc 0
expect_out "Usage: wvm cosmwasm COMMAND"
expect_out "printed with the result, not dispatched"
cw execute --help
expect_rc 0
expect_out "Usage: wvm cosmwasm execute --state DIR"
run "$WVM" --help
expect_out "cosmwasm  Store, instantiate, execute, query and migrate"

# ---- no state yet ----
cw query --state "$STATE" "$VERIFIER" '{}'
expect_rc 8
expect_err "no state in $STATE"

# ---- store ----
cw store --state "$STATE" "$CONTRACTS/hackatom.wasm"
expect_rc 0
HACKATOM=$(field checksum)
expect_line "checksum: $(sha256sum "$CONTRACTS/hackatom.wasm" | cut -d' ' -f1)"
expect_line "size: $(stat -c %s "$CONTRACTS/hackatom.wasm") bytes"
expect_line "entry points: execute, instantiate, migrate, query, sudo"
expect_line "required capabilities: none"
expect_line "migrate version: 42"
expect_line "ibc entry points: no"
cw store --state "$STATE" "$CONTRACTS/hackatom.wasm"
expect_rc 0
expect_err "note: this code is already stored"

cw store --state "$STATE" "$CONTRACTS/corrupted.wasm"
expect_rc 3
expect_err "error: Wasm contract missing a required marker export: interface_version_*"
cw store --state "$STATE" "$WORK/missing.wasm"
expect_rc 2

# ---- instantiate hackatom with 1000earth ----
INIT="{\"verifier\":\"$VERIFIER\",\"beneficiary\":\"$BENEFICIARY\"}"
cw instantiate --state "$STATE" --sender "$CREATOR" --funds 1000earth --label hackatom \
  "$HACKATOM" "$INIT"
expect_rc 0
CONTRACT=$(field address)
# The first contract: bech32("cosmwasm", sha256(00000000_00000001 || checksum)).
if [ "$HACKATOM" = 2a843efcaa95f9d65392935714d1aa63a4e08a568e009d9e9b2dad748fce07f9 ]; then
  expect_line "address: cosmwasm1ttakjmrdy27shyu9xxf7pxqp9rj0lp05e5xv2stq08lqvy4wrm6q4y06p8"
fi
expect_out '"key": "Let the",'
expect_out '"value": "hacking begin"'
expect_line '  "messages": [],'
checks=$((checks + 1))
grep -qE '^gas: limit 500000000000, remaining [0-9]+, used internally [1-9][0-9]*, used externally [1-9][0-9]*$' \
  "$WORK/out" || fail "no gas report"

# A bad address is the contract's error, reported back through addr_validate.
cw instantiate --state "$STATE" "$HACKATOM" '{"verifier":"verifies","beneficiary":"benefits"}'
expect_rc 7
expect_err "contract error: "
expect_err "Error decoding bech32"

# ---- query: another process reads the stored config ----
cw query --state "$STATE" "$CONTRACT" '{"verifier":{}}'
expect_rc 0
expect_line "  \"verifier\": \"$VERIFIER\""
# db_read of the 6-byte key "config" is the only external gas.
checks=$((checks + 1))
grep -qE '^gas: limit 500000000000, remaining [0-9]+, used internally [0-9]+, used externally 6$' \
  "$WORK/out" || fail "query gas"
# The same gas in every tier.
GAS_AUTO=$(grep '^gas:' "$WORK/out")
for tier in interp jit; do
  cw query --state "$STATE" --tier $tier "$CONTRACT" '{"verifier":{}}'
  expect_rc 0
  expect_line "$GAS_AUTO"
done

# ---- bank balances from a file ----
cat >"$WORK/balances.json" <<EOF
{"$RICH": [{"denom": "gold", "amount": "10000"}, {"denom": "atom", "amount": "7"}]}
EOF
cw query --state "$STATE" --balances "$WORK/balances.json" "$CONTRACT" \
  "{\"other_balance\":{\"address\":\"$RICH\"}}"
expect_rc 0
expect_out '"denom": "atom",'
expect_out '"amount": "7"'
expect_out '"denom": "gold",'
expect_out '"amount": "10000"'
# Saved: the next process sees them without the file.
cw query --state "$STATE" "$CONTRACT" "{\"other_balance\":{\"address\":\"$RICH\"}}"
expect_rc 0
expect_out '"amount": "10000"'
echo '{"x": [{"denom": "gold", "amount": "-1"}]}' >"$WORK/bad.json"
cw query --state "$STATE" --balances "$WORK/bad.json" "$CONTRACT" '{"verifier":{}}'
expect_rc 1
expect_err "is not a decimal u128"

# ---- release by someone else: the contract's error, nothing saved ----
cw execute --state "$STATE" --sender "$BENEFICIARY" "$CONTRACT" '{"release":{}}'
expect_rc 7
expect_err "contract error: Unauthorized"
expect_out "gas: limit 500000000000, remaining "

# ---- out of gas ----
cw execute --state "$STATE" --sender "$VERIFIER" --gas 1000 "$CONTRACT" '{"release":{}}'
expect_rc 6
expect_err "vm error: Ran out of gas during contract execution"
expect_line "gas: limit 1000, remaining 0, used internally 1000, used externally 0"

cw show --state "$STATE"
expect_rc 0
expect_line "chain id: wvm-local"
expect_line "block: height 1, time 1704067205000000000 (2024-01-01T00:00:05Z)"
expect_line "  $CONTRACT 1000earth"

# ---- release by the verifier, sending 5ucosm along ----
cw execute --state "$STATE" --sender "$VERIFIER" --funds 5ucosm "$CONTRACT" '{"release":{}}'
expect_rc 0
expect_out '"bank": {'
expect_out '"send": {'
expect_out "\"to_address\": \"$BENEFICIARY\","
expect_out '"denom": "earth",'
expect_out '"amount": "1000"'
expect_out '"denom": "ucosm",'
expect_out '"amount": "5"'
expect_out '"key": "destination",'
expect_line '  "data": "8Auq"'
expect_err "note: 1 message(s) in the response printed, not dispatched"

cw show --state "$STATE"
expect_line "block: height 2, time 1704067210000000000 (2024-01-01T00:00:10Z)"
expect_line "codes: 1"
expect_line "contracts: 1"
expect_line "  $CONTRACT"
expect_line "    code $HACKATOM, label \"hackatom\", creator $CREATOR, created at height 1"
expect_line "  $CONTRACT 1000earth,5ucosm"
expect_line "  $RICH 7atom,10000gold"

# ---- migrate (hackatom's migrate sets a new verifier) ----
cw migrate --state "$STATE" --sender "$CREATOR" "$CONTRACT" "$HACKATOM" \
  "{\"verifier\":\"$BENEFICIARY\"}"
expect_rc 0
expect_line "address: $CONTRACT"
expect_line "code: $HACKATOM -> $HACKATOM"
cw query --state "$STATE" "$CONTRACT" '{"verifier":{}}'
expect_line "  \"verifier\": \"$BENEFICIARY\""

# ---- errors ----
cw query --state "$STATE" "$VERIFIER" '{"verifier":{}}'
expect_rc 4
expect_err "error: no contract with address $VERIFIER in the state"
cw instantiate --state "$STATE" 0000000000000000000000000000000000000000000000000000000000000000 '{}'
expect_rc 4
expect_err "error: no code with checksum 0000000000000000000000000000000000000000000000000000000000000000"
cw query --state "$STATE" "$CONTRACT" '{"verifier":'
expect_rc 1
expect_err "MSG is not valid JSON"
cw execute --state "$STATE" --sender verifier "$CONTRACT" '{"release":{}}'
expect_rc 1
expect_err "is not a valid address"
cw execute --state "$STATE" --funds 10 "$CONTRACT" '{"release":{}}'
expect_rc 1
expect_err "--funds"
cw query --state "$STATE" --sender "$VERIFIER" "$CONTRACT" '{"verifier":{}}'
expect_rc 1
expect_err "--sender does not apply to query"
cw execute --state "$STATE" --sender "$VERIFIER" "$CONTRACT" '{"panic":{}}'
expect_rc 5
expect_err "vm error: Error executing Wasm: "
expect_err "This page intentionally faulted"

# ---- queue: iterators over RocksDB, across processes ----
if [ -f "$CONTRACTS/queue.wasm" ]; then
  cw store --state "$STATE" "$CONTRACTS/queue.wasm"
  expect_rc 0
  expect_line "required capabilities: iterator"
  QUEUE_CODE=$(field checksum)
  cw instantiate --state "$STATE" "$QUEUE_CODE" '{}'
  expect_rc 0
  QUEUE=$(field address)
  for v in 40 15 85 -10; do
    cw execute --state "$STATE" "$QUEUE" "{\"enqueue\":{\"value\":$v}}"
    expect_rc 0
  done
  cw query --state "$STATE" "$QUEUE" '{"count":{}}'
  expect_line '  "count": 4'
  cw query --state "$STATE" "$QUEUE" '{"sum":{}}'
  expect_line '  "sum": 130'
  cw query --state "$STATE" "$QUEUE" '{"reducer":{}}'
  expect_rc 0
  expect_line '    [40, 85],'
  expect_line '    [15, 125],'
  expect_line '    [85, 0],'
  expect_line '    [-10, 140]'
  cw execute --state "$STATE" "$QUEUE" '{"dequeue":{}}'
  expect_rc 0
  expect_line '  "data": "eyJ2YWx1ZSI6NDB9"'  # {"value":40}
  cw query --state "$STATE" "$QUEUE" '{"list":{}}'
  expect_line '  "empty": [],'
  expect_line '  "early": [1, 2, 3],'
  expect_line '  "late": []'
  # Keys 1..3 are left; 33 more make 1..0x24; 24 dequeued leave 0x19..0x24, split at 0x20.
  for i in $(seq 1 33); do
    cw execute --state "$STATE" "$QUEUE" '{"enqueue":{"value":1}}'
  done
  for i in $(seq 1 24); do
    cw execute --state "$STATE" "$QUEUE" '{"dequeue":{}}'
  done
  expect_rc 0
  cw query --state "$STATE" "$QUEUE" '{"list":{}}'
  expect_line '  "early": [25, 26, 27, 28, 29, 30, 31],'
  expect_line '  "late": [32, 33, 34, 35, 36]'
  cw query --state "$STATE" "$QUEUE" '{"open_iterators":{"count":321}}'
  expect_rc 0
  # migrate clears the queue and enqueues 100, 101, 102 (removals and new
  # writes merged with the database in one transaction).
  cw migrate --state "$STATE" "$QUEUE" "$QUEUE_CODE" '{}'
  expect_rc 0
  cw query --state "$STATE" "$QUEUE" '{"reducer":{}}'
  expect_line '    [100, 203],'
  expect_line '    [101, 102],'
  expect_line '    [102, 0]'
  # A query cannot write.
  cw query --state "$STATE" "$QUEUE" '{"count":{}}'
  expect_line '  "count": 3'
else
  echo "note: queue.wasm absent, iterator checks skipped"
fi

# ---- another process holding the state ----
if [ -f "$CONTRACTS/cyberpunk.wasm" ]; then
  cw store --state "$STATE" "$CONTRACTS/cyberpunk.wasm"
  CYBERPUNK=$(field checksum)
  cw instantiate --state "$STATE" "$CYBERPUNK" '{}'
  PUNK=$(field address)
  cw query --state "$STATE" "$PUNK" '{"mirror_env":{}}'
  expect_rc 0
  expect_out '"chain_id": "wvm-local"'
  expect_out "\"address\": \"$PUNK\""
  expect_line '  "transaction": null,'
fi

echo "$checks checks, $failures failed"
[ "$failures" -eq 0 ]
