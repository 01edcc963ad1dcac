// Unit tests for memory/trap_handler.h: a fault in registered code on a
// registered reservation becomes a trap; every other fault reaches the handler
// installed before ours, or the default action; alternate signal stacks;
// native stack limits.
//
// Death tests use the "threadsafe" style: the child re-executes the test
// binary, so it starts with none of our handlers installed and
// install_trap_handler's std::call_once not yet done. Each child installs
// "the previous handler" (or SIG_DFL) itself and only then calls
// install_trap_handler(), so the chain target is exactly what the test says,
// whatever the parent process (or AddressSanitizer) installed.
#include "memory/trap_handler.h"
#include "tests/unit/sized_thread.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

// Bounds of the section that stands in for JIT code (defined by the linker
// because the section's name is a C identifier).
extern "C" char __start_wvm_test_fault_code[];
extern "C" char __stop_wvm_test_fault_code[];

namespace wvm {
namespace {

using ReadFn = uint8_t (*)(const volatile uint8_t*);

// The only code registered with the trap handler in these tests.
__attribute__((noinline, section("wvm_test_fault_code"))) uint8_t guarded_read(
    const volatile uint8_t* p) {
  return *p;
}

// The same load from code that is not registered.
__attribute__((noinline)) uint8_t unregistered_read(const volatile uint8_t* p) {
  return *p;
}

// Called through volatile pointers so the compiler can neither inline nor
// clone them out of their sections.
ReadFn volatile g_guarded_read = guarded_read;
ReadFn volatile g_unregistered_read = unregistered_read;

size_t page_size() {
  return static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// An anonymous mapping, unmapped on destruction.
class Mapping {
 public:
  Mapping(size_t size, int prot) : size_(size) {
    void* p = mmap(nullptr, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) std::abort();
    data_ = static_cast<uint8_t*>(p);
  }
  ~Mapping() { munmap(data_, size_); }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;

  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t* data_;
  size_t size_;
};

class ScopedReservation {
 public:
  ScopedReservation(const void* begin, size_t size) : begin_(begin) {
    register_reservation(begin, size);
  }
  explicit ScopedReservation(const Mapping& m) : ScopedReservation(m.data(), m.size()) {}
  ~ScopedReservation() { unregister_reservation(begin_); }
  ScopedReservation(const ScopedReservation&) = delete;
  ScopedReservation& operator=(const ScopedReservation&) = delete;

 private:
  const void* begin_;
};

class ScopedTestCode {
 public:
  ScopedTestCode() { register_code_range(__start_wvm_test_fault_code, __stop_wvm_test_fault_code); }
  ~ScopedTestCode() { unregister_code_range(__start_wvm_test_fault_code); }
  ScopedTestCode(const ScopedTestCode&) = delete;
  ScopedTestCode& operator=(const ScopedTestCode&) = delete;
};

// Runs read(p) inside a TrapScope; true if it trapped.
__attribute__((noinline)) bool traps(ReadFn read, const volatile uint8_t* p) {
  TrapScope scope;
  if (sigsetjmp(scope.jmp, 0) != 0) {
    scope.leave();
    return true;
  }
  scope.enter();
  read(p);
  scope.leave();
  return false;
}

bool segv_blocked() {
  sigset_t mask;
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  return sigismember(&mask, SIGSEGV) == 1;
}

// Runs `body` on a new pthread whose stack is exactly `stack_size` bytes,
// with one inaccessible guard page below it.
void run_on_thread(size_t stack_size, const std::function<void()>& body) {
  test::run_on_sized_thread(stack_size, body);
}

// ---- faults that become traps ----------------------------------------------

TEST(TrapHandlerTest, FaultInRegisteredCodeOnReservationTraps) {
  install_trap_handler();
  ensure_alt_stack();
  Mapping region(4 * page_size(), PROT_NONE);
  ScopedReservation reservation(region);
  ScopedTestCode code;

  // Repeatedly: a handler that left SIGSEGV blocked after the jump (no
  // SA_NODEFER with sigsetjmp(jmp, 0)) would kill the process on the second.
  int trapped = 0;
  for (int i = 0; i < 1000; ++i) {
    trapped += traps(g_guarded_read, region.data() + (static_cast<size_t>(i) * 97) % region.size());
  }
  EXPECT_EQ(trapped, 1000);
  EXPECT_FALSE(segv_blocked());
}

TEST(TrapHandlerTest, AccessibleReservationDoesNotTrap) {
  install_trap_handler();
  Mapping region(page_size(), PROT_READ | PROT_WRITE);
  region.data()[5] = 0xab;
  ScopedReservation reservation(region);
  ScopedTestCode code;
  uint8_t value = 0;
  TrapScope scope;
  if (sigsetjmp(scope.jmp, 0) != 0) {
    scope.leave();
    FAIL() << "an accessible read trapped";
  }
  scope.enter();
  value = g_guarded_read(region.data() + 5);
  scope.leave();
  EXPECT_EQ(value, 0xab);
}

TEST(TrapHandlerTest, InnermostScopeGetsTheTrap) {
  install_trap_handler();
  Mapping region(page_size(), PROT_NONE);
  ScopedReservation reservation(region);
  ScopedTestCode code;

  volatile int outer_traps = 0;
  TrapScope outer;
  if (sigsetjmp(outer.jmp, 0) != 0) {
    outer.leave();
    outer_traps = outer_traps + 1;
  } else {
    outer.enter();
    // The inner scope catches its own fault and restores the outer one...
    EXPECT_TRUE(traps(g_guarded_read, region.data()));
    // ...which catches the next.
    g_guarded_read(region.data());
    outer.leave();
  }
  EXPECT_EQ(outer_traps, 1);
}

TEST(TrapHandlerTest, TrapsOnFourThreadsWhileRegistriesChange) {
  install_trap_handler();
  Mapping region(16 * page_size(), PROT_NONE);
  ScopedReservation reservation(region);
  ScopedTestCode code;
  // Addresses for the churn thread's ranges, disjoint from everything else.
  Mapping churn_space(64 * page_size(), PROT_NONE);

  std::atomic<bool> stop{false};
  std::thread churn([&] {
    while (!stop.load()) {
      for (size_t i = 0; i < 64; ++i) {
        register_reservation(churn_space.data() + i * page_size(), page_size());
        register_code_range(churn_space.data() + i * page_size(),
                            churn_space.data() + (i + 1) * page_size());
      }
      for (size_t i = 0; i < 64; ++i) {
        unregister_reservation(churn_space.data() + i * page_size());
        unregister_code_range(churn_space.data() + i * page_size());
      }
    }
  });

  std::atomic<int> trapped{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&, t] {
      ensure_alt_stack();
      for (int i = 0; i < 1000; ++i) {
        const size_t offset =
            (static_cast<size_t>(i) * 131 + static_cast<size_t>(t)) % region.size();
        if (traps(g_guarded_read, region.data() + offset)) trapped.fetch_add(1);
      }
    });
  }
  for (std::thread& w : workers) w.join();
  stop.store(true);
  churn.join();
  EXPECT_EQ(trapped.load(), 4000);
}

// A shared file mapping past the end of its file: loads there raise SIGBUS.
class PastEndOfFile {
 public:
  PastEndOfFile() {
    fd_ = memfd_create("wvm-trap-handler-test", 0);
    if (fd_ < 0 || ftruncate(fd_, static_cast<off_t>(page_size())) != 0) std::abort();
    void* p = mmap(nullptr, 2 * page_size(), PROT_READ, MAP_SHARED, fd_, 0);
    if (p == MAP_FAILED) std::abort();
    mapping_ = static_cast<uint8_t*>(p);
  }
  ~PastEndOfFile() {
    munmap(mapping_, 2 * page_size());
    close(fd_);
  }
  PastEndOfFile(const PastEndOfFile&) = delete;
  PastEndOfFile& operator=(const PastEndOfFile&) = delete;

