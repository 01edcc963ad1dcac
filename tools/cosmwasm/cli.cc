// `wvm cosmwasm`: the CosmWasm commands of the `wvm` program. Each command
// opens the state (tools/cosmwasm/state.h), runs at most one contract call on
// the host in hosts/cosmwasm/ and writes what the call changed only when it
// succeeds.
#include "tools/cosmwasm/cli.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "hosts/cosmwasm/analysis.h"
#include "hosts/cosmwasm/mock.h"
#include "hosts/cosmwasm/vm.h"
#include "tools/cosmwasm/help.h"
#include "tools/cosmwasm/state.h"
#include "wvm/wvm.h"

namespace wvm::cosmwasm::cli {

namespace {

using OrderedJson = nlohmann::ordered_json;

/// Exit codes of `wvm cosmwasm`; 0-2, 5 and 6 mean what they mean for `wvm run`.
enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,          ///< bad command line, MSG or --balances not valid JSON
  kExitCannotRead = 2,     ///< FILE.wasm or the --balances file cannot be read
  kExitRejected = 3,       ///< store: the code fails check_wasm or does not compile
  kExitNotFound = 4,       ///< unknown code checksum or contract address
  kExitVmError = 5,        ///< the VM failed the call (trap, import error, bad result)
  kExitOutOfGas = 6,       ///< the call ran out of gas
  kExitContractError = 7,  ///< the contract returned {"error": ...}
  kExitStateError = 8,     ///< the state cannot be opened, read or written
};

constexpr const char* kChainId = "wvm-local";
constexpr const char* kAddressPrefix = "cosmwasm";
/// 500 billion CosmWasm gas: about 3.57 million SDK gas at wasmd's multiplier of 140,000.
constexpr uint64_t kDefaultGasLimit = 500'000'000'000;
/// The name `addr` turns into the default sender.
constexpr const char* kDefaultSenderName = "sender";

/// What a default wasmd 0.61 chain (wasmvm 3.0) offers: wasmkeeper.BuiltInCapabilities().
const std::set<std::string> kChainCapabilities = {
    "iterator",     "staking",      "stargate",     "cosmwasm_1_1", "cosmwasm_1_2", "cosmwasm_1_3",
    "cosmwasm_1_4", "cosmwasm_2_0", "cosmwasm_2_1", "cosmwasm_2_2", "cosmwasm_3_0", "ibc2",
};

// ---- command-line parsing ----

int usage_error(const std::string& message) {
  std::fprintf(stderr, "wvm cosmwasm: %s\nRun `wvm cosmwasm --help` for usage.\n", message.c_str());
  return kExitUsage;
}

bool is_help_flag(std::string_view a) {
  return a == "--help" || a == "-h";
}

/// Options and positional arguments of one command.
struct Args {
  std::map<std::string, std::string> options;  ///< name -> value ("" for flags)
  std::vector<std::string> positionals;
};

/// An option a command accepts.
struct OptionSpec {
  const char* name;
  bool takes_value;
};

const OptionSpec kAllOptions[] = {
    {"--state", true}, {"--sender", true},   {"--funds", true}, {"--gas", true},
    {"--label", true}, {"--balances", true}, {"--tier", true},  {"--debug", false},
    {"--vm-version", true},
};

/// Parses `args` for command `cmd`, which accepts command_options(cmd)
/// (before, between or after the positional arguments, as "--opt VALUE" or
/// "--opt=VALUE"; "--" ends them). Returns an exit code when the command
/// is done: an error, or --help printed.
std::optional<int> parse_args(const std::string& cmd,
                              const std::vector<std::string>& args,
                              Args* out) {
  const std::set<std::string>& allowed = command_options(cmd);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (is_help_flag(a)) {
      std::fputs(command_help(cmd).value_or("").c_str(), stdout);
      return kExitOk;
    }
    if (a == "--") {
      out->positionals.insert(out->positionals.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (a.size() < 3 || a[0] != '-' || a[1] != '-') {
      out->positionals.push_back(a);
      continue;
    }
    const size_t eq = a.find('=');
    const std::string name = a.substr(0, eq);
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& s : kAllOptions)
      if (name == s.name)
        spec = &s;
    if (spec == nullptr)
      return usage_error(cmd + ": unknown option " + name);
    if (!allowed.count(name))
      return usage_error(cmd + ": " + name + " does not apply to " + cmd);
    if (out->options.count(name))
      return usage_error(cmd + ": " + name + " given twice");
    std::string value;
    if (spec->takes_value) {
      if (eq != std::string::npos) {
        value = a.substr(eq + 1);
      } else {
        if (i + 1 >= args.size())
          return usage_error(cmd + ": " + name + " needs a value");
        value = args[++i];
      }
    } else if (eq != std::string::npos) {
      return usage_error(cmd + ": " + name + " takes no value");
    }
    out->options[name] = value;
  }
  return std::nullopt;
}

/// Checks the number of positional arguments.
std::optional<int> expect_positionals(const std::string& cmd,
                                      const Args& args,
                                      const std::vector<const char*>& names) {
  if (args.positionals.size() == names.size())
    return std::nullopt;
  std::string list;
  for (const char* n : names)
    list += std::string(list.empty() ? "" : " ") + n;
  if (args.positionals.size() < names.size())
    return usage_error(cmd + ": missing " + names[args.positionals.size()] + " (expected " + list +
                       ")");
  return usage_error(cmd + ": too many arguments (expected " + list +
                     "); quote MSG as one argument");
}

bool parse_gas(const std::string& v, uint64_t* out) {
  if (v.empty() || v[0] < '0' || v[0] > '9')
    return false;
  char* end = nullptr;
  errno = 0;
  const unsigned long long n = std::strtoull(v.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE)
    return false;
  *out = n;
  return true;
}

bool parse_tier(const std::string& v, TierPolicy* out) {
  if (v == "interp")
    *out = TierPolicy::Interp;
  else if (v == "jit")
    *out = TierPolicy::Jit;
  else if (v == "auto")
    *out = TierPolicy::Auto;
  else
    return false;
  return true;
}

/// The Cosmos SDK's denom rule: [a-zA-Z][a-zA-Z0-9/:._-]{2,127}.
bool valid_denom(std::string_view d) {
  if (d.size() < 3 || d.size() > 128)
    return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(d[0]))
    return false;
  for (char c : d.substr(1))
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '/' && c != ':' && c != '.' && c != '_' &&
        c != '-')
      return false;
  return true;
}

