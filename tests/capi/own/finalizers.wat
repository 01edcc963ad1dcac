;; One of each extern kind, and an import a host function fills.
(module
  (import "host" "f" (func $f (param i32) (result i32)))
  (global (export "g") (mut i32) (i32.const 5))
  (table (export "t") 2 funcref)
  (memory (export "m") 1)
  (func $call_f (export "call_f") (param i32) (result i32)
    (call $f (local.get 0)))
  (elem (i32.const 0) func $call_f)
)
