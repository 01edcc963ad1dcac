// A module recursing to a given depth, directly or through a host import.
#pragma once

#include "tests/unit/builder.h"

namespace wvm::test {

/// Imports "env"."reenter" (i32) -> i32 and exports, both (i32) -> i32:
/// rec(n) = n through n + 1 nested wasm frames, and via_host(n) =
/// reenter(n - 1) + 1 (0 for n = 0): n + 1 wasm frames and n host frames
/// when the import calls via_host again.
inline ModuleBuilder recursion_module() {
  ModuleBuilder m;
  auto t = m.add_type({I32}, {I32});
  const uint32_t host = m.add_import_func("env", "reenter", t);
  auto body = [](uint32_t callee) {
    return Code()
        .local_get(0).op(Opcode::I32Eqz)
        .if_(I32)
        .i32_const(0)
        .else_()
        .local_get(0).i32_const(1).op(Opcode::I32Sub).call(callee)
        .i32_const(1).op(Opcode::I32Add)
        .end();
  };
  m.export_func("rec", m.add_func(t, {}, body(host + 1)));
  m.export_func("via_host", m.add_func(t, {}, body(host)));
  return m;
}

}  // namespace wvm::test
