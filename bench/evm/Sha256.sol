// Twin of bench/workloads/sha256.c: SHA-256 (FIPS 180-4) of a 1 KiB message,
// chained: each digest is written back into the message before the next hash.
// Pure Solidity; the SHA-256 precompile (0x02) is not used.
pragma solidity 0.8.37;

import {wlFold, wlFillWords} from "./Workload.sol";

contract Sha256 {
    uint256 constant kMessageLen = 1024;
    uint256 constant kWords = kMessageLen / 32;

    /// Returns the same checksum as sha256.c's run(iterations).
    function run(uint32 iterations) external pure returns (uint64 checksum) {
        // The message as 32-byte words, first byte most significant: the same
        // bytes as the C buffer, in the EVM's memory order. A digest slot
        // (message + 32 * s) is word s.
        uint256[] memory message = new uint256[](kWords);
        wlFillWords(message, 0x5a256);

        // Allocated once: Solidity never frees memory, and memory grows in cost.
        uint32[64] memory k = roundConstants();
        uint32[64] memory w;
        uint32[8] memory h;
        for (uint32 i = 0; i < iterations; i++) {
            hashMessage(message, h, w, k);
            uint256 digest;
            for (uint256 j = 0; j < 8; j++) digest = (digest << 32) | h[j];
            message[i % kWords] = digest;
            // load_be32(digest) | load_be32(digest + 28) << 32
            checksum = wlFold(checksum, uint64(h[0]) | (uint64(h[7]) << 32));
        }
    }

    /// Leaves SHA-256(message) in h as eight big-endian words.
    function hashMessage(
        uint256[] memory message,
        uint32[8] memory h,
        uint32[64] memory w,
        uint32[64] memory k
    ) internal pure {
        // Initial hash value (FIPS 180-4 5.3.3).
        h[0] = 0x6a09e667;
        h[1] = 0xbb67ae85;
        h[2] = 0x3c6ef372;
        h[3] = 0xa54ff53a;
        h[4] = 0x510e527f;
        h[5] = 0x9b05688c;
        h[6] = 0x1f83d9ab;
        h[7] = 0x5be0cd19;
        for (uint256 b = 0; b < kWords; b += 2) {
            schedule(w, message[b], message[b + 1]);
            compress(h, w, k);
        }
        // Padding: 0x80, zeros, then the bit length as a 64-bit big-endian
        // integer. The message fills whole 64-byte blocks, so (as in the C for
        // this length) the padding is one block of its own.
        schedule(w, uint256(0x80) << 248, kMessageLen * 8);
        compress(h, w, k);
    }

    /// The message schedule W[0..64) of the 64-byte block hi || lo.
    function schedule(uint32[64] memory w, uint256 hi, uint256 lo) internal pure {
        unchecked {
            for (uint256 t = 0; t < 8; t++) {
                w[t] = uint32(hi >> (224 - 32 * t));
                w[t + 8] = uint32(lo >> (224 - 32 * t));
            }
            for (uint256 t = 16; t < 64; t++) {
                uint32 x = w[t - 15];
                uint32 y = w[t - 2];
                uint32 s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3);
                uint32 s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >> 10);
                w[t] = w[t - 16] + s0 + w[t - 7] + s1;
            }
        }
    }

    /// The 64 rounds over a scheduled block, added into h.
    function compress(uint32[8] memory h, uint32[64] memory w, uint32[64] memory k)
        internal
        pure
    {
        unchecked {
            uint32 a = h[0];
            uint32 b = h[1];
            uint32 c = h[2];
            uint32 d = h[3];
            uint32 e = h[4];
            uint32 f = h[5];
            uint32 g = h[6];
            uint32 hh = h[7];
            for (uint256 t = 0; t < 64; t++) {
                uint32 t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g))
                    + k[t] + w[t];
                uint32 t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
                hh = g;
                g = f;
                f = e;
                e = d + t1;
                d = c;
                c = b;
                b = a;
                a = t1 + t2;
            }
            h[0] += a;
            h[1] += b;
            h[2] += c;
            h[3] += d;
            h[4] += e;
            h[5] += f;
            h[6] += g;
            h[7] += hh;
        }
    }

    function rotr(uint32 x, uint32 n) internal pure returns (uint32) {
        unchecked {
            return (x >> n) | (x << (32 - n));
        }
    }

    /// First 32 bits of the fractional parts of the cube roots of the first
    /// 64 primes (FIPS 180-4 4.2.2).
    function roundConstants() internal pure returns (uint32[64] memory) {
        return [
            uint32(0x428a2f98), 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
        ];
    }
}
