// libwvm_evmc.so: an EVMC VM (ABI 12) that runs ewasm contracts on wvm.
//
// A contract is a wasm module exporting `main` (no parameters, no results)
// and `memory`, importing only functions of the "ethereum" module: the EEI
// (Ethereum Environment Interface). Each EEI function is implemented on the
// evmc_host_interface the client passes to execute(). Gas: the message's
// gas is the store's gas limit; metered wasm draws from it at wvm's
// metering points (the uniform profile: 1 per wasm instruction), `useGas`
// and the EEI functions that cost gas in the EVM (storage, logs, calls,
// copies; the constants below) draw from it too. Outcomes: `finish` and a
// normal return of main are EVMC_SUCCESS, `revert` EVMC_REVERT (gas left
// kept), running out of gas EVMC_OUT_OF_GAS, any other trap EVMC_FAILURE
// (no gas left), a module that is not a valid ewasm contract
// EVMC_CONTRACT_VALIDATION_FAILURE.
//
// Byte order in wasm memory, as the EEI defines it: addresses and bytes32
// (storage keys and values, hashes, topics) are stored as their bytes; u128
// (values, balances, gas price) and u256 (difficulty) are little-endian
// numbers, so they are the reverse of EVMC's big-endian evmc_uint256be.
#include <algorithm>
#include <iterator>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hosts/evmc/evmc_abi.h"
#include "hosts/signature.h"
#include "wvm/wvm.h"

namespace wvm::evmc {
namespace {

// --- Gas constants of the EVM operations the EEI functions stand for ------
// (EIP-2929's access costs and EIP-3529's storage refunds, London onward.)
constexpr int64_t kColdAccountAccess = 2600;
constexpr int64_t kWarmAccess = 100;
constexpr int64_t kColdSload = 2100;
constexpr int64_t kCallValue = 9000;
constexpr int64_t kCallStipend = 2300;
constexpr int64_t kNewAccount = 25000;
constexpr int64_t kCreate = 32000;
constexpr int64_t kSelfdestruct = 5000;
constexpr int64_t kLog = 375;
constexpr int64_t kLogTopic = 375;
constexpr int64_t kLogDataByte = 8;
constexpr int64_t kCopyWord = 3;
constexpr int64_t kBlockHash = 20;
constexpr int32_t kMaxDepth = 1024;

// SSTORE's cost and refund by the status the host reports (EIP-2200 with
// EIP-2929's and EIP-3529's parameters); a cold slot adds kColdSload.
struct StoreCost {
  int64_t gas;
  int64_t refund;
};
constexpr StoreCost kStoreCosts[] = {
    {kWarmAccess, 0},                   // EVMC_STORAGE_ASSIGNED
    {20000, 0},                         // EVMC_STORAGE_ADDED
    {5000 - kColdSload, 4800},          // EVMC_STORAGE_DELETED
    {5000 - kColdSload, 0},             // EVMC_STORAGE_MODIFIED
    {kWarmAccess, -4800},               // EVMC_STORAGE_DELETED_ADDED
    {kWarmAccess, 4800},                // EVMC_STORAGE_MODIFIED_DELETED
    {kWarmAccess, -4800 + 5000 - kColdSload - kWarmAccess},  // EVMC_STORAGE_DELETED_RESTORED
    {kWarmAccess, 20000 - kWarmAccess},                      // EVMC_STORAGE_ADDED_DELETED
    {kWarmAccess, 5000 - kColdSload - kWarmAccess},          // EVMC_STORAGE_MODIFIED_RESTORED
};

// --- The VM object ----------------------------------------------------------

struct Impl {
  TierPolicy policy = TierPolicy::Auto;
  std::unique_ptr<Engine> engine;  // made at the first execute, after the options
  // Compiled contracts by their code bytes; cleared when it holds too many.
  std::unordered_map<std::string, std::shared_ptr<const Module>> modules;
};

// The evmc_vm the host holds, first, so the two pointers convert.
struct VmBox {
  evmc_vm vm;
  Impl* impl;
};

Impl& impl_of(evmc_vm* vm) { return *reinterpret_cast<VmBox*>(vm)->impl; }

// --- One execution ----------------------------------------------------------

struct Exec {
  const evmc_host_interface* host = nullptr;
  evmc_host_context* context = nullptr;
  evmc_revision rev = EVMC_FRONTIER;
  const evmc_message* msg = nullptr;
  const uint8_t* code = nullptr;
  size_t code_size = 0;
  Store* store = nullptr;
  std::vector<uint8_t> output;
  std::vector<uint8_t> return_data;  // of the last call or create
  int64_t refund = 0;
  enum class End { Running, Finished, Reverted } end = End::Running;
};

// What an EEI function sees: the execution, the call, the caller's memory.
struct Eei {
  Exec& x;
  HostCall& call;
  uint8_t* mem;
  uint64_t mem_size;
  TrapKind trap = TrapKind::None;

