// Tests of the module-level decoder (module/decoder.cc), the Reader's names and
// UTF-8 check, and the small naming helpers, on hand-written binaries.
#include "module/decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "module/opcodes.h"
#include "module/reader.h"
#include "tests/unit/builder.h"
#include "wvm/module.h"
#include "wvm/types.h"

namespace wvm {
namespace {


using test::Bytes;

void leb(Bytes& out, uint64_t v) { test::put_u32(out, v); }

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes header() { return {0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}; }

/// A section with its id and exact size.
Bytes section(uint8_t id, const Bytes& content) {
  Bytes out{id};
  leb(out, content.size());
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

Bytes name(const std::string& s) {
  Bytes out;
  leb(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

struct Decoded {
  std::unique_ptr<Module> module = std::make_unique<Module>();
  Result<void> result = Error{};
  bool ok() const { return result.ok(); }
  const Error& error() const { return result.error(); }
};

Decoded decode(const Bytes& bytes, const ModuleLimits& limits = {}) {
  Decoded d;
  d.module->bytes = bytes;
  d.result = decode_module(limits, *d.module);
  return d;
}

::testing::AssertionResult fails_with(const Bytes& bytes, ErrorKind kind, const std::string& prefix,
                                      const ModuleLimits& limits = {}) {
  Decoded d = decode(bytes, limits);
  if (d.ok()) return ::testing::AssertionFailure() << "decoded, expected " << error_kind_name(kind);
  const Error& e = d.error();
  if (e.kind != kind || e.message.rfind(prefix, 0) != 0)
    return ::testing::AssertionFailure() << "got " << e.to_string();
  if (e.offset > bytes.size())
    return ::testing::AssertionFailure() << "offset past end: " << e.to_string();
  return ::testing::AssertionSuccess();
}

// Common sections.
const Bytes kTypeVoid = section(1, {0x01, 0x60, 0x00, 0x00});       // type 0: [] -> []
const Bytes kFuncOne = section(3, {0x01, 0x00});                    // 1 function of type 0
const Bytes kCodeOneEmpty = section(10, {0x01, 0x02, 0x00, 0x0b});  // body: no locals, end
const Bytes kMemOne = section(5, {0x01, 0x00, 0x01});               // memory 1 page

/// A small module touching every section.
Bytes full_module() {
  return cat({
      header(),
      section(0, cat({name("first"), {1, 2, 3}})),
      section(1, {0x02, 0x60, 0x00, 0x00,          // type 0: [] -> []
                  0x60, 0x01, 0x7f, 0x01, 0x7f}),  // type 1: [i32] -> [i32]
      section(2, cat({{0x03},
                      name("env"),
                      name("f"),
                      {0x00, 0x01},  // func import, type 1
                      name("env"),
                      name("g"),
                      {0x03, 0x7f, 0x00},  // global i32 const
                      name("env"),
                      name("t"),
                      {0x01, 0x6f, 0x00, 0x02}})),     // table externref 2
      section(3, {0x02, 0x00, 0x01}),                  // funcs 1 (type 0), 2 (type 1)
      section(4, {0x01, 0x70, 0x01, 0x01, 0x10}),      // table funcref 1..16
      section(5, {0x01, 0x01, 0x01, 0x02}),            // memory 1..2
      section(6, {0x02, 0x7f, 0x01, 0x23, 0x00, 0x0b,  // mut i32 = global.get 0
                  0x70, 0x00, 0xd2, 0x02, 0x0b}),      // funcref = ref.func 2
      section(7, cat({{0x02}, name("run"), {0x00, 0x01}, name("mem"), {0x02, 0x00}})),
      section(8, {0x01}),  // start: func 1
      section(9,
              {0x02, 0x02, 0x01, 0x41, 0x00, 0x0b, 0x00, 0x01, 0x01,  // active table 1, funcs [1]
               0x03, 0x00, 0x01, 0x00}),                              // declarative, funcs [0]
      section(12, {0x02}),                                            // data count 2
      section(10, {0x02, 0x02, 0x00, 0x0b,                            // func 1
                   0x07, 0x01, 0x01, 0x7f, 0x20, 0x00, 0x0b, 0x0b}),  // func 2 (extra end is fine)
      section(11, cat({{0x02, 0x00, 0x41, 0x08, 0x0b}, name("hi"), {0x01}, name("xyz")})),
      section(0, name("last")),
  });
}

TEST(Decoder, EmptyModule) {
  Decoded d = decode(header());
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d.module->num_funcs(), 0u);
  EXPECT_TRUE(d.module->type_ids.empty());
}

TEST(Decoder, FullModuleFields) {
  const Bytes bytes = full_module();
  Decoded d = decode(bytes);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  const Module& m = *d.module;
  ASSERT_EQ(m.types.size(), 2u);
  EXPECT_EQ(m.types[1].params, std::vector<ValType>{ValType::I32});
  ASSERT_EQ(m.imports.size(), 3u);
  EXPECT_EQ(m.imports[0].module, "env");
  EXPECT_EQ(m.imports[2].kind, ExternKind::Table);
  EXPECT_EQ(m.imports[2].table.elem, ValType::ExternRef);
  EXPECT_EQ(m.num_imported_funcs, 1u);
  EXPECT_EQ(m.num_imported_globals, 1u);
  EXPECT_EQ(m.num_imported_tables, 1u);
  EXPECT_EQ(m.num_imported_memories, 0u);
  EXPECT_EQ(m.func_types, (std::vector<uint32_t>{1, 0, 1}));
  ASSERT_EQ(m.tables.size(), 2u);
  EXPECT_EQ(m.tables[1].limits.max, 16u);
  ASSERT_EQ(m.memories.size(), 1u);
  EXPECT_TRUE(m.memories[0].limits.has_max);
  ASSERT_EQ(m.globals.size(), 3u);
  ASSERT_EQ(m.global_defs.size(), 2u);
  EXPECT_TRUE(m.global_defs[0].type.mut);
  EXPECT_EQ(m.global_defs[0].init.kind, ConstExpr::Kind::GlobalGet);
  EXPECT_EQ(m.global_defs[1].init.kind, ConstExpr::Kind::RefFunc);
  EXPECT_EQ(m.global_defs[1].init.index, 2u);
  ASSERT_EQ(m.exports.size(), 2u);
  EXPECT_EQ(m.find_export("mem")->kind, ExternKind::Memory);
  EXPECT_EQ(m.find_export("nope"), nullptr);
  EXPECT_EQ(m.start, 1u);
  ASSERT_EQ(m.elems.size(), 2u);
  EXPECT_EQ(m.elems[0].mode, SegmentMode::Active);
  EXPECT_EQ(m.elems[0].table, 1u);
  EXPECT_EQ(m.offset_of(m.elems[0]).value, Value::i32(0));
  EXPECT_EQ(m.elems[1].mode, SegmentMode::Declarative);
  EXPECT_EQ(m.data_count, 2u);
  ASSERT_EQ(m.bodies.size(), 2u);
  EXPECT_EQ(bytes[m.bodies[0].body_start], 0x00);  // the local declaration count
  EXPECT_EQ(m.bodies[0].body_end - m.bodies[0].body_start, 2u);
  EXPECT_EQ(m.bodies[1].body_end - m.bodies[1].body_start, 7u);
  ASSERT_EQ(m.datas.size(), 2u);
  EXPECT_EQ(m.datas[0].mode, SegmentMode::Active);
  EXPECT_EQ(m.datas[0].offset.value, Value::i32(8));
  EXPECT_EQ(std::string(bytes.begin() + m.datas[0].data_start,
                        bytes.begin() + m.datas[0].data_start + m.datas[0].data_size),
            "hi");
  EXPECT_EQ(m.datas[1].mode, SegmentMode::Passive);
  EXPECT_EQ(m.datas[1].data_size, 3u);
  // Declared: 0 (declarative segment), 1 (active segment, export), 2 (global init).
  EXPECT_EQ(m.declared_refs, (std::vector<uint8_t>{1, 1, 1}));
  // Custom sections, by name with their contents.
  ASSERT_EQ(m.customs.size(), 2u);
  EXPECT_EQ(m.customs[0].name, "first");
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin() + m.customs[0].data_start,
                                 bytes.begin() + m.customs[0].data_start + m.customs[0].data_size),
            (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(m.customs[1].name, "last");
  EXPECT_EQ(m.customs[1].data_size, 0u);
}

TEST(Decoder, DeclaredRefsOnlyWhereNamed) {
  const Bytes bytes =
      cat({header(), section(1, {0x01, 0x60, 0x00, 0x00}), section(3, {0x03, 0x00, 0x00, 0x00}),
           section(7, cat({{0x01}, name("b"), {0x00, 0x01}})),
           section(10, {0x03, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b})});
  Decoded d = decode(bytes);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d.module->declared_refs, (std::vector<uint8_t>{0, 1, 0}));
}

TEST(Decoder, Headers) {
  EXPECT_TRUE(fails_with({}, ErrorKind::Malformed, "unexpected end"));
  EXPECT_TRUE(fails_with({0x01}, ErrorKind::Malformed, "unexpected end"));
  EXPECT_TRUE(fails_with({0x00, 'a', 's'}, ErrorKind::Malformed, "unexpected end"));
  EXPECT_TRUE(fails_with({'a', 's', 'm', 0x00}, ErrorKind::Malformed, "magic header not detected"));
  EXPECT_TRUE(fails_with({0xef, 0xbb, 0xbf, 0x00, 'a', 's', 'm', 1, 0, 0, 0}, ErrorKind::Malformed,
                         "magic header not detected"));
  EXPECT_TRUE(fails_with({0x00, 'a', 's', 'm', 0x01}, ErrorKind::Malformed, "unexpected end"));
  Decoded d = decode({0x00, 'a', 's', 'm', 0x0d, 0x00, 0x01, 0x00});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(d.error().message, "unknown binary version");
  EXPECT_EQ(d.error().offset, 4u);
}

// Every strict prefix of a valid module is rejected as malformed (or, cut at a
// section boundary, may be a valid smaller module), never a crash.
TEST(Decoder, TruncationAtEveryByte) {
  const Bytes bytes = full_module();
  ASSERT_TRUE(decode(bytes).ok());
  // Section boundaries: where a prefix may itself be a complete module.
  std::vector<size_t> boundaries{8};
  for (size_t pos = 8; pos < bytes.size();) {
    Reader r(bytes.data(), pos + 1, bytes.size());
    uint32_t size;
    ASSERT_TRUE(r.u32(&size));
    pos = r.pos() + size;
    boundaries.push_back(pos);
  }
  for (size_t len = 0; len < bytes.size(); ++len) {
    const Bytes prefix(bytes.begin(), bytes.begin() + len);
    Decoded d = decode(prefix);
    const bool boundary = std::find(boundaries.begin(), boundaries.end(), len) != boundaries.end();
    if (d.ok()) {
      EXPECT_TRUE(boundary) << "prefix of " << len << " bytes decoded";
      continue;
    }
    EXPECT_EQ(d.error().kind, ErrorKind::Malformed) << len << ": " << d.error().to_string();
    EXPECT_LE(d.error().offset, len) << d.error().to_string();
    if (!boundary && len >= 8) {
      const std::string& msg = d.error().message;
      EXPECT_TRUE(msg.starts_with("unexpected end") || msg == "length out of bounds")
          << len << ": " << d.error().to_string();
    }
  }
}

TEST(Decoder, MutatedModulesNeverCrash) {
  const Bytes bytes = full_module();
  std::mt19937 rng(12345);
  for (int i = 0; i < 4000; ++i) {
    Bytes m = bytes;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < edits; ++k) {
      const size_t at = 8 + rng() % (m.size() - 8);
      switch (rng() % 3) {
        case 0: m[at] = static_cast<uint8_t>(rng()); break;
        case 1: m[at] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
        case 2: m.erase(m.begin() + static_cast<std::ptrdiff_t>(at)); break;
      }
    }
    Decoded d = decode(m);
    if (!d.ok()) {
      EXPECT_LE(d.error().offset, m.size());
      EXPECT_FALSE(d.error().message.empty());
    } else {
      for (const FunctionBody& b : d.module->bodies) EXPECT_LE(b.body_end, m.size());
      for (const DataSegment& s : d.module->datas) EXPECT_LE(s.data_start + s.data_size, m.size());
      EXPECT_EQ(d.module->declared_refs.size(), d.module->num_funcs());
    }
  }
}

TEST(Decoder, LebOverflow) {
  // Type count in 6 bytes.
  EXPECT_TRUE(fails_with(cat({header(), {0x01, 0x07, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00}}),
                         ErrorKind::Malformed, "integer"));
  // Type count 0x1_0000_0000 in 5 bytes: unused bits set.
  EXPECT_TRUE(fails_with(cat({header(), {0x01, 0x05, 0x80, 0x80, 0x80, 0x80, 0x10}}),
                         ErrorKind::Malformed, "integer"));
  // Section size too long.
  EXPECT_TRUE(fails_with(cat({header(), {0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}}),
                         ErrorKind::Malformed, "integer"));
  // i32.const immediate out of range in a global initializer.
  EXPECT_TRUE(fails_with(
      cat({header(), section(6, {0x01, 0x7f, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x70, 0x0b})}),
      ErrorKind::Malformed, "integer"));
}

TEST(Decoder, HugeCountsFailFastWithoutAllocating) {
  const auto t0 = std::chrono::steady_clock::now();
  // Counts of ~4 billion in a tiny module: length out of bounds.
  for (uint8_t id : {1, 2, 3, 4, 5, 6, 7, 9, 10, 11}) {
    const Bytes bytes = cat({header(), section(id, {0xff, 0xff, 0xff, 0xff, 0x0f})});
    EXPECT_TRUE(fails_with(bytes, ErrorKind::Malformed, "length out of bounds")) << int(id);
  }
  // A function type with ~4 billion parameters.
  EXPECT_TRUE(fails_with(cat({header(), section(1, {0x01, 0x60, 0xff, 0xff, 0xff, 0xff, 0x0f})}),
                         ErrorKind::Malformed, "length out of bounds"));
  // An element segment with ~4 billion items.
  EXPECT_TRUE(
      fails_with(cat({header(), section(9, {0x01, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f})}),
                 ErrorKind::Malformed, "length out of bounds"));
  // Counts that fit in the bytes but exceed configured limits.
  Bytes many_types{0x10};
  for (int i = 0; i < 16; ++i) many_types.insert(many_types.end(), {0x60, 0x00, 0x00});
  ModuleLimits limits;
  limits.max_types = 15;
  EXPECT_TRUE(fails_with(cat({header(), section(1, many_types)}), ErrorKind::LimitExceeded,
                         "too many types", limits));
  limits = {};
  limits.max_params = 2;
  EXPECT_TRUE(fails_with(cat({header(), section(1, {0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00})}),
                         ErrorKind::LimitExceeded, "too many parameters", limits));
  limits = {};
  limits.max_functions = 2;
  EXPECT_TRUE(fails_with(
      cat({header(), kTypeVoid, section(2, cat({{0x01}, name("m"), name("f"), {0x00, 0x00}})),
           section(3, {0x02, 0x00, 0x00})}),
      ErrorKind::LimitExceeded, "too many functions", limits));
  limits = {};
  limits.max_name_bytes = 3;
  EXPECT_TRUE(fails_with(cat({header(), section(7, cat({{0x01}, name("long"), {0x00, 0x00}}))}),
                         ErrorKind::LimitExceeded, "name", limits));
  limits = {};
  limits.max_module_bytes = 8;
  EXPECT_TRUE(fails_with(cat({header(), section(0, name("x"))}), ErrorKind::LimitExceeded, "module",
                         limits));
  limits = {};
  limits.max_function_bytes = 1;
  EXPECT_TRUE(fails_with(cat({header(), kTypeVoid, kFuncOne, kCodeOneEmpty}),
                         ErrorKind::LimitExceeded, "function body", limits));
  limits = {};
  limits.max_memory_pages = 16;
  EXPECT_TRUE(fails_with(cat({header(), section(5, {0x01, 0x00, 0x11})}), ErrorKind::LimitExceeded,
                         "memory", limits));
  limits = {};
  limits.max_table_elements = 16;
  EXPECT_TRUE(fails_with(cat({header(), section(4, {0x01, 0x70, 0x00, 0x11})}),
                         ErrorKind::LimitExceeded, "table", limits));
  // Large counts with enough bytes behind them: still bounded by the limit.
  Bytes big = cat({header(), section(0, cat({name("pad"), Bytes(1 << 20, 0)}))});
  Bytes imports = cat({header(), section(2, {0xff, 0xff, 0x0f})});
  imports.insert(imports.end(), big.begin() + 8, big.end());
  limits = {};
  limits.max_imports = 1000;
  EXPECT_TRUE(fails_with(imports, ErrorKind::LimitExceeded, "too many imports", limits));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST(Decoder, SectionOrder) {
  // Custom sections anywhere; data count between element and code.
  EXPECT_TRUE(decode(cat({header(), section(0, name("a")), kTypeVoid, section(0, name("b")),
                          kFuncOne, section(12, {0x00}), section(0, name("c")), kCodeOneEmpty,
                          section(0, name("d"))}))
                  .ok());
  EXPECT_TRUE(fails_with(cat({header(), section(2, {0x00}), section(1, {0x00})}),
                         ErrorKind::Malformed, "unexpected content after last section"));
  EXPECT_TRUE(fails_with(cat({header(), section(1, {0x00}), section(1, {0x00})}),
                         ErrorKind::Malformed, "unexpected content after last section"));
  EXPECT_TRUE(fails_with(cat({header(), kTypeVoid, kFuncOne, kCodeOneEmpty, section(12, {0x00})}),
                         ErrorKind::Malformed, "unexpected content after last section"));
  EXPECT_TRUE(fails_with(cat({header(), section(12, {0x00}), section(9, {0x00})}),
                         ErrorKind::Malformed, "unexpected content after last section"));
  EXPECT_TRUE(fails_with(cat({header(), section(11, {0x00}), section(10, {0x00})}),
                         ErrorKind::Malformed, "unexpected content after last section"));
}

TEST(Decoder, SectionIdsAndSizes) {
  Decoded d = decode(cat({header(), {0x0e, 0x01, 0x00}}));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(d.error().message, "malformed section id");
  EXPECT_EQ(d.error().offset, 8u);
  EXPECT_TRUE(fails_with(cat({header(), {0x80, 0x01, 0x00}}), ErrorKind::Malformed,
                         "malformed section id"));
  EXPECT_TRUE(fails_with(cat({header(), {0x0d, 0x01, 0x00}}), ErrorKind::Unsupported,
                         "exception handling"));
  // One type declared, two given.
  EXPECT_TRUE(fails_with(cat({header(), {0x01, 0x07, 0x01, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00}}),
                         ErrorKind::Malformed, "section size mismatch"));
  // Two types declared, one given: the size runs past the module.
  EXPECT_TRUE(fails_with(cat({header(), {0x01, 0x07, 0x02, 0x60, 0x00, 0x00}}),
                         ErrorKind::Malformed, "length out of bounds"));
  // Two globals declared, one given, at the end of the module.
  EXPECT_TRUE(fails_with(cat({header(), {0x06, 0x06, 0x02, 0x7f, 0x00, 0x41, 0x00, 0x0b}}),
                         ErrorKind::Malformed, "unexpected end of section or function"));
  // Custom sections: the name must fit in the section and be UTF-8.
  EXPECT_TRUE(
      fails_with(cat({header(), {0x00, 0x00, 0x00}}), ErrorKind::Malformed, "unexpected end"));
  EXPECT_TRUE(fails_with(cat({header(), {0x00, 0x00}}), ErrorKind::Malformed, "unexpected end"));
  EXPECT_TRUE(fails_with(cat({header(), section(0, {0x02, 0xc0, 0x80})}), ErrorKind::Malformed,
                         "malformed UTF-8 encoding"));
  EXPECT_TRUE(fails_with(cat({header(), {0x00, 0x26, 0x10}, Bytes(35, 'a')}), ErrorKind::Malformed,
                         "length out of bounds"));
}

TEST(Decoder, FunctionAndCodeCounts) {
  EXPECT_TRUE(fails_with(cat({header(), kTypeVoid, section(3, {0x02, 0x00, 0x00})}),
                         ErrorKind::Malformed,
                         "function and code section have inconsistent lengths"));
  EXPECT_TRUE(fails_with(cat({header(), kCodeOneEmpty}), ErrorKind::Malformed,
                         "function and code section have inconsistent lengths"));
  EXPECT_TRUE(decode(cat({header(), section(3, {0x00})})).ok());
  EXPECT_TRUE(decode(cat({header(), section(10, {0x00})})).ok());
  // A body size past the end of the module.
  EXPECT_TRUE(fails_with(cat({header(), kTypeVoid, kFuncOne, {0x0a, 0x03, 0x01, 0x09, 0x00}}),
                         ErrorKind::Malformed, "length out of bounds"));
}

TEST(Decoder, TypesAndValueTypes) {
  EXPECT_TRUE(fails_with(cat({header(), section(1, {0x01, 0x60, 0x01, 0x7b, 0x00})}),
                         ErrorKind::Unsupported, "SIMD"));
  Decoded d = decode(cat({header(), section(6, {0x01, 0x7b, 0x00, 0xfd, 0x0c})}));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().kind, ErrorKind::Unsupported);
  EXPECT_NE(d.error().message.find("SIMD"), std::string::npos);
  EXPECT_EQ(d.error().offset, 11u);
  for (uint8_t form : {0x5e, 0x5f, 0x50, 0x4e}) {
    EXPECT_TRUE(fails_with(cat({header(), section(1, {0x01, form, 0x00, 0x00})}),
                           ErrorKind::Unsupported, "garbage collection"))
        << int(form);
  }
  EXPECT_TRUE(
      fails_with(cat({header(), section(1, {0x01, 0x61, 0x00, 0x00})}), ErrorKind::Malformed, ""));
  EXPECT_TRUE(fails_with(cat({header(), section(1, {0x01, 0x60, 0x01, 0x63, 0x70, 0x00})}),
                         ErrorKind::Unsupported, "typed function references"));
  EXPECT_TRUE(fails_with(cat({header(), section(1, {0x01, 0x60, 0x00, 0x01, 0x6e})}),
                         ErrorKind::Unsupported, "garbage collection"));
  EXPECT_TRUE(fails_with(cat({header(), section(1, {0x01, 0x60, 0x00, 0x01, 0x40})}),
                         ErrorKind::Malformed, "malformed value type"));
  // Multi-value results and reference types are fine.
  d = decode(cat({header(), section(1, {0x01, 0x60, 0x02, 0x6f, 0x70, 0x03, 0x7f, 0x7e, 0x7c})}));
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d.module->types[0].results.size(), 3u);
}

TEST(Decoder, Imports) {
  auto import = [](std::initializer_list<uint8_t> desc) {
    return cat({header(), kTypeVoid, section(2, cat({{0x01}, name("m"), name("x"), Bytes(desc)}))});
  };
  EXPECT_TRUE(decode(import({0x00, 0x00})).ok());
  EXPECT_TRUE(decode(import({0x03, 0x7e, 0x01})).ok());  // mutable global import
  EXPECT_TRUE(fails_with(import({0x00, 0x01}), ErrorKind::Invalid, "unknown type"));
  EXPECT_TRUE(
      fails_with(import({0x04, 0x00, 0x00}), ErrorKind::Malformed, "malformed import kind"));
  EXPECT_TRUE(fails_with(import({0x05, 0x00}), ErrorKind::Malformed, "malformed import kind"));
  EXPECT_TRUE(fails_with(import({0x80, 0x00}), ErrorKind::Malformed, "malformed import kind"));
  EXPECT_TRUE(fails_with(import({0x03, 0x7f, 0x02}), ErrorKind::Malformed, "malformed mutability"));
  EXPECT_TRUE(fails_with(import({0x01, 0x7f, 0x00, 0x00}), ErrorKind::Malformed,
                         "malformed reference type"));
  EXPECT_TRUE(
      fails_with(cat({header(), section(2, cat({{0x01}, {0x01, 0xff}, name("x"), {0x00, 0x00}}))}),
                 ErrorKind::Malformed, "malformed UTF-8 encoding"));
  // Two memory imports.
  EXPECT_TRUE(fails_with(cat({header(), section(2, cat({{0x02},
                                                        name("m"),
                                                        name("a"),
                                                        {0x02, 0x00, 0x00},
                                                        name("m"),
                                                        name("b"),
                                                        {0x02, 0x00, 0x00}}))}),
                         ErrorKind::Invalid, "multiple memories"));
}

TEST(Decoder, TablesAndMemories) {
  EXPECT_TRUE(decode(cat({header(), section(4, {0x02, 0x70, 0x00, 0x00, 0x6f, 0x01, 0x00, 0xff,
                                                0xff, 0xff, 0xff, 0x0f})}))
                  .ok());
  EXPECT_TRUE(fails_with(cat({header(), section(4, {0x01, 0x70, 0x01, 0x02, 0x01})}),
                         ErrorKind::Invalid, "size minimum must not be greater than maximum"));
  EXPECT_TRUE(fails_with(cat({header(), section(4, {0x01, 0x70, 0x02, 0x00})}),
                         ErrorKind::Malformed, "integer too large"));
  EXPECT_TRUE(fails_with(cat({header(), section(4, {0x01, 0x70, 0x81, 0x00, 0x00, 0x00})}),
                         ErrorKind::Malformed, "integer representation too long"));
  EXPECT_TRUE(fails_with(cat({header(), section(4, {0x01, 0x70, 0x04, 0x00})}),
                         ErrorKind::Unsupported, "memory64"));
  EXPECT_TRUE(fails_with(
      cat({header(), section(4, {0x01, 0x40, 0x00, 0x70, 0x00, 0x00, 0xd0, 0x70, 0x0b})}),
      ErrorKind::Unsupported, "typed function references"));

  EXPECT_TRUE(
      decode(cat({header(), section(5, {0x01, 0x01, 0x00, 0x80, 0x80, 0x04})})).ok());  // 0..65536
  EXPECT_TRUE(fails_with(cat({header(), section(5, {0x01, 0x00, 0x81, 0x80, 0x04})}),
                         ErrorKind::Invalid, "memory size must be at most 65536 pages (4GiB)"));
  EXPECT_TRUE(fails_with(cat({header(), section(5, {0x01, 0x01, 0x00, 0x81, 0x80, 0x04})}),
                         ErrorKind::Invalid, "memory size must be at most 65536 pages (4GiB)"));
  EXPECT_TRUE(fails_with(cat({header(), section(5, {0x01, 0x01, 0x02, 0x01})}), ErrorKind::Invalid,
                         "size minimum must not be greater than maximum"));
  EXPECT_TRUE(fails_with(cat({header(), section(5, {0x02, 0x00, 0x00, 0x00, 0x00})}),
                         ErrorKind::Invalid, "multiple memories"));
  EXPECT_TRUE(fails_with(cat({header(), section(5, {0x01, 0x03, 0x01, 0x02})}),
                         ErrorKind::Unsupported, "threads"));
  for (uint8_t flags : {0x04, 0x05, 0x06, 0x07}) {
    EXPECT_TRUE(fails_with(cat({header(), section(5, {0x01, flags, 0x01, 0x02})}),
                           ErrorKind::Unsupported, "memory64"))
        << int(flags);
  }
  // The 2.0 test suite expects these flags to be malformed.
  EXPECT_TRUE(fails_with(cat({header(), section(5, {0x01, 0x02, 0x00})}), ErrorKind::Malformed,
                         "integer too large"));
  EXPECT_TRUE(fails_with(cat({header(), section(5, {0x01, 0x10, 0x00})}), ErrorKind::Malformed,
                         "integer too large"));
}

Bytes global_module(const Bytes& imports, const Bytes& globals) {
  return cat({header(), kTypeVoid, imports.empty() ? Bytes{} : section(2, imports), kFuncOne,
              section(6, globals), kCodeOneEmpty});
}

TEST(Decoder, ConstantExpressions) {
  const Bytes imm_global = cat({{0x01}, name("m"), name("g"), {0x03, 0x7f, 0x00}});
  const Bytes mut_global = cat({{0x01}, name("m"), name("g"), {0x03, 0x7f, 0x01}});
  // Each constant instruction.
  Decoded d =
      decode(global_module({}, {0x06, 0x7f, 0x00, 0x41, 0x7f, 0x0b,  // i32 -1
                                0x7e, 0x00, 0x42, 0x05, 0x0b,        // i64 5
                                0x7d, 0x00, 0x43, 0x00, 0x00, 0x80, 0x3f, 0x0b, 0x7c,
                                0x00, 0x44, 0,    0,    0,    0,    0,    0,    0xf0,
                                0x3f, 0x0b, 0x6f, 0x00, 0xd0, 0x6f, 0x0b,  // ref.null extern
                                0x70, 0x00, 0xd2, 0x00, 0x0b}));           // ref.func 0
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  const auto& g = d.module->global_defs;
  EXPECT_EQ(g[0].init.value, Value::i32(0xffffffffu));
  EXPECT_EQ(g[1].init.value, Value::i64(5));
  EXPECT_EQ(g[2].init.value, Value::f32(1.0f));
  EXPECT_EQ(g[3].init.value, Value::f64(1.0));
  EXPECT_EQ(g[4].init.kind, ConstExpr::Kind::RefNull);
  EXPECT_EQ(g[4].init.value.type, ValType::ExternRef);
  EXPECT_EQ(g[5].init.kind, ConstExpr::Kind::RefFunc);
  EXPECT_EQ(d.module->declared_refs, std::vector<uint8_t>{1});

  // global.get of an imported immutable global is allowed.
  EXPECT_TRUE(decode(global_module(imm_global, {0x01, 0x7f, 0x00, 0x23, 0x00, 0x0b})).ok());
  EXPECT_TRUE(fails_with(global_module(mut_global, {0x01, 0x7f, 0x00, 0x23, 0x00, 0x0b}),
                         ErrorKind::Invalid, "constant expression required"));
  // Defined globals are not visible in Wasm 2.0.
  EXPECT_TRUE(fails_with(
      global_module({}, {0x02, 0x7f, 0x00, 0x41, 0x00, 0x0b, 0x7f, 0x00, 0x23, 0x00, 0x0b}),
      ErrorKind::Invalid, "unknown global"));
  EXPECT_TRUE(fails_with(global_module(imm_global, {0x01, 0x7f, 0x00, 0x23, 0x01, 0x0b}),
                         ErrorKind::Invalid, "unknown global 1"));
  EXPECT_TRUE(fails_with(global_module({}, {0x01, 0x7f, 0x00, 0x42, 0x00, 0x0b}),
                         ErrorKind::Invalid, "type mismatch"));
  EXPECT_TRUE(
      fails_with(global_module({}, {0x01, 0x7f, 0x00, 0x0b}), ErrorKind::Invalid, "type mismatch"));
  EXPECT_TRUE(fails_with(global_module({}, {0x01, 0x7f, 0x00, 0x41, 0x00, 0x41, 0x00, 0x0b}),
                         ErrorKind::Invalid, "type mismatch"));
  EXPECT_TRUE(fails_with(global_module({}, {0x01, 0x70, 0x00, 0xd0, 0x6f, 0x0b}),
                         ErrorKind::Invalid, "type mismatch"));
  EXPECT_TRUE(fails_with(global_module({}, {0x01, 0x7f, 0x00, 0x01, 0x0b}), ErrorKind::Invalid,
                         "constant expression required"));
  // Extended constant expressions are not part of 2.0.
  EXPECT_TRUE(fails_with(global_module({}, {0x01, 0x7f, 0x00, 0x41, 0x01, 0x41, 0x02, 0x6a, 0x0b}),
                         ErrorKind::Invalid, "constant expression required"));
  EXPECT_TRUE(fails_with(global_module({}, {0x01, 0x70, 0x00, 0xd2, 0x05, 0x0b}),
                         ErrorKind::Invalid, "unknown function 5"));
  EXPECT_TRUE(fails_with(global_module({}, {0x01, 0x7f, 0x00, 0x41, 0x00, 0xf3, 0x0b}),
                         ErrorKind::Malformed, "illegal opcode"));
  EXPECT_TRUE(fails_with(global_module({}, {0x01, 0x70, 0x00, 0xd0, 0x7f, 0x0b}),
                         ErrorKind::Malformed, "malformed heap type"));
  // A missing `end` runs into the next section.
  EXPECT_TRUE(fails_with(cat({header(), kTypeVoid, kFuncOne,
                              section(6, {0x01, 0x7f, 0x00, 0x41, 0x00}), kCodeOneEmpty}),
                         ErrorKind::Malformed, "illegal opcode"));
  // A malformed error later in the module takes precedence over an invalid one.
  EXPECT_TRUE(
      fails_with(cat({global_module({}, {0x01, 0x7f, 0x00, 0x42, 0x00, 0x0b}), {0x0e, 0x00}}),
                 ErrorKind::Malformed, "malformed section id"));
}

TEST(Decoder, ConstExprApi) {
  Module m;
  m.globals.push_back({ValType::I64, false});
  m.globals.push_back({ValType::I64, true});
  const Bytes ok{0x23, 0x00, 0x0b, 0xaa};
  Reader r(ok.data(), 0, ok.size());
  ConstExpr e;
  ASSERT_TRUE(decode_const_expr(r, m, ValType::I64, 1, &e)) << r.error().message;
  EXPECT_EQ(e.kind, ConstExpr::Kind::GlobalGet);
  EXPECT_EQ(r.pos(), 3u);  // stops after `end`

  const Bytes hidden{0x23, 0x01, 0x0b};
  Reader r2(hidden.data(), 0, hidden.size());
  EXPECT_FALSE(decode_const_expr(r2, m, ValType::I64, 1, &e));
  EXPECT_EQ(r2.error().kind, ErrorKind::Invalid);
  EXPECT_EQ(r2.error().message, "unknown global 1");

  const Bytes truncated{0x42};
  Reader r3(truncated.data(), 0, truncated.size());
  EXPECT_FALSE(decode_const_expr(r3, m, ValType::I64, 1, &e));
  EXPECT_EQ(r3.error().kind, ErrorKind::Malformed);
}

TEST(Decoder, Exports) {
  auto module = [](const Bytes& exports) {
    return cat({header(), kTypeVoid, kFuncOne, section(4, {0x01, 0x70, 0x00, 0x00}), kMemOne,
                section(6, {0x01, 0x7f, 0x00, 0x41, 0x00, 0x0b}), section(7, exports),
                kCodeOneEmpty});
  };
  Decoded d = decode(module(cat({{0x04},
                                 name("f"),
                                 {0x00, 0x00},
                                 name("t"),
                                 {0x01, 0x00},
                                 name("m"),
                                 {0x02, 0x00},
                                 name("g"),
                                 {0x03, 0x00}})));
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d.module->find_export("g")->kind, ExternKind::Global);
  EXPECT_TRUE(fails_with(module(cat({{0x02}, name("a"), {0x00, 0x00}, name("a"), {0x03, 0x00}})),
                         ErrorKind::Invalid, "duplicate export name"));
  EXPECT_TRUE(fails_with(
      module(
          cat({{0x03}, name("b"), {0x00, 0x00}, name("a"), {0x00, 0x00}, name("b"), {0x02, 0x00}})),
      ErrorKind::Invalid, "duplicate export name"));
  EXPECT_TRUE(fails_with(module(cat({{0x01}, name("f"), {0x00, 0x01}})), ErrorKind::Invalid,
                         "unknown function 1"));
  EXPECT_TRUE(fails_with(module(cat({{0x01}, name("t"), {0x01, 0x01}})), ErrorKind::Invalid,
                         "unknown table"));
  EXPECT_TRUE(fails_with(module(cat({{0x01}, name("m"), {0x02, 0x01}})), ErrorKind::Invalid,
                         "unknown memory"));
  EXPECT_TRUE(fails_with(module(cat({{0x01}, name("g"), {0x03, 0x01}})), ErrorKind::Invalid,
                         "unknown global"));
  EXPECT_TRUE(fails_with(module(cat({{0x01}, name("x"), {0x05, 0x00}})), ErrorKind::Malformed,
                         "malformed export kind"));
  // Two exports declared, one given: the second name's length runs past the module.
  EXPECT_TRUE(fails_with(cat({header(),
                              kTypeVoid,
                              section(3, {0x02, 0x00, 0x00}),
                              {0x07, 0x06, 0x02, 0x02, 'f', '1', 0x00, 0x00},
                              section(10, {0x02, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b})}),
                         ErrorKind::Malformed, "length out of bounds"));
}

