// Throughput of CosmWasm transactions under load: N threads, each running
// hackatom transactions on its own chain (cosmwasm_load.h: a fresh instance
// of ONE compiled contract shared by all threads, then execute release), for
// a fixed time after a warm-up. Prints, per tier and thread count, calls/s
// over all threads, the p50 and p99 latency of one transaction (instantiate
// + execute), the process's CPU time per call (on a busy machine calls/s
// falls with the CPU share; CPU time per call rises only with contention
// inside the process), and VmRSS at the start of the case, after the warm-up and at
// the end. Every call's response and gas are checked (the release response,
// the same gas in every call, thread and tier); a mismatch aborts.
//
//   wvm-bench-cosmwasm-load [--threads 1,2] [--seconds 3] [--warmup 200]
//                           [--tiers interp,jit,auto]
//
// Cases are named <tier>/execute/hackatom_release/threads:<n>.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench/cosmwasm_load.h"

namespace {

using namespace wvm;
using namespace wvm::cosmwasm;
using wvm::load::HackatomChain;
using Clock = std::chrono::steady_clock;

struct Options {
  std::vector<unsigned> threads{1, 2};
  double seconds = 3;
  unsigned warmup = 200;  // calls per thread before measuring
  std::vector<std::string> tiers{"interp", "jit", "auto"};
};

struct Row {
  std::string name;
  unsigned threads = 0;
  size_t calls = 0;
  double calls_per_s = 0;
  double p50_us = 0;
  double p99_us = 0;
  double cpu_us = 0;  // process CPU time per call: shows contention a busy machine hides
  uint64_t rss_start = 0, rss_warm = 0, rss_end = 0;
  uint64_t gas = 0;
};

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "wvm-bench-cosmwasm-load: %s\n", message.c_str());
  std::abort();
}

std::vector<std::string> split(const char* list) {
  std::vector<std::string> out;
  std::string item;
  for (const char* p = list;; ++p) {
    if (*p == ',' || *p == '\0') {
      if (!item.empty())
        out.push_back(item);
      item.clear();
      if (*p == '\0')
        return out;
    } else {
      item += *p;
    }
  }
}

std::optional<TierPolicy> parse_tier(const std::string& name) {
  if (name == "interp")
    return TierPolicy::Interp;
  if (name == "jit")
    return TierPolicy::Jit;
  if (name == "auto")
    return TierPolicy::Auto;
  return std::nullopt;
}

// Nearest-rank percentile of sorted `v`.
double percentile(const std::vector<uint32_t>& v, double p) {
  const size_t rank = static_cast<size_t>(p / 100 * static_cast<double>(v.size()));
  return v[std::min(rank, v.size() - 1)];
}

// User + system time of the whole process.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

// One transaction, checked; its latency in nanoseconds.
uint32_t timed_transaction(HackatomChain& chain, uint64_t gas, const char* what) {
  const auto t0 = Clock::now();
  const cosmwasm::CallResult r = chain.transact();
  const auto t1 = Clock::now();
  if (std::string diff = chain.check(r); !diff.empty())
    die(std::string(what) + ": " + diff);
  if (load::gas_used(r) != gas)
    die(std::string(what) + ": gas used " + std::to_string(load::gas_used(r)) + ", expected " +
        std::to_string(gas));
  return static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
}

