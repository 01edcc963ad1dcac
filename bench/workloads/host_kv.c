// Native host key-value store for erc20.c; the semantics are in host_kv.h.
// Open addressing with linear probing over twice as many slots as keys, so
// probe sequences stay short and always reach an empty slot.

#include "host_kv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kSlots = 2 * kKvCapacity };

typedef struct {
  uint8_t key_len;
  uint8_t value_len;
  uint8_t key[kKvMaxKeyLen];
  uint8_t value[kKvMaxValueLen];
} Entry;

// Occupancy is kept apart from the entries so kv_reset clears 128 KiB, not
// the whole table.
static uint8_t slot_used[kSlots];
static Entry entries[kSlots];
static uint32_t key_count;

static void fail(const char* what) {
  fprintf(stderr, "host_kv: %s\n", what);
  abort();
}

// FNV-1a, 32-bit.
static uint32_t hash_key(const uint8_t* key, uint32_t key_len) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < key_len; i++) h = (h ^ key[i]) * 16777619u;
  return h;
}

// The slot holding `key`, or the empty slot where it would go.
static uint32_t find_slot(const uint8_t* key, uint32_t key_len) {
  uint32_t slot = hash_key(key, key_len) & (kSlots - 1);
  while (slot_used[slot]) {
    const Entry* e = &entries[slot];
    if (e->key_len == key_len && memcmp(e->key, key, key_len) == 0) break;
    slot = (slot + 1) & (kSlots - 1);
  }
  return slot;
}

int32_t kv_get(const uint8_t* key, uint32_t key_len, uint8_t* value, uint32_t value_cap) {
  if (key_len > kKvMaxKeyLen) fail("key too long");
  uint32_t slot = find_slot(key, key_len);
  if (!slot_used[slot]) return -1;
  const Entry* e = &entries[slot];
  memcpy(value, e->value, e->value_len < value_cap ? e->value_len : value_cap);
  return e->value_len;
}

void kv_set(const uint8_t* key, uint32_t key_len, const uint8_t* value, uint32_t value_len) {
  if (key_len > kKvMaxKeyLen) fail("key too long");
  if (value_len > kKvMaxValueLen) fail("value too long");
  uint32_t slot = find_slot(key, key_len);
  Entry* e = &entries[slot];
  if (!slot_used[slot]) {
    if (key_count == kKvCapacity) fail("store full");
    key_count++;
    slot_used[slot] = 1;
    e->key_len = (uint8_t)key_len;
    memcpy(e->key, key, key_len);
  }
  e->value_len = (uint8_t)value_len;
  memcpy(e->value, value, value_len);
}

int kv_has(const uint8_t* key, uint32_t key_len) {
  if (key_len > kKvMaxKeyLen) fail("key too long");
  return slot_used[find_slot(key, key_len)];
}

uint32_t kv_count(void) { return key_count; }

void kv_reset(void) {
  memset(slot_used, 0, sizeof slot_used);
  key_count = 0;
}
