;; Loops until the gas runs out.
(module
  (memory (export "memory") 1)
  (func (export "main")
    (loop $forever (br $forever))))
