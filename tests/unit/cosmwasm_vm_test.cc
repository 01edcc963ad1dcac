// The CosmWasm host on real contracts (../shared/contracts/cosmwasm/):
// hackatom, cyberpunk, queue, reflect and floaty through every entry point
// they export, in tier 0 and tier 1, with the mock backends; plus the pieces
// below them (Region protocol against hostile headers, sections, UTF-8,
// Bech32 addresses, the mock storage's iterators and the mock querier).
//
// Expected values follow cosmwasm's own contract tests
// (contracts/*/tests/integration.rs, packages/vm/src/calls.rs tests); gas
// figures are compared exactly across tiers (CosmwasmVmTiers).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hosts/cosmwasm/env.h"
#include "hosts/cosmwasm/mock.h"
#include "hosts/cosmwasm/vm.h"
#include "tests/unit/builder.h"
#include "wvm/wvm.h"

namespace wvm::cosmwasm {
namespace {

using Json = nlohmann::json;

constexpr uint64_t kGas = 500'000'000'000;    // enough for any call that finishes
constexpr uint64_t kLoopGas = 2'000'000'000;  // the fixed limit loops run out of

std::string contract_path(const char* name) {
  return std::string(WVM_SHARED_DIR) + "/contracts/cosmwasm/" + name;
}

std::optional<Bytes> read_contract(const char* name) {
  std::ifstream in(contract_path(name), std::ios::binary);
  if (!in)
    return std::nullopt;
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

#define REQUIRE_CONTRACT(name)                                       \
  if (!read_contract(name))                                          \
  GTEST_SKIP() << contract_path(name)                                \
               << " is absent (the shared/ folder beside the clone " \
                  "holds the CosmWasm test contracts)"

std::string hex(ByteView b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

Json parse(const CallResult& r) {
  return Json::parse(r.data.begin(), r.data.end());
}

std::string b64(std::string_view s) {
  return base64_encode(as_bytes(s));
}

std::string decode_b64(const Json& j) {
  std::optional<Bytes> b = base64_decode(j.get<std::string>());
  return b ? std::string(b->begin(), b->end()) : std::string("<invalid base64>");
}

// One call as recorded for comparison across tiers.
struct Step {
  std::string label;
  CallResult::Status status;
  std::string data;
  std::string error;
  GasReport gas;
  uint32_t pages;
};
using Transcript = std::vector<Step>;

void expect_same(const Transcript& t0, const Transcript& t1, const char* what) {
  ASSERT_EQ(t0.size(), t1.size()) << what;
  for (size_t i = 0; i < t0.size(); ++i) {
    const Step& a = t0[i];
    const Step& b = t1[i];
    SCOPED_TRACE(std::string(what) + " / " + a.label);
    EXPECT_EQ(a.label, b.label);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.data, b.data);
    EXPECT_EQ(a.error, b.error);
    EXPECT_EQ(a.gas.limit, b.gas.limit);
    EXPECT_EQ(a.gas.remaining, b.gas.remaining);
    EXPECT_EQ(a.gas.used_externally, b.gas.used_externally);
    EXPECT_EQ(a.gas.used_internally, b.gas.used_internally);
    EXPECT_EQ(a.pages, b.pages);
  }
}

// A contract instance on fresh mock backends, recording every call.
class Session {
 public:
  Session(Runtime& runtime, const char* contract, Transcript* log, InstanceOptions options = {})
      : runtime_(runtime), options_(options), log_(log) {
    std::optional<Bytes> wasm = read_contract(contract);
    if (!wasm) {
      ADD_FAILURE() << "missing " << contract;
      return;
    }
    auto compiled = runtime.compile(*wasm);
    if (!compiled.ok()) {
      ADD_FAILURE() << compiled.error->to_string();
      return;
    }
    contract_ = compiled.value;
    fresh();
  }

  // A new instance on the same backends, as a node creates for every call.
  void fresh() {
    auto inst = ContractInstance::create(runtime_, contract_, {&storage, &api, &querier}, options_);
    if (!inst.ok()) {
      ADD_FAILURE() << inst.error->to_string();
      return;
    }
    instance = std::move(inst.value);
  }

  CallResult instantiate(const std::string& label,
                         const std::string& sender,
                         const std::string& msg,
                         const std::vector<Coin>& funds = {},
                         uint64_t gas = kGas) {
    return record(label,
                  instance->instantiate(mock_env_json(), mock_info_json(sender, funds), msg, gas));
  }
  CallResult execute(const std::string& label,
                     const std::string& sender,
                     const std::string& msg,
                     uint64_t gas = kGas,
                     const std::vector<Coin>& funds = {}) {
    return record(label,
                  instance->execute(mock_env_json(), mock_info_json(sender, funds), msg, gas));
  }
  CallResult query(const std::string& label, const std::string& msg, uint64_t gas = kGas) {
    return record(label, instance->query(mock_env_json(), msg, gas));
  }
  CallResult call(const std::string& label,
                  EntryPoint ep,
                  const std::string& msg,
                  uint64_t gas = kGas) {
    return record(label, instance->call(ep, mock_env_json(), msg, gas));
  }
  CallResult record(const std::string& label, CallResult r) {
    last_pages = instance->memory_pages();
    if (log_ != nullptr)
      log_->push_back({label, r.status, r.data_string(), r.error_message(), r.gas, last_pages});
    // A trap can leave the contract's memory inconsistent (a panic leaves
    // Rust's panic count set): continue on a fresh instance, as a node would.
    if (r.status == CallResult::Status::VmError && refresh_after_vm_error)
      fresh();
    return r;
  }
  bool ready() const { return instance != nullptr; }

  MockStorage storage;
  MockApi api;
  MockQuerier querier;
  std::unique_ptr<ContractInstance> instance;
  bool refresh_after_vm_error = true;
  uint32_t last_pages = 0;  ///< memory pages after the last recorded call

 private:
  Runtime& runtime_;
  InstanceOptions options_;
  std::shared_ptr<const Contract> contract_;
  Transcript* log_;
};

RuntimeOptions opts_for(TierPolicy tier) {
  return RuntimeOptions{.tier = tier};
}

void expect_out_of_gas(const CallResult& r, uint64_t limit) {
  ASSERT_EQ(r.status, CallResult::Status::VmError) << r.error_message();
  EXPECT_EQ(r.vm_error.kind, VmErrorKind::GasDepletion) << r.error_message();
  EXPECT_EQ(r.error_message(), "Ran out of gas during contract execution");
  // All the gas is used.
  EXPECT_EQ(r.gas.limit, limit);
  EXPECT_EQ(r.gas.remaining, 0u);
  EXPECT_EQ(r.gas.used_internally + r.gas.used_externally, limit);
}

// ---------------------------------------------------------------------------
// Scenarios: each runs one contract through its entry points with
// assertions, and returns the transcript for the cross-tier comparison.

Transcript hackatom_scenario(const RuntimeOptions& opts) {
  Transcript log;
  Runtime runtime(opts);
  Session s(runtime, "hackatom.wasm", &log);
  if (!s.ready())
    return log;
  const std::string creator = s.api.addr_make("creator");
  const std::string verifier = s.api.addr_make("verifies");
  const std::string beneficiary = s.api.addr_make("benefits");
  const std::string rich = s.api.addr_make("rich");
  const std::string contract = mock_contract_addr();
  s.querier.update_balance(rich, {{"gold", "10000"}});

  // A bad address is the contract's error (addr_validate reports it back).
  CallResult r = s.instantiate("instantiate bad address", creator,
                               R"({"verifier":"verifies","beneficiary":"benefits"})");
  EXPECT_EQ(r.status, CallResult::Status::ContractError);
  EXPECT_NE(r.contract_error.find("Error decoding bech32"), std::string::npos) << r.contract_error;

  const std::string init_msg = Json{{"verifier", verifier}, {"beneficiary", beneficiary}}.dump();
  r = s.instantiate("instantiate", creator, init_msg, {{"earth", "1000"}});
  EXPECT_TRUE(r.ok()) << r.error_message();
  if (r.ok()) {
    const Json res = parse(r);
    EXPECT_TRUE(res["messages"].empty());
    EXPECT_EQ(res["attributes"], Json::parse(R"([{"key":"Let the","value":"hacking begin"}])"));
  }
  EXPECT_EQ(r.gas.limit, kGas);
  EXPECT_GT(r.gas.used_internally, 0u);
  EXPECT_GT(r.gas.used_externally, 0u);  // db_write
  EXPECT_EQ(r.gas.used_internally + r.gas.used_externally + r.gas.remaining, kGas);
  // The state is in the mock storage under "config".
  EXPECT_EQ(s.storage.data().count(Bytes{'c', 'o', 'n', 'f', 'i', 'g'}), 1u);

  r = s.query("query verifier", R"({"verifier":{}})");
  EXPECT_TRUE(r.ok()) << r.error_message();
  EXPECT_EQ(r.data_string(), (Json{{"verifier", verifier}}.dump()));
  EXPECT_EQ(r.gas.used_externally, 6u);  // db_read of the 6-byte key "config"

  r = s.query("query other_balance rich", Json{{"other_balance", {{"address", rich}}}}.dump());
  EXPECT_TRUE(r.ok()) << r.error_message();
  EXPECT_EQ(r.data_string(), R"({"amount":[{"denom":"gold","amount":"10000"}]})");
  r = s.query("query other_balance poor",
              Json{{"other_balance", {{"address", s.api.addr_make("poor")}}}}.dump());
  EXPECT_EQ(r.data_string(), R"({"amount":[]})");
  // The querier's gas: 100,000 + 100 per byte of {"ok":{"ok":"eyJhbW91bnQiOltdfQ=="}}.
  EXPECT_EQ(r.gas.used_externally,
            100'000u + 100u * MockQuerier::system_ok(as_bytes(R"({"amount":[]})")).size());

  r = s.query("query get_int", R"({"get_int":{}})");
  EXPECT_EQ(r.data_string(), R"({"int":15731626})");

  // recurse with depth 0 hashes the contract address `work` times.
  r = s.query("query recurse", R"({"recurse":{"depth":0,"work":2}})");
  EXPECT_TRUE(r.ok()) << r.error_message();
  if (r.ok()) {
    const Bytes once = sha256(as_bytes(contract));
    EXPECT_EQ(hex(*base64_decode(parse(r)["hashed"].get<std::string>())), hex(sha256(once)));
  }
  // depth 1 queries the contract itself through the querier, which knows no contracts.
  r = s.query("query recurse via querier", R"({"recurse":{"depth":1,"work":0}})");
  EXPECT_EQ(r.status, CallResult::Status::ContractError);
  EXPECT_NE(r.contract_error.find(contract), std::string::npos) << r.contract_error;

  // release: only the verifier; pays the contract's balance to the beneficiary.
  s.querier.update_balance(contract, {{"earth", "1000"}});
  r = s.execute("execute release by beneficiary", beneficiary, R"({"release":{}})");
  EXPECT_EQ(r.status, CallResult::Status::ContractError);
  EXPECT_EQ(r.contract_error, "Unauthorized");
  r = s.execute("execute release", verifier, R"({"release":{}})");
  EXPECT_TRUE(r.ok()) << r.error_message();
  if (r.ok()) {
    Json res = parse(r);
    EXPECT_EQ(res["messages"].size(), 1u);
    EXPECT_EQ(res["messages"][0]["msg"],
              Json::parse(R"({"bank":{"send":{"to_address":")" + beneficiary +
                          R"(","amount":[{"denom":"earth","amount":"1000"}]}}})"));
    EXPECT_EQ(res["attributes"], (Json{{{"key", "action"}, {"value", "release"}},
                                       {{"key", "destination"}, {"value", beneficiary}}}));
    EXPECT_EQ(decode_b64(res["data"]), "\xF0\x0B\xAA");
  }

