// wvm_stack_switch_call for AArch64 (AAPCS64); see stack_switch.h.
//
// x0 = fn, x1 = arg, x2 = new_sp, x3 = left_sp. x29 holds the caller's
// stack pointer across the call: fn preserves it (callee-saved), and it is
// the frame pointer through which unwinders find the caller.
#include "memory/stack_switch.h"

asm(R"(
  .text
  .globl wvm_stack_switch_call
  .type wvm_stack_switch_call, %function
  .p2align 4
wvm_stack_switch_call:
  .cfi_startproc
  stp x29, x30, [sp, #-16]!
  .cfi_def_cfa_offset 16
  .cfi_offset x29, -16
  .cfi_offset x30, -8
  mov x29, sp
  .cfi_def_cfa_register x29
  mov x9, sp
  str x9, [x3]
  mov sp, x2
  mov x9, x0
  mov x0, x1
  blr x9
  mov sp, x29
  .cfi_def_cfa_register sp
  ldp x29, x30, [sp], #16
  .cfi_def_cfa_offset 0
  .cfi_restore x29
  .cfi_restore x30
  ret
  .cfi_endproc
  .size wvm_stack_switch_call, .-wvm_stack_switch_call
)");
