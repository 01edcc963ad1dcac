// Running test code on a thread with a native stack of an exact size.
#pragma once

#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <functional>

namespace wvm::test {

/// Runs `body` on a new thread whose stack is exactly `stack_size` bytes (an
/// mmap of ours, with a PROT_NONE page below it) and waits for it.
/// (pthread_attr_setstacksize is only a minimum: glibc may reuse a cached
/// stack up to 4x larger.) A size below the platform's minimum thread stack
/// is raised to it (AArch64 glibc: 128 KiB, for 64 KiB pages; x86-64: 16 KiB).
inline void run_on_sized_thread(size_t stack_size, const std::function<void()>& body) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const long min_stack = sysconf(_SC_THREAD_STACK_MIN);
  if (min_stack > 0 && stack_size < static_cast<size_t>(min_stack))
    stack_size = static_cast<size_t>(min_stack);
  void* mapping = mmap(nullptr, page + stack_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ASSERT_NE(mapping, MAP_FAILED);
  char* const stack = static_cast<char*>(mapping);
  ASSERT_EQ(mprotect(stack, page, PROT_NONE), 0);
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstack(&attr, stack + page, stack_size), 0);
  pthread_t thread;
  auto start = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, start, const_cast<std::function<void()>*>(&body)), 0);
  pthread_attr_destroy(&attr);
  ASSERT_EQ(pthread_join(thread, nullptr), 0);
  munmap(mapping, page + stack_size);
}

}  // namespace wvm::test
