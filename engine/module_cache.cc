// serialize_module / deserialize_module: a compiled module as bytes.
//
// Format (little-endian; version kFormatVersion):
//   [0, 8)    magic "\0wvmmod\x01"
//   [8, 16)   checksum64 of every byte from offset 16 to the end
//   [16, 24)  total size in bytes
//   u32 format version, u32 architecture, str build id, bytes config key,
//   u64 CPU features of the tier-1 code (0 if none)
//   u64 wasm size, the wasm (data segments and custom sections point into it;
//       tier-up in policy auto compiles from it)
//   u32 defined functions, then per function:
//     u32 num_locals, u32 max_slots, u32 words, tier-0 code in portable form
//     (tier0-interp/portable_code.h), u32 size and bytes of its trap sites
//     (module/site_table.h), u32 count and u32 words of its loop headers,
//     u8 has tier-1 code, and if so:
//     u32 size, u32 relocations, each {u32 offset, u8 form, u8 target kind,
//     u32 target}, then the code bytes, u32 size and bytes of its trap sites,
//     u32 count and u32 code offsets of its OSR entries
// Loading decodes the module's sections again from the stored wasm (linear in
// the number of declarations; function bodies are only located), but never
// validates, prepares or compiles a function body.
#include <algorithm>
#include <cstring>
#include <string>

#include "engine/build_id.h"
#include "engine/checksum.h"
#include "engine/tier_manager.h"
#include "memory/image.h"
#include "module/byte_io.h"
#include "module/decoder.h"
#include "tier0-interp/interp.h"
#include "tier0-interp/portable_code.h"
#include "tier1-jit/backend.h"
#include "tier1-jit/code_loader.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

constexpr uint8_t kMagic[8] = {0, 'w', 'v', 'm', 'm', 'o', 'd', 1};
constexpr uint32_t kFormatVersion = 3;  // 2: tier-0 trap sites; 3: loop headers, OSR entries
constexpr size_t kChecksummedFrom = 16;
constexpr size_t kHeaderBytes = 24;  // magic, checksum, total size

// The host architecture the tier-1 code is for (0: none).
#if defined(__x86_64__)
constexpr uint32_t kArch = 1;
#elif defined(__aarch64__)
constexpr uint32_t kArch = 2;
#else
constexpr uint32_t kArch = 0;
#endif

// Every setting that changes what compile() produces, as bytes. A field added
// to these structs must be added here (the asserts catch new ones).
std::vector<uint8_t> config_key(const Config& config) {
  static_assert(sizeof(ModuleLimits) == sizeof(size_t) + 18 * sizeof(uint32_t),
                "a new module limit: add it to the key");
  // name; op, accounting; charge_locals + free_locals (one word); gas_per_local; 3 per-unit
  static_assert(sizeof(GasProfile) == sizeof(std::string) + 7 * sizeof(uint64_t),
                "a new gas profile field: add it to the key");
  std::vector<uint8_t> key;
  ByteWriter w(key);
  w.u8(static_cast<uint8_t>(config.memory.bounds));
  const MeteringConfig& m = config.metering;
  w.u8(m.enabled);
  w.str(m.profile.name);
  for (uint64_t v : {m.profile.op_cost, m.profile.accounting_cost, uint64_t{m.profile.charge_locals},
                     uint64_t{m.profile.free_locals}, m.profile.gas_per_local,
                     m.profile.memory_grow_per_page, m.profile.bulk_memory_per_byte,
                     m.profile.table_per_element})
    w.u64(v);
  const ModuleLimits& l = config.module_limits;
  w.u64(l.max_module_bytes);
  for (uint32_t v : {l.max_types, l.max_imports, l.max_exports, l.max_functions, l.max_globals,
                     l.max_tables, l.max_memories, l.max_elem_segments, l.max_data_segments,
                     l.max_params, l.max_results, l.max_locals, l.max_function_bytes,
                     l.max_br_table_targets, l.max_control_depth, l.max_name_bytes,
                     l.max_table_elements, l.max_memory_pages})
    w.u32(v);
  return key;
}

Error malformed(const std::string& message) {
  return Error{ErrorKind::Malformed, 0, "compiled module: " + message, TrapKind::None};
}
Error stale(const std::string& message) {
  return Error{ErrorKind::Stale, 0, message, TrapKind::None};
}

void write_u32s(ByteWriter& w, const std::vector<uint32_t>& v) {
  w.u32(static_cast<uint32_t>(v.size()));
  for (uint32_t x : v) w.u32(x);
}
bool read_u32s(ByteReader& r, std::vector<uint32_t>* v) {
  const uint32_t n = r.u32();
  if (!r.ok() || n > r.left() / 4) return false;
  v->resize(n);
  for (uint32_t& x : *v) x = r.u32();
  return r.ok();
}

