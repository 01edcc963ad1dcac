// The CosmWasm `env` imports of cosmwasm-vm 3.0 (packages/vm/src/imports.rs,
// registered with their wasm types in instance.rs): storage, iterators,
// addresses, crypto, BLS12-381 (linked, not supported), debug, abort and
// query_chain; the Region protocol between host and contract (memory.rs);
// the VM errors (errors/vm_error.rs) and the gas the imports charge
// (environment.rs: GasConfig, process_gas_info).
//
// An import that fails records its VmError in the instance's Environment
// (the host function's user_data) and returns TrapKind::HostError; vm.cc
// turns the trap back into that error with its message.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hosts/cosmwasm/backend.h"
#include "wvm/wvm.h"

namespace wvm::cosmwasm {

/// Gas linear in a number of items: base + per_item * items, saturating (as
/// cosmwasm-vm 3.0.6+; 3.0.0-3.0.5 report gas depletion on overflow, which a
/// saturated cost also causes, since no call has u64::MAX gas left).
struct LinearGasCost {
  uint64_t base = 0;
  uint64_t per_item = 0;
  uint64_t total_cost(uint64_t items) const noexcept {
    const uint64_t product =
        per_item != 0 && items > UINT64_MAX / per_item ? UINT64_MAX : per_item * items;
    return product > UINT64_MAX - base ? UINT64_MAX : base + product;
  }
  friend bool operator==(const LinearGasCost&, const LinearGasCost&) = default;
};

/// The gas the VM itself charges for work done by imports (environment.rs
/// GasConfig). Backend calls charge what their GasInfo says on top.
struct GasConfig {
  uint64_t secp256k1_verify_cost = 0;
  uint64_t secp256k1_recover_pubkey_cost = 0;
  uint64_t secp256r1_verify_cost = 0;
  uint64_t secp256r1_recover_pubkey_cost = 0;
  uint64_t ed25519_verify_cost = 0;
  LinearGasCost ed25519_batch_verify_cost;             ///< per signature
  LinearGasCost ed25519_batch_verify_one_pubkey_cost;  ///< per signature, one public key
  LinearGasCost bls12_381_aggregate_g1_cost;           ///< per point
  LinearGasCost bls12_381_aggregate_g2_cost;           ///< per point
  uint64_t bls12_381_hash_to_g1_cost = 0;
  uint64_t bls12_381_hash_to_g2_cost = 0;
  LinearGasCost bls12_381_pairing_equality_cost;  ///< per pairing (n + 1)
  /// Per byte written into a contract region (memory.rs write_region).
  LinearGasCost write_region_cost;
  /// Per byte of a region read (memory.rs read_region), by the region's
  /// length: up to 8,000,000 bytes the small cost, above it the large one.
  LinearGasCost read_region_small_cost;
  LinearGasCost read_region_large_cost;
  /// Per byte of contract input decoded into a string (addr_validate,
  /// addr_canonicalize, abort).
  LinearGasCost string_from_bytes_cost;
  /// The flat charge every import pays first.
  uint64_t host_call_cost = 0;

  /// The cost of reading a region of `bytes` bytes.
  uint64_t read_region_cost(uint64_t bytes) const noexcept;