TEST(Decoder, Start) {
  const Bytes type_i32 = section(1, {0x02, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7f, 0x00});
  EXPECT_TRUE(decode(cat({header(), kTypeVoid, kFuncOne, section(8, {0x00}), kCodeOneEmpty})).ok());
  EXPECT_TRUE(fails_with(cat({header(), kTypeVoid, kFuncOne, section(8, {0x01}), kCodeOneEmpty}),
                         ErrorKind::Invalid, "unknown function"));
  EXPECT_TRUE(fails_with(
      cat({header(), type_i32, section(3, {0x01, 0x01}), section(8, {0x00}), kCodeOneEmpty}),
      ErrorKind::Invalid, "start function"));
  EXPECT_TRUE(fails_with(
      cat({header(), kTypeVoid, kFuncOne, section(8, {0x00}), section(8, {0x00}), kCodeOneEmpty}),
      ErrorKind::Malformed, "unexpected content after last section"));
}

Bytes elem_module(const Bytes& elems, ValType table = ValType::FuncRef) {
  return cat({header(), kTypeVoid, kFuncOne,
              section(4, {0x01, static_cast<uint8_t>(table), 0x00, 0x01}), section(9, elems),
              kCodeOneEmpty});
}

TEST(Decoder, ElementSegments) {
  // All eight forms.
  Decoded d =
      decode(elem_module({0x08, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x00,                          // 0
                          0x01, 0x00, 0x01, 0x00,                                            // 1
                          0x02, 0x00, 0x41, 0x00, 0x0b, 0x00, 0x01, 0x00,                    // 2
                          0x03, 0x00, 0x01, 0x00,                                            // 3
                          0x04, 0x41, 0x00, 0x0b, 0x02, 0xd2, 0x00, 0x0b, 0xd0, 0x70, 0x0b,  // 4
                          0x05, 0x6f, 0x01, 0xd0, 0x6f, 0x0b,                                // 5
                          0x06, 0x00, 0x41, 0x00, 0x0b, 0x70, 0x01, 0xd2, 0x00, 0x0b,        // 6
                          0x07, 0x70, 0x01, 0xd2, 0x00, 0x0b}));                             // 7
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  const auto& e = d.module->elems;
  ASSERT_EQ(e.size(), 8u);
  const SegmentMode modes[] = {SegmentMode::Active, SegmentMode::Passive, SegmentMode::Active,
                               SegmentMode::Declarative};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(e[i].mode, modes[i % 4]) << i;
  EXPECT_EQ(e[4].num_items, 2u);
  EXPECT_EQ(d.module->items_of(e[4])[0].kind, ConstExpr::Kind::RefFunc);
  EXPECT_EQ(d.module->items_of(e[4])[1].kind, ConstExpr::Kind::RefNull);
  EXPECT_EQ(e[5].type, ValType::ExternRef);
  EXPECT_EQ(d.module->declared_refs, std::vector<uint8_t>{1});

  EXPECT_TRUE(fails_with(elem_module({0x01, 0x08}), ErrorKind::Malformed,
                         "malformed elements segment kind"));
  EXPECT_TRUE(fails_with(elem_module({0x01, 0x01, 0x01, 0x00}), ErrorKind::Malformed,
                         "malformed element kind"));
  EXPECT_TRUE(fails_with(elem_module({0x01, 0x05, 0x7f, 0x00}), ErrorKind::Malformed,
                         "malformed reference type"));
  EXPECT_TRUE(fails_with(elem_module({0x01, 0x02, 0x01, 0x41, 0x00, 0x0b, 0x00, 0x00}),
                         ErrorKind::Invalid, "unknown table 1"));
  EXPECT_TRUE(
      fails_with(elem_module({0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x00}, ValType::ExternRef),
                 ErrorKind::Invalid, "type mismatch"));
  EXPECT_TRUE(fails_with(elem_module({0x01, 0x00, 0x42, 0x00, 0x0b, 0x00}), ErrorKind::Invalid,
                         "type mismatch"));
  EXPECT_TRUE(fails_with(elem_module({0x01, 0x01, 0x00, 0x01, 0x07}), ErrorKind::Invalid,
                         "unknown function 7"));
  EXPECT_TRUE(fails_with(elem_module({0x01, 0x05, 0x70, 0x01, 0xd0, 0x6f, 0x0b}),
                         ErrorKind::Invalid, "type mismatch"));
  EXPECT_TRUE(fails_with(elem_module({0x01, 0x05, 0x70, 0x01, 0x01, 0x0b}), ErrorKind::Invalid,
                         "constant expression required"));
  // An active segment needs a table.
  EXPECT_TRUE(fails_with(cat({header(), kTypeVoid, kFuncOne,
                              section(9, {0x01, 0x00, 0x41, 0x00, 0x0b, 0x00}), kCodeOneEmpty}),
                         ErrorKind::Invalid, "unknown table"));
}

