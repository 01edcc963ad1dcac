// An ERC-20 token as an ewasm contract: C compiled to wasm32 against the
// EEI (module "ethereum"), called with Solidity's ABI encoding:
//   mint(address,uint256)      0x40c10f19  (open to anyone: a test token)
//   transfer(address,uint256)  0xa9059cbb  returns bool; reverts with
//                                          "insufficient balance"
//   balanceOf(address)         0x70a08231  returns uint256
//   totalSupply()              0x18160ddd  returns uint256
// Anything else reverts with no data. Balances are stored under the
// account's address right-aligned in 32 bytes, the total supply under a key
// whose first byte is 1 (no address key has one). Amounts are big-endian
// 256-bit numbers, as in the calldata; transfers and mints log Solidity's
// Transfer(address,address,uint256) event.
#include <stdint.h>

#define EEI(name) __attribute__((import_module("ethereum"), import_name(#name)))

EEI(getCallDataSize) uint32_t eei_call_data_size(void);
EEI(callDataCopy) void eei_call_data_copy(void* out, uint32_t offset, uint32_t length);
EEI(getCaller) void eei_caller(void* out);
EEI(storageLoad) void eei_storage_load(const void* key, void* out);
EEI(storageStore) void eei_storage_store(const void* key, const void* value);
EEI(log) void eei_log(const void* data, uint32_t length, uint32_t topics, const void* t1,
                      const void* t2, const void* t3, const void* t4);
EEI(finish) void eei_finish(const void* data, uint32_t length);
EEI(revert) void eei_revert(const void* data, uint32_t length);

typedef struct {
  uint8_t b[32];
} Word;

// keccak256("Transfer(address,address,uint256)")
static const Word kTransferTopic = {{0xdd, 0xf2, 0x52, 0xad, 0x1b, 0xe2, 0xc8, 0x9b, 0x69, 0xc2, 0xb0,
                                     0x68, 0xfc, 0x37, 0x8d, 0xaa, 0x95, 0x2b, 0xa7, 0xf1, 0x63, 0xc4,
                                     0xa1, 0x16, 0x28, 0xf5, 0x5a, 0x4d, 0xf5, 0x23, 0xb3, 0xef}};

static uint8_t call_data[68];

static void copy_word(Word* dst, const uint8_t* src) {
  for (int i = 0; i < 32; i++) dst->b[i] = src[i];
}

// An address argument: the low 20 bytes of a 32-byte word, as a storage key.
static Word address_key(const uint8_t* word) {
  Word k;
  for (int i = 0; i < 12; i++) k.b[i] = 0;
  for (int i = 12; i < 32; i++) k.b[i] = word[i];
  return k;
}

// a += b; returns the carry out.
static int add(Word* a, const Word* b) {
  unsigned carry = 0;
  for (int i = 31; i >= 0; i--) {
    const unsigned s = (unsigned)a->b[i] + b->b[i] + carry;
    a->b[i] = (uint8_t)s;
    carry = s >> 8;
  }
  return (int)carry;
}

// a -= b; returns the borrow out (a < b).
static int sub(Word* a, const Word* b) {
  int borrow = 0;
  for (int i = 31; i >= 0; i--) {
    const int d = (int)a->b[i] - b->b[i] - borrow;
    a->b[i] = (uint8_t)d;
    borrow = d < 0;
  }
  return borrow;
}

static void revert_with(const char* message, uint32_t length) { eei_revert(message, length); }

static void log_transfer(const Word* from, const Word* to, const Word* amount) {
  eei_log(amount, 32, 3, &kTransferTopic, from, to, 0);
}

static Word load(const Word* key) {
  Word v;
  eei_storage_load(key, &v);
  return v;
}

static void credit(const Word* to, const Word* amount) {
  Word balance = load(to);
  if (add(&balance, amount)) revert_with("overflow", 8);
  eei_storage_store(to, &balance);
}

static void finish_word(const Word* w) { eei_finish(w, 32); }

__attribute__((export_name("main"))) void main_entry(void) {
  const uint32_t size = eei_call_data_size();
  if (size < 4 || size > sizeof call_data) revert_with("", 0);
  eei_call_data_copy(call_data, 0, size);
  const uint32_t selector = (uint32_t)call_data[0] << 24 | (uint32_t)call_data[1] << 16 |
                            (uint32_t)call_data[2] << 8 | call_data[3];
  Word supply_key = {{1}};
  Word amount, to;
  switch (selector) {
    case 0x40c10f19: {  // mint(address,uint256)
      if (size != 68) revert_with("", 0);
      to = address_key(call_data + 4);
      copy_word(&amount, call_data + 36);
      Word supply = load(&supply_key);
      if (add(&supply, &amount)) revert_with("overflow", 8);
      eei_storage_store(&supply_key, &supply);
      credit(&to, &amount);
      Word zero = {{0}};
      log_transfer(&zero, &to, &amount);
      eei_finish(0, 0);
      break;
    }
    case 0xa9059cbb: {  // transfer(address,uint256)
      if (size != 68) revert_with("", 0);
      to = address_key(call_data + 4);
      copy_word(&amount, call_data + 36);
      uint8_t caller[32] = {0};
      eei_caller(caller + 12);
      Word from = address_key(caller);
      Word balance = load(&from);
      if (sub(&balance, &amount)) revert_with("insufficient balance", 20);
      eei_storage_store(&from, &balance);
      credit(&to, &amount);
      log_transfer(&from, &to, &amount);
      Word ok = {{0}};
      ok.b[31] = 1;
      finish_word(&ok);
      break;
    }
    case 0x70a08231: {  // balanceOf(address)
      if (size != 36) revert_with("", 0);
      Word who = address_key(call_data + 4);
      Word balance = load(&who);
      finish_word(&balance);
      break;
    }
    case 0x18160ddd: {  // totalSupply()
      Word supply = load(&supply_key);
      finish_word(&supply);
      break;
    }
    default:
      revert_with("", 0);
  }
}
