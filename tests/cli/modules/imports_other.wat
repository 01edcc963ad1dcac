;; Imports a function `wvm run` does not provide.
(module
  (import "spectest" "print_i32" (func (param i32)))
  (func (export "_start")))