  uint8_t* mapping() const { return mapping_; }
  uint8_t* past_end() const { return mapping_ + page_size(); }

 private:
  int fd_ = -1;
  uint8_t* mapping_ = nullptr;
};

TEST(TrapHandlerTest, BusErrorOnReservationTraps) {
  install_trap_handler();
  PastEndOfFile file;
  ScopedReservation reservation(file.mapping(), 2 * page_size());
  ScopedTestCode code;
  EXPECT_FALSE(traps(g_guarded_read, file.mapping()));
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(traps(g_guarded_read, file.past_end() + i));
}

// ---- faults that are not ours go to the previous handler or the default ----

class TrapHandlerDeathTest : public testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

// Where the death tests' faults happen, for the chained handler to check it
// got the real siginfo.
const void* volatile g_fault_address = nullptr;

const volatile uint8_t* expect_fault_at(const volatile uint8_t* p) {
  g_fault_address = const_cast<const uint8_t*>(p);
  return p;
}

void exit_42(int sig, siginfo_t* info, void*) {
  _exit(info != nullptr && info->si_signo == sig && info->si_addr == g_fault_address ? 42 : 41);
}

void exit_43(int) {
  _exit(43);
}

// Exits 44 if the chained handler runs with the signal and its own sa_mask
// blocked (as the kernel would have run it), 45 otherwise.
void exit_44_if_masked(int, siginfo_t*, void*) {
  sigset_t mask;
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  _exit(sigismember(&mask, SIGSEGV) == 1 && sigismember(&mask, SIGUSR1) == 1 ? 44 : 45);
}

void set_previous_handler(int sig, void (*handler)(int, siginfo_t*, void*)) {
  struct sigaction action = {};
  action.sa_sigaction = handler;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  if (sigaction(sig, &action, nullptr) != 0) _exit(3);
}

void set_previous_disposition(int sig, void (*handler)(int)) {
  struct sigaction action = {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  if (sigaction(sig, &action, nullptr) != 0) _exit(3);
}

TEST_F(TrapHandlerDeathTest, FaultOutsideReservationsChains) {
  EXPECT_EXIT(
      {
        set_previous_handler(SIGSEGV, exit_42);
        install_trap_handler();
        Mapping page(page_size(), PROT_NONE);  // not registered
        ScopedTestCode code;
        traps(g_guarded_read, expect_fault_at(page.data()));
      },
      testing::ExitedWithCode(42), "");
}

TEST_F(TrapHandlerDeathTest, FaultFromUnregisteredCodeChains) {
  EXPECT_EXIT(
      {
        set_previous_handler(SIGSEGV, exit_42);
        install_trap_handler();
        Mapping region(page_size(), PROT_NONE);
        ScopedReservation reservation(region);
        ScopedTestCode code;
        traps(g_unregistered_read, expect_fault_at(region.data()));
      },
      testing::ExitedWithCode(42), "");
}

TEST_F(TrapHandlerDeathTest, FaultWithoutTrapScopeChains) {
  EXPECT_EXIT(
      {
        set_previous_handler(SIGSEGV, exit_42);
        install_trap_handler();
        Mapping region(page_size(), PROT_NONE);
        ScopedReservation reservation(region);
        ScopedTestCode code;
        g_guarded_read(expect_fault_at(region.data()));
      },
      testing::ExitedWithCode(42), "");
}

TEST_F(TrapHandlerDeathTest, FaultOnUnregisteredReservationChains) {
  EXPECT_EXIT(
      {
        set_previous_handler(SIGSEGV, exit_42);
        install_trap_handler();
        Mapping region(page_size(), PROT_NONE);
        ScopedTestCode code;
        { ScopedReservation reservation(region); }
        traps(g_guarded_read, expect_fault_at(region.data()));
      },
      testing::ExitedWithCode(42), "");
}

TEST_F(TrapHandlerDeathTest, FaultOutsideUnregisteredCodeRangeChains) {
  EXPECT_EXIT(
      {
        set_previous_handler(SIGSEGV, exit_42);
        install_trap_handler();
        Mapping region(page_size(), PROT_NONE);
        ScopedReservation reservation(region);
        { ScopedTestCode code; }
        traps(g_guarded_read, expect_fault_at(region.data()));
      },
      testing::ExitedWithCode(42), "");
}

TEST_F(TrapHandlerDeathTest, ChainsToPlainHandler) {
  EXPECT_EXIT(
      {
        set_previous_disposition(SIGSEGV, exit_43);
        install_trap_handler();
        Mapping page(page_size(), PROT_NONE);
        traps(g_guarded_read, page.data());
      },
      testing::ExitedWithCode(43), "");
}

TEST_F(TrapHandlerDeathTest, ChainedHandlerRunsWithItsMask) {
  EXPECT_EXIT(
      {
        struct sigaction action = {};
        action.sa_sigaction = exit_44_if_masked;
        action.sa_flags = SA_SIGINFO;  // no SA_NODEFER: SIGSEGV blocked while it runs
        sigemptyset(&action.sa_mask);
        sigaddset(&action.sa_mask, SIGUSR1);
        if (sigaction(SIGSEGV, &action, nullptr) != 0) _exit(3);
        install_trap_handler();
        Mapping page(page_size(), PROT_NONE);
        traps(g_guarded_read, page.data());
      },
      testing::ExitedWithCode(44), "");
}

TEST_F(TrapHandlerDeathTest, BusErrorChains) {
  EXPECT_EXIT(
      {
        set_previous_handler(SIGBUS, exit_42);
        install_trap_handler();
        PastEndOfFile file;  // not registered
        ScopedTestCode code;
        traps(g_guarded_read, expect_fault_at(file.past_end()));
      },
      testing::ExitedWithCode(42), "");
}

TEST_F(TrapHandlerDeathTest, DefaultActionWhenNothingWasInstalledBefore) {
  // SIG_DFL first: under AddressSanitizer the child would otherwise start
  // with ASan's handler, which reports and exits instead.
  EXPECT_EXIT(
      {
        set_previous_disposition(SIGSEGV, SIG_DFL);
        install_trap_handler();
        Mapping page(page_size(), PROT_NONE);
        ScopedTestCode code;
        traps(g_guarded_read, page.data());
      },
      testing::KilledBySignal(SIGSEGV), "");
}

TEST_F(TrapHandlerDeathTest, IgnoredBeforeMeansDefaultAction) {
  EXPECT_EXIT(
      {
        set_previous_disposition(SIGSEGV, SIG_IGN);
        install_trap_handler();
        Mapping page(page_size(), PROT_NONE);
        traps(g_guarded_read, page.data());
      },
      testing::KilledBySignal(SIGSEGV), "");
}

TEST_F(TrapHandlerDeathTest, SentSignalTakesDefaultAction) {
  // Not a fault: returning from the handler would not raise it again.
  EXPECT_EXIT(
      {
        set_previous_disposition(SIGSEGV, SIG_DFL);
        install_trap_handler();
        raise(SIGSEGV);
      },
      testing::KilledBySignal(SIGSEGV), "");
}

TEST_F(TrapHandlerDeathTest, BusErrorDefaultAction) {
  EXPECT_EXIT(
      {
        set_previous_disposition(SIGBUS, SIG_DFL);
        install_trap_handler();
        PastEndOfFile file;
        traps(g_guarded_read, file.past_end());
      },
      testing::KilledBySignal(SIGBUS), "");
}

TEST_F(TrapHandlerDeathTest, RegistryOverflowAborts) {
  EXPECT_DEATH(
      {
        // Addresses only; nothing is mapped there and nothing faults.
        for (uintptr_t i = 0; i <= 65536; ++i) {
          register_reservation(reinterpret_cast<const void*>((i + 1) << 16), 4096);
        }
      },
      "more than 65536 linear-memory reservations registered");
}

TEST_F(TrapHandlerDeathTest, UnregisteringUnknownRangeAborts) {
  EXPECT_DEATH(unregister_reservation(reinterpret_cast<const void*>(0x10000)),
               "no linear-memory reservation registered");
  EXPECT_DEATH(unregister_code_range(reinterpret_cast<const void*>(0x10000)),
               "no code range registered");
}

// ---- alternate signal stacks -------------------------------------------------

stack_t query_alt_stack() {
  stack_t current = {};
  sigaltstack(nullptr, &current);
  return current;
}

void disable_alt_stack() {
  stack_t disable = {};
  disable.ss_flags = SS_DISABLE;
  sigaltstack(&disable, nullptr);
}

bool is_mapped(const void* address) {
  unsigned char resident;
  const auto page = reinterpret_cast<uintptr_t>(address) & ~(page_size() - 1);
  return mincore(reinterpret_cast<void*>(page), page_size(), &resident) == 0 || errno != ENOMEM;
}

TEST(AltStackTest, InstallsOneAndIsIdempotent) {
  stack_t first = {};
  stack_t second = {};
  std::thread thread([&] {
    disable_alt_stack();  // a sanitizer runtime may have given the thread one
    ensure_alt_stack();
    first = query_alt_stack();
    ensure_alt_stack();
    second = query_alt_stack();
  });
  thread.join();
  EXPECT_EQ(first.ss_flags & SS_DISABLE, 0);
  EXPECT_GE(first.ss_size, size_t{64 * 1024});
  EXPECT_EQ(second.ss_sp, first.ss_sp);
  EXPECT_EQ(second.ss_size, first.ss_size);
  // Freed at thread exit.
  EXPECT_FALSE(is_mapped(first.ss_sp));
}

TEST(AltStackTest, KeepsExistingOne) {
  Mapping own(64 * 1024, PROT_READ | PROT_WRITE);
  stack_t after = {};
  std::thread thread([&] {
    stack_t stack = {};
    stack.ss_sp = own.data();
    stack.ss_size = own.size();
    ASSERT_EQ(sigaltstack(&stack, nullptr), 0);
    ensure_alt_stack();
    after = query_alt_stack();
    disable_alt_stack();
  });
  thread.join();
  EXPECT_EQ(after.ss_flags & SS_DISABLE, 0);
  EXPECT_EQ(after.ss_sp, own.data());
  EXPECT_EQ(after.ss_size, own.size());
}

volatile int g_never = -1;

// Recurses until the stack runs into its guard page. Lives in the registered
// section, so that fault is (by the test's registration) a trap.
__attribute__((noinline, section("wvm_test_fault_code"))) int recurse_forever(int depth) {
  volatile char frame[256];
  frame[0] = static_cast<char>(depth);
  if (depth == g_never) return 0;
  const int result = recurse_forever(depth + 1);
  frame[1] = 1;  // keeps the call from being a tail call
  return result + frame[0] + frame[1];
}

TEST_F(TrapHandlerDeathTest, FaultOnExhaustedStackIsHandledOnAltStack) {
  // The guard page below the thread's stack plays the reservation, so running
  // into it from the registered section is a trap. Without an alternate stack
  // the kernel can't deliver that SIGSEGV and kills the process.
  EXPECT_EXIT(
      {
        install_trap_handler();
        ScopedTestCode code;
        volatile bool trapped = false;
        run_on_thread(256 * 1024, [&] {
          disable_alt_stack();
          ensure_alt_stack();
          pthread_attr_t attr;
          void* low = nullptr;
          size_t size = 0;
          if (pthread_getattr_np(pthread_self(), &attr) != 0) _exit(3);
          pthread_attr_getstack(&attr, &low, &size);
          pthread_attr_destroy(&attr);
          // The guard page run_on_thread put below the stack.
          ScopedReservation reservation(static_cast<char*>(low) - page_size(), page_size());
          TrapScope scope;
          if (sigsetjmp(scope.jmp, 0) != 0) {
            scope.leave();
            trapped = true;
            return;
          }
          scope.enter();
          recurse_forever(0);
          scope.leave();
        });
        _exit(trapped ? 7 : 8);
      },
      testing::ExitedWithCode(7), "");
}

// ---- native stack limits -------------------------------------------------------

struct StackFacts {
  uintptr_t low = 0;
  size_t size = 0;
  uintptr_t sp = 0;
  uintptr_t limit = 0;
  uintptr_t limit_again = 0;
};

StackFacts stack_facts() {
  StackFacts facts;
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void* low = nullptr;
    size_t size = 0;
    pthread_attr_getstack(&attr, &low, &size);
    pthread_attr_destroy(&attr);
    facts.low = reinterpret_cast<uintptr_t>(low);
    facts.size = size;
  }
  facts.sp = current_stack_pointer();
  facts.limit = native_stack_limit();
  facts.limit_again = native_stack_limit();
  return facts;
}

void expect_sensible(const StackFacts& facts) {
  ASSERT_NE(facts.low, 0u);
  EXPECT_GT(facts.limit, facts.low);
  EXPECT_LT(facts.limit, facts.sp);
  EXPECT_EQ(facts.limit_again, facts.limit);
}

TEST(NativeStackLimitTest, MainThread) {
  const StackFacts facts = stack_facts();
  expect_sensible(facts);
  EXPECT_GE(facts.sp - facts.limit, 64u * 1024);
  EXPECT_GE(facts.limit - facts.low, 64u * 1024);
}

TEST(NativeStackLimitTest, SmallThreads) {
  // The smallest stack glibc accepts: 16 KiB on x86-64, 128 KiB on AArch64.
  const size_t smallest = std::max<size_t>(64 * 1024, sysconf(_SC_THREAD_STACK_MIN));
  for (size_t stack_size : {size_t{256 * 1024}, smallest}) {
    SCOPED_TRACE(stack_size);
    StackFacts facts;
    run_on_thread(stack_size, [&] { facts = stack_facts(); });
    ASSERT_EQ(facts.size, stack_size);
    expect_sensible(facts);
    if (stack_size == 256 * 1024) {
      EXPECT_GE(facts.sp - facts.limit, 64u * 1024);
    }
  }
}

// Descends to the limit, then uses 16 KiB of the reserve below it.
__attribute__((noinline)) int descend_to_limit(uintptr_t limit) {
  volatile char frame[512];
  frame[0] = 1;
  if (current_stack_pointer() > limit) return descend_to_limit(limit) + frame[0];
  volatile char reserve[16 * 1024];
  for (size_t i = 0; i < sizeof(reserve); i += 256) reserve[i] = 1;
  return frame[0] + reserve[0];
}

TEST(NativeStackLimitTest, StackDownToTheLimitAndSomeReserveIsUsable) {
  int result = 0;
  run_on_thread(256 * 1024, [&] { result = descend_to_limit(native_stack_limit()); });
  EXPECT_GT(result, 0);
  result = descend_to_limit(native_stack_limit());
  EXPECT_GT(result, 0);
}

}  // namespace
}  // namespace wvm
