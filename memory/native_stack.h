// The native stacks wasm runs on.
//
// Outcomes must not depend on the embedder's thread stack (DESIGN.md,
// invariant 8), so every store runs wasm on a stack the engine owns: an mmap
// reservation, committed lazily, with guard pages at its low end, sized from
// max_call_depth so that the logical limits (call depth, value stack) are
// always reached before the native stack runs short.
//
// Sizing: every logical frame (a wasm frame in either tier, or a host frame)
// may use kNativeFrameBudget bytes of engine frames (the worst chain per wasm
// frame is tier 1 -> call_slow -> interp_run -> the interpreter loop, or
// Store::call -> interp_run -> the loop for a host re-entering wasm); every
// host frame may use kHostFrameReserve more for the host function's own
// frames, and a host frame is always called by a wasm frame, so at most half
// the frames are host frames. Below all that lies kNativeStackBottomReserve
// for the innermost callee: a host function that does not re-enter wasm, a
// tier-up compile, libc, signal frames of handlers without SA_ONSTACK.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace wvm {

#if defined(__SANITIZE_ADDRESS__)
#define WVM_NATIVE_STACK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WVM_NATIVE_STACK_ASAN 1
#endif
#endif

#ifdef WVM_NATIVE_STACK_ASAN
// AddressSanitizer's frames carry redzones and its runtime runs deeper: a
// larger budget per frame (measured on x86-64: about 10.8 KiB for a wasm
// frame plus a host frame, EngineFramesFitTheDocumentedBudget).
inline constexpr size_t kNativeFrameBudget = 8 * 1024;
inline constexpr size_t kNativeStackBottomReserve = 1024 * 1024;
#else
/// Engine frames per logical frame (measured on x86-64: about 1.5 KiB for a
/// wasm frame plus a host frame, EngineFramesFitTheDocumentedBudget).
inline constexpr size_t kNativeFrameBudget = 2 * 1024;
/// Below the last frame: an innermost host function, a tier-up compile, libc.
inline constexpr size_t kNativeStackBottomReserve = 256 * 1024;
#endif
/// What a host function may use of native stack per host frame on a chain
/// that goes on into wasm (the innermost one has kNativeStackBottomReserve).
inline constexpr size_t kHostFrameReserve = 32 * 1024;

/// The usable size of the stack for a store with this call-depth limit.
size_t native_stack_size_for(uint32_t max_call_depth) noexcept;

/// One engine-owned stack. Not thread-safe: one thread runs on it at a time
/// (a store is used by one thread at a time).
class NativeStack {
 public:
  /// `usable_size` bytes above the guard pages; nothing is mapped until the
  /// first run().
  explicit NativeStack(size_t usable_size) noexcept : usable_size_(usable_size) {}
  ~NativeStack();
  NativeStack(const NativeStack&) = delete;
  NativeStack& operator=(const NativeStack&) = delete;

  /// Runs fn(arg) on this stack and returns. If the calling thread already
  /// runs on this stack, calls fn directly; if this stack is suspended below
  /// a host function that left it, runs below the frames it holds. Maps the
  /// stack on first use; false, running nothing, if the OS refuses the
  /// mapping (address space exhausted). fn must not throw.
  [[nodiscard]] bool run(void (*fn)(void*), void* arg) noexcept;

  /// Whether the calling thread is running on this stack now.
  bool is_current() const noexcept;

  /// The lowest stack pointer at which engine code may still call deeper:
  /// the low end plus kNativeStackBottomReserve. 0 before the first run().
  uintptr_t limit() const noexcept { return limit_; }
  /// [low, high) of the usable part (empty before the first run()).
  uintptr_t low() const noexcept { return low_; }
  uintptr_t high() const noexcept { return high_; }

  /// After a trap unwound frames of this stack by siglongjmp (from a signal
  /// handler, possibly on the alternate stack, so AddressSanitizer's own
  /// longjmp cleanup does not see them): clears their stale poison below
  /// `frame`, the frame the trap landed in. A no-op outside ASan builds.
  void forget_frames_below(const void* frame) noexcept;

  /// Gives the committed pages back to the kernel if the calls since the
  /// last trim went deeper than the part kept resident (one mincore).
  /// Only while nothing runs on the stack.
  void trim() noexcept;

 private:
  friend void run_on_thread_stack(void (*fn)(void*), void* arg) noexcept;
  bool map() noexcept;

  size_t usable_size_;
  void* mapping_ = nullptr;
  size_t mapping_size_ = 0;
  uintptr_t low_ = 0;
  uintptr_t high_ = 0;
  uintptr_t limit_ = 0;
  // While suspended (a host function left it for another stack): the stack
  // pointer it was left at, below which a re-entry runs. 0 when not suspended.
  uintptr_t resume_sp_ = 0;
  bool ran_since_trim_ = false;  // trim() makes no system call otherwise
};

/// Runs fn(arg) on the calling thread's own stack, below the point where the
/// thread switched to an engine stack; calls it directly when the thread is
/// not on an engine stack. For callbacks into runtimes that check their
/// stack bounds (Go's cgo callbacks abort on a foreign stack). fn must not
/// throw.
void run_on_thread_stack(void (*fn)(void*), void* arg) noexcept;

/// The same for a callable: run_on_thread_stack([&] { ... }).
template <class F>
void run_on_thread_stack(F&& f) noexcept {
  using Fn = std::remove_reference_t<F>;
  run_on_thread_stack([](void* p) { (*static_cast<Fn*>(p))(); },
                      const_cast<void*>(static_cast<const void*>(&f)));
}

/// Whether the calling thread runs on an engine stack now.
bool on_engine_stack() noexcept;

}  // namespace wvm
