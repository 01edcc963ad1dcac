// The module-level binary decoder: header, sections, types, imports, exports,
// segments and constant expressions, with every module-level validation rule
// of Wasm 2.0. Function bodies are only located (module/validator.h reads them).
//
// Error precedence follows the reference interpreter, which decodes the whole
// module before validating it: a Malformed, Unsupported or LimitExceeded error
// stops decoding at once, while the first Invalid error is remembered and
// reported only if the rest of the module decodes. Messages use the spec test
// suite's wording (its runners match expected messages as prefixes).
#include "module/decoder.h"

#include "module/name_section.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "module/name_section.h"
#include "module/opcodes.h"
#include "module/reader.h"

namespace wvm {
namespace {

enum SectionId : uint8_t {
  kCustomSection = 0,
  kTypeSection = 1,
  kImportSection = 2,
  kFunctionSection = 3,
  kTableSection = 4,
  kMemorySection = 5,
  kGlobalSection = 6,
  kExportSection = 7,
  kStartSection = 8,
  kElementSection = 9,
  kCodeSection = 10,
  kDataSection = 11,
  kDataCountSection = 12,
  kTagSection = 13,  // exception handling
};

// Where each known section must appear: data count sits between element and code.
constexpr int section_rank(uint8_t id) {
  switch (id) {
    case kDataCountSection: return 10;
    case kCodeSection: return 11;
    case kDataSection: return 12;
    default: return id;  // type (1) .. element (9)
  }
}

constexpr uint32_t kMaxMemoryPages = 65536;  // 4 GiB of 64 KiB pages
constexpr uint8_t kFuncTypeForm = 0x60;
constexpr uint8_t kEndOpcode = 0x0b;

std::string hex_byte(uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02x", b);
  return buf;
}

std::string count_limit_message(const char* what, uint64_t count, uint64_t limit) {
  return std::string("too many ") + what + ": " + std::to_string(count) + " (limit " +
         std::to_string(limit) + ")";
}

// The later proposal a type-position byte belongs to, or nullptr. Used so that
// modules built for newer engines get Unsupported naming the feature rather
// than a bare "malformed".
const char* proposal_of_ref_type_byte(uint8_t b) {
  switch (b) {
    case 0x63:  // (ref null ht)
    case 0x64:  // (ref ht)
      return "typed function references";
    case 0x69:  // exnref
    case 0x74:  // nullexnref
      return "exception handling (exnref)";
    case 0x6a:  // arrayref
    case 0x6b:  // structref
    case 0x6c:  // i31ref
    case 0x6d:  // eqref
    case 0x6e:  // anyref
    case 0x71:  // nullref
    case 0x72:  // nullexternref
    case 0x73:  // nullfuncref
      return "garbage collection";
    default: return nullptr;
  }
}

bool fail_unsupported(Reader& r, size_t offset, const std::string& feature) {
  return r.fail(ErrorKind::Unsupported, offset, feature + " is not supported");
}

bool read_ref_type(Reader& r, ValType* out) {
  const size_t pos = r.pos();
  uint8_t b = 0;
  if (!r.u8(&b)) return false;
  if (b == static_cast<uint8_t>(ValType::FuncRef) ||
      b == static_cast<uint8_t>(ValType::ExternRef)) {
    *out = static_cast<ValType>(b);
    return true;
  }
  if (const char* feature = proposal_of_ref_type_byte(b)) return fail_unsupported(r, pos, feature);
  return r.fail(ErrorKind::Malformed, pos, "malformed reference type");
}

// Records the first deferred Invalid error.
void note_invalid(std::optional<Error>* sink, size_t offset, std::string message) {
  if (!sink->has_value())
    *sink = Error{ErrorKind::Invalid, offset, std::move(message), TrapKind::None};
}

// Decodes a constant expression. Malformed / Unsupported problems, and
// instructions that are not constant (whose immediates we cannot skip), fail
// the reader; other Invalid problems go to `invalid` and decoding goes on.
// Like the reference interpreter, the expression is read as an instruction
// sequence up to `end` and then must leave exactly one value of `expected`.
bool decode_const_expr_impl(Reader& r, const Module& module, ValType expected,
                            uint32_t num_globals_visible, ConstExpr* out,
                            std::optional<Error>* invalid) {
  const size_t expr_pos = r.pos();
  uint32_t num_values = 0;
  bool type_known = true;  // false after an instruction whose type is unknown
  ValType type = ValType::I32;
  for (;;) {
    const size_t op_pos = r.pos();
    uint8_t op = 0;
    if (!r.u8(&op)) return false;
    if (op == kEndOpcode) break;
    ConstExpr e;
    ValType t = ValType::I32;
    bool known = true;
    switch (op) {
      case 0x41: {  // i32.const
        int32_t v = 0;
        if (!r.s32(&v)) return false;
        e.value = Value::i32(static_cast<uint32_t>(v));
        t = ValType::I32;
        break;
      }
      case 0x42: {  // i64.const
        int64_t v = 0;
        if (!r.s64(&v)) return false;
        e.value = Value::i64(static_cast<uint64_t>(v));
        t = ValType::I64;
        break;
      }
      case 0x43: {  // f32.const
        uint32_t bits = 0;
        if (!r.fixed_u32(&bits)) return false;
        e.value = Value::f32_bits(bits);
        t = ValType::F32;
        break;
      }
      case 0x44: {  // f64.const
        uint64_t bits = 0;
        if (!r.fixed_u64(&bits)) return false;
        e.value = Value::f64_bits(bits);
        t = ValType::F64;
        break;
      }
      case 0xd0: {  // ref.null t
        const size_t ht_pos = r.pos();
        uint8_t ht = 0;
        if (!r.u8(&ht)) return false;
        if (ht == static_cast<uint8_t>(ValType::FuncRef) ||
            ht == static_cast<uint8_t>(ValType::ExternRef)) {
          t = static_cast<ValType>(ht);
        } else if (ht < 0x40) {  // a type index: ref.null of a concrete type
          return fail_unsupported(r, ht_pos, "typed function references");
        } else if (const char* feature = proposal_of_ref_type_byte(ht)) {
          return fail_unsupported(r, ht_pos, feature);
        } else {
          return r.fail(ErrorKind::Malformed, ht_pos, "malformed heap type");
        }
        e.kind = ConstExpr::Kind::RefNull;
        e.value = Value::ref(t, 0);
        break;
      }
      case 0xd2: {  // ref.func x
        const size_t idx_pos = r.pos();
        if (!r.u32(&e.index)) return false;
        if (e.index >= module.num_funcs())
          note_invalid(invalid, idx_pos, "unknown function " + std::to_string(e.index));
        e.kind = ConstExpr::Kind::RefFunc;
        e.value = Value::ref(ValType::FuncRef, 0);
        t = ValType::FuncRef;
        break;
      }
      case 0x23: {  // global.get x: Wasm 2.0 allows imported immutable globals only
        const size_t idx_pos = r.pos();
        if (!r.u32(&e.index)) return false;
        e.kind = ConstExpr::Kind::GlobalGet;
        if (e.index >= num_globals_visible || e.index >= module.globals.size()) {
          note_invalid(invalid, idx_pos, "unknown global " + std::to_string(e.index));
          known = false;
        } else {
          const GlobalType& g = module.globals[e.index];
          if (g.mut) note_invalid(invalid, op_pos, "constant expression required");
          t = g.type;
        }
        break;
      }
      default: {
        if (op == 0xfd) return fail_unsupported(r, op_pos, "SIMD");
        if (op == 0xfb) return fail_unsupported(r, op_pos, "garbage collection");
        if (op == 0xfc || kSingleByteOps[op] != kNoOpcode)
          return r.fail(ErrorKind::Invalid, op_pos, "constant expression required");
        return r.fail(ErrorKind::Malformed, op_pos, "illegal opcode " + hex_byte(op));
      }
    }
    if (num_values == 0) {
      *out = e;
      type = t;
      type_known = known;
    }
    ++num_values;
  }
  if (num_values != 1 || (type_known && type != expected)) {
    if (num_values == 0) *out = ConstExpr{};
    note_invalid(invalid, expr_pos, "type mismatch");
  }
  return true;
}

class ModuleDecoder {
 public:
  ModuleDecoder(const ModuleLimits& limits, Module& module)
      : limits_(limits), m_(module), r_(module.bytes.data(), 0, module.bytes.size()) {}

