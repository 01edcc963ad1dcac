// Twin of bench/workloads/erc20.c: ERC-20 style transfers over contract
// storage. The C keeps balances in the host key-value store (host_kv.h), one
// 32-byte big-endian value per account; here they are the usual
// `mapping(address => uint256)` at storage slot 0, so each kv_get is an SLOAD
// and each kv_set an SSTORE of the same 32-byte value. An unset slot reads as
// zero, as an absent key does in the C. One iteration is one transfer: two
// reads, a funds check, two writes.
//
// The keys differ in form, not in number: the C key is the 32 bytes
// address || 11 zero bytes || slot 0, used as is; Solidity's slot for an
// account is keccak256(address as 32 bytes || slot 0), so every balance access
// here also hashes 64 bytes (KECCAK256). The checksum depends only on the
// balances, so it is the C one.
pragma solidity 0.8.37;

import {bswapLanes, wlFold, wlNext} from "./Workload.sol";

contract Erc20 {
    uint256 constant kAccounts = 1024;
    uint256 constant kInitialBalance = 1000000;

    mapping(address => uint256) public balanceOf;

    /// Returns the same checksum as erc20.c's run(iterations). Writes storage:
    /// time it with eth_call, which starts every call from the deployed state.
    function run(uint32 iterations) external returns (uint64 checksum) {
        // Addresses come from the account index, so every call touches the
        // same slots; every balance is written before it is read.
        address[] memory accounts = new address[](kAccounts);
        for (uint256 i = 0; i < kAccounts; i++) {
            accounts[i] = accountAddress(i);
            balanceOf[accounts[i]] = kInitialBalance + i;
        }

        uint64 seed = 0xe2c20;
        for (uint32 i = 0; i < iterations; i++) {
            uint64 r;
            (seed, r) = wlNext(seed);
            uint256 from = r % kAccounts;
            uint256 to = (from + 1 + (r >> 16) % (kAccounts - 1)) % kAccounts;
            uint256 value = (r >> 32) % (kInitialBalance / 2);
            if (!transfer(accounts[from], accounts[to], value)) {
                checksum = wlFold(checksum, i); // a reverted transfer
            }
        }

        for (uint256 i = 0; i < kAccounts; i++) {
            uint256 balance = balanceOf[accounts[i]];
            for (uint256 k = 0; k < 4; k++) checksum = wlFold(checksum, uint64(balance >> (64 * k)));
        }
    }

    /// Moves `value` from `from` to `to`, or returns false (nothing written)
    /// when `from` holds less. from != to.
    function transfer(address from, address to, uint256 value) internal returns (bool) {
        uint256 fromBalance = balanceOf[from];
        uint256 toBalance = balanceOf[to];
        if (fromBalance < value) return false;
        // Wraps mod 2^256 like the C's amount_add; cannot overflow here, since
        // the balances sum to under 2^30.
        unchecked {
            balanceOf[from] = fromBalance - value;
            balanceOf[to] = toBalance + value;
        }
        return true;
    }

    /// The 20 bytes wl_fill(key, 20, 0xe2c20000 + account) writes, as an
    /// address (first byte most significant).
    function accountAddress(uint256 account) internal pure returns (address) {
        uint64 seed = uint64(0xe2c20000 + account);
        uint256 lanes;
        for (uint256 j = 0; j < 3; j++) {
            uint64 r;
            (seed, r) = wlNext(seed);
            lanes = (lanes << 64) | r;
        }
        // Bytes 0..24 of the fill, in memory order; the address is bytes 0..20.
        return address(uint160(bswapLanes(lanes) >> 32));
    }
}
