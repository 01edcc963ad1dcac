// Reader's out-of-line parts: names and UTF-8 validation.
#include "module/reader.h"

namespace wvm {

bool Reader::name(std::string* out, uint32_t max_bytes) {
  const size_t start = pos_;
  uint32_t n;
  if (!u32(&n)) return false;
  // Like the reference interpreter, a length is "out of bounds" when it exceeds
  // what is left counting from the length field itself; a length that passes
  // this but not the real bounds check below is an "unexpected end".
  if (n > end_ - start) return fail(ErrorKind::Malformed, start, "length out of bounds");
  if (n > max_bytes) {
    return fail(ErrorKind::LimitExceeded, start,
                "name of " + std::to_string(n) + " bytes exceeds the limit of " +
                    std::to_string(max_bytes));
  }
  const uint8_t* p = nullptr;
  if (!bytes(n, &p)) return false;
  if (!is_valid_utf8(p, n)) return fail(ErrorKind::Malformed, start, "malformed UTF-8 encoding");
  out->assign(reinterpret_cast<const char*>(p), n);
  return true;
}

bool is_valid_utf8(const uint8_t* p, size_t n) noexcept {
  size_t i = 0;
  while (i < n) {
    const uint8_t b = p[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    uint32_t min;
    if ((b & 0xe0) == 0xc0) {
      len = 2, cp = b & 0x1f, min = 0x80;
    } else if ((b & 0xf0) == 0xe0) {
      len = 3, cp = b & 0x0f, min = 0x800;
    } else if ((b & 0xf8) == 0xf0) {
      len = 4, cp = b & 0x07, min = 0x10000;
    } else {
      return false;  // a continuation byte or 0xf8..0xff as a lead byte
    }
    if (n - i < len) return false;  // truncated sequence
    for (size_t k = 1; k < len; ++k) {
      const uint8_t c = p[i + k];
      if ((c & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min) return false;                      // overlong
    if (cp >= 0xd800 && cp <= 0xdfff) return false;  // surrogate
    if (cp > 0x10ffff) return false;
    i += len;
  }
  return true;
}

}  // namespace wvm
