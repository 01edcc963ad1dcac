// Path resolution below a directory descriptor, component by component.
//
// Capability safety rests here: every directory on the way is opened with
// O_NOFOLLOW relative to the one before (so a component swapped for a
// symlink after a check is refused by the kernel, not followed), ".." pops
// the stack of directories we opened (never asks the kernel to climb, so it
// cannot pass above the base), and every symlink is read and spliced in by
// this code, refusing absolute targets. The kernel only ever sees a single
// name in a directory we hold.
#include "hosts/wasi/path_resolve.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>

namespace wvm::wasi {
namespace {

constexpr int kMaxSymlinks = 32;

void split_into(std::string_view path, std::deque<std::string>& out, size_t at) {
  std::deque<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    const size_t slash = path.find('/', i);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > i) parts.emplace_back(path.substr(i, end - i));
    i = end + 1;
  }
  out.insert(out.begin() + static_cast<std::ptrdiff_t>(at), parts.begin(), parts.end());
}

bool is_symlink(int dir_fd, const std::string& name) {
  struct stat st;
  return fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

}  // namespace

Resolved::~Resolved() {
  for (int fd : held) close(fd);
}

uint16_t resolve_path(int base_fd, std::string_view path, LastComponent last, Resolved& out) {
  if (path.empty()) return abi::kNoent;
  if (path.front() == '/') return abi::kPerm;
  std::deque<std::string> pending;
  split_into(path, pending, 0);
  const bool trailing_slash = path.back() == '/';
  // "name/" names the directory itself: resolve through it (following a
  // symlink, as POSIX does) unless the call works on the name in its parent.
  if (trailing_slash && last != LastComponent::Create) pending.emplace_back(".");
  bool last_is_original = true;  // the final component is the guest's, not a link's
  int links = 0;
  auto cur = [&out, base_fd] { return out.held.empty() ? base_fd : out.held.back(); };

  // Splices symlink `name` in `cur()` into the pending components.
  auto expand = [&](const std::string& name) -> uint16_t {
    if (++links > kMaxSymlinks) return abi::kLoop;
    std::string target(PATH_MAX + 1, '\0');
    const ssize_t n = readlinkat(cur(), name.c_str(), target.data(), target.size());
    if (n < 0) return errno_from_host(errno);
    if (static_cast<size_t>(n) > PATH_MAX) return abi::kNametoolong;
    target.resize(static_cast<size_t>(n));
    if (target.empty()) return abi::kNoent;
    if (target.front() == '/') return abi::kPerm;  // absolute: outside by definition
    if (target.back() == '/') pending.emplace_front(".");
    split_into(target, pending, 0);
    last_is_original = false;
    return abi::kSuccess;
  };

  while (!pending.empty()) {
    std::string comp = std::move(pending.front());
    pending.pop_front();
    const bool is_last = pending.empty();
    if (comp == ".") {
      if (is_last) out.name.assign(1, '.');
      continue;
    }
    if (comp == "..") {
      if (out.held.empty()) return abi::kPerm;  // would climb above the base
      close(out.held.back());
      out.held.pop_back();
      if (is_last) out.name.assign(1, '.');
      continue;
    }
    if (is_last) {
      if (last == LastComponent::Create) {
        out.name = std::move(comp);
        if (trailing_slash && last_is_original) out.name += '/';
        break;
      }
      if (last == LastComponent::Follow && is_symlink(cur(), comp)) {
        if (uint16_t err = expand(comp)) return err;
        continue;
      }
      out.name = std::move(comp);
      break;
    }
    const int fd = openat(cur(), comp.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
      out.held.push_back(fd);
      continue;
    }
    const int err = errno;
    if ((err == ENOTDIR || err == ELOOP) && is_symlink(cur(), comp)) {
      if (uint16_t e = expand(comp)) return e;
      continue;
    }
    return errno_from_host(err);
  }
  out.dir_fd = cur();
  return abi::kSuccess;
}

}  // namespace wvm::wasi