  /// cosmwasm-vm 3.0.x's GasConfig::default() (environment.rs; 10^6 gas per
  /// µs), the same in every 3.0 release.
  static GasConfig cosmwasm_3_0();
  friend bool operator==(const GasConfig&, const GasConfig&) = default;
};

/// Per-import length limits (imports.rs, memory.rs, calls.rs).
namespace limits {
constexpr size_t kKi = 1024, kMi = 1024 * 1024;
constexpr size_t kMaxLengthDbKey = 64 * kKi;
constexpr size_t kMaxLengthDbValue = 128 * kKi;
constexpr size_t kMaxLengthCanonicalAddress = 64;
constexpr size_t kMaxLengthHumanAddress = 256;
constexpr size_t kMaxLengthQueryChainRequest = 64 * kKi;
constexpr size_t kMaxLengthEd25519Signature = 64;
constexpr size_t kMaxLengthEd25519Message = 128 * kKi;
constexpr size_t kMaxCountEd25519Batch = 256;
constexpr size_t kMaxLengthDebug = 2 * kMi;
constexpr size_t kMaxLengthAbort = 2 * kMi;
constexpr size_t kMessageHashMaxLength = 32;  ///< cosmwasm-crypto MESSAGE_HASH_MAX_LEN
constexpr size_t kEcdsaSignatureLength = 64;  ///< ECDSA_SIGNATURE_LEN
constexpr size_t kEcdsaPubkeyMaxLength = 65;  ///< ECDSA_PUBKEY_MAX_LEN
constexpr size_t kEddsaPubkeyLength = 32;     ///< EDDSA_PUBKEY_LEN
constexpr size_t kBls12381G1PointLength = 48;
constexpr size_t kBls12381G2PointLength = 96;
constexpr size_t kBls12381MaxAggregateSize = 2 * kMi;
constexpr size_t kBls12381MaxMessageSize = 5 * kMi;
constexpr size_t kBls12381MaxDstSize = 5 * kKi;
/// calls.rs read_limits: the most a call's result may be.
constexpr size_t kResultReadLimit = 64 * kMi;
/// calls.rs deserialization_limits: the most a result JSON may be when parsed.
constexpr size_t kResultDeserializationLimit = 256 * kKi;
/// environment.rs MAX_CALL_DEPTH: a call plus one nested call (allocate from an import).
constexpr uint32_t kMaxCallDepth = 2;
}  // namespace limits

/// cosmwasm-vm's VmError kinds that this host produces.
enum class VmErrorKind : uint8_t {
  Aborted,                       ///< "Aborted: {msg}"
  BackendErr,                    ///< "Error calling into the VM's backend: {msg}"
  CacheErr,                      ///< "Cache error: {msg}"
  CommunicationErr,              ///< "Error in guest/host communication: {msg}"
  CompileErr,                    ///< "Error compiling Wasm: {msg}"
  ConversionErr,                 ///< "Couldn't convert ..." (msg holds the whole text)
  DeserializationLimitExceeded,  ///< "Data too long for deserialization. ..." (whole text)
  FunctionArityMismatch,         ///< "Function arity mismatch, expected {msg}"
  GasDepletion,                  ///< "Ran out of gas during contract execution"
  GenericErr,                    ///< "Generic error: {msg}"
  InstantiationErr,              ///< "Error instantiating a Wasm module: {msg}"
  MaxCallDepthExceeded,          ///< "Maximum call depth exceeded."
  ParseErr,                      ///< "Error parsing into type {msg}"
  ResolveErr,                    ///< "Error resolving Wasm function: {msg}"
  ResultMismatch,                ///< "Unexpected number of result values ..." (whole text)
  RuntimeErr,                    ///< "Error executing Wasm: {msg}"
  StaticValidationErr,           ///< "Error during static Wasm validation: {msg}"
  WriteAccessDenied,             ///< "Must not call a writing storage function in this context."
  Unsupported,                   ///< wvm only: "{msg} is not supported by wvm"
};

/// An error of the VM (not of the contract): its kind and the message after
/// the kind's fixed prefix.
struct VmError {
  VmErrorKind kind = VmErrorKind::GenericErr;
  std::string msg;

  /// cosmwasm-vm's Display text, e.g. "Error executing Wasm: Wasmer runtime
  /// error: RuntimeError: unreachable".
  std::string to_string() const;

  static VmError make(VmErrorKind kind, std::string msg = {}) { return {kind, std::move(msg)}; }
  static VmError gas_depletion() { return {VmErrorKind::GasDepletion, {}}; }
  static VmError write_access_denied() { return {VmErrorKind::WriteAccessDenied, {}}; }
  static VmError communication(std::string msg) {
    return {VmErrorKind::CommunicationErr, std::move(msg)};
  }
  static VmError generic(std::string msg) { return {VmErrorKind::GenericErr, std::move(msg)}; }
  /// A BackendError as cosmwasm-vm converts it (OutOfGas becomes GasDepletion).
  static VmError from_backend(const BackendError& e);
  /// A wasm trap as cosmwasm-vm reports it: a RuntimeErr with Wasmer's trap message.
  static VmError from_trap(TrapKind trap);
  /// An import's error as it surfaces from the call: wrapped in a RuntimeErr.
  static VmError from_import_error(const VmError& inner);
};

/// A value or a VmError.
template <class T>
struct VmResult {
  std::optional<VmError> error;
  T value{};
  bool ok() const noexcept { return !error.has_value(); }
  VmResult() = default;
  VmResult(T v) : value(std::move(v)) {}
  VmResult(VmError e) : error(std::move(e)) {}
};

/// Extra information handed to the debug handler.
struct DebugInfo {
  uint64_t gas_remaining = 0;
};
/// Receives the contract's `debug` messages (not charged any gas).
using DebugHandler = std::function<void(std::string_view msg, const DebugInfo& info)>;

/// The state every import of one instance shares (the host functions'
/// user_data). Owned by the instance (vm.h); the store, instance and the
/// allocate/deallocate exports are filled in once instantiated.
struct Environment {
  Backend backend;
  GasConfig gas_config;
  DebugHandler debug_handler;  ///< empty: debug messages are ignored
  bool storage_readonly = true;

  Store* store = nullptr;
  Instance* instance = nullptr;
  Memory* memory = nullptr;  ///< the contract's exported "memory"

  /// Gas the backend reported as used externally, since the gas limit was set.
  uint64_t externally_used_gas = 0;
  /// Nesting of calls into the contract (call_function in cosmwasm-vm).
  uint32_t call_depth = 0;
  /// The error of the import that failed the running call, if any.
  std::optional<VmError> pending_error;

