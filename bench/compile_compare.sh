#!/usr/bin/env bash
# wvm's compile speeds against V8 Liftoff's, single-threaded, on the shared
# CosmWasm contracts, measured back to back in one run: tier 1's, and the
# preparation of tier-0 code (decode + validate + prepare).
#
# Usage: bench/compile_compare.sh [-h|--help] [BUILD_DIR]
#   BUILD_DIR  the CMake build holding bench/wvm-bench-compile; relative to
#              the repository root unless absolute (default build/release)
#
# Each round runs wvm-bench-compile's jit/compile, jit/compile-all and
# interp/compile benchmarks (one thread), then bench/compile_node.mjs under node with
# Liftoff only, on one thread, every function compiled eagerly and no module
# cache. Rounds alternate the two so that load from elsewhere on a shared
# machine falls on both; each figure is the median over the rounds. Every
# time is CPU time (Google Benchmark's default; process.cpuUsage in node).
#
# Columns, MB/s = 10^6 bytes per second:
#   wvm tier 1    jit/compile: tier 1 alone (decoding and validating each
#                 body as it compiles), bytes of the compiled function bodies
#   wvm jit       jit/compile-all: everything compile() does under policy jit
#                 (decode, then tier 1 validating and compiling each body;
#                 tier-0 code only where tier 1 fails), module bytes
#   wvm prepare   interp/compile: compile() under the default policy (decode,
#                 validate, tier-0 code for every body, no tier 1), module
#                 bytes
#   t0 KiB        the tier-0 code (and its trap-site and loop tables) that
#                 preparation made, KiB
#   liftoff       new WebAssembly.Module(bytes): decode, validate, Liftoff,
#                 module bytes
#   ratio         wvm jit / liftoff (the same work: module bytes to runnable
#                 code), wvm tier 1 / liftoff, and wvm prepare / liftoff
# The total row divides the summed bytes by the summed times.
#
# Environment: COMPILE_ROUNDS (default 3), COMPILE_MIN_TIME (seconds per
# Google Benchmark case and round, default 0.5), COMPILE_REPEATS (node
# compiles per module and round, default 10), WVM_SHARED_DIR (default
# ../shared next to the repository). Exit status 2 if the benchmark binary,
# node or the contracts are missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
case "${1:-}" in
  -h | --help)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
    exit 0
    ;;
esac
BUILD=${1:-build/release}
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
readonly BENCH=$BUILD/bench/wvm-bench-compile
readonly SHARED=${WVM_SHARED_DIR:-$ROOT/../shared}
readonly ROUNDS=${COMPILE_ROUNDS:-3}
readonly MIN_TIME=${COMPILE_MIN_TIME:-0.5}
readonly REPEATS=${COMPILE_REPEATS:-10}

[[ -x $BENCH ]] || { echo "$BENCH not found: build the wvm-bench-compile target" >&2; exit 2; }
command -v node > /dev/null || { echo "node not found (scripts/setup.sh bench installs it)" >&2; exit 2; }
mapfile -t WASM < <(find "$SHARED/contracts/cosmwasm" -name '*.wasm' ! -name corrupted.wasm | sort)
((${#WASM[@]})) || { echo "no contracts in $SHARED/contracts/cosmwasm" >&2; exit 2; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for ((r = 1; r <= ROUNDS; r++)); do
  echo "round $r/$ROUNDS: wvm" >&2
  WVM_SHARED_DIR=$SHARED "$BENCH" --benchmark_filter='^(jit/compile(-all)?|interp/compile)/' \
    --benchmark_min_time="$MIN_TIME" --benchmark_format=json > "$TMP/wvm$r.json" 2> /dev/null
  echo "round $r/$ROUNDS: liftoff" >&2
  node --liftoff --no-wasm-tier-up --no-wasm-dynamic-tiering --single-threaded \
    --no-wasm-lazy-compilation --no-wasm-native-module-cache-enabled \
    "$ROOT/bench/compile_node.mjs" --json --repeats "$REPEATS" "${WASM[@]}" > "$TMP/node$r.json"
done

# The table: medians over the rounds of each module's time, then MB/s.
node --input-type=module - "$TMP" "$ROUNDS" <<'EOF'
import { readFileSync } from 'node:fs';
const [dir, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg);
const median = (v) => { const s = [...v].sort((a, b) => a - b); const m = s.length >> 1;
                        return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const rows = new Map();  // name -> { bytes, t1: [], jit: [], t0: [], liftoff: [] } (seconds per byte)
const row = (name) =>
  rows.get(name) ?? rows.set(name, { t1: [], jit: [], t0: [], t0bytes: 0, liftoff: [] }).get(name);
let v8 = '';
for (let r = 1; r <= rounds; r++) {
  for (const b of JSON.parse(readFileSync(`${dir}/wvm${r}.json`)).benchmarks) {
    const [tier, phase, name] = b.name.split('/');
    if (!b.bytes_per_second) continue;
    // bytes_per_second is over CPU time: keep the time per byte.
    if (tier === 'interp') {
      row(name).t0.push(1 / b.bytes_per_second);
      row(name).t0bytes = b.tier0_code_bytes ?? 0;
    } else {
      (phase === 'compile' ? row(name).t1 : row(name).jit).push(1 / b.bytes_per_second);
    }
  }
  const node = JSON.parse(readFileSync(`${dir}/node${r}.json`));
  v8 = `node ${node.node}, V8 ${node.v8}`;
  for (const m of node.modules) {
    row(m.name).bytes = m.bytes;
    row(m.name).liftoff.push(m.cpu_ms / 1000 / m.bytes);
  }
}
const fmt = (x) => x.toFixed(1);
const lines = [['contract', 'bytes', 'wvm tier 1 MB/s', 'wvm jit MB/s', 'wvm prepare MB/s',
                't0 KiB', 'liftoff MB/s', 'jit / liftoff', 'tier 1 / liftoff',
                'prepare / liftoff']];
let bytes = 0, t1 = 0, jit = 0, t0 = 0, t0kib = 0, lo = 0;
for (const [name, r] of [...rows].sort()) {
  if (!r.bytes || !r.t1.length || !r.jit.length || !r.t0.length) continue;
  const s1 = median(r.t1), sj = median(r.jit), s0 = median(r.t0), sl = median(r.liftoff);
  bytes += r.bytes; t1 += s1 * r.bytes; jit += sj * r.bytes; t0 += s0 * r.bytes;
  lo += sl * r.bytes; t0kib += r.t0bytes / 1024;
  lines.push([name, String(r.bytes), fmt(1e-6 / s1), fmt(1e-6 / sj), fmt(1e-6 / s0),
              fmt(r.t0bytes / 1024), fmt(1e-6 / sl), (sl / sj).toFixed(2) + 'x',
              (sl / s1).toFixed(2) + 'x', (sl / s0).toFixed(2) + 'x']);
}
// Tier 1 alone counts body bytes: its total weights each module's time per
// byte by the module's size, as the others do.
lines.push(['total', String(bytes), fmt(bytes / t1 / 1e6), fmt(bytes / jit / 1e6),
            fmt(bytes / t0 / 1e6), fmt(t0kib), fmt(bytes / lo / 1e6), (lo / jit).toFixed(2) + 'x',
            (lo / t1).toFixed(2) + 'x', (lo / t0).toFixed(2) + 'x']);
const w = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
for (const l of lines) console.log(l.map((c, i) => (i ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  '));
console.log(`(${rounds} rounds, CPU time, one thread; ${v8})`);
EOF
