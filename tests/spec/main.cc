// wvm-spectest: runs WebAssembly spec-suite .wast scripts against wvm.
//
//   wvm-spectest [--tier=interp] [--expected-failures FILE] [--work-dir DIR]
//                [--wast2json PATH] [--dump FILE [--gas-limit N]] [-v] PATH...
//
// Each .wast (or every *.wast of a folder, sorted) is converted with wabt's
// wast2json and its commands are run in a fresh Store. Counted commands are
// `module`, `action` and every `assert_*`. The last line of output is always
// `N passed, M failed, K skipped`, where M counts unexpected failures plus
// listed failures that now pass; the exit code is 0 iff M == 0.
//
// --dump FILE writes every action's results (exact bits) or trap, every
// compile and instantiation, and with --gas-profile and --gas-limit the gas
// each used, one line each: scripts/determinism.sh compares these files
// between tiers and targets.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tests/spec/expected_failures.h"
#include "tests/spec/script_runner.h"
#include "tests/spec/wast2json.h"

#ifndef WVM_WAST2JSON
#define WVM_WAST2JSON "wast2json"
#endif

namespace {

namespace fs = std::filesystem;
using namespace wvm::spec;

constexpr int kExitUsage = 2;

struct Options {
  std::string tier = "interp";
  wvm::BoundsStrategy bounds = wvm::BoundsStrategy::GuardPages;
  std::string gas_profile;  // empty: metering off
  uint32_t tier_threshold = 1000;
  bool unsupported_fatal = false;
  bool background_compile = false;
  std::string expected_failures;
  fs::path work_dir = fs::temp_directory_path() / "wvm-spectest";
  std::string wast2json = WVM_WAST2JSON;
  bool verbose = false;
  std::string dump;        // --dump FILE
  uint64_t gas_limit = 0;  // with --dump: set before every call (0: unlimited)
  std::vector<std::string> paths;
};

struct Totals {
  uint64_t passed = 0;
  uint64_t failed = 0;  // unexpected failures + unexpected passes
  uint64_t skipped = 0;
  uint64_t expected_failures = 0;
  uint64_t skipped_text = 0;
  uint64_t skipped_simd = 0;
  uint64_t tier1_compiled = 0;
  uint64_t tier1_unsupported = 0;
};

void usage(FILE* out) {
  std::fprintf(out,
               "usage: wvm-spectest [--tier=interp] [--bounds=guard|explicit] [--expected-failures FILE]\n"
               "                    [--work-dir DIR]\n"
               "                    [--wast2json PATH] [-v] PATH...\n"
               "  PATH is a .wast file or a folder (every *.wast in it, sorted).\n"
               "  --tier=interp|jit|auto  tier 0 only, everything compiled first, or tiered\n"
               "  --tier-threshold N   calls/back-edges before tier-up with --tier=auto\n"
               "  --unsupported-fatal  a function tier 1 cannot compile fails its module\n"
               "  --background-compile with --tier=auto: compile on the background thread\n"
               "  --bounds=guard|explicit  linear-memory bounds strategy (default guard)\n"
               "  --gas-profile=uniform|cosmwasm|cosmwasm-3.0.9  run metered, with an unlimited gas limit\n"
               "  --expected-failures  lines `file.wast:LINE  reason` that are known to fail\n"
               "  --work-dir           where wast2json output goes (default %s)\n"
               "  --wast2json          the wast2json program (default %s)\n"
               "  --dump FILE          write every outcome (results, traps, gas) to FILE\n"
               "  --gas-limit N        with --dump and --gas-profile: each call's gas limit\n"
               "  -v                   print every command's result\n",
               (fs::temp_directory_path() / "wvm-spectest").c_str(), WVM_WAST2JSON);
}

// Accepts `--name=value` and `--name value`.
bool option_value(std::string_view arg, std::string_view name, int* i, int argc, char** argv,
                  std::string* value) {
  if (arg == name) {
    if (*i + 1 >= argc) {
      std::fprintf(stderr, "wvm-spectest: %.*s needs a value\n", static_cast<int>(name.size()),
                   name.data());
      std::exit(kExitUsage);
    }
    *value = argv[++*i];
    return true;
  }
  if (arg.size() > name.size() && arg.starts_with(name) && arg[name.size()] == '=') {
    *value = std::string(arg.substr(name.size() + 1));
    return true;
  }
  return false;
}

Options parse_options(int argc, char** argv) {
  Options opts;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string value;
    if (arg == "-h" || arg == "--help") {
      usage(stdout);
      std::exit(0);
    } else if (arg == "--background-compile") {
      opts.background_compile = true;
    } else if (arg == "--unsupported-fatal") {
      opts.unsupported_fatal = true;
    } else if (arg == "-v" || arg == "--verbose") {
      opts.verbose = true;
    } else if (option_value(arg, "--tier", &i, argc, argv, &value)) {
      opts.tier = value;
    } else if (option_value(arg, "--bounds", &i, argc, argv, &value)) {
      if (value == "guard") {
        opts.bounds = wvm::BoundsStrategy::GuardPages;
      } else if (value == "explicit") {
        opts.bounds = wvm::BoundsStrategy::ExplicitChecks;
      } else {
        std::fprintf(stderr, "wvm-spectest: unknown bounds strategy '%s' (guard or explicit)\n",
                     value.c_str());
        std::exit(kExitUsage);
      }
    } else if (option_value(arg, "--tier-threshold", &i, argc, argv, &value)) {
      opts.tier_threshold = static_cast<uint32_t>(std::strtoul(value.c_str(), nullptr, 10));
    } else if (option_value(arg, "--gas-profile", &i, argc, argv, &value)) {
      if (!wvm::GasProfile::named(value)) {
        std::fprintf(stderr,
                     "wvm-spectest: unknown gas profile '%s' (uniform, cosmwasm or "
                     "cosmwasm-3.0.9)\n",
                     value.c_str());
        std::exit(kExitUsage);
      }
      opts.gas_profile = value;
    } else if (option_value(arg, "--dump", &i, argc, argv, &value)) {
      opts.dump = value;
    } else if (option_value(arg, "--gas-limit", &i, argc, argv, &value)) {
      opts.gas_limit = std::strtoull(value.c_str(), nullptr, 10);
    } else if (option_value(arg, "--expected-failures", &i, argc, argv, &value)) {
      opts.expected_failures = value;
    } else if (option_value(arg, "--work-dir", &i, argc, argv, &value)) {
      opts.work_dir = value;
    } else if (option_value(arg, "--wast2json", &i, argc, argv, &value)) {
      opts.wast2json = value;
    } else if (arg.starts_with("-") && arg != "-") {
      std::fprintf(stderr, "wvm-spectest: unknown option %s\n", argv[i]);
      usage(stderr);
      std::exit(kExitUsage);
    } else {
      opts.paths.emplace_back(arg);
    }
  }
  if (opts.tier != "interp" && opts.tier != "jit" && opts.tier != "auto") {
    std::fprintf(stderr, "wvm-spectest: unknown tier '%s' (interp, jit or auto)\n",
                 opts.tier.c_str());
    std::exit(kExitUsage);
  }
  if (opts.paths.empty()) {
    usage(stderr);
    std::exit(kExitUsage);
  }
  return opts;
}

