// Fault-to-trap signal handling, alternate signal stacks and native stack
// limits (Linux). See trap_handler.h for the contract.
//
// Everything the signal handler touches is async-signal-safe: lock-free
// atomics, a thread_local pointer in static TLS, sigaction, pthread_sigmask,
// raise and siglongjmp. No allocation, no locks, no stdio on that path.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  // REG_RIP, pthread_getattr_np
#endif

#include "memory/trap_handler.h"

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace wvm {
namespace {

static_assert(std::atomic<uintptr_t>::is_always_lock_free,
              "the signal handler needs lock-free atomics");
static_assert(std::atomic<uint32_t>::is_always_lock_free,
              "the signal handler needs lock-free atomics");
static_assert(std::atomic<TrapScope*>::is_always_lock_free,
              "the signal handler needs lock-free atomics");

constexpr size_t kMaxReservations = 65536;
constexpr size_t kMaxCodeRanges = 4096;

// For failed system calls; prints errno's description too.
[[noreturn]] void die(const char* what) {
  const int error = errno;
  std::fprintf(stderr, "wvm: ");
  errno = error;
  std::perror(what);
  std::abort();
}

// A fixed-capacity set of disjoint address ranges that the signal handler
// searches without locks. Writers are serialized by a mutex; each slot is a
// seqlock so a reader never takes a half-written or recycled slot as valid:
// the sequence number is odd while a writer changes the slot, and a reader
// accepts a slot only if it saw the same even number before and after
// reading begin/end. A reader skips (does not retry) a slot that is changing:
// a range being added is not yet in use by guarded code, and a range being
// removed must no longer be (removing a range still in use is an engine bug).
template <size_t kCapacity>
class RangeRegistry {
 public:
  constexpr explicit RangeRegistry(const char* what) noexcept : what_(what) {}

  /// Ranges must be disjoint; aborts on an empty range or a full registry.
  void add(uintptr_t begin, uintptr_t end, int tag = -1) {
    if (begin == 0 || end <= begin) {
      std::fprintf(stderr, "wvm: cannot register an empty %s at %#zx\n", what_,
                   static_cast<size_t>(begin));
      std::abort();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    const size_t used = high_water_.load(std::memory_order_relaxed);
    size_t index;
    if (free_head_ != kNoSlot) {
      index = free_head_;
      free_head_ = slots_[index].next_free;
    } else if (used < kCapacity) {
      index = used;
    } else {
      std::fprintf(stderr, "wvm: more than %zu %ss registered\n", kCapacity, what_);
      std::abort();
    }
    write(slots_[index], begin, end, tag);
    // Publish a new slot only after it holds its range (release pairs with
    // the handler's acquire of high_water_).
    if (index == used) high_water_.store(used + 1, std::memory_order_release);
  }

  /// Aborts if no range starts at `begin`.
  void remove(uintptr_t begin) {
    std::lock_guard<std::mutex> lock(mutex_);
    const size_t used = high_water_.load(std::memory_order_relaxed);
    for (size_t i = 0; i < used; ++i) {
      if (begin != 0 && slots_[i].begin.load(std::memory_order_relaxed) == begin) {
        write(slots_[i], 0, 0, -1);
        slots_[i].next_free = free_head_;
        free_head_ = i;
        return;
      }
    }
    std::fprintf(stderr, "wvm: no %s registered at %#zx\n", what_, static_cast<size_t>(begin));
    std::abort();
  }

  /// Async-signal-safe. With `tag`, also reports the range's tag.
  bool contains(uintptr_t address, int* tag = nullptr) const noexcept {
    const size_t used = high_water_.load(std::memory_order_acquire);
    for (size_t i = 0; i < used; ++i) {
      const Slot& slot = slots_[i];
      const uint32_t seq = slot.seq.load(std::memory_order_acquire);
      if ((seq & 1) != 0) continue;
      const uintptr_t begin = slot.begin.load(std::memory_order_relaxed);
      const uintptr_t end = slot.end.load(std::memory_order_relaxed);
      const int slot_tag = slot.tag.load(std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_acquire);
      if (slot.seq.load(std::memory_order_relaxed) != seq) continue;
      if (begin != 0 && address >= begin && address < end) {
        if (tag != nullptr) *tag = slot_tag;
        return true;
      }
    }
    return false;
  }

 private:
  static constexpr size_t kNoSlot = ~size_t{0};

  struct Slot {
    std::atomic<uint32_t> seq{0};
    std::atomic<uintptr_t> begin{0};  // 0: free
    std::atomic<uintptr_t> end{0};
    std::atomic<int> tag{-1};  // code ranges: the saved register, or -1
    size_t next_free = kNoSlot;  // writers only, under mutex_
  };

  static void write(Slot& slot, uintptr_t begin, uintptr_t end, int tag) noexcept {
    const uint32_t seq = slot.seq.load(std::memory_order_relaxed);
    slot.seq.store(seq + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    slot.begin.store(begin, std::memory_order_relaxed);
    slot.end.store(end, std::memory_order_relaxed);
    slot.tag.store(tag, std::memory_order_relaxed);
    slot.seq.store(seq + 2, std::memory_order_release);
  }

  Slot slots_[kCapacity];
  std::atomic<size_t> high_water_{0};
  std::mutex mutex_;
  size_t free_head_ = kNoSlot;  // under mutex_
  const char* what_;
};

// Constant-initialized (no static constructor runs), so the handler and early
// callers never see them half-built.
constinit RangeRegistry<kMaxReservations> g_reservations{"linear-memory reservation"};
constinit RangeRegistry<kMaxCodeRanges> g_code_ranges{"code range"};

// The handlers that were installed before ours; written once before ours is
// installed, read-only afterwards.
struct sigaction g_previous_segv;
struct sigaction g_previous_bus;

// The innermost TrapScope of this thread. Initial-exec TLS: reading it in the
// handler must not go through __tls_get_addr, which may allocate.
thread_local std::atomic<TrapScope*> tl_scope __attribute__((tls_model("initial-exec"))){nullptr};

// The program counter of the interrupted instruction.
uintptr_t interrupted_pc(const void* context) noexcept {
  const auto* uc = static_cast<const ucontext_t*>(context);
#if defined(__x86_64__)
  return static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
#elif defined(__aarch64__)
  return static_cast<uintptr_t>(uc->uc_mcontext.pc);
#else
#error "wvm's trap handler supports x86-64 and AArch64 only"
#endif
}

// Machine register `n` of the interrupted context (see register_code_range).
uint64_t interrupted_register(const void* context, int n) noexcept {
  const auto* uc = static_cast<const ucontext_t*>(context);
#if defined(__x86_64__)
  // Encoding order rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15.
  static constexpr int kGregs[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
                                     REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
                                     REG_R12, REG_R13, REG_R14, REG_R15};
  return static_cast<uint64_t>(uc->uc_mcontext.gregs[kGregs[n & 15]]);
#elif defined(__aarch64__)
  return uc->uc_mcontext.regs[n <= 30 ? n : 30];
#endif
}

// Hands a fault that is not a wasm trap to whatever was installed before us,
// as the kernel would have: with the previous handler's mask (and the signal
// itself unless it asked for SA_NODEFER) blocked while it runs.
void chain_to_previous(int sig, siginfo_t* info, void* context) {
  const struct sigaction& previous = sig == SIGBUS ? g_previous_bus : g_previous_segv;
  const bool has_function = (previous.sa_flags & SA_SIGINFO) != 0 ||
                            (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN);
  const int saved_errno = errno;
  if (has_function) {
    sigset_t mask = previous.sa_mask;
    if ((previous.sa_flags & SA_NODEFER) == 0) sigaddset(&mask, sig);
    sigset_t old_mask;
    pthread_sigmask(SIG_BLOCK, &mask, &old_mask);
    if ((previous.sa_flags & SA_SIGINFO) != 0) {
      previous.sa_sigaction(sig, info, context);
    } else {
      previous.sa_handler(sig);
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  } else {
    // SIG_DFL, and SIG_IGN too: an ignored synchronous fault would re-execute
    // forever (Linux kills the process in that case anyway). Restore the
    // default and return; the faulting instruction runs again and takes the
    // default action. A signal that was sent rather than caused by a fault
    // would not recur, so send it again.
    struct sigaction default_action = {};
    default_action.sa_handler = SIG_DFL;
    sigemptyset(&default_action.sa_mask);
    sigaction(sig, &default_action, nullptr);
    if (info == nullptr || info->si_code <= 0) raise(sig);
  }
  errno = saved_errno;
}

// Faults turned into traps, for diagnostics and tests (a lock-free counter is
// async-signal-safe).
std::atomic<uint64_t> g_faults_trapped{0};
static_assert(std::atomic<uint64_t>::is_always_lock_free);

void handle_fault(int sig, siginfo_t* info, void* context) {
  TrapScope* scope = tl_scope.load(std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  // si_code > 0: raised by the kernel for a fault, so si_addr is meaningful.
  int saved_register = -1;
  if (scope != nullptr && info != nullptr && info->si_code > 0 &&
      g_code_ranges.contains(interrupted_pc(context), &saved_register) &&
      g_reservations.contains(reinterpret_cast<uintptr_t>(info->si_addr))) {
    scope->has_saved = saved_register >= 0;
    if (scope->has_saved) scope->saved = interrupted_register(context, saved_register);
    scope->fault_pc = interrupted_pc(context);
#if defined(__x86_64__)
    scope->fault_frame = interrupted_register(context, 4);  // rsp
#else
    scope->fault_frame = interrupted_register(context, 29);  // x29
#endif
    // Our sa_flags include SA_NODEFER, so `sig` is not blocked here and stays
    // unblocked after the jump even though scopes use sigsetjmp(jmp, 0).
    g_faults_trapped.fetch_add(1, std::memory_order_relaxed);
    siglongjmp(scope->jmp, 1);
  }
  chain_to_previous(sig, info, context);
}

void install_once() {
  // Read the previous actions before installing ours: sigaction(sig, &ours,
  // &previous) would let another thread fault into our handler while
  // `previous` is still being written.
  if (sigaction(SIGSEGV, nullptr, &g_previous_segv) != 0 ||
      sigaction(SIGBUS, nullptr, &g_previous_bus) != 0) {
    die("sigaction (query)");
  }
  struct sigaction action = {};
  action.sa_sigaction = handle_fault;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGSEGV, &action, nullptr) != 0 || sigaction(SIGBUS, &action, nullptr) != 0) {
    die("sigaction (install)");
  }
}

size_t page_size() noexcept {
  static const size_t size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

// This thread's alternate signal stack, if wvm made it; unmapped at thread exit.
class AltStack {
 public:
  AltStack() = default;
  AltStack(const AltStack&) = delete;
  AltStack& operator=(const AltStack&) = delete;

  ~AltStack() {
    if (mapping_ == nullptr) return;
    stack_t current;
    if (sigaltstack(nullptr, &current) == 0 && current.ss_sp == usable_ &&
        (current.ss_flags & SS_DISABLE) == 0) {
      stack_t disable = {};
      disable.ss_flags = SS_DISABLE;
      sigaltstack(&disable, nullptr);
    }
    munmap(mapping_, mapping_size_);
  }

  void ensure() {
    if (checked_) return;
    stack_t current;
    if (sigaltstack(nullptr, &current) != 0) die("sigaltstack (query)");
    if ((current.ss_flags & SS_DISABLE) == 0) {
      checked_ = true;  // the embedder (or a sanitizer) gave this thread one: keep it
      return;
    }
    const size_t page = page_size();
    const size_t wanted = std::max<size_t>(kAltStackSize, SIGSTKSZ);
    const size_t size = (wanted + page - 1) / page * page;
    // One guard page below, so a handler that overflows the alternate stack
    // faults instead of writing into whatever is mapped there.
    void* mapping = mmap(nullptr, size + page, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (mapping == MAP_FAILED) die("mmap (alternate signal stack)");
    if (mprotect(mapping, page, PROT_NONE) != 0) die("mprotect (alternate signal stack guard)");
    stack_t stack = {};
    stack.ss_sp = static_cast<char*>(mapping) + page;
    stack.ss_size = size;
    if (sigaltstack(&stack, nullptr) != 0) die("sigaltstack (install)");
    mapping_ = mapping;
    mapping_size_ = size + page;
    usable_ = stack.ss_sp;
    checked_ = true;
  }

 private:
  static constexpr size_t kAltStackSize = 64 * 1024;

  bool checked_ = false;
  void* mapping_ = nullptr;
  size_t mapping_size_ = 0;
  void* usable_ = nullptr;
};

thread_local AltStack tl_alt_stack;

// Stack reserve below the limit for host functions, the engine's own frames
// between two limit checks, and libc: an eighth of the stack, at least
// 128 KiB, at most 1 MiB, and never more than half of what is left below the
// stack pointer on the first call (so a small thread still gets room to run).
constexpr size_t kMinStackReserve = 128 * 1024;
constexpr size_t kMaxStackReserve = 1024 * 1024;
// With RLIMIT_STACK unlimited, glibc reports the main thread's stack as
// reaching down to the next mapping, which may be terabytes away and beyond
// what the kernel lets the stack grow to; assume no more than this.
constexpr size_t kMaxAssumedStack = 256 * 1024 * 1024;
// When the stack bounds can't be queried: a conservative amount below the
// stack pointer at the first call.
constexpr size_t kFallbackUsable = 64 * 1024;

uintptr_t compute_stack_limit() noexcept {
  const uintptr_t sp = current_stack_pointer();
  uintptr_t low = 0;
  size_t size = 0;
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void* address = nullptr;
    if (pthread_attr_getstack(&attr, &address, &size) == 0) {
      low = reinterpret_cast<uintptr_t>(address);
    }
    pthread_attr_destroy(&attr);
  }
  if (low == 0 || sp <= low || sp - low > size) {
    return sp > kFallbackUsable ? sp - kFallbackUsable : 0;
  }
  if (size > kMaxAssumedStack) {
    const uintptr_t high = low + size;
    low = high - kMaxAssumedStack;
    size = kMaxAssumedStack;
    if (sp <= low) return sp > kFallbackUsable ? sp - kFallbackUsable : 0;
  }
  size_t reserve = std::clamp(size / 8, kMinStackReserve, kMaxStackReserve);
  reserve = std::min(reserve, (sp - low) / 2);
  return low + reserve;
}

}  // namespace

uint64_t faults_trapped() noexcept { return g_faults_trapped.load(std::memory_order_relaxed); }

void install_trap_handler() {
  static std::once_flag once;
  std::call_once(once, install_once);
}

void ensure_alt_stack() {
  tl_alt_stack.ensure();
}

void register_code_range(const void* begin, const void* end, int saved_register) {
  g_code_ranges.add(reinterpret_cast<uintptr_t>(begin), reinterpret_cast<uintptr_t>(end),
                    saved_register);
}

void unregister_code_range(const void* begin) {
  g_code_ranges.remove(reinterpret_cast<uintptr_t>(begin));
}

void register_reservation(const void* begin, size_t size) {
  const auto address = reinterpret_cast<uintptr_t>(begin);
  g_reservations.add(address, address + size);
}

void unregister_reservation(const void* begin) {
  g_reservations.remove(reinterpret_cast<uintptr_t>(begin));
}

void TrapScope::enter() noexcept {
  prev = tl_scope.load(std::memory_order_relaxed);
  // The handler runs on this thread: `jmp` and `prev` must be written before
  // it can see this scope.
  std::atomic_signal_fence(std::memory_order_seq_cst);
  tl_scope.store(this, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
}

TrapScope* exchange_trap_scope(TrapScope* scope) noexcept {
  std::atomic_signal_fence(std::memory_order_seq_cst);
  // Only this thread writes it: no read-modify-write needed.
  TrapScope* const previous = tl_scope.load(std::memory_order_relaxed);
  tl_scope.store(scope, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  return previous;
}

void raise_trap(int kind) noexcept {
  TrapScope* scope = tl_scope.load(std::memory_order_relaxed);
  if (scope == nullptr) {
    std::fprintf(stderr, "wvm: a trap was raised outside any TrapScope\n");
    std::abort();
  }
  siglongjmp(scope->jmp, kTrapScopeRaisedBase + kind);
}

void TrapScope::leave() noexcept {
  if (tl_scope.load(std::memory_order_relaxed) != this) {
    std::fprintf(stderr, "wvm: TrapScope::leave on a scope that is not the innermost\n");
    std::abort();
  }
  std::atomic_signal_fence(std::memory_order_seq_cst);
  tl_scope.store(prev, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
}

uintptr_t native_stack_limit() noexcept {
  thread_local uintptr_t limit = 0;
  if (limit == 0) limit = compute_stack_limit();
  return limit;
}

}  // namespace wvm
