;; Reverts with four bytes of data after using some gas.
(module
  (import "ethereum" "useGas" (func $use (param i64)))
  (import "ethereum" "revert" (func $revert (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "nope")
  (func (export "main")
    (call $use (i64.const 1000))
    (call $revert (i32.const 16) (i32.const 4))
    unreachable))
