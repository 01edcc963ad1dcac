// `wvm cosmwasm`: store, instantiate, execute, query and migrate CosmWasm
// contracts on a local chain persisted in RocksDB (tools/cosmwasm/state.h).
#pragma once

#include <string>
#include <vector>

namespace wvm::cosmwasm::cli {

/// Runs `wvm cosmwasm ARGS...` (ARGS without "cosmwasm"); returns the exit code.
int run(const std::vector<std::string>& args);

/// Prints the help of `wvm cosmwasm` ("" or "cosmwasm") or of one of its
/// commands to stdout; returns the exit code (usage error for an unknown command).
int help(const std::string& command);

}  // namespace wvm::cosmwasm::cli
