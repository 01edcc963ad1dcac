// The host key-value store that erc20.wasm imports from module "env". Three
// implementations must behave identically: host_kv.c (native build), the
// engine's benchmark harness, and run_node.mjs.
//
// Semantics:
//   - The store maps byte strings to byte strings. Keys are 0..64 bytes,
//     values 0..64 bytes (kKvMaxKeyLen, kKvMaxValueLen). Keys compare by
//     length and content; a zero-length value is a present value.
//   - At most 65536 distinct keys (kKvCapacity). Inserting a new key into a
//     full store, or a key or value longer than 64 bytes, is a host error:
//     the wasm call traps (native: abort).
//   - For wasm, pointers are offsets into the module's exported "memory"; an
//     access outside it is a host error as well.
//   - The store outlives calls: it is created empty, and only kv_reset()
//     (host side, not imported) empties it. erc20's run() rewrites every key
//     it reads before reading it, so its result does not depend on what an
//     earlier call left behind.
#ifndef WL_HOST_KV_H
#define WL_HOST_KV_H

#include <stdint.h>

enum { kKvMaxKeyLen = 64, kKvMaxValueLen = 64, kKvCapacity = 65536 };

/// If `key` is present with value v, copies min(|v|, value_cap) bytes of v to
/// `value` and returns |v|; otherwise returns -1 and writes nothing.
int32_t kv_get(const uint8_t* key, uint32_t key_len, uint8_t* value, uint32_t value_cap);

/// Inserts `key` or overwrites its value.
void kv_set(const uint8_t* key, uint32_t key_len, const uint8_t* value, uint32_t value_len);

/// Whether `key` is present, and how many keys are (hosts check these to
/// refuse an insert into a full store instead of aborting).
int kv_has(const uint8_t* key, uint32_t key_len);
uint32_t kv_count(void);

/// Removes every key.
void kv_reset(void);

#endif  // WL_HOST_KV_H
