// Engine-owned native stacks and the switches between them and the thread's
// own stack (Linux). See native_stack.h for the sizing rule.
#include "memory/native_stack.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "memory/stack_switch.h"
#include "memory/trap_handler.h"

#ifdef WVM_NATIVE_STACK_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace wvm {
namespace {

// PROT_NONE below the usable part: larger than any single engine frame, so a
// frame that overflows faults instead of skipping over the guard.
constexpr size_t kGuardBytes = 64 * 1024;
// Above the top of the budgeted frames: the outermost entry's own frames.
constexpr size_t kTopSlack = 64 * 1024;
// Left free below the point a stack was left at before running on it again
// (more than x86-64's 128-byte red zone).
constexpr uintptr_t kResumeGap = 256;
// trim() keeps this much of the top committed: what ordinary calls use.
constexpr size_t kKeepResident = 128 * 1024;

size_t page_size() noexcept {
  static const size_t size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

uintptr_t align_down_16(uintptr_t p) noexcept { return p & ~uintptr_t{15}; }

// Which stack the thread runs on. `stack` is null on the thread's own stack;
// otherwise `thread_sp` is where the thread left its own stack (every frame
// there lies at or above it).
struct ThreadStacks {
  NativeStack* stack = nullptr;
  uintptr_t thread_sp = 0;
  // The thread stack's bounds as AddressSanitizer knows them (ASan builds).
  const void* thread_bottom = nullptr;
  size_t thread_size = 0;
};
thread_local ThreadStacks tl_stacks;

// AddressSanitizer must be told about every switch (its fiber interface), or
// it takes frames on the other stack for a stack overflow or unpoisons the
// wrong range on a longjmp. Empty in other builds.
#ifdef WVM_NATIVE_STACK_ASAN
void asan_start_switch(void** fake_stack, const void* bottom, size_t size) noexcept {
  __sanitizer_start_switch_fiber(fake_stack, bottom, size);
}
void asan_finish_switch(void* fake_stack, const void** bottom_old, size_t* size_old) noexcept {
  __sanitizer_finish_switch_fiber(fake_stack, bottom_old, size_old);
}
#else
void asan_start_switch(void**, const void*, size_t) noexcept {}
void asan_finish_switch(void*, const void**, size_t*) noexcept {}
#endif

struct Switch {
  void (*fn)(void*);
  void* arg;
  bool from_thread_stack;  // record the thread stack's bounds for ASan
  void* fake_stack = nullptr;
  const void* back_bottom = nullptr;
  size_t back_size = 0;
};

// Runs on the new stack. No TrapScope of the stack left behind is visible
// here: a trap raised or a fault taken on this stack must be caught by a
// scope on this stack (interp_run sets one), never by a siglongjmp across
// stacks; without one, raise_trap aborts with a message.
void on_new_stack(void* p) noexcept {
  Switch& s = *static_cast<Switch*>(p);
  asan_finish_switch(nullptr, &s.back_bottom, &s.back_size);
  if (s.from_thread_stack) {
    tl_stacks.thread_bottom = s.back_bottom;
    tl_stacks.thread_size = s.back_size;
  }
  TrapScope* const outer = exchange_trap_scope(nullptr);
  s.fn(s.arg);
  exchange_trap_scope(outer);
  // Leaving this stack for good (this run): ASan may drop its fake frames.
  asan_start_switch(nullptr, s.back_bottom, s.back_size);
}

void switch_and_call(Switch& s, uintptr_t new_sp, uintptr_t* left_sp, const void* bottom,
                     size_t size) noexcept {
  asan_start_switch(&s.fake_stack, bottom, size);
  wvm_stack_switch_call(&on_new_stack, &s, new_sp, left_sp);
  asan_finish_switch(s.fake_stack, nullptr, nullptr);
}

}  // namespace

size_t native_stack_size_for(uint32_t max_call_depth) noexcept {
  const size_t depth = max_call_depth;
  const size_t bytes = depth * kNativeFrameBudget + (depth + 1) / 2 * kHostFrameReserve +
                       kNativeStackBottomReserve + kTopSlack;
  const size_t page = page_size();
  return (bytes + page - 1) / page * page;
}

NativeStack::~NativeStack() {
  if (mapping_ == nullptr) return;
#ifdef WVM_NATIVE_STACK_ASAN
  // Frames left by traps (longjmp) keep their redzones poisoned in ASan's
  // shadow; the address range may next hold a linear memory, whose bytes
  // would then read as a stack-buffer underflow.
  __asan_unpoison_memory_region(mapping_, mapping_size_);
#endif
  munmap(mapping_, mapping_size_);
}

void NativeStack::forget_frames_below(const void* frame) noexcept {
#ifdef WVM_NATIVE_STACK_ASAN
  const uintptr_t f = reinterpret_cast<uintptr_t>(frame);
  if (f <= low_ || f > high_) return;
  __asan_unpoison_memory_region(reinterpret_cast<void*>(low_), f - low_);
#else
  (void)frame;
#endif
}

bool NativeStack::map() noexcept {
  const size_t page = page_size();
  const size_t usable = (usable_size_ + page - 1) / page * page;
  const size_t guard = (kGuardBytes + page - 1) / page * page;
  // MAP_NORESERVE: only the pages a call touches are committed.
  void* mapping = mmap(nullptr, guard + usable, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (mapping == MAP_FAILED) return false;
  if (mprotect(mapping, guard, PROT_NONE) != 0) {
    munmap(mapping, guard + usable);
    return false;
  }
  mapping_ = mapping;
  mapping_size_ = guard + usable;
  low_ = reinterpret_cast<uintptr_t>(mapping) + guard;
  high_ = low_ + usable;
  limit_ = low_ + kNativeStackBottomReserve;
  return true;
}

bool NativeStack::is_current() const noexcept { return tl_stacks.stack == this; }

bool on_engine_stack() noexcept { return tl_stacks.stack != nullptr; }

bool NativeStack::run(void (*fn)(void*), void* arg) noexcept {
  ThreadStacks& ts = tl_stacks;
  if (ts.stack == this) {
    fn(arg);
    return true;
  }
  if (mapping_ == nullptr && !map()) return false;
  ran_since_trim_ = true;
  NativeStack* const left = ts.stack;
  const ThreadStacks saved = ts;
  // Where the stack left behind stops: the thread's own stack, or (a host
  // function on one engine stack entering another store) that engine stack.
  uintptr_t* const left_sp = left != nullptr ? &left->resume_sp_ : &ts.thread_sp;
  const uintptr_t left_resume = left != nullptr ? left->resume_sp_ : 0;
  const uintptr_t top = resume_sp_ != 0 ? resume_sp_ - kResumeGap : high_;
  Switch s{fn, arg, left == nullptr};
  ts.stack = this;
  switch_and_call(s, align_down_16(top), left_sp, reinterpret_cast<const void*>(low_),
                  high_ - low_);
  if (left != nullptr) left->resume_sp_ = left_resume;
  ts = saved;
  return true;
}

void run_on_thread_stack(void (*fn)(void*), void* arg) noexcept {
  ThreadStacks& ts = tl_stacks;
  NativeStack* const left = ts.stack;
  if (left == nullptr) {
    fn(arg);
    return;
  }
  const ThreadStacks saved = ts;
  const uintptr_t left_resume = left->resume_sp_;
  Switch s{fn, arg, false};
  ts.stack = nullptr;
  ts.thread_sp = 0;
  switch_and_call(s, align_down_16(saved.thread_sp - kResumeGap), &left->resume_sp_,
                  saved.thread_bottom, saved.thread_size);
  left->resume_sp_ = left_resume;
  ts = saved;
}

void NativeStack::trim() noexcept {
  if (!ran_since_trim_) return;
  ran_since_trim_ = false;
  const size_t page = page_size();
  if (high_ - low_ <= kKeepResident + page) return;
  // Stacks grow down through every page: if the page just below the part
  // kept is resident, the calls went deeper; give back everything below.
  const uintptr_t keep_low = high_ - kKeepResident;
  unsigned char resident = 0;
  if (mincore(reinterpret_cast<void*>(keep_low - page), page, &resident) != 0) return;
  if ((resident & 1) == 0) return;
  madvise(reinterpret_cast<void*>(low_), keep_low - low_, MADV_DONTNEED);
}

}  // namespace wvm