  r = s.execute("execute user_errors_in_api_calls", creator, R"({"user_errors_in_api_calls":{}})");
  EXPECT_TRUE(r.ok()) << r.error_message();

  // A panic is the VM's error carrying the contract's panic message.
  r = s.execute("execute panic", creator, R"({"panic":{}})");
  EXPECT_EQ(r.status, CallResult::Status::VmError);
  EXPECT_EQ(r.vm_error.kind, VmErrorKind::RuntimeErr);
  EXPECT_NE(r.error_message().find("RuntimeError: Aborted: panicked at"), std::string::npos)
      << r.error_message();
  EXPECT_NE(r.error_message().find("This page intentionally faulted"), std::string::npos);
  EXPECT_NE(r.error_message().find("contract.rs:"), std::string::npos);

  r = s.execute("execute cpu_loop", creator, R"({"cpu_loop":{}})", kLoopGas);
  expect_out_of_gas(r, kLoopGas);
  EXPECT_EQ(r.gas.used_externally, 0u);
  r = s.execute("execute storage_loop", creator, R"({"storage_loop":{}})", kLoopGas);
  expect_out_of_gas(r, kLoopGas);
  EXPECT_GT(r.gas.used_externally, 0u);
  r = s.execute("execute memory_loop", creator, R"({"memory_loop":{}})", kLoopGas);
  expect_out_of_gas(r, kLoopGas);
  EXPECT_LT(s.last_pages, 200u);  // ran out of gas before using much memory

  // Memory grows up to the instance limit (256 pages) and no further; the
  // contract returns the size before growing.
  r = s.execute("execute allocate_large_memory 48", creator,
                R"({"allocate_large_memory":{"pages":48}})");
  EXPECT_TRUE(r.ok()) << r.error_message();
  const uint32_t pages_after = s.last_pages;
  if (r.ok()) {
    const std::string old = decode_b64(parse(r)["data"]);
    EXPECT_EQ(old.size(), 4u);
    if (old.size() == 4) {
      const uint32_t old_pages = uint32_t(uint8_t(old[0])) << 24 | uint32_t(uint8_t(old[1])) << 16 |
                                 uint32_t(uint8_t(old[2])) << 8 | uint8_t(old[3]);
      EXPECT_EQ(old_pages + 48, pages_after);
    }
  }
  r = s.execute("execute allocate_large_memory 1600", creator,
                R"({"allocate_large_memory":{"pages":1600}})");
  EXPECT_EQ(r.status, CallResult::Status::ContractError);
  EXPECT_EQ(r.contract_error, "Generic error: memory.grow failed");
  EXPECT_EQ(s.last_pages, pages_after);

  // migrate changes the verifier; with info it falls back to migrate(env, msg).
  const std::string other = s.api.addr_make("someone else");
  r = s.call("migrate", EntryPoint::Migrate, Json{{"verifier", other}}.dump());
  EXPECT_TRUE(r.ok()) << r.error_message();
  r = s.query("query verifier after migrate", R"({"verifier":{}})");
  EXPECT_EQ(r.data_string(), (Json{{"verifier", other}}.dump()));
  const std::string info = Json{{"sender", creator}, {"old_migrate_version", 42}}.dump();
  r = s.record("migrate with info",
               s.instance->migrate_with_info(mock_env_json(), Json{{"verifier", verifier}}.dump(),
                                             info, kGas));
  EXPECT_TRUE(r.ok()) << r.error_message();
  r = s.query("query verifier after migrate with info", R"({"verifier":{}})");
  EXPECT_EQ(r.data_string(), (Json{{"verifier", verifier}}.dump()));

  // sudo can send anything anywhere.
  r = s.call(
      "sudo steal_funds", EntryPoint::Sudo,
      R"({"steal_funds":{"recipient":"community-pool","amount":[{"denom":"gold","amount":"700"}]}})");
  EXPECT_TRUE(r.ok()) << r.error_message();
  if (r.ok()) {
    EXPECT_EQ(
        parse(r)["messages"][0]["msg"],
        Json::parse(
            R"({"bank":{"send":{"to_address":"community-pool","amount":[{"denom":"gold","amount":"700"}]}}})"));
  }

  // Bad input is the contract's parse error.
  r = s.execute("execute unknown message", creator, R"({"fly":{}})");
  EXPECT_EQ(r.status, CallResult::Status::ContractError);
  EXPECT_NE(r.contract_error.find("Error parsing into type"), std::string::npos)
      << r.contract_error;

  // hackatom exports no reply: a resolve error, after the arguments were written.
  r = s.call("reply (missing export)", EntryPoint::Reply, R"({"id":1})");
  EXPECT_EQ(r.status, CallResult::Status::VmError);
  EXPECT_EQ(r.error_message(),
            "Error resolving Wasm function: Could not get export: Missing export reply");
  EXPECT_GT(r.gas.used_internally, 0u);

