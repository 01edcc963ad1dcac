#include "hosts/spectest/spectest.h"

namespace wvm::spectest {
namespace {

// Every print_* function accepts its arguments and returns nothing: the spec
// tests only need them to link with the right type.
TrapKind print_nothing(HostCall&, const Value*, Value*) { return TrapKind::None; }

void add_print(Store& store, ExternMap& out, const char* name, std::vector<ValType> params) {
  Func* f = store.create_host_func(FuncType{std::move(params), {}}, &print_nothing, nullptr);
  out[name] = Extern::func(f);
}

void add_global(Store& store, ExternMap& out, const char* name, ValType type, uint64_t bits) {
  Global* g = store.create_global(GlobalType{type, /*mut=*/false}, Value{type, bits});
  out[name] = Extern::global(g);
}

}  // namespace

ExternMap create_exports(Store& store) {
  ExternMap out;
  add_print(store, out, "print", {});
  add_print(store, out, "print_i32", {ValType::I32});
  add_print(store, out, "print_i64", {ValType::I64});
  add_print(store, out, "print_f32", {ValType::F32});
  add_print(store, out, "print_f64", {ValType::F64});
  add_print(store, out, "print_i32_f32", {ValType::I32, ValType::F32});
  add_print(store, out, "print_f64_f64", {ValType::F64, ValType::F64});

  add_global(store, out, "global_i32", ValType::I32, 666);
  add_global(store, out, "global_i64", ValType::I64, 666);
  add_global(store, out, "global_f32", ValType::F32, 0x4426A666u);             // 666.6f
  add_global(store, out, "global_f64", ValType::F64, 0x4084D4CCCCCCCCCDull);  // 666.6

  TableType table_type;
  table_type.elem = ValType::FuncRef;
  table_type.limits = SizeLimits{10, 20, true};
  // Should the budget refuse it (a tiny store budget), imports of it fail to link.
  auto table = store.create_table(table_type, /*init=*/0);
  out["table"] = table.ok() ? Extern::table(table.value()) : Extern{};

  MemoryType memory_type;
  memory_type.limits = SizeLimits{1, 2, true};
  // A one-page memory; should the pool refuse it, imports of it fail to link.
  auto memory = store.create_memory(memory_type);
  out["memory"] = memory.ok() ? Extern::memory(memory.value()) : Extern{};
  return out;
}

}  // namespace wvm::spectest
