// The cryptography behind the CosmWasm `env` crypto imports, with the
// acceptance rules cosmwasm-vm 3.0 (cosmwasm-crypto) applies: a difference
// in what verifies is a consensus bug. Inputs are plain byte spans; reading
// them from guest memory, length limits and gas are env.cc's business.
//
// Every function returns the code the corresponding import returns to the
// contract: 0 = valid / success, 1 = the signature does not verify, and
// cosmwasm-crypto's CryptoError codes (CryptoError::code()) otherwise.
// Input checks run in cosmwasm-crypto's order, so when several inputs are
// bad the first failing check decides the code.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace wvm::cosmwasm::crypto {

using Bytes = std::span<const uint8_t>;

/// The codes returned below (cosmwasm-crypto errors.rs, CryptoError::code()).
inline constexpr uint32_t kValid = 0;                   ///< verifies / recovered
inline constexpr uint32_t kInvalid = 1;                 ///< well-formed, does not verify
inline constexpr uint32_t kInvalidHashFormat = 3;       ///< hash is not 32 bytes
inline constexpr uint32_t kInvalidSignatureFormat = 4;  ///< signature of the wrong length
inline constexpr uint32_t kInvalidPubkeyFormat = 5;     ///< key of the wrong length / SEC1 prefix
inline constexpr uint32_t kInvalidRecoveryParam = 6;    ///< recovery id out of range
inline constexpr uint32_t kBatchErr = 7;                ///< batch list lengths don't fit a shape
inline constexpr uint32_t kGenericErr = 10;  ///< r or s not in [1, n-1], key not on the curve,
                                             ///< recovery impossible

/// ECDSA over secp256k1 (libsecp256k1): `hash` 32 bytes (else 3), `signature`
/// 64 bytes r || s (else 4), `pubkey` SEC1 02/03 + 32 bytes or 04 + 64 bytes
/// (else 5); r, s outside [1, n-1] or a key off the curve give 10. High-S
/// signatures are accepted (normalized before verifying).
uint32_t secp256k1_verify(Bytes hash, Bytes signature, Bytes pubkey);
/// Recovers the signer's 65-byte uncompressed public key into `*pubkey`
/// (cleared on failure). `recovery_param` must be 0 or 1 (else 6); high-S
/// signatures are accepted; an r that is no x coordinate gives 10.
uint32_t secp256k1_recover_pubkey(Bytes hash, Bytes signature, uint8_t recovery_param,
                                  std::vector<uint8_t>* pubkey);

/// The same over secp256r1 (P-256, OpenSSL libcrypto); high-S accepted.
uint32_t secp256r1_verify(Bytes hash, Bytes signature, Bytes pubkey);
/// As secp256k1_recover_pubkey, but `recovery_param` may be 0 to 3: bit 0 is
/// the parity of R's y, bit 1 says R's x is r + n.
uint32_t secp256r1_recover_pubkey(Bytes hash, Bytes signature, uint8_t recovery_param,
                                  std::vector<uint8_t>* pubkey);

/// Ed25519 with ed25519-zebra's (ZIP 215) rules: `signature` 64 bytes (else
/// 4), `pubkey` 32 bytes (else 5), any message length. A key or R that is no
/// curve point, or S >= l, gives 1 (not an error).
uint32_t ed25519_verify(Bytes message, Bytes signature, Bytes pubkey);
/// Batch verification with cosmwasm-vm's shapes: n messages, signatures and
/// keys; or one message with n signatures and keys; or n messages and
/// signatures with one key (any other lengths: 7). Lengths are checked item
/// by item, signature before key (4 / 5), before anything is verified.
/// Valid iff every signature verifies; an empty batch is valid.
uint32_t ed25519_batch_verify(const std::vector<Bytes>& messages,
                              const std::vector<Bytes>& signatures,
                              const std::vector<Bytes>& pubkeys);

}  // namespace wvm::cosmwasm::crypto
