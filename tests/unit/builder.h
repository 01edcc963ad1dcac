// A small DSL that writes binary WebAssembly modules for tests, in the spirit
// of evmone's bytecode.hpp:
//
//   ModuleBuilder m;
//   auto t = m.add_type({I32, I32}, {I32});
//   auto f = m.add_func(t, {}, Code().local_get(0).local_get(1).op(Opcode::I32Add));
//   m.export_func("add", f);
//   std::vector<uint8_t> bytes = m.build();
//
// Function bodies and constant expressions are written without their final
// `end`; the builder appends it (use `raw_body` for a body taken as is).
// Everything is emitted exactly as asked, so invalid modules are easy to write.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "module/opcodes.h"
#include "wvm/module.h"
#include "wvm/types.h"

namespace wvm::test {

inline constexpr ValType I32 = ValType::I32;
inline constexpr ValType I64 = ValType::I64;
inline constexpr ValType F32 = ValType::F32;
inline constexpr ValType F64 = ValType::F64;
inline constexpr ValType FuncRef = ValType::FuncRef;
inline constexpr ValType ExternRef = ValType::ExternRef;

using Bytes = std::vector<uint8_t>;

inline void put_u32(Bytes& out, uint64_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    if (v != 0) b |= 0x80;
    out.push_back(b);
  } while (v != 0);
}

inline void put_s64(Bytes& out, int64_t v) {
  for (;;) {
    uint8_t b = v & 0x7f;
    v >>= 7;  // arithmetic shift
    const bool done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
    if (!done) b |= 0x80;
    out.push_back(b);
    if (done) return;
  }
}

