// Where the outermost call starts the value stack within a page
// (ExecContext::place_stack, value_stack_page_offset in exec/exec_context.h): at
// the page offset of the module's shadow-stack pointer (its first defined
// global, when that is a mutable i32), so spill slots and LLVM's stack
// frames in linear memory do not share page offsets (4K aliasing). Checked
// here: the placement lands where asked and never changes the number of
// usable slots; the offset follows the global's current value and ignores
// other globals; and a call runs out of value stack at the same depth
// wherever the stack starts, in every tier.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "exec/exec_context.h"
#include "tests/unit/builder.h"
#include "tests/unit/tier_config.h"
#include "tests/unit/tier_instance.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using test::Bytes;
using test::Code;
using test::ModuleBuilder;
constexpr ValType I32 = ValType::I32;
constexpr ValType I64 = ValType::I64;

TEST(ValueStackPlacement, PlaceStackLandsAtTheOffsetWithTheSameSlots) {
  Config c;
  c.runtime_limits.value_stack_slots = 1000;
  ExecContext ctx(c);
  const uint64_t* first = ctx.stack.get();
  const uint64_t* last = first + 1000 + ExecContext::kStackPage / 8;  // the allocation's end
  for (uint32_t off = 0; off < ExecContext::kStackPage; off += 8) {
    ctx.place_stack(off);
    ASSERT_EQ(reinterpret_cast<uintptr_t>(ctx.sp) % ExecContext::kStackPage, off);
    ASSERT_EQ(ctx.stack_end - ctx.sp, 1000);
    ASSERT_GE(ctx.sp, first);
    ASSERT_LE(ctx.stack_end, last);
  }
}

struct Placed {
  Engine engine{Config{}};
  Store store{engine};
  Instance* inst = nullptr;
};

// Instantiates `m` (which must instantiate) in `p`.
void instantiate(Placed& p, const ModuleBuilder& m) {
  const Bytes b = m.build();
  auto mod = compile(p.engine, b.data(), b.size());
  ASSERT_TRUE(mod.ok()) << mod.error().to_string();
  auto inst = p.store.instantiate(mod.value(), {});
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  p.inst = inst.value();
}

TEST(ValueStackPlacement, FollowsTheShadowStackPointer) {
  // LLVM's layout: global 0 = __stack_pointer, a mutable i32.
  {
    ModuleBuilder m;
    m.add_global(I32, true, Code().i32_const(66560));  // 0x10400
    m.add_global(I32, true, Code().i32_const(12));
    Placed p;
    instantiate(p, m);
    // 64 bytes above it, rounded up to 16.
    EXPECT_EQ(value_stack_page_offset(*p.inst), 0x440u);
    p.inst->global(0)->bits = 0x104A8;  // the current value counts
    EXPECT_EQ(value_stack_page_offset(*p.inst), 0x4F0u);
    p.inst->global(0)->bits = 0xFFFC0;  // wraps within the page
    EXPECT_EQ(value_stack_page_offset(*p.inst), 0x000u);
  }
  // The first defined global counts, after imported ones.
  {
    ModuleBuilder m;
    m.add_import_global("env", "g", I32, true);
    m.add_global(I32, true, Code().i32_const(0x2000 + 0x300));
    const Bytes b = m.build();
    Engine engine{Config{}};
    Store store(engine);
    auto mod = compile(engine, b.data(), b.size());
    ASSERT_TRUE(mod.ok()) << mod.error().to_string();
    Global g{{I32, true}, 0x777};
    auto inst = store.instantiate(mod.value(), {Extern::global(&g)});
    ASSERT_TRUE(inst.ok()) << inst.error().to_string();
    EXPECT_EQ(value_stack_page_offset(*inst.value()), 0x340u);
  }
  // Anything else starts at offset 0.
  for (int kind = 0; kind < 3; ++kind) {
    ModuleBuilder m;
    if (kind == 1) m.add_global(I32, false, Code().i32_const(66560));  // immutable
    if (kind == 2) m.add_global(I64, true, Code().i64_const(66560));   // not an i32
    Placed p;
    instantiate(p, m);
    EXPECT_EQ(value_stack_page_offset(*p.inst), 0u) << kind;
  }
}

// rec(n) recurses n deep with 20 extra locals; global 0 is `sp`. The
// smallest n that runs out of a value stack of `slots` must not depend on
// where in a page the stack starts.
TEST(ValueStackPlacement, ExhaustionDepthDoesNotDependOnIt) {
  auto build = [](int32_t sp) {
    ModuleBuilder m;
    m.add_global(I32, true, Code().i32_const(sp));
    test::add_rec(m, 20, 0);
    return m.build();
  };
  auto first_exhausted = [](const char* tier, const Bytes& b, uint32_t slots) {
    return test::first_exhausted(tier, b, slots, [](int32_t n) { return test::rec_result(n, 0); });
  };
  const Bytes base = build(0);
  for (uint32_t slots : {2000u, 2011u, 2023u}) {
    const int32_t want = first_exhausted("interp", base, slots);
    ASSERT_GT(want, 10);
    ASSERT_LT(want, 200);
    for (int32_t sp : {8, 1000, 2040, 4000, 4088, 70000})
      for (const char* tier : {"interp", "jit", "jit-explicit-bounds", "auto"})
        ASSERT_EQ(first_exhausted(tier, build(sp), slots), want)
            << tier << " with " << slots << " slots, sp " << sp;
  }
}

}  // namespace
}  // namespace wvm
