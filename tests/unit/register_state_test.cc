// Tier 1 keeps locals in registers across blocks and loops
// (tier1-jit/reg_state.h). These functions are built so that every way the
// register state can go wrong shows in the result: parallel-move cycles at
// back-edges, more live locals than registers, merges of if/else, br_if and
// br_table arrivals with different states, tee'd values shared between a
// local and the stack, calls inside loops. Each result is checked against the
// same computation in C++, in every tier (tier 1 must compile every function).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tests/unit/builder.h"
#include "tests/unit/tier_config.h"
#include "tests/unit/tier_instance.h"
#include "wvm/wvm.h"

namespace wvm {
namespace {

using namespace wvm::test;

class RegisterStateTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Instantiates `m` and calls export "f" with i32 `n`; one i64 result.
  uint64_t run(const ModuleBuilder& m, uint32_t n) {
    Instance* inst = tier_.instantiate(m, GetParam());
    return inst ? tier_.call(inst, "f", {Value::i32(n)}).as_i64() : 0;
  }

  TierInstance tier_;
};

// Locals 1..k rotate every iteration ((a, b, c) = (b, c, a) and so on), so
// at the back-edge each sits in another local's header register: a cycle
// of register moves. Local 0 (i32) counts down; the rest are i64.
TEST_P(RegisterStateTest, RotationAtTheBackEdge) {
  for (uint32_t k : {2u, 3u, 5u, 9u}) {
    ModuleBuilder m;
    const uint32_t t = m.add_type({I32}, {I64});
    Code c;
    for (uint32_t j = 1; j <= k; ++j) c.i64_const(j * 1000 + 7).local_set(j);
    c.block().loop();
    c.local_get(0).op(Opcode::I32Eqz).br_if(1);
    // tmp = x1 * 31 + x_k; x1 = x2; ...; x_{k-1} = x_k; x_k = tmp
    c.local_get(1).i64_const(31).op(Opcode::I64Mul).local_get(k).op(Opcode::I64Add);
    for (uint32_t j = 1; j < k; ++j) c.local_get(j + 1).local_set(j);
    c.local_set(k);
    c.local_get(0).i32_const(1).op(Opcode::I32Sub).local_set(0).br(0);
    c.end().end();
    c.i64_const(0);
    for (uint32_t j = 1; j <= k; ++j) c.local_get(j).op(Opcode::I64Xor).i64_const(3).op(Opcode::I64Mul);
    m.export_func("f", m.add_func(t, std::vector<ValType>(k, I64), c));

    std::vector<uint64_t> x(k + 1);
    for (uint32_t j = 1; j <= k; ++j) x[j] = j * 1000 + 7;
    for (uint32_t i = 0; i < 100; ++i) {
      const uint64_t tmp = x[1] * 31 + x[k];
      for (uint32_t j = 1; j < k; ++j) x[j] = x[j + 1];
      x[k] = tmp;
    }
    uint64_t want = 0;
    for (uint32_t j = 1; j <= k; ++j) want = (want ^ x[j]) * 3;
    EXPECT_EQ(run(m, 100), want) << "k = " << k;
  }
}

// 24 locals live across the loop, each updated from its neighbour: far more
// than any backend's registers, so locals are evicted and reloaded.
TEST_P(RegisterStateTest, MoreLiveLocalsThanRegisters) {
  constexpr uint32_t kN = 24;
  ModuleBuilder m;
  const uint32_t t = m.add_type({I32}, {I64});
  Code c;
  for (uint32_t j = 1; j <= kN; ++j) c.i64_const(j).local_set(j);
  c.loop();
  for (uint32_t j = 1; j <= kN; ++j) {
    const uint32_t next = j % kN + 1;
    c.local_get(j).local_get(next).i64_const(5).op(Opcode::I64Rotl).op(Opcode::I64Xor);
    c.local_get(0).op(Opcode::I64ExtendI32U).op(Opcode::I64Add).local_set(j);
  }
  c.local_get(0).i32_const(1).op(Opcode::I32Sub).local_tee(0).br_if(0);
  c.end();
  c.i64_const(0);
  for (uint32_t j = 1; j <= kN; ++j) c.local_get(j).op(Opcode::I64Add).i64_const(0x100000001b3).op(Opcode::I64Mul);
  m.export_func("f", m.add_func(t, std::vector<ValType>(kN, I64), c));

  std::vector<uint64_t> x(kN + 1);
  for (uint32_t j = 1; j <= kN; ++j) x[j] = j;
  for (uint32_t n = 50; n != 0; --n) {
    for (uint32_t j = 1; j <= kN; ++j) {
      const uint64_t v = x[j % kN + 1];
      x[j] = (x[j] ^ ((v << 5) | (v >> 59))) + n;
    }
  }
  uint64_t want = 0;
  for (uint32_t j = 1; j <= kN; ++j) want = (want + x[j]) * 0x100000001b3;
  EXPECT_EQ(run(m, 50), want);
}

// Arms that change different locals meet at the if's end (with and
// without else), and br_if / br_table leave a block from states that differ.
TEST_P(RegisterStateTest, MergesOfDifferentStates) {
  ModuleBuilder m;
  const uint32_t t = m.add_type({I32}, {I64});
  // locals: 0 n (i32), 1 a, 2 b, 3 c (i64), 4 i (i32)
  Code c;
  c.i64_const(1).local_set(1).i64_const(2).local_set(2).i64_const(3).local_set(3);
  c.loop();
  // if (i & 1) a += b; else { b ^= a; c += 1; }
  c.local_get(4).i32_const(1).op(Opcode::I32And).if_();
  c.local_get(1).local_get(2).op(Opcode::I64Add).local_set(1);
  c.else_();
  c.local_get(2).local_get(1).op(Opcode::I64Xor).local_set(2);
  c.local_get(3).i64_const(1).op(Opcode::I64Add).local_set(3);
  c.end();
  // if (i % 3 == 0) c = c * 7 + a;   (no else)
  c.local_get(4).i32_const(3).op(Opcode::I32RemU).op(Opcode::I32Eqz).if_();
  c.local_get(3).i64_const(7).op(Opcode::I64Mul).local_get(1).op(Opcode::I64Add).local_set(3);
  c.end();
  // block { block { block { br_table (i % 4) [0, 1, 2] default 0 } a += 5; br 1 } b += c; } c ^= 9
  c.block().block().block();
  c.local_get(4).i32_const(4).op(Opcode::I32RemU).br_table({0, 1, 2}, 0);
  c.end();
  c.local_get(1).i64_const(5).op(Opcode::I64Add).local_set(1).br(1);
  c.end();
  c.local_get(2).local_get(3).op(Opcode::I64Add).local_set(2);
  c.end();
  c.local_get(3).i64_const(9).op(Opcode::I64Xor).local_set(3);
  // block { if (a > b) { b = a; br_if 0 (c & 1) ; a += 1 } } with the early exit
  c.block();
  c.local_get(1).local_get(2).op(Opcode::I64GtU).if_();
  c.local_get(1).local_set(2);
  c.local_get(3).i64_const(1).op(Opcode::I64And).op(Opcode::I32WrapI64).br_if(1);
  c.local_get(1).i64_const(1).op(Opcode::I64Add).local_set(1);
  c.end();
  c.end();
  c.local_get(4).i32_const(1).op(Opcode::I32Add).local_tee(4).local_get(0).op(Opcode::I32LtU).br_if(0);
  c.end();
  c.local_get(1).i64_const(1000003).op(Opcode::I64Mul).local_get(2).op(Opcode::I64Add);
  c.i64_const(1000003).op(Opcode::I64Mul).local_get(3).op(Opcode::I64Add);
  m.export_func("f", m.add_func(t, {I64, I64, I64, I32}, c));

  uint64_t a = 1, b = 2, cc = 3;
  uint32_t i = 0;
  do {
    if (i & 1) a += b; else { b ^= a; cc += 1; }
    if (i % 3 == 0) cc = cc * 7 + a;
    // br_table: 0 and the default (3) -> the innermost end (a += 5, then
    // br 1 skips b += c); 1 -> the middle end (b += c); 2 -> the outer end.
    const uint32_t sel = i % 4;
    if (sel == 0 || sel == 3) a += 5;
    if (sel == 1) b += cc;
    cc ^= 9;
    if (a > b) {
      b = a;
      if ((cc & 1) == 0) a += 1;
    }
    ++i;
  } while (i < 77);
  EXPECT_EQ(run(m, 77), (a * 1000003 + b) * 1000003 + cc);
}

// A value on the stack shares a local's register while the local changes:
// swaps through the stack, tee, and `local.get x; local.set x`.
TEST_P(RegisterStateTest, StackValuesSharingALocalsRegister) {
  ModuleBuilder m;
  const uint32_t t = m.add_type({I32}, {I64});
  // locals: 0 n, 1 x, 2 y (i64)
  Code c;
  c.i64_const(11).local_set(1).i64_const(13).local_set(2);
  c.loop();
  c.local_get(1).local_get(2).local_set(1).local_set(2);         // swap x, y
  c.local_get(1).local_get(1).i64_const(3).op(Opcode::I64Shl).local_tee(1);
  c.op(Opcode::I64Add).local_get(1).op(Opcode::I64Xor).local_set(2);  // y = (x + (x<<3)) ^ (x<<3); x <<= 3
  c.local_get(1).local_set(1);
  c.local_get(1).i64_const(0xffffff).op(Opcode::I64And).local_set(1);
  c.local_get(0).i32_const(1).op(Opcode::I32Sub).local_tee(0).br_if(0);
  c.end();
  c.local_get(1).i64_const(1 << 20).op(Opcode::I64Mul).local_get(2).op(Opcode::I64Add);
  m.export_func("f", m.add_func(t, {I64, I64}, c));

  uint64_t x = 11, y = 13;
  for (uint32_t n = 40; n != 0; --n) {
    std::swap(x, y);
    const uint64_t old = x;
    x = old << 3;
    y = (old + x) ^ x;
    x &= 0xffffff;
  }
  EXPECT_EQ(run(m, 40), x * (1 << 20) + y);
}

// A call inside the loop clobbers every register: locals live across it
// come back from their slots; the callee's frame sits above them.
TEST_P(RegisterStateTest, CallsInsideALoop) {
  ModuleBuilder m;
  const uint32_t tf = m.add_type({I32}, {I64});
  const uint32_t tg = m.add_type({I64, I64}, {I64});
  const uint32_t g = m.add_func(tg, {I64}, Code()
      .local_get(0).i64_const(2).op(Opcode::I64Mul).local_tee(2)
      .local_get(1).op(Opcode::I64Add).local_get(2).op(Opcode::I64Xor));
  // locals: 0 n, 1 acc, 2 k (i64)
  Code c;
  c.i64_const(5).local_set(1).i64_const(1).local_set(2);
  c.loop();
  c.local_get(1).local_get(2).call(g).local_get(2).op(Opcode::I64Add).local_set(1);
  c.local_get(2).i64_const(1).op(Opcode::I64Add).local_set(2);
  c.local_get(0).i32_const(1).op(Opcode::I32Sub).local_tee(0).br_if(0);
  c.end();
  c.local_get(1).local_get(2).op(Opcode::I64Mul);
  m.export_func("f", m.add_func(tf, {I64, I64}, c));

  uint64_t acc = 5, k = 1;
  for (uint32_t n = 30; n != 0; --n) {
    const uint64_t d = acc * 2;
    acc = ((d + k) ^ d) + k;
    ++k;
  }
  EXPECT_EQ(run(m, 30), acc * k);
}

// Twelve early returns of a pending comparison (`return n > 5` from inside
// a block, with another use of n's register left on the stack below it),
// then an expression that needs every register. Each such return once
// released the register twice, which lost it to the rest of the function:
// by the seventh, tier 1 had none left.
TEST_P(RegisterStateTest, ReturnsOfComparisonsKeepTheRegisters) {
  ModuleBuilder m;
  const uint32_t t = m.add_type({I32}, {I32});
  Code c;
  for (int32_t j = 0; j < 12; ++j) {
    c.block();
    c.local_get(0).i32_const(j).op(Opcode::I32Ne).br_if(0);
    c.local_get(0).local_get(0).i32_const(5).op(Opcode::I32GtU).return_();
    c.end();
  }
  // (n*1 + n*2 + ... + n*9) with all nine products on the stack at once.
  for (int32_t k = 1; k <= 9; ++k) c.local_get(0).i32_const(k).op(Opcode::I32Mul);
  for (int k = 1; k < 9; ++k) c.op(Opcode::I32Add);
  m.export_func("f", m.add_func(t, {}, c));
  Instance* inst = tier_.instantiate(m, GetParam());
  ASSERT_NE(inst, nullptr);
  for (uint32_t n : {0u, 3u, 6u, 11u, 12u, 40u}) {
    const uint32_t want = n < 12 ? uint32_t{n > 5} : n * 45;
    EXPECT_EQ(tier_.call(inst, "f", {Value::i32(n)}).as_i32(), want) << "n = " << n;
  }
}

// Random loop bodies over many i64 locals: assignments from operators on
// other locals, swaps through the stack, tees, ifs with and without else,
// br_if out of a block, br_table, all nested in a counted loop. Tier 0 is
// the reference; every other tier must agree on the hash of all locals.
class RandomBodies {
 public:
  explicit RandomBodies(uint64_t seed) : state_(seed * 0x9e3779b97f4a7c15 + 1) {}