  Result<void> run() {
    const size_t size = m_.bytes.size();
    if (size > limits_.max_module_bytes || size > std::numeric_limits<uint32_t>::max()) {
      return Error{ErrorKind::LimitExceeded, 0,
                   "module of " + std::to_string(size) + " bytes exceeds the limit of " +
                       std::to_string(limits_.max_module_bytes),
                   TrapKind::None};
    }
    if (!header() || !sections() || !finish()) {
      Error e = r_.error();
      // Past the header every truncation reads as the reference words it.
      if (e.kind == ErrorKind::Malformed && e.offset >= 8 &&
          std::string_view(e.message).starts_with("unexpected end"))
        e.message = "unexpected end of section or function";
      return e;
    }
    if (invalid_) return *invalid_;
    if (name_section_size_ != 0)
      m_.func_names = parse_function_names(m_.bytes.data(), name_section_start_,
                                           name_section_size_, m_.num_funcs());
    return {};
  }

 private:
  // ---- errors -------------------------------------------------------------

  bool malformed(size_t offset, std::string message) {
    return r_.fail(ErrorKind::Malformed, offset, std::move(message));
  }
  bool unsupported(size_t offset, const std::string& feature) {
    return fail_unsupported(r_, offset, feature);
  }
  bool limit_exceeded(size_t offset, std::string message) {
    return r_.fail(ErrorKind::LimitExceeded, offset, std::move(message));
  }
  // Validation errors are remembered; decoding goes on (see the file comment).
  void invalid(size_t offset, std::string message) {
    note_invalid(&invalid_, offset, std::move(message));
  }

