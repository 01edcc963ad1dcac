// Out-of-line instance operations shared by every tier (the interpreter calls
// them directly; tier-1 code will call them as slow paths) and by
// instantiation. Bounds are checked in 64-bit arithmetic, before any write,
// as the spec requires (a zero-length access past the end still traps).
#pragma once

#include <cstdint>

#include "wvm/wvm.h"

namespace wvm {

struct ExecContext;

TrapKind memory_init(Instance& inst, uint32_t seg, uint32_t dst, uint32_t src, uint32_t n) noexcept;
TrapKind memory_copy(Memory& mem, uint32_t dst, uint32_t src, uint32_t n) noexcept;
TrapKind memory_fill(Memory& mem, uint32_t dst, uint32_t value, uint32_t n) noexcept;
TrapKind table_init(Instance& inst, uint32_t seg, uint32_t table, uint32_t dst, uint32_t src,
                    uint32_t n) noexcept;
TrapKind table_copy(Table& dst_table, Table& src_table, uint32_t dst, uint32_t src,
                    uint32_t n) noexcept;
TrapKind table_fill(Table& table, uint32_t dst, uint64_t ref, uint32_t n) noexcept;
void data_drop(Instance& inst, uint32_t seg) noexcept;

/// Calls host function `host` for wasm code of either tier: its arguments are
/// the raw slots at `args`, where its results go. Typed argument and result
/// arrays are built on the value stack above the arguments, and nested calls
/// from the host start above them, so re-entry cannot clobber them. Counts a
/// frame in the call depth. Returns the host's trap, or None.
TrapKind call_host(ExecContext& ctx, Func* host, uint64_t* args, Instance* caller) noexcept;
void elem_drop(Instance& inst, uint32_t seg) noexcept;

}  // namespace wvm
