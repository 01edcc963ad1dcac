// Replays fuzz inputs without libFuzzer, so that every build (gcc, release,
// sanitizers) runs the kept corpus and the regression inputs: each argument
// is a file or a directory of files, run in name order through the target's
// LLVMFuzzerTestOneInput. A failing input aborts, as under libFuzzer.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "wvm/wvm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    if (fs::is_directory(argv[i])) {
      for (const auto& e : fs::directory_iterator(argv[i]))
        if (e.is_regular_file() && e.path().filename().string()[0] != '.') inputs.push_back(e.path());
    } else {
      inputs.emplace_back(argv[i]);
    }
  }
  std::sort(inputs.begin(), inputs.end());
  for (const fs::path& p : inputs) {
    auto bytes = wvm::read_file(p.string());
    if (!bytes.ok()) {
      std::fprintf(stderr, "%s: %s\n", p.c_str(), bytes.error().to_string().c_str());
      return 1;
    }
    std::fprintf(stderr, "replay %s (%zu bytes)\n", p.c_str(), bytes.value().size());
    LLVMFuzzerTestOneInput(bytes.value().data(), bytes.value().size());
  }
  std::fprintf(stderr, "replayed %zu inputs\n", inputs.size());
  return 0;
}