  // ---- primitives ---------------------------------------------------------

  // A vector length or byte size. Like the reference interpreter, a length
  // larger than the rest of the module (counted from the length field) is
  // "length out of bounds"; this also keeps every later allocation
  // proportional to the module's size.
  bool length(uint32_t* n) {
    const size_t pos = r_.pos();
    if (!r_.u32(n)) return false;
    if (*n > r_.end() - pos) return malformed(pos, "length out of bounds");
    return true;
  }

  // A vector count that must also stay within a configured limit, given how
  // many items of the kind exist already.
  bool count(uint32_t* n, uint64_t existing, uint64_t limit, const char* what) {
    const size_t pos = r_.pos();
    if (!length(n)) return false;
    if (existing + *n > limit)
      return limit_exceeded(pos, count_limit_message(what, existing + *n, limit));
    return true;
  }

  // Reservations are capped by the bytes left: each item takes at least
  // `min_item_bytes`, so a module cannot make us reserve more than its size
  // allows, whatever count it declares.
  template <class T>
  void reserve(std::vector<T>& v, uint32_t n, size_t min_item_bytes) {
    v.reserve(v.size() + std::min<size_t>(n, r_.remaining() / min_item_bytes));
  }

  bool index(uint32_t* out) { return r_.u32(out); }

  // Limits of a table or memory. The flag byte is read as the reference
  // interpreter reads a 1-bit LEB128, hence its error messages.
  bool limits(bool is_memory, SizeLimits* out) {
    const size_t pos = r_.pos();
    uint8_t flags = 0;
    if (!r_.u8(&flags)) return false;
    if (flags & 0x80) return malformed(pos, "integer representation too long");
    if (flags > 1) {
      if (is_memory && flags == 0x03) return unsupported(pos, "threads (shared memory)");
      if (is_memory && flags >= 0x04 && flags <= 0x07) return unsupported(pos, "memory64");
      if (is_memory && flags >= 0x08 && flags <= 0x0f) return unsupported(pos, "custom page sizes");
      if (!is_memory && (flags == 0x04 || flags == 0x05))
        return unsupported(pos, "memory64 (64-bit tables)");
      return malformed(pos, "integer too large (limits flags 0x" + hex_byte(flags) + ")");
    }
    uint32_t min = 0, max = 0;
    if (!r_.u32(&min)) return false;
    if (flags == 1 && !r_.u32(&max)) return false;
    out->min = min;
    out->max = max;
    out->has_max = flags == 1;
    return true;
  }

  bool table_type(TableType* out) {
    const size_t pos = r_.pos();
    if (!read_ref_type(r_, &out->elem) || !limits(false, &out->limits)) return false;
    const SizeLimits& l = out->limits;
    if (l.has_max && l.min > l.max) {
      invalid(pos, "size minimum must not be greater than maximum");
    } else if (l.min > limits_.max_table_elements) {
      // Only the initial size is limited: growth past the limit fails at run time.
      return limit_exceeded(pos, "table of " + std::to_string(l.min) +
                                     " elements exceeds the limit of " +
                                     std::to_string(limits_.max_table_elements));
    }
    return true;
  }

