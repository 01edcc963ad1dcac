#!/bin/sh
# install/exports: libwvm.so ($1) has the soname libwvm.so.0 and exports
# only the public API: C++ names in namespace wvm (with their type
# information), and the C API's wasm_* and wvm_*; none of asmjit's or the
# C++ library's.
set -eu
readelf -d "$1" | grep -q 'SONAME.*\[libwvm\.so\.0\]' || { echo "soname is not libwvm.so.0"; exit 1; }
names=$(nm -D --defined-only -C "$1" | cut -d' ' -f3-)
echo "$names" | grep -q '^wvm::Engine::Engine(' || { echo "wvm::Engine is not exported"; exit 1; }
other=$(echo "$names" | grep -Ev '^((typeinfo|typeinfo name|vtable|guard variable) for |non-virtual thunk to )?wvm::|^wasm_|^wvm_' || true)
if [ -n "$other" ]; then
  echo "exported beyond the public API:"; echo "$other" | head -20; exit 1
fi
echo "$(echo "$names" | wc -l) symbols, all public API"
