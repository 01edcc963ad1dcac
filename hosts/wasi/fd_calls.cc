// Calls on an open descriptor: reading, writing, seeking, stat, flags,
// rights, closing and renumbering, and listing a directory.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "hosts/wasi/state.h"

namespace wvm::wasi::calls {
namespace {

constexpr uint32_t kMaxIovecs = 1024;  // IOV_MAX: a longer list is a short transfer

// The entry for a read (or write) on `fd`: a directory or a descriptor the
// host opened without that mode is EBADF, a dropped right ENOTCAPABLE.
uint16_t io_fd(Call& c, uint32_t fd, bool write, uint64_t extra, FdEntry*& e) {
  e = c.s.entry(fd);
  if (e == nullptr || e->filetype == abi::kFiletypeDirectory) return abi::kBadf;
  if (write ? !e->host_writable : !e->host_readable) return abi::kBadf;
  const uint64_t need = (write ? abi::kRightFdWrite : abi::kRightFdRead) | extra;
  return (e->rights_base & need) == need ? abi::kSuccess : abi::kNotcapable;
}

// A descriptor for calls that make no sense on a directory (EBADF there).
uint16_t file_fd(Call& c, uint32_t fd, uint64_t rights, FdEntry*& e) {
  e = c.s.entry(fd);
  if (e == nullptr || e->filetype == abi::kFiletypeDirectory) return abi::kBadf;
  return (e->rights_base & rights) == rights ? abi::kSuccess : abi::kNotcapable;
}

// Checks the guest's iovec array and turns it into host iovecs.
uint16_t gather(Call& c, uint32_t iovs, uint32_t count, std::vector<struct iovec>& out,
                uint64_t& total) {
  if (!c.in_bounds(iovs, uint64_t{count} * abi::kIovecSize)) return abi::kFault;
  count = std::min(count, kMaxIovecs);
  out.resize(count);
  total = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t buf = 0, len = 0;
    c.load(iovs + i * abi::kIovecSize, buf);
    c.load(iovs + i * abi::kIovecSize + 4, len);
    uint8_t* p = c.span(buf, len);
    if (p == nullptr) return abi::kFault;
    out[i].iov_base = p;
    out[i].iov_len = len;
    total += len;
  }
  return abi::kSuccess;
}

enum class Io { Read, Write };

// readv/writev/preadv/pwritev over the guest's iovecs; stores the count at `count_ptr`.
uint16_t transfer(Call& c, const Value* a, Io io, bool positioned) {
  const uint32_t fd = a[0].as_i32();
  FdEntry* e;
  const uint64_t extra = positioned ? abi::kRightFdSeek : 0;
  if (uint16_t err = io_fd(c, fd, io == Io::Write, extra, e)) return err;
  const uint32_t count_ptr = positioned ? a[4].as_i32() : a[3].as_i32();
  if (!c.in_bounds(count_ptr, 4)) return abi::kFault;
  std::vector<struct iovec> iov;
  uint64_t total;
  if (uint16_t err = gather(c, a[1].as_i32(), a[2].as_i32(), iov, total)) return err;
  // Writes are charged for what they hand over, reads for what they get.
  if (io == Io::Write && !c.charge_bytes(total)) return abi::kFault;
  ssize_t n;
  if (positioned) {
    const int64_t off = static_cast<int64_t>(a[3].as_i64());
    if (off < 0) return abi::kInval;
    n = io == Io::Read ? preadv(e->host_fd, iov.data(), static_cast<int>(iov.size()), off)
                       : pwritev(e->host_fd, iov.data(), static_cast<int>(iov.size()), off);
  } else {
    n = io == Io::Read ? readv(e->host_fd, iov.data(), static_cast<int>(iov.size()))
                       : writev(e->host_fd, iov.data(), static_cast<int>(iov.size()));
  }
  if (n < 0) return errno_from_host(errno);
  if (io == Io::Read && !c.charge_bytes(static_cast<uint64_t>(n))) return abi::kFault;
  c.store<uint32_t>(count_ptr, static_cast<uint32_t>(n));
  return abi::kSuccess;
}

struct DirEntry {
  std::string name;
  uint64_t ino;
  uint8_t type;
};

uint8_t filetype_from_dtype(int dir_fd, const struct dirent* d) {
  switch (d->d_type) {
    case DT_REG: return abi::kFiletypeRegularFile;
    case DT_DIR: return abi::kFiletypeDirectory;
    case DT_LNK: return abi::kFiletypeSymbolicLink;
    case DT_CHR: return abi::kFiletypeCharacterDevice;
    case DT_BLK: return abi::kFiletypeBlockDevice;
    case DT_SOCK: return abi::kFiletypeSocketStream;
    default: {
      struct stat st;
      if (fstatat(dir_fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) return abi::kFiletypeUnknown;
      return filetype_from_mode(st.st_mode);
    }
  }
}

// Every entry of the directory, "." and ".." included (sorted by name in
// deterministic mode, so listings do not depend on the host file system).
uint16_t list_dir(int host_fd, bool sorted, std::vector<DirEntry>& out) {
  int fd = openat(host_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_from_host(errno);
  DIR* dir = fdopendir(fd);
  if (dir == nullptr) {
    int err = errno;
    close(fd);
    return errno_from_host(err);
  }
  errno = 0;
  while (const struct dirent* d = readdir(dir)) {
    out.push_back(DirEntry{d->d_name, d->d_ino, filetype_from_dtype(fd, d)});
  }
  const int err = errno;
  closedir(dir);
  if (err != 0) return errno_from_host(err);
  if (sorted) {
    std::sort(out.begin(), out.end(),
              [](const DirEntry& x, const DirEntry& y) { return x.name < y.name; });
  }
  return abi::kSuccess;
}

}  // namespace

uint16_t fd_read(Call& c, const Value* a) { return transfer(c, a, Io::Read, false); }
uint16_t fd_write(Call& c, const Value* a) { return transfer(c, a, Io::Write, false); }
uint16_t fd_pread(Call& c, const Value* a) { return transfer(c, a, Io::Read, true); }
uint16_t fd_pwrite(Call& c, const Value* a) { return transfer(c, a, Io::Write, true); }

uint16_t fd_advise(Call& c, const Value* a) {
  FdEntry* e;
  if (uint16_t err = file_fd(c, a[0].as_i32(), abi::kRightFdAdvise, e)) return err;
  static constexpr int kAdvice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                    POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
  const uint32_t advice = a[3].as_i32();
  if (advice >= 6) return abi::kInval;
  const int64_t off = static_cast<int64_t>(a[1].as_i64());
  const int64_t len = static_cast<int64_t>(a[2].as_i64());
  if (off < 0 || len < 0) return abi::kInval;
  return errno_from_host(posix_fadvise(e->host_fd, off, len, kAdvice[advice]));
}

uint16_t fd_allocate(Call& c, const Value* a) {
  FdEntry* e;
  if (uint16_t err = file_fd(c, a[0].as_i32(), abi::kRightFdAllocate, e)) return err;
  const int64_t off = static_cast<int64_t>(a[1].as_i64());
  const int64_t len = static_cast<int64_t>(a[2].as_i64());
  if (off < 0 || len <= 0) return abi::kInval;
  if (!e->host_writable) return abi::kBadf;
  return errno_from_host(posix_fallocate(e->host_fd, off, len));
}

uint16_t fd_close(Call& c, const Value* a) {
  const uint32_t fd = a[0].as_i32();
  if (c.s.entry(fd) == nullptr) return abi::kBadf;
  c.s.close_fd(fd);
  return abi::kSuccess;
}

uint16_t fd_datasync(Call& c, const Value* a) {
  FdEntry* e;
  if (uint16_t err = get_fd(c, a[0].as_i32(), abi::kRightFdDatasync, e)) return err;
  return fdatasync(e->host_fd) == 0 ? abi::kSuccess : errno_from_host(errno);
}

uint16_t fd_sync(Call& c, const Value* a) {
  FdEntry* e;
  if (uint16_t err = get_fd(c, a[0].as_i32(), abi::kRightFdSync, e)) return err;
  return fsync(e->host_fd) == 0 ? abi::kSuccess : errno_from_host(errno);
}

uint16_t fd_fdstat_get(Call& c, const Value* a) {
  FdEntry* e;
  if (uint16_t err = get_fd(c, a[0].as_i32(), 0, e)) return err;
  uint8_t* p = c.span(a[1].as_i32(), abi::kFdstatSize);
  if (p == nullptr) return abi::kFault;
  std::memset(p, 0, abi::kFdstatSize);
  p[0] = e->filetype;
  std::memcpy(p + 2, &e->fdflags, 2);
  std::memcpy(p + 8, &e->rights_base, 8);
  std::memcpy(p + 16, &e->rights_inheriting, 8);
  return abi::kSuccess;
}

uint16_t fd_fdstat_set_flags(Call& c, const Value* a) {
  FdEntry* e;
  if (uint16_t err = get_fd(c, a[0].as_i32(), abi::kRightFdFdstatSetFlags, e)) return err;
  const uint32_t flags = a[1].as_i32();
  if (flags & ~uint32_t{0x1f}) return abi::kInval;
  // The host cannot switch synchronous modes on an open descriptor.
  if (flags & (abi::kFdflagDsync | abi::kFdflagRsync | abi::kFdflagSync)) return abi::kNotsup;
  int fl = fcntl(e->host_fd, F_GETFL);
  if (fl < 0) return errno_from_host(errno);
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (flags & abi::kFdflagAppend) fl |= O_APPEND;
  if (flags & abi::kFdflagNonblock) fl |= O_NONBLOCK;
  if (fcntl(e->host_fd, F_SETFL, fl) != 0) return errno_from_host(errno);
  e->fdflags = static_cast<uint16_t>((e->fdflags & ~(abi::kFdflagAppend | abi::kFdflagNonblock)) |
                                     (flags & (abi::kFdflagAppend | abi::kFdflagNonblock)));
  return abi::kSuccess;
}

uint16_t fd_fdstat_set_rights(Call& c, const Value* a) {
  FdEntry* e;
  if (uint16_t err = get_fd(c, a[0].as_i32(), 0, e)) return err;
  const uint64_t base = a[1].as_i64(), inheriting = a[2].as_i64();
  // Rights can only be dropped, never gained back.
  if ((base & ~e->rights_base) != 0 || (inheriting & ~e->rights_inheriting) != 0) {
    return abi::kNotcapable;
  }
  e->rights_base = base;
  e->rights_inheriting = inheriting;
  return abi::kSuccess;
}

uint16_t fd_filestat_get(Call& c, const Value* a) {
  FdEntry* e;
  if (uint16_t err = get_fd(c, a[0].as_i32(), abi::kRightFdFilestatGet, e)) return err;
  struct stat st;
  if (fstat(e->host_fd, &st) != 0) return errno_from_host(errno);
  return store_filestat(c, a[1].as_i32(), st) ? abi::kSuccess : abi::kFault;
}

uint16_t fd_filestat_set_size(Call& c, const Value* a) {
  FdEntry* e;
  if (uint16_t err = file_fd(c, a[0].as_i32(), abi::kRightFdFilestatSetSize, e)) return err;
  const int64_t size = static_cast<int64_t>(a[1].as_i64());
  if (size < 0) return abi::kInval;
  if (!e->host_writable) return abi::kBadf;
  return ftruncate(e->host_fd, size) == 0 ? abi::kSuccess : errno_from_host(errno);
}

uint16_t fd_filestat_set_times(Call& c, const Value* a) {
  FdEntry* e;
  if (uint16_t err = get_fd(c, a[0].as_i32(), abi::kRightFdFilestatSetTimes, e)) return err;
  struct timespec times[2];
  if (uint16_t err = make_times(a[1].as_i64(), a[2].as_i64(), a[3].as_i32(), times)) return err;
  return futimens(e->host_fd, times) == 0 ? abi::kSuccess : errno_from_host(errno);
}

uint16_t fd_prestat_get(Call& c, const Value* a) {
  FdEntry* e = c.s.entry(a[0].as_i32());
  if (e == nullptr || !e->preopen) return abi::kBadf;
  uint8_t* p = c.span(a[1].as_i32(), abi::kPrestatSize);
  if (p == nullptr) return abi::kFault;
  std::memset(p, 0, abi::kPrestatSize);
  p[0] = abi::kPreopenDir;
  const uint32_t len = static_cast<uint32_t>(e->preopen_name.size());
  std::memcpy(p + 4, &len, 4);
  return abi::kSuccess;
}

uint16_t fd_prestat_dir_name(Call& c, const Value* a) {
  FdEntry* e = c.s.entry(a[0].as_i32());
  if (e == nullptr || !e->preopen) return abi::kBadf;
  const uint32_t len = a[2].as_i32();
  if (len < e->preopen_name.size()) return abi::kNametoolong;
  uint8_t* p = c.span(a[1].as_i32(), e->preopen_name.size());
  if (p == nullptr) return abi::kFault;
  std::memcpy(p, e->preopen_name.data(), e->preopen_name.size());
  return abi::kSuccess;
}

uint16_t fd_readdir(Call& c, const Value* a) {
  FdEntry* e = c.s.entry(a[0].as_i32());
  if (e == nullptr) return abi::kBadf;
  if (e->filetype != abi::kFiletypeDirectory) return abi::kNotdir;
  if ((e->rights_base & abi::kRightFdReaddir) == 0) return abi::kNotcapable;
  const uint32_t buf = a[1].as_i32(), buf_len = a[2].as_i32(), used_ptr = a[4].as_i32();
  uint8_t* out = c.span(buf, buf_len);
  if (out == nullptr || !c.in_bounds(used_ptr, 4)) return abi::kFault;
  std::vector<DirEntry> entries;
  if (uint16_t err = list_dir(e->host_fd, c.s.options.deterministic, entries)) return err;
  // The cookie is the index of the next entry; the guest asks again with a
  // bigger buffer when the last entry did not fit.
  const uint64_t cookie = a[3].as_i64();
  uint32_t used = 0;
  for (uint64_t i = cookie; i < entries.size() && used < buf_len; ++i) {
    const DirEntry& d = entries[i];
    uint8_t header[abi::kDirentSize] = {};
    const uint64_t next = i + 1;
    const uint32_t namlen = static_cast<uint32_t>(d.name.size());
    std::memcpy(header, &next, 8);
    std::memcpy(header + 8, &d.ino, 8);
    std::memcpy(header + 16, &namlen, 4);
    header[20] = d.type;
    uint32_t n = std::min<uint32_t>(abi::kDirentSize, buf_len - used);
    std::memcpy(out + used, header, n);
    used += n;
    n = std::min<uint32_t>(namlen, buf_len - used);
    std::memcpy(out + used, d.name.data(), n);
    used += n;
  }
  if (!c.charge_bytes(used)) return abi::kFault;
  c.store<uint32_t>(used_ptr, used);
  return abi::kSuccess;
}

uint16_t fd_renumber(Call& c, const Value* a) {
  const uint32_t from = a[0].as_i32(), to = a[1].as_i32();
  if (c.s.entry(from) == nullptr || c.s.entry(to) == nullptr) return abi::kBadf;
  if (from == to) return abi::kSuccess;
  c.s.close_fd(to);
  c.s.fds[to] = std::move(c.s.fds[from]);
  c.s.fds[from] = FdEntry{};
  return abi::kSuccess;
}

uint16_t fd_seek(Call& c, const Value* a) {
  const int64_t offset = static_cast<int64_t>(a[1].as_i64());
  const uint32_t whence = a[2].as_i32();
  const uint64_t right =
      offset == 0 && whence == abi::kWhenceCur ? abi::kRightFdTell : abi::kRightFdSeek;
  FdEntry* e;
  if (uint16_t err = file_fd(c, a[0].as_i32(), 0, e)) return err;
  if ((e->rights_base & (right | abi::kRightFdSeek)) == 0) return abi::kNotcapable;
  int how;
  switch (whence) {
    case abi::kWhenceSet: how = SEEK_SET; break;
    case abi::kWhenceCur: how = SEEK_CUR; break;
    case abi::kWhenceEnd: how = SEEK_END; break;
    default: return abi::kInval;
  }
  if (!c.in_bounds(a[3].as_i32(), 8)) return abi::kFault;
  const off_t pos = lseek(e->host_fd, offset, how);
  if (pos < 0) return errno_from_host(errno);
  c.store<uint64_t>(a[3].as_i32(), static_cast<uint64_t>(pos));
  return abi::kSuccess;
}

uint16_t fd_tell(Call& c, const Value* a) {
  FdEntry* e;
  if (uint16_t err = file_fd(c, a[0].as_i32(), abi::kRightFdTell, e)) return err;
  if (!c.in_bounds(a[1].as_i32(), 8)) return abi::kFault;
  const off_t pos = lseek(e->host_fd, 0, SEEK_CUR);
  if (pos < 0) return errno_from_host(errno);
  c.store<uint64_t>(a[1].as_i32(), static_cast<uint64_t>(pos));
  return abi::kSuccess;
}

}  // namespace wvm::wasi::calls