  bool memory_type(MemoryType* out) {
    const size_t pos = r_.pos();
    if (!limits(true, &out->limits)) return false;
    const SizeLimits& l = out->limits;
    if (l.min > kMaxMemoryPages || (l.has_max && l.max > kMaxMemoryPages)) {
      invalid(pos, "memory size must be at most 65536 pages (4GiB)");
    } else if (l.has_max && l.min > l.max) {
      invalid(pos, "size minimum must not be greater than maximum");
    } else if (l.min > limits_.max_memory_pages) {
      // Only the initial size is limited: growth past the limit fails at run time.
      return limit_exceeded(pos, "memory of " + std::to_string(l.min) +
                                     " pages exceeds the limit of " +
                                     std::to_string(limits_.max_memory_pages));
    }
    return true;
  }

  bool global_type(GlobalType* out) {
    if (!read_val_type(r_, &out->type)) return false;
    const size_t pos = r_.pos();
    uint8_t mut = 0;
    if (!r_.u8(&mut)) return false;
    if (mut > 1) return malformed(pos, "malformed mutability");
    out->mut = mut == 1;
    return true;
  }

  bool const_expr(ValType expected, ConstExpr* out) {
    if (!decode_const_expr_impl(r_, m_, expected, m_.num_imported_globals, out, &invalid_))
      return false;
    if (out->kind == ConstExpr::Kind::RefFunc) declare_ref(out->index);
    return true;
  }

  // Marks a function as possibly named by ref.func in a body (the spec's C.refs).
  void declare_ref(uint32_t func_index) {
    if (func_index >= m_.num_funcs()) return;
    if (m_.declared_refs.size() < m_.num_funcs()) m_.declared_refs.resize(m_.num_funcs(), 0);
    m_.declared_refs[func_index] = 1;
  }

  // Wasm 2.0 allows one memory. A second one makes the module invalid; it is
  // not stored, so a module declaring millions cannot make us allocate them.
  bool add_memory(size_t pos, const MemoryType& mem) {
    if (!m_.memories.empty()) {
      invalid(pos, "multiple memories");
      return true;
    }
    if (limits_.max_memories == 0)
      return limit_exceeded(pos, count_limit_message("memories", 1, limits_.max_memories));
    m_.memories.push_back(mem);
    return true;
  }

  // ---- module structure ---------------------------------------------------

  bool header() {
    const uint8_t* p = nullptr;
    if (!r_.bytes(4, &p)) return false;
    if (p[0] != 0x00 || p[1] != 'a' || p[2] != 's' || p[3] != 'm')
      return malformed(0, "magic header not detected");
    uint32_t version = 0;
    if (!r_.fixed_u32(&version)) return false;  // bytes are little-endian, as is the format
    const uint8_t* v = m_.bytes.data() + 4;
    if (v[0] != 1 || v[1] != 0 || v[2] != 0 || v[3] != 0)
      return malformed(4, "unknown binary version");
    return true;
  }

  bool sections() {
    int last_rank = 0;
    while (!r_.at_end()) {
      const size_t id_pos = r_.pos();
      uint8_t id = 0;
      uint32_t size = 0;
      if (!r_.u8(&id)) return false;
      if (id == kTagSection) return unsupported(id_pos, "exception handling (tag section)");
      if (id > kDataCountSection) return malformed(id_pos, "malformed section id");
      if (!length(&size)) return false;
      const size_t start = r_.pos();
      const size_t end = start + size;
      if (id != kCustomSection) {
        const int rank = section_rank(id);
        if (rank <= last_rank) return malformed(id_pos, "unexpected content after last section");
        last_rank = rank;
      }
      // Contents are read against the module's end, not the section's, as the
      // reference interpreter does; the size is checked afterwards.
      if (!section(id, end)) return false;
      if (r_.pos() != end) return malformed(start, "section size mismatch");
    }
    return true;
  }

  bool section(uint8_t id, size_t end) {
    switch (id) {
      case kCustomSection: return custom_section(end);
      case kTypeSection: return type_section();
      case kImportSection: return import_section();
      case kFunctionSection: return function_section();
      case kTableSection: return table_section();
      case kMemorySection: return memory_section();
      case kGlobalSection: return global_section();
      case kExportSection: return export_section();
      case kStartSection: return start_section();
      case kElementSection: return element_section();
      case kDataCountSection: return data_count_section();
      case kCodeSection: return code_section();
      case kDataSection: return data_section();
    }
    return malformed(r_.pos(), "malformed section id");
  }