TEST(Decoder, DataSegments) {
  Decoded d = decode(cat({header(), kMemOne, section(12, {0x03}),
                          section(11, {0x03, 0x00, 0x41, 0x00, 0x0b, 0x01, 'a', 0x01, 0x00, 0x02,
                                       0x00, 0x41, 0x01, 0x0b, 0x02, 'b', 'c'})}));
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d.module->datas.size(), 3u);
  EXPECT_EQ(d.module->datas[1].data_size, 0u);
  EXPECT_EQ(d.module->datas[2].offset.value, Value::i32(1));

  EXPECT_TRUE(fails_with(cat({header(), section(11, {0x01, 0x00, 0x41, 0x00, 0x0b, 0x00})}),
                         ErrorKind::Invalid, "unknown memory 0"));
  EXPECT_TRUE(
      fails_with(cat({header(), kMemOne, section(11, {0x01, 0x02, 0x01, 0x41, 0x00, 0x0b, 0x00})}),
                 ErrorKind::Invalid, "unknown memory 1"));
  EXPECT_TRUE(fails_with(cat({header(), kMemOne, section(11, {0x01, 0x03, 0x00})}),
                         ErrorKind::Malformed, "malformed data segment kind"));
  EXPECT_TRUE(
      fails_with(cat({header(), kMemOne, section(11, {0x01, 0x00, 0x42, 0x00, 0x0b, 0x00})}),
                 ErrorKind::Invalid, "type mismatch"));
  EXPECT_TRUE(
      fails_with(cat({header(), kMemOne, section(12, {0x02}), section(11, {0x01, 0x01, 0x00})}),
                 ErrorKind::Malformed, "data count and data section have inconsistent lengths"));
  EXPECT_TRUE(fails_with(cat({header(), kMemOne, section(12, {0x01})}), ErrorKind::Malformed,
                         "data count and data section have inconsistent lengths"));
  EXPECT_TRUE(decode(cat({header(), section(12, {0x00})})).ok());
  // Seven bytes declared, six given, at the end of the module.
  EXPECT_TRUE(fails_with(
      cat({header(), kMemOne, {0x0b, 0x0c, 0x01, 0x00, 0x41, 0x03, 0x0b, 0x07}, Bytes(6, 'a')}),
      ErrorKind::Malformed, "unexpected end of section or function"));
}