  // Storage is read-only in queries: a write fails the call.
  s.instance->set_gas_limit(kGas);
  s.instance->set_storage_readonly(true);
  VmResult<Bytes> raw = s.instance->call_raw(
      "instantiate",
      {as_bytes(mock_env_json()), as_bytes(mock_info_json(creator)), as_bytes(init_msg)});
  EXPECT_FALSE(raw.ok());
  if (!raw.ok()) {
    EXPECT_EQ(raw.error->to_string(),
              "Error executing Wasm: Wasmer runtime error: RuntimeError: Must not call a writing "
              "storage function in this context.");
  }
  return log;
}

Transcript cyberpunk_scenario(const RuntimeOptions& opts,
                              std::vector<std::string>* debug_messages) {
  Transcript log;
  Runtime runtime(opts);
  InstanceOptions options;
  options.debug_handler = [debug_messages](std::string_view msg, const DebugInfo& info) {
    debug_messages->push_back(std::string(msg));
    EXPECT_GT(info.gas_remaining, 0u);
  };
  Session s(runtime, "cyberpunk.wasm", &log, std::move(options));
  if (!s.ready())
    return log;
  CallResult r = s.instantiate("instantiate", "admin", "{}");
  EXPECT_TRUE(r.ok()) << r.error_message();

  r = s.execute("execute cpu_loop", "looper", R"({"cpu_loop":{}})", kLoopGas);
  expect_out_of_gas(r, kLoopGas);
  r = s.execute("execute storage_loop", "looper", R"({"storage_loop":{}})", kLoopGas);
  expect_out_of_gas(r, kLoopGas);
  r = s.execute("execute memory_loop", "looper", R"({"memory_loop":{}})", kLoopGas);
  expect_out_of_gas(r, kLoopGas);
  EXPECT_LE(s.last_pages, 256u);

  r = s.execute("execute panic", "troll", R"({"panic":{}})");
  EXPECT_EQ(r.status, CallResult::Status::VmError);
  EXPECT_NE(r.error_message().find("RuntimeError: Aborted: panicked at src/contract.rs:"),
            std::string::npos)
      << r.error_message();
  r = s.execute("execute unreachable", "troll", R"({"unreachable":{}})");
  EXPECT_EQ(r.status, CallResult::Status::VmError);
  EXPECT_EQ(r.error_message(),
            "Error executing Wasm: Wasmer runtime error: RuntimeError: unreachable");

  // mirror_env returns the env it was given, in execute (as data) and query.
  r = s.execute("execute mirror_env", "admin", R"({"mirror_env":{}})");
  EXPECT_TRUE(r.ok()) << r.error_message();
  // (This cyberpunk's Env has a transaction hash too, defaulting to "".)
  const Json sent_env = Json::parse(mock_env_json());
  auto same_env = [&](const Json& got) {
    EXPECT_EQ(got["block"], sent_env["block"]);
    EXPECT_EQ(got["contract"], sent_env["contract"]);
    EXPECT_EQ(got["transaction"]["index"], 3);
  };
  if (r.ok())
    same_env(Json::parse(decode_b64(parse(r)["data"])));
  r = s.query("query mirror_env", R"({"mirror_env":{}})");
  EXPECT_TRUE(r.ok()) << r.error_message();
  if (r.ok())
    same_env(parse(r));

  debug_messages->clear();
  r = s.execute("execute debug", "caller", R"({"debug":{}})");
  EXPECT_TRUE(r.ok()) << r.error_message();
  bool round9 = false;
  for (const std::string& m : *debug_messages)
    round9 |= m.find("Round 9 done") != std::string::npos;
  EXPECT_TRUE(round9) << debug_messages->size() << " debug messages";

  r = s.execute("execute noop", "caller", R"({"noop":{}})");
  EXPECT_TRUE(r.ok()) << r.error_message();
  r = s.execute("execute allocate_large_memory", "caller",
                R"({"allocate_large_memory":{"pages":48}})");
  EXPECT_TRUE(r.ok()) << r.error_message();
  return log;
}

Transcript queue_scenario(const RuntimeOptions& opts) {
  Transcript log;
  Runtime runtime(opts);
  Session s(runtime, "queue.wasm", &log);
  if (!s.ready())
    return log;
  auto count = [&](const std::string& label) {
    return parse(s.query(label, R"({"count":{}})"))["count"].get<int>();
  };
  auto sum = [&](const std::string& label) {
    return parse(s.query(label, R"({"sum":{}})"))["sum"].get<int>();
  };
  auto enqueue = [&](int v) {
    CallResult r = s.execute("enqueue " + std::to_string(v), "creator",
                             Json{{"enqueue", {{"value", v}}}}.dump());
    EXPECT_TRUE(r.ok()) << r.error_message();
  };
  CallResult r = s.instantiate("instantiate", "creator", "{}");
  EXPECT_TRUE(r.ok()) << r.error_message();
  EXPECT_EQ(count("count empty"), 0);
  EXPECT_EQ(sum("sum empty"), 0);

  enqueue(25);
  enqueue(35);
  enqueue(45);
  EXPECT_EQ(count("count 3"), 3);
  EXPECT_EQ(sum("sum 3"), 105);
  r = s.execute("dequeue", "creator", R"({"dequeue":{}})");
  EXPECT_TRUE(r.ok()) << r.error_message();
  if (r.ok()) {
    EXPECT_EQ(Json::parse(decode_b64(parse(r)["data"])), Json::parse(R"({"value":25})"));
  }
  EXPECT_EQ(count("count 2"), 2);
  EXPECT_EQ(sum("sum 2"), 80);

  // reducer: for each item, the sum of the larger ones (two nested iterators).
  r = s.execute("dequeue", "creator", R"({"dequeue":{}})");
  r = s.execute("dequeue", "creator", R"({"dequeue":{}})");
  enqueue(40);
  enqueue(15);
  enqueue(85);
  enqueue(-10);
  EXPECT_EQ(count("count 4"), 4);
  EXPECT_EQ(sum("sum 4"), 130);
  r = s.query("reducer", R"({"reducer":{}})");
  EXPECT_TRUE(r.ok()) << r.error_message();
  if (r.ok()) {
    EXPECT_EQ(parse(r)["counters"], Json::parse("[[40,85],[15,125],[85,0],[-10,140]]"));
  }

  // list: bounded ranges, including an empty [a, a). Keys restart at 0 in an empty queue.
  for (int i = 0; i < 4; ++i)
    s.execute("dequeue", "creator", R"({"dequeue":{}})");
  EXPECT_EQ(count("count emptied"), 0);
  for (int i = 0; i < 0x25; ++i)
    enqueue(40);
  for (int i = 0; i < 0x19; ++i)
    s.execute("dequeue", "creator", R"({"dequeue":{}})");
  r = s.query("list", R"({"list":{}})");
  EXPECT_TRUE(r.ok()) << r.error_message();
  if (r.ok()) {
    const Json l = parse(r);
    EXPECT_EQ(l["empty"], Json::array());
    EXPECT_EQ(l["early"], Json::parse("[25,26,27,28,29,30,31]"));
    EXPECT_EQ(l["late"], Json::parse("[32,33,34,35,36]"));
  }

  // Iterators left open by a query are harmless.
  r = s.query("open_iterators", R"({"open_iterators":{"count":321}})");
  EXPECT_TRUE(r.ok()) << r.error_message();
  EXPECT_EQ(r.data_string(), "{}");

  // migrate rewrites the queue as [100, 101, 102].
  r = s.call("migrate", EntryPoint::Migrate, "{}");
  EXPECT_TRUE(r.ok()) << r.error_message();
  EXPECT_EQ(count("count after migrate"), 3);
  EXPECT_EQ(sum("sum after migrate"), 303);
  return log;
}

std::string capitalize_handler(std::string_view custom_query) {
  const Json q = Json::parse(custom_query);
  std::string msg;
  if (q.contains("capitalized")) {
    msg = q["capitalized"]["text"].get<std::string>();
    for (char& c : msg)
      if (c >= 'a' && c <= 'z')
        c = static_cast<char>(c - 'a' + 'A');
  } else if (q.contains("ping")) {
    msg = "pong";
  } else {
    return MockQuerier::system_error(R"({"unsupported_request":{"kind":"custom"}})");
  }
  return MockQuerier::system_ok(as_bytes(Json{{"msg", msg}}.dump()));
}

Transcript reflect_scenario(const RuntimeOptions& opts) {
  Transcript log;
  Runtime runtime(opts);
  Session s(runtime, "reflect.wasm", &log);
  if (!s.ready())
    return log;
  s.querier.set_custom_handler(&capitalize_handler);
  const std::string creator = s.api.addr_make("creator");
  const std::string friend_addr = s.api.addr_make("friend");

  CallResult r = s.instantiate("instantiate", creator, "{}", {{"token", "2"}});
  EXPECT_TRUE(r.ok()) << r.error_message();
  r = s.query("owner", R"({"owner":{}})");
  EXPECT_EQ(parse(r)["owner"], creator);

  // reflect_msg returns the messages it was given, as sub-messages.
  const Json send = Json::parse(
      R"({"bank":{"send":{"to_address":"friend","amount":[{"denom":"token","amount":"1"}]}}})");
  const std::string reflect_msg = Json{{"reflect_msg", {{"msgs", Json::array({send})}}}}.dump();
  r = s.execute("reflect_msg", creator, reflect_msg);
  EXPECT_TRUE(r.ok()) << r.error_message();
  if (r.ok()) {
    Json res = parse(r);
    EXPECT_EQ(res["messages"].size(), 1u);
    EXPECT_EQ(res["messages"][0]["msg"], send);
  }
  r = s.execute("reflect_msg by someone", s.api.addr_make("someone"), reflect_msg);
  EXPECT_EQ(r.status, CallResult::Status::ContractError);
  EXPECT_NE(r.contract_error.find("Permission denied: the sender is not the current owner"),
            std::string::npos)
      << r.contract_error;

  // A custom query goes through the querier's custom handler.
  r = s.query("capitalized", R"({"capitalized":{"text":"demo one"}})");
  EXPECT_TRUE(r.ok()) << r.error_message();
  if (r.ok()) {
    EXPECT_EQ(parse(r), Json::parse(R"({"text":"DEMO ONE"})"));
  }
  // chain: any query, raw; here a bank balance.
  s.querier.update_balance(creator, {{"token", "77"}});
  r = s.query(
      "chain bank balance",
      Json{{"chain",
            {{"request", {{"bank", {{"balance", {{"address", creator}, {"denom", "token"}}}}}}}}}}
          .dump());
  EXPECT_TRUE(r.ok()) << r.error_message();
  if (r.ok()) {
    EXPECT_EQ(Json::parse(decode_b64(parse(r)["data"])),
              Json::parse(R"({"amount":{"denom":"token","amount":"77"}})"));
  }

  // reply stores the sub-message result, which a query returns.
  const std::string reply =
      R"({"id":123,"result":{"ok":{"events":[{"type":"message","attributes":[{"key":"signer","value":"caller-addr"}]}],"data":")" +
      b64("foobar") + R"("}}})";
  r = s.call("reply", EntryPoint::Reply, reply);
  EXPECT_TRUE(r.ok()) << r.error_message();
  if (r.ok()) {
    EXPECT_TRUE(parse(r)["messages"].empty());
  }
  r = s.query("sub_msg_result unknown", R"({"sub_msg_result":{"id":65432}})");
  EXPECT_EQ(r.status, CallResult::Status::ContractError);
  r = s.query("sub_msg_result", R"({"sub_msg_result":{"id":123}})");
  EXPECT_TRUE(r.ok()) << r.error_message();
  if (r.ok()) {
    const Json stored = parse(r);
    EXPECT_EQ(stored["id"], 123);
    EXPECT_EQ(decode_b64(stored["result"]["ok"]["data"]), "foobar");
  }

  r = s.execute("change_owner", creator, Json{{"change_owner", {{"owner", friend_addr}}}}.dump());
  EXPECT_TRUE(r.ok()) << r.error_message();
  r = s.query("owner after change", R"({"owner":{}})");
  EXPECT_EQ(parse(r)["owner"], friend_addr);
  return log;
}

// floaty: each float instruction on pseudo-random arguments from the
// contract; results (or trap messages) hashed as cosmwasm-vm's
// float_instrs_are_deterministic test does. The hash matches cosmwasm-vm's
// bit for bit because wvm's NaN rule is wasmer's canonicalize_nans: a NaN
// result of add .. nearest is the positive canonical NaN (module/numeric.h).
struct FloatyRun {
  Transcript log;
  std::string hash;
  size_t instructions = 0;
};

FloatyRun floaty_scenario(const RuntimeOptions& opts, uint64_t seeds, bool record_all) {
  FloatyRun out;
  Runtime runtime(opts);
  Session s(runtime, "floaty_2.0.wasm", &out.log);
  if (!s.ready())
    return out;
  s.refresh_after_vm_error = false;  // cosmwasm-vm's test runs every query on one instance
  CallResult r = s.instantiate("instantiate", "creator", "{}", {}, UINT64_MAX);
  EXPECT_TRUE(r.ok()) << r.error_message();
  r = s.query("instructions", R"({"instructions":{}})", UINT64_MAX);
  EXPECT_TRUE(r.ok()) << r.error_message();
  if (!r.ok())
    return out;
  const Json instructions = parse(r);
  out.instructions = instructions.size();
  std::string transcript;
  for (const Json& instr_json : instructions) {
    const std::string instr = instr_json.get<std::string>();
    for (uint64_t seed = 0; seed < seeds; ++seed) {
      const std::string label = instr + " " + std::to_string(seed);
      CallResult args = s.instance->query(
          mock_env_json(),
          Json{{"random_args_for", {{"instruction", instr}, {"seed", seed}}}}.dump(), UINT64_MAX);
      if (record_all)
        s.record("args " + label, args);
      EXPECT_TRUE(args.ok()) << label << ": " << args.error_message();
      if (!args.ok())
        continue;
      const std::string run =
          R"({"run":{"instruction":")" + instr + R"(","args":)" + args.data_string() + "}}";
      CallResult res = s.instance->query(mock_env_json(), run, UINT64_MAX);
      if (record_all)
        s.record("run " + label, res);
      std::string result;
      if (res.ok()) {
        // Rust's Debug of the test's Value enum: U32(..), U64(..), F32(bits), F64(bits).
        const Json v = parse(res);
        const std::string k = v.begin().key();
        const std::string variant = k == "u32"   ? "U32"
                                    : k == "u64" ? "U64"
                                    : k == "f32" ? "F32"
                                                 : "F64";
        const uint64_t bits = v.begin().value().get<uint64_t>();
        result = variant + "(" + std::to_string(bits) + ")";
      } else if (res.status == CallResult::Status::VmError &&
                 res.vm_error.kind == VmErrorKind::RuntimeErr) {
        result = res.vm_error.msg;
      } else {
        ADD_FAILURE() << label << ": unexpected " << res.error_message();
      }
      transcript += instr + std::to_string(seed) + result;
    }
  }
  out.hash = hex(sha256(as_bytes(transcript)));
  return out;
}

// ---------------------------------------------------------------------------
// Per tier

