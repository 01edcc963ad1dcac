// The host's keccak256 (host_keccak.h), on keccak.c's sponge.
#include "host_keccak.h"

#include "keccak_sponge.h"

void keccak256_host(const uint8_t* data, uint32_t len, uint8_t* out) {
  keccak256(data, len, 0x01, out);
}