void write_tier1(ByteWriter& w, const FuncCode& code) {
  const void* entry = code.jit_entry.load(std::memory_order_acquire);
  const jit::JitCodeInfo* info = entry ? code.jit_info.get() : nullptr;  // set before entry
  w.u8(info != nullptr);
  if (info == nullptr) return;
  w.u32(info->size);
  w.u32(static_cast<uint32_t>(info->relocations.size()));
  for (const jit::Relocation& r : info->relocations) {
    w.u32(r.offset);
    w.u8(static_cast<uint8_t>(r.form));
    w.u8(static_cast<uint8_t>(r.target_kind));
    w.u32(r.target);
  }
  w.raw(entry, info->size);
  w.u32(static_cast<uint32_t>(code.jit_sites.size()));
  w.raw(code.jit_sites.data(), code.jit_sites.size());
  write_u32s(w, code.jit_osr_entries);
}

// Reads one function's tier-1 code (bytes stay in place). False if malformed.
bool read_tier1(ByteReader& r, uint32_t func_index, jit::LoadedCode* out) {
  out->func_index = func_index;
  out->info.size = r.u32();
  const uint32_t n = r.u32();
  if (!r.ok() || n > r.left() / 10) return false;
  out->info.relocations.resize(n);
  for (jit::Relocation& reloc : out->info.relocations) {
    reloc.offset = r.u32();
    const uint8_t form = r.u8();
    const uint8_t kind = r.u8();
    reloc.target = r.u32();
    if (form > static_cast<uint8_t>(jit::RelocForm::CallRel) ||
        kind > static_cast<uint8_t>(jit::RelocTarget::TypeId))
      return false;
    reloc.form = static_cast<jit::RelocForm>(form);
    reloc.target_kind = static_cast<jit::RelocTarget>(kind);
  }
  out->bytes = r.take(out->info.size);
  const uint32_t num_site_bytes = r.u32();
  if (!r.ok() || num_site_bytes > r.left()) return false;
  out->sites.resize(num_site_bytes);
  r.raw(out->sites.data(), num_site_bytes);
  return r.ok() && read_u32s(r, &out->osr_entries);
}

}  // namespace

Result<std::vector<uint8_t>> serialize_module(const Engine& engine, const Module& module) {
  const Config& config = engine.config();
  if (module.bounds != config.memory.bounds || !(module.metering == config.metering) ||
      module.code.size() != module.bodies.size())
    return Error{ErrorKind::Invalid, 0, "serialize_module: the module was compiled by another engine",
                 TrapKind::None};
  std::vector<uint8_t> out;
  out.reserve(module.bytes.size() * 4 + 256);
  ByteWriter w(out);
  w.raw(kMagic, sizeof kMagic);
  w.u64(0);  // checksum, written last
  w.u64(0);  // total size, written last
  w.u32(kFormatVersion);
  w.u32(kArch);
  w.str(engine_build_id());
  const std::vector<uint8_t> key = config_key(config);
  w.bytes(key.data(), key.size());
  const jit::Backend* backend = engine.jit_backend();
  w.u64(backend ? backend->cpu_features() : 0);
  w.u64(module.bytes.size());
  w.raw(module.bytes.data(), module.bytes.size());
  w.u32(static_cast<uint32_t>(module.code.size()));
  std::vector<uint64_t> words;
  for (const std::unique_ptr<FuncCode>& compiled : module.code) {
    // The file always carries tier-0 code (an engine of another policy may
    // load it): prepared here for functions compile() left to tier 1.
    const FuncCode* code = compiled.get();
    std::unique_ptr<FuncCode> prepared;
    if (code->code.empty()) {
      Result<std::unique_ptr<FuncCode>> p =
          prepare_function(module, config.module_limits, code->func_index);
      if (!p) return p.error();
      prepared = std::move(p).value();
      code = prepared.get();
    }
    w.u32(code->num_locals);
    w.u32(code->max_slots);
    words.clear();
    if (!tier0_to_portable(module, *code, words))
      return Error{ErrorKind::Unsupported, 0,
                   "serialize_module: tier-0 code of function " + std::to_string(code->func_index) +
                       " cannot be made portable",
                   TrapKind::None};
    w.u32(static_cast<uint32_t>(words.size()));
    w.raw(words.data(), words.size() * sizeof(uint64_t));
    w.u32(static_cast<uint32_t>(code->sites.size()));
    w.raw(code->sites.data(), code->sites.size());
    write_u32s(w, code->loop_headers);
    write_tier1(w, *compiled);
  }
  const uint64_t total = out.size();
  std::memcpy(out.data() + 16, &total, 8);
  const uint64_t sum = checksum64(out.data() + kChecksummedFrom, out.size() - kChecksummedFrom);
  std::memcpy(out.data() + 8, &sum, 8);
  return out;
}

