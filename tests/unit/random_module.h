// The random modules of the differential test: seeded bytes turned into a
// valid Wasm 2.0 module by binaryen's `wasm-opt -ttf`. Shared by
// differential_test.cc and tests/determinism (which must see the same
// modules for the same seeds). Needs WVM_WASM_OPT, the wasm-opt path.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

extern char** environ;

namespace wvm::test {

// Writes the module of `seed` to `out`, using `scratch` for wasm-opt's input
// bytes. Sizes vary so modules range from tiny to dozens of functions. False
// if wasm-opt could not run or failed.
inline bool make_random_module(uint64_t seed, const std::filesystem::path& scratch,
                               const std::filesystem::path& out) {
  std::mt19937_64 rng(seed);
  std::vector<char> bytes(std::uniform_int_distribution<size_t>(1'000, 40'000)(rng));
  for (char& c : bytes) c = static_cast<char>(rng());
  std::ofstream(scratch, std::ios::binary).write(bytes.data(), bytes.size());

  std::vector<std::string> args = {WVM_WASM_OPT, "-ttf", scratch.string(), "-o", out.string(),
                                   "--mvp-features", "--enable-sign-ext",
                                   "--enable-nontrapping-float-to-int", "--enable-bulk-memory",
                                   "--enable-multivalue", "--enable-mutable-globals"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return false;
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace wvm::test