struct TierParam {
  const char* name;
  TierPolicy policy;
};
const TierParam kTiers[] = {
    {"tier0", TierPolicy::Interp}, {"tier1", TierPolicy::Jit}, {"auto", TierPolicy::Auto}};
void PrintTo(const TierParam& t, std::ostream* os) {
  *os << t.name;
}

class CosmwasmVmTest : public ::testing::TestWithParam<TierParam> {};

INSTANTIATE_TEST_SUITE_P(Tiers,
                         CosmwasmVmTest,
                         ::testing::ValuesIn(kTiers),
                         [](const ::testing::TestParamInfo<TierParam>& info) {
                           return std::string(info.param.name);
                         });

TEST_P(CosmwasmVmTest, Hackatom) {
  REQUIRE_CONTRACT("hackatom.wasm");
  const Transcript log = hackatom_scenario(opts_for(GetParam().policy));
  EXPECT_GT(log.size(), 20u);
}

TEST_P(CosmwasmVmTest, Cyberpunk) {
  REQUIRE_CONTRACT("cyberpunk.wasm");
  std::vector<std::string> debug;
  cyberpunk_scenario(opts_for(GetParam().policy), &debug);
}

TEST_P(CosmwasmVmTest, QueueIterators) {
  REQUIRE_CONTRACT("queue.wasm");
  queue_scenario(opts_for(GetParam().policy));
}

TEST_P(CosmwasmVmTest, ReflectCustomQueryAndReply) {
  REQUIRE_CONTRACT("reflect.wasm");
  reflect_scenario(opts_for(GetParam().policy));
}

TEST_P(CosmwasmVmTest, FloatyIsDeterministic) {
  REQUIRE_CONTRACT("floaty_2.0.wasm");
  // cosmwasm-vm's float_instrs_are_deterministic: 70 instructions x 150 seeds.
  const FloatyRun run = floaty_scenario(opts_for(GetParam().policy), 150, false);
  EXPECT_EQ(run.instructions, 70u);
  EXPECT_EQ(run.hash, "95f70fa6451176ab04a9594417a047a1e4d8e2ff809609b8f81099496bee2393");
}

TEST_P(CosmwasmVmTest, InstantiationErrors) {
  REQUIRE_CONTRACT("hackatom.wasm");
  Runtime runtime(RuntimeOptions{.tier = GetParam().policy});
  MockStorage storage;
  MockApi api;
  MockQuerier querier;
  // An import cosmwasm-vm does not provide, or one of the wrong type, does not link.
  for (auto [name, type] :
       {std::pair<const char*, FuncType>{"read_db", {{ValType::I32}, {ValType::I32}}},
        {"db_read", {{ValType::I64}, {ValType::I32}}}}) {
    test::ModuleBuilder m;
    m.add_import_func("env", name, m.type(type.params, type.results));
    m.export_memory("memory", m.add_memory(1));
    const test::Bytes wasm = m.build();
    auto compiled = runtime.compile(wasm);
    ASSERT_TRUE(compiled.ok()) << compiled.error->to_string();
    auto inst = ContractInstance::create(runtime, compiled.value, {&storage, &api, &querier});
    ASSERT_FALSE(inst.ok());
    EXPECT_EQ(inst.error->kind, VmErrorKind::InstantiationErr);
    EXPECT_NE(inst.error->to_string().find(std::string("\"env\".\"") + name + "\""),
              std::string::npos)
        << inst.error->to_string();
  }
  // Without the iterator capability a contract importing db_scan does not link.
  Runtime no_iterators(RuntimeOptions{.tier = GetParam().policy, .iterators = false});
  if (std::optional<Bytes> queue = read_contract("queue.wasm")) {
    auto compiled = no_iterators.compile(*queue);
    ASSERT_TRUE(compiled.ok());
    auto inst = ContractInstance::create(no_iterators, compiled.value, {&storage, &api, &querier});
    ASSERT_FALSE(inst.ok());
    EXPECT_NE(inst.error->to_string().find("\"env\".\"db_scan\": unknown import"),
              std::string::npos);
  }
  // An initial memory above the limit is rejected.
  Runtime small(RuntimeOptions{.tier = GetParam().policy, .memory_limit_pages = 16});
  auto compiled = small.compile(*read_contract("hackatom.wasm"));
  ASSERT_FALSE(compiled.ok());
  EXPECT_EQ(compiled.error->kind, VmErrorKind::CompileErr);
}

// Every import a contract may call, with hostile region pointers: each is a
// VM error naming the problem, never a crash.
TEST_P(CosmwasmVmTest, HostileRegions) {
  REQUIRE_CONTRACT("hackatom.wasm");
  Runtime runtime(RuntimeOptions{.tier = GetParam().policy});
  Session s(runtime, "hackatom.wasm", nullptr);
  ASSERT_TRUE(s.ready());
  Environment& env = s.instance->environment();
  Memory& mem = *env.memory;
  const uint32_t size = static_cast<uint32_t>(mem.size_bytes());
  auto put_region = [&](uint32_t at, uint32_t offset, uint32_t capacity, uint32_t length) {
    for (int i = 0; i < 4; ++i) {
      mem.data()[at + i] = static_cast<uint8_t>(offset >> (8 * i));
      mem.data()[at + 4 + i] = static_cast<uint8_t>(capacity >> (8 * i));
      mem.data()[at + 8 + i] = static_cast<uint8_t>(length >> (8 * i));
    }
  };
  auto read_error = [&](uint32_t ptr, size_t max) {
    VmResult<Bytes> r = region::read(mem, ptr, max);
    return r.ok() ? std::string("ok") : r.error->to_string();
  };
  const uint32_t at = size - 1024;
  put_region(at, 0, 10, 5);
  EXPECT_EQ(read_error(at, 100),
            "Error in guest/host communication: Got an invalid region: Got a zero Wasm address in "
            "the offset");
  put_region(at, 16, 10, 11);
  EXPECT_EQ(read_error(at, 100),
            "Error in guest/host communication: Got an invalid region: Region length exceeds "
            "capacity. Length 11, capacity 10");
  put_region(at, 0xFFFFFFF0u, 0x20, 0);
  EXPECT_EQ(read_error(at, 100),
            "Error in guest/host communication: Got an invalid region: Region exceeds address "
            "space. Offset 4294967280, capacity 32");
  put_region(at, size - 4, 8, 8);  // data runs past the end of memory
  EXPECT_NE(read_error(at, 100).find("outside the memory of size"), std::string::npos);
  put_region(at, 16, 400, 300);
  EXPECT_EQ(read_error(at, 100),
            "Error in guest/host communication: Region length too big. Got 300, limit 100");
  EXPECT_NE(read_error(size - 8, 100).find("could not be dereferenced"), std::string::npos);
  EXPECT_NE(read_error(0xFFFFFFFFu, 100).find("could not be dereferenced"), std::string::npos);
  put_region(at, 16, 4, 0);
  const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  VmResult<Unit> w = region::write(mem, at, data);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error->to_string(),
            "Error in guest/host communication: Region too small. Got 4, required 8");
  put_region(at, size - 16, 16, 0);
  ASSERT_TRUE(region::write(mem, at, data).ok());
  EXPECT_EQ(read_error(at, 100), "ok");
  VmResult<Bytes> back = region::read(mem, at, 8);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value, Bytes(data, data + 8));
  EXPECT_FALSE(region::maybe_read(mem, 0, 10).value.has_value());
}

// ---------------------------------------------------------------------------
// The imports one by one, through a small hand-written contract: a bump
// allocator and one export "t_<import>" per import that forwards to it.

struct MiniImport {
  const char* name;
  std::vector<ValType> params;
  std::vector<ValType> results;
};

const std::vector<MiniImport>& mini_imports() {
  constexpr ValType I32 = ValType::I32, I64 = ValType::I64;
  static const std::vector<MiniImport> imports = {
      {"db_read", {I32}, {I32}},
      {"db_write", {I32, I32}, {}},
      {"db_scan", {I32, I32, I32}, {I32}},
      {"db_next", {I32}, {I32}},
      {"db_next_value", {I32}, {I32}},
      {"addr_validate", {I32}, {I32}},
      {"addr_canonicalize", {I32, I32}, {I32}},
      {"addr_humanize", {I32, I32}, {I32}},
      {"secp256k1_verify", {I32, I32, I32}, {I32}},
      {"secp256k1_recover_pubkey", {I32, I32, I32}, {I64}},
      {"ed25519_batch_verify", {I32, I32, I32}, {I32}},
      {"bls12_381_aggregate_g1", {I32, I32}, {I32}},
      {"bls12_381_hash_to_g2", {I32, I32, I32, I32}, {I32}},
      {"debug", {I32}, {}},
      {"abort", {I32}, {}},
      {"query_chain", {I32}, {I32}},
  };
  return imports;
}

test::Bytes mini_contract() {
  using test::Code;
  test::ModuleBuilder m;
  std::vector<uint32_t> import_index;
  for (const MiniImport& im : mini_imports())
    import_index.push_back(m.add_import_func("env", im.name, m.type(im.params, im.results)));
  m.export_memory("memory", m.add_memory(64));
  const uint32_t heap = m.add_global(ValType::I32, true, Code().i32_const(1024));
  // allocate(size): a Region {heap + 12, size, 0} at `heap`; heap moves past
  // it, 8-byte aligned.
  Code alloc;
  alloc.global_get(heap)
      .local_set(1)
      .local_get(1)
      .local_get(1)
      .i32_const(12)
      .op(Opcode::I32Add)
      .mem(Opcode::I32Store, 0)
      .local_get(1)
      .local_get(0)
      .mem(Opcode::I32Store, 4)
      .local_get(1)
      .i32_const(0)
      .mem(Opcode::I32Store, 8)
      .local_get(1)
      .i32_const(19)
      .op(Opcode::I32Add)
      .local_get(0)
      .op(Opcode::I32Add)
      .i32_const(-8)
      .op(Opcode::I32And)
      .global_set(heap)
      .local_get(1);
  m.export_func("allocate",
                m.add_func(m.type({ValType::I32}, {ValType::I32}), {ValType::I32}, alloc));
  m.export_func("deallocate", m.add_func(m.type({ValType::I32}, {}), {}, Code()));
  // Entry points that return one of their arguments: the test writes the
  // contract's "result" as the message.
  const uint32_t t2 = m.type({ValType::I32, ValType::I32}, {ValType::I32});
  const uint32_t t3 = m.type({ValType::I32, ValType::I32, ValType::I32}, {ValType::I32});
  m.export_func("query", m.add_func(t2, {}, Code().local_get(1)));
  m.export_func("migrate", m.add_func(t2, {}, Code().local_get(1)));
  m.export_func("execute", m.add_func(t3, {}, Code().local_get(2)));
  for (size_t i = 0; i < mini_imports().size(); ++i) {
    const MiniImport& im = mini_imports()[i];
    Code fwd;
    for (uint32_t p = 0; p < im.params.size(); ++p)
      fwd.local_get(p);
    fwd.call(import_index[i]);
    m.export_func(std::string("t_") + im.name, m.add_func(m.type(im.params, im.results), {}, fwd));
  }
  return m.build();
}