inline void put_name(Bytes& out, std::string_view s) {
  put_u32(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

/// The type of a block, loop or if: empty, one value type, or a type index.
struct BlockType {
  enum class Kind : uint8_t { Empty, Value, Index } kind = Kind::Empty;
  ValType value = ValType::I32;
  uint32_t index = 0;

  static BlockType empty() { return {}; }
  static BlockType val(ValType t) { return {Kind::Value, t, 0}; }
  static BlockType type(uint32_t type_index) { return {Kind::Index, ValType::I32, type_index}; }
  BlockType() = default;
  BlockType(ValType t) : kind(Kind::Value), value(t) {}  // NOLINT: implicit on purpose

 private:
  BlockType(Kind k, ValType v, uint32_t i) : kind(k), value(v), index(i) {}
};

/// An instruction sequence. Every method appends and returns *this.
class Code {
 public:
  Code() = default;

  const Bytes& bytes() const { return bytes_; }
  size_t size() const { return bytes_.size(); }

  /// Any opcode by name: its prefix and code, no immediates.
  Code& op(Opcode o) {
    const OpInfo& info = op_info(o);
    if (info.prefix != 0) {
      bytes_.push_back(info.prefix);
      put_u32(bytes_, info.code);
    } else {
      bytes_.push_back(info.code);
    }
    return *this;
  }
  Code& raw(std::initializer_list<uint8_t> b) {
    bytes_.insert(bytes_.end(), b.begin(), b.end());
    return *this;
  }
  Code& raw(const Bytes& b) {
    bytes_.insert(bytes_.end(), b.begin(), b.end());
    return *this;
  }
  Code& append(const Code& other) { return raw(other.bytes_); }
  Code& u32(uint32_t v) {
    put_u32(bytes_, v);
    return *this;
  }

  // Constants.
  Code& i32_const(int32_t v) {
    op(Opcode::I32Const);
    put_s64(bytes_, v);
    return *this;
  }
  Code& i64_const(int64_t v) {
    op(Opcode::I64Const);
    put_s64(bytes_, v);
    return *this;
  }
  Code& f32_const_bits(uint32_t bits) {
    op(Opcode::F32Const);
    for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<uint8_t>(bits >> (8 * i)));
    return *this;
  }
  Code& f32_const(float v) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    return f32_const_bits(b);
  }
  Code& f64_const_bits(uint64_t bits) {
    op(Opcode::F64Const);
    for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<uint8_t>(bits >> (8 * i)));
    return *this;
  }
  Code& f64_const(double v) {
    uint64_t b;
    std::memcpy(&b, &v, 8);
    return f64_const_bits(b);
  }

  // Control.
  Code& unreachable() { return op(Opcode::Unreachable); }
  Code& nop() { return op(Opcode::Nop); }
  Code& block(BlockType bt = {}) { return op(Opcode::Block).block_type(bt); }
  Code& loop(BlockType bt = {}) { return op(Opcode::Loop).block_type(bt); }
  Code& if_(BlockType bt = {}) { return op(Opcode::If).block_type(bt); }
  Code& else_() { return op(Opcode::Else); }
  Code& end() { return op(Opcode::End); }
  Code& br(uint32_t depth) { return op(Opcode::Br).u32(depth); }
  Code& br_if(uint32_t depth) { return op(Opcode::BrIf).u32(depth); }
  Code& br_table(const std::vector<uint32_t>& targets, uint32_t default_depth) {
    op(Opcode::BrTable).u32(static_cast<uint32_t>(targets.size()));
    for (uint32_t t : targets) u32(t);
    return u32(default_depth);
  }
  Code& return_() { return op(Opcode::Return); }
  Code& call(uint32_t func_index) { return op(Opcode::Call).u32(func_index); }
  Code& call_indirect(uint32_t type_index, uint32_t table_index = 0) {
    return op(Opcode::CallIndirect).u32(type_index).u32(table_index);
  }

  // Parametric.
  Code& drop() { return op(Opcode::Drop); }
  Code& select() { return op(Opcode::Select); }
  Code& select_t(ValType t) {
    op(Opcode::SelectT).u32(1);
    bytes_.push_back(static_cast<uint8_t>(t));
    return *this;
  }

  // Variables.
  Code& local_get(uint32_t i) { return op(Opcode::LocalGet).u32(i); }
  Code& local_set(uint32_t i) { return op(Opcode::LocalSet).u32(i); }
  Code& local_tee(uint32_t i) { return op(Opcode::LocalTee).u32(i); }
  Code& global_get(uint32_t i) { return op(Opcode::GlobalGet).u32(i); }
  Code& global_set(uint32_t i) { return op(Opcode::GlobalSet).u32(i); }

  // Memory. `align` is log2 of the alignment, as encoded.
  Code& load(Opcode o, uint32_t align, uint32_t offset = 0) {
    return op(o).u32(align).u32(offset);
  }
  Code& store(Opcode o, uint32_t align, uint32_t offset = 0) {
    return op(o).u32(align).u32(offset);
  }
  /// A load or store with its natural alignment.
  Code& mem(Opcode o, uint32_t offset = 0) { return op(o).u32(op_info(o).max_align).u32(offset); }
  Code& memory_size() { return op(Opcode::MemorySize).u32(0); }
  Code& memory_grow() { return op(Opcode::MemoryGrow).u32(0); }
  Code& memory_init(uint32_t data_index) { return op(Opcode::MemoryInit).u32(data_index).u32(0); }
  Code& data_drop(uint32_t data_index) { return op(Opcode::DataDrop).u32(data_index); }
  Code& memory_copy() { return op(Opcode::MemoryCopy).u32(0).u32(0); }
  Code& memory_fill() { return op(Opcode::MemoryFill).u32(0); }

  // Tables and references.
  Code& table_get(uint32_t t = 0) { return op(Opcode::TableGet).u32(t); }
  Code& table_set(uint32_t t = 0) { return op(Opcode::TableSet).u32(t); }
  Code& table_init(uint32_t elem_index, uint32_t t = 0) {
    return op(Opcode::TableInit).u32(elem_index).u32(t);
  }
  Code& elem_drop(uint32_t elem_index) { return op(Opcode::ElemDrop).u32(elem_index); }
  Code& table_copy(uint32_t dst = 0, uint32_t src = 0) {
    return op(Opcode::TableCopy).u32(dst).u32(src);
  }
  Code& table_grow(uint32_t t = 0) { return op(Opcode::TableGrow).u32(t); }
  Code& table_size(uint32_t t = 0) { return op(Opcode::TableSize).u32(t); }
  Code& table_fill(uint32_t t = 0) { return op(Opcode::TableFill).u32(t); }
  Code& ref_null(ValType t) {
    op(Opcode::RefNull);
    bytes_.push_back(static_cast<uint8_t>(t));
    return *this;
  }
  Code& ref_is_null() { return op(Opcode::RefIsNull); }
  Code& ref_func(uint32_t func_index) { return op(Opcode::RefFunc).u32(func_index); }

 private:
  Code& block_type(const BlockType& bt) {
    switch (bt.kind) {
      case BlockType::Kind::Empty: bytes_.push_back(0x40); break;
      case BlockType::Kind::Value: bytes_.push_back(static_cast<uint8_t>(bt.value)); break;
      case BlockType::Kind::Index: put_s64(bytes_, bt.index); break;
    }
    return *this;
  }

  Bytes bytes_;
};

