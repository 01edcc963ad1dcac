;; A memory without a maximum that grows by `n` pages: under --bounds explicit
;; and an address-space limit its reservation is smaller, and grow fails (-1)
;; where it ends instead of the instantiation failing.
(module
  (memory 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
