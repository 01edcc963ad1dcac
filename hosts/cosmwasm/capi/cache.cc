// The contract cache (cosmwasm-vm's cache.rs, modules/*.rs, as libwasmvm
// drives it from cache.rs).
#include "hosts/cosmwasm/capi/cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <vector>

#include "hosts/cosmwasm/mock.h"  // sha256
#include "tier0-interp/code.h"

namespace wvm::cosmwasm::capi {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// Compiled modules (wvm::serialize_module artifacts) live in
// <base>/cache/modules/wvm1/<checksum hex>.module. Each file carries the
// engine build, configuration and CPU features it was made for, and a
// checksum; the directory name changes only with the layout itself.
constexpr const char* kModuleDirName = "wvm1";

uint32_t saturating_inc(uint32_t n) noexcept {
  return n == UINT32_MAX ? n : n + 1;
}

Checksum checksum_of(ByteView wasm) {
  const Bytes digest = sha256(wasm);
  Checksum out;
  std::copy(digest.begin(), digest.end(), out.begin());
  return out;
}

std::string errno_text(int err) {
  return std::strerror(err);
}

// Writes a whole file through a temporary name, so a crash never leaves a
// partial wasm under its checksum.
bool write_file_atomically(const std::string& path, ByteView data, std::string* error) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = "Error opening Wasm file for writing: " + errno_text(errno);
    return false;
  }
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      *error = "Error writing Wasm file: " + errno_text(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return false;
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = "Error writing Wasm file: " + errno_text(errno);
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

// The file's bytes (wvm::read_file), or nullopt if it cannot be read.
std::optional<Bytes> read_file_bytes(const std::string& path) {
  Result<std::vector<uint8_t>> bytes = wvm::read_file(path);
  if (!bytes) return std::nullopt;
  return std::move(bytes.value());
}

// One optional u32 field of wasm_limits (absent or null: keep the default).
bool read_limit(const Json& limits, const char* name, uint32_t* out, std::string* error) {
  auto it = limits.find(name);
  if (it == limits.end() || it->is_null())
    return true;
  if (!it->is_number_unsigned() || it->get<uint64_t>() > UINT32_MAX) {
    *error = std::string("invalid value for wasm_limits.") + name + ", expected u32";
    return false;
  }
  *out = static_cast<uint32_t>(it->get<uint64_t>());
  return true;
}

// ---- MessagePack (rmp_serde's compact form: structs and tuples as arrays) ----

void msgpack_array_header(Bytes& out, size_t n) {
  if (n < 16) {
    out.push_back(static_cast<uint8_t>(0x90 | n));
  } else if (n <= 0xffff) {
    out.push_back(0xdc);
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(n));
  } else {
    out.push_back(0xdd);
    for (int shift = 24; shift >= 0; shift -= 8)
      out.push_back(static_cast<uint8_t>(n >> shift));
  }
}

// The shortest encoding of an unsigned integer (rmp::encode::write_uint).
void msgpack_uint(Bytes& out, uint64_t v) {
  auto big_endian = [&](int bytes) {
    for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8)
      out.push_back(static_cast<uint8_t>(v >> shift));
  };
  if (v < 128) {
    out.push_back(static_cast<uint8_t>(v));
  } else if (v <= 0xff) {
    out.push_back(0xcc);
    big_endian(1);
  } else if (v <= 0xffff) {
    out.push_back(0xcd);
    big_endian(2);
  } else if (v <= 0xffffffff) {
    out.push_back(0xce);
    big_endian(4);
  } else {
    out.push_back(0xcf);
    big_endian(8);
  }
}

}  // namespace

// ---- config -----------------------------------------------------------------

