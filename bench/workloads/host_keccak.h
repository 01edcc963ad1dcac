// env.keccak256(data, len, out): Keccak-256 (Ethereum's, padding 0x01) of
// [data, data + len), 32 bytes written at out. Imported by keccak_host.wasm;
// natively, and in wvm's benchmark harness, host_keccak.c. For wasm, the
// pointers are offsets into the module's memory, and a range outside it is a
// host error (the call traps).
#ifndef WL_HOST_KECCAK_H
#define WL_HOST_KECCAK_H

#include <stdint.h>

#ifdef __wasm__
__attribute__((import_module("env"), import_name("keccak256")))
#endif
void keccak256_host(const uint8_t* data, uint32_t len, uint8_t* out);

#endif  // WL_HOST_KECCAK_H
