;; Traps from host functions and from wasm, a few frames deep.
;; Function indexes: 0 the import, then 1.. in order of definition.
(module
  (import "host" "fail" (func $fail (param i32) (result i32)))        ;; 0
  (global $g (export "g") (mut i32) (i32.const 0))
  (memory (export "mem") 1)
  (func $inner (export "inner") (param i32) (result i32)                ;; 1
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (call $fail (local.get 0)))
  (func $middle (param i32) (result i32)                                ;; 2
    (i32.add (call $inner (local.get 0)) (i32.const 10)))
  (func $outer (export "outer") (param i32) (result i32)                ;; 3
    (i32.add (call $middle (local.get 0)) (i32.const 100)))
  (func $div (param i32 i32) (result i32)                               ;; 4
    (i32.div_s (local.get 0) (local.get 1)))
  (func $div_outer (export "div_outer") (param i32 i32) (result i32)    ;; 5
    (i32.add (call $div (local.get 0) (local.get 1)) (i32.const 0)))
  (func $unreach (export "unreachable")                                 ;; 6
    (nop)
    (unreachable))
  (func $oob (export "oob") (param i32) (result i32)                    ;; 7
    (i32.load (local.get 0)))
)
