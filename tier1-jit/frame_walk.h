// Walking compiled frames on the native stack, for traces (tier1-jit/abi.h).
// Everything here is inline and calls nothing: it runs where a trap landed,
// before anything else reuses the stack the dead frames are on.
#pragma once

#include <cstdint>

#include "exec/exec_context.h"

namespace wvm::jit {

/// The innermost compiled frame that called C++ (ctx.jit_exit) and the
/// return address of that call.
inline __attribute__((always_inline)) void exit_frame(const ExecContext& ctx, uintptr_t* frame,
                                                      uintptr_t* pc) noexcept {
  *frame = ctx.jit_exit;
#if defined(__x86_64__)
  // The call pushed its return address just below the frame's rsp.
  *pc = *reinterpret_cast<const uintptr_t*>(ctx.jit_exit - 8);
#else
  // AArch64 keeps it in x30 only: the code stored it.
  *pc = ctx.jit_exit_pc;
#endif
}

/// Steps from compiled frame `*frame` to its caller: `*pc` becomes the
/// return address into the caller, `*frame` the caller's frame.
inline __attribute__((always_inline)) void caller_frame(uintptr_t* frame, uintptr_t* pc) noexcept {
  const auto* f = reinterpret_cast<const uintptr_t*>(*frame);
#if defined(__x86_64__)
  // 16 bytes: alignment padding at rsp, then the return address.
  *pc = f[1];
  *frame += 16;
#else
  // x29 points at the frame record {caller's x29, return address}.
  *pc = f[1];
  *frame = f[0];
#endif
}

}  // namespace wvm::jit
