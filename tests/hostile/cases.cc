// The hostile cases: each module, the outcome wvm must give in every tier, and
// the time and memory budget bench/hostile_bench.cc checks.
#include <cstring>

#include "tests/hostile/cases.h"
#include "tests/unit/builder.h"

namespace wvm::hostile {

namespace {

using test::BlockType;
using test::Code;
using test::ModuleBuilder;
using test::I32;
using test::I64;
using test::F64;
using test::FuncRef;
using test::put_u32;
using test::put_name;

Value i32(int64_t v) { return Value::i32(static_cast<uint32_t>(v)); }

// ---------------------------------------------------------------- tables

// 200 tables of 10M function references: 16 GB if allocated.
Bytes table_bomb() {
  ModuleBuilder m;
  for (int i = 0; i < 200; ++i) m.add_table(FuncRef, 10'000'000);
  m.export_func("f", m.add_func(m.add_type({}, {I32}), {}, Code().i32_const(1)));
  return m.build();
}

// Grows 100 tables by 10M elements each until table.grow fails; returns how
// many grew. Each success is 80 MB of references: the store's default
// instance-memory budget (RuntimeLimits::store_instance_bytes, 256 MiB)
// allows three.
Bytes table_grow_loop() {
  ModuleBuilder m;
  constexpr uint32_t kTables = 100;
  for (uint32_t i = 0; i < kTables; ++i) m.add_table(FuncRef, 0);
  Code c;
  for (uint32_t i = 0; i < kTables; ++i) {
    c.ref_null(FuncRef).i32_const(10'000'000).table_grow(i).i32_const(-1).op(Opcode::I32Eq);
    c.if_().i32_const(static_cast<int32_t>(i)).return_().end();
  }
  c.i32_const(kTables);
  m.export_func("f", m.add_func(m.add_type({}, {I32}), {}, c));
  return m.build();
}

// ---------------------------------------------------------------- locals

// 100,000 calls of a function with 49,999 declared locals.
Bytes many_locals() {
  ModuleBuilder m;
  const uint32_t unit = m.add_type({}, {});
  std::vector<ValType> locals(49'999, I64);
  const uint32_t callee = m.add_func(unit, locals, Code().local_get(49'998).drop());
  Code loop;
  loop.loop()
      .call(callee)
      .local_get(0).i32_const(1).op(Opcode::I32Sub).local_tee(0)
      .br_if(0)
      .end()
      .i32_const(7);
  m.export_func("f", m.add_func(m.add_type({I32}, {I32}), {}, loop));
  return m.build();
}

// ---------------------------------------------------------------- recursion

// rec(n) = n == 0 ? 0 : rec(n - 1) + 1, directly.
Bytes recursion() {
  ModuleBuilder m;
  const uint32_t t = m.add_type({I32}, {I32});
  Code c;
  c.local_get(0).op(Opcode::I32Eqz).if_(I32).i32_const(0).else_()
      .local_get(0).i32_const(1).op(Opcode::I32Sub).call(0).i32_const(1).op(Opcode::I32Add)
      .end();
  m.export_func("rec", m.add_func(t, {}, c));
  return m.build();
}

// rec(n) = n == 0 ? 0 : env.reenter(n - 1) + 1: every level is a host frame
// and a wasm frame.
Bytes host_recursion() {
  ModuleBuilder m;
  const uint32_t t = m.add_type({I32}, {I32});
  const uint32_t reenter = m.add_import_func("env", "reenter", t);
  Code c;
  c.local_get(0).op(Opcode::I32Eqz).if_(I32).i32_const(0).else_()
      .local_get(0).i32_const(1).op(Opcode::I32Sub).call(reenter).i32_const(1)
      .op(Opcode::I32Add)
      .end();
  m.export_func("rec", m.add_func(t, {}, c));
  return m.build();
}

// ---------------------------------------------------------------- unaligned

// Stores and loads of every width at odd addresses, folded into one i64.
Bytes unaligned() {
  ModuleBuilder m;
  m.add_memory(1);
  Code c;
  c.i32_const(1).i64_const(0x0102030405060708).mem(Opcode::I64Store);
  c.i32_const(13).i32_const(0x7f8e9dac).mem(Opcode::I32Store);
  c.i32_const(19).f64_const(-2.5).mem(Opcode::F64Store);
  c.i32_const(31).i32_const(0xbeef).mem(Opcode::I32Store16);
  c.i32_const(3).mem(Opcode::I64Load);
  c.i32_const(5).mem(Opcode::I32Load).op(Opcode::I64ExtendI32U).op(Opcode::I64Xor);
  c.i32_const(7).mem(Opcode::I64Load16S).op(Opcode::I64Xor);
  c.i32_const(15).mem(Opcode::I64Load32U).op(Opcode::I64Xor);
  c.i32_const(21).mem(Opcode::I64Load).op(Opcode::I64Xor);
  c.i32_const(31).mem(Opcode::I64Load16U).op(Opcode::I64Xor);
  c.i32_const(19).mem(Opcode::F64Load).op(Opcode::I64ReinterpretF64).op(Opcode::I64Xor);
  m.export_func("f", m.add_func(m.add_type({}, {I64}), {}, c));
  return m.build();
}

// The same computation in C++, as little-endian memory.
uint64_t unaligned_expected() {
  uint8_t mem[64] = {};
  auto put = [&](uint32_t a, uint64_t v, int n) { std::memcpy(mem + a, &v, n); };
  auto get = [&](uint32_t a, int n) {
    uint64_t v = 0;
    std::memcpy(&v, mem + a, n);
    return v;
  };
  put(1, 0x0102030405060708, 8);
  put(13, 0x7f8e9dac, 4);
  double d = -2.5;
  uint64_t dbits;
  std::memcpy(&dbits, &d, 8);
  put(19, dbits, 8);
  put(31, 0xbeef, 2);
  uint64_t r = get(3, 8);
  r ^= get(5, 4);
  r ^= static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(get(7, 2))));
  r ^= get(15, 4);
  r ^= get(21, 8);
  r ^= get(31, 2);
  r ^= get(19, 8);
  return r;
}

// ---------------------------------------------------------------- types

// 20,000 distinct function types (parameter lists spelling the numbers 0..19,999
// in binary as i32/i64) and a function of the last one.
Bytes many_types() {
  ModuleBuilder m;
  uint32_t last = 0;
  for (uint32_t n = 0; n < 20'000; ++n) {
    std::vector<ValType> params;
    for (uint32_t bit = 0; bit < 15; ++bit) params.push_back((n >> bit) & 1 ? I64 : I32);
    last = m.add_type(params, {I32});
  }
  const uint32_t f = m.add_func(last, {}, Code().i32_const(1));
  Code call;
  for (uint32_t bit = 0; bit < 15; ++bit) {
    if ((19'999u >> bit) & 1) call.i64_const(0); else call.i32_const(0);
  }
  call.call(f);
  m.export_func("f", m.add_func(m.add_type({}, {I32}), {}, call));
  return m.build();
}

// ---------------------------------------------------------------- segments

// A module written section by section, for sizes the builder would take
// gigabytes to hold.
void put_section(Bytes& out, uint8_t id, const Bytes& payload) {
  out.push_back(id);
  put_u32(out, payload.size());
  out.insert(out.end(), payload.begin(), payload.end());
}

// 10M passive element segments of one function each (40 MB); "f" copies the
// last one into the table and calls it.
Bytes elem_bomb() {
  constexpr uint32_t kSegments = 10'000'000;
  Bytes out{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  put_section(out, 1, {0x01, 0x60, 0x00, 0x01, 0x7f});  // type 0: () -> i32
  put_section(out, 3, {0x02, 0x00, 0x00});              // two functions of type 0
  put_section(out, 4, {0x01, 0x70, 0x00, 0x01});        // table: funcref, min 1
  {
    Bytes ex;
    put_u32(ex, 1);
    put_name(ex, "f");
    ex.push_back(0x00);
    put_u32(ex, 1);
    put_section(out, 7, ex);
  }
  {
    Bytes el;
    el.reserve(size_t{kSegments} * 4 + 8);
    put_u32(el, kSegments);
    for (uint32_t i = 0; i < kSegments; ++i) el.insert(el.end(), {0x01, 0x00, 0x01, 0x00});
    put_section(out, 9, el);
  }
  {
    // func 0: i32.const 42. func 1: table.init seg (kSegments-1) 0 at 0 from 0 len 1;
    // call_indirect type 0 of element 0.
    Code f0 = Code().i32_const(42);
    Code f1 = Code().i32_const(0).i32_const(0).i32_const(1).table_init(kSegments - 1, 0)
                  .i32_const(0).call_indirect(0, 0);
    Bytes code;
    put_u32(code, 2);
    for (const Code* c : {&f0, &f1}) {
      Bytes body{0x00};  // no locals
      body.insert(body.end(), c->bytes().begin(), c->bytes().end());
      body.push_back(0x0b);
      put_u32(code, body.size());
      code.insert(code.end(), body.begin(), body.end());
    }
    put_section(out, 10, code);
  }
  return out;
}

// ---------------------------------------------------------------- control

Bytes nested_blocks(uint32_t depth) {
  ModuleBuilder m;
  Code c;
  for (uint32_t i = 0; i < depth; ++i) c.block();
  for (uint32_t i = 0; i < depth; ++i) c.end();
  c.i32_const(7);
  m.export_func("f", m.add_func(m.add_type({}, {I32}), {}, c));
  return m.build();
}
Bytes deep_nesting() { return nested_blocks(65'000); }
Bytes nesting_over_limit() { return nested_blocks(70'000); }

// br_table with 65,520 targets over three blocks: target i % 3.
Bytes huge_br_table() {
  ModuleBuilder m;
  std::vector<uint32_t> targets(65'520);
  for (uint32_t i = 0; i < targets.size(); ++i) targets[i] = i % 3;
  Code c;
  c.block().block().block().local_get(0).br_table(targets, 0).end()
      .i32_const(10).return_().end()
      .i32_const(20).return_().end()
      .i32_const(30);
  m.export_func("f", m.add_func(m.add_type({I32}, {I32}), {}, c));
  return m.build();
}

// One function body of 7.5 MB (2.5M `i32.const 1; drop`).
Bytes big_body() {
  ModuleBuilder m;
  Code c;
  for (uint32_t i = 0; i < 2'500'000; ++i) c.i32_const(1).drop();
  c.i32_const(5);
  m.export_func("f", m.add_func(m.add_type({}, {I32}), {}, c));
  return m.build();
}

// 200,000 functions, each calling the next; "f" calls the first.
Bytes many_functions() {
  ModuleBuilder m;
  constexpr uint32_t kFuncs = 200'000;
  const uint32_t t = m.add_type({}, {I32});
  for (uint32_t i = 0; i + 1 < kFuncs; ++i) m.add_func(t, {}, Code().call(i + 1));
  m.add_func(t, {}, Code().i32_const(9));
  m.export_func("f", m.add_func(t, {}, Code().call(kFuncs - 1)));
  return m.build();
}

// ---------------------------------------------------------------- memory

// Grows memory to 1 GiB, fills it and reads the last byte.
Bytes memory_fill_1gib() {
  ModuleBuilder m;
  m.add_memory(0, 16'384);
  Code c;
  c.i32_const(16'384).memory_grow().drop();
  c.i32_const(0).i32_const(0xab).i32_const(1 << 30).memory_fill();
  c.i32_const((1 << 30) - 1).mem(Opcode::I32Load8U);
  m.export_func("f", m.add_func(m.add_type({}, {I32}), {}, c));
  return m.build();
}

// memory.grow to the 4 GiB maximum, then the new size in pages.
Bytes memory_grow_max() {
  ModuleBuilder m;
  m.add_memory(0);
  Code c;
  c.i32_const(65'536).memory_grow().drop().memory_size();
  m.export_func("f", m.add_func(m.add_type({}, {I32}), {}, c));
  return m.build();
}

// An endless loop: only gas stops it.
Bytes endless_loop() {
  ModuleBuilder m;
  m.export_func("f", m.add_func(m.add_type({}, {}), {}, Code().loop().br(0).end()));
  return m.build();
}

std::vector<Case> make_cases() {
  std::vector<Case> v;
  auto add = [&](Case c) { v.push_back(std::move(c)); };
  // Out of gas leaves none: a call given 10^8 uses exactly 10^8.
  Outcome out_of_all_gas = Outcome::trapped(TrapKind::OutOfGas);
  out_of_all_gas.gas_used = 100'000'000;
  add({"table-bomb", "instantiate 200 tables of 10M elements (16 GB)", table_bomb, "f", {}, 0,
       false, nullptr, Outcome::instantiate_error(ErrorKind::Uninstantiable), 1, 64});
  add({"table-grow-loop", "table.grow 10M elements in 100 tables until it fails",
       table_grow_loop, "f", {}, 0, false, nullptr, Outcome::returned({3}), 2, 320, true});
  add({"many-locals", "100,000 calls of a function with 49,999 locals, 10^8 gas", many_locals,
       "f", {i32(100'000)}, 100'000'000, false, nullptr, out_of_all_gas, 2, 64});
  add({"recursion-at-limit", "rec(9999): 10,000 frames, the limit", recursion, "rec",
       {i32(9'999)}, 0, false, nullptr, Outcome::returned({9'999}), 1, 64});
  add({"recursion-past-limit", "rec(10000): one frame past the limit", recursion, "rec",
       {i32(10'000)}, 0, false, nullptr, Outcome::trapped(TrapKind::CallStackExhausted), 1, 64});
  add({"host-recursion", "rec(2000) through a host function: 4,001 frames", host_recursion,
       "rec", {i32(2'000)}, 0, true, nullptr, Outcome::returned({2'000}), 1, 64});
  add({"host-recursion-at-limit", "rec(4999) through a host function: 9,999 frames",
       host_recursion, "rec", {i32(4'999)}, 0, true, nullptr, Outcome::returned({4'999}), 1, 64});
  add({"host-recursion-past-limit", "rec(5000) through a host function: 10,001 frames",
       host_recursion, "rec", {i32(5'000)}, 0, true, nullptr,
       Outcome::trapped(TrapKind::CallStackExhausted), 1, 64});
  add({"unaligned", "loads and stores of every width at odd addresses", unaligned, "f", {}, 0,
       false, nullptr, Outcome::returned({unaligned_expected()}), 1, 64});
  add({"many-types", "20,000 distinct function types", many_types, "f", {}, 0, false, nullptr,
       Outcome::returned({1}), 1, 64});
  add({"elem-bomb", "10M one-element passive element segments (40 MB)", elem_bomb, "f", {}, 0,
       false, nullptr, Outcome::returned({42}), 3, 450, true});
  add({"deep-nesting", "65,000 nested blocks", deep_nesting, "f", {}, 0, false, nullptr,
       Outcome::returned({7}), 1, 64});
  add({"nesting-over-limit", "70,000 nested blocks", nesting_over_limit, "f", {}, 0, false,
       nullptr, Outcome::compile_error(ErrorKind::LimitExceeded), 1, 64});
  add({"huge-br-table", "br_table of 65,520 targets", huge_br_table, "f", {i32(65'519)}, 0,
       false, nullptr, Outcome::returned({30}), 1, 64});
  add({"big-body", "one function body of 7.5 MB", big_body, "f", {}, 0, false, nullptr,
       Outcome::returned({5}), 3, 512, true});
  add({"many-functions", "200,000 functions calling each other", many_functions, "f", {}, 0,
       false, nullptr, Outcome::returned({9}), 4, 256, true});
  add({"memory-fill-1gib", "grow memory to 1 GiB and fill it", memory_fill_1gib, "f", {}, 0,
       false, nullptr, Outcome::returned({0xab}), 3, 1200, true});
  add({"memory-grow-max", "memory.grow to 65,536 pages (4 GiB)", memory_grow_max, "f", {}, 0,
       false, nullptr, Outcome::returned({65'536}), 1, 64});
  add({"endless-loop", "an endless loop with 10^8 gas", endless_loop, "f", {}, 100'000'000,
       false, nullptr, out_of_all_gas, 2, 64});
  return v;
}

}  // namespace

const std::vector<Case>& cases() {
  static const std::vector<Case> kCases = make_cases();
  return kCases;
}

}  // namespace wvm::hostile
