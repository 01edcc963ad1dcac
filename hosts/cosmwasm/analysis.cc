// cosmwasm-vm 3.0's store-time checks on wvm's decoder and validator.
//
// The order follows cosmwasm-vm's check_wasm, so a contract breaking several
// rules is rejected for the same one:
//   1. parse: the module is decoded and validated at module level (wasmparser
//      with cosmwasm's feature set: no bulk memory, SIMD, threads, ...), and
//      the cw_migrate_version custom section is read;
//   2. tables, memory, interface version, exports, imports, capabilities,
//      function limits (from 3.0.9 on, locals limits last);
//   3. every function body is validated, then scanned by the gatekeeper
//      (reference-types operators are valid wasm but rejected at compile time).
// Rules that cosmwasm-vm leaves to later stages (the signatures of imports,
// which instantiation checks) are not applied here.
#include "hosts/cosmwasm/analysis.h"

#include <algorithm>
#include <array>
#include <memory>
#include <string_view>

#include "module/decoder.h"
#include "module/opcodes.h"
#include "module/reader.h"
#include "module/validator.h"
#include "wvm/module.h"

namespace wvm::cosmwasm {
namespace {

// ---- the interface contracts are checked against ---------------------------

// Functions the host provides in module "env" (cosmwasm-vm is built for wasmd
// with the "iterator" feature, so the db_scan family is included).
constexpr std::array<std::string_view, 24> kSupportedImports = {
    "abort",
    "db_read",
    "db_write",
    "db_remove",
    "addr_validate",
    "addr_canonicalize",
    "addr_humanize",
    "bls12_381_aggregate_g1",
    "bls12_381_aggregate_g2",
    "bls12_381_pairing_equality",
    "bls12_381_hash_to_g1",
    "bls12_381_hash_to_g2",
    "secp256k1_verify",
    "secp256k1_recover_pubkey",
    "secp256r1_verify",
    "secp256r1_recover_pubkey",
    "ed25519_verify",
    "ed25519_batch_verify",
    "debug",
    "query_chain",
    "db_scan",
    "db_next",
    "db_next_key",
    "db_next_value",
};
constexpr std::string_view kImportModule = "env";

// Memory management every contract must export (instantiate is optional since 2.0).
constexpr std::array<std::string_view, 2> kRequiredExports = {"allocate", "deallocate"};

constexpr std::string_view kInterfaceVersionPrefix = "interface_version_";
constexpr std::string_view kSupportedInterfaceVersion = "interface_version_8";

constexpr std::string_view kRequiresPrefix = "requires_";

// Exports the node knows how to call.
constexpr std::array<std::string_view, 18> kEntryPoints = {
    "instantiate",
    "execute",
    "migrate",
    "sudo",
    "reply",
    "query",
    "ibc_channel_open",
    "ibc_channel_connect",
    "ibc_channel_close",
    "ibc_packet_receive",
    "ibc_packet_ack",
    "ibc_packet_timeout",
    "ibc_source_callback",
    "ibc_destination_callback",
    "ibc2_packet_receive",
    "ibc2_packet_timeout",
    "ibc2_packet_ack",
    "ibc2_packet_send",
};

// A contract "has IBC entry points" when it exports all of these (IBC v1).
constexpr std::array<std::string_view, 6> kIbcEntryPoints = {
    "ibc_channel_open",   "ibc_channel_connect", "ibc_channel_close",
    "ibc_packet_receive", "ibc_packet_ack",      "ibc_packet_timeout",
};

constexpr std::string_view kMigrateVersionSection = "cw_migrate_version";

// ---- errors -----------------------------------------------------------------

// A rejection with cosmwasm-vm's own text (a node may compare messages).
Error validation_error(std::string message,
                       ErrorKind kind = ErrorKind::Invalid,
                       size_t offset = 0) {
  return Error{kind, offset, std::move(message), TrapKind::None};
}

// What cosmwasm-vm reports for anything its wasm parser or validator rejects.
Error deserialization_error(const Error& e) {
  return validation_error(
      "Wasm bytecode could not be deserialized. Deserialization error: \"" + e.message + "\"",
      e.kind, e.offset);
}

// `names` as cosmwasm-vm's to_string_limited (limited.rs) prints them:
// {"a", "b"} or ["a", "b"], and when longer than `max_length`, as many
// elements as fit followed by ", ... N more" (or "... N elements").
std::string limited_list(const std::vector<std::string>& names,
                         size_t max_length,
                         char opening,
                         char closing) {
  std::string out(1, opening);
  std::vector<size_t> lengths;  // out.size() before each element
  for (const std::string& n : names) {
    lengths.push_back(out.size());
    out += lengths.size() == 1 ? "\"" : ", \"";
    out += n;
    out += '"';
    if (out.size() > max_length) break;
  }
  if (out.size() + 1 <= max_length) return out + closing;
  while (!lengths.empty()) {
    const size_t previous = lengths.back();
    lengths.pop_back();
    const size_t skipped = names.size() - lengths.size();
    const std::string text = lengths.empty() ? "... " + std::to_string(skipped) + " elements"
                                             : ", ... " + std::to_string(skipped) + " more";
    if (previous + text.size() + 1 <= max_length) return out.substr(0, previous) + text + closing;
  }
  return std::string(1, opening) + closing;  // unreachable for max_length >= 2
}

std::string limited_set(const std::set<std::string>& names, size_t max_length) {
  return limited_list(std::vector<std::string>(names.begin(), names.end()), max_length, '{', '}');
}

// ---- the raw section layout ---------------------------------------------------

// Calls `visit(id, payload_start, payload_end)` for every section of a module
// decode_module() accepted (so the layout is known to be well formed).
template <class Visit>
void for_each_section(const std::vector<uint8_t>& bytes, Visit&& visit) {
  Reader r(bytes.data(), 8, bytes.size());
  while (!r.at_end()) {
    uint8_t id = 0;
    uint32_t size = 0;
    if (!r.u8(&id) || !r.u32(&size)) return;
    const size_t start = r.pos();
    const size_t end = start + size;
    if (end > bytes.size()) return;
    visit(id, start, end);
    r.seek(end);
  }
}

// ---- parse (module level) -------------------------------------------------------

// Rust's `str::from_utf8` acceptance: well-formed UTF-8, no surrogates, no
// overlong forms.
bool is_utf8(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    const uint8_t b = p[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if ((b & 0xe0) == 0xc0) {
      len = 2;
      cp = b & 0x1f;
    } else if ((b & 0xf0) == 0xe0) {
      len = 3;
      cp = b & 0x0f;
    } else if ((b & 0xf8) == 0xf0) {
      len = 4;
      cp = b & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

// The contract's migrate version: the decimal u64 in its cw_migrate_version
// custom section. cosmwasm-vm reads every such section in order (so the last
// one wins) and rejects the contract if any of them is not a number, using
// Rust's u64 parsing (digits, an optional leading '+', no spaces).
Result<std::optional<uint64_t>> read_migrate_version(const Module& m) {
  std::optional<uint64_t> version;
  std::optional<Error> error;
  for_each_section(m.bytes, [&](uint8_t id, size_t start, size_t end) {
    if (id != 0 || error) return;
    Reader r(m.bytes.data(), start, end);
    uint32_t name_len = 0;
    const uint8_t* name = nullptr;
    if (!r.u32(&name_len) || !r.bytes(name_len, &name)) return;
    if (std::string_view(reinterpret_cast<const char*>(name), name_len) != kMigrateVersionSection)
      return;
    const uint8_t* data = m.bytes.data() + r.pos();
    const size_t size = end - r.pos();
    // Rust's str::from_utf8 and u64::from_str, with their error texts.
    const char* what = nullptr;
    uint64_t value = 0;
    if (!is_utf8(data, size)) {
      what = "invalid utf-8 sequence";
    } else {
      size_t i = 0;
      if (size > 1 && data[0] == '+') i = 1;
      if (size == 0) what = "cannot parse integer from empty string";
      for (; i < size && !what; ++i) {
        if (data[i] < '0' || data[i] > '9') {
          what = "invalid digit found in string";
        } else if (value > (UINT64_MAX - (data[i] - '0')) / 10) {
          what = "number too large to fit in target type";
        } else {
          value = value * 10 + (data[i] - '0');
        }
      }
    }
    if (what) {
      error = validation_error(what, ErrorKind::Invalid, start);
      return;
    }
    version = value;
  });
  if (error) return *error;
  return version;
}

// What parsing a contract gives: the decoded module and its migrate version.
struct Parsed {
  std::unique_ptr<Module> module;
  std::optional<uint64_t> migrate_version;
};

// Decodes `wasm` with the engine and applies the module-level part of
// cosmwasm-vm's feature set (bulk memory is off: no passive segments).
Result<Parsed> parse(const std::vector<uint8_t>& wasm) {
  static const ModuleLimits kLimits{};
  auto m = std::make_unique<Module>();
  m->bytes = wasm;
  Result<void> decoded = decode_module(kLimits, *m);
  if (!decoded) return deserialization_error(decoded.error());
  // cosmwasm-vm's parser has bulk memory off: passive and declarative
  // segments are parse errors there.
  for (const DataSegment& d : m->datas)
    if (d.mode == SegmentMode::Passive)
      return deserialization_error(validation_error(
          "passive data segments (bulk memory) are not supported", ErrorKind::Unsupported));
  for (const ElemSegment& s : m->elems)
    if (s.mode != SegmentMode::Active)
      return deserialization_error(validation_error(
          std::string(s.mode == SegmentMode::Passive ? "passive" : "declarative") +
              " element segments (bulk memory) are not supported",
          ErrorKind::Unsupported));
  Result<std::optional<uint64_t>> version = read_migrate_version(*m);
  if (!version) return version.error();
  return Parsed{std::move(m), *version};
}

// ---- exports --------------------------------------------------------------------

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Names of exported functions (other exports don't count for any rule).
std::set<std::string> exported_functions(const Module& m, std::string_view prefix = {}) {
  std::set<std::string> names;
  for (const Export& e : m.exports)
    if (e.kind == ExternKind::Func && starts_with(e.name, prefix)) names.insert(e.name);
  return names;
}

// "requires_<capability>" exports; "requires_" alone names nothing.
std::set<std::string> required_capabilities(const Module& m) {
  std::set<std::string> caps;
  for (const std::string& name : exported_functions(m, kRequiresPrefix))
    if (name.size() > kRequiresPrefix.size()) caps.insert(name.substr(kRequiresPrefix.size()));
  return caps;
}

// ---- the rules --------------------------------------------------------------------

Result<void> check_tables(const Module& m, const WasmLimits& limits) {
  const size_t defined = m.tables.size() - m.num_imported_tables;
  if (defined == 0) return {};
  if (defined > 1)
    return validation_error("Wasm contract must not have more than 1 table section");
  const TableType& t = m.tables[m.num_imported_tables];
  if (!t.limits.has_max)
    return validation_error("Wasm contract must not have unbound table section");
  if (t.limits.max > limits.table_size_limit_elements)
    return validation_error("Wasm contract's first table section has a too large max limit");
  return {};
}

Result<void> check_memories(const Module& m, const WasmLimits& limits) {
  const size_t defined = m.memories.size() - m.num_imported_memories;
  if (defined != 1) return validation_error("Wasm contract must contain exactly one memory");
  const MemoryType& mem = m.memories[m.num_imported_memories];
  if (mem.limits.min > limits.initial_memory_limit_pages)
    return validation_error("Wasm contract memory's minimum must not exceed " +
                            std::to_string(limits.initial_memory_limit_pages) + " pages.");
  if (mem.limits.has_max)
    return validation_error(
        "Wasm contract memory's maximum must be unset. The host will set it for you.");
  return {};
}

Result<void> check_interface_version(const Module& m) {
  const std::set<std::string> markers = exported_functions(m, kInterfaceVersionPrefix);
  if (markers.empty())
    return validation_error("Wasm contract missing a required marker export: interface_version_*");
  if (markers.size() > 1)
    return validation_error(
        "Wasm contract contains more than one marker export: interface_version_*");
  if (*markers.begin() != kSupportedInterfaceVersion)
    return validation_error(
        "Wasm contract has unknown interface_version_* marker export (see "
        "https://github.com/CosmWasm/cosmwasm/blob/main/packages/vm/README.md)");
  return {};
}

Result<void> check_exports(const Module& m) {
  const std::set<std::string> functions = exported_functions(m);
  for (std::string_view required : kRequiredExports)
    if (!functions.count(std::string(required)))
      return validation_error("Wasm contract doesn't have required export: \"" +
                              std::string(required) +
                              "\". Exports required by VM: [\"allocate\", \"deallocate\"].");
  return {};
}

Result<void> check_imports(const Module& m, const WasmLimits& limits) {
  if (m.imports.size() > limits.max_imports)
    return validation_error("Import count exceeds limit. Imports: " +
                            std::to_string(m.imports.size()) +
                            ". Limit: " + std::to_string(limits.max_imports) + ".");
  for (const Import& imp : m.imports) {
    const std::string full = imp.module + "." + imp.name;
    const bool supported =
        imp.module == kImportModule && std::find(kSupportedImports.begin(), kSupportedImports.end(),
                                                 imp.name) != kSupportedImports.end();
    if (!supported) {
      std::set<std::string> required;
      for (const Import& i : m.imports) required.insert(i.module + "." + i.name);
      std::vector<std::string> available;
      for (std::string_view name : kSupportedImports)
        available.push_back(std::string(kImportModule) + "." + std::string(name));
      // The available list is Rust's {:?} of a slice: never shortened.
      return validation_error("Wasm contract requires unsupported import: \"" + full +
                              "\". Required imports: " + limited_set(required, 200) +
                              ". Available imports: " +
                              limited_list(available, SIZE_MAX - 1, '[', ']') + ".");
    }
    if (imp.kind != ExternKind::Func)
      return validation_error("Wasm contract requires non-function import: \"" + full +
                              "\". Right now, all supported imports are functions.");
  }
  return {};
}

Result<void> check_capabilities(const Module& m, const AnalysisConfig& config) {
  std::set<std::string> missing;
  for (const std::string& cap : required_capabilities(m))
    if (!config.available_capabilities.count(cap)) missing.insert(cap);
  if (!missing.empty())
    return validation_error("Wasm contract requires unavailable capabilities: " +
                            limited_set(missing, 200));
  return {};
}

// Declared locals of a body (parameters excluded); nullopt if the local
// declarations are malformed, which body validation reports later.
std::optional<uint64_t> declared_locals(const Module& m, const FunctionBody& body) {
  Reader r(m.bytes.data(), body.body_start, body.body_end);
  uint32_t groups = 0;
  if (!r.u32(&groups)) return std::nullopt;
  uint64_t total = 0;
  for (uint32_t i = 0; i < groups; ++i) {
    uint32_t count = 0;
    uint8_t type = 0;
    if (!r.u32(&count) || !r.u8(&type)) return std::nullopt;
    total += count;
  }
  return total;
}

Result<void> check_functions(const Module& m, const WasmLimits& limits, VmVersion version) {
  const size_t defined = m.bodies.size();
  if (defined > limits.max_functions)
    return validation_error("Wasm contract contains more than " +
                            std::to_string(limits.max_functions) + " functions");
  // Params and results count over every type of the type section, used or not.
  size_t max_params = 0, max_results = 0;
  for (const FuncType& t : m.types) {
    max_params = std::max(max_params, t.params.size());
    max_results = std::max(max_results, t.results.size());
  }
  if (max_params > limits.max_function_params)
    return validation_error("Wasm contract contains function with more than " +
                            std::to_string(limits.max_function_params) + " parameters");
  if (max_results > limits.max_function_results)
    return validation_error("Wasm contract contains function with more than " +
                            std::to_string(limits.max_function_results) + " results");
  uint64_t total_params = 0;
  for (size_t i = 0; i < defined; ++i)
    total_params += m.func_type(m.num_imported_funcs + static_cast<uint32_t>(i)).params.size();
  if (total_params > limits.max_total_function_params)
    return validation_error("Wasm contract contains more than " +
                            std::to_string(limits.max_total_function_params) +
                            " function parameters in total");
  if (!checks_function_locals(version)) return {};
  // cosmwasm-vm reports the largest count, then the total (its own wording).
  uint64_t max_locals = 0, total_locals = 0;
  size_t max_at = 0;
  for (const FunctionBody& body : m.bodies) {
    const uint64_t locals = declared_locals(m, body).value_or(0);
    if (locals > max_locals) {
      max_locals = locals;
      max_at = body.body_start;
    }
    total_locals += locals;
  }
  if (max_locals > limits.max_function_locals)
    return validation_error("Wasm contract contains function with more than " +
                                std::to_string(limits.max_function_locals) +
                                " locals: " + std::to_string(max_locals),
                            ErrorKind::Invalid, max_at);
  if (total_locals > limits.max_total_function_locals)
    return validation_error("Wasm contract contains more than " +
                            std::to_string(limits.max_total_function_locals) +
                            " function locals in total: " + std::to_string(total_locals));
  return {};
}

// ---- function bodies: validation and the gatekeeper --------------------------------

// cosmwasm-vm validates bodies with bulk memory off, so a bulk-memory operator
// stops validation where it stands; reference-types operators are valid (the
// proposal is on, since Rust 1.82 emits its call_indirect encoding) but the
// gatekeeper rejects them when the module is compiled, after validation.
// Everything else wvm decodes (MVP, floats, sign extension, saturating
// truncation, multi-value) is allowed.
bool is_bulk_memory_op(Opcode op) {
  switch (op) {
    case Opcode::MemoryInit:
    case Opcode::DataDrop:
    case Opcode::MemoryCopy:
    case Opcode::MemoryFill:
    case Opcode::TableInit:
    case Opcode::ElemDrop:
    case Opcode::TableCopy: return true;
    default: return false;
  }
}

bool is_reference_types_op(Opcode op) {
  switch (op) {
    case Opcode::RefNull:
    case Opcode::RefIsNull:
    case Opcode::RefFunc:
    case Opcode::SelectT:
    case Opcode::TableGet:
    case Opcode::TableSet:
    case Opcode::TableGrow:
    case Opcode::TableSize:
    case Opcode::TableFill: return true;
    default: return false;
  }
}

// Sees every operator, reachable or not, as the gatekeeper does.
struct OperatorGate : ValidateOnly {
  struct Found {
    Opcode op;
    uint32_t func_index;
    size_t offset;
  };
  std::optional<Found> bulk_memory;      // stops this body's validation
  std::optional<Found> reference_types;  // the first in the module, reported after validation

  bool ok() const { return !bulk_memory; }
  template <class D>
  void on_opcode(D& d, Opcode op, bool /*reachable*/) {
    if (is_bulk_memory_op(op)) {
      if (!bulk_memory) bulk_memory = Found{op, d.func_index(), d.op_offset()};
    } else if (is_reference_types_op(op) && !reference_types) {
      reference_types = Found{op, d.func_index(), d.op_offset()};
    }
  }
};

// The gatekeeper's text; cosmwasm-vm names the operator in wasmparser's
// Debug form, wvm by its text-format name.
Error reference_types_error(const OperatorGate::Found& f) {
  return validation_error("Reference type operation detected: " +
                              std::string(op_info(f.op).name) +
                              ". Reference types are not supported.",
                          ErrorKind::Unsupported, f.offset);
}

Result<void> check_bodies(const Module& m) {
  static const ModuleLimits kLimits{};
  OperatorGate gate;
  for (uint32_t i = 0; i < m.bodies.size(); ++i) {
    FunctionDecoder<OperatorGate> decoder(m, kLimits, m.num_imported_funcs + i, gate);
    Result<void> r = decoder.decode();
    // wasmparser's validator, with bulk memory off, stops at the operator.
    if (gate.bulk_memory)
      return deserialization_error(validation_error("bulk memory support is not enabled",
                                                    ErrorKind::Unsupported,
                                                    gate.bulk_memory->offset));
    if (!r) return deserialization_error(r.error());
  }
  if (gate.reference_types) return reference_types_error(*gate.reference_types);
  return {};
}

}  // namespace

Result<void> check_wasm(const std::vector<uint8_t>& wasm, const AnalysisConfig& config) {
  Result<Parsed> parsed = parse(wasm);
  if (!parsed) return parsed.error();
  const Module& m = *parsed->module;
  const WasmLimits& limits = config.limits;
  if (Result<void> r = check_tables(m, limits); !r) return r;
  if (Result<void> r = check_memories(m, limits); !r) return r;
  if (Result<void> r = check_interface_version(m); !r) return r;
  if (Result<void> r = check_exports(m); !r) return r;
  if (Result<void> r = check_imports(m, limits); !r) return r;
  if (Result<void> r = check_capabilities(m, config); !r) return r;
  if (Result<void> r = check_functions(m, limits, config.version); !r) return r;
  return check_bodies(m);
}

Result<AnalysisReport> analyze(const std::vector<uint8_t>& wasm) {
  Result<Parsed> parsed = parse(wasm);
  if (!parsed) return parsed.error();
  const Module& m = *parsed->module;
  const std::set<std::string> functions = exported_functions(m);
  AnalysisReport report;
  for (std::string_view e : kEntryPoints)
    if (functions.count(std::string(e))) report.entrypoints.insert(std::string(e));
  report.has_ibc_entry_points =
      std::all_of(kIbcEntryPoints.begin(), kIbcEntryPoints.end(),
                  [&](std::string_view e) { return functions.count(std::string(e)) != 0; });
  report.required_capabilities = required_capabilities(m);
  report.contract_migrate_version = parsed->migrate_version;
  return report;
}

}  // namespace wvm::cosmwasm
