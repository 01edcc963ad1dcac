// Runs an exported `add` through wvm's C++ API, as C++17 (README, "Embedding").
#include <cstdio>
#include <vector>

#include <wvm/wvm.h>

int main() {
  // (module (func (export "add") (param i32 i32) (result i32)
  //   local.get 0 local.get 1 i32.add))
  const std::vector<uint8_t> bytes = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 7, 1, 0x60, 2, 0x7f, 0x7f, 1, 0x7f,
                                      3, 2, 1, 0, 7, 7, 1, 3, 'a', 'd', 'd', 0, 0,
                                      10, 9, 1, 7, 0, 0x20, 0, 0x20, 1, 0x6a, 0x0b};
  wvm::Engine engine;
  auto module = wvm::compile(engine, bytes.data(), bytes.size());
  if (!module.ok()) return std::puts(module.error().to_string().c_str()), 1;
  wvm::Store store(engine);
  auto instance = store.instantiate(module.value(), /*imports=*/{});
  if (!instance.ok()) return std::puts(instance.error().to_string().c_str()), 1;
  wvm::Func* add = instance.value()->find_export("add").as_func();
  wvm::CallResult r = store.call(add, {wvm::Value::i32(11), wvm::Value::i32(33)});
  if (!r.ok() || r.results.at(0).as_i32() != 44) return std::puts("failed"), 1;
  std::printf("add(11, 33) = %d\n", r.results[0].as_i32());
  // The comparisons C++17 cannot default (include/wvm/config.h).
  return wvm::GasProfile::cosmwasm() != wvm::GasProfile::cosmwasm() ||
         wvm::GasProfile::cosmwasm() == wvm::GasProfile::uniform();
}
