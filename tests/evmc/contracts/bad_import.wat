;; Imports a function the EEI does not have: not a valid ewasm contract.
(module
  (import "ethereum" "mint" (func $mint (param i32)))
  (memory (export "memory") 1)
  (func (export "main") (call $mint (i32.const 1))))
