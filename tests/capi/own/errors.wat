;; Imports of two kinds, for link errors; typed exports for call errors.
(module
  (import "host" "f" (func $f (param i32) (result i32)))
  (import "host" "limit" (global $limit i32))
  (func (export "add") (param i32 i64) (result i64)
    (i64.add (i64.extend_i32_s (call $f (local.get 0))) (local.get 1)))
  (func (export "limit") (result i32) (global.get $limit))
)