  bool fits(uint32_t offset, uint32_t length) {
    if (uint64_t{offset} + length <= mem_size) return true;
    trap = TrapKind::MemoryOutOfBounds;
    return false;
  }
  bool charge(int64_t gas) {
    if (trap != TrapKind::None) return false;
    if (gas <= 0) return true;
    trap = call.charge(static_cast<uint64_t>(gas));
    return trap == TrapKind::None;
  }
  // Copies out of memory; false (a trap) if the range is outside it.
  bool read(uint32_t offset, void* out, uint32_t length) {
    if (!fits(offset, length)) return false;
    if (length != 0) std::memcpy(out, mem + offset, length);
    return true;
  }
  // `in` may be null when length is 0 (empty return data).
  bool write(uint32_t offset, const void* in, uint32_t length) {
    if (!fits(offset, length)) return false;
    if (length != 0) std::memcpy(mem + offset, in, length);
    return true;
  }
  bool read_address(uint32_t offset, evmc_address& a) { return read(offset, a.bytes, 20); }
  bool read_bytes32(uint32_t offset, evmc_bytes32& b) { return read(offset, b.bytes, 32); }
  // A little-endian u128 in memory as a big-endian 256-bit number.
  bool read_u128(uint32_t offset, evmc_uint256be& v) {
    uint8_t le[16];
    if (!read(offset, le, 16)) return false;
    v = evmc_uint256be{};
    for (int i = 0; i < 16; ++i) v.bytes[31 - i] = le[i];
    return true;
  }
  // The low `n` bytes of a big-endian number, little-endian in memory.
  bool write_le(uint32_t offset, const evmc_uint256be& v, uint32_t n) {
    uint8_t le[32];
    for (uint32_t i = 0; i < n; ++i) le[i] = v.bytes[31 - i];
    return write(offset, le, n);
  }
  // Copies [from, from + length) of `src` into memory; a range past the end
  // of `src` is a trap, as the EEI specifies.
  bool copy_out(uint32_t offset, const uint8_t* src, size_t src_size, uint32_t from,
                uint32_t length) {
    if (uint64_t{from} + length > src_size) {
      trap = TrapKind::MemoryOutOfBounds;
      return false;
    }
    if (!charge(kCopyWord * ((int64_t{length} + 31) / 32))) return false;
    return write(offset, src + from, length);
  }
  evmc_tx_context tx() { return x.host->get_tx_context(x.context); }
  bool is_static() const { return (x.msg->flags & EVMC_STATIC) != 0; }
  // EIP-2929: the first access to an account in a transaction costs more.
  bool charge_account_access(const evmc_address& a) {
    const bool cold = x.host->access_account(x.context, &a) == EVMC_ACCESS_COLD;
    return charge(cold ? kColdAccountAccess : kWarmAccess);
  }
};

using EeiFn = void (*)(Eei& e, const Value* a, Value* r);

uint32_t u32(const Value& v) { return v.as_i32(); }

void use_gas(Eei& e, const Value* a, Value*) {
  // An i64 amount: a negative one (as unsigned, huge) runs out of gas.
  if (e.trap == TrapKind::None) e.trap = e.call.charge(a[0].as_i64());
}
void get_gas_left(Eei& e, const Value*, Value* r) { *r = Value::i64(e.x.store->gas_left()); }
void get_address(Eei& e, const Value* a, Value*) {
  e.write(u32(a[0]), e.x.msg->recipient.bytes, 20);
}
void get_caller(Eei& e, const Value* a, Value*) { e.write(u32(a[0]), e.x.msg->sender.bytes, 20); }
void get_call_value(Eei& e, const Value* a, Value*) { e.write_le(u32(a[0]), e.x.msg->value, 16); }
void get_call_data_size(Eei& e, const Value*, Value* r) {
  *r = Value::i32(static_cast<uint32_t>(e.x.msg->input_size));
}
void call_data_copy(Eei& e, const Value* a, Value*) {
  e.copy_out(u32(a[0]), e.x.msg->input_data, e.x.msg->input_size, u32(a[1]), u32(a[2]));
}
void get_code_size(Eei& e, const Value*, Value* r) {
  *r = Value::i32(static_cast<uint32_t>(e.x.code_size));
}
void code_copy(Eei& e, const Value* a, Value*) {
  e.copy_out(u32(a[0]), e.x.code, e.x.code_size, u32(a[1]), u32(a[2]));
}
void get_external_balance(Eei& e, const Value* a, Value*) {
  evmc_address addr;
  if (!e.read_address(u32(a[0]), addr) || !e.charge_account_access(addr)) return;
  const evmc_uint256be balance = e.x.host->get_balance(e.x.context, &addr);
  e.write_le(u32(a[1]), balance, 16);
}
void get_external_code_size(Eei& e, const Value* a, Value* r) {
  evmc_address addr;
  if (!e.read_address(u32(a[0]), addr) || !e.charge_account_access(addr)) return;
  *r = Value::i32(static_cast<uint32_t>(e.x.host->get_code_size(e.x.context, &addr)));
}
void external_code_copy(Eei& e, const Value* a, Value*) {
  evmc_address addr;
  if (!e.read_address(u32(a[0]), addr) || !e.charge_account_access(addr)) return;
  const uint32_t offset = u32(a[1]), from = u32(a[2]), length = u32(a[3]);
  const size_t size = e.x.host->get_code_size(e.x.context, &addr);
  if (uint64_t{from} + length > size) {
    e.trap = TrapKind::MemoryOutOfBounds;
    return;
  }
  if (!e.charge(kCopyWord * ((int64_t{length} + 31) / 32)) || !e.fits(offset, length)) return;
  e.x.host->copy_code(e.x.context, &addr, from, e.mem + offset, length);
}
void get_block_hash(Eei& e, const Value* a, Value* r) {
  const uint32_t out = u32(a[1]);
  if (!e.fits(out, 32) || !e.charge(kBlockHash)) return;
  const int64_t number = static_cast<int64_t>(a[0].as_i64());
  const int64_t current = e.tx().block_number;
  // The 256 most recent complete blocks; otherwise 1, memory untouched.
  if (number < 0 || number >= current || number < current - 256) {
    *r = Value::i32(1);
    return;
  }
  const evmc_bytes32 hash = e.x.host->get_block_hash(e.x.context, number);
  e.write(out, hash.bytes, 32);
  *r = Value::i32(0);
}
void get_block_coinbase(Eei& e, const Value* a, Value*) {
  const evmc_tx_context t = e.tx();
  e.write(u32(a[0]), t.block_coinbase.bytes, 20);
}
void get_block_difficulty(Eei& e, const Value* a, Value*) {
  e.write_le(u32(a[0]), e.tx().block_prev_randao, 32);
}
void get_block_gas_limit(Eei& e, const Value*, Value* r) {
  *r = Value::i64(static_cast<uint64_t>(e.tx().block_gas_limit));
}
void get_block_number(Eei& e, const Value*, Value* r) {
  *r = Value::i64(static_cast<uint64_t>(e.tx().block_number));
}
void get_block_timestamp(Eei& e, const Value*, Value* r) {
  *r = Value::i64(static_cast<uint64_t>(e.tx().block_timestamp));
}
void get_tx_gas_price(Eei& e, const Value* a, Value*) {
  e.write_le(u32(a[0]), e.tx().tx_gas_price, 16);
}
void get_tx_origin(Eei& e, const Value* a, Value*) {
  const evmc_tx_context t = e.tx();
  e.write(u32(a[0]), t.tx_origin.bytes, 20);
}

void storage_store(Eei& e, const Value* a, Value*) {
  evmc_bytes32 key, value;
  if (!e.read_bytes32(u32(a[0]), key) || !e.read_bytes32(u32(a[1]), value)) return;
  if (e.is_static()) {
    e.trap = e.call.trap("ewasm: storageStore in a static call");
    return;
  }
  const evmc_address& self = e.x.msg->recipient;
  const bool cold = e.x.host->access_storage(e.x.context, &self, &key) == EVMC_ACCESS_COLD;
  if (!e.charge(cold ? kColdSload : 0)) return;
  const evmc_storage_status status = e.x.host->set_storage(e.x.context, &self, &key, &value);
  const size_t i = static_cast<size_t>(status);
  const StoreCost c = i < std::size(kStoreCosts) ? kStoreCosts[i] : StoreCost{kWarmAccess, 0};
  if (e.charge(c.gas)) e.x.refund += c.refund;
}
void storage_load(Eei& e, const Value* a, Value*) {
  evmc_bytes32 key;
  const uint32_t out = u32(a[1]);
  if (!e.read_bytes32(u32(a[0]), key) || !e.fits(out, 32)) return;
  const evmc_address& self = e.x.msg->recipient;
  const bool cold = e.x.host->access_storage(e.x.context, &self, &key) == EVMC_ACCESS_COLD;
  if (!e.charge(cold ? kColdSload : kWarmAccess)) return;
  const evmc_bytes32 value = e.x.host->get_storage(e.x.context, &self, &key);
  e.write(out, value.bytes, 32);
}

void log(Eei& e, const Value* a, Value*) {
  const uint32_t data = u32(a[0]), length = u32(a[1]), topics = u32(a[2]);
  if (topics > 4) {
    e.trap = e.call.trap("ewasm: log with more than 4 topics");
    return;
  }
  if (!e.fits(data, length)) return;
  evmc_bytes32 t[4];
  for (uint32_t i = 0; i < topics; ++i)
    if (!e.read_bytes32(u32(a[3 + i]), t[i])) return;
  if (e.is_static()) {
    e.trap = e.call.trap("ewasm: log in a static call");
    return;
  }
  if (!e.charge(kLog + kLogTopic * topics + kLogDataByte * int64_t{length})) return;
  e.x.host->emit_log(e.x.context, &e.x.msg->recipient, e.mem + data, length, t, topics);
}

void end_with(Eei& e, const Value* a, Exec::End end) {
  const uint32_t data = u32(a[0]), length = u32(a[1]);
  if (!e.fits(data, length)) return;
  e.x.output.assign(e.mem + data, e.mem + data + length);
  e.x.end = end;
  // Stops the contract: execute() tells this trap from others by x.end.
  e.trap = e.call.trap(end == Exec::End::Finished ? "ewasm: finish" : "ewasm: revert");
}
void finish(Eei& e, const Value* a, Value*) { end_with(e, a, Exec::End::Finished); }
void revert(Eei& e, const Value* a, Value*) { end_with(e, a, Exec::End::Reverted); }

void get_return_data_size(Eei& e, const Value*, Value* r) {
  *r = Value::i32(static_cast<uint32_t>(e.x.return_data.size()));
}
void return_data_copy(Eei& e, const Value* a, Value*) {
  e.copy_out(u32(a[0]), e.x.return_data.data(), e.x.return_data.size(), u32(a[1]), u32(a[2]));
}

// A message to another account (call, callCode, callDelegate, callStatic,
// create): 0 on success, 1 on failure, 2 on revert. It may use at most all
// but 1/64 of the gas left (EIP-150), plus the stipend of a call with a
// value; what it used is charged after it returns (an unused stipend is
// not given back: wvm's gas only goes down).
uint32_t send(Eei& e, evmc_message& m, int64_t requested) {
  const int64_t left = static_cast<int64_t>(e.x.store->gas_left());
  const int64_t forwarded = std::min(requested, left - left / 64);
  bool has_value = false;
  for (uint8_t b : m.value.bytes) has_value |= b != 0;
  const int64_t stipend =
      has_value && (m.kind == EVMC_CALL || m.kind == EVMC_CALLCODE) ? kCallStipend : 0;
  m.gas = forwarded + stipend;
  m.depth = e.x.msg->depth + 1;
  if (m.depth > kMaxDepth) {
    e.x.return_data.clear();
    return 1;
  }
  evmc_result res = e.x.host->call(e.x.context, &m);
  const evmc_status_code status = res.status_code;
  const int64_t used = m.gas - std::clamp<int64_t>(res.gas_left, 0, m.gas);
  if (status == EVMC_SUCCESS) e.x.refund += res.gas_refund;
  if (m.kind == EVMC_CREATE && status == EVMC_SUCCESS) m.recipient = res.create_address;
  try {
    e.x.return_data.assign(res.output_data, res.output_data + res.output_size);
  } catch (...) {
    if (res.release != nullptr) res.release(&res);
    throw;
  }
  if (res.release != nullptr) res.release(&res);
  if (!e.charge(used - stipend)) return 1;
  return status == EVMC_SUCCESS ? 0 : status == EVMC_REVERT ? 2 : 1;
}

// call and callCode: (gas, address, value, data, length).
void call_with_value(Eei& e, const Value* a, Value* r, evmc_call_kind kind) {
  evmc_message m{};
  m.kind = kind;
  m.flags = e.x.msg->flags;
  const uint32_t data = u32(a[3]), length = u32(a[4]);
  if (!e.read_address(u32(a[1]), m.code_address) || !e.read_u128(u32(a[2]), m.value) ||
      !e.fits(data, length))
    return;
  bool has_value = false;
  for (uint8_t b : m.value.bytes) has_value |= b != 0;
  if (has_value && e.is_static() && kind == EVMC_CALL) {
    e.trap = e.call.trap("ewasm: call with a value in a static call");
    return;
  }
  if (!e.charge_account_access(m.code_address)) return;
  if (has_value && !e.charge(kCallValue)) return;
  if (has_value && kind == EVMC_CALL && !e.x.host->account_exists(e.x.context, &m.code_address) &&
      !e.charge(kNewAccount))
    return;
  m.recipient = kind == EVMC_CALL ? m.code_address : e.x.msg->recipient;
  m.sender = e.x.msg->recipient;
  m.input_data = e.mem + data;
  m.input_size = length;
  *r = Value::i32(send(e, m, static_cast<int64_t>(a[0].as_i64() & INT64_MAX)));
}
void call(Eei& e, const Value* a, Value* r) { call_with_value(e, a, r, EVMC_CALL); }
void call_code(Eei& e, const Value* a, Value* r) { call_with_value(e, a, r, EVMC_CALLCODE); }

// callDelegate and callStatic: (gas, address, data, length).
void call_without_value(Eei& e, const Value* a, Value* r, bool delegate) {
  evmc_message m{};
  const uint32_t data = u32(a[2]), length = u32(a[3]);
  if (!e.read_address(u32(a[1]), m.code_address) || !e.fits(data, length)) return;
  if (!e.charge_account_access(m.code_address)) return;
  if (delegate) {
    m.kind = EVMC_DELEGATECALL;
    m.flags = e.x.msg->flags;
    m.recipient = e.x.msg->recipient;
    m.sender = e.x.msg->sender;
    m.value = e.x.msg->value;
  } else {
    m.kind = EVMC_CALL;
    m.flags = e.x.msg->flags | EVMC_STATIC;
    m.recipient = m.code_address;
    m.sender = e.x.msg->recipient;
  }
  m.input_data = e.mem + data;
  m.input_size = length;
  *r = Value::i32(send(e, m, static_cast<int64_t>(a[0].as_i64() & INT64_MAX)));
}
void call_delegate(Eei& e, const Value* a, Value* r) { call_without_value(e, a, r, true); }
void call_static(Eei& e, const Value* a, Value* r) { call_without_value(e, a, r, false); }

// create: (value, data, length, result address).
void create(Eei& e, const Value* a, Value* r) {
  evmc_message m{};
  m.kind = EVMC_CREATE;
  const uint32_t data = u32(a[1]), length = u32(a[2]), out = u32(a[3]);
  if (!e.read_u128(u32(a[0]), m.value) || !e.fits(data, length) || !e.fits(out, 20)) return;
  if (e.is_static()) {
    e.trap = e.call.trap("ewasm: create in a static call");
    return;
  }
  if (!e.charge(kCreate)) return;
  m.sender = e.x.msg->recipient;
  m.input_data = e.mem + data;
  m.input_size = length;
  const uint32_t status = send(e, m, INT64_MAX);
  if (e.trap != TrapKind::None) return;
  if (status == 0) e.write(out, m.recipient.bytes, 20);
  *r = Value::i32(status);
}

void self_destruct(Eei& e, const Value* a, Value*) {
  evmc_address beneficiary;
  if (!e.read_address(u32(a[0]), beneficiary)) return;
  if (e.is_static()) {
    e.trap = e.call.trap("ewasm: selfDestruct in a static call");
    return;
  }
  if (!e.charge(kSelfdestruct)) return;
  e.x.host->selfdestruct(e.x.context, &e.x.msg->recipient, &beneficiary);
  e.x.output.clear();
  e.x.end = Exec::End::Finished;
  e.trap = e.call.trap("ewasm: selfDestruct");
}

// The EEI: name, signature ('i' i32, 'I' i64; results after ':'), body.
struct EeiDef {
  const char* name;
  const char* signature;
  EeiFn fn;
};
constexpr EeiDef kEei[] = {
    {"useGas", "I:", use_gas},
    {"getGasLeft", ":I", get_gas_left},
    {"getAddress", "i:", get_address},
    {"getExternalBalance", "ii:", get_external_balance},
    {"getBlockHash", "Ii:i", get_block_hash},
    {"call", "Iiiii:i", call},
    {"callCode", "Iiiii:i", call_code},
    {"callDelegate", "Iiii:i", call_delegate},
    {"callStatic", "Iiii:i", call_static},
    {"callDataCopy", "iii:", call_data_copy},
    {"getCallDataSize", ":i", get_call_data_size},
    {"storageStore", "ii:", storage_store},
    {"storageLoad", "ii:", storage_load},
    {"getCaller", "i:", get_caller},
    {"getCallValue", "i:", get_call_value},
    {"codeCopy", "iii:", code_copy},
    {"getCodeSize", ":i", get_code_size},
    {"getBlockCoinbase", "i:", get_block_coinbase},
    {"create", "iiii:i", create},
    {"getBlockDifficulty", "i:", get_block_difficulty},
    {"externalCodeCopy", "iiii:", external_code_copy},
    {"getExternalCodeSize", "i:i", get_external_code_size},
    {"getBlockGasLimit", ":I", get_block_gas_limit},
    {"getTxGasPrice", "i:", get_tx_gas_price},
    {"log", "iiiiiii:", log},
    {"getBlockNumber", ":I", get_block_number},
    {"getTxOrigin", "i:", get_tx_origin},
    {"finish", "ii:", finish},
    {"revert", "ii:", revert},
    {"getReturnDataSize", ":i", get_return_data_size},
    {"returnDataCopy", "iii:", return_data_copy},
    {"selfDestruct", "i:", self_destruct},
    {"getBlockTimestamp", ":I", get_block_timestamp},
};


struct Binding {
  Exec* exec;
  EeiFn fn;
};

TrapKind dispatch(HostCall& call, const Value* args, Value* results) {
  const auto* b = static_cast<const Binding*>(call.user_data);
  Eei e{*b->exec, call, nullptr, 0};
  if (Memory* m = call.memory(); m != nullptr) {
    e.mem = m->data();
    e.mem_size = m->size_bytes();
  }
  try {
    b->fn(e, args, results);
  } catch (const std::bad_alloc&) {
    return call.trap("ewasm: out of host memory");
  }
  return e.trap;
}

// --- The result handed back -------------------------------------------------

void release_result(const evmc_result* r) { std::free(const_cast<uint8_t*>(r->output_data)); }

evmc_result make_result(evmc_status_code status, int64_t gas_left, int64_t refund,
                        const std::vector<uint8_t>& output) {
  evmc_result r{};
  r.status_code = status;
  r.gas_left = gas_left;
  r.gas_refund = refund;
  if (!output.empty()) {
    auto* copy = static_cast<uint8_t*>(std::malloc(output.size()));
    if (copy == nullptr) return make_result(EVMC_OUT_OF_MEMORY, 0, 0, {});
    std::memcpy(copy, output.data(), output.size());
    r.output_data = copy;
    r.output_size = output.size();
    r.release = release_result;
  }
  return r;
}

evmc_result failure(evmc_status_code status) { return make_result(status, 0, 0, {}); }

Engine& engine_of(Impl& impl) {
  if (!impl.engine) {
    Config config;
    config.tiers.policy = impl.policy;
    config.metering.enabled = true;
    config.metering.profile = GasProfile::uniform();
    impl.engine = std::make_unique<Engine>(config);
  }
  return *impl.engine;
}

std::shared_ptr<const Module> module_for(Impl& impl, const uint8_t* code, size_t size) {
  std::string key(reinterpret_cast<const char*>(code), size);
  if (auto it = impl.modules.find(key); it != impl.modules.end()) return it->second;
  auto compiled = compile(engine_of(impl), code, size);
  if (!compiled.ok()) return nullptr;
  if (impl.modules.size() >= 256) impl.modules.clear();
  impl.modules.emplace(std::move(key), compiled.value());
  return compiled.value();
}

evmc_result execute(evmc_vm* vm, const evmc_host_interface* host, evmc_host_context* context,
                    evmc_revision rev, const evmc_message* msg, const uint8_t* code,
                    size_t code_size) {
  Impl& impl = impl_of(vm);
  try {
    std::shared_ptr<const Module> module = module_for(impl, code, code_size);
    if (!module) return failure(EVMC_CONTRACT_VALIDATION_FAILURE);
    Exec x;
    x.host = host;
    x.context = context;
    x.rev = rev;
    x.msg = msg;
    x.code = code;
    x.code_size = code_size;
    Store store(engine_of(impl));
    x.store = &store;
    // Every import must be an EEI function with its signature.
    std::vector<Extern> imports;
    std::vector<Binding> bindings;
    bindings.reserve(module->imports.size());
    for (const Import& im : module->imports) {
      const EeiDef* def = nullptr;
      for (const EeiDef& d : kEei)
        if (im.module == "ethereum" && im.name == d.name) def = &d;
      if (def == nullptr || im.kind != ExternKind::Func)
        return failure(EVMC_CONTRACT_VALIDATION_FAILURE);
      FuncType type = signature_type(def->signature);
      if (module->types[im.func_type] != type) return failure(EVMC_CONTRACT_VALIDATION_FAILURE);
      bindings.push_back(Binding{&x, def->fn});
      imports.push_back(
          Extern::func(store.create_host_func(std::move(type), dispatch, &bindings.back())));
    }
    auto instance = store.instantiate(module, imports);
    if (!instance.ok()) return failure(EVMC_FAILURE);
    Func* main_fn = instance.value()->find_export("main").as_func();
    if (main_fn == nullptr || !main_fn->type->params.empty() || !main_fn->type->results.empty() ||
        instance.value()->find_export("memory").as_memory() == nullptr)
      return failure(EVMC_CONTRACT_VALIDATION_FAILURE);
    store.set_gas_limit(static_cast<uint64_t>(std::max<int64_t>(msg->gas, 0)));
    const CallResult r = store.call(main_fn, {});
    const int64_t left = static_cast<int64_t>(store.gas_left());
    if (r.ok() || x.end == Exec::End::Finished)
      return make_result(EVMC_SUCCESS, left, x.refund, x.output);
    if (x.end == Exec::End::Reverted) return make_result(EVMC_REVERT, left, 0, x.output);
    if (r.trap == TrapKind::OutOfGas) return failure(EVMC_OUT_OF_GAS);
    return failure(EVMC_FAILURE);
  } catch (const std::bad_alloc&) {
    return failure(EVMC_OUT_OF_MEMORY);
  }
}

void destroy(evmc_vm* vm) {
  auto* box = reinterpret_cast<VmBox*>(vm);
  delete box->impl;
  delete box;
}

evmc_capabilities_flagset get_capabilities(evmc_vm*) { return EVMC_CAPABILITY_EWASM; }

// Option "tier": interp, jit or auto (the default), before the first execute.
evmc_set_option_result set_option(evmc_vm* vm, const char* name, const char* value) {
  Impl& impl = impl_of(vm);
  if (name == nullptr || std::string_view(name) != "tier") return EVMC_SET_OPTION_INVALID_NAME;
  const std::string_view v = value != nullptr ? value : "";
  if (v == "interp") {
    impl.policy = TierPolicy::Interp;
  } else if (v == "jit") {
    impl.policy = TierPolicy::Jit;
  } else if (v == "auto") {
    impl.policy = TierPolicy::Auto;
  } else {
    return EVMC_SET_OPTION_INVALID_VALUE;
  }
  impl.modules.clear();
  impl.engine.reset();  // the next execute makes one with the new policy
  return EVMC_SET_OPTION_SUCCESS;
}

}  // namespace
}  // namespace wvm::evmc

extern "C" __attribute__((visibility("default"))) evmc_vm* evmc_create_wvm_evmc() {
  using namespace wvm::evmc;
  auto* box = new (std::nothrow) VmBox{
      evmc_vm{EVMC_ABI_VERSION, "wvm", "0.1.0", destroy, execute, get_capabilities, set_option},
      nullptr};
  if (box == nullptr) return nullptr;
  box->impl = new (std::nothrow) Impl;
  if (box->impl == nullptr) {
    delete box;
    return nullptr;
  }
  return &box->vm;
}
