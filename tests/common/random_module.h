// The random modules of the differential test and the execution fuzzer:
// random bytes turned into a valid Wasm 2.0 module by binaryen's
// `wasm-opt -ttf`. Shared by tests/unit/differential_test.cc,
// tests/determinism (which must see the same modules for the same seeds) and
// tests/fuzz/fuzz_execute.cc (whose input bytes are wasm-opt's). Needs
// WVM_WASM_OPT, the wasm-opt path.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

extern char** environ;

namespace wvm::test {

// Writes to `out` the module wasm-opt -ttf makes of `bytes`, using `scratch`
// for wasm-opt's input. The same bytes always give the same module. False if
// wasm-opt could not run or failed.
inline bool make_module_from_bytes(const uint8_t* bytes, size_t size,
                                   const std::filesystem::path& scratch,
                                   const std::filesystem::path& out) {
  std::ofstream(scratch, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes), static_cast<std::streamsize>(size));

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
  // A signal (libFuzzer's -timeout alarm) may interrupt the wait.
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return false;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// The module of `seed`: 1,000 to 40,000 seeded random bytes, so modules range
// from tiny to dozens of functions.
inline bool make_random_module(uint64_t seed, const std::filesystem::path& scratch,
                               const std::filesystem::path& out) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> bytes(std::uniform_int_distribution<size_t>(1'000, 40'000)(rng));
  for (uint8_t& c : bytes) c = static_cast<uint8_t>(rng());
  return make_module_from_bytes(bytes.data(), bytes.size(), scratch, out);
}

}  // namespace wvm::test
