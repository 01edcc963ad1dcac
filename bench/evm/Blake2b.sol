// Twin of bench/workloads/blake2b.c: the BLAKE2b compression function F
// (RFC 7693 3.2, as the EIP-152 precompile computes it) with 12 rounds, called
// repeatedly; each call's output becomes the next call's state and perturbs
// one message word, as when a contract hashes a long message block by block.
//
// The C goes through the precompile's 213-byte encoding on every call (decode
// rounds, h, m, t and f; compress; encode the 64-byte output). This twin keeps
// the decoded words (h, m, t0, t1, f) between calls, as a Solidity BLAKE2b
// would: the compression work is the same, the byte encoding is left out.
pragma solidity 0.8.37;

import {wlFold, wlNext} from "./Workload.sol";

contract Blake2b {
    uint32 constant kRounds = 12;

    /// Returns the same checksum as blake2b.c's run(iterations).
    function run(uint32 iterations) external pure returns (uint64 checksum) {
        // in[4, 196) of the C input: h (8 words) then m (16 words), drawn in
        // that order from one splitmix64 stream.
        uint64[8] memory h;
        uint64[16] memory m;
        uint64 seed = 0xb1a4e2b;
        for (uint256 i = 0; i < 8; i++) (seed, h[i]) = wlNext(seed);
        for (uint256 i = 0; i < 16; i++) (seed, m[i]) = wlNext(seed);

        // Allocated once: Solidity never frees memory, and memory grows in cost.
        uint64[16] memory v;
        uint64[10] memory sigma = sigmaRows();
        for (uint32 i = 0; i < iterations; i++) {
            uint64 offset;
            unchecked {
                offset = (uint64(i) + 1) * 128;
            }
            // F with t = (offset, 0) and the final-block flag on every 8th
            // call; the output replaces h, as the C copies out to in[4, 68).
            compress(kRounds, h, m, offset, 0, i % 8 == 7, v, sigma);
            // Perturb one message word so no two calls match.
            m[i % 16] ^= h[i % 8];
            // load_le64(out) ^ load_le64(out + 56)
            checksum = wlFold(checksum, h[0] ^ h[7]);
        }
    }

    /// F(h, m, t, f) with `rounds` rounds (EIP-152); updates h in place. v is
    /// scratch.
    function compress(
        uint32 rounds,
        uint64[8] memory h,
        uint64[16] memory m,
        uint64 t0,
        uint64 t1,
        bool last,
        uint64[16] memory v,
        uint64[10] memory sigma
    ) internal pure {
        for (uint256 i = 0; i < 8; i++) v[i] = h[i];
        // BLAKE2b IV, the same words as SHA-512's initial hash value.
        v[8] = 0x6a09e667f3bcc908;
        v[9] = 0xbb67ae8584caa73b;
        v[10] = 0x3c6ef372fe94f82b;
        v[11] = 0xa54ff53a5f1d36f1;
        v[12] = 0x510e527fade682d1 ^ t0;
        v[13] = 0x9b05688c2b3e6c1f ^ t1;
        v[14] = last ? ~uint64(0x1f83d9abfb41bd6b) : 0x1f83d9abfb41bd6b;
        v[15] = 0x5be0cd19137e2179;
        for (uint32 r = 0; r < rounds; r++) {
            uint256 s = sigma[r % 10];
            mix(v, 0, 4, 8, 12, m[s & 15], m[(s >> 4) & 15]);
            mix(v, 1, 5, 9, 13, m[(s >> 8) & 15], m[(s >> 12) & 15]);
            mix(v, 2, 6, 10, 14, m[(s >> 16) & 15], m[(s >> 20) & 15]);
            mix(v, 3, 7, 11, 15, m[(s >> 24) & 15], m[(s >> 28) & 15]);
            mix(v, 0, 5, 10, 15, m[(s >> 32) & 15], m[(s >> 36) & 15]);
            mix(v, 1, 6, 11, 12, m[(s >> 40) & 15], m[(s >> 44) & 15]);
            mix(v, 2, 7, 8, 13, m[(s >> 48) & 15], m[(s >> 52) & 15]);
            mix(v, 3, 4, 9, 14, m[(s >> 56) & 15], m[(s >> 60) & 15]);
        }
        for (uint256 i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
    }

    /// The mixing function G (RFC 7693 3.1).
    function mix(uint64[16] memory v, uint256 a, uint256 b, uint256 c, uint256 d, uint64 x, uint64 y)
        internal
        pure
    {
        unchecked {
            v[a] = v[a] + v[b] + x;
            v[d] = rotr(v[d] ^ v[a], 32);
            v[c] = v[c] + v[d];
            v[b] = rotr(v[b] ^ v[c], 24);
            v[a] = v[a] + v[b] + y;
            v[d] = rotr(v[d] ^ v[a], 16);
            v[c] = v[c] + v[d];
            v[b] = rotr(v[b] ^ v[c], 63);
        }
    }

    function rotr(uint64 x, uint64 n) internal pure returns (uint64) {
        unchecked {
            return (x >> n) | (x << (64 - n));
        }
    }

    /// The message word schedule (RFC 7693 2.7), one row per round r % 10;
    /// entry j of a row is the nibble at bits [4j, 4j + 4).
    function sigmaRows() internal pure returns (uint64[10] memory) {
        return [
            uint64(0xfedcba9876543210), // 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
            0x357b20c16df984ae, // 14 10 4 8 9 15 13 6 1 12 0 2 11 7 5 3
            0x491763eadf250c8b, // 11 8 12 0 5 2 15 13 10 14 3 6 7 1 9 4
            0x8f04a562ebcd1397, // 7 9 3 1 13 12 11 14 2 6 5 10 4 0 15 8
            0xd386cb1efa427509, // 9 0 5 7 2 4 10 15 14 1 11 12 6 8 3 13
            0x91ef57d438b0a6c2, // 2 12 6 10 0 11 8 3 4 13 7 5 15 14 1 9
            0xb8293670a4def15c, // 12 5 1 15 14 13 4 10 0 7 6 3 9 2 8 11
            0xa2684f05931ce7bd, // 13 11 7 14 12 1 3 9 5 0 15 4 8 6 2 10
            0x5a417d2c803b9ef6, // 6 15 14 9 11 3 0 8 12 2 13 7 1 4 10 5
            0x0dc3e9bf5167482a //  10 2 8 4 7 6 1 5 15 11 9 14 3 12 13 0
        ];
    }
}
