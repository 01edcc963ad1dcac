// The help texts of `wvm cosmwasm` and the options each command accepts.
#include "tools/cosmwasm/help.h"

namespace wvm::cosmwasm::cli {

namespace {

constexpr const char* kOverview = R"(Usage: wvm cosmwasm COMMAND [OPTIONS] ARGS...

Runs CosmWasm contracts, with cosmwasm-vm 3.0's checks, imports and gas, on a
local chain kept in a directory (--state DIR, a RocksDB database): stored
code, contracts, their storage, bank balances and the block persist between
runs.

Commands:
  store        --state DIR FILE.wasm
               Check FILE.wasm as a wasmd chain would, store it under its
               SHA-256 checksum, print the checksum and the analysis report.
  instantiate  --state DIR [OPTIONS] CHECKSUM MSG
               Create a contract from stored code and call its instantiate.
  execute      --state DIR [OPTIONS] ADDRESS MSG
               Call the contract's execute.
  query        --state DIR [OPTIONS] ADDRESS MSG
               Call the contract's query (read-only storage).
  migrate      --state DIR [OPTIONS] ADDRESS NEW_CHECKSUM MSG
               Switch the contract to other stored code and call its migrate.
  show         --state DIR
               Print the last block, stored code, contracts and balances.
  addr         NAME...
               Print the address made from each NAME, for --sender and messages.
  help [COMMAND]
               This text, or a command's (same as COMMAND --help).

MSG is the contract's JSON message. The commands that call a contract print
the result (the "ok" value of the contract's response pretty-printed; for
query, the query response) and the gas report
  gas: limit L, remaining R, used internally I, used externally E
A command that fails changes nothing in the state.

The chain:
  - Chain id "wvm-local". Every instantiate, execute or migrate that succeeds
    is a transaction in a new block: height + 1, time + 5 s, starting from
    height 0 at 2024-01-01T00:00:00Z; a query sees the last block.
  - Addresses are bech32 with the prefix "cosmwasm" (cosmwasm-vm's MockApi).
    The n-th contract created in a state gets the address
    bech32("cosmwasm", SHA-256(n as 8 bytes big-endian || code checksum)).
  - Bank queries (balance, all_balances, supply) are answered from the
    balances in the state, set with --balances. Funds sent with instantiate
    or execute are added to the contract's balance; the sender's balance is
    neither checked nor debited. Other queries get cosmwasm's mock answers
    (no such contract, unsupported request).
  - Messages in a contract's response (BankMsg::Send, WasmMsg::Execute, ...)
    are printed with the result, not dispatched: no other module or contract
    runs and no balance moves.

Exit codes:
  0  success
  1  usage error: unknown option, missing argument, MSG or the --balances
     file not valid JSON, a malformed address, coin or gas limit
  2  a file cannot be read
  3  store: the code is rejected ("error: <message>" names the rule)
  4  unknown code checksum or contract address
  5  VM error: a trap, a failing import, a panic, an invalid result
     ("vm error: <message>" on stderr)
  6  out of gas ("vm error: Ran out of gas during contract execution")
  7  the contract returned an error ("contract error: <message>" on stderr)
  8  the state cannot be opened, read or written (or DIR holds no state)
)";

constexpr const char* kCallOptionsHelp = R"(
Options:
  --state DIR        The state directory (required).
  --sender ADDR      info.sender (default: `wvm cosmwasm addr sender`); a
                     bech32 address with the prefix "cosmwasm".
  --funds COINS      info.funds: amount and denom, comma-separated, e.g.
                     100ucosm,5uatom; added to the contract's balance.
  --label TEXT       The contract's label (default: empty).
  --gas LIMIT        The call's gas limit in CosmWasm gas units (default
                     500000000000, about 3.57 million SDK gas).
  --balances FILE    Sets bank balances first, from a JSON object
                     {"ADDRESS": [{"denom": "ucosm", "amount": "100"}], ...}:
                     each listed account's balance is replaced. Saved in the
                     state with the rest when the command succeeds.
  --tier NAME        auto (the default), interp or jit, as for `wvm run`.
  --vm-version V     The cosmwasm-vm release whose gas is charged: 3.0 (the
                     default: 3.0.0 to 3.0.8) or 3.0.9 (adds 115 gas per
                     declared local above 29 in each called function).
  --debug            Print the contract's debug messages on stderr.
)";