  ModuleBuilder module() {
    ModuleBuilder m;
    const uint32_t t = m.add_type({I32}, {I64});
    num_locals_ = 3 + pick(20);
    Code c;
    for (uint32_t j = 1; j <= num_locals_; ++j) c.i64_const(static_cast<int64_t>(next())).local_set(j);
    c.loop();
    statements(c, 2 + pick(10), 0);
    c.local_get(0).i32_const(1).op(Opcode::I32Sub).local_tee(0).br_if(0);
    c.end();
    c.i64_const(0);
    for (uint32_t j = 1; j <= num_locals_; ++j)
      c.local_get(j).op(Opcode::I64Add).i64_const(0x100000001b3).op(Opcode::I64Mul);
    m.export_func("f", m.add_func(t, std::vector<ValType>(num_locals_ + counters_, I64), c));
    return m;
  }

 private:
  uint64_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }
  uint32_t pick(uint32_t n) { return static_cast<uint32_t>(next() % n); }
  uint32_t local() { return 1 + pick(num_locals_); }

  void value(Code& c) {
    static const Opcode kOps[] = {Opcode::I64Add, Opcode::I64Sub, Opcode::I64Xor, Opcode::I64Mul,
                                  Opcode::I64Rotl, Opcode::I64Or};
    c.local_get(local());
    if (pick(3) == 0)
      c.i64_const(static_cast<int64_t>(pick(1000)));
    else
      c.local_get(local());
    c.op(kOps[pick(6)]);
  }
  void condition(Code& c) {
    c.local_get(local()).local_get(local()).op(pick(2) ? Opcode::I64LtU : Opcode::I64Ne);
  }
  void statements(Code& c, uint32_t n, uint32_t depth) {
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t kind = depth >= 3 ? pick(4) : pick(8);
      if (kind <= 1) {  // x = a op b
        value(c);
        c.local_set(local());
      } else if (kind == 2) {  // swap through the stack
        const uint32_t a = local(), b = local();
        c.local_get(a).local_get(b).local_set(a).local_set(b);
      } else if (kind == 3) {  // x = tee y (a op b) op z
        value(c);
        c.local_tee(local()).local_get(local()).op(Opcode::I64Add).local_set(local());
      } else if (kind == 4) {  // if, with or without else
        condition(c);
        c.if_();
        statements(c, 1 + pick(3), depth + 1);
        if (pick(2)) {
          c.else_();
          statements(c, 1 + pick(3), depth + 1);
        }
        c.end();
      } else if (kind == 5) {  // block with an early exit
        c.block();
        statements(c, 1 + pick(2), depth + 1);
        condition(c);
        c.br_if(0);
        statements(c, 1 + pick(2), depth + 1);
        c.end();
      } else if (kind == 6) {  // br_table over three nested blocks
        c.block().block().block();
        c.local_get(local()).op(Opcode::I32WrapI64).i32_const(3).op(Opcode::I32And);
        c.br_table({0, 1, 2}, 1);
        c.end();
        statements(c, 1, depth + 1);
        c.br(1);
        c.end();
        statements(c, 1, depth + 1);
        c.end();
      } else {  // an inner counted loop with a counter of its own
        const uint32_t counter = num_locals_ + 1 + counters_++;  // no statement writes it
        c.i64_const(1 + pick(3)).local_set(counter);
        c.loop();
        statements(c, 1 + pick(3), depth + 2);
        c.local_get(counter).i64_const(1).op(Opcode::I64Sub).local_tee(counter);
        c.i64_const(0).op(Opcode::I64GtS).br_if(0);
        c.end();
      }
    }
  }

  uint64_t state_;
  uint32_t num_locals_ = 0;
  uint32_t counters_ = 0;
};

