// Twin of bench/workloads/u256.c: 256-bit arithmetic as the EVM does it.
// Where the C emulates an opcode with 32-bit limbs, this twin uses the opcode:
//   u256_add, u256_mul   ADD, MUL in `unchecked` (wrap mod 2^256)
//   u256_mulmod          MULMOD (Solidity's mulmod; the m == 0 case is
//                        handled first, since the builtin reverts on it)
//   u256_exp             EXP (`**` in `unchecked`)
//   u256_modexp          the same left-to-right square-and-multiply loop over
//                        the same exponent bits, each step one MULMOD
// Every result is the same 256-bit value, so the checksum is the C one.
pragma solidity 0.8.37;

import {wlFold, wlNext} from "./Workload.sol";

contract U256 {
    /// Returns the same checksum as u256.c's run(iterations).
    function run(uint32 iterations) external pure returns (uint64 checksum) {
        uint64 seed = 0x0256;
        uint256 a;
        uint256 b;
        uint256 m;
        (seed, a) = random(seed);
        (seed, b) = random(seed);
        (seed, m) = random(seed);
        unchecked {
            for (uint32 i = 0; i < iterations; i++) {
                // Cheap opcodes in a dependent chain.
                uint256 c = 0;
                for (uint256 k = 0; k < 16; k++) {
                    a = a + b;
                    b = b * a;
                    b |= 1; // keep b odd so the chain never collapses to zero
                    c = mulmodEvm(a, b, m);
                    a = a + c;
                }
                uint256 d = c ** b;
                uint256 e = modexp(a, d, m);
                checksum = fold(fold(checksum, d), e);

                // Next modulus: 1 to 8 significant 32-bit limbs, as in the C.
                m = e + c;
                uint256 keep = 8 - i % 8;
                if (keep < 8) m &= (uint256(1) << (32 * keep)) - 1;
                m |= uint256(1) << (32 * (keep - 1) + i % 32);
            }
        }
    }

    /// (a * b) mod m, or 0 when m is 0 (the MULMOD opcode's result).
    function mulmodEvm(uint256 a, uint256 b, uint256 m) internal pure returns (uint256) {
        return m == 0 ? 0 : mulmod(a, b, m);
    }

    /// base^exponent mod m, or 0 when m is 0 (EIP-198 MODEXP with 32-byte
    /// operands). Like the C, scans the exponent from the top of its highest
    /// nonzero 32-bit limb, so it does the same number of steps.
    function modexp(uint256 base, uint256 exponent, uint256 m) internal pure returns (uint256 r) {
        if (m == 0) return 0;
        r = 1 % m;
        base %= m;
        uint256 bits = 256;
        while (bits > 0 && exponent >> (bits - 32) == 0) bits -= 32;
        for (uint256 bit = bits; bit > 0; bit--) {
            r = mulmod(r, r, m);
            if ((exponent >> (bit - 1)) & 1 == 1) r = mulmod(r, base, m);
        }
    }

    /// u256_random: four splitmix64 outputs, least significant first.
    function random(uint64 seed) internal pure returns (uint64, uint256 r) {
        for (uint256 k = 0; k < 4; k++) {
            uint64 x;
            (seed, x) = wlNext(seed);
            r |= uint256(x) << (64 * k);
        }
        return (seed, r);
    }

    /// fold_u256: folds the four 64-bit words of `a`, least significant first.
    function fold(uint64 acc, uint256 a) internal pure returns (uint64) {
        for (uint256 k = 0; k < 4; k++) acc = wlFold(acc, uint64(a >> (64 * k)));
        return acc;
    }
}
