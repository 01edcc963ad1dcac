// wvm-wasi-runner: runs one WASI test program under `wvm` (and optionally
// under node's WASI) and checks it against its JSON specification.
//
//   wvm-wasi-runner --wvm PATH --tier T [--tier T2 ...] [--auto-threshold N]
//                   [--wvm-arg ARG]...
//                   [--emulator WORD]... [--spec FILE.json]
//                   [--name LANG/TEST --variant V --expected-failures FILE]
//                   [--node NODE --node-driver FILE.mjs] [--runs N]
//                   [--work DIR] [--keep] [--timeout SECONDS] TEST.wasm
//
// Each run gets a fresh copy of the spec's preopened folders (Sandbox). With
// several --tier values or --runs N > 1, every run must also give the same
// exit code, stdout and stderr as the first (determinism across tiers and
// runs). With --node, the program also runs under node's WASI (through
// --node-driver) and its exit code and stdout must equal wvm's.
// Exit code: 0 passed (or failed as listed in the expected-failures file),
// 1 failed, 2 usage error.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/wasi/runner/expected_failures.h"
#include "tests/wasi/runner/report.h"
#include "tests/wasi/runner/sandbox.h"
#include "tests/wasi/runner/subprocess.h"
#include "tests/wasi/runner/test_spec.h"

namespace {

using namespace wvm::wasi_tests;
namespace fs = std::filesystem;

struct Options {
  std::string wvm;
  std::vector<std::string> emulator;
  std::vector<std::string> tiers;
  std::vector<std::string> wvm_args;
  std::string auto_threshold;  ///< --tier-threshold for the auto tier only
  std::optional<fs::path> spec;
  std::string name;
  std::string variant;
  std::optional<fs::path> expected_failures;
  std::string node;
  std::string node_driver;
  int runs = 1;
  fs::path work;
  bool keep = false;
  int timeout = 120;
  fs::path wasm;
};

int usage(const std::string& message) {
  std::fprintf(stderr, "wvm-wasi-runner: %s\n", message.c_str());
  return 2;
}

bool parse_options(int argc, char** argv, Options& o, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_inline = false;
    if (size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_inline = true;
    }
    auto take = [&]() -> bool {
      if (has_inline) return true;
      if (i + 1 >= argc) {
        error = arg + " needs a value";
        return false;
      }
      value = argv[++i];
      return true;
    };
    if (arg == "--keep") {
      o.keep = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      if (!o.wasm.empty()) {
        error = "more than one TEST.wasm";
        return false;
      }
      o.wasm = arg;
      continue;
    }
    if (!take()) return false;
    if (arg == "--wvm") o.wvm = value;
    else if (arg == "--emulator") o.emulator.push_back(value);
    else if (arg == "--tier") o.tiers.push_back(value);
    else if (arg == "--wvm-arg") o.wvm_args.push_back(value);
    else if (arg == "--auto-threshold") o.auto_threshold = value;
    else if (arg == "--spec") o.spec = value;
    else if (arg == "--name") o.name = value;
    else if (arg == "--variant") o.variant = value;
    else if (arg == "--expected-failures") o.expected_failures = value;
    else if (arg == "--node") o.node = value;
    else if (arg == "--node-driver") o.node_driver = value;
    else if (arg == "--runs") o.runs = std::atoi(value.c_str());
    else if (arg == "--work") o.work = value;
    else if (arg == "--timeout") o.timeout = std::atoi(value.c_str());
    else {
      error = "unknown option " + arg;
      return false;
    }
  }
  // Programs run in their sandbox folder: a relative path must not move.
  for (std::string* path : {&o.wvm, &o.node_driver}) {
    if (path->find('/') != std::string::npos) *path = fs::absolute(*path).string();
  }
  if (o.wasm.empty()) error = "no TEST.wasm given";
  else if (o.wvm.empty()) error = "--wvm is required";
  else if (o.tiers.empty()) error = "at least one --tier is required";
  else if (o.runs < 1 || o.timeout < 1) error = "--runs and --timeout take a positive number";
  else if (!o.node.empty() && o.node_driver.empty()) error = "--node needs --node-driver";
  return error.empty();
}

