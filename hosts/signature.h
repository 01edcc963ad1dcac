// The function type of a host import from a short signature: 'i' i32, 'I'
// i64, the results after ':' ("iI:i" is (i32, i64) -> i32). Shared by the
// hosts whose tables list their functions so (hosts/wasi, hosts/evmc).
#ifndef WVM_HOSTS_SIGNATURE_H_
#define WVM_HOSTS_SIGNATURE_H_

#include "wvm/types.h"

namespace wvm {

inline FuncType signature_type(const char* sig) {
  FuncType t;
  bool results = false;
  for (const char* p = sig; *p != '\0'; ++p) {
    if (*p == ':') {
      results = true;
      continue;
    }
    (results ? t.results : t.params).push_back(*p == 'I' ? ValType::I64 : ValType::I32);
  }
  return t;
}

}  // namespace wvm

#endif  // WVM_HOSTS_SIGNATURE_H_
