;; Per-instance state plus a host import, called from many threads.
(module
  (import "host" "tick" (func $tick (param i32) (result i32)))
  (global $count (mut i32) (i32.const 0))
  (memory 1)
  ;; work(x) = tick(sum of i*i for i < x), the sum passing through memory.
  (func (export "work") (param $x i32) (result i32)
    (local $i i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $x)))
        (local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $i) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.store (i32.const 0) (local.get $acc))
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (call $tick (i32.load (i32.const 0))))
  (func (export "count") (result i32) (global.get $count))
)
