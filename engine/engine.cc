// Engine state and the compile pipeline: decode -> validate + prepare each body.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "engine/background_compiler.h"
#include "engine/tier_manager.h"
#include "engine/type_registry.h"
#include "exec/exec_context.h"
#include "memory/image.h"
#include "memory/pool.h"
#include "memory/trap_handler.h"
#include "module/decoder.h"
#include "module/validator.h"
#include "tier0-interp/interp.h"
#include "tier1-jit/backend.h"
#include "wvm/wvm.h"

namespace wvm {

namespace {
// AArch64's bl reaches +-128 MiB, and JIT-to-JIT calls assume one arena in reach.
constexpr size_t kMinCodeSpace = size_t{64} << 10;
constexpr size_t kMaxCodeSpace = size_t{128} << 20;
}  // namespace

Engine::Engine(Config config)
    : config_(config),
      types_(std::make_shared<TypeRegistry>()),
      pool_(std::make_unique<MemoryPool>(config.memory)) {
  if (config_.memory.bounds == BoundsStrategy::GuardPages) interp_enable_guard_pages();
  config_.tiers.code_space_bytes =
      std::clamp(config_.tiers.code_space_bytes, kMinCodeSpace, kMaxCodeSpace);
  if (config_.tiers.policy != TierPolicy::Interp) {
    jit_ = jit::create_backend(config_.memory.bounds, config_.tiers.code_space_bytes);
    install_trap_handler();  // compiled code's traps unwind through TrapScopes
  }
  if (jit_ && config_.tiers.policy == TierPolicy::Auto && config_.tiers.background_compile)
    background_ = std::make_unique<BackgroundCompiler>(*this);
}

Engine::~Engine() {
  background_.reset();  // the worker uses the backend: stop it first
}

std::unique_ptr<ExecContext> Engine::acquire_exec(Store& store) {
  std::unique_ptr<ExecContext> exec;
  {
    std::lock_guard<std::mutex> lock(exec_mutex_);
    if (!idle_exec_.empty()) {
      exec = std::move(idle_exec_.back());
      idle_exec_.pop_back();
    }
  }
  if (!exec) exec = std::make_unique<ExecContext>(config_);
  exec->store = &store;
  exec->jit = jit_.get();
  exec->jit_entry_return = jit_ ? jit_->entry_return() : 0;
  exec->tier_up_threshold = (jit_ && config_.tiers.policy == TierPolicy::Auto)
                                ? config_.tiers.tier_up_threshold
                                : UINT32_MAX;
  exec->request_tier_up = &request_tier_up;  // tier 0 reaches the tier manager only so
  return exec;
}

void Engine::release_exec(std::unique_ptr<ExecContext> exec) noexcept {
  constexpr size_t kMaxIdle = 64;  // about one per thread that runs stores
  exec->store = nullptr;
  exec->sp = exec->stack.get();
  exec->depth = 0;
  exec->gas_limit = exec->gas_left = UINT64_MAX;
  exec->gas_external = 0;
  exec->native_stack.trim();  // a deep call must not stay resident in the pool
  std::lock_guard<std::mutex> lock(exec_mutex_);
  if (idle_exec_.size() < kMaxIdle) idle_exec_.push_back(std::move(exec));
}

uint32_t Engine::intern_type(const FuncType& type) { return types_->intern(type); }

void Engine::release_type(uint32_t type_id) noexcept { types_->release(type_id); }

size_t Engine::live_types() const { return types_->size(); }

Engine::CodeSpaceStats Engine::code_space() const {
  if (!jit_) return {};
  const jit::CodeArena& arena = jit_->arena();
  return {arena.used(), arena.capacity(), arena.failed_allocations()};
}

Module::Module() = default;
Module::~Module() {
  // Code blocks go with `code`; the types' references go here.
  if (type_registry)
    for (uint32_t id : type_ids) type_registry->release(id);
}

Result<std::shared_ptr<Module>> decode_for_engine(Engine& engine, const uint8_t* data,
                                                  size_t size) {
  const ModuleLimits& limits = engine.config().module_limits;
  if (size > limits.max_module_bytes)
    return Error{ErrorKind::LimitExceeded, 0,
                 "module is " + std::to_string(size) + " bytes (limit " +
                     std::to_string(limits.max_module_bytes) + ")",
                 TrapKind::None};
  auto module = std::make_shared<Module>();
  module->bounds = engine.config().memory.bounds;
  module->metering = engine.config().metering;
  module->bytes.assign(data, data + size);
  Result<void> r = decode_module(limits, *module);
  if (!r) return r.error();
  module->type_registry = engine.type_registry();
  module->type_ids.reserve(module->types.size());
  for (const FuncType& t : module->types) module->type_ids.push_back(engine.intern_type(t));
  return module;
}

Result<std::shared_ptr<const Module>> compile(Engine& engine, const uint8_t* data, size_t size) {
  Result<std::shared_ptr<Module>> decoded = decode_for_engine(engine, data, size);
  if (!decoded) return decoded.error();
  std::shared_ptr<Module> module = std::move(decoded).value();
  const ModuleLimits& limits = engine.config().module_limits;
  // Policy Jit with a tier 1: each body is validated and compiled by tier 1
  // alone, and its tier-0 code prepared only if tier 1 fails
  // (compile_all_tier1) or the module is serialized (serialize_module).
  const TierConfig& tiers = engine.config().tiers;
  const bool jit_only = tiers.policy == TierPolicy::Jit && !tiers.osr_only && engine.jit_backend();
  module->code.reserve(module->bodies.size());
  for (uint32_t i = 0; i < module->bodies.size(); ++i) {
    const uint32_t func_index = module->num_imported_funcs + i;
    if (jit_only) {
      auto code = std::make_unique<FuncCode>();
      code->func_index = func_index;
      const FuncType& type = module->func_type(func_index);
      code->num_params = static_cast<uint32_t>(type.params.size());
      code->num_results = static_cast<uint32_t>(type.results.size());
      module->code.push_back(std::move(code));
      continue;
    }
    Result<std::unique_ptr<FuncCode>> code = prepare_function(*module, limits, func_index);
    if (!code) return code.error();
    module->code.push_back(std::move(code).value());
  }
  module->memory_image = MemoryImage::build(*module);
  if (engine.config().tiers.policy == TierPolicy::Jit) {
    Result<void> r = compile_all_tier1(engine, *module);
    if (!r) return r.error();
  }
  return std::shared_ptr<const Module>(std::move(module));
}

Result<void> validate(Engine& engine, const uint8_t* data, size_t size) {
  Result<std::shared_ptr<Module>> decoded = decode_for_engine(engine, data, size);
  if (!decoded) return decoded.error();
  const Module& module = *decoded.value();
  const ModuleLimits& limits = engine.config().module_limits;
  for (uint32_t i = 0; i < module.bodies.size(); ++i) {
    ValidateOnly iface;
    FunctionDecoder<ValidateOnly> decoder(module, limits, module.num_imported_funcs + i, iface);
    Result<void> r = decoder.decode();
    if (!r) return r.error();
  }
  return {};
}

Result<std::vector<uint8_t>> read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Error{ErrorKind::Io, 0, "cannot open " + path + ": " + std::strerror(errno),
                 TrapKind::None};
  // Straight into one heap buffer: a regular file's size is known, so it is
  // usually one read() (compiled-module files are megabytes); anything else
  // (a pipe) grows the buffer as it comes. Nothing big on the stack.
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  std::vector<uint8_t> bytes(regular ? static_cast<size_t>(st.st_size) + 1 : size_t{1} << 16);
  size_t done = 0;
  for (;;) {
    if (done == bytes.size()) bytes.resize(bytes.size() * 2);
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Error{ErrorKind::Io, 0, "cannot read " + path + ": " + std::strerror(err),
                   TrapKind::None};
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  bytes.resize(done);
  return bytes;
}

}  // namespace wvm