/// Sorts coins by denom (the SDK's Coins order); false with `error` on a duplicate denom.
bool sort_coins(std::vector<Coin>* coins, std::string* error) {
  std::sort(coins->begin(), coins->end(),
            [](const Coin& a, const Coin& b) { return a.denom < b.denom; });
  for (size_t i = 1; i < coins->size(); ++i)
    if ((*coins)[i].denom == (*coins)[i - 1].denom) {
      *error = "denom " + (*coins)[i].denom + " appears twice";
      return false;
    }
  return true;
}

/// "100ucosm,5uatom" -> coins sorted by denom; "" is no coins.
std::optional<std::vector<Coin>> parse_funds(const std::string& text, std::string* error) {
  std::vector<Coin> coins;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos)
      comma = text.size();
    const std::string item = text.substr(pos, comma - pos);
    size_t digits = 0;
    while (digits < item.size() && item[digits] >= '0' && item[digits] <= '9')
      ++digits;
    std::optional<std::string> amount = normalize_amount(item.substr(0, digits));
    const std::string denom = item.substr(digits);
    if (digits == 0 || !amount || !valid_denom(denom)) {
      *error = "\"" + item + "\" is not AMOUNTDENOM (e.g. 100ucosm)";
      return std::nullopt;
    }
    if (*amount == "0") {
      *error = "\"" + item + "\": amounts must be positive";
      return std::nullopt;
    }
    coins.push_back(Coin{denom, *amount});
    pos = comma + 1;
  }
  if (!sort_coins(&coins, error))
    return std::nullopt;
  return coins;
}

/// "1000earth,5ucosm" (the SDK's Coins.String()); "none" when empty.
std::string coins_text(const std::vector<Coin>& coins) {
  if (coins.empty())
    return "none";
  std::string out;
  for (const Coin& c : coins)
    out += (out.empty() ? "" : ",") + c.amount + c.denom;
  return out;
}

bool valid_address(const std::string& address) {
  MockApi api(kAddressPrefix);
  return api.addr_validate(address).ok();
}

// ---- the chain ----

/// The n-th contract's address: bech32(prefix, SHA-256(n big-endian || checksum)).
std::string contract_address(uint64_t instance, const Bytes& checksum) {
  Bytes preimage;
  for (int shift = 56; shift >= 0; shift -= 8)
    preimage.push_back(static_cast<uint8_t>(instance >> shift));
  preimage.insert(preimage.end(), checksum.begin(), checksum.end());
  return bech32::encode(kAddressPrefix, sha256(preimage)).value_or(std::string());
}

/// cosmwasm-std 3.0's Env as JSON (the shape of mock_env_json()); queries
/// have no transaction, as wasmd leaves it out for them.
std::string env_json(const BlockInfo& block, const std::string& contract, bool in_transaction) {
  OrderedJson env;
  env["block"]["height"] = block.height;
  env["block"]["time"] = std::to_string(block.time_ns);
  env["block"]["chain_id"] = kChainId;
  if (in_transaction)
    env["transaction"]["index"] = 0;
  env["contract"]["address"] = contract;
  return env.dump();
}

BlockInfo next_block(const BlockInfo& b) {
  return BlockInfo{b.height + 1, b.time_ns + kBlockIntervalNs};
}

