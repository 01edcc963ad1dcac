// Debian's libasmjit.a is compiled as position-independent executable code,
// not as shared-library code: its one reference to an external variable,
// globals.cpp's use of `stderr` (for asmjit's debug output), cannot be
// linked into a shared object. CMakeLists.txt links libwvm_cosmwasm.so
// against a copy of the archive in which that reference is renamed to this
// variable, which is local to the library and holds libc's stderr.
#include <cstdio>

extern "C" {
__attribute__((visibility("hidden"))) FILE* wvm_capi_asmjit_stderr = stderr;
}
