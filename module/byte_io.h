// Little-endian writing and bounds-checked reading of serialized modules.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace wvm {

/// Appends fixed-width little-endian values (wvm runs on little-endian hosts only).
class ByteWriter {
 public:
  explicit ByteWriter(std::vector<uint8_t>& out) : out_(out) {}
  void u8(uint8_t v) { out_.push_back(v); }
  void u32(uint32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void raw(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  /// A u32 length, then the bytes.
  void bytes(const void* p, size_t n) {
    u32(static_cast<uint32_t>(n));
    raw(p, n);
  }
  void str(const std::string& s) { bytes(s.data(), s.size()); }
  size_t size() const noexcept { return out_.size(); }

 private:
  std::vector<uint8_t>& out_;
};

/// Reads what ByteWriter wrote. Every read checks the bytes left; after the
/// first failure all reads fail (ok() is false) and return zeros.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  bool ok() const noexcept { return ok_; }
  size_t left() const noexcept { return static_cast<size_t>(end_ - p_); }
  uint8_t u8() {
    uint8_t v = 0;
    raw(&v, 1);
    return v;
  }
  uint32_t u32() {
    uint32_t v = 0;
    raw(&v, 4);
    return v;
  }
  uint64_t u64() {
    uint64_t v = 0;
    raw(&v, 8);
    return v;
  }
  void raw(void* out, size_t n) {
    // n == 0 may come with out == nullptr (an empty vector's data()), which
    // memcpy must not be given even for no bytes.
    if (const uint8_t* p = take(n); p != nullptr && n != 0) std::memcpy(out, p, n);
  }
  /// `n` bytes in place, or nullptr (and the reader fails) if fewer are left.
  const uint8_t* take(size_t n) {
    if (!ok_ || n > left()) {
      ok_ = false;
      return nullptr;
    }
    const uint8_t* p = p_;
    p_ += n;
    return p;
  }
  /// A u32 length and that many bytes, in place (nullptr on failure).
  const uint8_t* bytes(uint32_t* size) {
    *size = u32();
    return take(*size);
  }
  std::string str() {
    uint32_t n = 0;
    const uint8_t* p = bytes(&n);
    return p ? std::string(reinterpret_cast<const char*>(p), n) : std::string();
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
  bool ok_ = true;
};

}  // namespace wvm
