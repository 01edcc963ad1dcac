// Internal: the state behind a wasi::Context (fd table, clocks, generator)
// and what every WASI call receives. Not part of the public interface.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <cstring>
#include <ctime>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "hosts/wasi/abi.h"
#include "hosts/wasi/wasi.h"

namespace wvm::wasi {

/// One guest descriptor: the host fd it owns and what the guest may do with it.
struct FdEntry {
  int host_fd = -1;
  uint8_t filetype = abi::kFiletypeUnknown;
  uint16_t fdflags = 0;
  uint64_t rights_base = 0;
  uint64_t rights_inheriting = 0;
  bool preopen = false;
  bool read_only = false;       ///< below a read-only preopen
  bool host_readable = true;    ///< the host fd was opened for reading
  bool host_writable = true;    ///< ... and for writing
  std::string preopen_name;     ///< fd_prestat_dir_name, for preopens
};

struct Call;
/// A WASI function body: returns the errno (ignored for proc_exit).
using WasiFn = uint16_t (*)(Call& call, const Value* args);

/// What a store's host function carries: the context and the body to run.
struct Binding {
  Context::State* state;
  WasiFn fn;
};

struct Context::State {
  Context* owner = nullptr;
  Options options;
  std::vector<FdEntry> fds;  ///< by guest fd; host_fd < 0 marks a free slot
  uint64_t virtual_now_ns = 0;
  uint64_t rng_state = 0;
  std::deque<Binding> bindings;  ///< stable addresses for host_data
  /// Stdio's open file descriptions are the embedder's too (a dup shares
  /// O_APPEND and O_NONBLOCK): their status flags as given, put back when
  /// the context goes, through a descriptor of our own (the guest may close
  /// or renumber fds 0-2).
  struct SavedStdio {
    int host_fd = -1;
    int status_flags = 0;
  };
  SavedStdio saved_stdio[3];

  /// The entry for guest fd `fd`, or nullptr when it is not open.
  FdEntry* entry(uint32_t fd) noexcept {
    return fd < fds.size() && fds[fd].host_fd >= 0 ? &fds[fd] : nullptr;
  }
  /// The lowest free guest fd for a new entry (ENOMEM/EMFILE as errno on failure).
  uint16_t add_fd(FdEntry e, uint32_t& out_fd) noexcept;
  /// Closes guest fd `fd`'s host descriptor and frees the slot.
  void close_fd(uint32_t fd) noexcept;
  void record_exit(uint32_t code) noexcept { owner->exit_code_ = code; }
  /// Deterministic mode: the virtual clock's reading, which then advances one step.
  uint64_t read_virtual_clock() noexcept {
    uint64_t now = virtual_now_ns;
    virtual_now_ns += options.virtual_time_step_ns;
    return now;
  }
};

/// One WASI call in progress: the state, the caller's memory and gas.
struct Call {
  Context::State& s;
  HostCall& host;
  uint8_t* mem = nullptr;
  uint64_t mem_size = 0;
  TrapKind trap = TrapKind::None;  ///< set when gas runs out; the call then traps

  /// Whether [ptr, ptr + len) lies in guest memory (overflow-safe).
  bool in_bounds(uint64_t ptr, uint64_t len) const noexcept {
    return ptr <= mem_size && len <= mem_size - ptr;
  }
  /// Guest bytes at [ptr, ptr + len), or nullptr when out of bounds.
  uint8_t* span(uint64_t ptr, uint64_t len) const noexcept {
    return in_bounds(ptr, len) ? mem + ptr : nullptr;
  }
  template <class T>
  bool store(uint32_t ptr, T value) noexcept {
    uint8_t* p = span(ptr, sizeof(T));
    if (p == nullptr) return false;
    std::memcpy(p, &value, sizeof(T));  // wasm memory is little-endian, as both hosts are
    return true;
  }
  template <class T>
  bool load(uint32_t ptr, T& value) const noexcept {
    const uint8_t* p = span(ptr, sizeof(T));
    if (p == nullptr) return false;
    std::memcpy(&value, p, sizeof(T));
    return true;
  }
  /// Charges gas for `bytes` moved (when metered); false once gas is gone.
  bool charge_bytes(uint64_t bytes) noexcept;
};

/// The WASI errno for a host errno value.
uint16_t errno_from_host(int host_errno) noexcept;
/// The WASI filetype of a host st_mode.
uint8_t filetype_from_mode(uint32_t mode) noexcept;
/// Writes a WASI filestat for host stat `st` at guest `ptr` (false: out of bounds).
bool store_filestat(Call& c, uint32_t ptr, const struct stat& st) noexcept;
/// Fills `out` (atime, mtime) for utimensat from WASI fstflags (EINVAL on conflicts).
uint16_t make_times(uint64_t atim, uint64_t mtim, uint32_t flags, struct timespec out[2]) noexcept;
/// The entry for guest fd `fd` if it is open (EBADF) and holds `rights` (ENOTCAPABLE).
uint16_t get_fd(Call& c, uint32_t fd, uint64_t rights, FdEntry*& out) noexcept;
/// Reads the guest path [ptr, ptr+len) into `out` (EFAULT / EILSEQ on NUL).
uint16_t read_path(Call& c, uint32_t ptr, uint32_t len, std::string& out) noexcept;

// The bodies, by group (one file each). Names are the WASI function names.
#define WVM_WASI_DECLARE(name) uint16_t name(Call& c, const Value* a);
#define WVM_WASI_FUNCS(X)                                                                      \
  X(args_get) X(args_sizes_get) X(environ_get) X(environ_sizes_get) X(clock_res_get)           \
  X(clock_time_get) X(random_get) X(proc_exit) X(proc_raise) X(sched_yield) X(fd_advise)      \
  X(fd_allocate) X(fd_close) X(fd_datasync) X(fd_fdstat_get) X(fd_fdstat_set_flags)            \
  X(fd_fdstat_set_rights) X(fd_filestat_get) X(fd_filestat_set_size) X(fd_filestat_set_times)  \
  X(fd_pread) X(fd_prestat_get) X(fd_prestat_dir_name) X(fd_pwrite) X(fd_read) X(fd_readdir)   \
  X(fd_renumber) X(fd_seek) X(fd_sync) X(fd_tell) X(fd_write) X(path_create_directory)         \
  X(path_filestat_get) X(path_filestat_set_times) X(path_link) X(path_open) X(path_readlink)   \
  X(path_remove_directory) X(path_rename) X(path_symlink) X(path_unlink_file) X(poll_oneoff)   \
  X(sock_accept) X(sock_recv) X(sock_send) X(sock_shutdown)
namespace calls {
WVM_WASI_FUNCS(WVM_WASI_DECLARE)
}  // namespace calls
#undef WVM_WASI_DECLARE

}  // namespace wvm::wasi