class MiniContract {
 public:
  explicit MiniContract(TierPolicy tier, VmVersion version = VmVersion::V3_0)
      : runtime_(RuntimeOptions{.tier = tier, .version = version}) {
    const test::Bytes wasm = mini_contract();
    auto compiled = runtime_.compile(wasm);
    EXPECT_TRUE(compiled.ok()) << (compiled.ok() ? "" : compiled.error->to_string());
    if (!compiled.ok())
      return;
    InstanceOptions options;
    options.debug_handler = [this](std::string_view msg, const DebugInfo&) {
      debug.push_back(std::string(msg));
    };
    auto inst = ContractInstance::create(runtime_, compiled.value, {&storage, &api, &querier},
                                         std::move(options));
    EXPECT_TRUE(inst.ok()) << (inst.ok() ? "" : inst.error->to_string());
    if (inst.ok())
      instance = std::move(inst.value);
    reset(kGas);
  }
  void reset(uint64_t gas) {
    if (!instance)
      return;
    instance->set_gas_limit(gas);
    instance->set_storage_readonly(false);
  }
  Environment& env() { return instance->environment(); }
  // A region holding `data`.
  uint32_t put(ByteView data) {
    VmResult<uint32_t> p = env().allocate(data.size());
    EXPECT_TRUE(p.ok());
    EXPECT_TRUE(region::write(*env().memory, p.value, data).ok());
    return p.value;
  }
  uint32_t put(std::string_view s) { return put(as_bytes(s)); }
  uint32_t empty(uint32_t capacity) { return env().allocate(capacity).value; }
  std::string get(uint32_t ptr) {
    VmResult<Bytes> r = region::read(*env().memory, ptr, 1 << 20);
    if (!r.ok())
      return r.error->to_string();
    return std::string(r.value.begin(), r.value.end());
  }
  // Calls t_<import>(args); the single result as u64, or the error text.
  VmResult<uint64_t> call(const std::string& import, std::vector<uint32_t> args) {
    std::vector<Value> values;
    for (uint32_t a : args)
      values.push_back(Value::i32(a));
    VmResult<std::vector<Value>> r = env().call_function("t_" + import, values);
    if (!r.ok())
      return std::move(*r.error);
    return r.value.empty() ? 0 : r.value[0].bits;
  }
  std::string error_of(const std::string& import, std::vector<uint32_t> args) {
    VmResult<uint64_t> r = call(import, std::move(args));
    return r.ok() ? "ok" : r.error->to_string();
  }

  Runtime runtime_;
  MockStorage storage;
  MockApi api;
  MockQuerier querier;
  std::vector<std::string> debug;
  std::unique_ptr<ContractInstance> instance;
};

