// The stack-switch primitive, one assembly file per architecture
// (stack_switch_x64.cc, stack_switch_arm64.cc). No system calls: a switch
// costs a handful of instructions.
#pragma once

#include <cstdint>

extern "C" {
/// Stores the current stack pointer (below every live frame of the caller)
/// to *left_sp, sets the stack pointer to `new_sp` (16-byte aligned; the
/// first byte used is below it), calls fn(arg) there, switches back and
/// returns. Frame-pointer based, with call-frame information, so debuggers
/// and sanitizers unwind through it to the caller's stack.
void wvm_stack_switch_call(void (*fn)(void*), void* arg, uintptr_t new_sp, uintptr_t* left_sp);
}