/// "2024-01-01T00:00:05Z" (with nanoseconds when there are any).
std::string time_text(uint64_t time_ns) {
  const std::time_t secs = static_cast<std::time_t>(time_ns / 1'000'000'000);
  const uint64_t nanos = time_ns % 1'000'000'000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (nanos != 0) {
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09" PRIu64, nanos);
    out += frac;
  }
  return out + "Z";
}

// ---- printing ----

/// Appends `j` indented by two spaces per level, in its key order. Arrays of
/// scalars stay on one line ("early": [0, 1, 2]), so a result is short and
/// easy to grep.
void append_pretty(const OrderedJson& j, int depth, std::string* out) {
  const auto scalar_text = [](const OrderedJson& v) {
    return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  const std::string pad(2 * (depth + 1), ' ');
  if (j.is_object() && !j.empty()) {
    *out += "{\n";
    size_t i = 0;
    for (auto it = j.begin(); it != j.end(); ++it, ++i) {
      *out += pad + scalar_text(OrderedJson(it.key())) + ": ";
      append_pretty(it.value(), depth + 1, out);
      *out += i + 1 < j.size() ? ",\n" : "\n";
    }
    *out += std::string(2 * depth, ' ') + "}";
    return;
  }
  if (j.is_array() && !j.empty()) {
    const bool flat = std::none_of(
        j.begin(), j.end(), [](const OrderedJson& v) { return v.is_structured() && !v.empty(); });
    if (flat) {
      *out += "[";
      for (size_t i = 0; i < j.size(); ++i)
        *out += (i ? ", " : "") + scalar_text(j[i]);
      *out += "]";
      return;
    }
    *out += "[\n";
    for (size_t i = 0; i < j.size(); ++i) {
      *out += pad;
      append_pretty(j[i], depth + 1, out);
      *out += i + 1 < j.size() ? ",\n" : "\n";
    }
    *out += std::string(2 * depth, ' ') + "]";
    return;
  }
  *out += scalar_text(j);  // scalars, {} and []
}

/// Pretty-printed JSON; the text itself if it does not parse.
std::string pretty_json(const Bytes& json) {
  try {
    std::string out;
    append_pretty(OrderedJson::parse(json.begin(), json.end()), 0, &out);
    return out;
  } catch (const nlohmann::json::exception&) {
    return std::string(json.begin(), json.end());
  }
}

void print_gas(const GasReport& g) {
  std::printf("gas: limit %" PRIu64 ", remaining %" PRIu64 ", used internally %" PRIu64
              ", used externally %" PRIu64 "\n",
              g.limit, g.remaining, g.used_internally, g.used_externally);
}

/// Prints the result of a successful call and a note about undispatched messages.
void print_result(const CallResult& r) {
  std::printf("result:\n%s\n", pretty_json(r.data).c_str());
  std::fflush(stdout);  // the note follows the result, also when both go to one pipe
  try {
    const nlohmann::json j = nlohmann::json::parse(r.data.begin(), r.data.end());
    if (j.is_object() && j.contains("messages") && j["messages"].is_array() &&
        !j["messages"].empty())
      std::fprintf(stderr, "note: %zu message(s) in the response printed, not dispatched\n",
                   j["messages"].size());
  } catch (const nlohmann::json::exception&) {
  }
}

/// Reports a failed call (error on stderr, gas on stdout) and returns its exit code.
int report_failure(const CallResult& r) {
  std::fflush(stdout);
  if (r.status == CallResult::Status::ContractError) {
    std::fprintf(stderr, "contract error: %s\n", r.contract_error.c_str());
    print_gas(r.gas);
    return kExitContractError;
  }
  std::fprintf(stderr, "vm error: %s\n", r.vm_error.to_string().c_str());
  print_gas(r.gas);
  return r.vm_error.kind == VmErrorKind::GasDepletion ? kExitOutOfGas : kExitVmError;
}

int state_error(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return kExitStateError;
}

// ---- shared by the calling commands ----

/// The options of instantiate, execute, query and migrate, parsed.
struct CallOptions {
  std::string state_dir;
  std::string sender;
  std::vector<Coin> funds;
  std::string label;
  uint64_t gas_limit = kDefaultGasLimit;
  std::optional<std::string> balances_file;
  TierPolicy tier = TierPolicy::Auto;
  VmVersion vm_version = VmVersion::V3_0;
  bool debug = false;
};

std::optional<int> read_call_options(const std::string& cmd, const Args& args, CallOptions* o) {
  auto opt = [&](const char* name) -> const std::string* {
    auto it = args.options.find(name);
    return it == args.options.end() ? nullptr : &it->second;
  };
  const std::string* state = opt("--state");
  if (state == nullptr || state->empty())
    return usage_error(cmd + ": --state DIR is required");
  o->state_dir = *state;
  o->sender = MockApi(kAddressPrefix).addr_make(kDefaultSenderName);
  if (const std::string* v = opt("--sender")) {
    if (!valid_address(*v))
      return usage_error(cmd + ": --sender \"" + *v +
                         "\" is not a valid address with the prefix "
                         "\"cosmwasm\" (`wvm cosmwasm addr NAME` makes one)");
    o->sender = *v;
  }
  if (const std::string* v = opt("--funds")) {
    std::string error;
    std::optional<std::vector<Coin>> funds = parse_funds(*v, &error);
    if (!funds)
      return usage_error(cmd + ": --funds: " + error);
    o->funds = std::move(*funds);
  }
  if (const std::string* v = opt("--label"))
    o->label = *v;
  if (const std::string* v = opt("--gas")) {
    if (!parse_gas(*v, &o->gas_limit))
      return usage_error(cmd + ": --gas takes a non-negative integer, got \"" + *v + "\"");
  }
  if (const std::string* v = opt("--balances"))
    o->balances_file = *v;
  if (const std::string* v = opt("--tier")) {
    if (!parse_tier(*v, &o->tier))
      return usage_error(cmd + ": unknown tier \"" + *v + "\" (interp, jit or auto)");
  }
  if (const std::string* v = opt("--vm-version")) {
    std::optional<VmVersion> version = parse_vm_version(*v);
    if (!version)
      return usage_error(cmd + ": unknown --vm-version \"" + *v + "\" (3.0 or 3.0.9)");
    o->vm_version = *version;
  }
  o->debug = opt("--debug") != nullptr;
  return std::nullopt;
}

/// Parses MSG; an invalid one is a usage error (contracts get only valid JSON).
std::optional<int> check_msg(const std::string& cmd, const std::string& msg) {
  if (json_nesting_depth(as_bytes(msg)) > kMaxJsonDepth)
    return usage_error(cmd + ": MSG is nested too deeply");
  try {
    const nlohmann::json parsed = nlohmann::json::parse(msg);
  } catch (const nlohmann::json::exception& e) {
    return usage_error(cmd + ": MSG is not valid JSON: " + e.what());
  }
  return std::nullopt;
}

/// Reads a --balances file: {"ADDRESS": [{"denom": ..., "amount": ...}], ...}.
std::optional<Balances> read_balances_file(const std::string& path, int* exit_code) {
  auto bytes = wvm::read_file(path);
  if (!bytes) {
    std::fprintf(stderr, "error: --balances: %s\n", bytes.error().message.c_str());
    *exit_code = kExitCannotRead;
    return std::nullopt;
  }
  auto fail = [&](const std::string& message) -> std::optional<Balances> {
    std::fprintf(stderr, "error: --balances %s: %s\n", path.c_str(), message.c_str());
    *exit_code = kExitUsage;
    return std::nullopt;
  };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(bytes->begin(), bytes->end());
  } catch (const nlohmann::json::exception& e) {
    return fail(std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object())
    return fail("expected an object {\"ADDRESS\": [{\"denom\": ..., \"amount\": ...}], ...}");
  Balances out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string error;
    std::optional<std::vector<Coin>> coins = coins_from_json(it.value().dump(), &error);
    if (!coins || !sort_coins(&*coins, &error))
      return fail(it.key() + ": " + error);
    for (const Coin& c : *coins)
      if (!valid_denom(c.denom))
        return fail(it.key() + ": invalid denom \"" + c.denom + "\"");
    out.emplace_back(it.key(), std::move(*coins));
  }
  return out;
}

