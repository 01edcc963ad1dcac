// The help texts of `wvm cosmwasm` and the options each of its commands accepts.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace wvm::cosmwasm::cli {

/// `wvm cosmwasm --help`: the commands, the chain they run on, the exit codes.
const char* overview_help();
/// `wvm cosmwasm COMMAND --help`; nullopt for an unknown command.
std::optional<std::string> command_help(std::string_view command);
/// The options ("--state", ...) COMMAND accepts.
const std::set<std::string>& command_options(std::string_view command);

}  // namespace wvm::cosmwasm::cli
