// ERC-20 style transfers against a host key-value store (host_kv.h), the way
// a contract's balance mapping goes through storage host calls. Keys are
// 32 bytes (20-byte address, 11 zero bytes, mapping slot 0), values 32-byte
// big-endian balances. One iteration is one transfer: two reads, a funds
// check, two writes.

#include "workload.h"

#ifdef __wasm__
#define WL_IMPORT(name) __attribute__((import_module("env"), import_name(name)))
WL_IMPORT("kv_get")
int32_t kv_get(const uint8_t* key, uint32_t key_len, uint8_t* value, uint32_t value_cap);
WL_IMPORT("kv_set")
void kv_set(const uint8_t* key, uint32_t key_len, const uint8_t* value, uint32_t value_len);
#else
#include "host_kv.h"
#endif

enum { kAccounts = 1024, kKeyLen = 32, kValueLen = 32 };

static const uint64_t kInitialBalance = 1000000;

// 256-bit balance, w[0] least significant.
typedef struct {
  uint64_t w[4];
} Amount;

static uint8_t keys[kAccounts][kKeyLen];

static Amount amount_small(uint64_t v) {
  Amount a = {{v, 0, 0, 0}};
  return a;
}

static int amount_less(const Amount* a, const Amount* b) {
  for (int i = 3; i >= 0; i--) {
    if (a->w[i] != b->w[i]) return a->w[i] < b->w[i];
  }
  return 0;
}

static void amount_sub(Amount* a, const Amount* b) {
  uint64_t borrow = 0;
  for (int i = 0; i < 4; i++) {
    uint64_t d = a->w[i] - b->w[i] - borrow;
    borrow = (a->w[i] < b->w[i]) || (a->w[i] - b->w[i] < borrow);
    a->w[i] = d;
  }
}

static void amount_add(Amount* a, const Amount* b) {
  uint64_t carry = 0;
  for (int i = 0; i < 4; i++) {
    uint64_t s = a->w[i] + b->w[i];
    uint64_t c = s < a->w[i];
    a->w[i] = s + carry;
    carry = c | (a->w[i] < s);
  }
}

// An absent key reads as zero, like an unset storage slot.
static Amount load_balance(uint32_t account) {
  uint8_t value[kValueLen];
  Amount a = amount_small(0);
  if (kv_get(keys[account], kKeyLen, value, kValueLen) != kValueLen) return a;
  for (int i = 0; i < kValueLen; i++) a.w[3 - i / 8] = a.w[3 - i / 8] << 8 | value[i];
  return a;
}

static void store_balance(uint32_t account, const Amount* a) {
  uint8_t value[kValueLen];
  for (int i = 0; i < kValueLen; i++) value[i] = (uint8_t)(a->w[3 - i / 8] >> (56 - 8 * (i % 8)));
  kv_set(keys[account], kKeyLen, value, kValueLen);
}

WL_EXPORT uint64_t run(uint32_t iterations) {
  // Addresses come from the account index, so every call touches the same
  // keys; every balance is written before it is read.
  for (uint32_t i = 0; i < kAccounts; i++) {
    wl_fill(keys[i], 20, 0xe2c20000 + i);
    for (int j = 20; j < kKeyLen; j++) keys[i][j] = 0;
    Amount initial = amount_small(kInitialBalance + i);
    store_balance(i, &initial);
  }

  uint64_t checksum = 0;
  uint64_t seed = 0xe2c20;
  for (uint32_t i = 0; i < iterations; i++) {
    uint64_t r = wl_next(&seed);
    uint32_t from = (uint32_t)(r % kAccounts);
    uint32_t to = (from + 1 + (uint32_t)((r >> 16) % (kAccounts - 1))) % kAccounts;
    Amount value = amount_small((r >> 32) % (kInitialBalance / 2));

    Amount from_balance = load_balance(from);
    Amount to_balance = load_balance(to);
    if (amount_less(&from_balance, &value)) {
      checksum = wl_fold(checksum, i);  // a reverted transfer
      continue;
    }
    amount_sub(&from_balance, &value);
    amount_add(&to_balance, &value);
    store_balance(from, &from_balance);
    store_balance(to, &to_balance);
  }

  for (uint32_t i = 0; i < kAccounts; i++) {
    Amount a = load_balance(i);
    for (int j = 0; j < 4; j++) checksum = wl_fold(checksum, a.w[j]);
  }
  return checksum;
}
