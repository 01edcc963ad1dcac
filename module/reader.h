// A bounds-checked cursor over module bytes with LEB128 decoding. Every read
// checks the end; a failed read records one Error (kind, offset, message) and
// makes every later read fail too, so callers may check once per item.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "wvm/types.h"

namespace wvm {

class Reader {
 public:
  /// Reads [begin, end) of `base`; offsets in errors are relative to `base`.
  Reader(const uint8_t* base, size_t begin, size_t end) noexcept
      : base_(base), pos_(begin), end_(end) {}

  size_t pos() const noexcept { return pos_; }
  size_t end() const noexcept { return end_; }
  size_t remaining() const noexcept { return end_ - pos_; }
  bool at_end() const noexcept { return pos_ >= end_; }
  bool ok() const noexcept { return !failed_; }
  const Error& error() const noexcept { return error_; }
  const uint8_t* base() const noexcept { return base_; }
  void seek(size_t pos) noexcept { pos_ = pos; }

  /// Records the first error; returns false so callers can `return r.fail(...)`.
  bool fail(ErrorKind kind, size_t offset, std::string message) {
    if (!failed_) {
      failed_ = true;
      error_ = Error{kind, offset, std::move(message), TrapKind::None};
    }
    pos_ = end_;
    return false;
  }
  bool fail(std::string message) { return fail(ErrorKind::Malformed, pos_, std::move(message)); }

  [[gnu::always_inline]] bool u8(uint8_t* out) {
    if (pos_ >= end_) [[unlikely]] return fail_end();
    *out = base_[pos_++];
    return true;
  }
  [[gnu::noinline]] bool fail_end() { return fail("unexpected end"); }

  bool bytes(size_t n, const uint8_t** out) {
    if (n > remaining()) return fail("unexpected end");
    *out = base_ + pos_;
    pos_ += n;
    return true;
  }

  bool fixed_u32(uint32_t* out) {
    if (remaining() < 4) return fail("unexpected end");
    std::memcpy(out, base_ + pos_, 4);
    pos_ += 4;
    return true;
  }
  bool fixed_u64(uint64_t* out) {
    if (remaining() < 8) return fail("unexpected end");
    std::memcpy(out, base_ + pos_, 8);
    pos_ += 8;
    return true;
  }

  [[gnu::always_inline]] bool u32(uint32_t* out) {
    if (pos_ < end_ && base_[pos_] < 0x80) {  // one byte, the common case
      *out = base_[pos_++];
      return true;
    }
    uint64_t v = 0;
    if (!leb_unsigned(32, &v)) return false;
    *out = static_cast<uint32_t>(v);
    return true;
  }
  bool u64(uint64_t* out) { return leb_unsigned(64, out); }
  bool s32(int32_t* out) {
    int64_t v = 0;
    if (!signed_fast(32, &v)) return false;
    *out = static_cast<int32_t>(v);
    return true;
  }
  bool s33(int64_t* out) { return signed_fast(33, out); }
  bool s64(int64_t* out) { return signed_fast(64, out); }

  /// A length-prefixed UTF-8 name, validated.
  bool name(std::string* out, uint32_t max_bytes);

  /// Fast path for the common one-byte LEB; used by the function-body decoder.
  [[gnu::always_inline]] bool u32_fast(uint32_t* out) {
    if (pos_ < end_ && base_[pos_] < 0x80) {
      *out = base_[pos_++];
      return true;
    }
    return u32(out);
  }

 private:
  [[gnu::noinline]] bool leb_unsigned(unsigned bits, uint64_t* out) {
    const size_t start = pos_;
    uint64_t result = 0;
    unsigned shift = 0;
    for (;;) {
      if (pos_ >= end_) return fail(ErrorKind::Malformed, pos_, "unexpected end (LEB128)");
      uint8_t b = base_[pos_++];
      const unsigned max_bytes = (bits + 6) / 7;
      if (shift / 7 + 1 == max_bytes) {
        // Last byte: no continuation, and unused bits must be zero.
        const unsigned used = bits - shift;
        if ((b & 0x80) != 0)
          return fail(ErrorKind::Malformed, start, "integer representation too long");
        if (used < 7 && (b >> used) != 0)
          return fail(ErrorKind::Malformed, start, "integer too large");
        result |= static_cast<uint64_t>(b) << shift;
        break;
      }
      result |= static_cast<uint64_t>(b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) == 0) break;
    }
    *out = result;
    return true;
  }

  // One byte inline (small constants, the common case: bit 6 is the sign);
  // longer ones out of line.
  [[gnu::always_inline]] bool signed_fast(unsigned bits, int64_t* out) {
    if (pos_ < end_ && base_[pos_] < 0x80) {
      const uint8_t b = base_[pos_++];
      *out = static_cast<int64_t>(b & 0x40 ? uint64_t{b} | ~uint64_t{0x7f} : uint64_t{b});
      return true;
    }
    return leb_signed(bits, out);
  }
  [[gnu::noinline]] bool leb_signed(unsigned bits, int64_t* out) {
    const size_t start = pos_;
    uint64_t result = 0;
    unsigned shift = 0;
    uint8_t b = 0;
    for (;;) {
      if (pos_ >= end_) return fail(ErrorKind::Malformed, pos_, "unexpected end (LEB128)");
      b = base_[pos_++];
      const unsigned max_bytes = (bits + 6) / 7;
      if (shift / 7 + 1 == max_bytes) {
        // Last byte: no continuation; the unused bits must sign-extend the used ones.
        const unsigned used = bits - shift;  // 1..7 bits of this byte are significant
        if ((b & 0x80) != 0)
          return fail(ErrorKind::Malformed, start, "integer representation too long");
        if (used < 7) {
          // The 7 payload bits sign-extended must equal the `used` low bits sign-extended.
          const int8_t sb = static_cast<int8_t>(b << 1) >> 1;
          const int8_t ext = static_cast<int8_t>(b << (8 - used)) >> (8 - used);
          if (sb != ext) return fail(ErrorKind::Malformed, start, "integer too large");
        }
        result |= static_cast<uint64_t>(b & 0x7f) << shift;
        shift += 7;
        break;
      }
      result |= static_cast<uint64_t>(b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) == 0) break;
    }
    if (shift < 64 && (b & 0x40)) result |= ~uint64_t{0} << shift;
    *out = static_cast<int64_t>(result);
    return true;
  }

  const uint8_t* base_;
  size_t pos_;
  size_t end_;
  bool failed_ = false;
  Error error_;
};

/// True if [p, p+n) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool is_valid_utf8(const uint8_t* p, size_t n) noexcept;

}  // namespace wvm
