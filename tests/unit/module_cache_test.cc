// serialize_module / deserialize_module: a deserialized module runs exactly
// as the compiled one (results, traps, gas) in every tier, policy jit runs
// the stored tier-1 code without compiling, and anything stale, corrupted or
// truncated is rejected without a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "engine/build_id.h"
#include "engine/checksum.h"
#include "tests/common/random_module.h"
#include "tier0-interp/code.h"
#include "tier0-interp/interp.h"
#include "wvm/wvm.h"

#ifndef WVM_SHARED_DIR
#define WVM_SHARED_DIR ""
#endif

namespace wvm {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kTiers{"interp", "interp-explicit-bounds", "jit",
                                      "jit-explicit-bounds", "auto"};
const char* const kContracts[] = {"cyberpunk", "floaty_2.0", "hackatom", "queue", "reflect",
                                  "empty"};

Config config_for(const std::string& tier, bool metered = true) {
  Config c;
  c.tiers.policy = tier.rfind("interp", 0) == 0 ? TierPolicy::Interp
                   : tier.rfind("jit", 0) == 0  ? TierPolicy::Jit
                                                : TierPolicy::Auto;
  c.tiers.tier_up_threshold = 1;
  if (tier.find("explicit") != std::string::npos) c.memory.bounds = BoundsStrategy::ExplicitChecks;
  c.metering.enabled = metered;
  c.metering.profile = GasProfile::cosmwasm();
  return c;
}

std::vector<uint8_t> contract(const char* name) {
  const fs::path p = fs::path(WVM_SHARED_DIR) / "contracts" / "cosmwasm" / (std::string(name) + ".wasm");
  Result<std::vector<uint8_t>> bytes = read_file(p.string());
  return bytes.ok() ? bytes.value() : std::vector<uint8_t>{};
}

// Every exported function called once with zero arguments, imports stubbed
// (functions return zeros), in one store: each call's results, trap and gas
// left, as one string.
std::string run_exports(Engine& engine, const std::shared_ptr<const Module>& module) {
  Store store(engine);
  std::vector<Extern> imports;
  for (const Import& im : module->imports) {
    switch (im.kind) {
      case ExternKind::Func: {
        // Host functions must write their results: zeros of each type.
        const FuncType& t = module->types[im.func_type];
        imports.push_back(Extern::func(store.create_host_func(
            t,
            [](HostCall& call, const Value*, Value* results) {
              const auto* type = static_cast<const FuncType*>(call.user_data);
              for (size_t i = 0; i < type->results.size(); ++i) results[i] = {type->results[i], 0};
              return TrapKind::None;
            },
            const_cast<FuncType*>(&t))));
        break;
      }
      case ExternKind::Memory: imports.push_back(Extern::memory(store.create_memory(im.memory).value())); break;
      case ExternKind::Table: imports.push_back(Extern::table(store.create_table(im.table).value())); break;
      case ExternKind::Global:
        imports.push_back(Extern::global(store.create_global(im.global, {im.global.type, 0})));
        break;
    }
  }
  std::string out;
  store.set_gas_limit(2'000'000'000);
  Result<Instance*> inst = store.instantiate(module, imports);
  if (!inst) return "instantiate: " + inst.error().to_string();
  for (const Export& e : module->exports) {
    if (e.kind != ExternKind::Func) continue;
    Func* f = inst.value()->find_export(e.name).as_func();
    std::vector<Value> args;
    for (ValType t : f->type->params) args.push_back({t, 0});
    // CosmWasm entry points take Regions: give each one holding "{}", so
    // the contract parses it (and fails on it) instead of trapping at once.
    Func* allocate = inst.value()->find_export("allocate").as_func();
    Memory* memory = inst.value()->memory();
    if (allocate != nullptr && memory != nullptr && e.name != "allocate" && e.name != "deallocate") {
      for (Value& a : args) {
        const CallResult region = store.call(allocate, {Value::i32(2)});
        if (!region.ok() || a.type != ValType::I32) continue;
        const uint32_t at = region.results[0].as_i32();
        if (uint64_t{at} + 12 > memory->size_bytes()) continue;
        uint32_t offset;
        std::memcpy(&offset, memory->data() + at, 4);
        if (uint64_t{offset} + 2 > memory->size_bytes()) continue;
        std::memcpy(memory->data() + offset, "{}", 2);
        const uint32_t length = 2;
        std::memcpy(memory->data() + at + 8, &length, 4);
        a = Value::i32(at);
      }
    }
    const CallResult r = store.call(f, args);
    out += e.name + ": trap " + std::to_string(static_cast<int>(r.trap)) + " gas " +
           std::to_string(store.gas_left()) + " =";
    for (const Value& v : r.results) out += " " + std::to_string(v.bits);
    out += "\n";
    if (r.trap == TrapKind::OutOfGas) store.set_gas_limit(2'000'000'000);
  }
  return out;
}

std::shared_ptr<const Module> compile_ok(Engine& engine, const std::vector<uint8_t>& wasm) {
  Result<std::shared_ptr<const Module>> m = compile(engine, wasm.data(), wasm.size());
  EXPECT_TRUE(m.ok()) << m.error().to_string();
  return m.ok() ? m.value() : nullptr;
}

std::vector<uint8_t> serialize_ok(const Engine& engine, const Module& module) {
  Result<std::vector<uint8_t>> bytes = serialize_module(engine, module);
  EXPECT_TRUE(bytes.ok()) << bytes.error().to_string();
  return bytes.ok() ? bytes.value() : std::vector<uint8_t>{};
}

// Compiles `wasm`, runs its exports (so policy auto has compiled what ran),
// serializes, deserializes into a fresh engine of the same configuration and
// checks: the tier-0 code word for word as tier 0 prepares it (the original's,
// or, under policy jit, which prepares none for compiled functions, what
// serialize_module prepared), tier-1 code wherever the original had it
// (installed, not compiled), and the same outcome of a run on a fresh module
// of each kind.
void check_round_trip(const std::string& tier, const std::vector<uint8_t>& wasm,
                      const std::string& what) {
  SCOPED_TRACE(what + " in " + tier);
  const Config config = config_for(tier);
  Engine original_engine(config);
  std::shared_ptr<const Module> original = compile_ok(original_engine, wasm);
  if (!original) return;
  (void)run_exports(original_engine, original);  // auto: tiers up what ran
  const std::vector<uint8_t> bytes = serialize_ok(original_engine, *original);

  Engine engine(config);
  Result<std::shared_ptr<const Module>> loaded = deserialize_module(engine, bytes.data(), bytes.size());
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  const Module& m = *loaded.value();
  EXPECT_EQ(engine.tier_stats().compiled, 0u) << "tier-1 code must be loaded, not compiled";
  ASSERT_EQ(m.code.size(), original->code.size());
  for (size_t i = 0; i < m.code.size(); ++i) {
    const FuncCode& before = *original->code[i];
    if (config.tiers.policy == TierPolicy::Jit && before.jit_entry.load() != nullptr)
      EXPECT_TRUE(before.code.empty()) << "policy jit prepared tier-0 code of function " << i;
    Result<std::unique_ptr<FuncCode>> prepared =
        prepare_function(*original, config.module_limits, before.func_index);
    ASSERT_TRUE(prepared.ok()) << prepared.error().to_string();
    EXPECT_EQ(m.code[i]->code, prepared.value()->code) << "tier-0 code of function " << i;
    EXPECT_EQ(m.code[i]->sites, prepared.value()->sites) << "trap sites of function " << i;
    EXPECT_EQ(m.code[i]->loop_headers, prepared.value()->loop_headers) << "loops of function " << i;
    EXPECT_EQ(m.code[i]->max_slots, prepared.value()->max_slots) << "frame of function " << i;
    EXPECT_EQ(before.max_slots, prepared.value()->max_slots) << "frame of function " << i;
    EXPECT_EQ(before.num_locals, prepared.value()->num_locals) << "locals of function " << i;
    EXPECT_EQ(m.code[i]->jit_entry.load() != nullptr, original->code[i]->jit_entry.load() != nullptr)
        << "tier-1 code of function " << i;
  }

  // Runs on fresh compilations: a run changes nothing observable in a module,
  // but auto's tier-up state must start where a restarted node starts.
  Engine reference_engine(config);
  const std::string expected = run_exports(reference_engine, compile_ok(reference_engine, wasm));
  EXPECT_EQ(run_exports(engine, loaded.value()), expected);
  if (getenv("WVM_CACHE_TEST_PRINT")) std::printf("%s\n%s", what.c_str(), expected.c_str());
  if (config.tiers.policy == TierPolicy::Jit) EXPECT_EQ(engine.tier_stats().compiled, 0u);
}

class ModuleCacheTest : public ::testing::TestWithParam<std::string> {};

INSTANTIATE_TEST_SUITE_P(Tiers, ModuleCacheTest, ::testing::ValuesIn(kTiers),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

TEST_P(ModuleCacheTest, SharedContractsRoundTrip) {
  for (const char* name : kContracts) {
    const std::vector<uint8_t> wasm = contract(name);
    if (wasm.empty()) GTEST_SKIP() << "shared/contracts is absent";
    check_round_trip(GetParam(), wasm, name);
  }
}

TEST_P(ModuleCacheTest, RandomModulesRoundTrip) {
  const fs::path dir = fs::temp_directory_path() / ("wvm-cache-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    const fs::path out = dir / "m.wasm";
    ASSERT_TRUE(test::make_random_module(seed, dir / "in.bin", out)) << "wasm-opt failed";
    Result<std::vector<uint8_t>> wasm = read_file(out.string());
    ASSERT_TRUE(wasm.ok());
    check_round_trip(GetParam(), wasm.value(), "random module " + std::to_string(seed));
  }
  fs::remove_all(dir);
}

// ---- what must be rejected

std::vector<uint8_t> hackatom_artifact(const Config& config) {
  Engine engine(config);
  const std::vector<uint8_t> wasm = contract("hackatom");
  if (wasm.empty()) return {};
  std::shared_ptr<const Module> m = compile_ok(engine, wasm);
  return m ? serialize_ok(engine, *m) : std::vector<uint8_t>{};
}

void reseal(std::vector<uint8_t>& bytes) {
  const uint64_t sum = checksum64(bytes.data() + 16, bytes.size() - 16);
  std::memcpy(bytes.data() + 8, &sum, 8);
}

ErrorKind load_error(const Config& config, const std::vector<uint8_t>& bytes) {
  Engine engine(config);
  Result<std::shared_ptr<const Module>> m = deserialize_module(engine, bytes.data(), bytes.size());
  EXPECT_FALSE(m.ok());
  return m.ok() ? ErrorKind::Io : m.error().kind;
}

TEST(ModuleCache, OtherConfigurationIsStale) {
  const Config base = config_for("jit");
  const std::vector<uint8_t> bytes = hackatom_artifact(base);
  if (bytes.empty()) GTEST_SKIP() << "shared/contracts is absent";
  std::vector<Config> others(6, base);
  others[0].memory.bounds = BoundsStrategy::ExplicitChecks;
  others[1].metering.enabled = false;
  others[2].metering.profile.op_cost = 116;
  others[3].metering.profile.charge_locals = true;
  others[4].metering.profile.bulk_memory_per_byte = 1;
  others[5].module_limits.max_locals = 1000;
  for (const Config& c : others) EXPECT_EQ(load_error(c, bytes), ErrorKind::Stale);

  // The tier policy does not change code: interp runs the tier-0 code and
  // ignores tier 1; jit loading a tier-0-only artifact compiles tier 1.
  Config interp = base;
  interp.tiers.policy = TierPolicy::Interp;
  Engine interp_engine(interp);
  EXPECT_TRUE(deserialize_module(interp_engine, bytes.data(), bytes.size()).ok());
  const std::vector<uint8_t> tier0_only = hackatom_artifact(interp);
  Engine jit_engine(base);
  Result<std::shared_ptr<const Module>> m =
      deserialize_module(jit_engine, tier0_only.data(), tier0_only.size());
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_GT(jit_engine.tier_stats().compiled, 0u);
}

TEST(ModuleCache, OtherBuildFormatArchitectureOrCpuIsStale) {
  const Config config = config_for("jit");
  const std::vector<uint8_t> bytes = hackatom_artifact(config);
  if (bytes.empty()) GTEST_SKIP() << "shared/contracts is absent";
  // Header after the 24 fixed bytes: version, architecture, build id, config key, CPU features.
  const size_t version_at = 24, arch_at = 28, build_at = 32 + 4;
  uint32_t key_size = 0;
  const size_t key_len_at = build_at + engine_build_id().size();
  std::memcpy(&key_size, bytes.data() + key_len_at, 4);
  const size_t features_at = key_len_at + 4 + key_size;
  for (size_t at : {version_at, arch_at, build_at, build_at + engine_build_id().size() - 1,
                    key_len_at + 4, features_at}) {
    std::vector<uint8_t> b = bytes;
    b[at] ^= 0x01;
    reseal(b);
    EXPECT_EQ(load_error(config, b), ErrorKind::Stale) << "byte " << at;
  }
}

TEST(ModuleCache, EveryCorruptedByteIsRejected) {
  const Config config = config_for("jit");
  const std::vector<uint8_t> bytes = hackatom_artifact(config);
  if (bytes.empty()) GTEST_SKIP() << "shared/contracts is absent";
  Engine engine(config);
  std::mt19937_64 rng(7);
  std::vector<uint8_t> b = bytes;
  // Every byte of the header and the first 4 KiB, then a random sample.
  std::vector<size_t> positions;
  for (size_t i = 0; i < 4096; ++i) positions.push_back(i);
  for (int i = 0; i < 3000; ++i) positions.push_back(rng() % bytes.size());
  for (size_t at : positions) {
    const uint8_t flip = static_cast<uint8_t>(1 + rng() % 255);
    b[at] ^= flip;
    Result<std::shared_ptr<const Module>> m = deserialize_module(engine, b.data(), b.size());
    EXPECT_FALSE(m.ok()) << "byte " << at;
    b[at] ^= flip;
  }
  EXPECT_EQ(engine.tier_stats().compiled, 0u);
}

TEST(ModuleCache, EveryTruncationIsRejected) {
  const Config config = config_for("jit");
  const std::vector<uint8_t> bytes = hackatom_artifact(config);
  if (bytes.empty()) GTEST_SKIP() << "shared/contracts is absent";
  Engine engine(config);
  for (size_t n = 0; n < bytes.size(); ++n) {
    Result<std::shared_ptr<const Module>> m = deserialize_module(engine, bytes.data(), n);
    ASSERT_FALSE(m.ok()) << "length " << n;
  }
  std::vector<uint8_t> longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(deserialize_module(engine, longer.data(), longer.size()).ok());
}

// With the checksum recomputed, mutations reach the parser: it must reject
// them or build a module, never crash (the module is not run: the checksum
// is what stands between corrupted code and execution).
TEST(ModuleCache, ResealedMutationsNeverCrashTheLoader) {
  const Config config = config_for("jit");
  const std::vector<uint8_t> bytes = hackatom_artifact(config);
  if (bytes.empty()) GTEST_SKIP() << "shared/contracts is absent";
  Engine engine(config);
  std::mt19937_64 rng(11);
  size_t accepted = 0;
  for (int i = 0; i < 1500; ++i) {
    std::vector<uint8_t> b = bytes;
    const int n = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < n; ++k) b[24 + rng() % (b.size() - 24)] ^= static_cast<uint8_t>(1 + rng() % 255);
    if (rng() % 4 == 0) {  // a truncation with a consistent size field
      b.resize(24 + rng() % (b.size() - 24));
      const uint64_t total = b.size();
      std::memcpy(b.data() + 16, &total, 8);
    }
    reseal(b);
    accepted += deserialize_module(engine, b.data(), b.size()).ok();
  }
  RecordProperty("accepted", static_cast<int>(accepted));
}

TEST(ModuleCache, SerializationIsDeterministic) {
  const Config config = config_for("interp");
  EXPECT_EQ(hackatom_artifact(config), hackatom_artifact(config));
}

}  // namespace
}  // namespace wvm