Bytes from_hex(std::string_view h) {
  Bytes out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

constexpr const char* kWrapped = "Error executing Wasm: Wasmer runtime error: RuntimeError: ";

TEST_P(CosmwasmVmTest, ImportsStorage) {
  MiniContract c(GetParam().policy);
  ASSERT_NE(c.instance, nullptr);
  // db_write then db_read: the value comes back in a region the contract allocated.
  ASSERT_TRUE(c.call("db_write", {c.put("ant"), c.put("insect")}).ok());
  EXPECT_EQ(c.instance->gas_report().used_externally, 9u);  // key + value length
  VmResult<uint64_t> r = c.call("db_read", {c.put("ant")});
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r.value, 0u);
  EXPECT_EQ(c.get(static_cast<uint32_t>(r.value)), "insect");
  EXPECT_EQ(c.call("db_read", {c.put("bee")}).value, 0u);  // missing key

  // Limits: a 70,000-byte key, a value past 128 KiB.
  const std::string big_key(70'000, 'k'), big_value(131'073, 'v');
  EXPECT_EQ(
      c.error_of("db_write", {c.put(big_key), c.put("x")}),
      std::string(kWrapped) +
          "Generic error: Key too big. Tried to write 70000 bytes to storage, limit is 65536.");
  EXPECT_EQ(c.error_of("db_write", {c.put("k"), c.put(big_value)}),
            std::string(kWrapped) +
                "Generic error: Value too big. Tried to write 131073 bytes to storage, limit is "
                "131072.");
  EXPECT_EQ(c.error_of("db_read", {c.put(big_key)}),
            std::string(kWrapped) +
                "Error in guest/host communication: Region length too big. Got 70000, limit 65536");
  // Hostile pointers.
  EXPECT_EQ(c.error_of("db_read", {0xFFFFFFF8u}),
            std::string(kWrapped) +
                "Error in guest/host communication: The Wasm memory address 4294967288 provided "
                "by the contract could not be dereferenced: Could not dereference this pointer to "
                "a Region");
  EXPECT_NE(c.error_of("db_read", {0}).find("Got a zero Wasm address in the offset"),
            std::string::npos);
  // Read-only (as in queries): writing is an error.
  c.instance->set_storage_readonly(true);
  EXPECT_EQ(c.error_of("db_write", {c.put("a"), c.put("b")}),
            std::string(kWrapped) + "Must not call a writing storage function in this context.");
  EXPECT_TRUE(c.call("db_read", {c.put("ant")}).ok());
  c.instance->set_storage_readonly(false);

  // Iterators: an invalid order, a missing iterator, sections of db_next.
  EXPECT_EQ(c.error_of("db_scan", {0, 0, 3}),
            std::string(kWrapped) +
                "Error in guest/host communication: Got an invalid value for iteration order: 3");
  EXPECT_EQ(c.error_of("db_next", {77}),
            std::string(kWrapped) +
                "Error calling into the VM's backend: Iterator with ID 77 does not exist");
  VmResult<uint64_t> id = c.call("db_scan", {0, 0, 1});
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id.value, 1u);
  VmResult<uint64_t> next = c.call("db_next", {static_cast<uint32_t>(id.value)});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(c.get(static_cast<uint32_t>(next.value)), std::string("ant\0\0\0\3insect\0\0\0\6", 17));
  next = c.call("db_next", {static_cast<uint32_t>(id.value)});  // the end: two empty sections
  EXPECT_EQ(c.get(static_cast<uint32_t>(next.value)), std::string(8, '\0'));
  EXPECT_EQ(c.call("db_next_value", {static_cast<uint32_t>(id.value)}).value, 0u);

  // Out of gas in a backend call: all gas used, the backend's part counted
  // external. Before the backend: t_db_write's two local.get and call, the
  // host call and both region reads (internal).
  const std::string value(20'000, 'v');
  const uint32_t key_ptr = c.put("key"), value_ptr = c.put(value);
  const uint64_t before_backend = 2 * 115 + 1610 + 18'000 + (200'000 + 115 * 3) +
                                  (200'000 + 115 * 20'000);
  c.reset(before_backend + 10'000);
  VmResult<uint64_t> depleted = c.call("db_write", {key_ptr, value_ptr});
  ASSERT_FALSE(depleted.ok());
  EXPECT_EQ(depleted.error->kind, VmErrorKind::GasDepletion);
  const GasReport g = c.instance->gas_report();
  EXPECT_EQ(g.remaining, 0u);
  EXPECT_EQ(g.used_externally, 20'003u);
  EXPECT_EQ(g.used_internally, before_backend + 10'000 - 20'003u);
}

// The VM's own gas for import work (cosmwasm-vm 3.0's environment.rs
// GasConfig, charged as memory.rs and imports.rs do), stated rule by rule on
// small cases, under both gas versions (the locals charge of 3.0.9 does not
// touch these functions: none declares 30 locals). Internal gas is the
// contract's: each t_<import> forwarder pays 115 per local.get, the call
// (1,610) and, when the import returns, its end (1,610).
TEST_P(CosmwasmVmTest, ImportGasRules) {
  constexpr uint64_t kOp = 115, kAccounting = 1'610, kHostCall = 18'000;
  const auto read_cost = [](uint64_t n) { return 200'000 + 115 * n; };
  const auto write_cost = [](uint64_t n) { return 230'000 + 570 * n; };
  const auto string_cost = [](uint64_t n) { return 28'700 + 1'400 * n; };
  for (VmVersion version : {VmVersion::V3_0, VmVersion::V3_0_9}) {
    SCOPED_TRACE(vm_version_name(version));
    MiniContract c(GetParam().policy, version);
    ASSERT_NE(c.instance, nullptr);
    // Runs t_<import>(args) and returns the internal and external gas it used.
    const auto measure = [&](const std::string& import, std::vector<uint32_t> args,
                             bool expect_ok) {
      const GasReport before = c.instance->gas_report();
      VmResult<uint64_t> r = c.call(import, std::move(args));
      EXPECT_EQ(r.ok(), expect_ok) << (r.ok() ? "ok" : r.error->to_string());
      const GasReport after = c.instance->gas_report();
      return std::pair{after.used_internally - before.used_internally,
                       after.used_externally - before.used_externally};
    };

    // The host call comes first: a write in a read-only context pays it, then fails.
    const uint32_t key = c.put("ant"), value = c.put("insect");
    c.instance->set_storage_readonly(true);
    EXPECT_EQ(measure("db_write", {key, value}, false).first, 2 * kOp + kAccounting + kHostCall);
    c.instance->set_storage_readonly(false);
    // Two region reads (3 and 6 bytes); the backend's gas is external.
    auto [internal, external] = measure("db_write", {key, value}, true);
    EXPECT_EQ(internal, 2 * kOp + 2 * kAccounting + kHostCall + read_cost(3) + read_cost(6));
    EXPECT_EQ(external, 9u);
    // A region over the import's limit is paid for from its length, then refused.
    const uint32_t long_key = c.put(std::string(limits::kMaxLengthDbKey + 1, 'k'));
    EXPECT_EQ(measure("db_read", {long_key}, false).first,
              kOp + kAccounting + kHostCall + read_cost(limits::kMaxLengthDbKey + 1));

    // addr_validate: the region, the string (per byte), the API's own gas.
    const std::string addr = c.api.addr_make("rules");
    const uint64_t validate_gas = c.api.addr_validate(addr).gas.cost;
    EXPECT_EQ(measure("addr_validate", {c.put(addr)}, true).first,
              kOp + 2 * kAccounting + kHostCall + read_cost(addr.size()) +
                  string_cost(addr.size()) + validate_gas);
    // addr_canonicalize: the same, then a region write of the canonical bytes.
    const BackendResult<Bytes> canonical = c.api.addr_canonicalize(addr);
    ASSERT_TRUE(canonical.ok());
    const uint64_t n = canonical.value.size();
    EXPECT_EQ(measure("addr_canonicalize", {c.put(addr), c.empty(64)}, true).first,
              2 * kOp + 2 * kAccounting + kHostCall + read_cost(addr.size()) +
                  string_cost(addr.size()) + canonical.gas.cost + write_cost(n));
    // A destination too small: the write is paid for, then refused.
    EXPECT_EQ(measure("addr_canonicalize", {c.put(addr), c.empty(1)}, false).first,
              2 * kOp + kAccounting + kHostCall + read_cost(addr.size()) +
                  string_cost(addr.size()) + canonical.gas.cost + write_cost(n));

    // debug reads (and pays for) its message with or without a handler.
    EXPECT_EQ(measure("debug", {c.put("hello")}, true).first,
              kOp + 2 * kAccounting + kHostCall + read_cost(5));
    c.env().debug_handler = nullptr;
    EXPECT_EQ(measure("debug", {c.put("hello")}, true).first,
              kOp + 2 * kAccounting + kHostCall + read_cost(5));
    // abort: the region and the string, then the contract's call fails.
    EXPECT_EQ(measure("abort", {c.put("boom")}, false).first,
              kOp + kAccounting + kHostCall + read_cost(4) + string_cost(4));

    // A charge larger than the gas left depletes it all, as every out of gas.
    const uint32_t hello = c.put("hello");
    c.reset(kOp + kAccounting + kHostCall + read_cost(5) - 1);
    VmResult<uint64_t> depleted = c.call("debug", {hello});
    ASSERT_FALSE(depleted.ok());
    EXPECT_EQ(depleted.error->kind, VmErrorKind::GasDepletion);
    EXPECT_EQ(c.instance->gas_report().remaining, 0u);
    c.reset(kOp + 2 * kAccounting + kHostCall + read_cost(5));  // exactly enough
    EXPECT_TRUE(c.call("debug", {hello}).ok());
    EXPECT_EQ(c.instance->gas_report().remaining, 0u);
  }
}

// Entry-point arguments are written into regions and the result read from
// one: each pays its region gas.
TEST_P(CosmwasmVmTest, EntryPointRegionGas) {
  MiniContract c(GetParam().policy);
  ASSERT_NE(c.instance, nullptr);
  constexpr uint64_t kLimit = 10'000'000'000;
  // The wasm gas of allocate and deallocate, measured by calling them.
  const auto gas_of = [&](const std::function<void()>& f) {
    c.instance->set_gas_limit(kLimit);
    f();
    return kLimit - c.instance->gas_report().remaining;
  };
  uint32_t ptr = 0;
  const uint64_t allocate_gas = gas_of([&] { ptr = c.env().allocate(7).value; });
  const uint64_t deallocate_gas = gas_of([&] { ASSERT_TRUE(c.env().deallocate(ptr).ok()); });
  EXPECT_EQ(deallocate_gas, 1'610u);  // its body is `end`
  // query(env, msg) returns msg's region: two allocations and region writes,
  // the query's wasm (local.get, end), the result's region read, deallocate.
  const std::string env = "{}", msg = R"({"ok":"e30="})";
  CallResult r = c.instance->query(env, msg, kLimit);
  ASSERT_TRUE(r.ok()) << r.error_message();
  EXPECT_EQ(r.gas.used_internally, 2 * allocate_gas + (230'000 + 570 * env.size()) +
                                       (230'000 + 570 * msg.size()) + 115 + 1'610 +
                                       (200'000 + 115 * msg.size()) + deallocate_gas);
  EXPECT_EQ(r.gas.used_externally, 0u);
}

// Results as calls.rs reads them: {"ok": ...} or {"error": ...}, the
// deserialization limit, query responses that must be JSON.
TEST_P(CosmwasmVmTest, ResultParsing) {
  MiniContract c(GetParam().policy);
  ASSERT_NE(c.instance, nullptr);
  const std::string env = mock_env_json(), info = mock_info_json("x");
  auto execute = [&](const std::string& result) {
    return c.instance->execute(env, info, result, kGas);
  };
  auto query = [&](const std::string& result) { return c.instance->query(env, result, kGas); };
  CallResult r = execute(R"({"ok":{"messages":[],"data":"\u0041"}})");
  ASSERT_TRUE(r.ok()) << r.error_message();
  EXPECT_EQ(r.data_string(), R"({"messages":[],"data":"\u0041"})");  // the contract's bytes
  EXPECT_GT(r.gas.used_internally, 0u);
  r = execute(R"( { "ok" : { "a" : 1 } } )");
  ASSERT_TRUE(r.ok()) << r.error_message();
  EXPECT_EQ(r.data_string(), R"({"a":1})");
  r = execute(R"({"error":"Unauthorized"})");
  EXPECT_EQ(r.status, CallResult::Status::ContractError);
  EXPECT_EQ(r.contract_error, "Unauthorized");
  EXPECT_EQ(r.error_message(), "Unauthorized");
  for (const std::string bad : {R"({"ok":{},"ok":{}})", R"({"ok":{},"error":"x"})", R"({"fine":{}})",
                                R"({"ok":[]})", "not json", R"({"error":7})"}) {
    r = execute(bad);
    EXPECT_EQ(r.status, CallResult::Status::VmError) << bad;
    EXPECT_EQ(r.vm_error.kind, VmErrorKind::ParseErr) << bad;
  }
  r = execute(R"({"ok":)" + std::string(200, '[') + std::string(200, ']') + "}");
  EXPECT_EQ(r.vm_error.kind, VmErrorKind::ParseErr);
  EXPECT_NE(r.error_message().find("recursion limit exceeded"), std::string::npos);
  r = execute(R"({"ok":{"data":")" + std::string(300'000, 'A') + R"("}})");
  EXPECT_EQ(r.vm_error.kind, VmErrorKind::DeserializationLimitExceeded);
  EXPECT_EQ(r.error_message(),
            "Data too long for deserialization. Got: 300018 bytes; limit: 262144 bytes");

  r = query(R"({"ok":")" + b64(R"({"count":3})") + R"("})");
  ASSERT_TRUE(r.ok()) << r.error_message();
  EXPECT_EQ(r.data_string(), R"({"count":3})");
  r = query(R"({"ok":")" + b64("not json") + R"("})");
  EXPECT_EQ(r.error_message(), "Generic error: Query response must be valid JSON.");
  // migrate(env, msg) answers migrate_with_info through the fallback.
  r = c.instance->migrate_with_info(env, R"({"ok":{"messages":[]}})", R"({"sender":"x"})", kGas);
  ASSERT_TRUE(r.ok()) << r.error_message();
  EXPECT_EQ(r.data_string(), R"({"messages":[]})");
  // Entry points the contract does not export.
  r = c.instance->sudo(env, "{}", kGas);
  EXPECT_EQ(r.error_message(),
            "Error resolving Wasm function: Could not get export: Missing export sudo");
  r = c.instance->call(EntryPoint::Ibc2PacketSend, env, "{}", kGas);
  EXPECT_EQ(r.error_message(),
            "Error resolving Wasm function: Could not get export: Missing export ibc2_packet_send");
  // A wrong arity is FunctionArityMismatch.
  c.reset(kGas);
  VmResult<Bytes> raw = c.instance->call_raw("query", {as_bytes(env)});
  ASSERT_FALSE(raw.ok());
  EXPECT_EQ(raw.error->kind, VmErrorKind::FunctionArityMismatch);
}

TEST_P(CosmwasmVmTest, ImportsAddresses) {
  MiniContract c(GetParam().policy);
  ASSERT_NE(c.instance, nullptr);
  const std::string addr = c.api.addr_make("creator");
  // canonicalize writes into the destination region; a user error comes back as a region.
  const uint32_t dest = c.empty(64);
  const uint64_t before = c.instance->gas_report().remaining;
  VmResult<uint64_t> r = c.call("addr_canonicalize", {c.put(addr), dest});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value, 0u);
  EXPECT_EQ(hex(as_bytes(c.get(dest))), hex(sha256(as_bytes("creator"))));
  // The api's cost is charged as VM gas (not external).
  EXPECT_GE(before - c.instance->gas_report().remaining, MockApi::kGasCostCanonicalize);
  EXPECT_EQ(c.instance->gas_report().used_externally, 0u);
  r = c.call("addr_canonicalize", {c.put("nonsense"), dest});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(c.get(static_cast<uint32_t>(r.value)), "Error decoding bech32");
  r = c.call("addr_canonicalize", {c.put(""), dest});
  EXPECT_EQ(c.get(static_cast<uint32_t>(r.value)), "Input is empty");
  r = c.call("addr_canonicalize", {c.put("\xFF\xFE"), dest});
  EXPECT_EQ(c.get(static_cast<uint32_t>(r.value)), "Input is not valid UTF-8");
  EXPECT_NE(c.error_of("addr_canonicalize", {c.put(std::string(257, 'a')), dest})
                .find("Region length too big. Got 257, limit 256"),
            std::string::npos);
  // humanize: the destination must be large enough.
  const uint32_t canonical = c.put(sha256(as_bytes("creator")));
  const uint32_t small = c.empty(4);
  EXPECT_EQ(c.error_of("addr_humanize", {canonical, small}),
            std::string(kWrapped) +
                "Error in guest/host communication: Region too small. Got 4, "
                "required " +
                std::to_string(addr.size()));
  const uint32_t human = c.empty(100);
  ASSERT_TRUE(c.call("addr_humanize", {canonical, human}).ok());
  EXPECT_EQ(c.get(human), addr);
  r = c.call("addr_humanize", {c.put(""), human});
  EXPECT_EQ(c.get(static_cast<uint32_t>(r.value)), "Invalid canonical address length");
}

TEST_P(CosmwasmVmTest, ImportsCryptoDebugAbortQuery) {
  MiniContract c(GetParam().policy);
  ASSERT_NE(c.instance, nullptr);
  const GasConfig gas = GasConfig::cosmwasm_3_0();
  // secp256k1 (the vector of cosmwasm-vm's import tests): valid, and a flipped hash bit.
  const Bytes hash = from_hex("5ae8317d34d1e595e3fa7247db80c0af4320cce1116de187f8f7e2e099c0d8d0");
  const Bytes sig = from_hex(
      "207082eb2c3dfa0b454e0906051270ba4074ac93760ba9e7110cd9471475111151eb0dbbc9920e72146fb564f9"
      "9d039802bf6ef2561446eb126ef364d21ee9c4");
  const Bytes pubkey = from_hex(
      "04051c1ee2190ecfb174bfe4f90763f2b4ff7517b70a2aec1876ebcfd644c4633fb03f3cfbd94b1f376e34592d"
      "9d41ccaf640bb751b00a1fadeb0c01157769eb73");
  const uint32_t h = c.put(hash), s = c.put(sig), pk = c.put(pubkey);
  uint64_t before = c.instance->gas_report().remaining;
  VmResult<uint64_t> r = c.call("secp256k1_verify", {h, s, pk});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value, 0u);
  // Exactly: t_secp256k1_verify's 3 local.get, call and end; the host call;
  // reading 32 + 64 + 65 bytes in three regions; the verification.
  const uint64_t used = before - c.instance->gas_report().remaining;
  EXPECT_EQ(used, 3 * 115 + 2 * 1610 + 18'000 + 3 * 200'000 + 115 * (32 + 64 + 65) +
                      gas.secp256k1_verify_cost);
  Bytes bad_hash = hash;
  bad_hash[0] ^= 1;
  EXPECT_EQ(c.call("secp256k1_verify", {c.put(bad_hash), s, pk}).value, 1u);
  // A hash longer than 32 bytes is the VM's error, a shorter one the crypto error code 3.
  EXPECT_NE(c.error_of("secp256k1_verify", {c.put(Bytes(33, 1)), s, pk})
                .find("Region length too big. Got 33, limit 32"),
            std::string::npos);
  EXPECT_EQ(c.call("secp256k1_verify", {c.put(Bytes(31, 1)), s, pk}).value, 3u);
  // recover_pubkey: the key in a region (low half); a bad recovery param is code 6 in the
  // high half, without the crypto charge.
  r = c.call("secp256k1_recover_pubkey", {h, s, 0});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.value >> 32, 0u);
  EXPECT_EQ(hex(as_bytes(c.get(static_cast<uint32_t>(r.value)))), hex(pubkey));
  before = c.instance->gas_report().remaining;
  r = c.call("secp256k1_recover_pubkey", {h, s, 256});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value, uint64_t{6} << 32);
  EXPECT_EQ(before - c.instance->gas_report().remaining,
            3 * 115 + 2 * 1610 + 18'000 + 2 * 200'000 + 115 * (32 + 64));

  // ed25519 batch: sections; the per-signature cost with one public key.
  const Bytes msgs = encode_sections({}), sigs = encode_sections({}), keys = encode_sections({});
  before = c.instance->gas_report().remaining;
  r = c.call("ed25519_batch_verify", {c.put(msgs), c.put(sigs), c.put(keys)});
  ASSERT_TRUE(r.ok());
  EXPECT_GE(before - c.instance->gas_report().remaining, gas.ed25519_batch_verify_cost.base);
  EXPECT_NE(
      c.error_of("ed25519_batch_verify", {c.put(Bytes{1, 0, 0, 0, 9}), c.put(sigs), c.put(keys)})
          .find("Got an invalid section: section length overflow"),
      std::string::npos);

  // BLS12-381: linked, charged, then the call fails naming the import.
  before = c.instance->gas_report().remaining;
  EXPECT_EQ(c.error_of("bls12_381_aggregate_g1", {c.put(Bytes(96, 0)), c.empty(48)}),
            std::string(kWrapped) + "bls12_381_aggregate_g1 is not supported by wvm");
  EXPECT_GE(before - c.instance->gas_report().remaining,
            gas.bls12_381_aggregate_g1_cost.total_cost(2));
  c.reset(kGas);
  EXPECT_EQ(c.call("bls12_381_hash_to_g2", {7, c.put("msg"), c.put("dst"), c.empty(96)}).value,
            9u);  // unknown hash function
  EXPECT_EQ(c.error_of("bls12_381_hash_to_g2", {0, c.put("msg"), c.put("dst"), c.empty(96)}),
            std::string(kWrapped) + "bls12_381_hash_to_g2 is not supported by wvm");
  c.reset(kGas);

  // debug goes to the handler; abort fails the call with the message (lossy UTF-8).
  ASSERT_TRUE(c.call("debug", {c.put("hello \xF0\x9F\x9A\x80")}).ok());
  ASSERT_EQ(c.debug.size(), 1u);
  EXPECT_EQ(c.debug[0], "hello \xF0\x9F\x9A\x80");
  EXPECT_EQ(c.error_of("abort", {c.put("boom \xFF")}),
            std::string(kWrapped) + "Aborted: boom \xEF\xBF\xBD");

  // query_chain: the querier's serialized SystemResult in a region; its gas is external.
  c.querier.update_balance("alice", {{"earth", "5"}});
  const GasReport g0 = c.instance->gas_report();
  r = c.call("query_chain", {c.put(R"({"bank":{"balance":{"address":"alice","denom":"earth"}}})")});
  ASSERT_TRUE(r.ok());
  const std::string answer = c.get(static_cast<uint32_t>(r.value));
  EXPECT_EQ(answer,
            MockQuerier::system_ok(as_bytes(R"({"amount":{"denom":"earth","amount":"5"}})")));
  EXPECT_EQ(c.instance->gas_report().used_externally - g0.used_externally,
            100'000u + 100u * answer.size());
  // A query the querier cannot afford: out of gas, all gas used.
  c.reset(50'000);
  VmResult<uint64_t> q = c.call("query_chain", {c.put(R"({"bank":{"supply":{"denom":"x"}}})")});
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error->kind, VmErrorKind::GasDepletion);
  EXPECT_EQ(c.instance->gas_report().remaining, 0u);
}

// ---------------------------------------------------------------------------
// Gas identical in tier 0 and tier 1 for every call

TEST(CosmwasmVmTiers, GasIdenticalAcrossTiers) {
  REQUIRE_CONTRACT("hackatom.wasm");
  expect_same(hackatom_scenario(opts_for(TierPolicy::Interp)),
              hackatom_scenario(opts_for(TierPolicy::Jit)), "hackatom");
  std::vector<std::string> d0, d1;
  expect_same(cyberpunk_scenario(opts_for(TierPolicy::Interp), &d0),
              cyberpunk_scenario(opts_for(TierPolicy::Jit), &d1), "cyberpunk");
  EXPECT_EQ(d0, d1);
  expect_same(queue_scenario(opts_for(TierPolicy::Interp)),
              queue_scenario(opts_for(TierPolicy::Jit)), "queue");
  expect_same(reflect_scenario(opts_for(TierPolicy::Interp)),
              reflect_scenario(opts_for(TierPolicy::Jit)), "reflect");
  const FloatyRun f0 = floaty_scenario(opts_for(TierPolicy::Interp), 8, true);
  const FloatyRun f1 = floaty_scenario(opts_for(TierPolicy::Jit), 8, true);
  expect_same(f0.log, f1.log, "floaty");
  EXPECT_EQ(f0.hash, f1.hash);
  // Tiered (functions move to tier 1 after two calls or back-edges, mid-run) agrees too.
  const RuntimeOptions tiered{.tier = TierPolicy::Auto, .tier_up_threshold = 2};
  expect_same(queue_scenario(opts_for(TierPolicy::Interp)), queue_scenario(tiered), "queue tiered");
  expect_same(hackatom_scenario(opts_for(TierPolicy::Interp)), hackatom_scenario(tiered),
              "hackatom tiered");
}

// Prints a few gas figures (for the report); the assertions are above.
TEST(CosmwasmVmTiers, GasFigures) {
  REQUIRE_CONTRACT("hackatom.wasm");
  for (TierPolicy tier : {TierPolicy::Interp, TierPolicy::Jit}) {
    const Transcript t = hackatom_scenario(opts_for(tier));
    for (const Step& s : t) {
      if (s.label == "instantiate" || s.label == "execute release" || s.label == "query verifier" ||
          s.label == "query other_balance rich" || s.label == "execute cpu_loop")
        std::printf("%s %-28s limit=%llu remaining=%llu internal=%llu external=%llu\n",
                    tier == TierPolicy::Interp ? "tier0" : "tier1", s.label.c_str(),
                    (unsigned long long)s.gas.limit, (unsigned long long)s.gas.remaining,
                    (unsigned long long)s.gas.used_internally,
                    (unsigned long long)s.gas.used_externally);
    }
  }
}

// ---------------------------------------------------------------------------
// The pieces

TEST(CosmwasmMock, Bech32Addresses) {
  MockApi api;
  // The figures of cosmwasm's MockApi docs and mock_env().
  EXPECT_EQ(api.addr_make("creator"),
            "cosmwasm1h34lmpywh4upnjdg90cjf4j70aee6z8qqfspugamjp42e4q28kqs8s7vcp");
  EXPECT_EQ(mock_contract_addr(),
            "cosmwasm1jpev2csrppg792t22rn8z8uew8h3sjcpglcd0qv9g8gj8ky922tscp8avs");
  EXPECT_EQ(MockApi("juno").addr_make("creator"),
            "juno1h34lmpywh4upnjdg90cjf4j70aee6z8qqfspugamjp42e4q28kqsksmtyp");

  const std::string addr = api.addr_make("creator");
  BackendResult<Bytes> canon = api.addr_canonicalize(addr);
  ASSERT_TRUE(canon.ok());
  EXPECT_EQ(canon.value, sha256(as_bytes("creator")));
  EXPECT_EQ(canon.gas, GasInfo::with_cost(MockApi::kGasCostCanonicalize));
  BackendResult<std::string> human = api.addr_humanize(canon.value);
  ASSERT_TRUE(human.ok());
  EXPECT_EQ(human.value, addr);
  EXPECT_TRUE(api.addr_validate(addr).ok());
  EXPECT_EQ(api.addr_validate(addr).gas,
            GasInfo::with_cost(MockApi::kGasCostCanonicalize + MockApi::kGasCostHumanize));

  // Case-insensitive decoding, but only the lowercase form validates.
  std::string upper = addr;
  for (char& c : upper)
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
  EXPECT_EQ(api.addr_canonicalize(upper).value, canon.value);
  BackendResult<Unit> v = api.addr_validate(upper);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error->msg, "Invalid input: address not normalized");
  // Mixed case, bad checksum, wrong prefix, empty data, too long.
  std::string mixed = addr;
  mixed[0] = 'C';
  EXPECT_EQ(api.addr_canonicalize(mixed).error->msg, "Error decoding bech32");
  std::string bad = addr;
  bad.back() = bad.back() == 'p' ? 'q' : 'p';
  EXPECT_EQ(api.addr_canonicalize(bad).error->msg, "Error decoding bech32");
  EXPECT_EQ(api.addr_canonicalize(MockApi("juno").addr_make("x")).error->msg,
            "Wrong bech32 prefix");
  EXPECT_EQ(api.addr_canonicalize("cosmwasm1pj90vm").error->msg,
            "Invalid canonical address length");
  EXPECT_EQ(api.addr_humanize(Bytes(256, 61)).error->msg, "Invalid canonical address length");
  EXPECT_EQ(api.addr_humanize(Bytes()).error->kind, BackendErrorKind::UserErr);
  // A BIP-173 test vector.
  auto d = bech32::decode("A12UEL5L");
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->hrp, "a");
  EXPECT_TRUE(d->data.empty());
  EXPECT_FALSE(bech32::decode("a12uel5l\x7f").has_value());
  EXPECT_FALSE(bech32::decode("1nwldj5").has_value());  // empty hrp
  // A failing api reports an unknown backend error.
  MockApi failing = MockApi::failing("Temporarily unavailable");
  EXPECT_EQ(failing.addr_canonicalize(addr).error->to_string(),
            "Unknown error during call into backend: Temporarily unavailable");
}

TEST(CosmwasmMock, StorageIterators) {
  MockStorage st;
  auto b = [](const char* s) { return Bytes(s, s + std::strlen(s)); };
  st.set(b("foo"), b("bar"));
  st.set(b("ant"), b("hill"));
  st.set(b("ze"), b("bra"));
  st.set(b("bye"), b("bye"));
  EXPECT_EQ(st.remove(b("bye")).gas, GasInfo::with_externally_used(3));
  EXPECT_EQ(st.get(b("foo")).gas, GasInfo::with_externally_used(3));
  EXPECT_FALSE(st.get(b("food")).value.has_value());
  auto all = [&](std::optional<ByteView> start, std::optional<ByteView> end, Order order) {
    BackendResult<uint32_t> id = st.scan(start, end, order);
    EXPECT_EQ(id.gas, GasInfo::with_externally_used(11));
    std::string keys;
    for (;;) {
      BackendResult<std::optional<Record>> r = st.next(id.value);
      if (!r.value) {
        EXPECT_EQ(r.gas, GasInfo::with_externally_used(37));
        break;
      }
      EXPECT_EQ(r.gas, GasInfo::with_cost(r.value->first.size() + r.value->second.size()));
      keys += std::string(r.value->first.begin(), r.value->first.end()) + ",";
    }
    return keys;
  };
  const Bytes f = b("f"), n = b("n"), air = b("air"), loop = b("loop"), z = b("z"), a = b("a");
  EXPECT_EQ(all(std::nullopt, std::nullopt, Order::Ascending), "ant,foo,ze,");
  EXPECT_EQ(all(std::nullopt, std::nullopt, Order::Descending), "ze,foo,ant,");
  EXPECT_EQ(all(ByteView(f), ByteView(n), Order::Ascending), "foo,");
  EXPECT_EQ(all(ByteView(air), ByteView(loop), Order::Descending), "foo,ant,");
  EXPECT_EQ(all(ByteView(z), ByteView(a), Order::Ascending), "");
  EXPECT_EQ(all(ByteView(f), ByteView(f), Order::Descending), "");
  EXPECT_EQ(all(ByteView(f), std::nullopt, Order::Ascending), "foo,ze,");
  EXPECT_EQ(all(std::nullopt, ByteView(f), Order::Descending), "ant,");
  // Ids count up from 1; an unknown id is an error.
  EXPECT_EQ(st.open_iterators(), 8u);
  EXPECT_EQ(st.scan(std::nullopt, std::nullopt, Order::Ascending).value, 9u);
  BackendResult<std::optional<Record>> missing = st.next(42);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error->to_string(), "Iterator with ID 42 does not exist");
  EXPECT_EQ(*st.next_key(9).value, b("ant"));
  EXPECT_EQ(*st.next_value(9).value, b("bar"));
}

TEST(CosmwasmMock, Querier) {
  MockQuerier q({{"alice", {{"earth", "5"}, {"moon", "7"}}}, {"bob", {{"earth", "10"}}}});
  auto ask = [&](const std::string& req) {
    BackendResult<Bytes> r = q.query_raw(as_bytes(req), 1'000'000);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.gas, GasInfo::with_externally_used(100'000 + 100 * r.value.size()));
    return std::string(r.value.begin(), r.value.end());
  };
  EXPECT_EQ(ask(R"({"bank":{"balance":{"address":"alice","denom":"moon"}}})"),
            MockQuerier::system_ok(as_bytes(R"({"amount":{"denom":"moon","amount":"7"}})")));
  EXPECT_EQ(ask(R"({"bank":{"balance":{"address":"carol","denom":"moon"}}})"),
            MockQuerier::system_ok(as_bytes(R"({"amount":{"denom":"moon","amount":"0"}})")));
  EXPECT_EQ(ask(R"({"bank":{"supply":{"denom":"earth"}}})"),
            MockQuerier::system_ok(as_bytes(R"({"amount":{"denom":"earth","amount":"15"}})")));
  EXPECT_EQ(ask(R"({"wasm":{"smart":{"contract_addr":"x","msg":"e30="}}})"),
            R"({"error":{"no_such_contract":{"addr":"x"}}})");
  EXPECT_EQ(ask(R"({"custom":{"ping":{}}})"),
            R"({"error":{"unsupported_request":{"kind":"custom"}}})");
  EXPECT_EQ(ask(R"({"stargate":{"path":"/x","data":""}})"),
            R"({"error":{"unsupported_request":{"kind":"Stargate"}}})");
  EXPECT_NE(
      ask("not json").find(R"({"error":{"invalid_request":{"error":"Parsing query request: )"),
      std::string::npos);
  // Over the gas limit: out of gas, with the gas it took.
  BackendResult<Bytes> r = q.query_raw(as_bytes(R"({"bank":{"supply":{"denom":"x"}}})"), 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->kind, BackendErrorKind::OutOfGas);
  EXPECT_GT(r.gas.externally_used, 1000u);
  EXPECT_EQ(VmError::from_backend(*r.error).kind, VmErrorKind::GasDepletion);
}

TEST(CosmwasmEnv, SectionsAndUtf8) {
  const Bytes a{0xAA}, de{0xDE, 0xDE}, none{};
  const Bytes enc = encode_sections({a, de, none});
  EXPECT_EQ(enc, (Bytes{0xAA, 0, 0, 0, 1, 0xDE, 0xDE, 0, 0, 0, 2, 0, 0, 0, 0}));
  VmResult<std::vector<ByteView>> dec = decode_sections(enc);
  ASSERT_TRUE(dec.ok());
  ASSERT_EQ(dec.value.size(), 3u);
  EXPECT_EQ(Bytes(dec.value[1].begin(), dec.value[1].end()), de);
  EXPECT_TRUE(decode_sections(Bytes{}).ok());
  EXPECT_FALSE(decode_sections(Bytes{0xAA, 0, 0, 0, 2}).ok());        // length too long
  EXPECT_FALSE(decode_sections(Bytes{0x44, 0xAA, 0, 0, 0, 1}).ok());  // extra data
  EXPECT_FALSE(decode_sections(Bytes{0x44}).ok());
  EXPECT_FALSE(decode_sections(Bytes{0xAA, 0xFF, 0xFF, 0xFF, 0xFF}).ok());

  EXPECT_TRUE(is_valid_utf8(as_bytes("h\xC3\xA9llo \xF0\x9F\x9A\x80")));
  EXPECT_FALSE(is_valid_utf8(as_bytes("\xC0\x80")));          // overlong
  EXPECT_FALSE(is_valid_utf8(as_bytes("\xED\xA0\x80")));      // surrogate
  EXPECT_FALSE(is_valid_utf8(as_bytes("\xF4\x90\x80\x80")));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8(as_bytes("\xE2\x82")));          // cut short
  EXPECT_EQ(utf8_lossy(as_bytes("a\xE2\x82z\xFF")), "a\xEF\xBF\xBDz\xEF\xBF\xBD");

  EXPECT_EQ(base64_encode(as_bytes("foobar")), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(as_bytes("fo")), "Zm8=");
  EXPECT_EQ(*base64_decode("Zm8="), Bytes({'f', 'o'}));
  EXPECT_FALSE(base64_decode("Zm8").has_value());
  EXPECT_FALSE(base64_decode("Zm9=").has_value());  // non-canonical padding bits
}

TEST(CosmwasmEnv, GasConfigAndErrors) {
  const GasConfig g = GasConfig::cosmwasm_3_0();
  EXPECT_EQ(g.secp256k1_verify_cost, 96'000'000u);
  EXPECT_EQ(g.ed25519_batch_verify_cost.total_cost(3), 24'000'000u + 3 * 21'000'000u);
  EXPECT_EQ(g.bls12_381_aggregate_g2_cost.total_cost(2), 103'500'000u + 2 * 24'500'000u);
  EXPECT_EQ(g.host_call_cost, 18'000u);
  EXPECT_EQ(g.write_region_cost.total_cost(10), 230'000u + 5'700u);
  EXPECT_EQ(g.read_region_cost(8'000'000), 200'000u + 115u * 8'000'000u);
  EXPECT_EQ(g.read_region_cost(8'000'001), 520u * 8'000'001u);
  EXPECT_EQ(g.string_from_bytes_cost.total_cost(2), 28'700u + 2'800u);
  // Saturating, as cosmwasm-vm 3.0.6+: an overflowing cost is depletion.
  EXPECT_EQ(g.write_region_cost.total_cost(UINT64_MAX / 100), UINT64_MAX);
  EXPECT_EQ((LinearGasCost{UINT64_MAX, 1}.total_cost(1)), UINT64_MAX);
  EXPECT_EQ(VmError::from_trap(TrapKind::IntegerDivideByZero).to_string(),
            "Error executing Wasm: Wasmer runtime error: RuntimeError: integer divide by zero");
  EXPECT_EQ(VmError::from_import_error(VmError::make(VmErrorKind::Aborted, "boom")).to_string(),
            "Error executing Wasm: Wasmer runtime error: RuntimeError: Aborted: boom");
  EXPECT_EQ(
      VmError::from_import_error(VmError::make(VmErrorKind::Unsupported, "bls12_381_aggregate_g1"))
          .to_string(),
      "Error executing Wasm: Wasmer runtime error: RuntimeError: bls12_381_aggregate_g1 is "
      "not supported by wvm");
}

}  // namespace
}  // namespace wvm::cosmwasm