TEST(Reader, Utf8) {
  auto valid = [](std::initializer_list<uint8_t> b) {
    const Bytes v(b);
    return is_valid_utf8(v.data(), v.size());
  };
  EXPECT_TRUE(valid({}));
  EXPECT_TRUE(valid({'a', 'b', 0x7f}));
  EXPECT_TRUE(valid({0xc2, 0x80}));               // U+0080
  EXPECT_TRUE(valid({0xe2, 0x82, 0xac}));         // €
  EXPECT_TRUE(valid({0xed, 0x9f, 0xbf}));         // U+D7FF
  EXPECT_TRUE(valid({0xee, 0x80, 0x80}));         // U+E000
  EXPECT_TRUE(valid({0xf0, 0x9d, 0x84, 0x9e}));   // 𝄞
  EXPECT_TRUE(valid({0xf4, 0x8f, 0xbf, 0xbf}));   // U+10FFFF
  EXPECT_FALSE(valid({0x80}));                    // stray continuation
  EXPECT_FALSE(valid({0xc0, 0x80}));              // overlong NUL
  EXPECT_FALSE(valid({0xc1, 0xbf}));              // overlong
  EXPECT_FALSE(valid({0xe0, 0x9f, 0xbf}));        // overlong
  EXPECT_FALSE(valid({0xf0, 0x8f, 0xbf, 0xbf}));  // overlong
  EXPECT_FALSE(valid({0xed, 0xa0, 0x80}));        // U+D800
  EXPECT_FALSE(valid({0xed, 0xbf, 0xbf}));        // U+DFFF
  EXPECT_FALSE(valid({0xf4, 0x90, 0x80, 0x80}));  // U+110000
  EXPECT_FALSE(valid({0xf8, 0x88, 0x80, 0x80, 0x80}));
  EXPECT_FALSE(valid({0xff}));
  EXPECT_FALSE(valid({0xe2, 0x82}));             // truncated
  EXPECT_FALSE(valid({0xe2, 0x28, 0xac}));       // bad continuation
  EXPECT_FALSE(valid({'a', 0xf0, 0x9d, 0x84}));  // truncated at the end
}

