// The WASI context: creating it (stdio and preopens), and linking its
// functions into a store with preview1's signatures.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "hosts/signature.h"
#include "hosts/wasi/state.h"

namespace wvm::wasi {
namespace {

// One preview1 function: its name, its signature ('i' i32, 'I' i64; the part
// after ':' is the results) and its body.
struct FuncDef {
  const char* name;
  const char* signature;
  WasiFn fn;
};

constexpr FuncDef kFuncs[] = {
    {"args_get", "ii:i", calls::args_get},
    {"args_sizes_get", "ii:i", calls::args_sizes_get},
    {"environ_get", "ii:i", calls::environ_get},
    {"environ_sizes_get", "ii:i", calls::environ_sizes_get},
    {"clock_res_get", "ii:i", calls::clock_res_get},
    {"clock_time_get", "iIi:i", calls::clock_time_get},
    {"random_get", "ii:i", calls::random_get},
    {"proc_exit", "i:", calls::proc_exit},
    {"proc_raise", "i:i", calls::proc_raise},
    {"sched_yield", ":i", calls::sched_yield},
    {"fd_advise", "iIIi:i", calls::fd_advise},
    {"fd_allocate", "iII:i", calls::fd_allocate},
    {"fd_close", "i:i", calls::fd_close},
    {"fd_datasync", "i:i", calls::fd_datasync},
    {"fd_fdstat_get", "ii:i", calls::fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii:i", calls::fd_fdstat_set_flags},
    {"fd_fdstat_set_rights", "iII:i", calls::fd_fdstat_set_rights},
    {"fd_filestat_get", "ii:i", calls::fd_filestat_get},
    {"fd_filestat_set_size", "iI:i", calls::fd_filestat_set_size},
    {"fd_filestat_set_times", "iIIi:i", calls::fd_filestat_set_times},
    {"fd_pread", "iiiIi:i", calls::fd_pread},
    {"fd_prestat_get", "ii:i", calls::fd_prestat_get},
    {"fd_prestat_dir_name", "iii:i", calls::fd_prestat_dir_name},
    {"fd_pwrite", "iiiIi:i", calls::fd_pwrite},
    {"fd_read", "iiii:i", calls::fd_read},
    {"fd_readdir", "iiiIi:i", calls::fd_readdir},
    {"fd_renumber", "ii:i", calls::fd_renumber},
    {"fd_seek", "iIii:i", calls::fd_seek},
    {"fd_sync", "i:i", calls::fd_sync},
    {"fd_tell", "ii:i", calls::fd_tell},
    {"fd_write", "iiii:i", calls::fd_write},
    {"path_create_directory", "iii:i", calls::path_create_directory},
    {"path_filestat_get", "iiiii:i", calls::path_filestat_get},
    {"path_filestat_set_times", "iiiiIIi:i", calls::path_filestat_set_times},
    {"path_link", "iiiiiii:i", calls::path_link},
    {"path_open", "iiiiiIIii:i", calls::path_open},
    {"path_readlink", "iiiiii:i", calls::path_readlink},
    {"path_remove_directory", "iii:i", calls::path_remove_directory},
    {"path_rename", "iiiiii:i", calls::path_rename},
    {"path_symlink", "iiiii:i", calls::path_symlink},
    {"path_unlink_file", "iii:i", calls::path_unlink_file},
    {"poll_oneoff", "iiii:i", calls::poll_oneoff},
    {"sock_accept", "iii:i", calls::sock_accept},
    {"sock_recv", "iiiiii:i", calls::sock_recv},
    {"sock_send", "iiiii:i", calls::sock_send},
    {"sock_shutdown", "ii:i", calls::sock_shutdown},
};


// Every WASI import runs through here: gas for the call, the body, and its
// errno as the result. A body that traps (proc_exit, gas) sets call.trap.
TrapKind dispatch(HostCall& host, const Value* args, Value* results) {
  auto* binding = static_cast<Binding*>(host.user_data);
  Context::State& s = *binding->state;
  const bool metered = host.store->engine().config().metering.enabled;
  if (metered && s.options.gas_per_call != 0) {
    if (TrapKind t = host.charge(s.options.gas_per_call); t != TrapKind::None) return t;
  }
  Call call{s, host};
  if (Memory* m = host.memory(); m != nullptr) {
    call.mem = m->data();
    call.mem_size = m->size_bytes();
  }
  uint16_t err = abi::kNomem;
  try {
    err = binding->fn(call, args);
  } catch (const std::bad_alloc&) {
    err = abi::kNomem;  // containers sized by the guest: report, never unwind into the engine
  }
  if (call.trap != TrapKind::None) return call.trap;
  if (results != nullptr && binding->fn != calls::proc_exit) results[0] = Value::i32(err);
  return TrapKind::None;
}

int dup_or_closed(int fd) { return fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 0); }

uint8_t stdio_filetype(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 ? filetype_from_mode(st.st_mode) : abi::kFiletypeCharacterDevice;
}

}  // namespace

bool Call::charge_bytes(uint64_t bytes) noexcept {
  if (trap != TrapKind::None) return false;
  if (!host.store->engine().config().metering.enabled || s.options.gas_per_byte == 0) return true;
  const uint64_t per = s.options.gas_per_byte;
  const uint64_t gas = bytes > UINT64_MAX / per ? UINT64_MAX : bytes * per;
  trap = host.charge(gas);
  return trap == TrapKind::None;
}

uint16_t Context::State::add_fd(FdEntry e, uint32_t& out_fd) noexcept {
  try {
    // Slots 0-2 stay stdio's even when closed: guests take them for stdio.
    for (uint32_t i = 3; i < fds.size(); ++i) {
      if (fds[i].host_fd < 0) {
        fds[i] = std::move(e);
        out_fd = i;
        return abi::kSuccess;
      }
    }
    fds.push_back(std::move(e));
  } catch (const std::bad_alloc&) {
    close(e.host_fd);
    return abi::kNomem;
  }
  out_fd = static_cast<uint32_t>(fds.size() - 1);
  return abi::kSuccess;
}

void Context::State::close_fd(uint32_t fd) noexcept {
  if (fd >= fds.size() || fds[fd].host_fd < 0) return;
  close(fds[fd].host_fd);
  fds[fd] = FdEntry{};
}

Context::Context(std::unique_ptr<State> state) : state_(std::move(state)) {
  state_->owner = this;
}

Context::~Context() {
  for (uint32_t fd = 0; fd < state_->fds.size(); ++fd) state_->close_fd(fd);
  for (const State::SavedStdio& saved : state_->saved_stdio) {
    if (saved.host_fd < 0) continue;
    // fd_fdstat_set_flags may have left the embedder's stream non-blocking.
    if (fcntl(saved.host_fd, F_GETFL) != saved.status_flags) {
      fcntl(saved.host_fd, F_SETFL, saved.status_flags);
    }
    close(saved.host_fd);
  }
}

Result<std::unique_ptr<Context>> Context::create(Options options) {
  auto state = std::make_unique<State>();
  state->virtual_now_ns = options.virtual_time_start_ns;
  state->rng_state = options.seed;
  std::unique_ptr<Context> ctx(new Context(std::move(state)));
  State& s = *ctx->state_;
  s.options = std::move(options);

  const int stdio[3] = {s.options.stdin_fd, s.options.stdout_fd, s.options.stderr_fd};
  for (int i = 0; i < 3; ++i) {
    FdEntry e;
    e.host_fd = dup_or_closed(stdio[i]);
    if (e.host_fd >= 0) {
      e.filetype = stdio_filetype(e.host_fd);
      e.rights_base = abi::kFileRights;  // seeking a pipe or terminal fails in the host (ESPIPE)
      int fl = fcntl(e.host_fd, F_GETFL);
      if (fl >= 0 && (fl & O_APPEND)) e.fdflags |= abi::kFdflagAppend;
      if (fl >= 0) s.saved_stdio[i] = {dup_or_closed(e.host_fd), fl};
    }
    s.fds.push_back(std::move(e));
  }
  for (const Preopen& p : s.options.preopens) {
    int fd = open(p.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      return Error{ErrorKind::Io, 0,
                   "cannot open preopened directory '" + p.host_path + "': " + std::strerror(errno)};
    }
    FdEntry e;
    e.host_fd = fd;
    e.filetype = abi::kFiletypeDirectory;
    e.preopen = true;
    e.read_only = p.read_only;
    e.preopen_name = p.guest_path;
    const uint64_t mask = p.read_only ? ~abi::kMutatingRights : ~uint64_t{0};
    e.rights_base = abi::kDirRights & mask;
    e.rights_inheriting = (abi::kDirRights | abi::kFileRights) & mask;
    s.fds.push_back(std::move(e));
  }
  return ctx;
}

Result<void> Context::link(Store& store, const Module& module, std::vector<Extern>& imports) {
  if (imports.size() < module.imports.size()) imports.resize(module.imports.size());
  for (size_t i = 0; i < module.imports.size(); ++i) {
    const Import& imp = module.imports[i];
    if (imp.module != kModuleName) continue;
    const FuncDef* def = nullptr;
    for (const FuncDef& d : kFuncs) {
      if (imp.name == d.name) def = &d;
    }
    if (def == nullptr || imp.kind != ExternKind::Func) {
      return Error{ErrorKind::Unlinkable, 0,
                   std::string("unknown import: ") + kModuleName + "::" + imp.name};
    }
    FuncType type = signature_type(def->signature);
    if (!(module.types[imp.func_type] == type)) {
      return Error{ErrorKind::Unlinkable, 0,
                   std::string("incompatible import type: ") + kModuleName + "::" + imp.name};
    }
    state_->bindings.push_back(Binding{state_.get(), def->fn});
    imports[i] = Extern::func(store.create_host_func(std::move(type), &dispatch,
                                                     &state_->bindings.back()));
  }
  return {};
}

}  // namespace wvm::wasi
