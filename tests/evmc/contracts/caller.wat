;; Calls the account whose address is the call data's first 20 bytes, with
;; no value and no data, then finishes with the call's status byte followed
;; by the callee's return data.
(module
  (import "ethereum" "callDataCopy" (func $copy (param i32 i32 i32)))
  (import "ethereum" "call" (func $call (param i64 i32 i32 i32 i32) (result i32)))
  (import "ethereum" "getReturnDataSize" (func $rsize (result i32)))
  (import "ethereum" "returnDataCopy" (func $rcopy (param i32 i32 i32)))
  (import "ethereum" "finish" (func $finish (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "main")
    (call $copy (i32.const 0) (i32.const 0) (i32.const 20))
    (i32.store8 (i32.const 64)
      (call $call (i64.const 100000) (i32.const 0) (i32.const 32) (i32.const 0) (i32.const 0)))
    (call $rcopy (i32.const 65) (i32.const 0) (call $rsize))
    (call $finish (i32.const 64) (i32.add (i32.const 1) (call $rsize)))))
