;; hostref.c's module, written for the Wasm 2.0 text and binary format. The
;; upstream hostref.wasm predates the final reference-types proposal: its
;; `ref.null` has no heap type (bytes d0 0b), which a Wasm 2.0 engine must
;; reject as malformed. Same imports, exports and behaviour, in the order
;; hostref.c reads them.
(module
  (import "" "f" (func $host (param externref) (result externref)))
  (global $g (export "global") (mut externref) (ref.null extern))
  (table $t (export "table") 10 externref)
  (func (export "global.set") (param externref)
    local.get 0
    global.set $g)
  (func (export "global.get") (result externref)
    global.get $g)
  (func (export "table.set") (param i32 externref)
    local.get 0
    local.get 1
    table.set $t)
  (func (export "table.get") (param i32) (result externref)
    local.get 0
    table.get $t)
  (func (export "func.call") (param externref) (result externref)
    local.get 0
    call $host))