  bool custom_section(size_t end) {
    std::string name;
    if (!r_.name(&name, limits_.max_name_bytes)) return false;
    if (r_.pos() > end || end > r_.end()) return malformed(r_.pos(), "unexpected end");
    // Not interpreted; the first ones are kept by name for embedders (e.g.
    // cw_migrate_version), the rest skipped so they cost no memory.
    // The first "name" section is parsed once the function count is known.
    if (name == "name" && name_section_start_ == 0) {
      name_section_start_ = static_cast<uint32_t>(r_.pos());
      name_section_size_ = static_cast<uint32_t>(end - r_.pos());
    }
    constexpr size_t kMaxKeptCustomSections = 256;
    if (m_.customs.size() < kMaxKeptCustomSections) {
      m_.customs.push_back(CustomSection{std::move(name), static_cast<uint32_t>(r_.pos()),
                                         static_cast<uint32_t>(end - r_.pos())});
    }
    r_.seek(end);
    return true;
  }

  bool type_section() {
    uint32_t n = 0;
    if (!count(&n, 0, limits_.max_types, "types")) return false;
    reserve(m_.types, n, 3);
    for (uint32_t i = 0; i < n; ++i) {
      const size_t pos = r_.pos();
      uint8_t form = 0;
      if (!r_.u8(&form)) return false;
      if (form != kFuncTypeForm) {
        if (form & 0x80) return malformed(pos, "integer representation too long");
        if (form == 0x4e || form == 0x4f || form == 0x50 || form == 0x5e || form == 0x5f)
          return unsupported(pos, "garbage collection (type form 0x" + hex_byte(form) + ")");
        return malformed(pos, "malformed function type");
      }
      FuncType type;
      if (!val_types(&type.params, limits_.max_params, "parameters") ||
          !val_types(&type.results, limits_.max_results, "results"))
        return false;
      m_.types.push_back(std::move(type));
    }
    return true;
  }

  bool val_types(std::vector<ValType>* out, uint32_t limit, const char* what) {
    uint32_t n = 0;
    if (!count(&n, 0, limit, what)) return false;
    out->resize(n);  // n is below the limit and below the bytes left
    for (ValType& t : *out)
      if (!read_val_type(r_, &t)) return false;
    return true;
  }

  bool import_section() {
    uint32_t n = 0;
    if (!count(&n, 0, limits_.max_imports, "imports")) return false;
    reserve(m_.imports, n, 4);
    for (uint32_t i = 0; i < n; ++i) {
      Import imp;
      if (!r_.name(&imp.module, limits_.max_name_bytes) ||
          !r_.name(&imp.name, limits_.max_name_bytes))
        return false;
      const size_t kind_pos = r_.pos();
      uint8_t kind = 0;
      if (!r_.u8(&kind)) return false;
      switch (kind) {
        case 0x00: {
          const size_t pos = r_.pos();
          if (!index(&imp.func_type)) return false;
          if (imp.func_type >= m_.types.size())
            invalid(pos, "unknown type " + std::to_string(imp.func_type));
          if (m_.func_types.size() >= limits_.max_functions)
            return limit_exceeded(
                kind_pos,
                count_limit_message("functions", m_.func_types.size() + 1, limits_.max_functions));
          m_.func_types.push_back(imp.func_type);
          ++m_.num_imported_funcs;
          break;
        }
        case 0x01:
          if (!table_type(&imp.table)) return false;
          if (m_.tables.size() >= limits_.max_tables)
            return limit_exceeded(
                kind_pos, count_limit_message("tables", m_.tables.size() + 1, limits_.max_tables));
          m_.tables.push_back(imp.table);
          ++m_.num_imported_tables;
          break;
        case 0x02:
          if (!memory_type(&imp.memory) || !add_memory(kind_pos, imp.memory)) return false;
          m_.num_imported_memories = static_cast<uint32_t>(m_.memories.size());
          break;
        case 0x03:
          if (!global_type(&imp.global)) return false;
          if (m_.globals.size() >= limits_.max_globals)
            return limit_exceeded(kind_pos, count_limit_message("globals", m_.globals.size() + 1,
                                                                limits_.max_globals));
          m_.globals.push_back(imp.global);
          ++m_.num_imported_globals;
          break;
        // 0x04 imports a tag (exception handling); the 2.0 test suite expects
        // it rejected as malformed, so only the message names the feature.
        case 0x04: return malformed(kind_pos, "malformed import kind (tag: exception handling)");
        default: return malformed(kind_pos, "malformed import kind");
      }
      imp.kind = static_cast<ExternKind>(kind);
      m_.imports.push_back(std::move(imp));
    }
    return true;
  }

