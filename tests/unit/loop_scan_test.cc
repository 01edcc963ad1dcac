// LoopScan (tier1-jit/loop_scan.h): which locals a loop uses most, which
// tier 1 keeps in registers at the loop header (and no other local). Checked
// here: the hot set and its order; a local only written in one loop still
// counts in a later loop that reads it; -1 when the skim gives up (an opcode
// it does not know, its byte budget spent); and code whose locals are cached
// when a loop starts that does not use them gets the right values in every
// tier.
#include "tier1-jit/loop_scan.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/unit/builder.h"
#include "tests/unit/tier_instance.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using jit::LoopScan;
using test::Code;
using test::ModuleBuilder;
constexpr ValType I32 = ValType::I32;

TEST(LoopScan, HotLocalsAreTheMostUsedReadOnes) {
  // loop: local.get 2 x3, local.get 1, local.set 0 (never read), local.tee 3 x2
  const std::vector<uint8_t> body = {0x03, 0x40,                          // loop
                                     0x20, 0x02, 0x20, 0x02, 0x20, 0x02,  // get 2 x3
                                     0x20, 0x01,                          // get 1
                                     0x21, 0x00,                          // set 0
                                     0x22, 0x03, 0x22, 0x03,              // tee 3 x2
                                     0x0b, 0x0b};                         // end, end
  LoopScan scan(body.data(), 0, body.size(), 4);
  uint32_t hot[4] = {};
  ASSERT_EQ(scan.hot_locals(0, 4, hot), 3);
  EXPECT_EQ(hot[0], 2u);
  EXPECT_EQ(hot[1], 3u);
  EXPECT_EQ(hot[2], 1u);
  // At most `max`, the most used first.
  ASSERT_EQ(scan.hot_locals(0, 1, hot), 1);
  EXPECT_EQ(hot[0], 2u);
}

TEST(LoopScan, ALocalOnlyWrittenInOneLoopCountsInTheNext) {
  const std::vector<uint8_t> body = {
      0x03, 0x40, 0x41, 0x01, 0x21, 0x05,
      0x0b,                                // loop A: i32.const 1, local.set 5
      0x03, 0x40,                          // loop B (offset 7):
      0x20, 0x05, 0x20, 0x05, 0x1a, 0x1a,  //   local.get 5 x2, drop x2
      0x20, 0x02, 0x1a, 0x0b,              //   local.get 2, drop; end
      0x0b};
  LoopScan scan(body.data(), 0, body.size(), 6);
  uint32_t hot[4] = {};
  EXPECT_EQ(scan.hot_locals(0, 4, hot), 0);  // loop A reads no local
  ASSERT_EQ(scan.hot_locals(7, 4, hot), 2);
  EXPECT_EQ(hot[0], 5u);
  EXPECT_EQ(hot[1], 2u);
}

TEST(LoopScan, GivesUpOnUnknownCodeAndWhenItsBudgetIsSpent) {
  const std::vector<uint8_t> unknown = {0x03, 0x40, 0x20, 0x00, 0xfc, 0x20, 0x0b, 0x0b};
  LoopScan scan(unknown.data(), 0, unknown.size(), 1);
  uint32_t hot[4] = {};
  EXPECT_EQ(scan.hot_locals(0, 4, hot), -1);

  // A 3000-byte loop: the budget (twice the body plus 4096 bytes) covers
  // three skims of it, not four.
  std::vector<uint8_t> big = {0x03, 0x40};
  while (big.size() < 3000) big.insert(big.end(), {0x20, 0x00, 0x1a});
  big.insert(big.end(), {0x0b, 0x0b});
  LoopScan budgeted(big.data(), 0, big.size(), 1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(budgeted.hot_locals(0, 4, hot), 1) << i;
  EXPECT_EQ(budgeted.hot_locals(0, 4, hot), -1);
}

// f(n): eight locals set (cached, dirty) before a loop that uses only two of
// them and needs registers for its operands; after the loop, all eight are
// read back. Tier 1 sends the loop's unused locals to their slots at its
// entry: their values must survive.
TEST(LoopScan, LocalsCachedBeforeALoopThatIgnoresThemKeepTheirValues) {
  ModuleBuilder m;
  const uint32_t t = m.type({I32}, {I32});
  std::vector<ValType> locals(9, I32);  // 1..8 set before the loop, 9 the sum
  Code body;
  for (uint32_t x = 1; x <= 8; ++x)
    body.local_get(0).i32_const(static_cast<int32_t>(x * 7)).op(Opcode::I32Mul).local_set(x);
  body.block().loop();
  // sum += (n * 3 + 1) ^ (n >> 1); n -= 1; while n != 0
  body.local_get(9)
      .local_get(0)
      .i32_const(3)
      .op(Opcode::I32Mul)
      .i32_const(1)
      .op(Opcode::I32Add)
      .local_get(0)
      .i32_const(1)
      .op(Opcode::I32ShrU)
      .op(Opcode::I32Xor)
      .op(Opcode::I32Add)
      .local_set(9)
      .local_get(0)
      .i32_const(1)
      .op(Opcode::I32Sub)
      .local_tee(0)
      .br_if(0)
      .end()
      .end();
  body.local_get(9);
  for (uint32_t x = 1; x <= 8; ++x) body.local_get(x).op(Opcode::I32Add);
  m.export_func("f", m.add_func(t, locals, body));

  auto expected = [](uint32_t n) {
    uint32_t sum = 0;
    for (uint32_t x = 1; x <= 8; ++x) sum += n * 7 * x;
    for (uint32_t i = n; i != 0; --i) sum += (i * 3 + 1) ^ (i >> 1);
    return sum;
  };
  for (const char *tier : {"interp", "jit", "jit-explicit-bounds", "auto"}) {
    test::TierInstance ti;
    Instance *inst = ti.instantiate(m, tier);
    ASSERT_NE(inst, nullptr) << tier;
    for (uint32_t n : {1u, 2u, 17u, 1000u})
      EXPECT_EQ(ti.call(inst, "f", {Value::i32(n)}).as_i32(), expected(n)) << tier << " n=" << n;
  }
}

}  // namespace
}  // namespace wvm
