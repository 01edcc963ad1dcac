// The CosmWasm `env` imports. Rules from cosmwasm-vm 3.0 (CosmWasm/cosmwasm,
// packages/vm/src): imports.rs (limits, order of reads, gas and error
// returns), memory.rs (Region), sections.rs, environment.rs (GasConfig,
// process_gas_info, call depth), errors/*.rs (messages), instance.rs
// (import names and wasm types).
//
// Every guest pointer is untrusted: region headers and data ranges are
// checked against the memory's current size in 64-bit arithmetic before any
// access, and re-read after any call back into the contract (which may grow
// the memory).
#include "hosts/cosmwasm/env.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "hosts/cosmwasm/crypto.h"

namespace wvm::cosmwasm {

namespace {

// Evaluates a VmResult-returning expression; on error returns its error from
// the enclosing function, otherwise assigns the value to `lhs`.
#define CW_CONCAT_INNER(a, b) a##b
#define CW_CONCAT(a, b) CW_CONCAT_INNER(a, b)
#define CW_TRY(lhs, expr)                                  \
  auto CW_CONCAT(cw_try_, __LINE__) = (expr);              \
  if (!CW_CONCAT(cw_try_, __LINE__).ok())                  \
    return std::move(*CW_CONCAT(cw_try_, __LINE__).error); \
  lhs = std::move(CW_CONCAT(cw_try_, __LINE__).value)
// Evaluates a VmResult-returning expression for its error only.
#define CW_CHECK(expr)                    \
  do {                                    \
    auto cw_check_ = (expr);              \
    if (!cw_check_.ok())                  \
      return std::move(*cw_check_.error); \
  } while (false)

uint64_t saturating_add(uint64_t a, uint64_t b) noexcept {
  return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max()
                                                      : a + b;
}

uint32_t load_u32_le(const uint8_t* p) noexcept {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

void store_u32_le(uint8_t* p, uint32_t v) noexcept {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}

// Wasmer's message for each trap (wasmer_types::TrapCode), which is what
// cosmwasm-vm's RuntimeErr carries.
const char* wasmer_trap_message(TrapKind trap) noexcept {
  switch (trap) {
    case TrapKind::Unreachable:
      return "unreachable";
    case TrapKind::MemoryOutOfBounds:
      return "out of bounds memory access";
    case TrapKind::TableOutOfBounds:
    case TrapKind::UndefinedElement:
      return "undefined element: out of bounds table access";
    case TrapKind::UninitializedElement:
      return "uninitialized element";
    case TrapKind::IndirectCallTypeMismatch:
      return "indirect call type mismatch";
    case TrapKind::IntegerDivideByZero:
      return "integer divide by zero";
    case TrapKind::IntegerOverflow:
      return "integer overflow";
    case TrapKind::InvalidConversionToInteger:
      return "invalid conversion to integer";
    case TrapKind::CallStackExhausted:
      return "call stack exhausted";
    case TrapKind::OutOfGas:
      return "out of gas";
    case TrapKind::HostError:
      return "host error";
    case TrapKind::None:
      break;
  }
  return "unknown trap";
}

constexpr const char* kRuntimePrefix = "Wasmer runtime error: RuntimeError: ";

}  // namespace

// ---------------------------------------------------------------------------
// Errors

std::string BackendError::to_string() const {
  switch (kind) {
    case BackendErrorKind::ForeignPanic:
      return "Panic in FFI call";
    case BackendErrorKind::BadArgument:
      return "Bad argument";
    case BackendErrorKind::InvalidUtf8:
      return "VM received invalid UTF-8 data from backend";
    case BackendErrorKind::IteratorDoesNotExist:
      return "Iterator with ID " + std::to_string(iterator_id) + " does not exist";
    case BackendErrorKind::OutOfGas:
      return "Ran out of gas during call into backend";
    case BackendErrorKind::Unknown:
      return "Unknown error during call into backend: " + msg;
    case BackendErrorKind::UserErr:
      return "User error during call into backend: " + msg;
  }
  return msg;
}

std::string VmError::to_string() const {
  switch (kind) {
    case VmErrorKind::Aborted:
      return "Aborted: " + msg;
    case VmErrorKind::BackendErr:
      return "Error calling into the VM's backend: " + msg;
    case VmErrorKind::CacheErr:
      return "Cache error: " + msg;
    case VmErrorKind::CommunicationErr:
      return "Error in guest/host communication: " + msg;
    case VmErrorKind::CompileErr:
      return "Error compiling Wasm: " + msg;
    case VmErrorKind::ConversionErr:
      return msg;
    case VmErrorKind::DeserializationLimitExceeded:
      return msg;
    case VmErrorKind::FunctionArityMismatch:
      return "Function arity mismatch, expected " + msg;
    case VmErrorKind::GasDepletion:
      return "Ran out of gas during contract execution";
    case VmErrorKind::GenericErr:
      return "Generic error: " + msg;
    case VmErrorKind::InstantiationErr:
      return "Error instantiating a Wasm module: " + msg;
    case VmErrorKind::MaxCallDepthExceeded:
      return "Maximum call depth exceeded.";
    case VmErrorKind::ParseErr:
      return "Error parsing into type " + msg;
    case VmErrorKind::ResolveErr:
      return "Error resolving Wasm function: " + msg;
    case VmErrorKind::ResultMismatch:
      return msg;
    case VmErrorKind::RuntimeErr:
      return "Error executing Wasm: " + msg;
    case VmErrorKind::StaticValidationErr:
      return "Error during static Wasm validation: " + msg;
    case VmErrorKind::WriteAccessDenied:
      return "Must not call a writing storage function in this context.";
    case VmErrorKind::Unsupported:
      return msg + " is not supported by wvm";
  }
  return msg;
}

VmError VmError::from_backend(const BackendError& e) {
  if (e.kind == BackendErrorKind::OutOfGas)
    return gas_depletion();
  return {VmErrorKind::BackendErr, e.to_string()};
}

VmError VmError::from_trap(TrapKind trap) {
  if (trap == TrapKind::OutOfGas)
    return gas_depletion();
  return {VmErrorKind::RuntimeErr, std::string(kRuntimePrefix) + wasmer_trap_message(trap)};
}

VmError VmError::from_import_error(const VmError& inner) {
  // Gas depletion is detected from the metering state, not the message.
  if (inner.kind == VmErrorKind::GasDepletion)
    return inner;
  return {VmErrorKind::RuntimeErr, std::string(kRuntimePrefix) + inner.to_string()};
}

// ---------------------------------------------------------------------------
// Gas

GasConfig GasConfig::cosmwasm_3_0() {
  // 10^12 gas per second, i.e. 10^6 gas per µs of the benchmark machine.
  constexpr uint64_t kGasPerUs = 1'000'000;
  GasConfig c;
  c.secp256k1_verify_cost = 96 * kGasPerUs;
  c.secp256k1_recover_pubkey_cost = 194 * kGasPerUs;
  c.secp256r1_verify_cost = 279 * kGasPerUs;
  c.secp256r1_recover_pubkey_cost = 592 * kGasPerUs;
  c.ed25519_verify_cost = 35 * kGasPerUs;
  c.ed25519_batch_verify_cost = {24 * kGasPerUs, 21 * kGasPerUs};
  c.ed25519_batch_verify_one_pubkey_cost = {36 * kGasPerUs, 10 * kGasPerUs};
  // Halved: production machines are assumed to have more than 4 cores.
  c.bls12_381_aggregate_g1_cost = {136 * kGasPerUs / 2, 24 * kGasPerUs / 2};
  c.bls12_381_aggregate_g2_cost = {207 * kGasPerUs / 2, 49 * kGasPerUs / 2};
  c.bls12_381_hash_to_g1_cost = 563 * kGasPerUs;
  c.bls12_381_hash_to_g2_cost = 871 * kGasPerUs;
  c.bls12_381_pairing_equality_cost = {2112 * kGasPerUs, 163 * kGasPerUs};
  c.write_region_cost = {230'000, 570};
  c.read_region_small_cost = {200'000, 115};
  c.read_region_large_cost = {0, 520};
  c.string_from_bytes_cost = {28'700, 1'400};
  c.host_call_cost = 18'000;
  return c;
}

uint64_t GasConfig::read_region_cost(uint64_t bytes) const noexcept {
  constexpr uint64_t kThreshold = 8'000'000;
  return bytes <= kThreshold ? read_region_small_cost.total_cost(bytes)
                             : read_region_large_cost.total_cost(bytes);
}

// ---------------------------------------------------------------------------
// JSON nesting

size_t json_nesting_depth(ByteView json) noexcept {
  size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const uint8_t c = json[i];
    if (in_string) {
      if (c == '\\')
        ++i;  // skip the escaped character
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// ---------------------------------------------------------------------------
// UTF-8

bool is_valid_utf8(ByteView d) noexcept {
  size_t i = 0;
  const size_t n = d.size();
  while (i < n) {
    const uint8_t b = d[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint8_t lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0)
        lo = 0xA0;  // no overlong forms
      if (b == 0xED)
        hi = 0x9F;  // no surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0)
        lo = 0x90;
      if (b == 0xF4)
        hi = 0x8F;  // at most U+10FFFF
    } else {
      return false;
    }
    if (n - i < len)
      return false;
    if (d[i + 1] < lo || d[i + 1] > hi)
      return false;
    for (size_t k = 2; k < len; ++k)
      if ((d[i + k] & 0xC0) != 0x80)
        return false;
    i += len;
  }
  return true;
}

std::string utf8_lossy(ByteView d) {
  // Each maximal prefix of a valid sequence that is cut short becomes one
  // U+FFFD, as Rust's from_utf8_lossy does.
  static const char kReplacement[] = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(d.size());
  size_t i = 0;
  const size_t n = d.size();
  while (i < n) {
    const uint8_t b = d[i];
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
      ++i;
      continue;
    }
    size_t len = 0;
    uint8_t lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0)
        lo = 0xA0;
      if (b == 0xED)
        hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0)
        lo = 0x90;
      if (b == 0xF4)
        hi = 0x8F;
    }
    if (len == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    size_t k = 1;
    if (i + k < n && d[i + k] >= lo && d[i + k] <= hi) {
      ++k;
      while (k < len && i + k < n && (d[i + k] & 0xC0) == 0x80)
        ++k;
    }
    if (k == len) {
      out.append(reinterpret_cast<const char*>(d.data() + i), len);
    } else {
      out += kReplacement;
    }
    i += k;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Base64

std::string base64_encode(ByteView d) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((d.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= d.size(); i += 3) {
    const uint32_t v = uint32_t{d[i]} << 16 | uint32_t{d[i + 1]} << 8 | d[i + 2];
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (d.size() - i == 1) {
    const uint32_t v = uint32_t{d[i]} << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (d.size() - i == 2) {
    const uint32_t v = uint32_t{d[i]} << 16 | uint32_t{d[i + 1]} << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<Bytes> base64_decode(std::string_view t) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z')
      return c - 'A';
    if (c >= 'a' && c <= 'z')
      return c - 'a' + 26;
    if (c >= '0' && c <= '9')
      return c - '0' + 52;
    if (c == '+')
      return 62;
    if (c == '/')
      return 63;
    return -1;
  };
  if (t.size() % 4 != 0)
    return std::nullopt;
  Bytes out;
  out.reserve(t.size() / 4 * 3);
  for (size_t i = 0; i < t.size(); i += 4) {
    const bool last = i + 4 == t.size();
    const int pad = last ? (t[i + 3] == '=') + (t[i + 2] == '=' && t[i + 3] == '=') : 0;
    int v[4];
    for (int k = 0; k < 4 - pad; ++k) {
      v[k] = value(t[i + k]);
      if (v[k] < 0)
        return std::nullopt;
    }
    for (int k = 4 - pad; k < 4; ++k)
      v[k] = 0;
    const uint32_t n = uint32_t(v[0]) << 18 | uint32_t(v[1]) << 12 | uint32_t(v[2]) << 6 | v[3];
    out.push_back(static_cast<uint8_t>(n >> 16));
    if (pad < 2)
      out.push_back(static_cast<uint8_t>(n >> 8));
    if (pad < 1)
      out.push_back(static_cast<uint8_t>(n));
    // Canonical encodings only: the bits a padded group drops must be zero.
    if ((pad == 1 && (n & 0xFF) != 0) || (pad == 2 && (n & 0xFFFF) != 0))
      return std::nullopt;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Regions

namespace region {
namespace {

std::string describe(const Header& h) {
  return "Region { offset: " + std::to_string(h.offset) +
         ", capacity: " + std::to_string(h.capacity) + ", length: " + std::to_string(h.length) +
         " }";
}

VmError access_error(const Header& h, uint64_t memory_size) {
  return VmError::communication("Error accessing memory region: " + describe(h) +
                                " is outside the memory of size " + std::to_string(memory_size));
}

}  // namespace

VmResult<Header> get_header(Memory& memory, uint32_t ptr) {
  // The 12-byte header must lie inside the memory.
  if (uint64_t{ptr} + 12 > memory.size_bytes())
    return VmError::communication("The Wasm memory address " + std::to_string(ptr) +
                                  " provided by the contract could not be dereferenced: "
                                  "Could not dereference this pointer to a Region");
  const uint8_t* p = memory.data() + ptr;
  Header h{load_u32_le(p), load_u32_le(p + 4), load_u32_le(p + 8)};
  if (h.offset == 0)
    return VmError::communication("Got an invalid region: Got a zero Wasm address in the offset");
  if (h.length > h.capacity)
    return VmError::communication("Got an invalid region: Region length exceeds capacity. Length " +
                                  std::to_string(h.length) + ", capacity " +
                                  std::to_string(h.capacity));
  if (h.capacity > std::numeric_limits<uint32_t>::max() - h.offset)
    return VmError::communication("Got an invalid region: Region exceeds address space. Offset " +
                                  std::to_string(h.offset) + ", capacity " +
                                  std::to_string(h.capacity));
  return h;
}

VmResult<Bytes> read_data(Memory& memory, const Header& h, size_t max_length, uint32_t* too_long) {
  if (h.length > max_length) {
    if (too_long != nullptr)
      *too_long = h.length;
    return VmError::communication("Region length too big. Got " + std::to_string(h.length) +
                                  ", limit " + std::to_string(max_length));
  }
  // offset + length < 2^33: no overflow in 64 bits.
  if (uint64_t{h.offset} + h.length > memory.size_bytes())
    return access_error(h, memory.size_bytes());
  const uint8_t* p = memory.data() + h.offset;
  return Bytes(p, p + h.length);
}

VmResult<Unit> write_data(Memory& memory, uint32_t ptr, const Header& h, ByteView data) {
  if (data.size() > h.capacity)
    return VmError::communication("Region too small. Got " + std::to_string(h.capacity) +
                                  ", required " + std::to_string(data.size()));
  // data.size() <= capacity < 2^32, so offset + size < 2^33.
  if (uint64_t{h.offset} + data.size() > memory.size_bytes())
    return access_error(h, memory.size_bytes());
  // A call back into the contract may have shrunk nothing (memories only
  // grow), so the header checked by get_header is still inside the memory.
  if (!data.empty())
    std::memcpy(memory.data() + h.offset, data.data(), data.size());
  store_u32_le(memory.data() + ptr + 8, static_cast<uint32_t>(data.size()));
  return Unit{};
}

VmResult<Bytes> read(Memory& memory, uint32_t ptr, size_t max_length, uint32_t* too_long) {
  CW_TRY(const Header h, get_header(memory, ptr));
  return read_data(memory, h, max_length, too_long);
}

VmResult<std::optional<Bytes>> maybe_read(Memory& memory, uint32_t ptr, size_t max_length) {
  if (ptr == 0)
    return std::optional<Bytes>{};
  CW_TRY(Bytes data, read(memory, ptr, max_length));
  return std::optional<Bytes>(std::move(data));
}

VmResult<Unit> write(Memory& memory, uint32_t ptr, ByteView data) {
  CW_TRY(const Header h, get_header(memory, ptr));
  return write_data(memory, ptr, h, data);
}

}  // namespace region

// ---------------------------------------------------------------------------
// Sections

Bytes encode_sections(const std::vector<ByteView>& sections) {
  size_t total = 0;
  for (ByteView s : sections)
    total += s.size() + 4;
  Bytes out;
  out.reserve(total);
  for (ByteView s : sections) {
    out.insert(out.end(), s.begin(), s.end());
    const uint32_t len = static_cast<uint32_t>(s.size());
    out.push_back(static_cast<uint8_t>(len >> 24));
    out.push_back(static_cast<uint8_t>(len >> 16));
    out.push_back(static_cast<uint8_t>(len >> 8));
    out.push_back(static_cast<uint8_t>(len));
  }
  return out;
}

VmResult<std::vector<ByteView>> decode_sections(ByteView data) {
  std::vector<ByteView> out;
  size_t remaining = data.size();
  while (remaining >= 4) {
    const size_t len_at = remaining - 4;
    const size_t len = size_t{data[len_at]} << 24 | size_t{data[len_at + 1]} << 16 |
                       size_t{data[len_at + 2]} << 8 | size_t{data[len_at + 3]};
    if (len > len_at)
      return VmError::communication("Got an invalid section: section length overflow");
    out.push_back(data.subspan(len_at - len, len));
    remaining = len_at - len;
  }
  if (remaining > 0)
    return VmError::communication("Got an invalid section: extra data outside of any section");
  return std::vector<ByteView>(out.rbegin(), out.rend());
}

// ---------------------------------------------------------------------------
// Environment

TrapKind Environment::fail(VmError e) {
  const bool depleted = e.kind == VmErrorKind::GasDepletion;
  if (!pending_error)
    pending_error = std::move(e);
  return depleted ? TrapKind::OutOfGas : TrapKind::HostError;
}

uint64_t Environment::gas_left() const noexcept {
  return store->gas_left();
}

VmResult<Unit> Environment::process_gas_info(const GasInfo& info) {
  externally_used_gas = saturating_add(externally_used_gas, info.externally_used);
  // HostCall::charge leaves no gas when the charge exceeds what is left,
  // exactly as process_gas_info does.
  HostCall call{store, instance, nullptr};
  if (call.charge(saturating_add(info.cost, info.externally_used)) != TrapKind::None)
    return VmError::gas_depletion();
  return Unit{};
}

VmResult<std::vector<Value>> Environment::call_function(std::string_view name,
                                                        const std::vector<Value>& args) {
  const std::string export_name(name);
  const Extern ex = instance->find_export(export_name);
  if (ex.ptr == nullptr)
    return VmError::make(VmErrorKind::ResolveErr,
                         "Could not get export: Missing export " + export_name);
  Func* f = ex.as_func();
  if (f == nullptr)
    return VmError::make(VmErrorKind::ResolveErr, "Could not get export: Incompatible Export Type");
  const FuncType& ft = *f->type;
  if (args.size() != ft.params.size())
    return VmError::make(VmErrorKind::FunctionArityMismatch, std::to_string(ft.params.size()));
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].type != ft.params[i])
      return VmError::make(VmErrorKind::RuntimeErr, std::string(kRuntimePrefix) + "Parameters of " +
                                                        export_name +
                                                        " did not match its signature");
  }
  if (call_depth + 1 > limits::kMaxCallDepth)
    return VmError::make(VmErrorKind::MaxCallDepthExceeded);
  ++call_depth;
  CallResult r = store->call(f, args);
  --call_depth;
  if (r.ok())
    return std::move(r.results);
  // An import's error (recorded before it trapped) takes precedence.
  std::optional<VmError> inner = std::move(pending_error);
  pending_error.reset();
  if (r.trap == TrapKind::OutOfGas || (inner && inner->kind == VmErrorKind::GasDepletion))
    return VmError::gas_depletion();
  if (r.trap == TrapKind::HostError && inner)
    return VmError::from_import_error(*inner);
  return VmError::from_trap(r.trap);
}

VmResult<uint32_t> Environment::allocate(size_t size) {
  if (size > std::numeric_limits<uint32_t>::max())
    return VmError::make(VmErrorKind::ConversionErr,
                         "Couldn't convert from usize to u32. Input: " + std::to_string(size));
  CW_TRY(std::vector<Value> results,
         call_function("allocate", {Value::i32(static_cast<uint32_t>(size))}));
  if (results.size() != 1)
    return VmError::make(VmErrorKind::ResultMismatch,
                         "Unexpected number of result values when calling 'allocate'. "
                         "Expected: 1, actual: " +
                             std::to_string(results.size()) + ".");
  if (results[0].type != ValType::I32)
    return VmError::make(VmErrorKind::ConversionErr,
                         std::string("Couldn't convert from wasmer::Value to u32. Input: ") +
                             val_type_name(results[0].type));
  const uint32_t ptr = results[0].as_i32();
  if (ptr == 0)
    return VmError::communication("Got a zero Wasm address");
  return ptr;
}

VmResult<Unit> Environment::deallocate(uint32_t ptr) {
  CW_TRY(std::vector<Value> results, call_function("deallocate", {Value::i32(ptr)}));
  if (!results.empty())
    return VmError::make(VmErrorKind::ResultMismatch,
                         "Unexpected number of result values when calling 'deallocate'. "
                         "Expected: 0, actual: " +
                             std::to_string(results.size()) + ".");
  return Unit{};
}

VmResult<Bytes> Environment::read_region(uint32_t ptr, size_t max_length, uint32_t* too_long) {
  // memory.rs read_region: the header, then gas for its length (paid even
  // when the length is over the limit), then the limit and the read.
  CW_TRY(const region::Header h, region::get_header(*memory, ptr));
  CW_CHECK(process_gas_info(GasInfo::with_cost(gas_config.read_region_cost(h.length))));
  return region::read_data(*memory, h, max_length, too_long);
}

VmResult<std::optional<Bytes>> Environment::maybe_read_region(uint32_t ptr, size_t max_length) {
  if (ptr == 0)
    return std::optional<Bytes>{};
  CW_TRY(Bytes data, read_region(ptr, max_length));
  return std::optional<Bytes>(std::move(data));
}

VmResult<Unit> Environment::write_region(uint32_t ptr, ByteView data) {
  // memory.rs write_region: the header, then gas for the bytes written (paid
  // even when the region is too small), then the capacity check and the write.
  CW_TRY(const region::Header h, region::get_header(*memory, ptr));
  CW_CHECK(process_gas_info(GasInfo::with_cost(gas_config.write_region_cost.total_cost(data.size()))));
  return region::write_data(*memory, ptr, h, data);
}

VmResult<uint32_t> Environment::write_to_contract(ByteView data) {
  CW_TRY(const uint32_t ptr, allocate(data.size()));
  CW_CHECK(write_region(ptr, data));
  return ptr;
}

// ---------------------------------------------------------------------------
// The imports

namespace {

Environment& env_of(HostCall& call) {
  return *static_cast<Environment*>(call.user_data);
}

// imports.rs charge_host_call_gas: the first thing every import does.
VmResult<Unit> charge_host_call(Environment& env) {
  return env.process_gas_info(GasInfo::with_cost(env.gas_config.host_call_cost));
}

// Decoding `len` bytes of contract input into a string.
VmResult<Unit> charge_string_from_bytes(Environment& env, size_t len) {
  return env.process_gas_info(
      GasInfo::with_cost(env.gas_config.string_from_bytes_cost.total_cost(len)));
}

VmResult<uint32_t> do_db_read(Environment& env, uint32_t key_ptr) {
  CW_CHECK(charge_host_call(env));
  CW_TRY(Bytes key, env.read_region(key_ptr, limits::kMaxLengthDbKey));
  BackendResult<std::optional<Bytes>> r = env.backend.storage->get(key);
  CW_CHECK(env.process_gas_info(r.gas));
  if (!r.ok())
    return VmError::from_backend(*r.error);
  if (!r.value)
    return 0u;
  return env.write_to_contract(*r.value);
}

// db_write reports a too long key or value as a GenericErr naming it.
VmResult<Bytes> read_for_storage(Environment& env,
                                 uint32_t ptr,
                                 size_t max_length,
                                 const char* what) {
  uint32_t too_long = 0;
  VmResult<Bytes> r = env.read_region(ptr, max_length, &too_long);
  if (!r.ok() && too_long != 0)
    return VmError::generic(std::string(what) + " too big. Tried to write " +
                            std::to_string(too_long) + " bytes to storage, limit is " +
                            std::to_string(max_length) + ".");
  return r;
}

VmResult<Unit> do_db_write(Environment& env, uint32_t key_ptr, uint32_t value_ptr) {
  CW_CHECK(charge_host_call(env));
  if (env.storage_readonly)
    return VmError::write_access_denied();
  CW_TRY(Bytes key, read_for_storage(env, key_ptr, limits::kMaxLengthDbKey, "Key"));
  CW_TRY(Bytes value, read_for_storage(env, value_ptr, limits::kMaxLengthDbValue, "Value"));
  BackendResult<Unit> r = env.backend.storage->set(key, value);
  CW_CHECK(env.process_gas_info(r.gas));
  if (!r.ok())
    return VmError::from_backend(*r.error);
  return Unit{};
}

VmResult<Unit> do_db_remove(Environment& env, uint32_t key_ptr) {
  CW_CHECK(charge_host_call(env));
  if (env.storage_readonly)
    return VmError::write_access_denied();
  CW_TRY(Bytes key, env.read_region(key_ptr, limits::kMaxLengthDbKey));
  BackendResult<Unit> r = env.backend.storage->remove(key);
  CW_CHECK(env.process_gas_info(r.gas));
  if (!r.ok())
    return VmError::from_backend(*r.error);
  return Unit{};
}

VmResult<uint32_t> do_db_scan(Environment& env,
                              uint32_t start_ptr,
                              uint32_t end_ptr,
                              int32_t order) {
  CW_CHECK(charge_host_call(env));
  CW_TRY(std::optional<Bytes> start,
         env.maybe_read_region(start_ptr, limits::kMaxLengthDbKey));
  CW_TRY(std::optional<Bytes> end,
         env.maybe_read_region(end_ptr, limits::kMaxLengthDbKey));
  if (order != static_cast<int32_t>(Order::Ascending) &&
      order != static_cast<int32_t>(Order::Descending))
    return VmError::communication("Got an invalid value for iteration order: " +
                                  std::to_string(order));
  std::optional<ByteView> start_view, end_view;
  if (start)
    start_view = ByteView(*start);
  if (end)
    end_view = ByteView(*end);
  BackendResult<uint32_t> r =
      env.backend.storage->scan(start_view, end_view, static_cast<Order>(order));
  CW_CHECK(env.process_gas_info(r.gas));
  if (!r.ok())
    return VmError::from_backend(*r.error);
  return r.value;
}

VmResult<uint32_t> do_db_next(Environment& env, uint32_t iterator_id) {
  CW_CHECK(charge_host_call(env));
  BackendResult<std::optional<Record>> r = env.backend.storage->next(iterator_id);
  CW_CHECK(env.process_gas_info(r.gas));
  if (!r.ok())
    return VmError::from_backend(*r.error);
  // An empty key means "no more records".
  Record rec = r.value ? std::move(*r.value) : Record{};
  const Bytes out = encode_sections({ByteView(rec.first), ByteView(rec.second)});
  return env.write_to_contract(out);
}

VmResult<uint32_t> do_db_next_part(Environment& env, uint32_t iterator_id, bool key) {
  CW_CHECK(charge_host_call(env));
  BackendResult<std::optional<Bytes>> r = key ? env.backend.storage->next_key(iterator_id)
                                              : env.backend.storage->next_value(iterator_id);
  CW_CHECK(env.process_gas_info(r.gas));
  if (!r.ok())
    return VmError::from_backend(*r.error);
  if (!r.value)
    return 0u;
  return env.write_to_contract(*r.value);
}

// Reads an address string for addr_validate/addr_canonicalize. Returns the
// error region for the contract in `*reported` if the input is rejected.
VmResult<std::string> read_address(Environment& env, uint32_t ptr, uint32_t* reported) {
  *reported = 0;
  CW_TRY(Bytes data, env.read_region(ptr, limits::kMaxLengthHumanAddress));
  if (data.empty()) {
    CW_TRY(*reported, env.write_to_contract(as_bytes("Input is empty")));
    return std::string();
  }
  CW_CHECK(charge_string_from_bytes(env, data.size()));
  if (!is_valid_utf8(data)) {
    CW_TRY(*reported, env.write_to_contract(as_bytes("Input is not valid UTF-8")));
    return std::string();
  }
  return std::string(data.begin(), data.end());
}

VmResult<uint32_t> do_addr_validate(Environment& env, uint32_t source_ptr) {
  CW_CHECK(charge_host_call(env));
  uint32_t reported = 0;
  CW_TRY(std::string input, read_address(env, source_ptr, &reported));
  if (reported != 0)
    return reported;
  BackendResult<Unit> r = env.backend.api->addr_validate(input);
  CW_CHECK(env.process_gas_info(r.gas));
  if (r.ok())
    return 0u;
  if (r.error->kind == BackendErrorKind::UserErr)
    return env.write_to_contract(as_bytes(r.error->msg));
  return VmError::from_backend(*r.error);
}

VmResult<uint32_t> do_addr_canonicalize(Environment& env,
                                        uint32_t source_ptr,
                                        uint32_t destination_ptr) {
  CW_CHECK(charge_host_call(env));
  uint32_t reported = 0;
  CW_TRY(std::string input, read_address(env, source_ptr, &reported));
  if (reported != 0)
    return reported;
  BackendResult<Bytes> r = env.backend.api->addr_canonicalize(input);
  CW_CHECK(env.process_gas_info(r.gas));
  if (r.ok()) {
    CW_CHECK(env.write_region(destination_ptr, r.value));
    return 0u;
  }
  if (r.error->kind == BackendErrorKind::UserErr)
    return env.write_to_contract(as_bytes(r.error->msg));
  return VmError::from_backend(*r.error);
}

VmResult<uint32_t> do_addr_humanize(Environment& env,
                                    uint32_t source_ptr,
                                    uint32_t destination_ptr) {
  CW_CHECK(charge_host_call(env));
  CW_TRY(Bytes canonical,
         env.read_region(source_ptr, limits::kMaxLengthCanonicalAddress));
  BackendResult<std::string> r = env.backend.api->addr_humanize(canonical);
  CW_CHECK(env.process_gas_info(r.gas));
  if (r.ok()) {
    CW_CHECK(env.write_region(destination_ptr, as_bytes(r.value)));
    return 0u;
  }
  if (r.error->kind == BackendErrorKind::UserErr)
    return env.write_to_contract(as_bytes(r.error->msg));
  return VmError::from_backend(*r.error);
}

using VerifyFn = uint32_t (*)(crypto::Bytes, crypto::Bytes, crypto::Bytes);
using RecoverFn = uint32_t (*)(crypto::Bytes, crypto::Bytes, uint8_t, std::vector<uint8_t>*);

VmResult<uint32_t> do_ecdsa_verify(Environment& env,
                                   uint32_t hash_ptr,
                                   uint32_t signature_ptr,
                                   uint32_t pubkey_ptr,
                                   uint64_t cost,
                                   VerifyFn verify) {
  CW_CHECK(charge_host_call(env));
  CW_TRY(Bytes hash, env.read_region(hash_ptr, limits::kMessageHashMaxLength));
  CW_TRY(Bytes signature, env.read_region(signature_ptr, limits::kEcdsaSignatureLength));
  CW_TRY(Bytes pubkey, env.read_region(pubkey_ptr, limits::kEcdsaPubkeyMaxLength));
  CW_CHECK(env.process_gas_info(GasInfo::with_cost(cost)));
  return verify(hash, signature, pubkey);
}

// Returns the pubkey region in the low half, or an error code in the high half.
VmResult<uint64_t> do_ecdsa_recover(Environment& env,
                                    uint32_t hash_ptr,
                                    uint32_t signature_ptr,
                                    uint32_t recovery_param,
                                    uint64_t cost,
                                    RecoverFn recover) {
  constexpr uint32_t kInvalidRecoveryParam = 6;  // CryptoError::InvalidRecoveryParam.code()
  CW_CHECK(charge_host_call(env));
  CW_TRY(Bytes hash, env.read_region(hash_ptr, limits::kMessageHashMaxLength));
  CW_TRY(Bytes signature, env.read_region(signature_ptr, limits::kEcdsaSignatureLength));
  if (recovery_param > 0xFF)
    return uint64_t{kInvalidRecoveryParam} << 32;
  CW_CHECK(env.process_gas_info(GasInfo::with_cost(cost)));
  std::vector<uint8_t> pubkey;
  const uint32_t code = recover(hash, signature, static_cast<uint8_t>(recovery_param), &pubkey);
  if (code != 0)
    return uint64_t{code} << 32;
  CW_TRY(const uint32_t ptr, env.write_to_contract(pubkey));
  return uint64_t{ptr};
}

VmResult<uint32_t> do_ed25519_verify(Environment& env,
                                     uint32_t message_ptr,
                                     uint32_t signature_ptr,
                                     uint32_t pubkey_ptr) {
  CW_CHECK(charge_host_call(env));
  CW_TRY(Bytes message, env.read_region(message_ptr, limits::kMaxLengthEd25519Message));
  CW_TRY(Bytes signature,
         env.read_region(signature_ptr, limits::kMaxLengthEd25519Signature));
  CW_TRY(Bytes pubkey, env.read_region(pubkey_ptr, limits::kEddsaPubkeyLength));
  CW_CHECK(env.process_gas_info(GasInfo::with_cost(env.gas_config.ed25519_verify_cost)));
  return crypto::ed25519_verify(message, signature, pubkey);
}

VmResult<uint32_t> do_ed25519_batch_verify(Environment& env,
                                           uint32_t messages_ptr,
                                           uint32_t signatures_ptr,
                                           uint32_t public_keys_ptr) {
  using namespace limits;
  CW_CHECK(charge_host_call(env));
  CW_TRY(Bytes messages, env.read_region(messages_ptr,
                                      (kMaxLengthEd25519Message + 4) * kMaxCountEd25519Batch));
  CW_TRY(Bytes signatures, env.read_region(signatures_ptr,
                                        (kMaxLengthEd25519Signature + 4) * kMaxCountEd25519Batch));
  CW_TRY(Bytes public_keys, env.read_region(public_keys_ptr,
                                         (kEddsaPubkeyLength + 4) * kMaxCountEd25519Batch));
  CW_TRY(std::vector<ByteView> msgs, decode_sections(messages));
  CW_TRY(std::vector<ByteView> sigs, decode_sections(signatures));
  CW_TRY(std::vector<ByteView> keys, decode_sections(public_keys));
  const LinearGasCost& cost = keys.size() == 1 ? env.gas_config.ed25519_batch_verify_one_pubkey_cost
                                               : env.gas_config.ed25519_batch_verify_cost;
  CW_CHECK(env.process_gas_info(GasInfo::with_cost(cost.total_cost(sigs.size()))));
  const std::vector<crypto::Bytes> m(msgs.begin(), msgs.end());
  const std::vector<crypto::Bytes> s(sigs.begin(), sigs.end());
  const std::vector<crypto::Bytes> k(keys.begin(), keys.end());
  return crypto::ed25519_batch_verify(m, s, k);
}

// BLS12-381: no curve library is available, so the imports are linked (a
// contract importing them instantiates) but a call fails the contract call
// once the inputs are read and the gas is charged, as cosmwasm-vm would.
VmResult<uint32_t> do_bls12_381_aggregate(Environment& env, uint32_t points_ptr, bool g2) {
  CW_CHECK(charge_host_call(env));
  CW_TRY(Bytes points, env.read_region(points_ptr, limits::kBls12381MaxAggregateSize));
  const size_t point_len = g2 ? limits::kBls12381G2PointLength : limits::kBls12381G1PointLength;
  const LinearGasCost& cost =
      g2 ? env.gas_config.bls12_381_aggregate_g2_cost : env.gas_config.bls12_381_aggregate_g1_cost;
  CW_CHECK(env.process_gas_info(GasInfo::with_cost(cost.total_cost(points.size() / point_len))));
  return VmError::make(VmErrorKind::Unsupported,
                       g2 ? "bls12_381_aggregate_g2" : "bls12_381_aggregate_g1");
}

VmResult<uint32_t> do_bls12_381_pairing_equality(Environment& env,
                                                 uint32_t ps_ptr,
                                                 uint32_t qs_ptr,
                                                 uint32_t r_ptr,
                                                 uint32_t s_ptr) {
  using namespace limits;
  CW_CHECK(charge_host_call(env));
  CW_TRY(Bytes ps, env.read_region(ps_ptr, kBls12381MaxAggregateSize));
  CW_TRY(Bytes qs, env.read_region(qs_ptr, kBls12381MaxAggregateSize));
  CW_TRY(Bytes r, env.read_region(r_ptr, kBls12381G1PointLength));
  CW_TRY(Bytes s, env.read_region(s_ptr, kBls12381G2PointLength));
  const uint64_t pairings = ps.size() / kBls12381G1PointLength + 1;
  CW_CHECK(env.process_gas_info(
      GasInfo::with_cost(env.gas_config.bls12_381_pairing_equality_cost.total_cost(pairings))));
  return VmError::make(VmErrorKind::Unsupported, "bls12_381_pairing_equality");
}

VmResult<uint32_t> do_bls12_381_hash_to(Environment& env,
                                        uint32_t hash_function,
                                        uint32_t msg_ptr,
                                        uint32_t dst_ptr,
                                        uint32_t out_ptr,
                                        bool g2) {
  constexpr uint32_t kUnknownHashFunction = 9;  // CryptoError::UnknownHashFunction.code()
  CW_CHECK(charge_host_call(env));
  CW_TRY(Bytes msg, env.read_region(msg_ptr, limits::kBls12381MaxMessageSize));
  CW_TRY(Bytes dst, env.read_region(dst_ptr, limits::kBls12381MaxDstSize));
  const uint64_t cost =
      g2 ? env.gas_config.bls12_381_hash_to_g2_cost : env.gas_config.bls12_381_hash_to_g1_cost;
  CW_CHECK(env.process_gas_info(GasInfo::with_cost(cost)));
  if (hash_function != 0)
    return kUnknownHashFunction;  // only 0 (SHA-256) exists
  return VmError::make(VmErrorKind::Unsupported,
                       g2 ? "bls12_381_hash_to_g2" : "bls12_381_hash_to_g1");
}

VmResult<Unit> do_debug(Environment& env, uint32_t message_ptr) {
  CW_CHECK(charge_host_call(env));
  // The message is read (and its region paid for) with or without a handler.
  CW_TRY(Bytes data, env.read_region(message_ptr, limits::kMaxLengthDebug));
  if (env.debug_handler)
    env.debug_handler(utf8_lossy(data), DebugInfo{env.gas_left()});
  return Unit{};
}

VmResult<Unit> do_abort(Environment& env, uint32_t message_ptr) {
  CW_CHECK(charge_host_call(env));
  CW_TRY(Bytes data, env.read_region(message_ptr, limits::kMaxLengthAbort));
  CW_CHECK(charge_string_from_bytes(env, data.size()));
  return VmError::make(VmErrorKind::Aborted, utf8_lossy(data));
}

VmResult<uint32_t> do_query_chain(Environment& env, uint32_t request_ptr) {
  CW_CHECK(charge_host_call(env));
  CW_TRY(Bytes request,
         env.read_region(request_ptr, limits::kMaxLengthQueryChainRequest));
  BackendResult<Bytes> r = env.backend.querier->query_raw(request, env.gas_left());
  CW_CHECK(env.process_gas_info(r.gas));
  if (!r.ok())
    return VmError::from_backend(*r.error);
  return env.write_to_contract(r.value);
}

// Adapters from the HostFunc ABI to the do_* functions.
TrapKind finish(Environment& env, VmResult<uint32_t> r, Value* results) {
  if (!r.ok())
    return env.fail(std::move(*r.error));
  results[0] = Value::i32(r.value);
  return TrapKind::None;
}
TrapKind finish(Environment& env, VmResult<uint64_t> r, Value* results) {
  if (!r.ok())
    return env.fail(std::move(*r.error));
  results[0] = Value::i64(r.value);
  return TrapKind::None;
}
TrapKind finish(Environment& env, VmResult<Unit> r, Value*) {
  if (!r.ok())
    return env.fail(std::move(*r.error));
  return TrapKind::None;
}

uint32_t arg(const Value* args, int i) {
  return args[i].as_i32();
}

// The host function of an import whose implementation takes the `N` i32
// arguments as they are.
template <auto Do, size_t... I>
TrapKind call_with_args(HostCall& c, const Value* a, Value* r, std::index_sequence<I...>) {
  Environment& env = env_of(c);
  return finish(env, Do(env, arg(a, I)...), r);
}
template <auto Do, size_t N>
TrapKind thunk(HostCall& c, const Value* a, Value* r) {
  return call_with_args<Do>(c, a, r, std::make_index_sequence<N>{});
}

// Imports whose implementation takes more than the arguments.

TrapKind host_db_next_key(HostCall& c, const Value* a, Value* r) {
  Environment& env = env_of(c);
  return finish(env, do_db_next_part(env, arg(a, 0), true), r);
}
TrapKind host_db_next_value(HostCall& c, const Value* a, Value* r) {
  Environment& env = env_of(c);
  return finish(env, do_db_next_part(env, arg(a, 0), false), r);
}
TrapKind host_secp256k1_verify(HostCall& c, const Value* a, Value* r) {
  Environment& env = env_of(c);
  return finish(env,
                do_ecdsa_verify(env, arg(a, 0), arg(a, 1), arg(a, 2),
                                env.gas_config.secp256k1_verify_cost, &crypto::secp256k1_verify),
                r);
}
TrapKind host_secp256k1_recover_pubkey(HostCall& c, const Value* a, Value* r) {
  Environment& env = env_of(c);
  return finish(env,
                do_ecdsa_recover(env, arg(a, 0), arg(a, 1), arg(a, 2),
                                 env.gas_config.secp256k1_recover_pubkey_cost,
                                 &crypto::secp256k1_recover_pubkey),
                r);
}
TrapKind host_secp256r1_verify(HostCall& c, const Value* a, Value* r) {
  Environment& env = env_of(c);
  return finish(env,
                do_ecdsa_verify(env, arg(a, 0), arg(a, 1), arg(a, 2),
                                env.gas_config.secp256r1_verify_cost, &crypto::secp256r1_verify),
                r);
}
TrapKind host_secp256r1_recover_pubkey(HostCall& c, const Value* a, Value* r) {
  Environment& env = env_of(c);
  return finish(env,
                do_ecdsa_recover(env, arg(a, 0), arg(a, 1), arg(a, 2),
                                 env.gas_config.secp256r1_recover_pubkey_cost,
                                 &crypto::secp256r1_recover_pubkey),
                r);
}
TrapKind host_bls12_381_aggregate_g1(HostCall& c, const Value* a, Value* r) {
  Environment& env = env_of(c);
  return finish(env, do_bls12_381_aggregate(env, arg(a, 0), false), r);
}
TrapKind host_bls12_381_aggregate_g2(HostCall& c, const Value* a, Value* r) {
  Environment& env = env_of(c);
  return finish(env, do_bls12_381_aggregate(env, arg(a, 0), true), r);
}
TrapKind host_bls12_381_hash_to_g1(HostCall& c, const Value* a, Value* r) {
  Environment& env = env_of(c);
  return finish(env, do_bls12_381_hash_to(env, arg(a, 0), arg(a, 1), arg(a, 2), arg(a, 3), false),
                r);
}
TrapKind host_bls12_381_hash_to_g2(HostCall& c, const Value* a, Value* r) {
  Environment& env = env_of(c);
  return finish(env, do_bls12_381_hash_to(env, arg(a, 0), arg(a, 1), arg(a, 2), arg(a, 3), true),
                r);
}

struct ImportDef {
  const char* name;
  std::vector<ValType> params;
  std::vector<ValType> results;
  HostFunc fn;
  bool iterator;  ///< provided only when iterators are enabled
};

const std::vector<ImportDef>& import_defs() {
  constexpr ValType I32 = ValType::I32, I64 = ValType::I64;
  static const std::vector<ImportDef> defs = {
      {"db_read", {I32}, {I32}, &thunk<do_db_read, 1>, false},
      {"db_write", {I32, I32}, {}, &thunk<do_db_write, 2>, false},
      {"db_remove", {I32}, {}, &thunk<do_db_remove, 1>, false},
      {"db_scan", {I32, I32, I32}, {I32}, &thunk<do_db_scan, 3>, true},
      {"db_next", {I32}, {I32}, &thunk<do_db_next, 1>, true},
      {"db_next_key", {I32}, {I32}, &host_db_next_key, true},
      {"db_next_value", {I32}, {I32}, &host_db_next_value, true},
      {"addr_validate", {I32}, {I32}, &thunk<do_addr_validate, 1>, false},
      {"addr_canonicalize", {I32, I32}, {I32}, &thunk<do_addr_canonicalize, 2>, false},
      {"addr_humanize", {I32, I32}, {I32}, &thunk<do_addr_humanize, 2>, false},
      {"secp256k1_verify", {I32, I32, I32}, {I32}, &host_secp256k1_verify, false},
      {"secp256k1_recover_pubkey", {I32, I32, I32}, {I64}, &host_secp256k1_recover_pubkey, false},
      {"secp256r1_verify", {I32, I32, I32}, {I32}, &host_secp256r1_verify, false},
      {"secp256r1_recover_pubkey", {I32, I32, I32}, {I64}, &host_secp256r1_recover_pubkey, false},
      {"ed25519_verify", {I32, I32, I32}, {I32}, &thunk<do_ed25519_verify, 3>, false},
      {"ed25519_batch_verify", {I32, I32, I32}, {I32}, &thunk<do_ed25519_batch_verify, 3>, false},
      {"bls12_381_aggregate_g1", {I32, I32}, {I32}, &host_bls12_381_aggregate_g1, false},
      {"bls12_381_aggregate_g2", {I32, I32}, {I32}, &host_bls12_381_aggregate_g2, false},
      {"bls12_381_pairing_equality",
       {I32, I32, I32, I32},
       {I32},
       &thunk<do_bls12_381_pairing_equality, 4>,
       false},
      {"bls12_381_hash_to_g1", {I32, I32, I32, I32}, {I32}, &host_bls12_381_hash_to_g1, false},
      {"bls12_381_hash_to_g2", {I32, I32, I32, I32}, {I32}, &host_bls12_381_hash_to_g2, false},
      {"debug", {I32}, {}, &thunk<do_debug, 1>, false},
      {"abort", {I32}, {}, &thunk<do_abort, 1>, false},
      {"query_chain", {I32}, {I32}, &thunk<do_query_chain, 1>, false},
  };
  return defs;
}

std::string type_text(const FuncType& t) {
  std::string s = "(";
  for (size_t i = 0; i < t.params.size(); ++i) {
    if (i)
      s += ", ";
    s += val_type_name(t.params[i]);
  }
  s += ") -> (";
  for (size_t i = 0; i < t.results.size(); ++i) {
    if (i)
      s += ", ";
    s += val_type_name(t.results[i]);
  }
  return s + ")";
}

}  // namespace

VmResult<std::vector<Extern>> link_env_imports(Store& store,
                                               const Module& module,
                                               Environment* env,
                                               bool iterators) {
  std::vector<Extern> externs;
  externs.reserve(module.imports.size());
  for (const Import& im : module.imports) {
    const std::string where = "Error while importing \"" + im.module + "\".\"" + im.name + "\": ";
    const ImportDef* def = nullptr;
    if (im.module == "env") {
      for (const ImportDef& d : import_defs())
        if (im.name == d.name && (iterators || !d.iterator))
          def = &d;
    }
    if (def == nullptr)
      return VmError::make(VmErrorKind::InstantiationErr, where + "unknown import");
    const FuncType expected{def->params, def->results};
    if (im.kind != ExternKind::Func)
      return VmError::make(VmErrorKind::InstantiationErr,
                           where + "incompatible import type. Expected function " +
                               type_text(expected) + " but the module imports a " +
                               extern_kind_name(im.kind));
    const FuncType& actual = module.types[im.func_type];
    if (!(actual == expected))
      return VmError::make(VmErrorKind::InstantiationErr,
                           where + "incompatible import type. Expected function " +
                               type_text(expected) + " but the module imports " +
                               type_text(actual));
    externs.push_back(Extern::func(store.create_host_func(expected, def->fn, env)));
  }
  return externs;
}

}  // namespace wvm::cosmwasm
