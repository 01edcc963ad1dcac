// Shared by the Solidity twins of bench/workloads/*.c: the input generator and
// checksum fold of workload.h, with the same 64-bit wrap-around (unchecked
// uint64 arithmetic wraps mod 2^64 and shifts truncate, as uint64_t does in C).
pragma solidity 0.8.37;

uint64 constant kGolden = 0x9e3779b97f4a7c15;

/// splitmix64 (wl_next): returns the advanced state and the output drawn from it.
function wlNext(uint64 state) pure returns (uint64 next, uint64 out) {
    unchecked {
        next = state + kGolden;
        uint64 z = next;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
        z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
        out = z ^ (z >> 31);
    }
}

/// Folds `v` into the running checksum `acc` (wl_fold).
function wlFold(uint64 acc, uint64 v) pure returns (uint64) {
    unchecked {
        acc ^= v + kGolden + (acc << 6) + (acc >> 2);
        return acc * 0x100000001b3;
    }
}

/// Reverses the byte order inside each 64-bit lane of `x`: turns four
/// little-endian 8-byte groups of memory (as wl_fill and load_le64 see them)
/// into lane values and back.
function bswapLanes(uint256 x) pure returns (uint256) {
    x = ((x & 0xff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00) >> 8)
        | ((x & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff) << 8);
    x = ((x & 0xffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000) >> 16)
        | ((x & 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff) << 16);
    return ((x & 0xffffffff00000000ffffffff00000000ffffffff00000000ffffffff00000000) >> 32)
        | ((x & 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff) << 32);
}

/// wl_fill(buf, 32 * words.length, seed) over 32-byte words: words[k] holds
/// bytes [32k, 32k + 32) of the C buffer, first byte most significant (the
/// EVM's memory order), so `words` is the same byte string the C fills.
function wlFillWords(uint256[] memory words, uint64 seed) pure {
    for (uint256 k = 0; k < words.length; k++) {
        uint256 lanes;
        for (uint256 j = 0; j < 4; j++) {
            uint64 r;
            (seed, r) = wlNext(seed);
            lanes = (lanes << 64) | r;
        }
        words[k] = bswapLanes(lanes);
    }
}