CapiResult<CacheConfig> parse_cache_config(ByteView json) {
  Json j;
  try {
    j = Json::parse(json.begin(), json.end());
  } catch (const nlohmann::json::exception& e) {
    return CapiError::json(e.what());
  }
  CacheConfig config;
  auto fail = [](std::string msg) { return CapiError::json(std::move(msg)); };
  if (!j.is_object())
    return fail("invalid type: expected struct Config");
  auto cache = j.find("cache");
  if (cache == j.end() || !cache->is_object())
    return fail("missing field `cache`");
  auto base_dir = cache->find("base_dir");
  if (base_dir == cache->end() || !base_dir->is_string())
    return fail("missing or invalid field `base_dir`");
  config.base_dir = base_dir->get<std::string>();
  auto caps = cache->find("available_capabilities");
  if (caps == cache->end() || !caps->is_array())
    return fail("missing or invalid field `available_capabilities`");
  for (const Json& c : *caps) {
    if (!c.is_string())
      return fail("invalid type in `available_capabilities`, expected a string");
    config.available_capabilities.insert(c.get<std::string>());
  }
  for (auto [name, out] :
       {std::pair{"memory_cache_size_bytes", &config.memory_cache_size_bytes},
        std::pair{"instance_memory_limit_bytes", &config.instance_memory_limit_bytes}}) {
    auto it = cache->find(name);
    if (it == cache->end() || !it->is_number_unsigned())
      return fail(std::string("missing or invalid field `") + name + "`");
    *out = it->get<uint64_t>();
  }
  // wvm's settings: the environment, then the config's "wvm" object.
  auto set_version = [&](std::string_view name, const char* from) -> std::optional<CapiError> {
    std::optional<VmVersion> v = parse_vm_version(name);
    if (!v)
      return fail(std::string(from) + ": unknown cosmwasm-vm version \"" + std::string(name) +
                  "\" (3.0, 3.0.0 to 3.0.8, or 3.0.9)");
    config.vm_version = *v;
    return std::nullopt;
  };
  auto set_tier = [&](std::string_view name, const char* from) -> std::optional<CapiError> {
    if (name == "interp")
      config.tier = TierPolicy::Interp;
    else if (name == "jit")
      config.tier = TierPolicy::Jit;
    else if (name == "auto")
      config.tier = TierPolicy::Auto;
    else
      return fail(std::string(from) + ": unknown tier \"" + std::string(name) +
                  "\" (interp, jit or auto)");
    return std::nullopt;
  };
  if (const char* v = std::getenv("WVM_COSMWASM_VM_VERSION"); v != nullptr && *v != '\0')
    if (auto e = set_version(v, "WVM_COSMWASM_VM_VERSION")) return std::move(*e);
  if (const char* t = std::getenv("WVM_COSMWASM_TIER"); t != nullptr && *t != '\0')
    if (auto e = set_tier(t, "WVM_COSMWASM_TIER")) return std::move(*e);
  if (auto wvm = j.find("wvm"); wvm != j.end() && !wvm->is_null()) {
    if (!wvm->is_object())
      return fail("invalid type for `wvm`, expected a struct");
    for (const auto& [key, value] : wvm->items()) {
      if (!value.is_string())
        return fail("invalid type for `wvm." + key + "`, expected a string");
      std::optional<CapiError> e;
      if (key == "vm_version")
        e = set_version(value.get<std::string>(), "wvm.vm_version");
      else if (key == "tier")
        e = set_tier(value.get<std::string>(), "wvm.tier");
      else
        e = fail("unknown field `wvm." + key + "`, expected `vm_version` or `tier`");
      if (e) return std::move(*e);
    }
  }
  auto limits = j.find("wasm_limits");
  if (limits != j.end() && !limits->is_null()) {
    if (!limits->is_object())
      return fail("invalid type for `wasm_limits`, expected a struct");
    WasmLimits& l = config.wasm_limits;
    std::string error;
    const bool ok =
        read_limit(*limits, "initial_memory_limit_pages", &l.initial_memory_limit_pages, &error) &&
        read_limit(*limits, "table_size_limit_elements", &l.table_size_limit_elements, &error) &&
        read_limit(*limits, "max_imports", &l.max_imports, &error) &&
        read_limit(*limits, "max_functions", &l.max_functions, &error) &&
        read_limit(*limits, "max_function_params", &l.max_function_params, &error) &&
        read_limit(*limits, "max_total_function_params", &l.max_total_function_params, &error) &&
        read_limit(*limits, "max_function_results", &l.max_function_results, &error) &&
        read_limit(*limits, "max_function_locals", &l.max_function_locals, &error) &&
        read_limit(*limits, "max_total_function_locals", &l.max_total_function_locals, &error);
    if (!ok)
      return fail(error);
  }
  return config;
}

// ---- Cache ------------------------------------------------------------------

Cache::Cache(CacheConfig config) : config_(std::move(config)) {}