TEST(Reader, Names) {
  const Bytes ok{0x03, 'a', 'b', 'c', 0xff};
  Reader r(ok.data(), 0, ok.size());
  std::string s;
  ASSERT_TRUE(r.name(&s, 3));
  EXPECT_EQ(s, "abc");
  EXPECT_EQ(r.pos(), 4u);

  Reader r2(ok.data(), 0, ok.size());
  EXPECT_FALSE(r2.name(&s, 2));
  EXPECT_EQ(r2.error().kind, ErrorKind::LimitExceeded);

  const Bytes long_len{0x09, 'a', 'b'};
  Reader r3(long_len.data(), 0, long_len.size());
  EXPECT_FALSE(r3.name(&s, 100));
  EXPECT_EQ(r3.error().message, "length out of bounds");

  const Bytes bad{0x02, 0xc3, 0x28};
  Reader r4(bad.data(), 0, bad.size());
  EXPECT_FALSE(r4.name(&s, 100));
  EXPECT_EQ(r4.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(r4.error().message, "malformed UTF-8 encoding");
  EXPECT_EQ(r4.error().offset, 0u);
}

TEST(Names, OpcodeFeatures) {
  EXPECT_STREQ(unsupported_feature_of_opcode(0xfd), "SIMD");
  EXPECT_STREQ(unsupported_feature_of_opcode(0xfb), "garbage collection");
  EXPECT_STREQ(unsupported_feature_of_opcode(0xfe), "threads");
  for (uint8_t b : {0x06, 0x07, 0x08, 0x09, 0x0a, 0x18, 0x19, 0x1f})
    EXPECT_STREQ(unsupported_feature_of_opcode(b), "exception handling") << int(b);
  EXPECT_STREQ(unsupported_feature_of_opcode(0x12), "tail calls");
  EXPECT_STREQ(unsupported_feature_of_opcode(0x13), "tail calls");
  for (uint8_t b : {0x14, 0x15, 0xd3, 0xd4, 0xd5, 0xd6})
    EXPECT_STREQ(unsupported_feature_of_opcode(b), "typed function references") << int(b);
  // Every Wasm 2.0 opcode is supported.
  for (int b = 0; b < 256; ++b) {
    if (kSingleByteOps[b] != kNoOpcode || b == 0xfc) {
      EXPECT_EQ(unsupported_feature_of_opcode(static_cast<uint8_t>(b)), nullptr) << b;
    }
  }
  EXPECT_EQ(unsupported_feature_of_opcode(0x27), nullptr);
}

TEST(Names, TypesTrapsErrors) {
  EXPECT_STREQ(val_type_name(ValType::I32), "i32");
  EXPECT_STREQ(val_type_name(ValType::F64), "f64");
  EXPECT_STREQ(val_type_name(ValType::V128), "v128");
  EXPECT_STREQ(val_type_name(ValType::FuncRef), "funcref");
  EXPECT_STREQ(val_type_name(ValType::ExternRef), "externref");
  EXPECT_STREQ(trap_message(TrapKind::Unreachable), "unreachable");
  EXPECT_STREQ(trap_message(TrapKind::MemoryOutOfBounds), "out of bounds memory access");
  EXPECT_STREQ(trap_message(TrapKind::TableOutOfBounds), "out of bounds table access");
  EXPECT_STREQ(trap_message(TrapKind::UndefinedElement), "undefined element");
  EXPECT_STREQ(trap_message(TrapKind::UninitializedElement), "uninitialized element");
  EXPECT_STREQ(trap_message(TrapKind::IndirectCallTypeMismatch), "indirect call type mismatch");
  EXPECT_STREQ(trap_message(TrapKind::IntegerDivideByZero), "integer divide by zero");
  EXPECT_STREQ(trap_message(TrapKind::IntegerOverflow), "integer overflow");
  EXPECT_STREQ(trap_message(TrapKind::InvalidConversionToInteger), "invalid conversion to integer");
  EXPECT_STREQ(trap_message(TrapKind::CallStackExhausted), "call stack exhausted");
  EXPECT_STREQ(trap_message(TrapKind::OutOfGas), "out of gas");
  EXPECT_STREQ(trap_message(TrapKind::HostError), "host error");
  EXPECT_STREQ(error_kind_name(ErrorKind::Malformed), "malformed");
  EXPECT_STREQ(error_kind_name(ErrorKind::LimitExceeded), "limit exceeded");
  EXPECT_STREQ(extern_kind_name(ExternKind::Memory), "memory");
  Error e{ErrorKind::Invalid, 0x1f, "type mismatch", TrapKind::None};
  EXPECT_EQ(e.to_string(), "invalid module at offset 0x1f: type mismatch");
  Error u{ErrorKind::Unlinkable, 0, "unknown import env.f", TrapKind::None};
  EXPECT_EQ(u.to_string(), "unlinkable: unknown import env.f");
}

std::filesystem::path shared_dir() {
#ifdef WVM_SHARED_DIR
  return WVM_SHARED_DIR;
#else
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / ".." /
         "shared";
#endif
}

TEST(Decoder, RealContracts) {
  const std::filesystem::path dir = shared_dir() / "contracts" / "cosmwasm";
  if (!std::filesystem::is_directory(dir))
    GTEST_SKIP() << "contracts not found at " << dir << " (the shared/ folder is absent)";
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".wasm") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Decoded d = decode(bytes);
    // corrupted.wasm's defect is inside a function body, which this decoder does not read.
    ASSERT_TRUE(d.ok()) << entry.path() << ": " << d.error().to_string();
    const Module& m = *d.module;
    EXPECT_EQ(m.memories.size(), 1u) << entry.path();
    EXPECT_EQ(m.bodies.size(), m.num_funcs() - m.num_imported_funcs) << entry.path();
    for (const Import& imp : m.imports) EXPECT_EQ(imp.module, "env") << entry.path();
    ++count;
  }
  EXPECT_GE(count, 7);
}

}  // namespace
}  // namespace wvm