/// The state and the bank view of one calling command.
struct Session {
  std::unique_ptr<ChainState> state;
  std::map<std::string, std::vector<Coin>> balances;  ///< what the querier answers from
  std::set<std::string> changed_accounts;             ///< balances to save on success

  /// The changed balances, for StateChanges.
  Balances changes() const {
    Balances out;
    for (const std::string& a : changed_accounts)
      out.emplace_back(a, balances.at(a));
    return out;
  }
  std::unique_ptr<MockQuerier> querier() const {
    Balances list(balances.begin(), balances.end());
    return std::make_unique<MockQuerier>(list);
  }
};

/// Opens the state and loads the balances (with the --balances file applied).
std::optional<int> open_session(const CallOptions& o, Session* s) {
  std::optional<Balances> overrides;
  if (o.balances_file) {
    int code = kExitOk;
    overrides = read_balances_file(*o.balances_file, &code);
    if (!overrides)
      return code;
  }
  StateResult<std::unique_ptr<ChainState>> state = ChainState::open(o.state_dir, false);
  if (!state.ok())
    return state_error(*state.error);
  s->state = std::move(state.value);
  StateResult<Balances> balances = s->state->balances();
  if (!balances.ok())
    return state_error(*balances.error);
  for (auto& [address, coins] : balances.value)
    s->balances[address] = std::move(coins);
  if (overrides) {
    for (auto& [address, coins] : *overrides) {
      s->balances[address] = std::move(coins);
      s->changed_accounts.insert(address);
    }
  }
  return std::nullopt;
}