// Expands folders into their *.wast files (sorted); a path that is neither is
// reported and counted as a failure.
std::vector<fs::path> collect_files(const std::vector<std::string>& paths, Totals* totals) {
  std::vector<fs::path> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> found;
      for (const auto& entry : fs::directory_iterator(p, ec)) {
        if (entry.path().extension() == ".wast" && entry.is_regular_file(ec)) {
          found.push_back(entry.path());
        }
      }
      if (ec) {
        std::printf("FAIL %s:0: cannot list folder: %s\n", p.c_str(), ec.message().c_str());
        ++totals->failed;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(p, ec)) {
      files.emplace_back(p);
    } else {
      std::printf("FAIL %s:0: no such .wast file or folder\n", p.c_str());
      ++totals->failed;
    }
  }
  return files;
}

bool is_simd(const fs::path& file) {
  return file.filename().string().starts_with("simd_") ||
         file.parent_path().filename() == "simd";
}

void run_file(const fs::path& file, const Options& opts, const ExpectedFailures& xfail,
              std::FILE* dump, Totals* totals) {
  const std::string name = file.filename().string();
  const bool simd = is_simd(file);
  if (opts.verbose) std::printf("== %s\n", file.c_str());

  std::vector<Outcome> outcomes;
  Conversion conv = convert_wast(opts.wast2json, file, opts.work_dir, opts.verbose);
  if (!conv.ok) {
    outcomes.push_back({0, "wast2json", Status::Fail, SkipReason::None, conv.error});
  } else if (simd) {
    outcomes = ScriptRunner::skip_all(conv.json, SkipReason::Simd);
  } else {
    wvm::Config config;
    config.memory.bounds = opts.bounds;
    config.tiers.policy = opts.tier == "jit"    ? wvm::TierPolicy::Jit
                          : opts.tier == "auto" ? wvm::TierPolicy::Auto
                                                : wvm::TierPolicy::Interp;
    config.tiers.tier_up_threshold = opts.tier_threshold;
    config.tiers.unsupported_is_fatal = opts.unsupported_fatal;
    config.tiers.background_compile = opts.background_compile;
    if (!opts.gas_profile.empty()) {
      config.metering.enabled = true;
      config.metering.profile = *wvm::GasProfile::named(opts.gas_profile);
    }
    // A fresh Engine and Store for every file.
    ScriptRunner runner(config, {dump, name, opts.gas_limit});
    if (opts.tier != "interp" && !runner.has_tier1()) {
      // Without a backend jit and auto would run tier 0 only: never pass as tier 1.
      outcomes.push_back({0, "engine", Status::Fail, SkipReason::None,
                          "--tier=" + opts.tier + " but this build has no tier-1 backend"});
    } else {
      outcomes = runner.run(conv.json);
    }
    totals->tier1_compiled += runner.tier_stats().compiled;
    totals->tier1_unsupported += runner.tier_stats().unsupported;
  }

  uint64_t passed = 0, failed = 0, skipped = 0, expected = 0;
  bool whole_file_failed = false;
  std::set<uint32_t> failed_lines, skipped_lines;
  for (const Outcome& o : outcomes) {
    switch (o.status) {
      case Status::Pass:
        ++passed;
        if (opts.verbose) std::printf("PASS %s:%u: %s\n", name.c_str(), o.line, o.command.c_str());
        break;
      case Status::Skip:
        ++skipped;
        skipped_lines.insert(o.line);
        if (o.skip == SkipReason::TextModule) ++totals->skipped_text;
        if (o.skip == SkipReason::Simd) ++totals->skipped_simd;
        if (opts.verbose && !simd) {
          std::printf("SKIP %s:%u: %s (text module)\n", name.c_str(), o.line, o.command.c_str());
        }
        break;
      case Status::Fail:
        failed_lines.insert(o.line);
        if (o.line == 0) whole_file_failed = true;
        if (const std::string* reason = xfail.find(name, o.line)) {
          ++expected;
          if (opts.verbose) {
            std::printf("XFAIL %s:%u: %s: %s [listed: %s]\n", name.c_str(), o.line,
                        o.command.c_str(), o.message.c_str(), reason->c_str());
          }
        } else {
          ++failed;
          std::printf("FAIL %s:%u: %s: %s\n", name.c_str(), o.line, o.command.c_str(),
                      o.message.c_str());
        }
        break;
    }
  }
  // A listed line that no longer fails must leave the list (it only shrinks).
  // When the whole file failed (no conversion, bad JSON) nothing was checked.
  if (!whole_file_failed) {
    for (const auto& [line, reason] : xfail.entries_for(name)) {
      if (failed_lines.count(line) || skipped_lines.count(line)) continue;
      ++failed;
      std::printf("UNEXPECTED PASS %s:%u (listed: %s)\n", name.c_str(), line, reason.c_str());
    }
  }

  if (simd && conv.ok && failed == 0) {
    std::printf("SKIP %s: SIMD is not supported (%llu commands)\n", name.c_str(),
                static_cast<unsigned long long>(skipped));
  } else {
    std::printf("%s: %llu passed, %llu failed, %llu skipped", name.c_str(),
                static_cast<unsigned long long>(passed), static_cast<unsigned long long>(failed),
                static_cast<unsigned long long>(skipped));
    if (expected) std::printf(", %llu expected failures", static_cast<unsigned long long>(expected));
    std::printf("\n");
  }
  totals->passed += passed;
  totals->failed += failed;
  totals->skipped += skipped;
  totals->expected_failures += expected;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // keep output up to an engine crash
  Options opts = parse_options(argc, argv);
  Totals totals;

  ExpectedFailures xfail;
  if (!opts.expected_failures.empty()) {
    std::vector<std::string> errors;
    if (!xfail.load(opts.expected_failures, &errors)) {
      for (const std::string& e : errors) std::printf("FAIL %s\n", e.c_str());
      totals.failed += errors.size();
    }
  }

  std::FILE* dump = nullptr;
  if (!opts.dump.empty()) {
    dump = std::fopen(opts.dump.c_str(), "w");
    if (!dump) {
      std::fprintf(stderr, "wvm-spectest: cannot write %s\n", opts.dump.c_str());
      return kExitUsage;
    }
  }
  std::vector<fs::path> files = collect_files(opts.paths, &totals);
  for (const fs::path& file : files) run_file(file, opts, xfail, dump, &totals);
  if (dump && std::fclose(dump) != 0) {
    std::printf("FAIL cannot write %s\n", opts.dump.c_str());
    ++totals.failed;
  }

  if (totals.expected_failures) {
    std::printf("%llu expected failures (listed in %s)\n",
                static_cast<unsigned long long>(totals.expected_failures),
                opts.expected_failures.c_str());
  }
  if (opts.tier != "interp") {
    std::printf("tier 1: %llu functions compiled, %llu left in tier 0 (not compiled yet)\n",
                static_cast<unsigned long long>(totals.tier1_compiled),
                static_cast<unsigned long long>(totals.tier1_unsupported));
  }
  if (totals.skipped) {
    std::printf("skipped: %llu text modules, %llu SIMD\n",
                static_cast<unsigned long long>(totals.skipped_text),
                static_cast<unsigned long long>(totals.skipped_simd));
  }
  std::printf("%llu passed, %llu failed, %llu skipped\n",
              static_cast<unsigned long long>(totals.passed),
              static_cast<unsigned long long>(totals.failed),
              static_cast<unsigned long long>(totals.skipped));
  return totals.failed == 0 ? 0 : 1;
}
