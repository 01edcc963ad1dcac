// Soak test: many hackatom transactions (bench/cosmwasm_load.h: a fresh
// instance of one shared compiled contract, then execute release) on two
// threads in each tier, asserting
//   (a) every response is release's success response and every call uses the
//       same gas, across iterations, threads and tiers;
//   (b) nothing accumulates: after the warm-up, VmRSS (heap trimmed first)
//       grows by at most kRssTolerance over the two measured halves, and the
//       engine's reservation pool (live + pooled address space) does not grow.
// With kIterations measured transactions per thread and tier, a leak of more
// than kRssTolerance / (2 * kIterations) bytes per transaction (about 70)
// fails (b); so does one leaked instance per transaction (both checked).
//
//   wvm-soak-cosmwasm [--iterations N]   N per thread and tier, measured
//
// Exit status 0 passed, 1 failed, 77 skipped (no ../shared).
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/cosmwasm_load.h"
#include "memory/pool.h"

namespace {

using namespace wvm;
using namespace wvm::cosmwasm;
using wvm::load::HackatomChain;

constexpr unsigned kThreads = 2;
// About 70 s of CPU time for the three tiers in the release build (interp
// takes half of it): 35-40 s on the 2-core machine when it is otherwise idle.
constexpr uint64_t kIterations = 60'000;
// Allocator and kernel noise (arena fragmentation, page-table pages); a real
// leak at kIterations transactions per thread grows far past it.
constexpr uint64_t kRssTolerance = uint64_t{8} << 20;

struct Failures {
  std::mutex mutex;
  std::atomic<uint64_t> count{0};
  std::string first;

  void add(const std::string& what) {
    if (count.fetch_add(1) == 0) {
      std::lock_guard lock(mutex);
      first = what;
    }
  }
};

// Runs transactions in phases, one thread per chain; between phases no
// instance is alive, so memory is measured there.
class Soak {
 public:
  Soak(std::vector<std::unique_ptr<HackatomChain>>& chains, uint64_t gas, Failures& failures)
      : chains_(chains), gas_(gas), failures_(failures) {}

  // `count` transactions on each thread, checked.
  void run_phase(uint64_t count, const std::string& label) {
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < chains_.size(); ++t) {
      threads.emplace_back([&, t] {
        HackatomChain& chain = *chains_[t];
        for (uint64_t i = 0; i < count && failures_.count.load() == 0; ++i) {
          const cosmwasm::CallResult r = chain.transact();
          std::string diff = chain.check(r);
          if (diff.empty() && load::gas_used(r) != gas_)
            diff = "gas used " + std::to_string(load::gas_used(r)) + ", expected " +
                   std::to_string(gas_);
          if (!diff.empty())
            failures_.add(label + ", thread " + std::to_string(t) + ", call " +
                          std::to_string(i) + ": " + diff);
        }
      });
    }
    for (std::thread& th : threads)
      th.join();
  }

 private:
  std::vector<std::unique_ptr<HackatomChain>>& chains_;
  uint64_t gas_;
  Failures& failures_;
};

double mib(uint64_t bytes) {
  return static_cast<double>(bytes) / (1 << 20);
}

// One tier: warm-up, then two measured halves. False on failure.
bool soak_tier(const std::vector<uint8_t>& wasm, const char* tier, TierPolicy policy,
               uint64_t iterations, uint64_t& gas) {
  const auto start = std::chrono::steady_clock::now();
  Runtime runtime(RuntimeOptions{.tier = policy});
  auto contract = runtime.compile(wasm);
  if (!contract.ok()) {
    std::printf("%s: compile: %s\n", tier, contract.error->to_string().c_str());
    return false;
  }
  std::vector<std::unique_ptr<HackatomChain>> chains;
  for (unsigned t = 0; t < kThreads; ++t) {
    auto chain = HackatomChain::create(runtime, contract.value);
    if (!chain.ok()) {
      std::printf("%s: %s\n", tier, chain.error->to_string().c_str());
      return false;
    }
    chains.push_back(std::move(chain.value));
  }
  // The first call of the first tier sets the gas every call must use.
  const cosmwasm::CallResult first = chains[0]->transact();
  if (std::string diff = chains[0]->check(first); !diff.empty()) {
    std::printf("%s: first call: %s\n", tier, diff.c_str());
    return false;
  }
  if (gas == 0)
    gas = load::gas_used(first);

  Failures failures;
  Soak soak(chains, gas, failures);
  const MemoryPool& pool = runtime.engine().memory_pool();
  soak.run_phase(iterations / 10, std::string(tier) + " warm-up");
  const uint64_t rss_warm = load::resident_bytes();
  const uint64_t reserved_warm = pool.reserved_bytes();
  soak.run_phase(iterations / 2, std::string(tier) + " first half");
  const uint64_t rss_mid = load::resident_bytes();
  soak.run_phase(iterations - iterations / 2, std::string(tier) + " second half");
  const uint64_t rss_end = load::resident_bytes();
  const uint64_t reserved_end = pool.reserved_bytes();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::printf(
      "%-6s %llu calls on %u threads in %.1f s, gas %llu each; RSS MiB after warm-up %.1f, "
      "first half %.1f, second half %.1f; reserved GiB %.1f -> %.1f (%zu pooled); "
      "tier-1 functions %llu\n",
      tier, static_cast<unsigned long long>(kThreads * (iterations + iterations / 10)), kThreads,
      seconds, static_cast<unsigned long long>(gas), mib(rss_warm), mib(rss_mid), mib(rss_end),
      static_cast<double>(reserved_warm) / (1 << 30),
      static_cast<double>(reserved_end) / (1 << 30), pool.idle_count(),
      static_cast<unsigned long long>(runtime.engine().tier_stats().compiled));
  bool ok = true;
  if (failures.count.load() != 0) {
    std::printf("FAIL %s: %llu mismatches; first: %s\n", tier,
                static_cast<unsigned long long>(failures.count.load()), failures.first.c_str());
    ok = false;
  }
  if (rss_end > rss_warm + kRssTolerance) {
    std::printf("FAIL %s: RSS grew by %.1f MiB after the warm-up (tolerance %.0f MiB)\n", tier,
                mib(rss_end - rss_warm), mib(kRssTolerance));
    ok = false;
  }
  if (reserved_end > reserved_warm) {
    std::printf("FAIL %s: reserved address space grew from %llu to %llu bytes\n", tier,
                static_cast<unsigned long long>(reserved_warm),
                static_cast<unsigned long long>(reserved_end));
    ok = false;
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t iterations = kIterations;
  if (argc == 3 && std::strcmp(argv[1], "--iterations") == 0) {
    iterations = std::strtoull(argv[2], nullptr, 10);
  } else if (argc != 1) {
    std::fprintf(stderr, "usage: wvm-soak-cosmwasm [--iterations N]\n");
    return 2;
  }
  auto wasm = load::read_hackatom();
  if (!wasm) {
    std::printf("skipped: needs ../shared (%s)\n", wasm.error().to_string().c_str());
    return 77;
  }
  const std::pair<const char*, TierPolicy> tiers[] = {
      {"interp", TierPolicy::Interp}, {"jit", TierPolicy::Jit}, {"auto", TierPolicy::Auto}};
  uint64_t gas = 0;
  bool ok = true;
  for (const auto& [name, policy] : tiers) {
    ok = soak_tier(wasm.value(), name, policy, iterations, gas) && ok;
    std::fflush(stdout);
  }
  std::printf(ok ? "passed\n" : "FAILED\n");
  return ok ? 0 : 1;
}
