// wvm-bench-native: the native twin of one benchmark workload, timed call by
// call, for bench/compare.sh.
//
//   wvm-bench-native NAME ITERATIONS [REPEATS]
//       prints `checksum=<u64> ms=<median ms of one call>`
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "workload_host.h"

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: wvm-bench-native NAME ITERATIONS [REPEATS]\n");
    return 1;
  }
  const wvm::bench::Workload* w = wvm::bench::find_workload(argv[1]);
  if (w == nullptr) {
    std::fprintf(stderr, "wvm-bench-native: no workload %s\n", argv[1]);
    return 1;
  }
  const uint32_t iterations = static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10));
  const int repeats = argc == 4 ? std::max(1, std::atoi(argv[3])) : 1;
  return wvm::bench::time_calls("wvm-bench-native", static_cast<uint32_t>(repeats),
                                [&](uint64_t* sum) {
                                  *sum = w->native(iterations);
                                  return true;
                                });
}
