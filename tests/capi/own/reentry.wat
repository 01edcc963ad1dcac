;; Wasm and host frames alternating: enter calls the host, which calls
;; enter again (or div) through wasm_func_call.
(module
  (import "host" "call_back" (func $call_back (param i32) (result i32)))  ;; 0
  (table (export "table") 1 funcref)
  (type $unary (func (param i32) (result i32)))
  (func $div (export "div") (param i32 i32) (result i32)                   ;; 1
    (i32.div_s (local.get 0) (local.get 1)))
  (func $enter (export "enter") (param i32) (result i32)                   ;; 2
    (i32.add (call $call_back (local.get 0)) (i32.const 1)))
  ;; Calls whatever the host put in the table.
  (func (export "indirect") (param i32) (result i32)                       ;; 3
    (call_indirect (type $unary) (local.get 0) (i32.const 0)))
)
