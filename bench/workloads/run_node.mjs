// Runs a workload module under node:
//   node [node flags] run_node.mjs file.wasm iterations [repeats]
// Calls run(iterations) `repeats` times (default 1) and prints
//   checksum=<unsigned decimal u64> ms=<median ms of one call>
// Every call must return the same checksum. env.kv_get / env.kv_set follow
// the store semantics documented in host_kv.h.
import { readFileSync } from 'node:fs';

const [file, iterationsArg, repeatsArg = '1'] = process.argv.slice(2);
if (!file || !iterationsArg) {
  console.error('usage: node run_node.mjs file.wasm iterations [repeats]');
  process.exit(2);
}
const iterations = Number(iterationsArg);
const repeats = Number(repeatsArg);
if (!Number.isInteger(iterations) || iterations < 0 || iterations > 0xffffffff ||
    !Number.isInteger(repeats) || repeats < 1) {
  console.error('iterations must be a u32 and repeats a positive integer');
  process.exit(2);
}

const kMaxKeyLen = 64;
const kMaxValueLen = 64;
const kCapacity = 65536;

// The same table as host_kv.c: FNV-1a, linear probing over twice as many
// slots as keys, entries in flat typed arrays.
const kSlots = 2 * kCapacity;
const used = new Uint8Array(kSlots);
const keyLens = new Uint8Array(kSlots);
const valueLens = new Uint8Array(kSlots);
const keys = new Uint8Array(kSlots * kMaxKeyLen);
const values = new Uint8Array(kSlots * kMaxValueLen);
let keyCount = 0;
let memory = null;
let view = null;  // Uint8Array over memory.buffer

// Checks [ptr, ptr + len) against the memory size; throwing makes the call
// trap. memory.grow detaches the old buffer (length 0), so a stale view
// fails the fast check and is replaced.
function check(ptr, len) {
  if (ptr + len <= view.length) return;
  view = new Uint8Array(memory.buffer);
  if (ptr + len > view.length) throw new RangeError('host_kv: access out of bounds');
}

// The slot holding the key at view[ptr, ptr + len), or the empty slot where
// it would go.
function findSlot(ptr, len) {
  if (len > kMaxKeyLen) throw new RangeError('host_kv: key too long');
  check(ptr, len);
  const mem = view;
  let h = 2166136261;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ mem[ptr + i], 16777619);
  let slot = h & (kSlots - 1);
  for (; used[slot]; slot = (slot + 1) & (kSlots - 1)) {
    if (keyLens[slot] !== len) continue;
    const base = slot * kMaxKeyLen;
    let i = 0;
    while (i < len && keys[base + i] === mem[ptr + i]) i++;
    if (i === len) break;
  }
  return slot;
}

// At most 64 bytes: a loop beats allocating subarray views.
function copy(dst, dstPos, src, srcPos, len) {
  for (let i = 0; i < len; i++) dst[dstPos + i] = src[srcPos + i];
}

const env = {
  kv_get(keyPtr, keyLen, valuePtr, valueCap) {
    const slot = findSlot(keyPtr >>> 0, keyLen >>> 0);
    if (!used[slot]) return -1;
    const len = valueLens[slot];
    const n = Math.min(len, valueCap >>> 0);
    check(valuePtr >>> 0, n);
    copy(view, valuePtr >>> 0, values, slot * kMaxValueLen, n);
    return len;
  },
  kv_set(keyPtr, keyLen, valuePtr, valueLen) {
    keyPtr >>>= 0;
    keyLen >>>= 0;
    valuePtr >>>= 0;
    valueLen >>>= 0;
    if (valueLen > kMaxValueLen) throw new RangeError('host_kv: value too long');
    const slot = findSlot(keyPtr, keyLen);
    check(valuePtr, valueLen);
    if (!used[slot]) {
      if (keyCount === kCapacity) throw new RangeError('host_kv: store full');
      keyCount++;
      used[slot] = 1;
      keyLens[slot] = keyLen;
      copy(keys, slot * kMaxKeyLen, view, keyPtr, keyLen);
    }
    valueLens[slot] = valueLen;
    copy(values, slot * kMaxValueLen, view, valuePtr, valueLen);
  },
};

const { instance } = await WebAssembly.instantiate(readFileSync(file), { env });
memory = instance.exports.memory;
view = new Uint8Array(memory.buffer);
const run = instance.exports.run;

let checksum = null;
const times = [];
for (let i = 0; i < repeats; i++) {
  const start = process.hrtime.bigint();
  const result = BigInt.asUintN(64, run(iterations));
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
  if (checksum !== null && result !== checksum) {
    console.error(`checksum changed between calls: ${checksum} then ${result}`);
    process.exit(1);
  }
  checksum = result;
}
times.sort((a, b) => a - b);
const mid = times.length >> 1;
const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
console.log(`checksum=${checksum} ms=${median.toFixed(3)}`);