CapiResult<std::unique_ptr<Cache>> Cache::open(CacheConfig config) {
  const fs::path base(config.base_dir);
  const fs::path state = base / "state";
  const fs::path wasm = state / "wasm";
  // cosmwasm-vm's layout; "cache" would hold its compiled modules.
  const std::pair<fs::path, const char*> dirs[] = {
      {state, "Error creating state directory"},
      {base / "cache", "Error creating cache directory"},
      {base / "cache" / "modules" / kModuleDirName, "Error creating modules directory"},
      {wasm, "Error creating wasm directory"}};
  for (const auto& [dir, message] : dirs) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir, ec))
      return CapiError::cache(message);
  }
  std::unique_ptr<Cache> cache(new Cache(std::move(config)));
  cache->wasm_dir_ = wasm.string();
  cache->module_dir_ = (base / "cache" / "modules" / kModuleDirName).string();
  RuntimeOptions options;
  options.tier = cache->config_.tier;
  options.version = cache->config_.vm_version;
  // cosmwasm-vm's limit_to_pages: whole pages, at most 65536.
  options.memory_limit_pages = static_cast<uint32_t>(
      std::min<uint64_t>(cache->config_.instance_memory_limit_bytes / Memory::kPageSize, 65536));
  cache->runtime_ = std::make_unique<Runtime>(options);
  return cache;
}

std::string Cache::wasm_path(const Checksum& checksum) const {
  return wasm_dir_ + "/" + checksum_hex(checksum) + ".wasm";
}

CapiResult<CachedContract> Cache::compile(ByteView wasm) {
  VmResult<std::shared_ptr<const Contract>> compiled = runtime_->compile(wasm);
  if (!compiled.ok())
    return CapiError::from_vm(*compiled.error);
  VmResult<Bytes> artifact = runtime_->serialize(*compiled.value);
  if (!artifact.ok())
    return CapiError::from_vm(*artifact.error);
  CachedContract out;
  out.contract = std::move(compiled.value);
  out.size = artifact.value.size();
  out.artifact = std::move(artifact.value);
  return out;
}

CapiResult<Unit> Cache::save_wasm(const Checksum& checksum, ByteView wasm) {
  // Checksums are collision resistant, so overwriting an existing file is safe.
  std::string error;
  if (!write_file_atomically(wasm_path(checksum), wasm, &error))
    return CapiError::cache(error);
  return Unit{};
}

CapiResult<Checksum> Cache::store_code(ByteView wasm, bool checked, bool persist) {
  const std::vector<uint8_t> code(wasm.begin(), wasm.end());
  if (checked) {
    AnalysisConfig analysis;
    analysis.available_capabilities = config_.available_capabilities;
    analysis.limits = config_.wasm_limits;
    analysis.version = config_.vm_version;
    Result<void> check = check_wasm(code, analysis);
    if (!check.ok())
      return CapiError::from_vm(
          VmError::make(VmErrorKind::StaticValidationErr, check.error().message));
  }
  CapiResult<CachedContract> compiled = compile(wasm);
  if (!compiled.ok())
    return std::move(*compiled.error);
  const Checksum checksum = checksum_of(wasm);
  if (!persist)
    return checksum;  // simulation: checked and compiled, nothing kept
  CapiResult<Unit> saved = save_wasm(checksum, wasm);
  if (!saved.ok())
    return std::move(*saved.error);
  // As cosmwasm-vm: the compiled module goes to the file-system cache only;
  // the memory cache fills on the first call.
  CapiResult<Unit> stored = module_store(checksum, compiled.value);
  if (!stored.ok())
    return std::move(*stored.error);
  return checksum;
}

CapiResult<Unit> Cache::remove_wasm(const Checksum& checksum) {
  std::lock_guard<std::mutex> lock(mutex_);
  // Files from before the .wasm extension have the bare checksum as name.
  const std::string with_ext = wasm_path(checksum);
  const std::string bare = wasm_dir_ + "/" + checksum_hex(checksum);
  std::error_code ec;
  const bool has_ext = fs::exists(with_ext, ec);
  const bool has_bare = fs::exists(bare, ec);
  if (!has_ext && !has_bare)
    return CapiError::cache("Wasm file does not exist");
  // The compiled module goes first, as cosmwasm-vm's remove_wasm does it.
  if (::unlink(module_path(checksum).c_str()) != 0 && errno != ENOENT)
    return CapiError::cache("Error deleting module from disk");
  for (const auto& [present, path] : {std::pair{has_bare, &bare}, std::pair{has_ext, &with_ext}}) {
    if (present && ::unlink(path->c_str()) != 0)
      return CapiError::cache("Error removing Wasm file from disk");
  }
  return Unit{};
}

