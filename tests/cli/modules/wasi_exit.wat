;; A WASI command: prints "hello" to stdout, then calls proc_exit(3) from
;; two calls deep (the exit must unwind every frame, in every tier).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 8) "hello\n")
  (func $exit (call $proc_exit (i32.const 3)) unreachable)
  (func $middle (call $exit))
  (func (export "_start")
    ;; iovec at 0: {ptr 8, len 6}
    (i32.store (i32.const 0) (i32.const 8))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))
    (call $middle)))
