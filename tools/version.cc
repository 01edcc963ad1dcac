// `wvm --version` (see version.h). The commit comes from version_commit.h,
// which the build rewrites whenever HEAD or the work tree's state changes
// (cmake/version_commit.cmake).
#include "tools/version.h"

#include "version_commit.h"

#ifndef WVM_VERSION
#define WVM_VERSION "unknown"
#endif
#ifndef WVM_BUILD_TYPE
#define WVM_BUILD_TYPE "unknown"
#endif
#ifndef WVM_TARGET_ARCH
#define WVM_TARGET_ARCH "unknown"
#endif

namespace wvm::cli {
namespace {

std::string sanitizers() {
  std::string s;
#if defined(__SANITIZE_ADDRESS__)
  s += " +asan";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  s += " +asan";
#endif
#endif
  return s;
}

std::string compiler() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown compiler";
#endif
}

}  // namespace

std::string version_text() {
  std::string s = "wvm " WVM_VERSION "\n";
  s += "commit: " WVM_COMMIT "\n";
  s += "build: " WVM_BUILD_TYPE + sanitizers() + ", " + compiler() + "\n";
  const std::string arch = WVM_TARGET_ARCH;
  s += "target: " + std::string(arch == "x64" ? "x86-64" : arch == "arm64" ? "aarch64" : arch) +
       " linux\n";
#if WVM_HAS_JIT
  s += "tiers: interp (tier 0), jit (tier 1, " +
       std::string(arch == "x64" ? "x86-64" : "aarch64") + " backend); default auto\n";
#else
  s += "tiers: interp (tier 0) only; --tier jit and auto run tier 0\n";
#endif
  s += "hosts: WASI preview1, AssemblyScript env, CosmWasm (wvm cosmwasm)\n";
  return s;
}

}  // namespace wvm::cli