/// Adds `funds` to `address`'s balance in the session.
std::optional<int> add_funds(Session* s,
                             const std::string& address,
                             const std::vector<Coin>& funds) {
  if (funds.empty())
    return std::nullopt;
  std::vector<Coin>& balance = s->balances[address];
  for (const Coin& f : funds) {
    auto it = std::find_if(balance.begin(), balance.end(),
                           [&](const Coin& c) { return c.denom == f.denom; });
    if (it == balance.end()) {
      balance.push_back(f);
      continue;
    }
    std::optional<std::string> sum = add_amounts(it->amount, f.amount);
    if (!sum)
      return usage_error("--funds: the contract's " + f.denom + " balance would overflow u128");
    it->amount = *sum;
  }
  std::string ignored;
  sort_coins(&balance, &ignored);
  s->changed_accounts.insert(address);
  return std::nullopt;
}

/// Looks up stored code by its checksum (64 hex digits, either case).
std::optional<int> load_code(ChainState& state,
                             const std::string& cmd,
                             const std::string& checksum_text,
                             std::string* checksum,
                             Bytes* wasm) {
  std::optional<Bytes> raw = from_hex(checksum_text);
  if (!raw || raw->size() != 32)
    return usage_error(cmd + ": \"" + checksum_text +
                       "\" is not a code checksum (64 hex digits, as `store` prints)");
  *checksum = to_hex(*raw);
  StateResult<std::optional<Bytes>> code = state.code(*checksum);
  if (!code.ok())
    return state_error(*code.error);
  if (!code.value) {
    std::fprintf(stderr, "error: no code with checksum %s in the state\n", checksum->c_str());
    return kExitNotFound;
  }
  *wasm = std::move(*code.value);
  return std::nullopt;
}

std::optional<int> load_contract(ChainState& state,
                                 const std::string& address,
                                 ContractInfo* info) {
  StateResult<std::optional<ContractInfo>> c = state.contract(address);
  if (!c.ok())
    return state_error(*c.error);
  if (!c.value) {
    std::fprintf(stderr, "error: no contract with address %s in the state\n", address.c_str());
    return kExitNotFound;
  }
  *info = std::move(*c.value);
  return std::nullopt;
}

/// A contract instance on the session's backend, with what it borrows.
struct Loaded {
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<ContractStore> storage;
  std::unique_ptr<MockApi> api;
  std::unique_ptr<MockQuerier> querier;
  std::unique_ptr<ContractInstance> instance;
};

/// Compiles `wasm` and instantiates it over the contract's storage.
std::optional<int> load_instance(const Session& s,
                                 const CallOptions& o,
                                 const std::string& address,
                                 const Bytes& wasm,
                                 Loaded* out) {
  RuntimeOptions ro;
  ro.tier = o.tier;
  ro.version = o.vm_version;
  out->runtime = std::make_unique<Runtime>(ro);
  out->storage = s.state->contract_store(address);
  out->api = std::make_unique<MockApi>(kAddressPrefix);
  out->querier = s.querier();
  VmResult<std::shared_ptr<const Contract>> contract = out->runtime->compile(wasm);
  if (!contract.ok()) {
    std::fprintf(stderr, "vm error: %s\n", contract.error->to_string().c_str());
    return kExitVmError;
  }
  InstanceOptions io;
  io.print_debug = o.debug;
  VmResult<std::unique_ptr<ContractInstance>> inst = ContractInstance::create(
      *out->runtime, contract.value,
      Backend{out->storage.get(), out->api.get(), out->querier.get()}, std::move(io));
  if (!inst.ok()) {
    std::fprintf(stderr, "vm error: %s\n", inst.error->to_string().c_str());
    return kExitVmError;
  }
  out->instance = std::move(inst.value);
  return std::nullopt;
}

/// The analysis report of stored code (code in the state passed check_wasm).
std::optional<AnalysisReport> analysis_of(const Bytes& wasm) {
  Result<AnalysisReport> r = analyze(wasm);
  if (!r)
    return std::nullopt;
  return std::move(r).value();
}

/// A calling command with its arguments read and its session open.
struct Call {
  Args args;
  CallOptions o;
  Session s;

  /// MSG, always the last positional argument.
  const std::string& msg() const { return args.positionals.back(); }
};

/// The steps every calling command starts with: reads its options and its
/// positional arguments `names` (MSG last), checks MSG and opens the session.
std::optional<int> begin_call(const std::string& cmd,
                              const std::vector<std::string>& argv,
                              const std::vector<const char*>& names,
                              Call* call) {
  if (auto e = parse_args(cmd, argv, &call->args))
    return *e;
  if (auto e = read_call_options(cmd, call->args, &call->o))
    return *e;
  if (auto e = expect_positionals(cmd, call->args, names))
    return *e;
  if (auto e = check_msg(cmd, call->msg()))
    return *e;
  return open_session(call->o, &call->s);
}

