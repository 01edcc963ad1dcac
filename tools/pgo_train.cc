// The training run of the release build's profile-guided optimization
// (cmake/pgo.cmake). Linked with an instrumented copy of the engine, it
// compiles each module named on the command line as compile() does under
// policy jit (every function through tier 1) and under policy interp (tier-0
// code), so that the profile counts what the engine does with real code.
// The modules are our WASI test programs in C and Rust (tests/wasi/programs),
// none of the contracts the compile benchmark measures.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <vector>

#include "wvm/wvm.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: wvm-pgo-train FILE.wasm...\n");
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::fprintf(stderr, "wvm-pgo-train: cannot read %s\n", argv[i]);
      return 1;
    }
    for (const wvm::TierPolicy policy : {wvm::TierPolicy::Jit, wvm::TierPolicy::Interp}) {
      wvm::Config config;
      config.tiers.policy = policy;
      wvm::Engine engine(config);
      auto module = wvm::compile(engine, bytes.data(), bytes.size());
      if (!module.ok()) {
        std::fprintf(stderr, "wvm-pgo-train: %s: %s\n", argv[i],
                     module.error().to_string().c_str());
        return 1;
      }
    }
  }
  return 0;
}