  bool function_section() {
    uint32_t n = 0;
    if (!count(&n, m_.func_types.size(), limits_.max_functions, "functions")) return false;
    m_.func_types.reserve(m_.func_types.size() + n);  // n is within the limit
    for (uint32_t i = 0; i < n; ++i) {
      const size_t pos = r_.pos();
      uint32_t type_index = 0;
      if (!index(&type_index)) return false;
      if (type_index >= m_.types.size()) invalid(pos, "unknown type " + std::to_string(type_index));
      m_.func_types.push_back(type_index);
    }
    num_defined_funcs_ = n;
    return true;
  }

  bool table_section() {
    uint32_t n = 0;
    if (!count(&n, m_.tables.size(), limits_.max_tables, "tables")) return false;
    reserve(m_.tables, n, 3);
    for (uint32_t i = 0; i < n; ++i) {
      const size_t pos = r_.pos();
      if (r_.remaining() > 0 && m_.bytes[pos] == 0x40)  // a table with an initializer
        return unsupported(pos, "typed function references (table initializer)");
      TableType t;
      if (!table_type(&t)) return false;
      m_.tables.push_back(t);
    }
    return true;
  }

  bool memory_section() {
    uint32_t n = 0;
    if (!length(&n)) return false;
    for (uint32_t i = 0; i < n; ++i) {
      const size_t pos = r_.pos();
      MemoryType mem;
      if (!memory_type(&mem) || !add_memory(pos, mem)) return false;
    }
    return true;
  }

  bool global_section() {
    uint32_t n = 0;
    if (!count(&n, m_.globals.size(), limits_.max_globals, "globals")) return false;
    reserve(m_.globals, n, 3);
    reserve(m_.global_defs, n, 3);
    for (uint32_t i = 0; i < n; ++i) {
      GlobalDef g;
      if (!global_type(&g.type) || !const_expr(g.type.type, &g.init)) return false;
      m_.globals.push_back(g.type);
      m_.global_defs.push_back(g);
    }
    return true;
  }

  bool export_section() {
    uint32_t n = 0;
    if (!count(&n, 0, limits_.max_exports, "exports")) return false;
    reserve(m_.exports, n, 3);
    std::vector<size_t> offsets;
    offsets.reserve(m_.exports.capacity());
    for (uint32_t i = 0; i < n; ++i) {
      const size_t pos = r_.pos();
      Export e;
      if (!r_.name(&e.name, limits_.max_name_bytes)) return false;
      const size_t kind_pos = r_.pos();
      uint8_t kind = 0;
      if (!r_.u8(&kind)) return false;
      if (kind == 0x04)
        return malformed(kind_pos, "malformed export kind (tag: exception handling)");
      if (kind > 0x03) return malformed(kind_pos, "malformed export kind");
      const size_t index_pos = r_.pos();
      if (!index(&e.index)) return false;
      e.kind = static_cast<ExternKind>(kind);
      static constexpr const char* kUnknown[] = {"unknown function ", "unknown table ",
                                                 "unknown memory ", "unknown global "};
      const size_t space[] = {m_.num_funcs(), m_.tables.size(), m_.memories.size(),
                              m_.globals.size()};
      if (e.index >= space[kind]) invalid(index_pos, kUnknown[kind] + std::to_string(e.index));
      if (e.kind == ExternKind::Func) declare_ref(e.index);
      m_.exports.push_back(std::move(e));
      offsets.push_back(pos);
    }
    // Sorting keeps duplicate detection O(n log n) whatever names a module picks.
    std::vector<uint32_t> order(m_.exports.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    auto name_of = [&](uint32_t i) { return std::string_view(m_.exports[i].name); };
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t a, uint32_t b) { return name_of(a) < name_of(b); });
    size_t first_dup = std::numeric_limits<size_t>::max();
    for (size_t i = 1; i < order.size(); ++i)
      if (name_of(order[i]) == name_of(order[i - 1]))
        first_dup = std::min<size_t>(first_dup, order[i]);
    if (first_dup != std::numeric_limits<size_t>::max())
      invalid(offsets[first_dup], "duplicate export name \"" + m_.exports[first_dup].name + "\"");
    return true;
  }

