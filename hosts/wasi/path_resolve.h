// Internal: resolving a guest path below a directory descriptor without ever
// leaving it (see path_resolve.cc).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hosts/wasi/state.h"

namespace wvm::wasi {

/// How the last component of a path is treated.
enum class LastComponent {
  Follow,    ///< symlinks are followed (and "name/" means the directory itself)
  NoFollow,  ///< symlinks are not followed; "name/" still resolves through it
  Create,    ///< the operation works on the name in its parent (create, remove,
             ///< rename, link target): the name is returned as written, trailing
             ///< slash included, for the kernel to judge
};

/// Where a path leads: a host directory (`dir_fd`, held open by `held`) and
/// the name in it. Every symlink on the way was read and checked here, so
/// the kernel is asked only about `name` in `dir_fd`, with O_NOFOLLOW /
/// AT_SYMLINK_NOFOLLOW.
struct Resolved {
  int dir_fd = -1;
  std::string name;
  std::vector<int> held;
  Resolved() = default;
  Resolved(const Resolved&) = delete;
  Resolved& operator=(const Resolved&) = delete;
  ~Resolved();
};

/// Resolves `path` relative to the host directory `base_fd`. Absolute paths,
/// ".." above `base_fd` and symlinks that lead out (absolute, or climbing
/// above it) are EPERM; more than 32 symlinks ELOOP.
uint16_t resolve_path(int base_fd, std::string_view path, LastComponent last, Resolved& out);

}  // namespace wvm::wasi