/// Loads the contract at `address` and the code it runs.
std::optional<int> load_contract_code(ChainState& state,
                                      const std::string& cmd,
                                      const std::string& address,
                                      ContractInfo* info,
                                      std::string* checksum,
                                      Bytes* wasm) {
  if (auto e = load_contract(state, address, info))
    return *e;
  return load_code(state, cmd, info->code_checksum, checksum, wasm);
}

/// Reads the state's last block into `block`.
std::optional<int> load_block(ChainState& state, BlockInfo* block) {
  StateResult<BlockInfo> last = state.block();
  if (!last.ok())
    return state_error(*last.error);
  *block = last.value;
  return std::nullopt;
}

/// Commits `changes` with the session's balances and, when given, the
/// contract's pending storage writes.
std::optional<int> commit_call(const Session& s, const Loaded* c, StateChanges changes) {
  changes.balances = s.changes();
  if (c != nullptr)
    changes.storage = c->storage.get();
  if (StateResult<Unit> w = s.state->commit(changes); !w.ok())
    return state_error(*w.error);
  return std::nullopt;
}

/// Prints a successful call's result and gas.
int report_success(const CallResult& r) {
  print_result(r);
  print_gas(r.gas);
  return kExitOk;
}

// ---- commands ----

int cmd_store(const std::vector<std::string>& argv) {
  Args args;
  if (auto e = parse_args("store", argv, &args))
    return *e;
  if (!args.options.count("--state") || args.options["--state"].empty())
    return usage_error("store: --state DIR is required");
  if (auto e = expect_positionals("store", args, {"FILE.wasm"}))
    return *e;
  const std::string& path = args.positionals[0];
  auto bytes = wvm::read_file(path);
  if (!bytes) {
    std::fprintf(stderr, "error: %s\n", bytes.error().to_string().c_str());
    return kExitCannotRead;
  }
  const Bytes& wasm = bytes.value();

  AnalysisConfig config;
  config.available_capabilities = kChainCapabilities;
  if (auto it = args.options.find("--vm-version"); it != args.options.end()) {
    std::optional<VmVersion> version = parse_vm_version(it->second);
    if (!version)
      return usage_error("store: unknown --vm-version \"" + it->second + "\" (3.0 or 3.0.9)");
    config.version = *version;
  }
  if (Result<void> checked = check_wasm(wasm, config); !checked) {
    const Error& e = checked.error();
    // cosmwasm-vm's text, with the byte offset where one is known.
    if (e.offset == 0)
      std::fprintf(stderr, "error: %s\n", e.message.c_str());
    else
      std::fprintf(stderr, "error: %s (at offset 0x%zx)\n", e.message.c_str(), e.offset);
    return kExitRejected;
  }
  // Code that wvm cannot run is not worth storing (e.g. initial memory over the limit).
  Runtime runtime;
  if (auto compiled = runtime.compile(wasm); !compiled.ok()) {
    std::fprintf(stderr, "error: %s\n", compiled.error->to_string().c_str());
    return kExitRejected;
  }
  Result<AnalysisReport> report = analyze(wasm);
  if (!report) {
    std::fprintf(stderr, "error: %s\n", report.error().to_string().c_str());
    return kExitRejected;
  }

  StateResult<std::unique_ptr<ChainState>> state = ChainState::open(args.options["--state"], true);
  if (!state.ok())
    return state_error(*state.error);
  const std::string checksum = to_hex(sha256(wasm));
  StateResult<std::optional<Bytes>> existing = state.value->code(checksum);
  if (!existing.ok())
    return state_error(*existing.error);
  if (existing.value) {
    std::fprintf(stderr, "note: this code is already stored\n");
  } else {
    StateChanges changes;
    changes.codes.emplace_back(checksum, wasm);
    if (StateResult<Unit> w = state.value->commit(changes); !w.ok())
      return state_error(*w.error);
  }

  const AnalysisReport& r = report.value();
  std::string entry_points, capabilities;
  for (const std::string& e : r.entrypoints)
    entry_points += (entry_points.empty() ? "" : ", ") + e;
  for (const std::string& c : r.required_capabilities)
    capabilities += (capabilities.empty() ? "" : ", ") + c;
  std::printf("checksum: %s\n", checksum.c_str());
  std::printf("size: %zu bytes\n", wasm.size());
  std::printf("entry points: %s\n", entry_points.empty() ? "none" : entry_points.c_str());
  std::printf("required capabilities: %s\n", capabilities.empty() ? "none" : capabilities.c_str());
  if (r.contract_migrate_version)
    std::printf("migrate version: %" PRIu64 "\n", *r.contract_migrate_version);
  else
    std::printf("migrate version: none\n");
  std::printf("ibc entry points: %s\n", r.has_ibc_entry_points ? "yes" : "no");
  return kExitOk;
}

