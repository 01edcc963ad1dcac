;; Gas and memory-bounds checks through wvm.h's config.
(module
  ;; reenter(n) is the host calling sum(n) back through wasm_func_call.
  (import "host" "reenter" (func $reenter (param i32) (result i32)))
  (memory (export "mem") 1 3)
  (func (export "spin") (loop $forever (br $forever)))
  (func (export "sum") (param $n i32) (result i32)
    (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc))
  (func (export "via_host") (param i32) (result i32)
    (i32.add (call $reenter (local.get 0)) (i32.const 0)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load_off") (param i32) (result i32) (i32.load offset=65535 (local.get 0)))
  (func (export "store") (param i32 i32) (result i32)
    (i32.store (local.get 0) (local.get 1))
    (i32.const 0))
  (func $rec (export "rec") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (call $rec (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
)
