// Starting the executables that carry `wvm`'s heavier commands (subcommand.h).
#include "tools/subcommand.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace wvm::cli {

int exec_sibling(const char* name, const std::vector<std::string>& args) {
  // The helper is found beside the binary that runs, not on PATH: a build
  // tree's `wvm` must start that tree's helper, never an installed one.
  char self[PATH_MAX];
  const ssize_t len = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) {
    std::fprintf(stderr, "wvm: cannot find %s: /proc/self/exe: %s\n", name, std::strerror(errno));
    return kExitNoHelper;
  }
  std::string path(self, static_cast<size_t>(len));
  path.resize(path.rfind('/') + 1);
  path += name;

  std::vector<char*> argv;
  argv.reserve(args.size() + 2);
  argv.push_back(const_cast<char*>(path.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(nullptr);
  ::execv(path.c_str(), argv.data());
  std::fprintf(stderr, "wvm: cannot start %s: %s\n", path.c_str(), std::strerror(errno));
  return kExitNoHelper;
}

}  // namespace wvm::cli
