;; Imports and exports of every extern kind, a table element and a trap,
;; for the ownership test.
(module
  (import "env" "f" (func $f (param i32 i64) (result f32)))
  (import "env" "g" (global $g i32))
  (import "env" "t" (table 1 4 funcref))
  (import "env" "m" (memory 1 2))
  (global $gg (mut i64) (i64.const 3))
  (func $trap (export "trap") (call $deeper))
  (func $deeper unreachable)
  (func $id (export "id") (param i32) (result i32) (local.get 0))
  (export "gg" (global $gg))
  (export "tt" (table 0))
  (export "mm" (memory 0))
  (export "ff" (func $f))
  (elem (i32.const 0) func $id)
)