constexpr const char* kStoreHelp = R"(Usage: wvm cosmwasm store --state DIR [--vm-version V] FILE.wasm

Checks FILE.wasm with cosmwasm-vm 3.0's store-time rules (check_wasm) and the
capabilities of a default wasmd chain (iterator, staking, stargate,
cosmwasm_1_1 to cosmwasm_1_4, cosmwasm_2_0 to cosmwasm_2_2, cosmwasm_3_0,
ibc2), compiles it, and stores it under its SHA-256 checksum. Creates the
state if DIR holds none. Storing the same code again is not an error.
--vm-version 3.0.9 adds that release's limits on function locals (at most
100 in a function, 10000 in all); 3.0 (the default) is 3.0.0 to 3.0.8.

Prints:
  checksum: <SHA-256 of FILE.wasm, 64 hex digits>
  size: <bytes>
  entry points: <exported entry points>
  required capabilities: <from requires_* exports, or "none">
  migrate version: <the cw_migrate_version section, or "none">
  ibc entry points: yes|no

Exit codes: 0 stored (or already stored), 1 usage error, 2 cannot read
FILE.wasm, 3 rejected ("error: <cosmwasm-vm's message>", with the byte offset where
one is known), 8 state error.
)";

constexpr const char* kInstantiateHelp =
    R"(Usage: wvm cosmwasm instantiate --state DIR [--sender ADDR] [--funds COINS]
           [--label TEXT] [--gas LIMIT] [--balances FILE] [--tier NAME] [--vm-version V] [--debug]
           CHECKSUM MSG

Creates a contract from the code stored under CHECKSUM and calls its
instantiate(env, info, MSG) in a new block. When it succeeds, the contract
(address, code, label, creator), its storage, its balance and the block are
saved. The n-th contract of a state has the address
bech32("cosmwasm", SHA-256(n as 8 bytes big-endian || code checksum)).

Prints:
  address: <the new contract's address>
  result:
  <the response: messages, attributes, events, data; messages are not
  dispatched>
  gas: limit L, remaining R, used internally I, used externally E
)";

constexpr const char* kExecuteHelp =
    R"(Usage: wvm cosmwasm execute --state DIR [--sender ADDR] [--funds COINS]
           [--gas LIMIT] [--balances FILE] [--tier NAME] [--vm-version V] [--debug] ADDRESS MSG

Calls the contract's execute(env, info, MSG) in a new block; when it succeeds
its storage changes, its balance and the block are saved.

Prints:
  result:
  <the response: messages, attributes, events, data; messages are not
  dispatched>
  gas: limit L, remaining R, used internally I, used externally E
)";

constexpr const char* kQueryHelp =
    R"(Usage: wvm cosmwasm query --state DIR [--gas LIMIT] [--balances FILE] [--tier NAME]
           [--vm-version V] [--debug] ADDRESS MSG

Calls the contract's query(env, MSG) at the last block, with read-only
storage (a write is a VM error). Changes nothing, except that --balances is
saved when the query succeeds.

Prints:
  result:
  <the query response, pretty-printed JSON>
  gas: limit L, remaining R, used internally I, used externally E
)";

constexpr const char* kMigrateHelp =
    R"(Usage: wvm cosmwasm migrate --state DIR [--sender ADDR] [--gas LIMIT]
           [--balances FILE] [--tier NAME] [--vm-version V] [--debug] ADDRESS NEW_CHECKSUM MSG

Switches the contract to the code stored under NEW_CHECKSUM (it may be its
current code) and calls the new code's migrate(env, MSG, migrate_info) in a
new block, where migrate_info is {"sender": ADDR, "old_migrate_version": the
old code's cw_migrate_version or null}; a contract whose migrate takes no
migrate_info is called with (env, MSG). Any sender may migrate (there is no
admin). When it succeeds, the new code, the storage changes and the block
are saved.

Prints:
  address: <ADDRESS>
  code: <old checksum> -> <new checksum>
  result:
  <the response>
  gas: limit L, remaining R, used internally I, used externally E
)";

