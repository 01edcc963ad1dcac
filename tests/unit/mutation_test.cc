// Robustness of compile() on real contracts and on randomly damaged copies of
// them: every input gets a clean result or a clean error, never a crash.
//
// WVM_MUTATIONS=N       compile N mutants instead of 10,000.
// WVM_MUTATION_DUMP=F   write each mutant to file F before compiling it, so
//                       after a crash F holds the input that caused it
//                       (much slower: use it to reproduce, not to search).
// Mutant i depends only on the fixed seed and i, so any failure replays.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "wvm/wvm.h"

#ifndef WVM_SHARED_DIR
#define WVM_SHARED_DIR ""
#endif

namespace wvm {
namespace {

namespace fs = std::filesystem;

struct Contract {
  std::string name;
  std::vector<uint8_t> bytes;
};

fs::path contracts_dir() { return fs::path(WVM_SHARED_DIR) / "contracts" / "cosmwasm"; }

std::vector<Contract> load_contracts() {
  std::vector<Contract> out;
  std::error_code ec;
  if (!fs::is_directory(contracts_dir(), ec)) return out;
  for (const auto& entry : fs::directory_iterator(contracts_dir(), ec)) {
    if (entry.path().extension() != ".wasm") continue;
    auto bytes = wvm::read_file(entry.path().string());
    if (!bytes) continue;
    out.push_back({entry.path().filename().string(), std::move(bytes).value()});
  }
  std::sort(out.begin(), out.end(),
            [](const Contract& a, const Contract& b) { return a.name < b.name; });
  return out;
}

bool is_decode_error(ErrorKind k) {
  return k == ErrorKind::Malformed || k == ErrorKind::Invalid || k == ErrorKind::Unsupported ||
         k == ErrorKind::LimitExceeded;
}

TEST(MutationTest, ContractsCompile) {
  const auto contracts = load_contracts();
  if (contracts.empty())
    GTEST_SKIP() << "no contracts in " << contracts_dir() << " (set WVM_SHARED_DIR)";
  Engine engine;
  bool saw_corrupted = false;
  for (const Contract& c : contracts) {
    SCOPED_TRACE(c.name);
    auto r = wvm::compile(engine, c.bytes.data(), c.bytes.size());
    if (c.name == "corrupted.wasm") {
      saw_corrupted = true;
      ASSERT_FALSE(r.ok()) << "corrupted.wasm compiled";
      EXPECT_EQ(r.error().kind, ErrorKind::Invalid) << r.error().to_string();
      EXPECT_GT(r.error().offset, 0u) << r.error().to_string();
      EXPECT_LE(r.error().offset, c.bytes.size()) << r.error().to_string();
    } else {
      EXPECT_TRUE(r.ok()) << r.error().to_string();
      if (r.ok()) {
        EXPECT_GT(r.value()->num_funcs(), 0u);
        EXPECT_EQ(r.value()->bytes.size(), c.bytes.size());
      }
    }
  }
  EXPECT_TRUE(saw_corrupted) << "corrupted.wasm is missing from " << contracts_dir();
}

/// Damages `b` in place in one of several ways.
void mutate(std::vector<uint8_t>& b, std::mt19937_64& rng) {
  auto uniform = [&](size_t lo, size_t hi) {  // [lo, hi]
    return std::uniform_int_distribution<size_t>(lo, hi)(rng);
  };
  if (b.empty()) {
    b.push_back(static_cast<uint8_t>(rng()));
    return;
  }
  // Half the time aim at the first 2 KiB, where the module-level sections
  // (types, imports, functions, tables, memories, globals, exports) live.
  auto pos = [&](size_t extra = 0) {
    const size_t limit = b.size() - 1 + extra;
    return uniform(0, (rng() & 1) ? std::min<size_t>(limit, 2047) : limit);
  };
  // In-place damage is picked more often: it keeps section sizes intact and
  // so reaches the function-body validator more often than length changes.
  std::discrete_distribution<int> kinds{3, 2, 1, 1, 1, 1, 1};
  switch (kinds(rng)) {
    case 0: {  // bit flips
      for (size_t n = uniform(1, 8); n > 0; --n) b[pos()] ^= uint8_t(1u << uniform(0, 7));
      break;
    }
    case 1: {  // random byte overwrites
      for (size_t n = uniform(1, 4); n > 0; --n) b[pos()] = static_cast<uint8_t>(rng());
      break;
    }
    case 2: {  // a run of 0xff that reads as an over-long LEB128
      const size_t at = pos();
      const size_t n = std::min(uniform(1, 12), b.size() - at);
      std::fill(b.begin() + at, b.begin() + at + n, 0xff);
      break;
    }
    case 3: {  // deletion
      const size_t at = pos();
      const size_t n = std::min(uniform(1, 16), b.size() - at);
      b.erase(b.begin() + at, b.begin() + at + n);
      break;
    }
    case 4: {  // truncation
      b.resize(uniform(0, b.size() - 1));
      break;
    }
    case 5: {  // insertion
      const size_t at = pos(1);
      std::vector<uint8_t> ins(uniform(1, 16));
      for (auto& x : ins) x = static_cast<uint8_t>(rng());
      b.insert(b.begin() + at, ins.begin(), ins.end());
      break;
    }
    case 6: {  // duplicate a slice somewhere else
      const size_t from = pos();
      const size_t n = std::min(uniform(1, 256), b.size() - from);
      const std::vector<uint8_t> slice(b.begin() + from, b.begin() + from + n);
      const size_t at = pos(1);
      b.insert(b.begin() + at, slice.begin(), slice.end());
      break;
    }
  }
}

TEST(MutationTest, MutatedContractsNeverCrash) {
  const auto contracts = load_contracts();
  if (contracts.empty())
    GTEST_SKIP() << "no contracts in " << contracts_dir() << " (set WVM_SHARED_DIR)";
  size_t total = 10'000;
  if (const char* env = std::getenv("WVM_MUTATIONS")) total = std::strtoull(env, nullptr, 10);
  const char* dump_path = std::getenv("WVM_MUTATION_DUMP");

  // Smaller contracts are picked more often (weight 1/sqrt(size)): they are
  // cheaper to compile, and each mutant of them is as good a probe of the
  // decoder's paths.
  std::vector<double> weights;
  for (const Contract& c : contracts) weights.push_back(1.0 / std::sqrt(double(c.bytes.size())));
  std::discrete_distribution<size_t> pick(weights.begin(), weights.end());

  constexpr uint64_t kSeed = 0x5eed'2024'0b1e'55edull;
  Engine engine;
  size_t accepted = 0;
  std::vector<size_t> per_contract(contracts.size());
  for (size_t i = 0; i < total; ++i) {
    // One generator per mutant: iteration i can be replayed alone.
    std::mt19937_64 rng(kSeed + i);
    const size_t which = pick(rng);
    ++per_contract[which];
    std::vector<uint8_t> b = contracts[which].bytes;
    for (size_t n = std::uniform_int_distribution<size_t>(1, 3)(rng); n > 0; --n) mutate(b, rng);
    if (dump_path != nullptr) {
      if (FILE* f = std::fopen(dump_path, "wb")) {
        std::fwrite(b.data(), 1, b.size(), f);
        std::fclose(f);
      }
    }
    auto r = wvm::compile(engine, b.data(), b.size());
    if (r.ok()) {
      ++accepted;
      continue;
    }
    const Error& e = r.error();
    const bool clean = is_decode_error(e.kind) && e.offset <= b.size() && !e.message.empty();
    ASSERT_TRUE(clean) << "mutant " << i << " of " << contracts[which].name << " (" << b.size()
                       << " bytes): " << e.to_string();
  }
  std::string mix;
  for (size_t c = 0; c < contracts.size(); ++c)
    mix += " " + contracts[c].name + "=" + std::to_string(per_contract[c]);
  std::printf("[ mutants  ] %zu compiled, %zu accepted;%s\n", total, accepted, mix.c_str());
}

}  // namespace
}  // namespace wvm
