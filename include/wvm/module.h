// The decoded, validated module model. A Module is immutable once compiled
// and may be shared by any number of instances and threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wvm/config.h"
#include "wvm/types.h"

namespace wvm {

class Engine;
class TypeRegistry;  // engine/type_registry.h
struct FuncCode;      // tier-0 prepared code, defined in tier0-interp/
class MemoryImage;   // copy-on-write initial memory, defined in memory/

/// The kind of an import or export, encoded as in the binary format.
enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3 };

/// "func", "table", "memory" or "global".
const char* extern_kind_name(ExternKind kind) noexcept;

/// Minimum and optional maximum of a table (elements) or memory (pages).
struct SizeLimits {
  uint64_t min = 0;
  uint64_t max = 0;
  bool has_max = false;
};

/// A table's element type and limits.
struct TableType {
  ValType elem = ValType::FuncRef;
  SizeLimits limits;
};

/// A memory's limits, in 64 KiB pages.
struct MemoryType {
  SizeLimits limits;
};

/// A global's value type and mutability.
struct GlobalType {
  ValType type = ValType::I32;
  bool mut = false;
};

/// A constant expression as Wasm 2.0 allows them: one instruction then `end`.
struct ConstExpr {
  enum class Kind : uint8_t { Value, GlobalGet, RefNull, RefFunc };
  Kind kind = Kind::Value;
  Value value;          ///< for Value (the constant) and RefNull (its type)
  uint32_t index = 0;   ///< global index for GlobalGet, function index for RefFunc
};

/// One import: where it comes from and what it must be.
struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t func_type = 0;  ///< type index, for functions
  TableType table;
  MemoryType memory;
  GlobalType global;
};

/// One export.
struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
};

/// A defined global with its initializer.
struct GlobalDef {
  GlobalType type;
  ConstExpr init;
};

/// Active segments are applied at instantiation, passive ones by
/// table.init/memory.init, declarative ones only declare ref.func targets.
enum class SegmentMode : uint8_t { Active, Passive, Declarative };

/// One item of an element segment: a ref.null (of the segment's type), a
/// ref.func or a global.get of an imported immutable global, the only
/// constant expressions an item can be. Items are resolved against an
/// instance when they are copied into a table, never stored per instance.
struct ElemItem {
  uint32_t index = 0;  ///< function index (RefFunc) or global index (GlobalGet)
  ConstExpr::Kind kind = ConstExpr::Kind::RefNull;
};
static_assert(sizeof(ElemItem) == 8);

/// An element segment. It is small whatever it holds: its items live in
/// Module::elem_items and an active segment's offset in Module::elem_offsets,
/// so a module of many tiny segments costs memory in proportion to its size.
struct ElemSegment {
  SegmentMode mode = SegmentMode::Passive;
  ValType type = ValType::FuncRef;
  uint32_t table = 0;
  uint32_t first_item = 0;        ///< index of its first item in Module::elem_items
  uint32_t num_items = 0;
  uint32_t offset_expr = 0;       ///< active segments: index in Module::elem_offsets
};
static_assert(sizeof(ElemSegment) == 20);

/// A data segment; its bytes live in Module::bytes.
struct DataSegment {
  SegmentMode mode = SegmentMode::Passive;
  uint32_t memory = 0;
  ConstExpr offset;               ///< for active segments
  uint32_t data_start = 0;        ///< offset of the bytes in Module::bytes
  uint32_t data_size = 0;
};

/// A custom section: its name, and its contents in Module::bytes.
struct CustomSection {
  std::string name;
  uint32_t data_start = 0;
  uint32_t data_size = 0;
};

/// A function's name from the custom "name" section; its UTF-8 bytes live in
/// Module::bytes.
struct FuncName {
  uint32_t func_index = 0;
  uint32_t name_start = 0;
  uint32_t name_size = 0;
};

/// A defined function's body: [body_start, body_end) in Module::bytes covers
/// the local declarations and the instructions up to and including `end`.
struct FunctionBody {
  uint32_t body_start = 0;
  uint32_t body_end = 0;
};

/// A decoded module. Index spaces (functions, tables, memories, globals) hold
/// the imports first, then the module's own definitions, as in the spec.
class Module {
 public:
  std::vector<uint8_t> bytes;                ///< the binary, owned
  std::vector<FuncType> types;
  std::vector<uint32_t> type_ids;            ///< engine-wide canonical id per type
  std::shared_ptr<TypeRegistry> type_registry;  ///< holds type_ids' references until ~Module
  std::vector<Import> imports;
  std::vector<uint32_t> func_types;          ///< type index of every function
  std::vector<TableType> tables;
  std::vector<MemoryType> memories;
  std::vector<GlobalType> globals;           ///< every global's type
  std::vector<GlobalDef> global_defs;        ///< defined globals only
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  std::vector<ElemSegment> elems;
  std::vector<ElemItem> elem_items;          ///< items of every element segment, in order
  std::vector<ConstExpr> elem_offsets;       ///< offsets of the active element segments
  std::vector<DataSegment> datas;
  std::optional<uint32_t> data_count;
  std::vector<FunctionBody> bodies;          ///< defined functions only
  std::vector<uint8_t> declared_refs;        ///< per function: may be named by ref.func
  std::vector<CustomSection> customs;        ///< the first 256, in order of appearance
  /// Function names from the "name" section (subsection 1), ascending by
  /// index; empty when it is absent or malformed (custom sections never make
  /// a module invalid, so a bad one is ignored).
  std::vector<FuncName> func_names;
  /// Offset in `bytes` of the code section's contents (its function count),
  /// the base of code-relative offsets; 0 if the module has no code section.
  uint32_t code_section_start = 0;
  uint32_t num_imported_funcs = 0;
  uint32_t num_imported_tables = 0;
  uint32_t num_imported_memories = 0;
  uint32_t num_imported_globals = 0;

  /// The bounds-check strategy its code was prepared for (the engine's).
  BoundsStrategy bounds = BoundsStrategy::GuardPages;
  /// The metering its code was prepared with (the engine's).
  MeteringConfig metering;
  /// The initial memory contents as a copy-on-write image, if it has one.
  std::unique_ptr<MemoryImage> memory_image;
  /// Tier-0 code of each defined function, filled in by compile().
  std::vector<std::unique_ptr<FuncCode>> code;

  Module();
  ~Module();
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  uint32_t num_funcs() const noexcept { return static_cast<uint32_t>(func_types.size()); }
  const FuncType& func_type(uint32_t func_index) const { return types[func_types[func_index]]; }
  /// The items of element segment `seg`: num_items of them.
  const ElemItem* items_of(const ElemSegment& seg) const noexcept {
    return elem_items.data() + seg.first_item;
  }
  /// The offset expression of active element segment `seg`.
  const ConstExpr& offset_of(const ElemSegment& seg) const noexcept {
    return elem_offsets[seg.offset_expr];
  }
  /// The export named `name`, or nullptr.
  const Export* find_export(const std::string& name) const noexcept;
  /// Function `func_index`'s name from the "name" section, or empty.
  std::string_view func_name(uint32_t func_index) const noexcept;
};

}  // namespace wvm
