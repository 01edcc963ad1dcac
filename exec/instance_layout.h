// The runtime data block of an instance ("vmctx"): everything code reaches at
// run time sits at a fixed offset from one base pointer, which the
// interpreter keeps in a register and tier-1 code will pin in one.
//
//   offset  field
//   +0      uint8_t*  memory_base   memory 0's first byte (never moves; nullptr without memory)
//   +8      Memory*   memory        memory 0 (its current size is Memory::size_bytes())
//   +16     Instance* instance      the owning instance (segments, host calls)
//   +24     uint32_t  num_funcs, num_tables, num_globals, (padding)
//   +40     Func*     funcs[num_funcs]         imported first, as the index space
//   ...     Table*    tables[num_tables]       table i: its elements at Table::data()
//   ...     Global*   globals[num_globals]     global i's value: Global::bits
//
// The offsets of the three arrays depend only on the module, so they are
// computed once per module (InstanceLayout) and tier-0 code carries byte
// offsets into this block as immediates: one add, one load per access.
#pragma once

#include <cstddef>
#include <cstdint>

#include "wvm/wvm.h"

namespace wvm {

struct InstanceData {
  uint8_t* memory_base;
  Memory* memory;
  Instance* instance;
  uint32_t num_funcs;
  uint32_t num_tables;
  uint32_t num_globals;
  uint32_t padding;

  template <class T>
  T& at(uint32_t byte_offset) noexcept {
    return *reinterpret_cast<T*>(reinterpret_cast<uint8_t*>(this) + byte_offset);
  }
};
static_assert(offsetof(InstanceData, memory_base) == 0);
static_assert(offsetof(InstanceData, memory) == 8);
static_assert(offsetof(InstanceData, instance) == 16);
static_assert(sizeof(InstanceData) == 40);

/// Byte offsets of the arrays of InstanceData for one module.
struct InstanceLayout {
  uint32_t funcs_offset;
  uint32_t tables_offset;
  uint32_t globals_offset;
  uint32_t size;

  static InstanceLayout of(const Module& m) noexcept {
    InstanceLayout l;
    l.funcs_offset = sizeof(InstanceData);
    l.tables_offset = l.funcs_offset + 8 * m.num_funcs();
    l.globals_offset = l.tables_offset + 8 * static_cast<uint32_t>(m.tables.size());
    l.size = l.globals_offset + 8 * static_cast<uint32_t>(m.globals.size());
    return l;
  }
  uint32_t func(uint32_t i) const noexcept { return funcs_offset + 8 * i; }
  uint32_t table(uint32_t i) const noexcept { return tables_offset + 8 * i; }
  uint32_t global(uint32_t i) const noexcept { return globals_offset + 8 * i; }
};

}  // namespace wvm