/// Writes a whole module. Imports must be added before the definitions of the
/// same kind so the returned indices stay right (the builder checks this).
class ModuleBuilder {
 public:
  struct Limits {
    uint32_t min = 0;
    std::optional<uint32_t> max;
  };

  uint32_t add_type(std::vector<ValType> params, std::vector<ValType> results) {
    types_.push_back({std::move(params), std::move(results)});
    return static_cast<uint32_t>(types_.size() - 1);
  }
  /// The index of an equal type, adding it if there is none.
  uint32_t type(std::vector<ValType> params, std::vector<ValType> results) {
    FuncType t{std::move(params), std::move(results)};
    for (size_t i = 0; i < types_.size(); ++i)
      if (types_[i] == t) return static_cast<uint32_t>(i);
    types_.push_back(std::move(t));
    return static_cast<uint32_t>(types_.size() - 1);
  }

  // Imports; each returns the index in its index space.
  uint32_t add_import_func(std::string module, std::string name, uint32_t type_index) {
    check_import_order(funcs_.empty());
    Bytes desc{0x00};
    put_u32(desc, type_index);
    add_import(std::move(module), std::move(name), std::move(desc));
    return num_imported_funcs_++;
  }
  uint32_t add_import_memory(std::string module, std::string name, uint32_t min,
                             std::optional<uint32_t> max = std::nullopt) {
    check_import_order(memories_.empty());
    Bytes desc{0x02};
    put_limits(desc, {min, max});
    add_import(std::move(module), std::move(name), std::move(desc));
    return num_imported_memories_++;
  }
  uint32_t add_import_table(std::string module, std::string name, ValType elem, uint32_t min,
                            std::optional<uint32_t> max = std::nullopt) {
    check_import_order(tables_.empty());
    Bytes desc{0x01, static_cast<uint8_t>(elem)};
    put_limits(desc, {min, max});
    add_import(std::move(module), std::move(name), std::move(desc));
    return num_imported_tables_++;
  }
  uint32_t add_import_global(std::string module, std::string name, ValType t, bool mut) {
    check_import_order(globals_.empty());
    Bytes desc{0x03, static_cast<uint8_t>(t), static_cast<uint8_t>(mut ? 1 : 0)};
    add_import(std::move(module), std::move(name), std::move(desc));
    return num_imported_globals_++;
  }

  /// A defined function; `code` without the final `end`.
  uint32_t add_func(uint32_t type_index, std::vector<ValType> locals, const Code& code) {
    Bytes body;
    // Compress the locals into runs of one type.
    std::vector<std::pair<uint32_t, ValType>> runs;
    for (ValType t : locals) {
      if (!runs.empty() && runs.back().second == t)
        ++runs.back().first;
      else
        runs.push_back({1, t});
    }
    put_u32(body, runs.size());
    for (auto& [n, t] : runs) {
      put_u32(body, n);
      body.push_back(static_cast<uint8_t>(t));
    }
    body.insert(body.end(), code.bytes().begin(), code.bytes().end());
    body.push_back(0x0b);
    return add_raw_func(type_index, std::move(body));
  }
  /// A defined function whose body (local declarations and instructions,
  /// including the final `end`) is given byte for byte.
  uint32_t add_raw_func(uint32_t type_index, Bytes body) {
    funcs_.push_back({type_index, std::move(body)});
    return num_imported_funcs_ + static_cast<uint32_t>(funcs_.size() - 1);
  }

  uint32_t add_memory(uint32_t min, std::optional<uint32_t> max = std::nullopt) {
    memories_.push_back({min, max});
    return num_imported_memories_ + static_cast<uint32_t>(memories_.size() - 1);
  }
  uint32_t add_table(ValType elem, uint32_t min, std::optional<uint32_t> max = std::nullopt) {
    tables_.push_back({elem, {min, max}});
    return num_imported_tables_ + static_cast<uint32_t>(tables_.size() - 1);
  }
  /// A defined global; `init` is the constant expression without its `end`.
  uint32_t add_global(ValType t, bool mut, const Code& init) {
    globals_.push_back({t, mut, init.bytes()});
    return num_imported_globals_ + static_cast<uint32_t>(globals_.size() - 1);
  }

  void export_func(std::string name, uint32_t index) { add_export(std::move(name), 0x00, index); }
  void export_table(std::string name, uint32_t index) { add_export(std::move(name), 0x01, index); }
  void export_memory(std::string name, uint32_t index) { add_export(std::move(name), 0x02, index); }
  void export_global(std::string name, uint32_t index) { add_export(std::move(name), 0x03, index); }

