// Tier-1 compilation on a background thread (TierConfig::background_compile):
// tier 0 queues hot functions and goes on interpreting them; the worker
// compiles each and installs its entry with a release store, so a call sees
// either no entry or complete code. One worker per engine.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "wvm/wvm.h"

namespace wvm {

class BackgroundCompiler {
 public:
  explicit BackgroundCompiler(Engine& engine);
  /// Stops the worker; queued functions are dropped (they stay in tier 0).
  ~BackgroundCompiler();
  BackgroundCompiler(const BackgroundCompiler&) = delete;
  BackgroundCompiler& operator=(const BackgroundCompiler&) = delete;

  /// Queues defined function `func_index` of `module` (kept alive meanwhile).
  void enqueue(std::shared_ptr<const Module> module, uint32_t func_index);
  /// Waits until the queue is empty and the worker idle (for tests and benchmarks).
  void drain();

 private:
  void run();

  Engine& engine_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::pair<std::shared_ptr<const Module>, uint32_t>> queue_;
  bool busy_ = false;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace wvm