// Tier 0 is the reference: this runs in the other tiers.
class RandomBodiesTest : public RegisterStateTest {};

TEST_P(RandomBodiesTest, AgreeWithTier0) {
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    const ModuleBuilder m = RandomBodies(seed).module();
    const std::string tier = GetParam();
    const uint64_t got = run(m, 7);
    Config c;
    apply_tier(c, "interp");
    Engine engine(c);
    Store store(engine);
    const Bytes b = m.build();
    auto mod = compile(engine, b.data(), b.size());
    ASSERT_TRUE(mod.ok()) << mod.error().to_string();
    auto inst = store.instantiate(mod.value(), {});
    ASSERT_TRUE(inst.ok());
    CallResult r = store.call(inst.value()->find_export("f").as_func(), {Value::i32(7)});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(got, r.results[0].as_i64()) << "seed " << seed;
  }
}

INSTANTIATE_TEST_SUITE_P(Tiers, RegisterStateTest,
                         ::testing::Values("interp", "jit", "jit-explicit-bounds", "auto"),
                         tier_test_name);
INSTANTIATE_TEST_SUITE_P(Tiers, RandomBodiesTest,
                         ::testing::Values("jit", "jit-explicit-bounds", "auto"), tier_test_name);

}  // namespace
}  // namespace wvm