  void set_start(uint32_t func_index) { start_ = func_index; }

  /// An active data segment for memory 0 at `offset` (an i32.const).
  uint32_t add_data(uint32_t offset, Bytes bytes) {
    return add_data(Code().i32_const(static_cast<int32_t>(offset)), std::move(bytes));
  }
  /// An active data segment for memory 0 at an offset expression (without `end`).
  uint32_t add_data(const Code& offset, Bytes bytes) {
    Bytes seg{0x00};
    put_expr(seg, offset);
    put_u32(seg, bytes.size());
    seg.insert(seg.end(), bytes.begin(), bytes.end());
    datas_.push_back(std::move(seg));
    return static_cast<uint32_t>(datas_.size() - 1);
  }
  uint32_t add_passive_data(Bytes bytes) {
    Bytes seg{0x01};
    put_u32(seg, bytes.size());
    seg.insert(seg.end(), bytes.begin(), bytes.end());
    datas_.push_back(std::move(seg));
    return static_cast<uint32_t>(datas_.size() - 1);
  }
  /// Whether to write the data count section. By default it is written when
  /// there is at least one data segment.
  void set_data_count(bool emit) { data_count_ = emit; }

  /// An active funcref element segment of function indices at `offset` in `table`.
  uint32_t add_elem(uint32_t table, uint32_t offset, const std::vector<uint32_t>& funcs) {
    Bytes seg;
    if (table == 0) {
      seg.push_back(0x00);
      put_expr(seg, Code().i32_const(static_cast<int32_t>(offset)));
    } else {
      seg.push_back(0x02);
      put_u32(seg, table);
      put_expr(seg, Code().i32_const(static_cast<int32_t>(offset)));
      seg.push_back(0x00);  // elemkind funcref
    }
    put_func_indices(seg, funcs);
    elems_.push_back(std::move(seg));
    return static_cast<uint32_t>(elems_.size() - 1);
  }
  uint32_t add_passive_elem(const std::vector<uint32_t>& funcs) {
    Bytes seg{0x01, 0x00};
    put_func_indices(seg, funcs);
    elems_.push_back(std::move(seg));
    return static_cast<uint32_t>(elems_.size() - 1);
  }
  /// A declarative segment: makes `funcs` valid targets of ref.func.
  uint32_t add_declared_elem(const std::vector<uint32_t>& funcs) {
    Bytes seg{0x03, 0x00};
    put_func_indices(seg, funcs);
    elems_.push_back(std::move(seg));
    return static_cast<uint32_t>(elems_.size() - 1);
  }
  /// An element segment written byte for byte (flags and all).
  uint32_t add_raw_elem(Bytes seg) {
    elems_.push_back(std::move(seg));
    return static_cast<uint32_t>(elems_.size() - 1);
  }

  void add_custom_section(std::string name, Bytes payload) {
    customs_.push_back({std::move(name), std::move(payload)});
  }

  /// [start, end) in the last build() of defined function `defined_index`'s
  /// body (local declarations through the final `end`).
  std::pair<size_t, size_t> body_range(uint32_t defined_index) const {
    return body_ranges_.at(defined_index);
  }

