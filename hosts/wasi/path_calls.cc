// Calls that name a path below a directory descriptor: open, stat, times,
// create and remove, link, rename, symlink and readlink. Every path goes
// through resolve_path (path_resolve.cc); the kernel then sees one name in a
// directory we hold, with symlink following off.
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "hosts/wasi/path_resolve.h"

namespace wvm::wasi::calls {
namespace {

// The directory entry for a path call on `fd` holding `rights`.
uint16_t dir_fd(Call& c, uint32_t fd, uint64_t rights, FdEntry*& e) {
  e = c.s.entry(fd);
  if (e == nullptr) return abi::kBadf;
  if (e->filetype != abi::kFiletypeDirectory) return abi::kNotdir;
  return (e->rights_base & rights) == rights ? abi::kSuccess : abi::kNotcapable;
}

// Reads the guest path and resolves it below `e`.
uint16_t resolve(Call& c, const FdEntry& e, uint32_t ptr, uint32_t len, LastComponent last,
                 Resolved& out) {
  std::string path;
  if (uint16_t err = read_path(c, ptr, len, path)) return err;
  return resolve_path(e.host_fd, path, last, out);
}

// The directory `fd` (holding `rights`) and the guest path at [ptr, ptr+len) resolved below it.
uint16_t resolve_at(Call& c, uint32_t fd, uint64_t rights, uint32_t ptr, uint32_t len,
                    LastComponent last, Resolved& out) {
  FdEntry* dir;
  if (uint16_t err = dir_fd(c, fd, rights, dir)) return err;
  return resolve(c, *dir, ptr, len, last, out);
}

LastComponent follow_mode(uint32_t lookup_flags) {
  return (lookup_flags & abi::kLookupSymlinkFollow) ? LastComponent::Follow
                                                    : LastComponent::NoFollow;
}

uint16_t result(int rc) { return rc == 0 ? abi::kSuccess : errno_from_host(errno); }

// A call (fd, path, path_len) that works on the name in its parent.
template <class Op>
uint16_t on_name(Call& c, const Value* a, uint64_t rights, Op op) {
  Resolved r;
  if (uint16_t err = resolve_at(c, a[0].as_i32(), rights, a[1].as_i32(), a[2].as_i32(),
                                LastComponent::Create, r)) {
    return err;
  }
  return result(op(r.dir_fd, r.name.c_str()));
}

constexpr uint64_t kWriteModeRights =
    abi::kRightFdWrite | abi::kRightFdAllocate | abi::kRightFdFilestatSetSize;

}  // namespace

uint16_t path_open(Call& c, const Value* a) {
  const uint32_t oflags = a[4].as_i32(), fdflags = a[7].as_i32(), fd_ptr = a[8].as_i32();
  const uint64_t want_base = a[5].as_i64();
  uint64_t need = abi::kRightPathOpen;
  if (oflags & abi::kOflagCreat) need |= abi::kRightPathCreateFile;
  if (oflags & abi::kOflagTrunc) need |= abi::kRightPathFilestatSetSize;
  FdEntry* dir;
  if (uint16_t err = dir_fd(c, a[0].as_i32(), need, dir)) return err;
  if (!c.in_bounds(fd_ptr, 4)) return abi::kFault;
  if (oflags & ~uint32_t{0xf}) return abi::kInval;
  // The requested rights choose the host open mode; write needs the
  // directory to pass write rights on (a read-only preopen never does).
  const bool write = (want_base & kWriteModeRights) != 0 || (fdflags & abi::kFdflagAppend) ||
                     (oflags & abi::kOflagTrunc);
  const bool read = (want_base & (abi::kRightFdRead | abi::kRightFdReaddir)) != 0 || !write;
  if (write && ((dir->rights_inheriting & abi::kRightFdWrite) == 0 || dir->read_only)) {
    return abi::kNotcapable;
  }
  int flags = O_CLOEXEC | O_NOFOLLOW | (read && write ? O_RDWR : write ? O_WRONLY : O_RDONLY);
  if (oflags & abi::kOflagCreat) flags |= O_CREAT;
  if (oflags & abi::kOflagDirectory) flags |= O_DIRECTORY;
  if (oflags & abi::kOflagExcl) flags |= O_EXCL;
  if (oflags & abi::kOflagTrunc) flags |= O_TRUNC;
  if (fdflags & abi::kFdflagAppend) flags |= O_APPEND;
  if (fdflags & abi::kFdflagNonblock) flags |= O_NONBLOCK;
  if (fdflags & abi::kFdflagDsync) flags |= O_DSYNC;
  if (fdflags & (abi::kFdflagSync | abi::kFdflagRsync)) flags |= O_SYNC;

  Resolved r;
  if (uint16_t err = resolve(c, *dir, a[2].as_i32(), a[3].as_i32(), follow_mode(a[1].as_i32()), r)) {
    return err;
  }
  int fd = openat(r.dir_fd, r.name.c_str(), flags, 0666);
  if (fd < 0 && errno == EACCES && !write && (oflags & abi::kOflagDirectory)) {
    // A directory we may not list can still serve as a base for paths.
    fd = openat(r.dir_fd, r.name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0) return errno_from_host(errno);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    close(fd);
    return errno_from_host(err);
  }
  FdEntry e;
  e.host_fd = fd;
  e.filetype = filetype_from_mode(st.st_mode);
  e.read_only = dir->read_only;
  e.host_readable = read;
  e.host_writable = write;
  e.fdflags = static_cast<uint16_t>(fdflags & 0x1f);
  if (e.filetype == abi::kFiletypeDirectory) {
    e.rights_base = abi::kDirRights & dir->rights_inheriting;
    e.rights_inheriting = dir->rights_inheriting;
  } else {
    uint64_t rights = abi::kFileRights & dir->rights_inheriting;
    if (!read) rights &= ~abi::kRightFdRead;
    if (!write) rights &= ~kWriteModeRights;
    e.rights_base = rights;
    e.rights_inheriting = 0;
  }
  uint32_t guest_fd;
  if (uint16_t err = c.s.add_fd(std::move(e), guest_fd)) return err;
  c.store<uint32_t>(fd_ptr, guest_fd);
  return abi::kSuccess;
}

uint16_t path_create_directory(Call& c, const Value* a) {
  return on_name(c, a, abi::kRightPathCreateDirectory, [](int dir, const char* name) { return mkdirat(dir, name, 0777); });
}

uint16_t path_filestat_get(Call& c, const Value* a) {
  if (!c.in_bounds(a[4].as_i32(), abi::kFilestatSize)) return abi::kFault;
  Resolved r;
  if (uint16_t err = resolve_at(c, a[0].as_i32(), abi::kRightPathFilestatGet, a[2].as_i32(),
                                a[3].as_i32(), follow_mode(a[1].as_i32()), r)) {
    return err;
  }
  struct stat st;
  if (fstatat(r.dir_fd, r.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno_from_host(errno);
  store_filestat(c, a[4].as_i32(), st);
  return abi::kSuccess;
}

uint16_t path_filestat_set_times(Call& c, const Value* a) {
  struct timespec times[2];
  if (uint16_t err = make_times(a[4].as_i64(), a[5].as_i64(), a[6].as_i32(), times)) return err;
  Resolved r;
  if (uint16_t err = resolve_at(c, a[0].as_i32(), abi::kRightPathFilestatSetTimes, a[2].as_i32(),
                                a[3].as_i32(), follow_mode(a[1].as_i32()), r)) {
    return err;
  }
  return result(utimensat(r.dir_fd, r.name.c_str(), times, AT_SYMLINK_NOFOLLOW));
}

uint16_t path_link(Call& c, const Value* a) {
  Resolved old_r, new_r;
  if (uint16_t err = resolve_at(c, a[0].as_i32(), abi::kRightPathLinkSource, a[2].as_i32(),
                                a[3].as_i32(), follow_mode(a[1].as_i32()), old_r)) {
    return err;
  }
  if (uint16_t err = resolve_at(c, a[4].as_i32(), abi::kRightPathLinkTarget, a[5].as_i32(),
                                a[6].as_i32(), LastComponent::Create, new_r)) {
    return err;
  }
  return result(linkat(old_r.dir_fd, old_r.name.c_str(), new_r.dir_fd, new_r.name.c_str(), 0));
}

uint16_t path_readlink(Call& c, const Value* a) {
  const uint32_t buf = a[3].as_i32(), buf_len = a[4].as_i32(), used_ptr = a[5].as_i32();
  uint8_t* out = c.span(buf, buf_len);
  if (out == nullptr || !c.in_bounds(used_ptr, 4)) return abi::kFault;
  Resolved r;
  if (uint16_t err = resolve_at(c, a[0].as_i32(), abi::kRightPathReadlink, a[1].as_i32(),
                                a[2].as_i32(), LastComponent::NoFollow, r)) {
    return err;
  }
  std::string target(PATH_MAX + 1, '\0');
  const ssize_t n = readlinkat(r.dir_fd, r.name.c_str(), target.data(), target.size());
  if (n < 0) return errno_from_host(errno);
  const uint32_t used = std::min<uint32_t>(static_cast<uint32_t>(n), buf_len);
  if (!c.charge_bytes(used)) return abi::kFault;
  std::memcpy(out, target.data(), used);
  c.store<uint32_t>(used_ptr, used);
  return abi::kSuccess;
}

uint16_t path_remove_directory(Call& c, const Value* a) {
  return on_name(c, a, abi::kRightPathRemoveDirectory, [](int dir, const char* name) { return unlinkat(dir, name, AT_REMOVEDIR); });
}

uint16_t path_rename(Call& c, const Value* a) {
  Resolved old_r, new_r;
  if (uint16_t err = resolve_at(c, a[0].as_i32(), abi::kRightPathRenameSource, a[1].as_i32(),
                                a[2].as_i32(), LastComponent::Create, old_r)) {
    return err;
  }
  if (uint16_t err = resolve_at(c, a[3].as_i32(), abi::kRightPathRenameTarget, a[4].as_i32(),
                                a[5].as_i32(), LastComponent::Create, new_r)) {
    return err;
  }
  return result(renameat(old_r.dir_fd, old_r.name.c_str(), new_r.dir_fd, new_r.name.c_str()));
}

uint16_t path_symlink(Call& c, const Value* a) {
  std::string target;
  if (uint16_t err = read_path(c, a[0].as_i32(), a[1].as_i32(), target)) return err;
  Resolved r;
  if (uint16_t err = resolve_at(c, a[2].as_i32(), abi::kRightPathSymlink, a[3].as_i32(),
                                a[4].as_i32(), LastComponent::Create, r)) {
    return err;
  }
  if (target.empty()) return abi::kNoent;
  // A link that names a place outside the preopen is refused when made,
  // not only when followed: other programs on the host may follow it.
  if (target.front() == '/') return abi::kPerm;
  int64_t depth = static_cast<int64_t>(r.held.size());
  for (size_t i = 0; i < target.size();) {
    const size_t slash = target.find('/', i);
    const size_t end = slash == std::string::npos ? target.size() : slash;
    const std::string_view part(target.data() + i, end - i);
    if (part == "..") {
      if (--depth < 0) return abi::kPerm;
    } else if (!part.empty() && part != ".") {
      ++depth;
    }
    i = end + 1;
  }
  return result(symlinkat(target.c_str(), r.dir_fd, r.name.c_str()));
}

uint16_t path_unlink_file(Call& c, const Value* a) {
  return on_name(c, a, abi::kRightPathUnlinkFile, [](int dir, const char* name) { return unlinkat(dir, name, 0); });
}

}  // namespace wvm::wasi::calls