Row run_case(const std::vector<uint8_t>& wasm, const std::string& tier, TierPolicy policy,
             unsigned threads, const Options& o, uint64_t& gas) {
  Row row;
  row.name = tier + "/execute/hackatom_release/threads:" + std::to_string(threads);
  row.threads = threads;
  row.rss_start = load::resident_bytes();
  Runtime runtime(RuntimeOptions{.tier = policy});
  auto contract = runtime.compile(wasm);
  if (!contract.ok())
    die("compile: " + contract.error->to_string());
  std::vector<std::unique_ptr<HackatomChain>> chains;
  for (unsigned t = 0; t < threads; ++t) {
    auto chain = HackatomChain::create(runtime, contract.value);
    if (!chain.ok())
      die(chain.error->to_string());
    chains.push_back(std::move(chain.value));
  }
  // The gas of the first tier run is the reference of all the others.
  const cosmwasm::CallResult first = chains[0]->transact();
  if (std::string diff = chains[0]->check(first); !diff.empty())
    die(row.name + ": " + diff);
  if (gas == 0)
    gas = load::gas_used(first);
  row.gas = gas;

  std::vector<std::vector<uint32_t>> latencies(threads);
  std::barrier sync(threads + 1);
  Clock::time_point deadline;
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      HackatomChain& chain = *chains[t];
      for (unsigned i = 0; i < o.warmup; ++i)
        timed_transaction(chain, gas, row.name.c_str());
      sync.arrive_and_wait();  // warm-up done
      sync.arrive_and_wait();  // deadline set
      std::vector<uint32_t>& lat = latencies[t];
      lat.reserve(1 << 16);
      while (Clock::now() < deadline)
        lat.push_back(timed_transaction(chain, gas, row.name.c_str()));
    });
  }
  sync.arrive_and_wait();
  row.rss_warm = load::resident_bytes();
  const double cpu_start = cpu_seconds();
  const auto start = Clock::now();
  deadline = start + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(o.seconds));
  sync.arrive_and_wait();
  for (std::thread& th : pool)
    th.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = cpu_seconds() - cpu_start;

  std::vector<uint32_t> all;
  for (const auto& lat : latencies)
    all.insert(all.end(), lat.begin(), lat.end());
  if (all.empty())
    die(row.name + ": no call finished within --seconds");
  std::sort(all.begin(), all.end());
  row.calls = all.size();
  row.calls_per_s = static_cast<double>(all.size()) / elapsed;
  row.p50_us = percentile(all, 50) / 1000;
  row.p99_us = percentile(all, 99) / 1000;
  row.cpu_us = cpu * 1e6 / static_cast<double>(all.size());
  chains.clear();
  row.rss_end = load::resident_bytes();
  return row;
}

double mib(uint64_t bytes) {
  return static_cast<double>(bytes) / (1 << 20);
}

void usage() {
  std::fprintf(stderr,
               "usage: wvm-bench-cosmwasm-load [--threads 1,2] [--seconds 3] [--warmup 200] "
               "[--tiers interp,jit,auto]\n");
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (value == nullptr)
      usage();
    ++i;
    if (std::strcmp(arg, "--threads") == 0) {
      o.threads.clear();
      for (const std::string& n : split(value))
        o.threads.push_back(static_cast<unsigned>(std::strtoul(n.c_str(), nullptr, 10)));
    } else if (std::strcmp(arg, "--seconds") == 0) {
      o.seconds = std::strtod(value, nullptr);
    } else if (std::strcmp(arg, "--warmup") == 0) {
      o.warmup = static_cast<unsigned>(std::strtoul(value, nullptr, 10));
    } else if (std::strcmp(arg, "--tiers") == 0) {
      o.tiers = split(value);
    } else {
      usage();
    }
  }
  for (unsigned n : o.threads)
    if (n == 0)
      usage();
  for (const std::string& t : o.tiers)
    if (!parse_tier(t))
      usage();
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_options(argc, argv);
  auto wasm = load::read_hackatom();
  if (!wasm) {
    std::printf("skipped: needs ../shared (%s)\n", wasm.error().to_string().c_str());
    return 0;
  }
  std::printf("%u hardware threads; %.1f s per case after %u warm-up calls per thread\n",
              std::thread::hardware_concurrency(), o.seconds, o.warmup);
  std::printf("%-42s %7s %8s %9s %9s %9s %9s %24s %10s\n", "case", "threads", "calls",
              "calls/s", "p50 us", "p99 us", "cpu us", "RSS MiB start/warm/end", "gas");
  uint64_t gas = 0;
  for (const std::string& tier : o.tiers) {
    for (unsigned threads : o.threads) {
      const Row r = run_case(wasm.value(), tier, *parse_tier(tier), threads, o, gas);
      std::printf("%-42s %7u %8zu %9.0f %9.1f %9.1f %9.1f %8.1f/%7.1f/%7.1f %10llu\n",
                  r.name.c_str(), r.threads, r.calls, r.calls_per_s, r.p50_us, r.p99_us, r.cpu_us,
                  mib(r.rss_start), mib(r.rss_warm), mib(r.rss_end),
                  static_cast<unsigned long long>(r.gas));
      std::fflush(stdout);
    }
  }
  return 0;
}
