// Backend::take_function hands tier 1 an assembler that finished an earlier
// function (MacroAssembler::reset). Checked here: a function's code, trap
// sites, relocations and OSR entries are the same byte for byte whichever
// functions the assembler compiled before it, and whether it was new.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/tier_manager.h"
#include "tests/unit/builder.h"
#include "tier0-interp/code.h"
#include "tier1-jit/relocation.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using test::Bytes;
using test::Code;
using test::ModuleBuilder;
constexpr ValType I32 = ValType::I32;
constexpr ValType I64 = ValType::I64;

// Functions that leave different state behind in an assembler: labels and
// loops, a jump table, memory accesses (trap sites), shared trap stubs,
// runtime calls (relocations), call_indirect (a type-id relocation), a body
// large enough to grow the buffers, and an empty one. None calls another
// function of the module, so no code depends on the order of compilation.
Bytes mixed_module() {
  ModuleBuilder m;
  m.add_memory(1);
  m.add_table(ValType::FuncRef, 2);
  const uint32_t t_ii = m.type({I32}, {I32});
  const uint32_t t_v = m.type({}, {});
  m.add_func(t_v, {}, Code());
  m.add_func(t_ii, {I32, I64},
             Code()
                 .block()
                 .loop()
                 .local_get(0)
                 .op(Opcode::I32Eqz)
                 .br_if(1)
                 .local_get(1)
                 .local_get(0)
                 .mem(Opcode::I32Load, 4)
                 .op(Opcode::I32Add)
                 .local_set(1)
                 .local_get(0)
                 .i32_const(1)
                 .op(Opcode::I32Sub)
                 .local_set(0)
                 .br(0)
                 .end()
                 .end()
                 .local_get(1));
  m.add_func(t_ii, {},
             Code()
                 .block()
                 .block()
                 .block()
                 .local_get(0)
                 .br_table({0, 1, 2, 0}, 1)
                 .end()
                 .i32_const(7)
                 .return_()
                 .end()
                 .local_get(0)
                 .local_get(0)
                 .op(Opcode::I32DivS)
                 .return_()
                 .end()
                 .local_get(0)
                 .i32_const(0)
                 .local_get(0)
                 .memory_fill()
                 .local_get(0)
                 .local_get(0)
                 .call_indirect(t_ii));
  Code big;
  for (int i = 0; i < 400; ++i)
    big.local_get(0).i32_const(i).op(Opcode::I32Add).local_set(0).local_get(0).i32_const(4 * i)
        .mem(Opcode::I32Store, 0);
  big.local_get(0);
  m.add_func(t_ii, {}, big);
  m.add_func(t_ii, {}, Code().local_get(0).if_().unreachable().end().local_get(0));
  return m.build();
}

// The bytes a relocation of `form` covers in this host's code.
size_t field_size(jit::RelocForm form) {
#if defined(__aarch64__)
  return form == jit::RelocForm::Abs64 ? 16 : form == jit::RelocForm::Imm32 ? 8 : 4;
#else
  return form == jit::RelocForm::Abs64 ? 8 : 4;
#endif
}

struct Compiled {
  std::vector<uint8_t> code;
  std::vector<uint8_t> sites;
  std::vector<jit::Relocation> relocations;
  std::vector<uint32_t> osr_entries;
};

// Compiles the module's functions in `order`, all in one engine, and
// returns each one's tier-1 code.
std::vector<Compiled> compile_in(Engine& engine, const Bytes& bytes,
                                 const std::vector<uint32_t>& order) {
  auto module = compile(engine, bytes.data(), bytes.size());
  EXPECT_TRUE(module.ok()) << module.error().to_string();
  if (!module.ok()) return {};
  const Module& m = *module.value();
  for (uint32_t i : order) {
    Result<void> r = tier_up(engine, m, m.num_imported_funcs + i);
    EXPECT_TRUE(r.ok()) << "function " << i << ": " << r.error().to_string();
  }
  std::vector<Compiled> out(m.code.size());
  for (size_t i = 0; i < m.code.size(); ++i) {
    const FuncCode& c = *m.code[i];
    const auto* entry = static_cast<const uint8_t*>(c.jit_entry.load());
    if (entry == nullptr) {
      ADD_FAILURE() << "function " << i << " not compiled";
      continue;
    }
    out[i].code.assign(entry, entry + c.jit_size);
    out[i].sites = c.jit_sites;
    if (c.jit_info) out[i].relocations = c.jit_info->relocations;
    // A relocated field holds a value of this module (an engine-wide type id
    // is one per module's type): its record is compared, not its bytes.
    for (const jit::Relocation& r : out[i].relocations) {
      const size_t end = std::min<size_t>(out[i].code.size(), r.offset + field_size(r.form));
      for (size_t k = r.offset; k < end; ++k) out[i].code[k] = 0;
    }
    out[i].osr_entries = c.jit_osr_entries;
  }
  return out;
}

TEST(MasmReuse, CodeDoesNotDependOnWhatTheAssemblerCompiledBefore) {
  const Bytes bytes = mixed_module();
  Config config;
  config.tiers.policy = TierPolicy::Auto;  // compiled by tier_up below, with OSR entries
  Engine engine(config);
  if (engine.jit_backend() == nullptr) GTEST_SKIP() << "no tier-1 backend on this host";
  const std::vector<uint32_t> forward = {0, 1, 2, 3, 4};
  const std::vector<uint32_t> backward = {4, 3, 2, 1, 0};
  const std::vector<uint32_t> shuffled = {3, 1, 4, 0, 2};
  // Three modules in one engine: the same runtime and type-id values, and
  // each function follows a different one (or none) in each.
  const std::vector<Compiled> a = compile_in(engine, bytes, forward);
  const std::vector<Compiled> b = compile_in(engine, bytes, backward);
  const std::vector<Compiled> c = compile_in(engine, bytes, shuffled);
  ASSERT_EQ(a.size(), forward.size());
  ASSERT_EQ(b.size(), a.size());
  ASSERT_EQ(c.size(), a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    for (const std::vector<Compiled>* other : {&b, &c}) {
      const Compiled& x = a[i];
      const Compiled& y = (*other)[i];
      EXPECT_EQ(x.code, y.code) << "function " << i;
      EXPECT_EQ(x.sites, y.sites) << "function " << i;
      EXPECT_EQ(x.osr_entries, y.osr_entries) << "function " << i;
      ASSERT_EQ(x.relocations.size(), y.relocations.size()) << "function " << i;
      for (size_t r = 0; r < x.relocations.size(); ++r) {
        EXPECT_EQ(x.relocations[r].offset, y.relocations[r].offset) << "function " << i;
        EXPECT_EQ(x.relocations[r].form, y.relocations[r].form) << "function " << i;
        EXPECT_EQ(x.relocations[r].target_kind, y.relocations[r].target_kind) << "function " << i;
        EXPECT_EQ(x.relocations[r].target, y.relocations[r].target) << "function " << i;
      }
    }
  }
  // The loop's function has an OSR entry, the big one sites for its stores.
  EXPECT_EQ(a[1].osr_entries.size(), 1u);
  EXPECT_GT(a[3].sites.size(), 400u);
}

}  // namespace
}  // namespace wvm
