// Debian's libasmjit.a is compiled as position-independent executable code,
// not as shared-library code: its one reference to an external variable,
// globals.cpp's use of `stderr` (for asmjit's debug output), cannot be
// linked into a shared object. libwvm_cosmwasm.so, libwvm.so and the
// installed libwvm.a take asmjit from a copy of the archive in which that
// reference is renamed to this variable (cmake/library.cmake), which is
// local to the library and holds libc's stderr.
#include <cstdio>

extern "C" {
__attribute__((visibility("hidden"))) FILE* wvm_capi_asmjit_stderr = stderr;
}
