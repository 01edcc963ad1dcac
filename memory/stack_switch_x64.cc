// wvm_stack_switch_call for x86-64 (System V); see stack_switch.h.
//
// rdi = fn, rsi = arg, rdx = new_sp, rcx = left_sp. rbp holds the caller's
// stack pointer across the call: fn preserves it (callee-saved), and it is
// the frame pointer through which unwinders find the caller.
#include "memory/stack_switch.h"

asm(R"(
  .text
  .globl wvm_stack_switch_call
  .type wvm_stack_switch_call, @function
  .p2align 4
wvm_stack_switch_call:
  .cfi_startproc
  push %rbp
  .cfi_def_cfa_offset 16
  .cfi_offset %rbp, -16
  mov %rsp, %rbp
  .cfi_def_cfa_register %rbp
  mov %rsp, (%rcx)
  mov %rdx, %rsp
  mov %rdi, %rax
  mov %rsi, %rdi
  call *%rax
  mov %rbp, %rsp
  .cfi_def_cfa_register %rsp
  pop %rbp
  .cfi_def_cfa_offset 8
  ret
  .cfi_endproc
  .size wvm_stack_switch_call, .-wvm_stack_switch_call
)");
