// Twins of bench/workloads/keccak.c: Keccak-256 as Ethereum uses it (rate 136
// bytes, original Keccak padding with domain byte 0x01) of a 1 KiB message,
// chained: each digest is written back into the message before the next hash.
//   Keccak        computes Keccak-f[1600] and the sponge in Solidity;
//   KeccakOpcode  hashes the same bytes with the KECCAK256 opcode.
// keccak.c computes exactly Keccak-256 of a byte string, which is what the
// opcode computes, so both return the C checksum.
pragma solidity 0.8.37;

import {bswapLanes, wlFold, wlFillWords} from "./Workload.sol";

uint256 constant kMessageLen = 1024;
uint256 constant kWords = kMessageLen / 32;
uint64 constant kMessageSeed = 0x3ecc4c;

/// Keccak-256 in Solidity.
contract Keccak {
    uint256 constant kRate = 136;
    uint256 constant kRateLanes = kRate / 8;
    uint256 constant kMessageLanes = kMessageLen / 8;

    /// Returns the same checksum as keccak.c's run(iterations).
    function run(uint32 iterations) external pure returns (uint64 checksum) {
        // The message as 32-byte words, first byte most significant: the same
        // bytes as the C buffer, in the EVM's memory order. Lane L of the
        // message (load_le64(message + 8 * L)) is byte-swapped out of word L / 4.
        uint256[] memory message = new uint256[](kWords);
        wlFillWords(message, kMessageSeed);

        // Allocated once: Solidity never frees memory, and memory grows in cost.
        uint64[24] memory rc = roundConstants();
        uint64[25] memory a;
        uint64[25] memory b;
        for (uint32 i = 0; i < iterations; i++) {
            hashMessage(message, a, b, rc);
            // The digest is lanes a[0..4) as little-endian bytes.
            uint256 lanes = (uint256(a[0]) << 192) | (uint256(a[1]) << 128)
                | (uint256(a[2]) << 64) | a[3];
            message[i % kWords] = bswapLanes(lanes);
            // load_le64(digest) ^ load_le64(digest + 24)
            checksum = wlFold(checksum, a[0] ^ a[3]);
        }
    }

    /// Leaves the sponge state after Keccak-256(message) in a; the digest is
    /// its first four lanes. Reads the message lane by lane, so its length must
    /// be a multiple of 8 bytes (it is 1024).
    function hashMessage(
        uint256[] memory message,
        uint64[25] memory a,
        uint64[25] memory b,
        uint64[24] memory rc
    ) internal pure {
        for (uint256 i = 0; i < 25; i++) a[i] = 0;
        uint256 lane = 0;
        for (; kMessageLanes - lane >= kRateLanes; lane += kRateLanes) {
            for (uint256 i = 0; i < kRateLanes; i++) a[i] ^= laneAt(message, lane + i);
            keccakF(a, b, rc);
        }

        // pad10*1 over the last, partial block: the rest of the message, the
        // domain byte 0x01 right after it, and 0x80 in the block's last byte.
        uint256 rest = kMessageLanes - lane;
        for (uint256 i = 0; i < rest; i++) a[i] ^= laneAt(message, lane + i);
        a[rest] ^= 0x01;
        a[kRateLanes - 1] ^= uint64(0x80) << 56;
        keccakF(a, b, rc);
    }

    /// load_le64(message + 8 * index).
    function laneAt(uint256[] memory message, uint256 index) internal pure returns (uint64) {
        unchecked {
            return uint64(bswapLanes(message[index / 4]) >> (192 - 64 * (index % 4)));
        }
    }

    /// Keccak-f[1600] (FIPS 202 3.3) on lanes a[x + 5 * y]; b is scratch.
    function keccakF(uint64[25] memory a, uint64[25] memory b, uint64[24] memory rc)
        internal
        pure
    {
        for (uint256 round = 0; round < 24; round++) {
            // theta
            uint64 c0 = a[0] ^ a[5] ^ a[10] ^ a[15] ^ a[20];
            uint64 c1 = a[1] ^ a[6] ^ a[11] ^ a[16] ^ a[21];
            uint64 c2 = a[2] ^ a[7] ^ a[12] ^ a[17] ^ a[22];
            uint64 c3 = a[3] ^ a[8] ^ a[13] ^ a[18] ^ a[23];
            uint64 c4 = a[4] ^ a[9] ^ a[14] ^ a[19] ^ a[24];
            uint64 d = c4 ^ rotl(c1, 1);
            for (uint256 y = 0; y < 25; y += 5) a[y] ^= d;
            d = c0 ^ rotl(c2, 1);
            for (uint256 y = 0; y < 25; y += 5) a[y + 1] ^= d;
            d = c1 ^ rotl(c3, 1);
            for (uint256 y = 0; y < 25; y += 5) a[y + 2] ^= d;
            d = c2 ^ rotl(c4, 1);
            for (uint256 y = 0; y < 25; y += 5) a[y + 3] ^= d;
            d = c3 ^ rotl(c0, 1);
            for (uint256 y = 0; y < 25; y += 5) a[y + 4] ^= d;

            // rho and pi: lane i moves to b[kPi[i]] rotated by kRho[i]
            // (the tables in keccak.c, FIPS 202 3.2.2 and 3.2.3).
            b[0] = a[0];
            b[10] = rotl(a[1], 1);
            b[20] = rotl(a[2], 62);
            b[5] = rotl(a[3], 28);
            b[15] = rotl(a[4], 27);
            b[16] = rotl(a[5], 36);
            b[1] = rotl(a[6], 44);
            b[11] = rotl(a[7], 6);
            b[21] = rotl(a[8], 55);
            b[6] = rotl(a[9], 20);
            b[7] = rotl(a[10], 3);
            b[17] = rotl(a[11], 10);
            b[2] = rotl(a[12], 43);
            b[12] = rotl(a[13], 25);
            b[22] = rotl(a[14], 39);
            b[23] = rotl(a[15], 41);
            b[8] = rotl(a[16], 45);
            b[18] = rotl(a[17], 15);
            b[3] = rotl(a[18], 21);
            b[13] = rotl(a[19], 8);
            b[14] = rotl(a[20], 18);
            b[24] = rotl(a[21], 2);
            b[9] = rotl(a[22], 61);
            b[19] = rotl(a[23], 56);
            b[4] = rotl(a[24], 14);

            // chi
            for (uint256 y = 0; y < 25; y += 5) {
                a[y] = b[y] ^ (~b[y + 1] & b[y + 2]);
                a[y + 1] = b[y + 1] ^ (~b[y + 2] & b[y + 3]);
                a[y + 2] = b[y + 2] ^ (~b[y + 3] & b[y + 4]);
                a[y + 3] = b[y + 3] ^ (~b[y + 4] & b[y]);
                a[y + 4] = b[y + 4] ^ (~b[y] & b[y + 1]);
            }

            // iota
            a[0] ^= rc[round];
        }
    }

    function rotl(uint64 x, uint64 n) internal pure returns (uint64) {
        unchecked {
            return (x << n) | (x >> (64 - n));
        }
    }

    /// Round constants RC[i] from the rc(t) LFSR (FIPS 202 3.2.5).
    function roundConstants() internal pure returns (uint64[24] memory) {
        return [
            uint64(0x0000000000000001), 0x0000000000008082, 0x800000000000808a, 0x8000000080008000,
            0x000000000000808b, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
            0x000000000000008a, 0x0000000000000088, 0x0000000080008009, 0x000000008000000a,
            0x000000008000808b, 0x800000000000008b, 0x8000000000008089, 0x8000000000008003,
            0x8000000000008002, 0x8000000000000080, 0x000000000000800a, 0x800000008000000a,
            0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008
        ];
    }
}

/// The same hashes through the KECCAK256 opcode (Solidity's keccak256 builtin).
contract KeccakOpcode {
    /// Returns the same checksum as keccak.c's run(iterations).
    function run(uint32 iterations) external pure returns (uint64 checksum) {
        uint256[] memory words = new uint256[](kWords);
        wlFillWords(words, kMessageSeed);
        // The same 1024 bytes as one byte string, hashed in place each time.
        bytes memory message = abi.encodePacked(words);
        for (uint32 i = 0; i < iterations; i++) {
            bytes32 digest = keccak256(message);
            uint256 offset = (i % kWords) * 32;
            // Writes the 32-byte digest over message[offset, offset + 32); in
            // bounds since offset <= kMessageLen - 32 = message.length - 32.
            assembly ("memory-safe") {
                mstore(add(add(message, 32), offset), digest)
            }
            // load_le64(digest) ^ load_le64(digest + 24)
            uint256 lanes = bswapLanes(uint256(digest));
            checksum = wlFold(checksum, uint64(lanes >> 192) ^ uint64(lanes));
        }
    }
}
