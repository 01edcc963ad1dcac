// Arguments, environment, clocks, randomness and process control.
#include <sched.h>
#include <sys/random.h>
#include <time.h>

#include <cerrno>

#include "hosts/wasi/state.h"

namespace wvm::wasi::calls {
namespace {

// Writes a string list as argv/environ: pointers at `ptrs`, NUL-terminated
// strings packed at `buf`.
uint16_t put_strings(Call& c, const std::vector<std::string>& list, uint32_t ptrs, uint32_t buf) {
  uint64_t total = 0;
  for (const std::string& s : list) total += s.size() + 1;
  if (!c.in_bounds(ptrs, uint64_t{4} * list.size()) || !c.in_bounds(buf, total)) return abi::kFault;
  if (!c.charge_bytes(total)) return abi::kFault;
  uint32_t at = buf;
  for (size_t i = 0; i < list.size(); ++i) {
    c.store<uint32_t>(ptrs + 4 * static_cast<uint32_t>(i), at);
    std::memcpy(c.mem + at, list[i].c_str(), list[i].size() + 1);
    at += static_cast<uint32_t>(list[i].size() + 1);
  }
  return abi::kSuccess;
}

uint16_t put_sizes(Call& c, const std::vector<std::string>& list, uint32_t count_ptr,
                   uint32_t size_ptr) {
  uint64_t total = 0;
  for (const std::string& s : list) total += s.size() + 1;
  if (!c.in_bounds(count_ptr, 4) || !c.in_bounds(size_ptr, 4)) return abi::kFault;
  c.store<uint32_t>(count_ptr, static_cast<uint32_t>(list.size()));
  c.store<uint32_t>(size_ptr, static_cast<uint32_t>(total));
  return abi::kSuccess;
}

bool host_clock(uint32_t id, clockid_t& out) {
  switch (id) {
    case abi::kClockRealtime: out = CLOCK_REALTIME; return true;
    case abi::kClockMonotonic: out = CLOCK_MONOTONIC; return true;
    case abi::kClockProcessCputime: out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case abi::kClockThreadCputime: out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
  }
}

// splitmix64: small, seedable, and good enough for a deterministic stream.
uint64_t next_random(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

uint16_t args_get(Call& c, const Value* a) {
  return put_strings(c, c.s.options.args, a[0].as_i32(), a[1].as_i32());
}
uint16_t args_sizes_get(Call& c, const Value* a) {
  return put_sizes(c, c.s.options.args, a[0].as_i32(), a[1].as_i32());
}
uint16_t environ_get(Call& c, const Value* a) {
  return put_strings(c, c.s.options.env, a[0].as_i32(), a[1].as_i32());
}
uint16_t environ_sizes_get(Call& c, const Value* a) {
  return put_sizes(c, c.s.options.env, a[0].as_i32(), a[1].as_i32());
}

uint16_t clock_res_get(Call& c, const Value* a) {
  clockid_t id;
  if (!host_clock(a[0].as_i32(), id)) return abi::kInval;
  uint64_t res = 1;
  if (c.s.options.deterministic) {
    res = c.s.options.virtual_time_step_ns != 0 ? c.s.options.virtual_time_step_ns : 1;
  } else {
    struct timespec ts;
    if (clock_getres(id, &ts) != 0) return errno_from_host(errno);
    res = static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
  }
  return c.store<uint64_t>(a[1].as_i32(), res) ? abi::kSuccess : abi::kFault;
}

uint16_t clock_time_get(Call& c, const Value* a) {
  clockid_t id;
  if (!host_clock(a[0].as_i32(), id)) return abi::kInval;
  if (!c.in_bounds(a[2].as_i32(), 8)) return abi::kFault;
  uint64_t now;
  if (c.s.options.deterministic) {
    now = c.s.read_virtual_clock();
  } else {
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0) return errno_from_host(errno);
    now = static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
  }
  c.store<uint64_t>(a[2].as_i32(), now);
  return abi::kSuccess;
}

uint16_t random_get(Call& c, const Value* a) {
  const uint32_t len = a[1].as_i32();
  uint8_t* p = c.span(a[0].as_i32(), len);
  if (p == nullptr) return abi::kFault;
  if (!c.charge_bytes(len)) return abi::kFault;
  if (c.s.options.deterministic) {
    for (uint32_t i = 0; i < len; i += 8) {
      const uint64_t r = next_random(c.s.rng_state);
      std::memcpy(p + i, &r, len - i < 8 ? len - i : 8);
    }
    return abi::kSuccess;
  }
  for (uint32_t done = 0; done < len;) {
    ssize_t n = getrandom(p + done, len - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_from_host(errno);
    }
    done += static_cast<uint32_t>(n);
  }
  return abi::kSuccess;
}

uint16_t proc_exit(Call& c, const Value* a) {
  c.s.record_exit(a[0].as_i32());
  // Unwinds every frame, in every tier; embedders recognize it by exit_code().
  c.trap = c.host.trap("wasi: proc_exit(" + std::to_string(a[0].as_i32()) + ")");
  return abi::kSuccess;
}

uint16_t proc_raise(Call&, const Value*) { return abi::kNosys; }

uint16_t sched_yield(Call&, const Value*) {
  ::sched_yield();
  return abi::kSuccess;
}

}  // namespace wvm::wasi::calls