CapiResult<Bytes> Cache::load_wasm(const Checksum& checksum) {
  std::optional<Bytes> wasm = read_file_bytes(wasm_path(checksum));
  if (!wasm)
    wasm = read_file_bytes(wasm_dir_ + "/" + checksum_hex(checksum));
  if (!wasm)
    return CapiError::cache("Error opening Wasm file for reading");
  if (checksum_of(*wasm) != checksum)
    return CapiError::vm("Hash doesn't match stored data");  // VmError::IntegrityErr
  return std::move(*wasm);
}

CapiResult<Unit> Cache::pin(const Checksum& checksum) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (pinned_.count(checksum))
      return Unit{};
  }
  // cosmwasm-vm's pin: from the file-system cache, else compiled from the
  // stored wasm (a miss) and stored there; never from the memory cache.
  CapiResult<CachedContract> module = load_or_compile(checksum);
  if (!module.ok())
    return std::move(*module.error);
  module.value.artifact = Bytes();  // it is on disk; memory keeps the module only
  std::lock_guard<std::mutex> lock(mutex_);
  if (!pinned_.count(checksum)) {
    pinned_size_ += module.value.size;
    pinned_.emplace(checksum, Pinned{std::move(module.value), 0});
  }
  return Unit{};
}

CapiResult<Unit> Cache::unpin(const Checksum& checksum) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = pinned_.find(checksum);
  if (it != pinned_.end()) {
    pinned_size_ -= it->second.module.size;
    pinned_.erase(it);
  }
  return Unit{};
}

CapiResult<Unit> Cache::sync_pinned_codes(const std::vector<Checksum>& wanted) {
  std::vector<Checksum> add, remove;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [checksum, entry] : pinned_)
      if (std::find(wanted.begin(), wanted.end(), checksum) == wanted.end())
        remove.push_back(checksum);
    for (const Checksum& checksum : wanted)
      if (!pinned_.count(checksum))
        add.push_back(checksum);
  }
  for (const Checksum& checksum : add) {
    CapiResult<Unit> r = pin(checksum);
    if (!r.ok())
      return r;
  }
  for (const Checksum& checksum : remove) {
    CapiResult<Unit> r = unpin(checksum);
    if (!r.ok())
      return r;
  }
  return Unit{};
}

CapiResult<wvm::cosmwasm::AnalysisReport> Cache::analyze(const Checksum& checksum) {
  CapiResult<Bytes> wasm = load_wasm(checksum);
  if (!wasm.ok())
    return std::move(*wasm.error);
  Result<wvm::cosmwasm::AnalysisReport> report = wvm::cosmwasm::analyze(wasm.value);
  if (!report.ok())
    return CapiError::from_vm(
        VmError::make(VmErrorKind::StaticValidationErr, report.error().message));
  return std::move(report.value());
}

::Metrics Cache::metrics() {
  std::lock_guard<std::mutex> lock(mutex_);
  ::Metrics m{};
  m.hits_pinned_memory_cache = stats_.hits_pinned_memory_cache;
  m.hits_memory_cache = stats_.hits_memory_cache;
  m.hits_fs_cache = stats_.hits_fs_cache;
  m.misses = stats_.misses;
  m.elements_pinned_memory_cache = pinned_.size();
  m.elements_memory_cache = memory_.size();
  m.size_pinned_memory_cache = pinned_size_;
  m.size_memory_cache = memory_size_;
  return m;
}

Bytes Cache::pinned_metrics_msgpack() {
  std::lock_guard<std::mutex> lock(mutex_);
  // PinnedMetrics { per_module: Vec<([u8; 32], PerModuleMetrics { hits, size })> }
  Bytes out;
  msgpack_array_header(out, 1);
  msgpack_array_header(out, pinned_.size());
  for (const auto& [checksum, pinned] : pinned_) {  // ordered by checksum
    msgpack_array_header(out, 2);
    msgpack_array_header(out, checksum.size());
    for (uint8_t b : checksum)
      msgpack_uint(out, b);
    msgpack_array_header(out, 2);
    msgpack_uint(out, pinned.hits);
    msgpack_uint(out, pinned.module.size);
  }
  return out;
}