constexpr const char* kShowHelp = R"(Usage: wvm cosmwasm show --state DIR

Prints the chain id, the last block (height and time), the stored code
(checksum and size), the contracts (address, code, label, creator, the height
they were created at) and the bank balances.
Exit codes: 0 success, 1 usage error, 8 state error.
)";

constexpr const char* kAddrHelp = R"(Usage: wvm cosmwasm addr NAME...

Prints, one per line, the address made from each NAME as cosmwasm's
MockApi::addr_make does: bech32("cosmwasm", SHA-256(NAME)). Use them as
--sender and in messages; the default sender is `wvm cosmwasm addr sender`.
)";

const std::set<std::string> kStateOnly = {"--state"};
const std::set<std::string> kStoreOptions = {"--state", "--vm-version"};
const std::set<std::string> kInstantiateOptions = {
    "--state", "--sender", "--funds", "--label", "--gas",
    "--balances", "--tier", "--debug", "--vm-version"};
const std::set<std::string> kExecuteOptions = {"--state",    "--sender", "--funds",
                                               "--gas",      "--balances", "--tier",
                                               "--debug",    "--vm-version"};
const std::set<std::string> kQueryOptions = {"--state", "--gas",   "--balances",
                                             "--tier",  "--debug", "--vm-version"};
const std::set<std::string> kMigrateOptions = {"--state", "--sender", "--gas",       "--balances",
                                               "--tier",  "--debug",  "--vm-version"};
const std::set<std::string> kNoOptions = {};

/// The options section of a calling command's help: the entries of the
/// options it accepts (an entry starts with "  --name"; its continuation
/// lines are indented further).
std::string options_help(const std::set<std::string>& allowed) {
  const std::string text = kCallOptionsHelp;
  std::string out;
  bool keep = true;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos)
      nl = text.size();
    const std::string line = text.substr(pos, nl - pos);
    if (line.rfind("  --", 0) == 0)
      keep = allowed.count(line.substr(2, line.find(' ', 2) - 2)) > 0;
    else if (line.rfind("  ", 0) != 0)
      keep = true;  // "Options:" and blank lines
    if (keep)
      out += line + "\n";
    pos = nl + 1;
  }
  return out;
}

constexpr const char* kCallExitCodes =
    "\nExit codes: 0 success, 1 usage error, 2 cannot read a file, 4 unknown checksum or\n"
    "contract, 5 VM error, 6 out of gas, 7 contract error, 8 state error\n"
    "(see `wvm cosmwasm --help`).\n";

}  // namespace

const char* overview_help() {
  return kOverview;
}

std::optional<std::string> command_help(std::string_view command) {
  auto call_help = [](const char* text, const std::set<std::string>& options) {
    return std::string(text) + options_help(options) + kCallExitCodes;
  };
  if (command == "store")
    return std::string(kStoreHelp);
  if (command == "instantiate")
    return call_help(kInstantiateHelp, kInstantiateOptions);
  if (command == "execute")
    return call_help(kExecuteHelp, kExecuteOptions);
  if (command == "query")
    return call_help(kQueryHelp, kQueryOptions);
  if (command == "migrate")
    return call_help(kMigrateHelp, kMigrateOptions);
  if (command == "show")
    return std::string(kShowHelp);
  if (command == "addr")
    return std::string(kAddrHelp);
  return std::nullopt;
}

const std::set<std::string>& command_options(std::string_view command) {
  if (command == "store")
    return kStoreOptions;
  if (command == "show")
    return kStateOnly;
  if (command == "instantiate")
    return kInstantiateOptions;
  if (command == "execute")
    return kExecuteOptions;
  if (command == "query")
    return kQueryOptions;
  if (command == "migrate")
    return kMigrateOptions;
  return kNoOptions;
}

}  // namespace wvm::cosmwasm::cli
