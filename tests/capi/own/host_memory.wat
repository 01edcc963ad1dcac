;; Memory grown and written by the host while a wasm frame is live.
(module
  (import "host" "grow" (func $grow (param i32) (result i32)))
  (memory (export "mem") 1 6)
  ;; Touches memory, lets the host grow it, then loads at $addr.
  (func (export "grow_then_load") (param $pages i32) (param $addr i32) (result i32)
    (drop (i32.load8_u (i32.const 0)))
    (drop (call $grow (local.get $pages)))
    (i32.load8_u (local.get $addr)))
  (func (export "size") (result i32) (memory.size))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
)
