/*
 * The numeric part of the layout table as a C compiler sees
 * hosts/evmc/evmc_abi.h (abi_layout_c.c): the header must mean the same
 * thing in C as in C++. C and C++ compatible.
 */
#ifndef WVM_TESTS_EVMC_ABI_LAYOUT_C_H_
#define WVM_TESTS_EVMC_ABI_LAYOUT_C_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct wvm_evmc_c_entry {
  const char* name;
  long long value;
};

extern const struct wvm_evmc_c_entry wvm_evmc_c_layout[];
extern const size_t wvm_evmc_c_layout_count;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* WVM_TESTS_EVMC_ABI_LAYOUT_C_H_ */
