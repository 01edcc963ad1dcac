// Translations between the host (POSIX) and WASI: errno values, file types,
// filestat, and reading a guest path.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "hosts/wasi/state.h"

namespace wvm::wasi {

uint16_t errno_from_host(int e) noexcept {
  switch (e) {
    case 0: return abi::kSuccess;
    case E2BIG: return abi::k2Big;
    case EACCES: return abi::kAcces;
    case EAGAIN: return abi::kAgain;
    case EBADF: return abi::kBadf;
    case EBUSY: return abi::kBusy;
    case EEXIST: return abi::kExist;
    case EFAULT: return abi::kFault;
    case EFBIG: return abi::kFbig;
    case EILSEQ: return abi::kIlseq;
    case EINTR: return abi::kIntr;
    case EINVAL: return abi::kInval;
    case EIO: return abi::kIo;
    case EISDIR: return abi::kIsdir;
    case ELOOP: return abi::kLoop;
    case EMFILE: return abi::kMfile;
    case EMLINK: return abi::kMlink;
    case ENAMETOOLONG: return abi::kNametoolong;
    case ENFILE: return abi::kNfile;
    case ENOENT: return abi::kNoent;
    case ENOMEM: return abi::kNomem;
    case ENOSPC: return abi::kNospc;
    case ENOSYS: return abi::kNosys;
    case ENOTDIR: return abi::kNotdir;
    case ENOTEMPTY: return abi::kNotempty;
    case ENOTSOCK: return abi::kNotsock;
    case EOPNOTSUPP: return abi::kNotsup;
    case ENOTTY: return abi::kNotty;
    case ENXIO: return abi::kNxio;
    case EOVERFLOW: return abi::kOverflow;
    case EPERM: return abi::kPerm;
    case EPIPE: return abi::kPipe;
    case EROFS: return abi::kRofs;
    case ESPIPE: return abi::kSpipe;
    case ETXTBSY: return abi::kTxtbsy;
    case EXDEV: return abi::kXdev;
    default: return abi::kIo;
  }
}

uint8_t filetype_from_mode(uint32_t mode) noexcept {
  switch (mode & S_IFMT) {
    case S_IFREG: return abi::kFiletypeRegularFile;
    case S_IFDIR: return abi::kFiletypeDirectory;
    case S_IFLNK: return abi::kFiletypeSymbolicLink;
    case S_IFCHR: return abi::kFiletypeCharacterDevice;
    case S_IFBLK: return abi::kFiletypeBlockDevice;
    case S_IFSOCK: return abi::kFiletypeSocketStream;
    default: return abi::kFiletypeUnknown;
  }
}

namespace {
constexpr uint32_t kMaxPathBytes = 1u << 16;

uint64_t timespec_ns(const struct timespec& t) {
  return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(t.tv_nsec);
}
}  // namespace

bool store_filestat(Call& c, uint32_t ptr, const struct stat& st) noexcept {
  uint8_t* p = c.span(ptr, abi::kFilestatSize);
  if (p == nullptr) return false;
  std::memset(p, 0, abi::kFilestatSize);
  auto put64 = [p](uint32_t off, uint64_t v) { std::memcpy(p + off, &v, 8); };
  put64(0, st.st_dev);
  put64(8, st.st_ino);
  p[16] = filetype_from_mode(st.st_mode);
  put64(24, st.st_nlink);
  put64(32, static_cast<uint64_t>(st.st_size));
  put64(40, timespec_ns(st.st_atim));
  put64(48, timespec_ns(st.st_mtim));
  put64(56, timespec_ns(st.st_ctim));
  return true;
}

uint16_t read_path(Call& c, uint32_t ptr, uint32_t len, std::string& out) noexcept {
  const uint8_t* p = c.span(ptr, len);
  if (p == nullptr) return abi::kFault;
  // No host resolves a path this long; refusing it bounds the copy.
  if (len > kMaxPathBytes) return abi::kNametoolong;
  if (!c.charge_bytes(len)) return abi::kFault;
  if (std::memchr(p, 0, len) != nullptr) return abi::kIlseq;
  try {
    out.assign(reinterpret_cast<const char*>(p), len);
  } catch (const std::bad_alloc&) {
    return abi::kNomem;
  }
  return abi::kSuccess;
}

}  // namespace wvm::wasi

namespace wvm::wasi {

uint16_t make_times(uint64_t atim, uint64_t mtim, uint32_t flags, struct timespec out[2]) noexcept {
  if ((flags & ~uint32_t{0xf}) != 0) return abi::kInval;
  if ((flags & abi::kFstAtim) && (flags & abi::kFstAtimNow)) return abi::kInval;
  if ((flags & abi::kFstMtim) && (flags & abi::kFstMtimNow)) return abi::kInval;
  auto one = [](uint64_t ns, bool set, bool now, struct timespec& t) {
    t.tv_sec = 0;
    t.tv_nsec = UTIME_OMIT;
    if (now) {
      t.tv_nsec = UTIME_NOW;
    } else if (set) {
      t.tv_sec = static_cast<time_t>(ns / 1'000'000'000ull);
      t.tv_nsec = static_cast<long>(ns % 1'000'000'000ull);
    }
  };
  one(atim, flags & abi::kFstAtim, flags & abi::kFstAtimNow, out[0]);
  one(mtim, flags & abi::kFstMtim, flags & abi::kFstMtimNow, out[1]);
  return abi::kSuccess;
}

uint16_t get_fd(Call& c, uint32_t fd, uint64_t rights, FdEntry*& out) noexcept {
  out = c.s.entry(fd);
  if (out == nullptr) return abi::kBadf;
  if ((out->rights_base & rights) != rights) return abi::kNotcapable;
  return abi::kSuccess;
}

}  // namespace wvm::wasi
