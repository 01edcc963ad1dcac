;; A trap three calls deep, with a name section (wat2wasm --debug-names):
;; the backtrace must name each function and the offsets of the trapping
;; instruction and of each call, identically in every tier.
(module
  (memory 1)
  (func $load_far (export "load_far") (result i32) (i32.load (i32.const 70000)))
  (func $div (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func $middle (param i32) (result i32) (call $div (local.get 0)))
  (func $outer (export "outer") (param i32) (result i32) (call $middle (local.get 0))))
