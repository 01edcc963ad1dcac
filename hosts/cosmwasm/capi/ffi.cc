// Vectors, views, errors and errno for the C interface (libwasmvm's
// memory.rs, error/rust.rs, error/go.rs).
#include "hosts/cosmwasm/capi/ffi.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

namespace wvm::cosmwasm::capi {

// ---- vectors and views ------------------------------------------------------

// Invariant: a Some vector with cap > 0 owns a malloc'ed block of cap bytes;
// cap == 0 means no allocation (ptr NULL). destroy_unmanaged_vector and
// vector_consume free exactly that.
UnmanagedVector vector_some(ByteView data) {
  UnmanagedVector v{};
  v.is_none = false;
  if (data.empty())
    return v;  // ptr NULL, len 0, cap 0: Go's pointer checks dislike dangling pointers
  auto* block = static_cast<uint8_t*>(std::malloc(data.size()));
  if (block == nullptr)
    throw std::bad_alloc();  // caught at the C boundary: "Caught panic"
  std::memcpy(block, data.data(), data.size());
  v.ptr = block;
  v.len = data.size();
  v.cap = data.size();
  return v;
}

UnmanagedVector vector_none() noexcept {
  UnmanagedVector v{};
  v.is_none = true;
  return v;
}

std::optional<Bytes> vector_consume(UnmanagedVector& v) {
  UnmanagedVector taken = v;
  v = vector_none();
  if (taken.is_none)
    return std::nullopt;
  if (taken.cap == 0)
    return Bytes{};
  Bytes out(taken.ptr, taken.ptr + taken.len);
  std::free(taken.ptr);
  return out;
}

std::optional<ByteView> view_read(const ByteSliceView& view) noexcept {
  if (view.is_nil)
    return std::nullopt;
  if (view.len == 0)
    return ByteView{};  // Go passes ptr NULL for an empty, non-nil slice
  return ByteView(view.ptr, view.len);
}

U8SliceView view_of(std::optional<ByteView> data) noexcept {
  U8SliceView v{};
  if (!data) {
    v.is_none = true;
    return v;
  }
  v.is_none = false;
  if (!data->empty()) {
    v.ptr = data->data();
    v.len = data->size();
  }
  return v;
}

// ---- errors -----------------------------------------------------------------

std::string CapiError::to_string() const {
  switch (kind) {
    case CapiErrorKind::EmptyArg:
      return "Empty argument: " + msg;
    case CapiErrorKind::InvalidUtf8:
      return "Cannot decode UTF8 bytes into string: " + msg;
    case CapiErrorKind::Json:
      return "Cannot serialize to / deserialize from JSON: " + msg;
    case CapiErrorKind::OutOfGas:
      return "Ran out of gas";
    case CapiErrorKind::Panic:
      return "Caught panic";
    case CapiErrorKind::UnsetArg:
      return "Null/Nil argument: " + msg;
    case CapiErrorKind::Checksum:
      return "Checksum not of length 32";
    case CapiErrorKind::VmErr:
      return "Error calling the VM: " + msg;
  }
  return msg;
}

int CapiError::errno_value() const noexcept {
  return kind == CapiErrorKind::OutOfGas ? ErrnoValue_OutOfGas : ErrnoValue_Other;
}

CapiError CapiError::from_vm(const VmError& e) {
  if (e.kind == VmErrorKind::GasDepletion)
    return {CapiErrorKind::OutOfGas, {}};
  return {CapiErrorKind::VmErr, e.to_string()};
}

CapiError CapiError::cache(std::string_view msg) {
  return {CapiErrorKind::VmErr, "Cache error: " + std::string(msg)};
}

CapiResult<Checksum> read_checksum(const ByteSliceView& view) {
  std::optional<ByteView> data = view_read(view);
  if (!data)
    return CapiError::unset_arg(arg::kChecksum);
  if (data->size() != 32)
    return CapiError::checksum();
  Checksum out;
  std::memcpy(out.data(), data->data(), out.size());
  return out;
}

CapiResult<ByteView> read_arg(const ByteSliceView& view, std::string_view name) {
  std::optional<ByteView> data = view_read(view);
  if (!data)
    return CapiError::unset_arg(name);
  return *data;
}

std::string checksum_hex(const Checksum& checksum) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (uint8_t b : checksum) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

// ---- errno ------------------------------------------------------------------

void report(const std::optional<CapiError>& error, UnmanagedVector* error_msg) {
  if (!error) {
    errno = ErrnoValue_Success;
    return;
  }
  // The caller passed a None vector (or NULL, which libwasmvm tolerates).
  if (error_msg != nullptr) {
    try {
      *error_msg = vector_some(error->to_string());
    } catch (...) {
      *error_msg = vector_none();  // no memory for the message: errno still tells
    }
  }
  errno = error->errno_value();
}

// ---- callbacks --------------------------------------------------------------

std::optional<BackendError> go_error_to_backend(
    int32_t code,
    UnmanagedVector& error_msg,
    const std::function<std::string()>& default_message) {
  // Bounds an externally generated message.
  constexpr size_t kMaxErrorLength = 8 * 1024;
  std::optional<Bytes> message = vector_consume(error_msg);
  auto text = [&]() -> std::string {
    if (!message)
      return default_message();
    if (message->size() > kMaxErrorLength)
      message->resize(kMaxErrorLength);
    return utf8_lossy(*message);
  };
  switch (code) {
    case GoError_None:
      return std::nullopt;
    case GoError_Panic:
      return BackendError::foreign_panic();
    case GoError_BadArgument:
      return BackendError::bad_argument();
    case GoError_OutOfGas:
      return BackendError::out_of_gas();
    case GoError_User:
      return BackendError::user_err(text());
    default:  // GoError_CannotSerialize, GoError_Other and any unknown code
      return BackendError::unknown(text());
  }
}

}  // namespace wvm::cosmwasm::capi