  /// Records `e` as the call's error (the first recorded wins: it is the
  /// innermost) and returns the trap the host function must return.
  TrapKind fail(VmError e);
  /// process_gas_info: charges `info` to the running call, counting
  /// externally_used as used externally. Out of gas leaves none.
  VmResult<Unit> process_gas_info(const GasInfo& info);
  /// The gas the running call has left.
  uint64_t gas_left() const noexcept;

  /// Calls an export of the contract from the host (at most kMaxCallDepth deep).
  VmResult<std::vector<Value>> call_function(std::string_view name, const std::vector<Value>& args);
  /// allocate(size) in the contract; 0 is an error (CommunicationError::ZeroAddress).
  VmResult<uint32_t> allocate(size_t size);
  VmResult<Unit> deallocate(uint32_t ptr);
  /// memory.rs read_region: reads the region at `ptr` (at most `max_length`
  /// bytes), charging gas_config.read_region_cost(length) first.
  VmResult<Bytes> read_region(uint32_t ptr, size_t max_length, uint32_t* too_long = nullptr);
  /// As read_region, but ptr 0 means "no value" (nothing charged).
  VmResult<std::optional<Bytes>> maybe_read_region(uint32_t ptr, size_t max_length);
  /// memory.rs write_region: writes `data` into the region at `ptr`, charging
  /// gas_config.write_region_cost first.
  VmResult<Unit> write_region(uint32_t ptr, ByteView data);
  /// write_to_contract: allocates a region in the contract, writes `data`
  /// into it and returns the region pointer.
  VmResult<uint32_t> write_to_contract(ByteView data);
};

/// Region protocol (memory.rs). A Region is {offset, capacity, length}, three
/// u32 little endian, created by the contract; every pointer is checked
/// against the memory's current size. These functions charge no gas; the
/// imports go through Environment::read_region / write_region, which do.
namespace region {
struct Header {
  uint32_t offset = 0, capacity = 0, length = 0;
};
/// The header at `ptr`, checked: inside the memory, non-zero offset,
/// length <= capacity, offset + capacity within 32 bits.
VmResult<Header> get_header(Memory& memory, uint32_t ptr);
/// The data of header `h`: its length must be <= max_length (if not, and
/// `too_long` is given, the length is stored there) and inside the memory.
VmResult<Bytes> read_data(Memory& memory, const Header& h, size_t max_length, uint32_t* too_long);
/// Writes `data` into the region whose header `h` was read at `ptr`.
VmResult<Unit> write_data(Memory& memory, uint32_t ptr, const Header& h, ByteView data);
/// Reads the data of the region at `ptr`; its length must be <= max_length
/// (if not, and `too_long` is given, the length is stored there).
VmResult<Bytes> read(Memory& memory, uint32_t ptr, size_t max_length, uint32_t* too_long = nullptr);
/// As read(), but ptr 0 means "no value" (nullopt).
VmResult<std::optional<Bytes>> maybe_read(Memory& memory, uint32_t ptr, size_t max_length);
/// Writes `data` into the region at `ptr` (capacity must suffice) and sets its length.
VmResult<Unit> write(Memory& memory, uint32_t ptr, ByteView data);
}  // namespace region

/// Sections encoding (sections.rs): each section followed by its length as
/// big endian u32.
Bytes encode_sections(const std::vector<ByteView>& sections);
VmResult<std::vector<ByteView>> decode_sections(ByteView data);

/// Builds the import list for `module`, in its import order, with every
/// import bound to `env`. Only `env` functions of cosmwasm-vm 3.0 with their
/// exact types are provided; the iterator imports only when `iterators` is
/// set. Anything else is an InstantiationErr naming the import.
VmResult<std::vector<Extern>> link_env_imports(Store& store,
                                               const Module& module,
                                               Environment* env,
                                               bool iterators);

/// Standard base64 with padding (cosmwasm_std::Binary's JSON form).
std::string base64_encode(ByteView data);
/// Decodes standard base64 (padding required, as Binary accepts); nullopt if malformed.
std::optional<Bytes> base64_decode(std::string_view text);

/// The deepest nesting of arrays and objects in a JSON text (strings are
/// skipped); checked before parsing untrusted JSON so no parser or printer
/// recursion depends on the input. serde_json, which cosmwasm-vm parses
/// results with, stops at 128 levels.
size_t json_nesting_depth(ByteView json) noexcept;
constexpr size_t kMaxJsonDepth = 128;

/// Strict UTF-8 validation (Rust's String::from_utf8 rules).
bool is_valid_utf8(ByteView data) noexcept;
/// Rust's String::from_utf8_lossy: invalid sequences become U+FFFD.
std::string utf8_lossy(ByteView data);

}  // namespace wvm::cosmwasm
