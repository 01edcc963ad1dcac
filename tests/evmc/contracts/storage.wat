;; Storage round trip: call data is a key and a value (32 bytes each); stores
;; the value under the key, loads it back and finishes with what it loaded.
(module
  (import "ethereum" "callDataCopy" (func $copy (param i32 i32 i32)))
  (import "ethereum" "storageStore" (func $store (param i32 i32)))
  (import "ethereum" "storageLoad" (func $load (param i32 i32)))
  (import "ethereum" "finish" (func $finish (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "main")
    (call $copy (i32.const 0) (i32.const 0) (i32.const 64))
    (call $store (i32.const 0) (i32.const 32))
    (call $load (i32.const 0) (i32.const 64))
    (call $finish (i32.const 64) (i32.const 32))))