  /// The binary module.
  Bytes build() const {
    Bytes out{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    for (auto& [name, payload] : customs_) {
      Bytes s;
      put_name(s, name);
      s.insert(s.end(), payload.begin(), payload.end());
      put_section(out, 0, s);
    }
    if (!types_.empty()) {
      Bytes s;
      put_u32(s, types_.size());
      for (const FuncType& t : types_) {
        s.push_back(0x60);
        put_u32(s, t.params.size());
        for (ValType v : t.params) s.push_back(static_cast<uint8_t>(v));
        put_u32(s, t.results.size());
        for (ValType v : t.results) s.push_back(static_cast<uint8_t>(v));
      }
      put_section(out, 1, s);
    }
    if (!imports_.empty()) put_vec_section(out, 2, imports_);
    if (!funcs_.empty()) {
      Bytes s;
      put_u32(s, funcs_.size());
      for (auto& f : funcs_) put_u32(s, f.type_index);
      put_section(out, 3, s);
    }
    if (!tables_.empty()) {
      Bytes s;
      put_u32(s, tables_.size());
      for (auto& t : tables_) {
        s.push_back(static_cast<uint8_t>(t.elem));
        put_limits(s, t.limits);
      }
      put_section(out, 4, s);
    }
    if (!memories_.empty()) {
      Bytes s;
      put_u32(s, memories_.size());
      for (auto& m : memories_) put_limits(s, m);
      put_section(out, 5, s);
    }
    if (!globals_.empty()) {
      Bytes s;
      put_u32(s, globals_.size());
      for (auto& g : globals_) {
        s.push_back(static_cast<uint8_t>(g.type));
        s.push_back(g.mut ? 1 : 0);
        s.insert(s.end(), g.init.begin(), g.init.end());
        s.push_back(0x0b);
      }
      put_section(out, 6, s);
    }
    if (!exports_.empty()) put_vec_section(out, 7, exports_);
    if (start_) {
      Bytes s;
      put_u32(s, *start_);
      put_section(out, 8, s);
    }
    if (!elems_.empty()) put_vec_section(out, 9, elems_);
    if (data_count_.value_or(!datas_.empty())) {
      Bytes s;
      put_u32(s, datas_.size());
      put_section(out, 12, s);
    }
    if (!funcs_.empty()) {
      Bytes s;
      put_u32(s, funcs_.size());
      std::vector<std::pair<size_t, size_t>> in_section;
      for (auto& f : funcs_) {
        put_u32(s, f.body.size());
        in_section.push_back({s.size(), s.size() + f.body.size()});
        s.insert(s.end(), f.body.begin(), f.body.end());
      }
      put_section(out, 10, s);
      // The payload ends the output, so it starts s.size() bytes before the end.
      const size_t payload_start = out.size() - s.size();
      body_ranges_.clear();
      for (auto [b, e] : in_section) body_ranges_.push_back({payload_start + b, payload_start + e});
    }
    if (!datas_.empty()) put_vec_section(out, 11, datas_);
    return out;
  }

 private:
  struct FuncDef {
    uint32_t type_index;
    Bytes body;
  };
  struct TableDef {
    ValType elem;
    Limits limits;
  };
  struct GlobalDefinition {
    ValType type;
    bool mut;
    Bytes init;
  };

  static void put_limits(Bytes& out, const Limits& l) {
    out.push_back(l.max ? 0x01 : 0x00);
    put_u32(out, l.min);
    if (l.max) put_u32(out, *l.max);
  }
  static void put_expr(Bytes& out, const Code& c) {
    out.insert(out.end(), c.bytes().begin(), c.bytes().end());
    out.push_back(0x0b);
  }
  static void put_func_indices(Bytes& out, const std::vector<uint32_t>& funcs) {
    put_u32(out, funcs.size());
    for (uint32_t f : funcs) put_u32(out, f);
  }
  static void put_section(Bytes& out, uint8_t id, const Bytes& payload) {
    out.push_back(id);
    put_u32(out, payload.size());
    out.insert(out.end(), payload.begin(), payload.end());
  }
  static void put_vec_section(Bytes& out, uint8_t id, const std::vector<Bytes>& items) {
    Bytes s;
    put_u32(s, items.size());
    for (auto& i : items) s.insert(s.end(), i.begin(), i.end());
    put_section(out, id, s);
  }
  static void check_import_order(bool no_definitions_yet) {
    // Adding an import after a definition of its kind would renumber that
    // definition; a test doing so is wrong, so fail loudly.
    if (!no_definitions_yet) __builtin_trap();
  }
  void add_import(std::string module, std::string name, Bytes desc) {
    Bytes imp;
    put_name(imp, module);
    put_name(imp, name);
    imp.insert(imp.end(), desc.begin(), desc.end());
    imports_.push_back(std::move(imp));
  }
  void add_export(std::string name, uint8_t kind, uint32_t index) {
    Bytes e;
    put_name(e, name);
    e.push_back(kind);
    put_u32(e, index);
    exports_.push_back(std::move(e));
  }

  std::vector<FuncType> types_;
  std::vector<Bytes> imports_;
  std::vector<FuncDef> funcs_;
  std::vector<TableDef> tables_;
  std::vector<Limits> memories_;
  std::vector<GlobalDefinition> globals_;
  std::vector<Bytes> exports_;
  std::optional<uint32_t> start_;
  std::vector<Bytes> elems_;
  std::vector<Bytes> datas_;
  std::optional<bool> data_count_;
  std::vector<std::pair<std::string, Bytes>> customs_;
  mutable std::vector<std::pair<size_t, size_t>> body_ranges_;
  uint32_t num_imported_funcs_ = 0;
  uint32_t num_imported_tables_ = 0;
  uint32_t num_imported_memories_ = 0;
  uint32_t num_imported_globals_ = 0;
};

}  // namespace wvm::test
