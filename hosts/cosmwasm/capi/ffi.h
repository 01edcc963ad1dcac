// The plumbing of the C interface, as libwasmvm does it (memory.rs,
// error/rust.rs, error/go.rs, args.rs): UnmanagedVector and view
// conversions, the library's error type with its messages, and the errno
// protocol that cgo reads.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "hosts/cosmwasm/backend.h"
#include "hosts/cosmwasm/capi/bindings.h"
#include "hosts/cosmwasm/env.h"

namespace wvm::cosmwasm::capi {

/// A contract's SHA-256 checksum.
using Checksum = std::array<uint8_t, 32>;

// ---- vectors and views ------------------------------------------------------

/// A Some vector owning a copy of `data` (ptr NULL when empty).
UnmanagedVector vector_some(ByteView data);
inline UnmanagedVector vector_some(std::string_view text) {
  return vector_some(as_bytes(text));
}
/// A None vector.
UnmanagedVector vector_none() noexcept;
/// Takes over `v` (which must have been made by this library) and frees it;
/// returns its contents. `v` is left None.
std::optional<Bytes> vector_consume(UnmanagedVector& v);

/// The bytes of a caller's view; nullopt if nil.
std::optional<ByteView> view_read(const ByteSliceView& view) noexcept;
/// A view lent to a callback (ptr NULL when empty, as libwasmvm passes it).
U8SliceView view_of(std::optional<ByteView> data) noexcept;

// ---- errors -----------------------------------------------------------------

/// libwasmvm's RustError kinds.
enum class CapiErrorKind : uint8_t {
  EmptyArg,     ///< "Empty argument: {msg}"
  InvalidUtf8,  ///< "Cannot decode UTF8 bytes into string: {msg}"
  Json,         ///< "Cannot serialize to / deserialize from JSON: {msg}"
  OutOfGas,     ///< "Ran out of gas"
  Panic,        ///< "Caught panic"
  UnsetArg,     ///< "Null/Nil argument: {msg}"
  Checksum,     ///< "Checksum not of length 32"
  VmErr,        ///< "Error calling the VM: {msg}"
};

/// An error of a C function, reported through error_msg and errno.
struct CapiError {
  CapiErrorKind kind = CapiErrorKind::VmErr;
  std::string msg;

  /// The text written to error_msg.
  std::string to_string() const;
  /// The errno value: OutOfGas for OutOfGas, Other for everything else.
  int errno_value() const noexcept;

  static CapiError empty_arg(std::string_view name) {
    return {CapiErrorKind::EmptyArg, std::string(name)};
  }
  static CapiError unset_arg(std::string_view name) {
    return {CapiErrorKind::UnsetArg, std::string(name)};
  }
  static CapiError json(std::string msg) { return {CapiErrorKind::Json, std::move(msg)}; }
  static CapiError panic() { return {CapiErrorKind::Panic, {}}; }
  static CapiError checksum() { return {CapiErrorKind::Checksum, {}}; }
  /// A VmError as libwasmvm converts it: GasDepletion becomes OutOfGas.
  static CapiError from_vm(const VmError& e);
  /// cosmwasm-vm's VmError::CacheErr ("Cache error: {msg}").
  static CapiError cache(std::string_view msg);
  /// Any other VmError text (e.g. "Hash doesn't match stored data").
  static CapiError vm(std::string text) { return {CapiErrorKind::VmErr, std::move(text)}; }
};

/// A value or a CapiError.
template <class T>
struct [[nodiscard]] CapiResult {
  std::optional<CapiError> error;
  T value{};
  bool ok() const noexcept { return !error.has_value(); }
  CapiResult() = default;
  CapiResult(T v) : value(std::move(v)) {}
  CapiResult(CapiError e) : error(std::move(e)) {}
};

/// The argument names libwasmvm's errors use (args.rs).
namespace arg {
inline constexpr std::string_view kConfig = "config";
inline constexpr std::string_view kCache = "cache";
inline constexpr std::string_view kWasm = "wasm";
inline constexpr std::string_view kChecksum = "checksum";
inline constexpr std::string_view kChecksums = "checksums";
inline constexpr std::string_view kGasReport = "gas_report";
inline constexpr std::string_view kArg1 = "arg1";
inline constexpr std::string_view kArg2 = "arg2";
inline constexpr std::string_view kArg3 = "arg3";
}  // namespace arg

/// Reads a checksum argument: nil is UnsetArg, a length other than 32 a Checksum error.
CapiResult<Checksum> read_checksum(const ByteSliceView& view);
/// Reads a message argument; nil is UnsetArg(name).
CapiResult<ByteView> read_arg(const ByteSliceView& view, std::string_view name);

/// Lowercase hex of a checksum (the stored file's name).
std::string checksum_hex(const Checksum& checksum);

// ---- errno ------------------------------------------------------------------

/// Reports the outcome of a C function: on success errno = ErrnoValue_Success
/// and error_msg stays untouched; on failure the message goes to *error_msg
/// (when not NULL) and errno is set. Call it last: nothing may run between it
/// and the return (cgo reads errno right after the call).
void report(const std::optional<CapiError>& error, UnmanagedVector* error_msg);

// ---- callbacks --------------------------------------------------------------

/// GoError::into_result: the callback's status as a BackendError (nullopt for
/// GoError_None), with the message from `error_msg` (at most 8 KiB, lossy
/// UTF-8) or, if that is None, from `default_message()`. Always consumes
/// `error_msg`.
std::optional<BackendError> go_error_to_backend(
    int32_t code,
    UnmanagedVector& error_msg,
    const std::function<std::string()>& default_message);

}  // namespace wvm::cosmwasm::capi
