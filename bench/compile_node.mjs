// V8 Liftoff's compile speed on whole modules, single-threaded, to set
// beside wvm's (bench/compile_compare.sh runs both back to back):
//
//   node --liftoff --no-wasm-tier-up --no-wasm-dynamic-tiering --single-threaded \
//        --no-wasm-lazy-compilation --no-wasm-native-module-cache-enabled \
//        bench/compile_node.mjs [--repeats N] [--json] FILE.wasm...
//
// Each module is compiled with `new WebAssembly.Module(bytes)` once to warm
// up, then N times (default 10). Per module it prints the median CPU time of
// one compile (process.cpuUsage: user + system; with --single-threaded the
// compile runs on this thread) and the module bytes per second of that
// time; the total line is the sum of the bytes over the sum of the medians.
// MB/s are 10^6 bytes per second.
//
// The flags are required (the script exits with status 2 without them):
// node 20 compiles lazily by default (a module compile would only validate),
// caches native modules by their bytes (a second compile would be free),
// tiers up to TurboFan and compiles on background threads.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const kRequiredFlags = ['--liftoff', '--no-wasm-tier-up', '--no-wasm-dynamic-tiering',
                        '--single-threaded', '--no-wasm-lazy-compilation',
                        '--no-wasm-native-module-cache-enabled'];

function usage(message) {
  if (message) console.error(message);
  console.error('usage: node ' + kRequiredFlags.join(' ') +
                ' compile_node.mjs [--repeats N] [--json] FILE.wasm...');
  process.exit(2);
}

const args = process.argv.slice(2);
let repeats = 10;
let json = false;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--repeats') {
    repeats = Number(args[++i]);
    if (!Number.isInteger(repeats) || repeats < 1) usage('--repeats takes a positive integer');
  } else if (args[i] === '--json') {
    json = true;
  } else if (args[i].startsWith('--')) {
    usage('unknown option ' + args[i]);
  } else {
    files.push(args[i]);
  }
}
if (files.length === 0) usage();
const missing = kRequiredFlags.filter((f) => !process.execArgv.includes(f));
if (missing.length !== 0) usage('missing node flags: ' + missing.join(' '));

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

// CPU and wall time of one compile, in ms.
function timeCompile(bytes) {
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  const module = new WebAssembly.Module(bytes);
  const wall1 = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  if (!(module instanceof WebAssembly.Module)) throw new Error('no module');
  return { cpu: (cpu.user + cpu.system) / 1000, wall: Number(wall1 - wall0) / 1e6 };
}

const results = [];
for (const file of files) {
  const bytes = readFileSync(file);
  timeCompile(bytes);  // warm-up: the compiler's own code and heap
  const cpu = [];
  const wall = [];
  for (let r = 0; r < repeats; r++) {
    const t = timeCompile(bytes);
    cpu.push(t.cpu);
    wall.push(t.wall);
  }
  const cpuMs = median(cpu);
  results.push({
    name: basename(file, '.wasm'),
    bytes: bytes.length,
    cpu_ms: cpuMs,
    wall_ms: median(wall),
    mb_per_s: bytes.length / cpuMs / 1000,
  });
}
const totalBytes = results.reduce((s, r) => s + r.bytes, 0);
const totalMs = results.reduce((s, r) => s + r.cpu_ms, 0);
const total = { name: 'total', bytes: totalBytes, cpu_ms: totalMs,
                wall_ms: results.reduce((s, r) => s + r.wall_ms, 0),
                mb_per_s: totalBytes / totalMs / 1000 };

if (json) {
  console.log(JSON.stringify({ engine: 'v8-liftoff', node: process.version,
                               v8: process.versions.v8, repeats, modules: results, total }));
} else {
  for (const r of [...results, total]) {
    console.log(`liftoff/compile/${r.name} bytes=${r.bytes} cpu_ms=${r.cpu_ms.toFixed(3)} ` +
                `wall_ms=${r.wall_ms.toFixed(3)} MB/s=${r.mb_per_s.toFixed(2)}`);
  }
}