CapiResult<std::shared_ptr<const Contract>> Cache::get_contract(const Checksum& checksum) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = pinned_.find(checksum); it != pinned_.end()) {
      stats_.hits_pinned_memory_cache = saturating_inc(stats_.hits_pinned_memory_cache);
      it->second.hits = saturating_inc(it->second.hits);
      return it->second.module.contract;
    }
    if (const CachedContract* cached = memory_find(checksum)) {
      stats_.hits_memory_cache = saturating_inc(stats_.hits_memory_cache);
      return cached->contract;
    }
  }
  // Loaded or compiled outside the lock: other calls keep running meanwhile.
  // Two threads may load the same contract at once; the first insert wins.
  CapiResult<CachedContract> module = load_or_compile(checksum);
  if (!module.ok())
    return std::move(*module.error);
  module.value.artifact = Bytes();  // it is on disk; memory keeps the module only
  std::lock_guard<std::mutex> lock(mutex_);
  std::shared_ptr<const Contract> contract = module.value.contract;
  memory_insert(checksum, std::move(module.value));
  return contract;
}

CapiResult<CachedContract> Cache::load_or_compile(const Checksum& checksum) {
  if (std::optional<CachedContract> cached = module_load(checksum)) {
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.hits_fs_cache = saturating_inc(stats_.hits_fs_cache);
    return std::move(*cached);
  }
  CapiResult<Bytes> wasm = load_wasm(checksum);
  if (!wasm.ok())
    return std::move(*wasm.error);
  CapiResult<CachedContract> compiled = compile(wasm.value);
  if (!compiled.ok())
    return std::move(*compiled.error);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.misses = saturating_inc(stats_.misses);
  }
  CapiResult<Unit> stored = module_store(checksum, compiled.value);
  if (!stored.ok())
    return std::move(*stored.error);
  return compiled;
}

std::string Cache::module_path(const Checksum& checksum) const {
  return module_dir_ + "/" + checksum_hex(checksum) + ".module";
}

CapiResult<Unit> Cache::module_store(const Checksum& checksum, const CachedContract& module) {
  std::string error;
  if (!write_file_atomically(module_path(checksum), module.artifact, &error))
    return CapiError::cache("Error writing module to disk: " + error);
  return Unit{};
}

std::optional<CachedContract> Cache::module_load(const Checksum& checksum) {
  std::optional<Bytes> artifact = read_file_bytes(module_path(checksum));
  if (!artifact)
    return std::nullopt;
  // A file from another wvm build, configuration or CPU, or a corrupted one,
  // is rejected by its header and checksum and treated as absent: the
  // contract is compiled again from its wasm and the file replaced.
  VmResult<std::shared_ptr<const Contract>> contract = runtime_->deserialize(*artifact);
  if (!contract.ok())
    return std::nullopt;
  CachedContract out;
  out.contract = std::move(contract.value);
  out.size = artifact->size();
  out.artifact = std::move(*artifact);
  return out;
}

void Cache::memory_insert(const Checksum& checksum, CachedContract module) {
  const uint64_t capacity = config_.memory_cache_size_bytes;
  // A module larger than the whole cache is not kept (cosmwasm-vm's LRU
  // refuses it too); a zero-sized cache keeps nothing.
  if (module.size > capacity)
    return;
  if (auto it = memory_.find(checksum); it != memory_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return;
  }
  while (memory_size_ + module.size > capacity && !lru_.empty()) {
    auto victim = memory_.find(lru_.back());
    memory_size_ -= victim->second.module.size;
    memory_.erase(victim);
    lru_.pop_back();
  }
  lru_.push_front(checksum);
  memory_size_ += module.size;
  memory_.emplace(checksum, MemoryEntry{std::move(module), lru_.begin()});
}

const CachedContract* Cache::memory_find(const Checksum& checksum) {
  auto it = memory_.find(checksum);
  if (it == memory_.end())
    return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return &it->second.module;
}

}  // namespace wvm::cosmwasm::capi
