// poll_oneoff (clock and fd readiness subscriptions) and the socket calls,
// answered as a runtime that grants no sockets.
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "hosts/wasi/state.h"

namespace wvm::wasi::calls {
namespace {

constexpr uint32_t kMaxSubscriptions = 1u << 16;

struct Subscription {
  uint64_t userdata = 0;
  uint8_t type = 0;
  uint16_t error = 0;
  bool ready = false;
  uint64_t nbytes = 0;
  uint16_t flags = 0;
  // clock
  clockid_t clock = CLOCK_MONOTONIC;
  uint64_t deadline = 0;  ///< on `clock` (or virtual time, deterministic mode)
  // fd
  int poll_index = -1;
};

bool read_host_clock(uint32_t id, clockid_t& clock, uint64_t& now) {
  switch (id) {
    case abi::kClockRealtime: clock = CLOCK_REALTIME; break;
    case abi::kClockMonotonic: clock = CLOCK_MONOTONIC; break;
    case abi::kClockProcessCputime: clock = CLOCK_PROCESS_CPUTIME_ID; break;
    case abi::kClockThreadCputime: clock = CLOCK_THREAD_CPUTIME_ID; break;
    default: return false;
  }
  struct timespec ts;
  clock_gettime(clock, &ts);
  now = static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
  return true;
}

uint64_t host_now(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Sets up one subscription read from guest memory at `p`.
void parse(Call& c, const uint8_t* p, Subscription& s, std::vector<struct pollfd>& pfds) {
  std::memcpy(&s.userdata, p, 8);
  s.type = p[8];
  if (s.type == abi::kEventClock) {
    uint32_t id;
    uint64_t timeout;
    uint16_t flags;
    std::memcpy(&id, p + 16, 4);
    std::memcpy(&timeout, p + 24, 8);
    std::memcpy(&flags, p + 40, 2);
    uint64_t now;
    if (!read_host_clock(id, s.clock, now)) {
      s.error = abi::kInval;
      s.ready = true;
      return;
    }
    if (c.s.options.deterministic) now = c.s.virtual_now_ns;
    const bool absolute = flags & abi::kSubclockAbstime;
    s.deadline = absolute ? timeout : (timeout > UINT64_MAX - now ? UINT64_MAX : now + timeout);
    s.ready = s.deadline <= now;
    return;
  }
  if (s.type != abi::kEventFdRead && s.type != abi::kEventFdWrite) {
    s.error = abi::kInval;
    s.ready = true;
    return;
  }
  uint32_t fd;
  std::memcpy(&fd, p + 16, 4);
  FdEntry* e = c.s.entry(fd);
  if (e == nullptr) {
    s.error = abi::kBadf;
    s.ready = true;
    return;
  }
  if ((e->rights_base & abi::kRightPollFdReadwrite) == 0) {
    s.error = abi::kNotcapable;
    s.ready = true;
    return;
  }
  struct stat st;
  if (fstat(e->host_fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) {
    // Regular files are always ready; a read reports the bytes left.
    s.ready = true;
    if (s.type == abi::kEventFdRead && S_ISREG(st.st_mode)) {
      const off_t pos = lseek(e->host_fd, 0, SEEK_CUR);
      s.nbytes = pos >= 0 && st.st_size > pos ? static_cast<uint64_t>(st.st_size - pos) : 0;
    }
    return;
  }
  s.poll_index = static_cast<int>(pfds.size());
  pfds.push_back({e->host_fd, static_cast<short>(s.type == abi::kEventFdRead ? POLLIN : POLLOUT), 0});
}

// Marks fd subscriptions whose descriptor poll() reported.
void collect(std::vector<Subscription>& subs, const std::vector<struct pollfd>& pfds) {
  for (Subscription& s : subs) {
    if (s.poll_index < 0) continue;
    const struct pollfd& p = pfds[static_cast<size_t>(s.poll_index)];
    if (p.revents == 0) continue;
    s.ready = true;
    if (p.revents & POLLNVAL) s.error = abi::kBadf;
    if (p.revents & POLLHUP) s.flags |= abi::kEventFdReadwriteHangup;
    if (s.type == abi::kEventFdRead && (p.revents & POLLIN)) {
      int avail = 0;
      if (ioctl(p.fd, FIONREAD, &avail) == 0 && avail > 0) s.nbytes = static_cast<uint64_t>(avail);
    }
  }
}

// A socket call on `fd`: there are no sockets, so EBADF or ENOTSOCK.
uint16_t no_socket(Call& c, uint32_t fd) {
  FdEntry* e = c.s.entry(fd);
  if (e == nullptr) return abi::kBadf;
  return abi::kNotsock;
}

}  // namespace

uint16_t poll_oneoff(Call& c, const Value* a) {
  const uint32_t in = a[0].as_i32(), out = a[1].as_i32(), nsubs = a[2].as_i32();
  const uint32_t nevents_ptr = a[3].as_i32();
  if (!c.in_bounds(nevents_ptr, 4)) return abi::kFault;
  if (nsubs == 0) return abi::kInval;
  if (!c.in_bounds(in, uint64_t{nsubs} * abi::kSubscriptionSize) ||
      !c.in_bounds(out, uint64_t{nsubs} * abi::kEventSize)) {
    return abi::kFault;
  }
  // Bounds what a guest makes the host allocate; far more than any program polls.
  if (nsubs > kMaxSubscriptions) return abi::kNotsup;
  if (!c.charge_bytes(uint64_t{nsubs} * (abi::kSubscriptionSize + abi::kEventSize))) return abi::kFault;
  std::vector<Subscription> subs(nsubs);
  std::vector<struct pollfd> pfds;
  for (uint32_t i = 0; i < nsubs; ++i) parse(c, c.mem + in + i * abi::kSubscriptionSize, subs[i], pfds);

  const bool deterministic = c.s.options.deterministic;
  auto any_ready = [&subs] {
    return std::any_of(subs.begin(), subs.end(), [](const Subscription& s) { return s.ready; });
  };
  // Wait for the first fd or the earliest clock. Deterministic mode never
  // sleeps: the virtual clock jumps to the earliest deadline instead.
  for (;;) {
    int timeout_ms = -1;
    const Subscription* earliest = nullptr;
    uint64_t earliest_left = UINT64_MAX;
    for (const Subscription& s : subs) {
      if (s.type != abi::kEventClock || s.error != 0) continue;
      const uint64_t now = deterministic ? c.s.virtual_now_ns : host_now(s.clock);
      const uint64_t left = s.deadline > now ? s.deadline - now : 0;
      if (left < earliest_left) {
        earliest_left = left;
        earliest = &s;
      }
    }
    if (any_ready() || (deterministic && earliest != nullptr)) {
      timeout_ms = 0;
    } else if (earliest != nullptr) {
      const uint64_t ms = (earliest_left + 999'999) / 1'000'000;
      timeout_ms = static_cast<int>(std::min<uint64_t>(ms, 1u << 30));
    }
    int n = poll(pfds.data(), pfds.size(), timeout_ms);
    if (n < 0 && errno != EINTR) return errno_from_host(errno);
    if (n > 0) collect(subs, pfds);
    if (deterministic && !any_ready() && earliest != nullptr) {
      c.s.virtual_now_ns = std::max(c.s.virtual_now_ns, earliest->deadline);
    }
    for (Subscription& s : subs) {
      if (s.type != abi::kEventClock || s.error != 0 || s.ready) continue;
      const uint64_t now = deterministic ? c.s.virtual_now_ns : host_now(s.clock);
      s.ready = s.deadline <= now;
    }
    if (any_ready()) break;
    if (deterministic && earliest == nullptr && pfds.empty()) break;
  }

  uint32_t count = 0;
  for (const Subscription& s : subs) {
    if (!s.ready) continue;
    uint8_t* p = c.mem + out + count * abi::kEventSize;
    std::memset(p, 0, abi::kEventSize);
    std::memcpy(p, &s.userdata, 8);
    std::memcpy(p + 8, &s.error, 2);
    p[10] = s.type;
    if (s.type != abi::kEventClock) {
      std::memcpy(p + 16, &s.nbytes, 8);
      std::memcpy(p + 24, &s.flags, 2);
    }
    ++count;
  }
  c.store<uint32_t>(nevents_ptr, count);
  return abi::kSuccess;
}

uint16_t sock_accept(Call& c, const Value* a) { return no_socket(c, a[0].as_i32()); }
uint16_t sock_recv(Call& c, const Value* a) { return no_socket(c, a[0].as_i32()); }
uint16_t sock_send(Call& c, const Value* a) { return no_socket(c, a[0].as_i32()); }
uint16_t sock_shutdown(Call& c, const Value* a) { return no_socket(c, a[0].as_i32()); }

}  // namespace wvm::wasi::calls