  bool start_section() {
    const size_t pos = r_.pos();
    uint32_t func = 0;
    if (!index(&func)) return false;
    m_.start = func;
    if (func >= m_.num_funcs()) {
      invalid(pos, "unknown function " + std::to_string(func));
    } else if (m_.func_types[func] < m_.types.size()) {
      const FuncType& t = m_.types[m_.func_types[func]];
      if (!t.params.empty() || !t.results.empty())
        invalid(pos, "start function must have type [] -> []");
    }
    return true;
  }

  bool element_section() {
    uint32_t n = 0;
    if (!count(&n, 0, limits_.max_elem_segments, "element segments")) return false;
    reserve(m_.elems, n, 2);
    for (uint32_t i = 0; i < n; ++i) {
      const size_t seg_pos = r_.pos();
      uint32_t flags = 0;
      if (!r_.u32(&flags)) return false;
      if (flags > 7) return malformed(seg_pos, "malformed elements segment kind");
      // Bit 0: passive or declarative; bit 1: explicit table (active) or
      // declarative; bit 2: items are expressions rather than function indices.
      const bool active = (flags & 1) == 0;
      const bool exprs = (flags & 4) != 0;
      ElemSegment seg;
      seg.mode = active ? SegmentMode::Active
                        : ((flags & 2) ? SegmentMode::Declarative : SegmentMode::Passive);
      size_t table_pos = seg_pos;
      if (active && (flags & 2)) {
        table_pos = r_.pos();
        if (!index(&seg.table)) return false;
      }
      if (active) {
        ConstExpr offset;
        if (!const_expr(ValType::I32, &offset)) return false;
        seg.offset_expr = static_cast<uint32_t>(m_.elem_offsets.size());
        m_.elem_offsets.push_back(offset);
      }
      if (flags & 3) {
        if (exprs) {
          if (!read_ref_type(r_, &seg.type)) return false;
        } else {
          const size_t kind_pos = r_.pos();
          uint8_t elem_kind = 0;
          if (!r_.u8(&elem_kind)) return false;
          if (elem_kind != 0x00) return malformed(kind_pos, "malformed element kind");
          seg.type = ValType::FuncRef;
        }
      }
      uint32_t num_items = 0;
      const size_t items_pos = r_.pos();
      if (!length(&num_items)) return false;
      // Bounded over all segments: each item takes far more memory decoded
      // than encoded, so a per-segment cap alone would not bound the total.
      elem_items_total_ += num_items;
      if (elem_items_total_ > limits_.max_table_elements) {
        return limit_exceeded(items_pos,
                              count_limit_message("element segment items", elem_items_total_,
                                                  limits_.max_table_elements));
      }
      // No reserve() per segment: exact reservations for many small segments
      // would copy the items array once per segment; doubling keeps it linear.
      seg.first_item = static_cast<uint32_t>(m_.elem_items.size());
      seg.num_items = num_items;
      for (uint32_t k = 0; k < num_items; ++k) {
        ElemItem item;
        if (exprs) {
          ConstExpr e;
          if (!const_expr(seg.type, &e)) return false;
          // Anything else is a type error const_expr has already reported.
          item.kind = e.kind == ConstExpr::Kind::Value ? ConstExpr::Kind::RefNull : e.kind;
          item.index = e.index;
        } else {
          const size_t pos = r_.pos();
          if (!index(&item.index)) return false;
          item.kind = ConstExpr::Kind::RefFunc;
          if (item.index >= m_.num_funcs())
            invalid(pos, "unknown function " + std::to_string(item.index));
          declare_ref(item.index);
        }
        m_.elem_items.push_back(item);
      }
      if (active) {
        if (seg.table >= m_.tables.size())
          invalid(table_pos, "unknown table " + std::to_string(seg.table));
        else if (m_.tables[seg.table].elem != seg.type)
          invalid(seg_pos, "type mismatch");
      }
      m_.elems.push_back(seg);
    }
    return true;
  }