int cmd_instantiate(const std::vector<std::string>& argv) {
  const std::string cmd = "instantiate";
  Call call;
  if (auto e = begin_call(cmd, argv, {"CHECKSUM", "MSG"}, &call))
    return *e;
  Session& s = call.s;
  const CallOptions& o = call.o;
  std::string checksum;
  Bytes wasm;
  if (auto e = load_code(*s.state, cmd, call.args.positionals[0], &checksum, &wasm))
    return *e;
  StateResult<uint64_t> instance_number = s.state->next_instance();
  if (!instance_number.ok())
    return state_error(*instance_number.error);
  BlockInfo block;
  if (auto e = load_block(*s.state, &block))
    return *e;
  block = next_block(block);
  const std::string address = contract_address(instance_number.value, *from_hex(checksum));
  // The funds arrive before the contract runs (its balance queries see them).
  if (auto e = add_funds(&s, address, o.funds))
    return *e;

  Loaded c;
  if (auto e = load_instance(s, o, address, wasm, &c))
    return *e;
  const CallResult r = c.instance->instantiate(
      env_json(block, address, true), mock_info_json(o.sender, o.funds), call.msg(), o.gas_limit);
  if (!r.ok())
    return report_failure(r);

  ContractInfo info;
  info.address = address;
  info.code_checksum = checksum;
  info.label = o.label;
  info.creator = o.sender;
  info.instance = instance_number.value;
  info.created_height = block.height;
  StateChanges changes;
  changes.block = block;
  changes.next_instance = instance_number.value + 1;
  changes.contracts.push_back(info);
  if (auto e = commit_call(s, &c, std::move(changes)))
    return *e;
  std::printf("address: %s\n", address.c_str());
  return report_success(r);
}

int cmd_execute(const std::vector<std::string>& argv) {
  const std::string cmd = "execute";
  Call call;
  if (auto e = begin_call(cmd, argv, {"ADDRESS", "MSG"}, &call))
    return *e;
  Session& s = call.s;
  const CallOptions& o = call.o;
  const std::string& address = call.args.positionals[0];
  ContractInfo info;
  std::string checksum;
  Bytes wasm;
  if (auto e = load_contract_code(*s.state, cmd, address, &info, &checksum, &wasm))
    return *e;
  BlockInfo block;
  if (auto e = load_block(*s.state, &block))
    return *e;
  block = next_block(block);
  if (auto e = add_funds(&s, address, o.funds))
    return *e;

  Loaded c;
  if (auto e = load_instance(s, o, address, wasm, &c))
    return *e;
  const CallResult r = c.instance->execute(
      env_json(block, address, true), mock_info_json(o.sender, o.funds), call.msg(), o.gas_limit);
  if (!r.ok())
    return report_failure(r);

  StateChanges changes;
  changes.block = block;
  if (auto e = commit_call(s, &c, std::move(changes)))
    return *e;
  return report_success(r);
}

int cmd_query(const std::vector<std::string>& argv) {
  const std::string cmd = "query";
  Call call;
  if (auto e = begin_call(cmd, argv, {"ADDRESS", "MSG"}, &call))
    return *e;
  Session& s = call.s;
  const CallOptions& o = call.o;
  const std::string& address = call.args.positionals[0];
  ContractInfo info;
  std::string checksum;
  Bytes wasm;
  if (auto e = load_contract_code(*s.state, cmd, address, &info, &checksum, &wasm))
    return *e;
  // A query runs in the last block, not a new one.
  BlockInfo block;
  if (auto e = load_block(*s.state, &block))
    return *e;

  Loaded c;
  if (auto e = load_instance(s, o, address, wasm, &c))
    return *e;
  const CallResult r = c.instance->query(env_json(block, address, false), call.msg(), o.gas_limit);
  if (!r.ok())
    return report_failure(r);
  // Only --balances overrides are saved: a query writes no storage.
  if (!s.changed_accounts.empty()) {
    if (auto e = commit_call(s, nullptr, StateChanges{}))
      return *e;
  }
  return report_success(r);
}