/// One engine run of the program, with what it left outside its preopens.
struct Run {
  std::string label;  ///< "wvm --tier jit (run 2)", "node"
  std::vector<std::string> command;
  ProcessResult result;
  std::string outside;  ///< Sandbox::check_outside()
};

Run run_engine(const Options& o, const TestSpec& spec, const std::string& label,
               std::vector<std::string> command, std::vector<std::string>& failures) {
  Run run{label, {}, {}, {}};
  Sandbox sandbox;
  std::string error;
  fs::path work = o.work.empty() ? fs::temp_directory_path() : o.work;
  fs::create_directories(work);
  if (!sandbox.create(work, spec, error)) {
    failures.push_back(label + ": " + error);
    return run;
  }
  if (o.keep) sandbox.keep();
  for (const auto& [key, value] : spec.env) {
    command.push_back("--env");
    command.push_back(key + "=" + value);
  }
  for (const std::string& d : sandbox.dir_options()) command.push_back(d);
  command.push_back(fs::absolute(o.wasm).string());
  for (const std::string& a : spec.args) command.push_back(a);
  run.command = command;
  run.result = run_process(command, sandbox.path().string(), o.timeout);
  run.outside = sandbox.check_outside();
  if (o.keep) std::printf("kept %s\n", sandbox.path().c_str());
  return run;
}

// Checks one run against the spec; for node (wvm_run false) only what both
// engines define: exit code, stdout and the sentinel (not stderr, not wvm_*).
void check_run(const Options& o, const TestSpec& spec, const Run& run, bool wvm_run,
               std::vector<std::string>& failures) {
  const ProcessResult& r = run.result;
  std::string at = run.label + ": ";
  if (!r.started) {
    failures.push_back(at + r.error);
    return;
  }
  if (r.timed_out) failures.push_back(at + "timed out after " + std::to_string(o.timeout) + " s");
  if (r.exit_code != spec.exit_code) {
    std::string want = std::to_string(spec.exit_code);
    std::string how = r.signal ? " (killed by signal " + std::to_string(r.signal) + ")" : "";
    failures.push_back(at + "exit code: expected " + want + ", got " +
                       std::to_string(r.exit_code) + how);
  }
  if (spec.stdout_text && *spec.stdout_text != r.out) {
    failures.push_back(at + "stdout differs from the expected\n" +
                       describe_difference(*spec.stdout_text, r.out));
  }
  if (!run.outside.empty()) failures.push_back(at + "escaped its preopens: " + run.outside);
  if (!wvm_run) return;
  if (spec.stderr_text && *spec.stderr_text != r.err) {
    failures.push_back(at + "stderr differs from the expected\n" +
                       describe_difference(*spec.stderr_text, r.err));
  }
  if (spec.stdout_contains && r.out.find(*spec.stdout_contains) == std::string::npos) {
    failures.push_back(at + "stdout does not contain " + escaped(*spec.stdout_contains));
  }
  if (spec.stderr_contains && r.err.find(*spec.stderr_contains) == std::string::npos) {
    failures.push_back(at + "stderr does not contain " + escaped(*spec.stderr_contains));
  }
}

// Two runs that must agree (determinism, or node against wvm).
void compare_runs(const Run& first, const Run& other, bool with_stderr,
                  std::vector<std::string>& failures) {
  std::string pair = other.label + " against " + first.label + ": ";
  if (first.result.exit_code != other.result.exit_code) {
    failures.push_back(pair + "exit code " + std::to_string(other.result.exit_code) + " vs " +
                       std::to_string(first.result.exit_code));
  }
  if (first.result.out != other.result.out) {
    failures.push_back(pair + "stdout differs\n" +
                       describe_difference(first.result.out, other.result.out));
  }
  if (with_stderr && first.result.err != other.result.err) {
    failures.push_back(pair + "stderr differs\n" +
                       describe_difference(first.result.err, other.result.err));
  }
}