Result<std::shared_ptr<const Module>> deserialize_module(Engine& engine, const uint8_t* data,
                                                         size_t size) {
  if (size < kHeaderBytes || std::memcmp(data, kMagic, sizeof kMagic) != 0)
    return malformed("not a wvm compiled module");
  uint64_t sum = 0, total = 0;
  std::memcpy(&sum, data + 8, 8);
  std::memcpy(&total, data + 16, 8);
  if (total != size)
    return malformed("truncated or extended: " + std::to_string(size) + " bytes, expected " +
                     std::to_string(total));
  if (checksum64(data + kChecksummedFrom, size - kChecksummedFrom) != sum)
    return malformed("checksum mismatch (corrupted)");

  ByteReader r(data + kHeaderBytes, size - kHeaderBytes);
  const uint32_t version = r.u32();
  const uint32_t arch = r.u32();
  const std::string build = r.str();
  uint32_t key_size = 0;
  const uint8_t* key = r.bytes(&key_size);
  const uint64_t features = r.u64();
  if (!r.ok()) return malformed("header cut short");
  if (version != kFormatVersion)
    return stale("format version " + std::to_string(version) + ", this wvm reads " +
                 std::to_string(kFormatVersion));
  if (arch != kArch) return stale("compiled for another CPU architecture");
  if (build != engine_build_id()) return stale("compiled by another wvm build (" + build + ")");
  const std::vector<uint8_t> own_key = config_key(engine.config());
  if (key_size != own_key.size() || std::memcmp(key, own_key.data(), key_size) != 0)
    return stale("compiled with another engine configuration (bounds, metering or module limits)");

  const uint64_t wasm_size = r.u64();
  const uint8_t* wasm = r.ok() && wasm_size <= r.left() ? r.take(wasm_size) : nullptr;
  if (wasm == nullptr) return malformed("wasm cut short");
  Result<std::shared_ptr<Module>> decoded = decode_for_engine(engine, wasm, wasm_size);
  if (!decoded) return malformed("stored wasm: " + decoded.error().to_string());
  std::shared_ptr<Module> module = std::move(decoded).value();

  const uint32_t num_defined = r.u32();
  if (!r.ok() || num_defined != module->bodies.size())
    return malformed("function count does not match the wasm");
  jit::Backend* backend = engine.jit_backend();
  std::vector<jit::LoadedCode> loaded;
  module->code.reserve(num_defined);
  for (uint32_t i = 0; i < num_defined; ++i) {
    auto code = std::make_unique<FuncCode>();
    code->func_index = module->num_imported_funcs + i;
    const FuncType& type = module->func_type(code->func_index);
    code->num_params = static_cast<uint32_t>(type.params.size());
    code->num_results = static_cast<uint32_t>(type.results.size());
    code->num_locals = r.u32();
    code->max_slots = r.u32();
    const uint32_t num_words = r.u32();
    if (!r.ok() || code->num_locals < code->num_params || code->max_slots < code->num_locals ||
        code->max_slots < code->num_results || num_words == 0 || num_words > r.left() / 8)
      return malformed("function " + std::to_string(code->func_index) + ": bad tier-0 header");
    code->code.resize(num_words);
    r.raw(code->code.data(), size_t{num_words} * 8);
    if (!tier0_from_portable(*module, code->code))
      return malformed("function " + std::to_string(code->func_index) + ": bad tier-0 code");
    const uint32_t num_site_bytes = r.u32();
    if (!r.ok() || num_site_bytes > r.left())
      return malformed("function " + std::to_string(code->func_index) + ": bad trap sites");
    code->sites.resize(num_site_bytes);
    r.raw(code->sites.data(), num_site_bytes);
    // OSR lands on these words: each must be an instruction of this code.
    if (!read_u32s(r, &code->loop_headers) ||
        !std::is_sorted(code->loop_headers.begin(), code->loop_headers.end()) ||
        (!code->loop_headers.empty() && code->loop_headers.back() >= num_words))
      return malformed("function " + std::to_string(code->func_index) + ": bad loop headers");
    const uint8_t has_tier1 = r.u8();
    if (has_tier1 > 1) return malformed("bad tier-1 flag");
    if (has_tier1) {
      jit::LoadedCode c;
      if (!read_tier1(r, code->func_index, &c))
        return malformed("function " + std::to_string(code->func_index) + ": bad tier-1 code");
      if (backend != nullptr) loaded.push_back(std::move(c));
    }
    module->code.push_back(std::move(code));
  }
  if (!r.ok() || r.left() != 0) return malformed("bytes after the last function");

  if (!loaded.empty()) {
    if (features != backend->cpu_features())
      return stale("tier-1 code uses other CPU features than this engine's");
    Result<void> installed = jit::install_loaded_code(*backend, *module, loaded);
    if (!installed) return installed.error();
  }
  module->memory_image = MemoryImage::build(*module);
  if (engine.config().tiers.policy == TierPolicy::Jit) {
    // Functions stored without tier-1 code (serialized in tier 0, or
    // unsupported) are compiled now, as compile() would.
    Result<void> compiled = compile_all_tier1(engine, *module);
    if (!compiled) return compiled.error();
  }
  return std::shared_ptr<const Module>(std::move(module));
}

}  // namespace wvm