int cmd_migrate(const std::vector<std::string>& argv) {
  const std::string cmd = "migrate";
  Call call;
  if (auto e = begin_call(cmd, argv, {"ADDRESS", "NEW_CHECKSUM", "MSG"}, &call))
    return *e;
  Session& s = call.s;
  const CallOptions& o = call.o;
  const std::string& address = call.args.positionals[0];
  ContractInfo info;
  std::string old_checksum, new_checksum;
  Bytes old_wasm, new_wasm;
  if (auto e = load_contract_code(*s.state, cmd, address, &info, &old_checksum, &old_wasm))
    return *e;
  if (auto e = load_code(*s.state, cmd, call.args.positionals[1], &new_checksum, &new_wasm))
    return *e;
  BlockInfo block;
  if (auto e = load_block(*s.state, &block))
    return *e;
  block = next_block(block);

  OrderedJson migrate_info;
  migrate_info["sender"] = o.sender;
  migrate_info["old_migrate_version"] = nullptr;
  if (std::optional<AnalysisReport> old_report = analysis_of(old_wasm);
      old_report && old_report->contract_migrate_version)
    migrate_info["old_migrate_version"] = *old_report->contract_migrate_version;

  Loaded c;
  if (auto e = load_instance(s, o, address, new_wasm, &c))
    return *e;
  const CallResult r = c.instance->migrate_with_info(env_json(block, address, true), call.msg(),
                                                     migrate_info.dump(), o.gas_limit);
  if (!r.ok())
    return report_failure(r);

  info.code_checksum = new_checksum;
  StateChanges changes;
  changes.block = block;
  changes.contracts.push_back(info);
  if (auto e = commit_call(s, &c, std::move(changes)))
    return *e;
  std::printf("address: %s\n", address.c_str());
  std::printf("code: %s -> %s\n", old_checksum.c_str(), new_checksum.c_str());
  return report_success(r);
}

int cmd_show(const std::vector<std::string>& argv) {
  Args args;
  if (auto e = parse_args("show", argv, &args))
    return *e;
  if (!args.options.count("--state") || args.options["--state"].empty())
    return usage_error("show: --state DIR is required");
  if (auto e = expect_positionals("show", args, {}))
    return *e;
  StateResult<std::unique_ptr<ChainState>> opened =
      ChainState::open(args.options["--state"], false);
  if (!opened.ok())
    return state_error(*opened.error);
  ChainState& state = *opened.value;
  StateResult<BlockInfo> block = state.block();
  StateResult<std::vector<std::pair<std::string, size_t>>> codes = state.codes();
  StateResult<std::vector<ContractInfo>> contracts = state.contracts();
  StateResult<Balances> balances = state.balances();
  for (const std::optional<std::string>* e :
       {&block.error, &codes.error, &contracts.error, &balances.error})
    if (*e)
      return state_error(**e);
  std::printf("chain id: %s\n", kChainId);
  std::printf("block: height %" PRIu64 ", time %" PRIu64 " (%s)\n", block.value.height,
              block.value.time_ns, time_text(block.value.time_ns).c_str());
  std::printf("codes: %zu\n", codes.value.size());
  for (const auto& [checksum, size] : codes.value)
    std::printf("  %s %zu bytes\n", checksum.c_str(), size);
  std::printf("contracts: %zu\n", contracts.value.size());
  for (const ContractInfo& c : contracts.value) {
    std::printf("  %s\n", c.address.c_str());
    std::printf("    code %s, label \"%s\", creator %s, created at height %" PRIu64 "\n",
                c.code_checksum.c_str(), c.label.c_str(), c.creator.c_str(), c.created_height);
  }
  std::printf("balances: %zu\n", balances.value.size());
  for (const auto& [address, coins] : balances.value)
    std::printf("  %s %s\n", address.c_str(), coins_text(coins).c_str());
  return kExitOk;
}

int cmd_addr(const std::vector<std::string>& args) {
  if (!args.empty() && is_help_flag(args[0])) {
    std::fputs(command_help("addr")->c_str(), stdout);
    return kExitOk;
  }
  if (args.empty())
    return usage_error("addr: missing NAME");
  MockApi api(kAddressPrefix);
  for (const std::string& name : args)
    std::printf("%s\n", api.addr_make(name).c_str());
  return kExitOk;
}

}  // namespace

int help(const std::string& command) {
  if (command.empty() || command == "cosmwasm") {
    std::fputs(overview_help(), stdout);
    return kExitOk;
  }
  std::optional<std::string> text = command_help(command);
  if (!text)
    return usage_error("help: unknown command \"" + command + "\"");
  std::fputs(text->c_str(), stdout);
  return kExitOk;
}

int run(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::fputs(overview_help(), stderr);
    return kExitUsage;
  }
  const std::string& cmd = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (is_help_flag(cmd))
    return help("");
  if (cmd == "help")
    return help(rest.empty() ? "" : rest[0]);
  if (cmd == "store")
    return cmd_store(rest);
  if (cmd == "instantiate")
    return cmd_instantiate(rest);
  if (cmd == "execute")
    return cmd_execute(rest);
  if (cmd == "query")
    return cmd_query(rest);
  if (cmd == "migrate")
    return cmd_migrate(rest);
  if (cmd == "show")
    return cmd_show(rest);
  if (cmd == "addr")
    return cmd_addr(rest);
  return usage_error("unknown command \"" + cmd + "\"");
}

}  // namespace wvm::cosmwasm::cli