  bool data_count_section() {
    const size_t pos = r_.pos();
    uint32_t n = 0;
    if (!r_.u32(&n)) return false;
    if (n > limits_.max_data_segments)
      return limit_exceeded(pos,
                            count_limit_message("data segments", n, limits_.max_data_segments));
    m_.data_count = n;
    return true;
  }

  bool code_section() {
    m_.code_section_start = static_cast<uint32_t>(r_.pos());
    uint32_t n = 0;
    if (!count(&n, 0, limits_.max_functions, "function bodies")) return false;
    reserve(m_.bodies, n, 2);
    for (uint32_t i = 0; i < n; ++i) {
      const size_t pos = r_.pos();
      uint32_t size = 0;
      if (!length(&size)) return false;
      if (size > limits_.max_function_bytes) {
        return limit_exceeded(pos, "function body of " + std::to_string(size) +
                                       " bytes exceeds the limit of " +
                                       std::to_string(limits_.max_function_bytes));
      }
      if (size > r_.remaining()) return malformed(r_.pos(), "unexpected end");
      const size_t start = r_.pos();
      m_.bodies.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(start + size)});
      r_.seek(start + size);
    }
    return true;
  }

  bool data_section() {
    uint32_t n = 0;
    if (!count(&n, 0, limits_.max_data_segments, "data segments")) return false;
    reserve(m_.datas, n, 2);
    for (uint32_t i = 0; i < n; ++i) {
      const size_t seg_pos = r_.pos();
      uint32_t flags = 0;
      if (!r_.u32(&flags)) return false;
      if (flags > 2) return malformed(seg_pos, "malformed data segment kind");
      DataSegment seg;
      seg.mode = flags == 1 ? SegmentMode::Passive : SegmentMode::Active;
      if (seg.mode == SegmentMode::Active) {
        const size_t mem_pos = r_.pos();
        if (flags == 2 && !index(&seg.memory)) return false;
        if (seg.memory >= m_.memories.size())
          invalid(mem_pos, "unknown memory " + std::to_string(seg.memory));
        if (!const_expr(ValType::I32, &seg.offset)) return false;
      }
      uint32_t size = 0;
      if (!length(&size)) return false;
      const uint8_t* p = nullptr;
      const size_t start = r_.pos();
      if (!r_.bytes(size, &p)) return false;
      seg.data_start = static_cast<uint32_t>(start);
      seg.data_size = size;
      m_.datas.push_back(seg);
    }
    return true;
  }

  // Checks that need the whole module, in the reference interpreter's order.
  bool finish() {
    const size_t end = m_.bytes.size();
    if (m_.bodies.size() != num_defined_funcs_)
      return malformed(end, "function and code section have inconsistent lengths");
    if (m_.data_count && *m_.data_count != m_.datas.size())
      return malformed(end, "data count and data section have inconsistent lengths");
    m_.declared_refs.resize(m_.num_funcs(), 0);
    return true;
  }

  const ModuleLimits& limits_;
  uint64_t elem_items_total_ = 0;  // over all element segments
  Module& m_;
  Reader r_;
  std::optional<Error> invalid_;
  uint32_t num_defined_funcs_ = 0;
  uint32_t name_section_start_ = 0;  // contents of the first "name" section
  uint32_t name_section_size_ = 0;
};

}  // namespace

bool read_val_type(Reader& r, ValType* out) {
  const size_t pos = r.pos();
  uint8_t b = 0;
  if (!r.u8(&b)) return false;
  switch (b) {
    case 0x7f:
    case 0x7e:
    case 0x7d:
    case 0x7c:
    case 0x70:
    case 0x6f: *out = static_cast<ValType>(b); return true;
    case 0x7b: return fail_unsupported(r, pos, "SIMD (v128)");
    default: break;
  }
  if (const char* feature = proposal_of_ref_type_byte(b)) return fail_unsupported(r, pos, feature);
  return r.fail(ErrorKind::Malformed, pos, "malformed value type");
}

bool decode_const_expr(Reader& r, const Module& module, ValType expected,
                       uint32_t num_globals_visible, ConstExpr* out) {
  std::optional<Error> invalid;
  if (!decode_const_expr_impl(r, module, expected, num_globals_visible, out, &invalid))
    return false;
  if (invalid) return r.fail(invalid->kind, invalid->offset, invalid->message);
  return true;
}

Result<void> decode_module(const ModuleLimits& limits, Module& module) {
  return ModuleDecoder(limits, module).run();
}

}  // namespace wvm
