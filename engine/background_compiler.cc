#include "engine/background_compiler.h"

#include "engine/tier_manager.h"

namespace wvm {

BackgroundCompiler::BackgroundCompiler(Engine& engine)
    : engine_(engine), worker_([this] { run(); }) {}

BackgroundCompiler::~BackgroundCompiler() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  worker_.join();
}

void BackgroundCompiler::enqueue(std::shared_ptr<const Module> module, uint32_t func_index) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stop_) return;
    queue_.emplace_back(std::move(module), func_index);
  }
  wake_.notify_one();
}

void BackgroundCompiler::drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [this] { return stop_ || (queue_.empty() && !busy_); });
}

void BackgroundCompiler::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) break;
    auto [module, func_index] = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    // Failure (an unsupported instruction) leaves the function in tier 0.
    (void)compile_and_install(engine_, *module, func_index);
    module.reset();
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
  idle_.notify_all();
}

}  // namespace wvm
