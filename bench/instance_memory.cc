// Memory a module and each instance of it take, for hostile-module checks
// such as the element-segment bomb (tests/hostile/gen_elem_bomb.py):
//
//   wvm-bench-instance-memory FILE.wasm [INSTANCES] [FUNC]
//
// compiles FILE.wasm (tier 0 only), makes INSTANCES instances (default 4),
// each in its own store, calling FUNC (if given) on each, and prints the
// heap bytes (glibc mallinfo2) the module and each further instance hold,
// the compile and instantiate times, and the process's peak RSS.
#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "wvm/wvm.h"

namespace {

size_t heap_bytes() { return mallinfo2().uordblks + mallinfo2().hblkhd; }

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE.wasm [INSTANCES] [FUNC]\n", argv[0]);
    return 1;
  }
  const int instances = argc > 2 ? std::atoi(argv[2]) : 4;
  const char* func = argc > 3 ? argv[3] : nullptr;
  auto bytes = wvm::read_file(argv[1]);
  if (!bytes) {
    std::fprintf(stderr, "%s\n", bytes.error().to_string().c_str());
    return 2;
  }
  wvm::Config config;
  config.tiers.policy = wvm::TierPolicy::Interp;
  wvm::Engine engine(config);

  const size_t heap0 = heap_bytes();
  auto t0 = std::chrono::steady_clock::now();
  auto mod = wvm::compile(engine, bytes->data(), bytes->size());
  if (!mod) {
    std::fprintf(stderr, "%s\n", mod.error().to_string().c_str());
    return 3;
  }
  std::printf("module: %zu bytes of wasm, %.2f s to compile, %zu heap bytes held\n",
              bytes->size(), seconds_since(t0), heap_bytes() - heap0);

  std::vector<std::unique_ptr<wvm::Store>> stores;
  for (int i = 0; i < instances; ++i) {
    // The store's own stacks are not the instance's: count from after them.
    stores.push_back(std::make_unique<wvm::Store>(engine));
    const size_t before = heap_bytes();
    t0 = std::chrono::steady_clock::now();
    auto inst = stores.back()->instantiate(mod.value(), {});
    if (!inst) {
      std::fprintf(stderr, "%s\n", inst.error().to_string().c_str());
      return 4;
    }
    const double secs = seconds_since(t0);
    if (func != nullptr) {
      wvm::CallResult r = stores.back()->call((*inst)->find_export(func).as_func(), {});
      if (!r.ok()) std::fprintf(stderr, "trap: %s\n", wvm::trap_message(r.trap));
    }
    std::printf("instance %d: %.3f s to instantiate, %zu heap bytes held\n", i + 1, secs,
                heap_bytes() - before);
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak RSS: %ld KiB\n", usage.ru_maxrss);
  return 0;
}