std::string outputs_of(const Run& run) {
  return "--- " + run.label + "\n  command: " + quote_command(run.command) + "\n  exit code " +
         std::to_string(run.result.exit_code) + "\n  stdout:\n" + indented(run.result.out) +
         "  stderr:\n" + indented(run.result.err);
}

// Applies the expected-failures list: a listed test must fail, with the
// listed text in its report; an unlisted one must pass.
// `outputs` (every run's command and output) follows the failures.
int verdict(const Options& o, const std::vector<std::string>& failures, const std::string& outputs) {
  std::string report;
  for (const std::string& f : failures) report += "FAIL " + f + "\n";
  report += outputs;
  std::string who = o.name.empty() ? o.wasm.string() : o.name;
  if (!o.variant.empty()) who += " [" + o.variant + "]";
  std::optional<ExpectedFailure> listed;
  if (o.expected_failures) {
    std::vector<ExpectedFailure> entries;
    std::string error;
    if (!load_expected_failures(*o.expected_failures, entries, error)) {
      std::printf("%sERROR %s\n", report.c_str(), error.c_str());
      return 1;
    }
    listed = find_expected_failure(entries, o.name, o.variant);
  }
  std::string where = listed ? o.expected_failures->string() + ":" + std::to_string(listed->line) : "";
  if (!listed) {
    std::printf("%s%s %s\n", report.c_str(), failures.empty() ? "PASS" : "FAILED", who.c_str());
    return failures.empty() ? 0 : 1;
  }
  if (failures.empty()) {
    std::printf("UNEXPECTED PASS %s: listed as an expected failure at %s (%s); it passes now: "
                "remove that line\n", who.c_str(), where.c_str(), listed->reason.c_str());
    return 1;
  }
  if (report.find(listed->text) == std::string::npos) {
    std::printf("%sFAILED %s: listed at %s, but its report lacks the listed text %s: it fails "
                "differently now\n", report.c_str(), who.c_str(), where.c_str(),
                escaped(listed->text).c_str());
    return 1;
  }
  std::printf("%sEXPECTED FAILURE %s (%s: %s)\n", report.c_str(), who.c_str(), where.c_str(),
              listed->reason.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::string error;
  if (!parse_options(argc, argv, o, error)) return usage(error);
  if (!o.spec) {
    fs::path beside = fs::path(o.wasm).replace_extension(".json");
    if (fs::exists(beside)) o.spec = beside;
  }
  TestSpec spec;
  std::vector<std::string> failures;
  std::vector<Run> runs;
  if (!load_test_spec(o.spec, spec, error)) {
    failures.push_back("spec: " + error);
  } else if (!spec.unsupported.empty()) {
    failures.push_back("unsupported by this runner: " + spec.unsupported);
  } else {
    for (const std::string& tier : o.tiers) {
      for (int n = 1; n <= o.runs; ++n) {
        std::vector<std::string> command = o.emulator;
        command.insert(command.end(), {o.wvm, "run", "--tier", tier});
        if (tier == "auto" && !o.auto_threshold.empty()) {
          command.insert(command.end(), {"--tier-threshold", o.auto_threshold});
        }
        command.insert(command.end(), o.wvm_args.begin(), o.wvm_args.end());
        command.insert(command.end(), spec.wvm_options.begin(), spec.wvm_options.end());
        std::string label = "wvm --tier " + tier + (o.runs > 1 ? " (run " + std::to_string(n) + ")" : "");
        runs.push_back(run_engine(o, spec, label, command, failures));
        check_run(o, spec, runs.back(), /*wvm_run=*/true, failures);
        if (runs.size() > 1) compare_runs(runs.front(), runs.back(), true, failures);
      }
    }
    if (!o.node.empty()) {
      // node's own warnings go to stderr: only exit code and stdout compare.
      runs.push_back(run_engine(o, spec, "node", {o.node, "--no-warnings", o.node_driver}, failures));
      check_run(o, spec, runs.back(), /*wvm_run=*/false, failures);
      compare_runs(runs.front(), runs.back(), false, failures);
    }
  }
  std::string outputs;
  if (!failures.empty()) {
    for (const Run& run : runs) outputs += outputs_of(run);
  }
  return verdict(o, failures, outputs);
}
