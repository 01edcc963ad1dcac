// The embedder's side of the CosmWasm host: storage, address API and
// querier, with cosmwasm-vm 3.0's interface (packages/vm/src/backend.rs).
// Every call returns its result together with the gas it cost (GasInfo);
// errors are cosmwasm-vm's BackendError kinds. These are plain virtual
// interfaces over byte vectors and strings so that a C library
// (libwasmvm-compatible) can implement them over Go callbacks.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wvm::cosmwasm {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

/// Views a string's bytes.
inline ByteView as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

/// Gas a backend call used. `cost` is charged to the contract's gas as if the
/// contract had spent it (it counts as used internally); `externally_used`
/// was already charged by the embedder (e.g. the SDK gas meter) and only
/// lowers the gas the contract has left (it counts as used externally).
struct GasInfo {
  uint64_t cost = 0;
  uint64_t externally_used = 0;

  static GasInfo with_cost(uint64_t amount) noexcept { return {amount, 0}; }
  static GasInfo with_externally_used(uint64_t amount) noexcept { return {0, amount}; }
  static GasInfo free() noexcept { return {}; }
  GasInfo& operator+=(const GasInfo& other) noexcept {
    cost += other.cost;
    externally_used += other.externally_used;
    return *this;
  }
  friend bool operator==(const GasInfo&, const GasInfo&) = default;
};

/// What can go wrong in a backend call. Only UserErr is reported back to the
/// contract (by the address imports); every other kind fails the call.
enum class BackendErrorKind : uint8_t {
  ForeignPanic,          ///< "Panic in FFI call"
  BadArgument,           ///< "Bad argument"
  InvalidUtf8,           ///< "VM received invalid UTF-8 data from backend"
  IteratorDoesNotExist,  ///< "Iterator with ID {id} does not exist"
  OutOfGas,              ///< "Ran out of gas during call into backend"
  Unknown,               ///< "Unknown error during call into backend: {msg}"
  UserErr,               ///< "User error during call into backend: {msg}"
};

/// A backend error with its message (msg for Unknown/UserErr, the iterator
/// id for IteratorDoesNotExist).
struct BackendError {
  BackendErrorKind kind = BackendErrorKind::Unknown;
  std::string msg;
  uint32_t iterator_id = 0;

  static BackendError foreign_panic() { return {BackendErrorKind::ForeignPanic, {}, 0}; }
  static BackendError bad_argument() { return {BackendErrorKind::BadArgument, {}, 0}; }
  static BackendError invalid_utf8() { return {BackendErrorKind::InvalidUtf8, {}, 0}; }
  static BackendError iterator_does_not_exist(uint32_t id) {
    return {BackendErrorKind::IteratorDoesNotExist, {}, id};
  }
  static BackendError out_of_gas() { return {BackendErrorKind::OutOfGas, {}, 0}; }
  static BackendError unknown(std::string msg) {
    return {BackendErrorKind::Unknown, std::move(msg), 0};
  }
  static BackendError user_err(std::string msg) {
    return {BackendErrorKind::UserErr, std::move(msg), 0};
  }
  /// cosmwasm-vm's Display text of the error.
  std::string to_string() const;
};

/// The empty success value of calls that return nothing.
struct Unit {};

/// A value or a BackendError, always with the gas the call used (a failing
/// call can still have cost gas).
template <class T>
struct BackendResult {
  std::optional<BackendError> error;  ///< set on failure; then `value` is unspecified
  T value{};
  GasInfo gas;

  bool ok() const noexcept { return !error.has_value(); }
  static BackendResult success(T v, GasInfo g) { return {std::nullopt, std::move(v), g}; }
  static BackendResult failure(BackendError e, GasInfo g) { return {std::move(e), T{}, g}; }
};

/// Iteration order of db_scan, with the contract's encoding (cosmwasm_std::Order).
enum class Order : int32_t { Ascending = 1, Descending = 2 };

/// A key and its value.
using Record = std::pair<Bytes, Bytes>;

/// One part (&Record::first for the key, &Record::second for the value) of
/// a Storage::next result, keeping its gas and error: next_key and
/// next_value of a storage whose iterators read whole records.
inline BackendResult<std::optional<Bytes>> next_part(BackendResult<std::optional<Record>> r,
                                                     Bytes Record::*part) {
  using R = BackendResult<std::optional<Bytes>>;
  if (!r.ok())
    return R::failure(std::move(*r.error), r.gas);
  if (!r.value)
    return R::success(std::nullopt, r.gas);
  return R::success(std::move((*r.value).*part), r.gas);
}

/// The contract's key-value store (the chain's prefixed store).
class Storage {
 public:
  virtual ~Storage() = default;
  /// The value at `key`, or nullopt when the key does not exist.
  virtual BackendResult<std::optional<Bytes>> get(ByteView key) = 0;
  /// Opens an iterator over [start, end) (a missing bound is open) in
  /// `order` and returns its id, unique within this storage and assigned
  /// deterministically. start >= end describes an empty range.
  virtual BackendResult<uint32_t> scan(std::optional<ByteView> start,
                                       std::optional<ByteView> end,
                                       Order order) = 0;
  /// The iterator's next record, or nullopt at the end.
  /// An unknown id is BackendError::iterator_does_not_exist.
  virtual BackendResult<std::optional<Record>> next(uint32_t iterator_id) = 0;
  /// The iterator's next key only (the value is skipped), or nullopt at the end.
  virtual BackendResult<std::optional<Bytes>> next_key(uint32_t iterator_id) = 0;
  /// The iterator's next value only, or nullopt at the end.
  virtual BackendResult<std::optional<Bytes>> next_value(uint32_t iterator_id) = 0;
  virtual BackendResult<Unit> set(ByteView key, ByteView value) = 0;
  /// Removes `key` (no error if it did not exist).
  virtual BackendResult<Unit> remove(ByteView key) = 0;
};

/// The chain's address functions. A malformed input is a UserErr, whose
/// message the contract receives.
class BackendApi {
 public:
  virtual ~BackendApi() = default;
  /// Succeeds iff `input` is a valid address in its normalized form.
  virtual BackendResult<Unit> addr_validate(std::string_view input) = 0;
  /// The canonical (binary) form of a human address.
  virtual BackendResult<Bytes> addr_canonicalize(std::string_view input) = 0;
  /// The human (string) form of a canonical address.
  virtual BackendResult<std::string> addr_humanize(ByteView canonical) = 0;
};

/// Answers the contract's queries to the chain.
class Querier {
 public:
  virtual ~Querier() = default;
  /// Runs the JSON QueryRequest `request` with at most `gas_limit` gas and
  /// returns the JSON serialization of its SystemResult<ContractResult<Binary>>
  /// exactly as cosmwasm-std serializes it (these are the bytes the contract
  /// receives), e.g. {"ok":{"ok":"eyJ9"}} or {"error":{"no_such_contract":{"addr":"x"}}}.
  /// The returned gas may exceed `gas_limit` when the query could not be
  /// stopped exactly at the limit.
  virtual BackendResult<Bytes> query_raw(ByteView request, uint64_t gas_limit) = 0;
};

/// The backend an instance runs against (non-owning).
struct Backend {
  Storage* storage = nullptr;
  BackendApi* api = nullptr;
  Querier* querier = nullptr;
};

}  // namespace wvm::cosmwasm
