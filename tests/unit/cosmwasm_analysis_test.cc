// cosmwasm-vm 3.0's store-time rules (hosts/cosmwasm/analysis.cc): each rule
// on both sides, their order, analyze()'s report, and the real contracts.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "hosts/cosmwasm/analysis.h"
#include "tests/unit/builder.h"
#include "wvm/wvm.h"

#ifndef WVM_SHARED_DIR
#define WVM_SHARED_DIR ""
#endif

namespace wvm::cosmwasm {
namespace {

using namespace wvm::test;
namespace fs = std::filesystem;

// The capabilities wasmd 0.61 offers with wasmvm 3.0.
AnalysisConfig chain_config() {
  AnalysisConfig c;
  c.available_capabilities = {"iterator",     "staking",      "stargate",     "cosmwasm_1_1",
                              "cosmwasm_1_2", "cosmwasm_1_3", "cosmwasm_1_4", "cosmwasm_2_0",
                              "cosmwasm_2_1", "cosmwasm_2_2", "cosmwasm_3_0"};
  return c;
}

// The smallest contract cosmwasm-vm accepts: one memory, allocate,
// deallocate and the interface_version_8 marker. `imports` runs first (imports
// must precede definitions); `with_memory` false leaves the memory out.
ModuleBuilder contract(const std::function<void(ModuleBuilder&)>& imports = {},
                       bool with_memory = true) {
  ModuleBuilder m;
  if (imports) imports(m);
  const uint32_t alloc_t = m.type({I32}, {I32});
  const uint32_t dealloc_t = m.type({I32}, {});
  const uint32_t void_t = m.type({}, {});
  m.export_func("allocate", m.add_func(alloc_t, {}, Code().local_get(0)));
  m.export_func("deallocate", m.add_func(dealloc_t, {}, Code()));
  m.export_func("interface_version_8", m.add_func(void_t, {}, Code()));
  if (with_memory) m.export_memory("memory", m.add_memory(17));
  return m;
}

Result<void> check(const ModuleBuilder& m, const AnalysisConfig& config = chain_config()) {
  return check_wasm(m.build(), config);
}

// cosmwasm-vm's texts the tests expect.
const std::string kDeserialization =
    "Wasm bytecode could not be deserialized. Deserialization error: \"";
const std::string kOneMemory = "Wasm contract must contain exactly one memory";
const std::string kMissingMarker =
    "Wasm contract missing a required marker export: interface_version_*";

// Expects a rejection of `kind` whose message (cosmwasm-vm's text) contains `text`.
void expect_rejected(const Result<void>& r,
                     const std::string& text,
                     ErrorKind kind = ErrorKind::Invalid) {
  ASSERT_FALSE(r.ok()) << "accepted, expected: " << text;
  EXPECT_EQ(r.error().kind, kind) << r.error().to_string();
  EXPECT_NE(r.error().message.find(text), std::string::npos) << r.error().message;
}

void expect_accepted(const Result<void>& r) {
  EXPECT_TRUE(r.ok()) << r.error().to_string();
}

TEST(CosmwasmAnalysis, MinimalContractPasses) {
  expect_accepted(check(contract()));
  Result<AnalysisReport> report = analyze(contract().build());
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  EXPECT_FALSE(report->has_ibc_entry_points);
  EXPECT_TRUE(report->entrypoints.empty());
  EXPECT_TRUE(report->required_capabilities.empty());
  EXPECT_FALSE(report->contract_migrate_version.has_value());
}

// ---- memory ------------------------------------------------------------------

TEST(CosmwasmAnalysis, MemoryExactlyOne) {
  expect_rejected(check(contract({}, false)), kOneMemory);

  ModuleBuilder two = contract();
  two.add_memory(1);
  expect_rejected(check(two), kDeserialization + "multiple memories");

  // An imported memory is not the contract's own memory (and imports must be functions).
  ModuleBuilder imported_only =
      contract([](ModuleBuilder& m) { m.add_import_memory("env", "memory", 1); }, false);
  expect_rejected(check(imported_only), kOneMemory);
  ModuleBuilder imported_and_own =
      contract([](ModuleBuilder& m) { m.add_import_memory("env", "memory", 1); });
  expect_rejected(check(imported_and_own), kDeserialization + "multiple memories");
}

TEST(CosmwasmAnalysis, MemoryInitialSizeLimit) {
  ModuleBuilder at_limit = contract({}, false);
  at_limit.add_memory(512);
  expect_accepted(check(at_limit));

  ModuleBuilder over = contract({}, false);
  over.add_memory(513);
  expect_rejected(check(over), "Wasm contract memory's minimum must not exceed 512 pages.");

  AnalysisConfig small = chain_config();
  small.limits.initial_memory_limit_pages = 16;
  expect_rejected(check(contract(), small), "Wasm contract memory's minimum must not exceed 16 pages.");
}

TEST(CosmwasmAnalysis, MemoryMaximumMustBeUnset) {
  ModuleBuilder with_max = contract({}, false);
  with_max.add_memory(1, 5);
  expect_rejected(check(with_max), "Wasm contract memory's maximum must be unset. The host will set it for you.");
}

// ---- tables ------------------------------------------------------------------

TEST(CosmwasmAnalysis, TablesAtMostOneBounded) {
  ModuleBuilder bounded = contract();
  bounded.add_table(FuncRef, 123, 123);
  expect_accepted(check(bounded));

  ModuleBuilder at_limit = contract();
  at_limit.add_table(FuncRef, 10, 2500);
  expect_accepted(check(at_limit));

  ModuleBuilder too_large = contract();
  too_large.add_table(FuncRef, 100, 2501);
  expect_rejected(check(too_large), "Wasm contract's first table section has a too large max limit");

  ModuleBuilder unbounded = contract();
  unbounded.add_table(FuncRef, 100);
  expect_rejected(check(unbounded), "Wasm contract must not have unbound table section");

  ModuleBuilder two = contract();
  two.add_table(FuncRef, 1, 1);
  two.add_table(FuncRef, 1, 1);
  expect_rejected(check(two), "Wasm contract must not have more than 1 table section");

  AnalysisConfig small = chain_config();
  small.limits.table_size_limit_elements = 100;
  expect_rejected(check(bounded, small), "Wasm contract's first table section has a too large max limit");
}

TEST(CosmwasmAnalysis, RulesApplyInCosmwasmOrder) {
  // Breaks the table, memory and export rules: the table rule comes first.
  ModuleBuilder m = contract({}, false);
  m.add_table(FuncRef, 1);
  expect_rejected(check(m), "Wasm contract must not have unbound table section");

  // Memory before the interface version and exports.
  ModuleBuilder bare;
  bare.add_func(bare.type({}, {}), {}, Code());
  expect_rejected(check(bare), kOneMemory);
}

// ---- interface version -------------------------------------------------------

TEST(CosmwasmAnalysis, InterfaceVersionMarker) {
  ModuleBuilder missing;
  const uint32_t t = missing.type({}, {});
  const uint32_t f = missing.add_func(t, {}, Code());
  missing.add_memory(1);
  missing.export_func("allocate", f);
  missing.export_func("deallocate", f);
  expect_rejected(check(missing), kMissingMarker);

  ModuleBuilder two = contract();
  two.export_func("interface_version_9", 0);
  expect_rejected(check(two), "Wasm contract contains more than one marker export: interface_version_*");

  // A global named like the marker is not a marker.
  ModuleBuilder global_marker = missing;
  global_marker.export_global("interface_version_8",
                              global_marker.add_global(I32, false, Code().i32_const(0)));
  expect_rejected(check(global_marker), kMissingMarker);
}

TEST(CosmwasmAnalysis, OldInterfaceVersionsRejectedClearly) {
  for (const char* marker : {"interface_version_5", "interface_version_6", "interface_version_7",
                             "interface_version_broken", "interface_version_9"}) {
    ModuleBuilder m;
    const uint32_t f = m.add_func(m.type({}, {}), {}, Code());
    m.add_memory(1);
    m.export_func("allocate", f);
    m.export_func("deallocate", f);
    m.export_func(marker, f);
    expect_rejected(check(m), "Wasm contract has unknown interface_version_* marker export (see "
                              "https://github.com/CosmWasm/cosmwasm/blob/main/packages/vm/README.md)");
  }
}

// ---- exports -----------------------------------------------------------------

TEST(CosmwasmAnalysis, RequiredExports) {
  for (const char* required : {"allocate", "deallocate"}) {
    ModuleBuilder m;
    const uint32_t f = m.add_func(m.type({}, {}), {}, Code());
    m.add_memory(1);
    m.export_func("interface_version_8", f);
    for (const char* name : {"allocate", "deallocate"})
      if (std::string(name) != required) m.export_func(name, f);
    // Exported as something else than a function: still missing.
    m.export_global(required, m.add_global(I32, false, Code().i32_const(0)));
    expect_rejected(check(m), std::string("Wasm contract doesn't have required export: \"") + required + "\". Exports required by VM: [\"allocate\", \"deallocate\"].");
  }
  // instantiate is no longer required (since CosmWasm 2.0).
  expect_accepted(check(contract()));
}

// ---- imports -----------------------------------------------------------------

const char* const kAllImports[] = {
    "abort",
    "db_read",
    "db_write",
    "db_remove",
    "addr_validate",
    "addr_canonicalize",
    "addr_humanize",
    "bls12_381_aggregate_g1",
    "bls12_381_aggregate_g2",
    "bls12_381_pairing_equality",
    "bls12_381_hash_to_g1",
    "bls12_381_hash_to_g2",
    "secp256k1_verify",
    "secp256k1_recover_pubkey",
    "secp256r1_verify",
    "secp256r1_recover_pubkey",
    "ed25519_verify",
    "ed25519_batch_verify",
    "debug",
    "query_chain",
    "db_scan",
    "db_next",
    "db_next_key",
    "db_next_value",
};

TEST(CosmwasmAnalysis, EverySupportedImportIsAccepted) {
  ModuleBuilder m = contract([](ModuleBuilder& b) {
    const uint32_t t = b.type({I32}, {I32});  // signatures are checked at instantiation, not here
    for (const char* name : kAllImports) b.add_import_func("env", name, t);
  });
  expect_accepted(check(m));
}

TEST(CosmwasmAnalysis, UnsupportedImportsRejected) {
  const std::pair<const char*, const char*> bad[] = {
      {"env", "foo"},       {"env", "read_db"},  // CosmWasm 0.x name
      {"other", "db_read"},                      // right name, wrong module
      {"env", "db_read_"},  {"wasi_snapshot_preview1", "fd_write"},
  };
  for (const auto& import : bad) {
    // Not a structured binding: clang 14 cannot capture those in a lambda.
    const char* module = import.first;
    const char* name = import.second;
    ModuleBuilder m = contract([&](ModuleBuilder& b) {
      b.add_import_func("env", "db_read", b.type({I32}, {I32}));
      b.add_import_func(module, name, b.type({I32}, {I32}));
    });
    expect_rejected(check(m),
                    std::string("Wasm contract requires unsupported import: \"") + module + "." + name + "\". Required imports: {");
  }
}

TEST(CosmwasmAnalysis, ImportsMustBeFunctions) {
  ModuleBuilder global =
      contract([](ModuleBuilder& b) { b.add_import_global("env", "db_read", I32, false); });
  expect_rejected(check(global), "Wasm contract requires non-function import: \"env.db_read\". Right now, all supported imports are functions.");

  ModuleBuilder table =
      contract([](ModuleBuilder& b) { b.add_import_table("env", "debug", FuncRef, 1, 1); });
  expect_rejected(check(table), "requires non-function import");
}

TEST(CosmwasmAnalysis, ImportCountLimit) {
  auto with_imports = [](int n) {
    return contract([n](ModuleBuilder& b) {
      const uint32_t t = b.type({I32}, {I32});
      for (int i = 0; i < n; ++i) b.add_import_func("env", "db_read", t);
    });
  };
  expect_accepted(check(with_imports(100)));
  expect_rejected(check(with_imports(101)), "Import count exceeds limit. Imports: 101. Limit: 100.");

  // The count comes before the names.
  ModuleBuilder unsupported_and_many = contract([](ModuleBuilder& b) {
    const uint32_t t = b.type({I32}, {I32});
    for (int i = 0; i < 101; ++i) b.add_import_func("env", "spam", t);
  });
  expect_rejected(check(unsupported_and_many), "Import count exceeds limit.");
}

// ---- capabilities ------------------------------------------------------------

ModuleBuilder requiring(std::initializer_list<const char*> exports) {
  ModuleBuilder m = contract();
  for (const char* e : exports) m.export_func(e, 0);
  return m;
}

TEST(CosmwasmAnalysis, RequiredCapabilities) {
  ModuleBuilder m = requiring({"requires_water", "requires_", "requires_nutrients", "require_milk",
                               "REQUIRES_air", "requires_sun"});
  AnalysisConfig config;
  config.available_capabilities = {"water", "nutrients", "sun", "freedom"};
  expect_accepted(check(m, config));

  config.available_capabilities = {"nutrients", "freedom", "Water"};  // case-sensitive
  expect_rejected(check(m, config),
                  "Wasm contract requires unavailable capabilities: {\"sun\", \"water\"}");
  config.available_capabilities = {};
  expect_rejected(check(m, config), "{\"nutrients\", \"sun\", \"water\"}");

  Result<AnalysisReport> report = analyze(m.build());
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  EXPECT_EQ(report->required_capabilities, (std::set<std::string>{"nutrients", "sun", "water"}));

  // Only exported functions count.
  ModuleBuilder g = contract();
  g.export_global("requires_moon", g.add_global(I32, false, Code().i32_const(0)));
  expect_accepted(check(g, AnalysisConfig{}));
}

// ---- function limits ---------------------------------------------------------

TEST(CosmwasmAnalysis, FunctionCountLimit) {
  auto with_funcs = [](int extra) {
    ModuleBuilder m = contract();
    const uint32_t t = m.type({}, {});
    for (int i = 0; i < extra; ++i) m.add_func(t, {}, Code());
    return m;
  };
  // contract() defines 3 functions.
  expect_accepted(check(with_funcs(20'000 - 3)));
  expect_rejected(check(with_funcs(20'000 - 2)),
                  "Wasm contract contains more than 20000 functions");
  AnalysisConfig small = chain_config();
  small.limits.max_functions = 3;
  expect_accepted(check(with_funcs(0), small));
  expect_rejected(check(with_funcs(1), small), "Wasm contract contains more than 3 functions");
}

TEST(CosmwasmAnalysis, FunctionParamAndResultLimits) {
  ModuleBuilder ok = contract();
  ok.add_type(std::vector<ValType>(100, I32), {I64});
  expect_accepted(check(ok));

  // Every type counts, even one no function uses.
  ModuleBuilder params = contract();
  params.add_type(std::vector<ValType>(101, I32), {});
  expect_rejected(check(params), "Wasm contract contains function with more than 100 parameters");

  ModuleBuilder results = contract();
  results.add_type({}, {I32, I32});
  expect_rejected(check(results), "Wasm contract contains function with more than 1 results");
}

TEST(CosmwasmAnalysis, TotalFunctionParamsLimit) {
  auto with_param_funcs = [](int funcs, int params) {
    ModuleBuilder m = contract();
    const uint32_t t = m.type(std::vector<ValType>(params, I32), {});
    for (int i = 0; i < funcs; ++i) m.add_func(t, {}, Code());
    return m;
  };
  // contract()'s functions have 2 params; 99 * 100 + 2 = 9902.
  expect_accepted(check(with_param_funcs(99, 100)));
  // 100 * 100 + 2 = 10002.
  expect_rejected(check(with_param_funcs(100, 100)),
                  "Wasm contract contains more than 10000 function parameters in total");
}

AnalysisConfig chain_config_3_0_9() {
  AnalysisConfig c = chain_config();
  c.version = VmVersion::V3_0_9;
  return c;
}

void expect_message(const Result<void>& r, const std::string& message) {
  ASSERT_FALSE(r.ok()) << "accepted, expected: " << message;
  EXPECT_EQ(r.error().kind, ErrorKind::Invalid);
  EXPECT_EQ(r.error().message, message);
}

TEST(CosmwasmAnalysis, FunctionLocalsLimitsFrom3_0_9) {
  // Declared locals count, parameters don't.
  ModuleBuilder ok = contract();
  ok.add_func(ok.type({I32, I32, I32}, {}), std::vector<ValType>(100, I64), Code());
  expect_accepted(check(ok, chain_config_3_0_9()));

  // The largest count is reported, not the first function over the limit.
  ModuleBuilder too_many = contract();
  std::vector<ValType> mixed(60, I32);
  mixed.insert(mixed.end(), 41, F64);
  too_many.add_func(too_many.type({}, {}), mixed, Code());
  too_many.add_func(too_many.type({}, {}), std::vector<ValType>(150, I32), Code());
  expect_message(check(too_many, chain_config_3_0_9()),
                 "Wasm contract contains function with more than 100 "
                 "locals: 150");

  ModuleBuilder total = contract();
  const uint32_t t = total.type({}, {});
  for (int i = 0; i < 100; ++i) total.add_func(t, std::vector<ValType>(100, I32), Code());
  expect_accepted(check(total, chain_config_3_0_9()));  // exactly 10000
  total.add_func(t, {I32}, Code());
  expect_message(check(total, chain_config_3_0_9()),
                 "Wasm contract contains more than 10000 function locals "
                 "in total: 10001");

  // A chain's own limits, each checked after the other function limits.
  AnalysisConfig small = chain_config_3_0_9();
  small.limits.max_function_locals = 10;
  small.limits.max_total_function_locals = 15;
  ModuleBuilder eleven = contract();
  eleven.add_func(eleven.type({}, {}), std::vector<ValType>(11, I32), Code());
  expect_message(check(eleven, small),
                 "Wasm contract contains function with more than 10 "
                 "locals: 11");
  ModuleBuilder sixteen = contract();
  const uint32_t t2 = sixteen.type({}, {});
  sixteen.add_func(t2, std::vector<ValType>(8, I32), Code());
  sixteen.add_func(t2, std::vector<ValType>(8, I64), Code());
  expect_message(check(sixteen, small),
                 "Wasm contract contains more than 15 function locals in "
                 "total: 16");
  ModuleBuilder both = contract();
  both.add_type(std::vector<ValType>(101, I32), {});
  both.add_func(both.type({}, {}), std::vector<ValType>(150, I32), Code());
  expect_rejected(check(both, chain_config_3_0_9()),
                  "Wasm contract contains function with more than 100 parameters");
}

TEST(CosmwasmAnalysis, NoLocalsLimitsBefore3_0_9) {
  // 3.0.0-3.0.8 have neither limit (the default version).
  EXPECT_EQ(AnalysisConfig{}.version, VmVersion::V3_0);
  ModuleBuilder many = contract();
  const uint32_t t = many.type({}, {});
  for (int i = 0; i < 101; ++i) many.add_func(t, std::vector<ValType>(150, I32), Code());
  expect_accepted(check(many));
  expect_rejected(check(many, chain_config_3_0_9()),
                  "Wasm contract contains function with more than 100 locals: 150");
}

TEST(CosmwasmAnalysis, VersionsSelectTheirGasProfile) {
  EXPECT_EQ(gas_profile(VmVersion::V3_0), GasProfile::cosmwasm());
  EXPECT_EQ(gas_profile(VmVersion::V3_0_9), GasProfile::cosmwasm_3_0_9());
}

// ---- operators and features --------------------------------------------------

ModuleBuilder with_body(const Code& code, std::vector<ValType> locals = {}) {
  ModuleBuilder m = contract();
  m.add_func(m.type({I32}, {}), std::move(locals), code);
  return m;
}

TEST(CosmwasmAnalysis, DeterministicFloatsAndPost1Point0OperatorsAllowed) {
  expect_accepted(check(with_body(Code()
                                      .f64_const(1.5)
                                      .f64_const(2.5)
                                      .op(Opcode::F64Add)
                                      .op(Opcode::F64Sqrt)
                                      .op(Opcode::I64TruncSatF64S)  // saturating truncation
                                      .op(Opcode::I64Extend32S)     // sign extension
                                      .drop()
                                      .f32_const(1.0f)
                                      .op(Opcode::I32ReinterpretF32)
                                      .drop())));
}

TEST(CosmwasmAnalysis, BulkMemoryOperatorsRejected) {
  const std::pair<Code, const char*> ops[] = {
      {Code().local_get(0).local_get(0).local_get(0).memory_copy(), "memory.copy"},
      {Code().local_get(0).local_get(0).local_get(0).memory_fill(), "memory.fill"},
  };
  for (const auto& [code, name] : ops)
    expect_rejected(check(with_body(code)), kDeserialization + "bulk memory support is not enabled",
                    ErrorKind::Unsupported);
  // memory.init stops validation even where the engine would call it malformed.
  expect_rejected(check(with_body(Code().local_get(0).local_get(0).local_get(0).memory_init(0))),
                  kDeserialization + "bulk memory support is not enabled", ErrorKind::Unsupported);
}

TEST(CosmwasmAnalysis, ReferenceTypesOperatorsRejected) {
  auto with_table = [](const Code& code) {
    ModuleBuilder m = contract();
    m.add_table(FuncRef, 1, 1);
    m.add_func(m.type({I32}, {}), {}, code);
    return m;
  };
  const std::pair<Code, const char*> ops[] = {
      {Code().local_get(0).table_get().drop(), "table.get"},
      {Code().table_size().drop(), "table.size"},
      {Code().unreachable().table_grow().drop(), "table.grow"},  // (no ref operand needed there)
      {Code().unreachable().table_fill(), "table.fill"},
      {Code().unreachable().table_set(), "table.set"},
      {Code().ref_func(0).drop(), "ref.func"},
      {Code().ref_null(FuncRef).ref_is_null().drop(), "ref.null"},
      {Code().local_get(0).local_get(0).local_get(0).select_t(I32).drop(), "select"},
  };
  for (const auto& [code, name] : ops)
    expect_rejected(check(with_table(code)),
                    std::string("Reference type operation detected: ") + name + ". Reference types are not supported.", ErrorKind::Unsupported);
  // The gatekeeper sees dead code too.
  expect_rejected(check(with_table(Code().unreachable().table_size().drop())),
                  "Reference type operation detected: table.size.", ErrorKind::Unsupported);
}

TEST(CosmwasmAnalysis, ValidationErrorsComeBeforeTheGatekeeper) {
  // Function 3 uses table.size (valid, rejected at compile time); function 4
  // is invalid: cosmwasm-vm validates all bodies before compiling.
  ModuleBuilder m = contract();
  m.add_table(FuncRef, 1, 1);
  m.add_func(m.type({}, {}), {}, Code().table_size().drop());
  m.add_func(m.type({}, {}), {}, Code().i32_const(1));
  Result<void> r = check(m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Invalid);
  EXPECT_EQ(r.error().message.find("cosmwasm:"), std::string::npos) << r.error().message;
}

TEST(CosmwasmAnalysis, CallIndirectWithOverlongTableIndexAccepted) {
  // Rust 1.82+ encodes call_indirect's table 0 as a two-byte LEB (reference types).
  ModuleBuilder m = contract();
  m.add_table(FuncRef, 1, 1);
  const uint32_t t = m.type({}, {});
  m.add_func(t, {}, Code().i32_const(0).op(Opcode::CallIndirect).u32(t).raw({0x80, 0x00}));
  expect_accepted(check(m));
}

TEST(CosmwasmAnalysis, LaterProposalsRejectedAsFeatures) {
  // i32x4.splat (SIMD): the engine's Unsupported error, named as a feature.
  ModuleBuilder simd = with_body(Code().local_get(0).raw({0xfd, 0x11}).drop());
  expect_rejected(check(simd), kDeserialization, ErrorKind::Unsupported);
  // return_call (tail calls).
  ModuleBuilder tail = with_body(Code().local_get(0).raw({0x12, 0x00}));
  expect_rejected(check(tail), kDeserialization, ErrorKind::Unsupported);
  // A v128 parameter.
  ModuleBuilder v128 = contract();
  v128.add_type({ValType::V128}, {});
  expect_rejected(check(v128), kDeserialization, ErrorKind::Unsupported);
}

TEST(CosmwasmAnalysis, PassiveSegmentsRejected) {
  ModuleBuilder data = contract();
  data.add_passive_data({1, 2, 3});
  expect_rejected(check(data), kDeserialization + "passive data segments", ErrorKind::Unsupported);

  ModuleBuilder elem = contract();
  elem.add_table(FuncRef, 1, 1);
  elem.add_passive_elem({0});
  expect_rejected(check(elem), kDeserialization + "passive element segments", ErrorKind::Unsupported);

  ModuleBuilder declared = contract();
  declared.add_declared_elem({0});
  expect_rejected(check(declared), kDeserialization + "declarative element segments",
                  ErrorKind::Unsupported);

  // Active segments are fine.
  ModuleBuilder active = contract();
  active.add_table(FuncRef, 2, 2);
  active.add_elem(0, 0, {0, 1});
  active.add_data(16, {1, 2, 3});
  active.set_data_count(false);
  expect_accepted(check(active));
}

TEST(CosmwasmAnalysis, MalformedAndInvalidWasmAreDeserializationErrors) {
  Result<void> r = check_wasm({0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00}, chain_config());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(r.error().message, kDeserialization + "unknown binary version\"");

  r = check_wasm({}, chain_config());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Malformed);

  // A body that does not type-check: the engine's validation error.
  ModuleBuilder invalid = with_body(Code().local_get(0).op(Opcode::I64Add).drop());
  r = check(invalid);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Invalid);
  EXPECT_NE(r.error().message.find("type mismatch"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.rfind(kDeserialization, 0), 0u) << r.error().message;
  EXPECT_FALSE(analyze({0x00, 0x61, 0x73}).ok());
}

// ---- cw_migrate_version ------------------------------------------------------

std::optional<uint64_t> migrate_version_of(const std::vector<std::string>& sections) {
  ModuleBuilder m = contract();
  for (const std::string& s : sections)
    m.add_custom_section("cw_migrate_version", Bytes(s.begin(), s.end()));
  Result<AnalysisReport> report = analyze(m.build());
  EXPECT_TRUE(report.ok()) << report.error().to_string();
  EXPECT_TRUE(check(m).ok());
  return report.ok() ? report->contract_migrate_version : std::nullopt;
}

TEST(CosmwasmAnalysis, MigrateVersionSection) {
  EXPECT_EQ(migrate_version_of({}), std::nullopt);
  EXPECT_EQ(migrate_version_of({"42"}), 42u);
  EXPECT_EQ(migrate_version_of({"0"}), 0u);
  EXPECT_EQ(migrate_version_of({"007"}), 7u);
  EXPECT_EQ(migrate_version_of({"+7"}), 7u);  // Rust's u64 parsing takes a '+'
  EXPECT_EQ(migrate_version_of({"18446744073709551615"}), UINT64_MAX);
  EXPECT_EQ(migrate_version_of({"1", "2"}), 2u);  // the last section wins

  // Other custom sections are ignored.
  ModuleBuilder other = contract();
  other.add_custom_section("cw_migrate_versions", {'x'});
  Result<AnalysisReport> report = analyze(other.build());
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->contract_migrate_version, std::nullopt);
}

TEST(CosmwasmAnalysis, BadMigrateVersionRejected) {
  const std::pair<Bytes, const char*> bad[] = {
      {Bytes{'n', 'o', 't'}, "invalid digit found in string"},
      {Bytes{}, "cannot parse integer from empty string"},
      {Bytes{'+'}, "invalid digit found in string"},
      {Bytes{'-', '1'}, "invalid digit found in string"},
      {Bytes{' ', '1'}, "invalid digit found in string"},
      {Bytes{'1', '\n'}, "invalid digit found in string"},
      {Bytes{'1', '8', '4', '4', '6', '7', '4', '4', '0', '7',
             '3', '7', '0', '9', '5', '5', '1', '6', '1', '6'},
       "number too large to fit in target type"},
      {Bytes{0xff, '1'}, "invalid utf-8 sequence"},
  };
  for (const auto& [payload, detail] : bad) {
    ModuleBuilder m = contract();
    m.add_custom_section("cw_migrate_version", {'1'});
    m.add_custom_section("cw_migrate_version", payload);  // a later bad one still fails
    expect_rejected(check(m), detail);
    Result<AnalysisReport> report = analyze(m.build());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.error().message, detail);
  }
}

// ---- entry points ------------------------------------------------------------

TEST(CosmwasmAnalysis, EntryPointsReport) {
  ModuleBuilder m = contract();
  for (const char* e :
       {"instantiate", "execute", "query", "migrate", "sudo", "reply", "ibc_source_callback",
        "ibc_destination_callback", "ibc2_packet_receive", "ibc2_packet_timeout", "ibc2_packet_ack",
        "ibc2_packet_send", "foo", "Execute"})
    m.export_func(e, 0);
  m.export_global("ibc_channel_open", m.add_global(I32, false, Code().i32_const(0)));
  Result<AnalysisReport> report = analyze(m.build());
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  EXPECT_EQ(report->entrypoints,
            (std::set<std::string>{"instantiate", "execute", "query", "migrate", "sudo", "reply",
                                   "ibc_source_callback", "ibc_destination_callback",
                                   "ibc2_packet_receive", "ibc2_packet_timeout", "ibc2_packet_ack",
                                   "ibc2_packet_send"}));
  EXPECT_FALSE(report->has_ibc_entry_points);
}

TEST(CosmwasmAnalysis, IbcEntryPointsNeedAllSix) {
  const char* const ibc[] = {"ibc_channel_open",   "ibc_channel_connect", "ibc_channel_close",
                             "ibc_packet_receive", "ibc_packet_ack",      "ibc_packet_timeout"};
  ModuleBuilder all = contract();
  for (const char* e : ibc) all.export_func(e, 0);
  Result<AnalysisReport> report = analyze(all.build());
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->has_ibc_entry_points);
  EXPECT_EQ(report->entrypoints.size(), 6u);

  ModuleBuilder five = contract();
  for (int i = 0; i < 5; ++i) five.export_func(ibc[i], 0);
  report = analyze(five.build());
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->has_ibc_entry_points);
}

// ---- the real contracts ------------------------------------------------------

fs::path contracts_dir() {
  return fs::path(WVM_SHARED_DIR) / "contracts" / "cosmwasm";
}

std::vector<uint8_t> load(const std::string& name) {
  Result<std::vector<uint8_t>> bytes = wvm::read_file((contracts_dir() / name).string());
  EXPECT_TRUE(bytes.ok()) << name << ": " << bytes.error().to_string();
  return bytes.ok() ? bytes.value() : std::vector<uint8_t>{};
}

bool contracts_present() {
  return fs::exists(contracts_dir() / "hackatom.wasm");
}

#define SKIP_WITHOUT_CONTRACTS()                               \
  if (!contracts_present())                                    \
  GTEST_SKIP() << "contracts not found at " << contracts_dir() \
               << " (the shared/ folder is absent; set WVM_SHARED_DIR)"

struct Expected {
  const char* file;
  std::set<std::string> entrypoints;
  std::set<std::string> capabilities;
  std::optional<uint64_t> migrate_version;
};

TEST(CosmwasmAnalysis, RealContractsPass) {
  SKIP_WITHOUT_CONTRACTS();
  // From `wasm-objdump -x`: their function exports and custom sections.
  const Expected expected[] = {
      {"hackatom.wasm", {"instantiate", "execute", "migrate", "query", "sudo"}, {}, 42},
      {"cyberpunk.wasm", {"instantiate", "execute", "query"}, {}, std::nullopt},
      {"floaty_2.0.wasm", {"instantiate", "query"}, {"iterator"}, std::nullopt},
      {"queue.wasm", {"instantiate", "execute", "migrate", "query"}, {"iterator"}, std::nullopt},
      {"reflect.wasm",
       {"instantiate", "execute", "query", "reply"},
       {"cosmwasm_1_1", "staking", "stargate"},
       std::nullopt},
      {"empty.wasm", {}, {"iterator"}, std::nullopt},
  };
  for (const Expected& e : expected) {
    SCOPED_TRACE(e.file);
    const std::vector<uint8_t> wasm = load(e.file);
    Result<void> r = check_wasm(wasm, chain_config());
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    Result<AnalysisReport> report = analyze(wasm);
    ASSERT_TRUE(report.ok()) << report.error().to_string();
    EXPECT_EQ(report->entrypoints, e.entrypoints);
    EXPECT_EQ(report->required_capabilities, e.capabilities);
    EXPECT_EQ(report->contract_migrate_version, e.migrate_version);
    EXPECT_FALSE(report->has_ibc_entry_points);
  }
  // And whatever else the folder holds, except the one meant to be rejected.
  for (const auto& entry : fs::directory_iterator(contracts_dir())) {
    if (entry.path().extension() != ".wasm" || entry.path().filename() == "corrupted.wasm")
      continue;
    SCOPED_TRACE(entry.path().string());
    expect_accepted(check_wasm(load(entry.path().filename().string()), chain_config()));
  }
}

TEST(CosmwasmAnalysis, RealContractEmptyNeedsIterator) {
  SKIP_WITHOUT_CONTRACTS();
  // empty.wasm exports requires_iterator: a chain without it rejects the contract.
  AnalysisConfig no_iterator = chain_config();
  no_iterator.available_capabilities.erase("iterator");
  expect_rejected(check_wasm(load("empty.wasm"), no_iterator), "Wasm contract requires unavailable capabilities: {\"iterator\"}");
  expect_rejected(check_wasm(load("floaty_2.0.wasm"), no_iterator), "Wasm contract requires unavailable capabilities: {");
  expect_accepted(check_wasm(load("hackatom.wasm"), no_iterator));
}

TEST(CosmwasmAnalysis, RealContractCorruptedRejected) {
  SKIP_WITHOUT_CONTRACTS();
  // A CosmWasm 0.6 contract (cosmwasm_api_0_6, env.read_db) whose bodies are
  // corrupted. cosmwasm-vm checks the interface version before validating
  // bodies, and so does check_wasm.
  const std::vector<uint8_t> wasm = load("corrupted.wasm");
  expect_rejected(check_wasm(wasm, chain_config()),
                  kMissingMarker);
  // Its bodies are invalid too, as the engine's validation shows.
  Engine engine;
  Result<void> v = wvm::validate(engine, wasm.data(), wasm.size());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().kind, ErrorKind::Invalid) << v.error().to_string();
  // analyze() only parses at module level, like cosmwasm-vm's.
  Result<AnalysisReport> report = analyze(wasm);
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  EXPECT_EQ(report->entrypoints, (std::set<std::string>{"query"}));
}

}  // namespace
}  // namespace wvm::cosmwasm
