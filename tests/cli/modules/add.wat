;; Two exports, no _start: `wvm run add.wasm add 1 2` invokes add.
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "fdiv") (param f64 f64) (result f64) (f64.div (local.get 0) (local.get 1)))
  (memory (export "memory") 1))
