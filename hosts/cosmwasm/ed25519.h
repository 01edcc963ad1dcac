// Ed25519 verification with ed25519-zebra's rules (ZIP 215), the ones
// cosmwasm-crypto applies. Neither OpenSSL nor libsodium implement them
// (both are stricter), so the curve arithmetic is our own (ed25519.cc).
//
// A signature (R, S) by the key A on message M is valid iff
//   - S, read as a little-endian integer, is canonical: S < l;
//   - A and R decode to points on the curve, where decoding takes y mod p
//     (so y >= p is accepted), accepts x = 0 with the sign bit set, and
//     allows points of small or mixed order;
//   - [8][S]B == [8]R + [8][k]A with k = SHA-512(R_bytes || A_bytes || M)
//     mod l, hashing R and A as they were given, not re-encoded.
// Not constant time: verification handles public data only.
#pragma once

#include <cstdint>
#include <span>

namespace wvm::cosmwasm::ed25519 {

inline constexpr size_t kSignatureSize = 64;
inline constexpr size_t kPublicKeySize = 32;

/// True iff `signature` (R || S) by `public_key` on `message` is valid under ZIP 215.
bool verify_zip215(std::span<const uint8_t> message,
                   std::span<const uint8_t, kSignatureSize> signature,
                   std::span<const uint8_t, kPublicKeySize> public_key);

}  // namespace wvm::cosmwasm::ed25519
