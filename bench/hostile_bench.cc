// The hostile corpus's budgets: every case (tests/hostile/cases.cc) in every
// tier, each in a child process, timed (compile + instantiate + call) and
// measured (peak resident memory), against the case's budget. Prints one row
// per run; exits 1 if an outcome is wrong or a budget is exceeded.
//
// Usage: wvm-bench-hostile [CASE-SUBSTRING]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "tests/hostile/cases.h"

using namespace wvm::hostile;

int main(int argc, char** argv) {
  const char* filter = argc > 1 ? argv[1] : nullptr;
  int failures = 0;
  std::printf("%-28s %-24s %9s %9s %9s %9s  %s\n", "case", "tier", "seconds", "budget", "MiB",
              "budget", "verdict");
  for (const Case& c : cases()) {
    if (filter != nullptr && c.name.find(filter) == std::string::npos) continue;
    for (const std::string& tier : tiers()) {
      std::fflush(stdout);
      const auto start = std::chrono::steady_clock::now();
      const pid_t pid = fork();
      if (pid < 0) {
        std::perror("fork");
        return 2;
      }
      if (pid == 0) {
        const Observed o = run(c, tier, 256 * 1024);
        if (!same_outcome(c.expected, o.outcome)) {
          std::fprintf(stderr, "%s in %s: expected %s, got %s [%s]\n", c.name.c_str(),
                       tier.c_str(), describe(c.expected).c_str(), describe(o.outcome).c_str(),
                       o.message.c_str());
          _exit(1);
        }
        _exit(0);
      }
      int status = 0;
      rusage usage{};
      wait4(pid, &status, 0, &usage);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double mib = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is KiB
      const char* verdict = "ok";
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        verdict = WIFSIGNALED(status) ? "CRASHED" : "WRONG OUTCOME";
      else if (seconds > c.budget_seconds)
        verdict = "OVER TIME";
      else if (mib > static_cast<double>(c.budget_mib))
        verdict = "OVER MEMORY";
      if (std::strcmp(verdict, "ok") != 0) ++failures;
      std::printf("%-28s %-24s %9.3f %9.1f %9.1f %9zu  %s\n", c.name.c_str(), tier.c_str(),
                  seconds, c.budget_seconds, mib, c.budget_mib, verdict);
    }
  }
  std::printf("%d run(s) failed\n", failures);
  return failures == 0 ? 0 : 1;
}
