// Runs a workload module under node:
//   node [node flags] run_node.mjs file.wasm iterations [repeats]
// Calls run(iterations) `repeats` times (default 1) and prints
//   checksum=<unsigned decimal u64> ms=<median ms of one call>
// Every call must return the same checksum. env.kv_get / env.kv_set follow
// the store semantics documented in host_kv.h; env.keccak256 is host_keccak.h's.
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

// env.keccak256(data, len, out) for keccak_host.wasm: Keccak-256 (padding
// 0x01), the same sponge as host_keccak.c, on 64-bit lanes held as (low,
// high) 32-bit halves: lane i is s[2i], s[2i + 1].
const kKeccakRC = new Uint32Array([  // round constants, (low, high) per round
  0x1, 0x0, 0x8082, 0x0, 0x808a, 0x80000000, 0x80008000, 0x80000000,
  0x808b, 0x0, 0x80000001, 0x0, 0x80008081, 0x80000000, 0x8009, 0x80000000,
  0x8a, 0x0, 0x88, 0x0, 0x80008009, 0x0, 0x8000000a, 0x0,
  0x8000808b, 0x0, 0x8b, 0x80000000, 0x8089, 0x80000000, 0x8003, 0x80000000,
  0x8002, 0x80000000, 0x80, 0x80000000, 0x800a, 0x0, 0x8000000a, 0x80000000,
  0x80008081, 0x80000000, 0x8080, 0x80000000, 0x80000001, 0x0, 0x80008008, 0x80000000,
]);
const kKeccakRho = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18,
  2, 61, 56, 14];
const kKeccakPi = [0, 10, 20, 5, 15, 16, 1, 11, 21, 6, 7, 17, 2, 12, 22, 23, 8, 18, 3, 13, 14,
  24, 9, 19, 4];
const kRate = 136;
const keccakState = new Uint32Array(50);
const keccakB = new Uint32Array(50);
const keccakC = new Uint32Array(10);
const keccakBlock = new Uint8Array(kRate);

function keccakF(s) {
  const b = keccakB, c = keccakC;
  for (let round = 0; round < 24; round++) {
    for (let h = 0; h < 10; h++) c[h] = s[h] ^ s[h + 10] ^ s[h + 20] ^ s[h + 30] ^ s[h + 40];
    for (let x = 0; x < 5; x++) {
      const x1 = (x + 1) % 5, x4 = (x + 4) % 5;
      const lo1 = c[2 * x1], hi1 = c[2 * x1 + 1];
      const dlo = c[2 * x4] ^ ((lo1 << 1) | (hi1 >>> 31));
      const dhi = c[2 * x4 + 1] ^ ((hi1 << 1) | (lo1 >>> 31));
      for (let y = 0; y < 25; y += 5) {
        s[2 * (x + y)] ^= dlo;
        s[2 * (x + y) + 1] ^= dhi;
      }
    }
    for (let i = 0; i < 25; i++) {  // rho and pi
      let lo = s[2 * i], hi = s[2 * i + 1], n = kKeccakRho[i];
      if (n >= 32) {
        const t = lo;
        lo = hi;
        hi = t;
        n -= 32;
      }
      const d = 2 * kKeccakPi[i];
      b[d] = n === 0 ? lo : (lo << n) | (hi >>> (32 - n));
      b[d + 1] = n === 0 ? hi : (hi << n) | (lo >>> (32 - n));
    }
    for (let y = 0; y < 25; y += 5) {  // chi
      for (let x = 0; x < 5; x++) {
        const i = 2 * (y + x), i1 = 2 * (y + (x + 1) % 5), i2 = 2 * (y + (x + 2) % 5);
        s[i] = b[i] ^ (~b[i1] & b[i2]);
        s[i + 1] = b[i + 1] ^ (~b[i1 + 1] & b[i2 + 1]);
      }
    }
    s[0] ^= kKeccakRC[2 * round];  // iota
    s[1] ^= kKeccakRC[2 * round + 1];
  }
}

function keccakAbsorb(s, src, off) {
  for (let w = 0; w < kRate / 4; w++) {
    const p = off + 4 * w;
    s[w] ^= src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24);
  }
  keccakF(s);
}

function keccak256(dataPtr, len, outPtr) {
  dataPtr >>>= 0;
  len >>>= 0;
  outPtr >>>= 0;
  check(dataPtr, len);
  check(outPtr, 32);
  const s = keccakState;
  s.fill(0);
  let p = dataPtr, n = len;
  for (; n >= kRate; p += kRate, n -= kRate) keccakAbsorb(s, view, p);
  keccakBlock.fill(0);
  keccakBlock.set(view.subarray(p, p + n));
  keccakBlock[n] ^= 0x01;
  keccakBlock[kRate - 1] ^= 0x80;
  keccakAbsorb(s, keccakBlock, 0);
  for (let i = 0; i < 32; i++) view[outPtr + i] = (s[i >> 2] >>> (8 * (i & 3))) & 0xff;
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
  keccak256,
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
