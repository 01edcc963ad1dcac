;; useGas(5000), then finishes with getGasLeft() as 8 little-endian bytes.
(module
  (import "ethereum" "useGas" (func $use (param i64)))
  (import "ethereum" "getGasLeft" (func $left (result i64)))
  (import "ethereum" "finish" (func $finish (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "main")
    (call $use (i64.const 5000))
    (i64.store (i32.const 0) (call $left))
    (call $finish (i32.const 0) (i32.const 8))))
