// Tier-0 preparation: an Interface of the validating decoder that lowers
// each reachable instruction to register-machine code (tier0-interp/code.h)
// in the same single pass.
//
// The builder keeps, for each operand on the validator's stack, where its
// value is (a "provider"): in its home slot, still in a local (a
// `local.get` not yet copied anywhere), or a constant. Instructions read
// their operands where they are and write their result to its home slot;
// a `local.set` right after the instruction that computed its value
// rewrites that instruction's destination instead of copying. A compare
// followed by `br_if` or `if` becomes one compare-and-branch.
//
// Invariants the lowering keeps:
//  - a home slot is read only by the operand that owns it;
//  - at the start of a block, loop or if, every operand is in its home
//    slot: a branch may skip the copy a later `local.set` makes of an
//    operand still in a local, and on-stack replacement enters tier 1 at a
//    loop header with the frame as tier 1 lays it out; the values a label
//    expects are in their home slots whenever it is reached;
//  - nothing is fused across a label (`barrier_`).
#include <algorithm>
#include <array>
#include <memory>

#include "exec/instance_layout.h"
#include "module/site_table.h"
#include "module/thread_storage.h"
#include "module/validator.h"
#include "metering/cost_model.h"
#include "tier0-interp/code.h"
#include "tier0-interp/interp.h"

namespace wvm {

constexpr uint8_t kIOpWords[kNumIOps] = {
#define WVM_SPECIAL(name, pfx, code, text, flags)
#define WVM_LOAD(name, pfx, code, text, vt, mt, align) 3,
#define WVM_STORE(name, pfx, code, text, vt, mt, align) 3,
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags) 2,
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags) 3,
#include "module/opcodes.def"
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
#define WVM_LOAD(name, pfx, code, text, vt, mt, align)
#define WVM_STORE(name, pfx, code, text, vt, mt, align)
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags)
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags) 3,
#include "module/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
#define WVM_ACC_LOAD(name, pfx, code, text, vt, mt, align) 3, 3, 3, 3, 3,
#define WVM_ACC_STORE(name, pfx, code, text, vt, mt, align) 3, 3, 3, 3, 3, 3,
#define WVM_ACC_UNARY(name, pfx, code, text, in, out, impl, flags) 2, 2, 2,
#define WVM_ACC_BINARY(name, pfx, code, text, in, out, impl, flags) 3, 3, 3, 3, 3, 3, 3, 3,
#include "tier0-interp/acc_forms.def"
#undef WVM_ACC_LOAD
#undef WVM_ACC_STORE
#undef WVM_ACC_UNARY
#undef WVM_ACC_BINARY
#define WVM_IOP(name, words) words,
#define WVM_CTL(name, words)
#include "tier0-interp/iops.def"
#undef WVM_IOP
#undef WVM_CTL
#define WVM_FUSED(name, x, x_impl, x_right, y, y_impl, y_side, y_other) 4, 4,
#include "tier0-interp/fused.def"
#undef WVM_FUSED
#define WVM_ADD_BRANCH(add, branch) 3,
#define WVM_BRCMP(name, type, op, neg, mirror) WVM_ADD_BRANCH_FORMS(name, type, WVM_ADD_BRANCH)
#include "tier0-interp/brcmp.def"
#undef WVM_BRCMP
#undef WVM_ADD_BRANCH
#define WVM_IOP(name, words)
#define WVM_CTL(name, words) words,
#include "tier0-interp/iops.def"
#undef WVM_CTL
#define WVM_BRCMP(name, type, op, neg, mirror) 3, 3, 3, 3,
#include "tier0-interp/brcmp.def"
#define WVM_CTL(name, words) (words) == 0 ? 0 : (words) + 1,
#include "tier0-interp/iops.def"
#undef WVM_CTL
#undef WVM_BRCMP
#define WVM_BRCMP(name, type, op, neg, mirror) 4, 4, 4, 4,
#include "tier0-interp/brcmp.def"
#undef WVM_BRCMP
#undef WVM_IOP
};

namespace {

// The instructions a trace may name (they may trap, or they call): one
// table load per emitted instruction while preparing.
constexpr std::array<bool, kNumIOps> kAtSite = [] {
  std::array<bool, kNumIOps> t{};
  for (IOp op : {IOp::Unreachable, IOp::Call, IOp::CallIndirect, IOp::TableGet, IOp::TableSet,
                 IOp::MemoryInit, IOp::MemoryCopy, IOp::MemoryFill, IOp::TableInit,
                 IOp::TableCopy, IOp::TableFill, IOp::Gas, IOp::GasPerUnit})
    t[static_cast<size_t>(op)] = true;
  for (size_t i = static_cast<size_t>(kFirstCharging); i < kNumIOps; ++i) t[i] = true;
#define WVM_SPECIAL(name, pfx, code, text, flags)
#define WVM_LOAD(name, pfx, code, text, vt, mt, align) t[static_cast<size_t>(IOp::name)] = true;
#define WVM_STORE(name, pfx, code, text, vt, mt, align) t[static_cast<size_t>(IOp::name)] = true;
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags) \
  t[static_cast<size_t>(IOp::name)] = ((flags) & kTraps) != 0;
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags) \
  t[static_cast<size_t>(IOp::name)] = t[static_cast<size_t>(IOp::name##C)] = ((flags) & kTraps) != 0;
#include "module/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
#define WVM_SITE(name, flags) t[static_cast<size_t>(IOp::name)] = ((flags) & kTraps) != 0;
#define WVM_ACC_LOAD(name, pfx, code, text, vt, mt, align)                             \
  WVM_SITE(name##_A, kTraps) WVM_SITE(name##A, kTraps) WVM_SITE(name##A_A, kTraps) \
  WVM_SITE(name##P, kTraps) WVM_SITE(name##P_A, kTraps)
#define WVM_ACC_STORE(name, pfx, code, text, vt, mt, align)                         \
  WVM_SITE(name##A, kTraps) WVM_SITE(name##sA, kTraps) WVM_SITE(name##C, kTraps) \
  WVM_SITE(name##AC, kTraps) WVM_SITE(name##P, kTraps) WVM_SITE(name##PC, kTraps)
#define WVM_ACC_UNARY(name, pfx, code, text, in, out, impl, flags) \
  WVM_SITE(name##_A, flags) WVM_SITE(name##A, flags) WVM_SITE(name##A_A, flags)
#define WVM_ACC_BINARY(name, pfx, code, text, in, out, impl, flags)                         \
  WVM_SITE(name##_A, flags) WVM_SITE(name##C_A, flags) WVM_SITE(name##As, flags)           \
  WVM_SITE(name##As_A, flags) WVM_SITE(name##Ac, flags) WVM_SITE(name##Ac_A, flags)        \
  WVM_SITE(name##sA, flags) WVM_SITE(name##sA_A, flags)
#include "tier0-interp/acc_forms.def"
#undef WVM_ACC_LOAD
#undef WVM_ACC_STORE
#undef WVM_ACC_UNARY
#undef WVM_ACC_BINARY
#undef WVM_SITE
  return t;
}();

// The form of each instruction that writes the accumulator with its result
// going to the slot instead (the same words): IOp::Count for the others.
constexpr std::array<IOp, kNumIOps> kSpilled = [] {
  std::array<IOp, kNumIOps> t{};
  for (IOp& op : t) op = IOp::Count;
#define WVM_TWIN(acc, slot) t[static_cast<size_t>(IOp::acc)] = IOp::slot;
#define WVM_ACC_LOAD(name, pfx, code, text, vt, mt, align) \
  WVM_TWIN(name##_A, name) WVM_TWIN(name##A_A, name##A) WVM_TWIN(name##P_A, name##P)
#define WVM_ACC_STORE(name, pfx, code, text, vt, mt, align)
#define WVM_ACC_UNARY(name, pfx, code, text, in, out, impl, flags) \
  WVM_TWIN(name##_A, name) WVM_TWIN(name##A_A, name##A)
#define WVM_ACC_BINARY(name, pfx, code, text, in, out, impl, flags)                        \
  WVM_TWIN(name##_A, name) WVM_TWIN(name##C_A, name##C) WVM_TWIN(name##As_A, name##As)    \
  WVM_TWIN(name##Ac_A, name##Ac) WVM_TWIN(name##sA_A, name##sA)
#include "tier0-interp/acc_forms.def"
#undef WVM_ACC_LOAD
#undef WVM_ACC_STORE
#undef WVM_ACC_UNARY
#undef WVM_ACC_BINARY
#define WVM_FUSED(name, x, x_impl, x_right, y, y_impl, y_side, y_other) WVM_TWIN(name##_A, name)
#include "tier0-interp/fused.def"
#undef WVM_FUSED
  WVM_TWIN(I32XorRotlC_A, I32XorRotlC)
  WVM_TWIN(I64XorRotlC_A, I64XorRotlC)
  WVM_TWIN(I32RotlXorC_A, I32RotlXorC)
  WVM_TWIN(I64RotlXorC_A, I64RotlXorC)
#undef WVM_TWIN
  return t;
}();

// An operator's forms by where its operands and result are (acc_forms.def):
// IOp::Count where it has none.
struct Forms {
  IOp s = IOp::Count, s_a = IOp::Count;    // operand(s) in slots
  IOp c = IOp::Count, c_a = IOp::Count;    // binary: right operand a constant
  IOp a = IOp::Count, a_a = IOp::Count;    // (left) operand in the accumulator
  IOp ac = IOp::Count, ac_a = IOp::Count;  // binary: accumulator op constant
  IOp sa = IOp::Count, sa_a = IOp::Count;  // binary: right operand in it; store: value in it
  IOp p = IOp::Count, p_a = IOp::Count;    // load, store: address a slot plus a constant
  IOp pc = IOp::Count;                     // store: that, and a constant value
  // Store: a constant value (c), with the address in the accumulator (ac).
};
constexpr Forms forms_row(Opcode op) {
  Forms f;
  switch (op) {
#define WVM_SPECIAL(name, pfx, code, text, flags)
#define WVM_LOAD(name, pfx, code, text, vt, mt, align) \
  case Opcode::name:                                    \
    f.s = IOp::name;                                    \
    break;
#define WVM_STORE(name, pfx, code, text, vt, mt, align) \
  case Opcode::name:                                     \
    f.s = IOp::name;                                     \
    break;
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags) \
  case Opcode::name:                                            \
    f.s = IOp::name;                                            \
    break;
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags) \
  case Opcode::name:                                             \
    f.s = IOp::name;                                             \
    f.c = IOp::name##C;                                          \
    break;
#include "module/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
    default:
      break;
  }
  switch (op) {
#define WVM_ACC_LOAD(name, pfx, code, text, vt, mt, align) \
  case Opcode::name:                                        \
    f.s_a = IOp::name##_A;                                  \
    f.a = IOp::name##A;                                     \
    f.a_a = IOp::name##A_A;                                 \
    f.p = IOp::name##P;                                     \
    f.p_a = IOp::name##P_A;                                 \
    break;
#define WVM_ACC_STORE(name, pfx, code, text, vt, mt, align) \
  case Opcode::name:                                         \
    f.a = IOp::name##A;                                      \
    f.sa = IOp::name##sA;                                    \
    f.c = IOp::name##C;                                      \
    f.ac = IOp::name##AC;                                    \
    f.p = IOp::name##P;                                      \
    f.pc = IOp::name##PC;                                    \
    break;
#define WVM_ACC_UNARY(name, pfx, code, text, in, out, impl, flags) \
  case Opcode::name:                                                \
    f.s_a = IOp::name##_A;                                          \
    f.a = IOp::name##A;                                             \
    f.a_a = IOp::name##A_A;                                         \
    break;
#define WVM_ACC_BINARY(name, pfx, code, text, in, out, impl, flags) \
  case Opcode::name:                                                 \
    f.s_a = IOp::name##_A;                                           \
    f.c_a = IOp::name##C_A;                                          \
    f.a = IOp::name##As;                                             \
    f.a_a = IOp::name##As_A;                                         \
    f.ac = IOp::name##Ac;                                            \
    f.ac_a = IOp::name##Ac_A;                                        \
    f.sa = IOp::name##sA;                                            \
    f.sa_a = IOp::name##sA_A;                                        \
    break;
#include "tier0-interp/acc_forms.def"
#undef WVM_ACC_LOAD
#undef WVM_ACC_STORE
#undef WVM_ACC_UNARY
#undef WVM_ACC_BINARY
    default:
      break;
  }
  return f;
}

constexpr std::array<Forms, kNumOpcodes> kForms = [] {
  std::array<Forms, kNumOpcodes> t{};
  for (size_t i = 0; i < kNumOpcodes; ++i) t[i] = forms_row(static_cast<Opcode>(i));
  return t;
}();
inline const Forms& forms_of(Opcode op) { return kForms[static_cast<size_t>(op)]; }

constexpr IOp shifted(IOp op, int by) { return static_cast<IOp>(static_cast<int>(op) + by); }

// The add-and-branch form of each branch (brcmp.def): [0] with I32Add in
// front, [1] with I32AddC; IOp::Count where there is none.
constexpr std::array<std::array<IOp, 2>, kNumIOps> kAddBranch = [] {
  std::array<std::array<IOp, 2>, kNumIOps> t{};
  for (auto& row : t) row = {IOp::Count, IOp::Count};
#define WVM_ADD_BRANCH(add, branch) \
  t[static_cast<size_t>(IOp::branch)][IOp::add == IOp::I32Add ? 0 : 1] = IOp::add##_##branch;
#define WVM_BRCMP(name, type, op, neg, mirror) WVM_ADD_BRANCH_FORMS(name, type, WVM_ADD_BRANCH)
#include "tier0-interp/brcmp.def"
#undef WVM_BRCMP
#undef WVM_ADD_BRANCH
  return t;
}();

// Integer operators whose operands may be swapped (a constant on the left
// moves right). Never a float operator: which NaN comes out may depend on
// the order.
bool commutes(Opcode op) {
  switch (op) {
    case Opcode::I32Add: case Opcode::I32Mul: case Opcode::I32And: case Opcode::I32Or:
    case Opcode::I32Xor: case Opcode::I64Add: case Opcode::I64Mul: case Opcode::I64And:
    case Opcode::I64Or: case Opcode::I64Xor:
      return true;
    default:
      return false;
  }
}

// The fused operator pairs (fused.def): X's form that writes the
// accumulator, then Y with that value on its left (or right) and a slot or
// constant as its other operand.
struct FusedRow {
  IOp x_form;
  Opcode y;
  bool y_left;
  bool y_const;
  IOp to_slot, to_acc;
};
constexpr FusedRow kFused[] = {
#define WVM_FUSED_XFORM_S(x) IOp::x##_A
#define WVM_FUSED_XFORM_C(x) IOp::x##C_A
#define WVM_FUSED(name, x, x_impl, x_right, y, y_impl, y_side, y_other)                   \
  {WVM_FUSED_XFORM_##x_right(x), Opcode::y, #y_side[0] == 'L', #y_other[0] == 'C', IOp::name, \
   IOp::name##_A},
#include "tier0-interp/fused.def"
#undef WVM_FUSED
#undef WVM_FUSED_XFORM_S
#undef WVM_FUSED_XFORM_C
};
// Whether an IOp is the X form of some fused pair: one load for the
// instructions that are not.
constexpr std::array<bool, kNumIOps> kFusedX = [] {
  std::array<bool, kNumIOps> t{};
  for (const FusedRow& r : kFused) t[static_cast<size_t>(r.x_form)] = true;
  return t;
}();

// A compare fused with its branch: the forward form of the operation, taken
// when the compare holds (brcmp.def), Unreachable if `op` does not fuse.
struct CmpRow {
  IOp branch = IOp::Unreachable;
  Opcode negated = Opcode::Unreachable;
  Opcode mirrored = Opcode::Unreachable;
};
constexpr CmpRow cmp_row_of(Opcode op) {
  switch (op) {
#define WVM_BRCMP(name, type, cop, neg, mirror) \
  case Opcode::name:                            \
    return {IOp::BrIf##name, Opcode::neg, Opcode::mirror};
#include "tier0-interp/brcmp.def"
#undef WVM_BRCMP
    default:
      return {};
  }
}
constexpr std::array<CmpRow, kNumOpcodes> kCmpRows = [] {
  std::array<CmpRow, kNumOpcodes> t{};
  for (size_t i = 0; i < kNumOpcodes; ++i) t[i] = cmp_row_of(static_cast<Opcode>(i));
  return t;
}();
inline const CmpRow& cmp_row(Opcode op) { return kCmpRows[static_cast<size_t>(op)]; }

// Where an operand's value is.
struct Prov {
  // kAcc: computed by the last instruction into the accumulator; its home
  // slot is where it goes if the next instruction cannot take it there.
  enum Kind : uint8_t { kHome, kLocal, kConst, kAcc };
  Kind kind = kHome;
  uint32_t slot = 0;  // kHome, kLocal, kAcc (its home)
  uint64_t bits = 0;  // kConst
};

// A branch condition: the forward form of a one-operand branch (a: the
// slot; Br: none) or of a fused compare (a, b: slots; with C: b a constant).
struct Cond {
  IOp op = IOp::Br;
  Opcode cmp = Opcode::Unreachable;  // the fused compare, to negate it
  uint32_t a = 0;
  uint64_t b = 0;
};

struct Fixup {
  uint32_t word;  // the word whose high half is the offset
  uint32_t base;  // the position the offset counts from
};

struct BuilderStorage {
  std::vector<Prov> stack;
  std::vector<uint32_t> refs;
  std::vector<uint64_t> code;  // the function's code while it is built (size = capacity)
};

class Tier0Builder : public ValidateOnly {
 public:
  struct ControlData {
    uint32_t loop_start = 0;       // position of a loop's header
    Fixup else_fixup{UINT32_MAX, 0};  // the `if`'s branch to its else
    std::vector<Fixup> fixups;     // forward branches to patch at `end`
  };
  using D = FunctionDecoder<Tier0Builder>;
  using Frame = D::Frame;

  Tier0Builder(FuncCode& out, const Module& module, BuilderStorage& storage)
      : out_(out),
        st_(storage.stack),
        buf_(storage.code),
        handlers_(interp_handlers(module.bounds)),
        layout_(InstanceLayout::of(module)),
        metering_(module.metering.enabled),
        profile_(module.metering.profile),
        refs_(storage.refs) {
    st_.clear();
    refs_.clear();
  }

  // Metering (metering/cost_model.h): every operator's cost joins the run;
  // a reachable accounting operator is preceded by the charge for the run.
  [[gnu::always_inline]] void on_opcode(D& d, Opcode op, bool reachable) {
    op_offset_ = static_cast<uint32_t>(d.op_offset());
    if (metering_) meter(d, op, reachable);
  }
  [[gnu::noinline]] void meter(D& d, Opcode op, bool reachable) {
    flush_gas();  // never left over: each accounting operator emits or flushes its charge
    op_offset_ = static_cast<uint32_t>(d.op_offset());  // after: that charge was the last one's
    if (const uint64_t entry = run_.take_entry_charge(op)) {
      pending_gas_ = entry;  // the body's first instruction: no label can precede it
      flush_gas();
    }
    run_.add(operator_cost(profile_, op));
    if (is_accounting(op)) {
      const uint64_t charge = run_.take();
      // Emitted with the instruction this operator lowers to (fused when it
      // is a control operation), or alone before a label: see emit().
      if (reachable && charge != 0) pending_gas_ = charge;
    }
    if (!reachable) return;
    // Work proportional to an operand: charged when it runs, from the count
    // on top of the stack (every one of these takes its count last).
    uint64_t rate = 0;
    switch (op) {
      case Opcode::MemoryGrow: rate = profile_.memory_grow_per_page; break;
      case Opcode::MemoryCopy:
      case Opcode::MemoryFill:
      case Opcode::MemoryInit: rate = profile_.bulk_memory_per_byte; break;
      case Opcode::TableCopy:
      case Opcode::TableFill:
      case Opcode::TableInit:
      case Opcode::TableGrow: rate = profile_.table_per_element; break;
      default: break;
    }
    if (rate != 0) {
      const uint32_t count = slot(top());
      emit(IOp::GasPerUnit);
      imm(count);
      imm(rate);
    }
  }

  void begin_function(D& d) {
    num_locals_ = static_cast<uint32_t>(d.locals().size());
    out_.num_locals = num_locals_;
    out_.num_params = static_cast<uint32_t>(d.func_type().params.size());
    out_.num_results = static_cast<uint32_t>(d.func_type().results.size());
    // About 0.7 code words per body byte on the contracts: reserving that
    // up front spares the copies of repeated growth on large functions
    // without holding much unused memory.
    const FunctionBody& body = d.module().bodies[d.func_index() - d.module().num_imported_funcs];
    reserve((body.body_end - body.body_start) * 3 / 4 + 16);
    if (metering_)
      run_.begin_function(locals_entry_cost(profile_, out_.num_locals - out_.num_params));
    // The declared locals among the first 64 start zero, until a label.
    const uint32_t first = std::min<uint32_t>(out_.num_params, 64);
    const uint32_t end = std::min<uint32_t>(num_locals_, 64);
    zero_locals_ = end == first ? 0 : (~uint64_t{0} >> (64 - (end - first))) << first;
  }
  void end_function(D& d) {
    out_.max_slots = num_locals_ + d.max_height() + 1;
    out_.code.assign(buf_.data(), buf_.data() + pos_);
  }

  void on_unreachable(D&) { emit(IOp::Unreachable); }

  void on_block(D&, Frame&) { settle_all(); }
  void on_loop(D&, Frame& f) {
    settle_all();
    zero_locals_ = 0;
    flush_gas();  // charged once on entry; back-edges land after it
    f.data.loop_start = pos();
    out_.loop_headers.push_back(pos());
    barrier_ = pos();
  }
  void on_if(D&, Frame& f) {
    Cond c = take_cond();
    settle_all();
    f.data.else_fixup = emit_cond_branch(negate(c), false, 0);
  }
  void on_else(D&, Frame& f) {
    if (!f.unreachable) {  // the then-branch falls through to the end
      settle_top(f.sig.num_results);
      f.data.fixups.push_back(emit_cond_branch(Cond{}, false, 0));
    }
    flush_gas();
    patch(f.data.else_fixup);
    f.data.else_fixup.word = UINT32_MAX;
    reset_to(f.height, f.sig.num_params);
  }
  void on_end(D& d, Frame& f) {
    if (d.control_depth() == 1) {  // the function's own end: no branch targets it
      if (!f.unreachable) emit_return();
      return;
    }
    if (!f.unreachable) settle_top(f.sig.num_results);
    zero_locals_ = 0;
    flush_gas();  // branches to this end land after the charge
    if (f.data.else_fixup.word != UINT32_MAX) patch(f.data.else_fixup);
    for (const Fixup& at : f.data.fixups) patch(at);
    barrier_ = pos();
    reset_to(f.height, f.sig.num_results);
  }

  void on_br(D& d, uint32_t depth) {
    if (depth == d.control_depth() - 1) return emit_return();
    Frame& t = d.control_at(depth);
    move_carried(t, h());
    emit_cond_branch(Cond{}, t.is_loop(), t.data.loop_start, &t);
  }
  void on_br_if(D& d, uint32_t depth) {
    Cond c = take_cond();
    const bool to_return = depth == d.control_depth() - 1;
    Frame& t = d.control_at(depth);
    if (!to_return && carried_in_place(t)) {
      emit_cond_branch(c, t.is_loop(), t.data.loop_start, &t);
      return;
    }
    // Taken only after moving what it carries: skip that when not taken.
    const Fixup skip = emit_cond_branch(negate(c), false, 0);
    if (to_return) {
      emit_return();
    } else {
      move_carried(t, h());
      emit_cond_branch(Cond{}, t.is_loop(), t.data.loop_start, &t);
    }
    patch(skip);
  }
  void on_br_table(D& d, const uint32_t* depths, uint32_t n) {
    const uint32_t index = slot(top());
    pop();
    const uint32_t keep = d.control_at(depths[0]).label_arity();
    settle_top(keep);
    const uint32_t base = emit(IOp::BrTable);
    imm(index | uint64_t{n - 1} << 32);
    imm((num_locals_ + h() - keep) | uint64_t{keep} << 32);
    for (uint32_t i = 0; i < n; ++i) {
      const bool to_return = depths[i] == d.control_depth() - 1;
      Frame& t = d.control_at(depths[i]);
      if (to_return) {
        // Through a return sequence after the table: its results come
        // from where the carried values are.
        returns_.push_back(Fixup{pos(), base});
        imm(num_locals_ + h() - keep);
      } else if (t.is_loop()) {
        imm((num_locals_ + t.height) | kBackEdgeBit | offset_to(t.data.loop_start, base));
      } else {
        t.data.fixups.push_back(Fixup{pos(), base});
        imm(num_locals_ + t.height);
      }
    }
    if (!returns_.empty()) {
      for (const Fixup& at : returns_) patch(at);
      returns_.clear();
      emit_return();
    }
  }
  void on_return(D&) { emit_return(); }

  // Functions, tables and globals are addressed by their byte offset in the
  // instance data block (exec/instance_layout.h).
  void on_call(D& d, uint32_t f) {
    const FuncType& ft = d.module().func_type(f);
    const uint32_t base = settled_args(static_cast<uint32_t>(ft.params.size()));
    emit(IOp::Call);
    imm(layout_.func(f) | uint64_t{base} << 32);
    push_results(static_cast<uint32_t>(ft.results.size()));
  }
  void on_call_indirect(D& d, uint32_t type_index, uint32_t table) {
    const uint32_t index = slot(top());
    pop();
    const FuncType& ft = d.module().types[type_index];
    const uint32_t base = settled_args(static_cast<uint32_t>(ft.params.size()));
    emit(IOp::CallIndirect);
    imm(d.module().type_ids[type_index] | uint64_t{layout_.table(table)} << 32);
    imm(index | uint64_t{base} << 32);
    push_results(static_cast<uint32_t>(ft.results.size()));
  }
  void on_drop(D&) { pop(); }
  void on_select(D&, ValType) {
    // A condition `x & c` computed into the accumulator just before: the
    // and and the select become one I32AndC_Select if nothing comes
    // between them, else the and writes its slot after all.
    const bool bit_test = st_[top()].kind == Prov::kAcc && acc_at_ == last_start_ &&
                          acc_op_ == IOp::I32AndC_A && last_end_ == pos() &&
                          last_start_ >= barrier_;
    const uint32_t test_at = last_start_;
    // The instruction before the and, if known.
    const uint32_t before_test = put_start_ == test_at ? prev_start_ : kNone;
    const uint32_t before_xor = put_start_ == test_at ? prev2_start_ : kNone;
    if (bit_test) take_acc(top());
    const uint32_t cond = bit_test ? st_[top()].slot : slot(top());
    const uint32_t b = slot(top() - 1);
    const uint32_t a = slot(top() - 2);
    pop();
    pop();
    pop();
    emit_dst(IOp::Select, push_home(), a);
    imm(b | uint64_t{cond} << 32);
    if (!bit_test) return;
    if (last_start_ != test_at + 3) {
      code()[test_at] = handler(IOp::I32AndC);
      return;
    }
    code()[test_at] = handler(IOp::I32AndC_Select);
    // An xor of a constant into `a` right before the and: all three as one.
    if (before_test == kNone || before_test + 3 != test_at ||
        code()[before_test] != handler(IOp::I32XorC) ||
        static_cast<uint32_t>(code()[before_test + 1]) != a)
      return;
    code()[before_test] = handler(IOp::I32XorC_AndC_Select);
    // And the shift and mask that computed the xor's operand and the
    // select's second one, into a slot the xor does not write: the whole
    // step as one, which reads the tested slot first (neither writes it).
    const uint64_t xor_word = code()[before_test + 1];
    if (before_xor == kNone || before_xor + 4 != before_test || before_xor < barrier_ ||
        code()[before_xor] != handler(IOp::I32ShrUCAndC))
      return;
    const uint32_t t = static_cast<uint32_t>(code()[before_xor + 1]);
    const uint32_t sum = static_cast<uint32_t>(xor_word);
    const uint32_t tested = static_cast<uint32_t>(code()[test_at + 1] >> 32);
    if (static_cast<uint32_t>(xor_word >> 32) == t && sum != t && b == t && tested != t &&
        tested != sum)
      code()[before_xor] = handler(IOp::I32ShrUCAndC_XorC_AndC_Select);
  }
  void on_local_get(D&, uint32_t x) {
    if (is_zero_local(x)) return st_.push_back(Prov{Prov::kConst, 0, 0});
    push_local(x);
  }
  void on_local_set(D&, uint32_t x) {
    const Prov v = st_.back();
    pop();
    store_local(x, v);
  }
  void on_local_tee(D&, uint32_t x) {
    const Prov v = st_.back();
    pop();
    if (store_local(x, v)) {
      push_local(x);  // the value now lives in x
    } else {
      st_.push_back(v);  // a constant
    }
  }
  void on_global_get(D&, uint32_t x) { emit_dst(IOp::GlobalGet, push_home(), layout_.global(x)); }
  void on_global_set(D&, uint32_t x) {
    const uint32_t v = slot(top());
    pop();
    emit(IOp::GlobalSet);
    imm(v | uint64_t{layout_.global(x)} << 32);
  }
  void on_table_get(D&, uint32_t x) {
    const uint32_t i = slot(top());
    pop();
    emit_dst(IOp::TableGet, push_home(), i);
    imm(layout_.table(x));
  }
  void on_table_set(D&, uint32_t x) {
    const uint32_t ref = slot(top());
    const uint32_t i = slot(top() - 1);
    pop();
    pop();
    emit(IOp::TableSet);
    imm(i | uint64_t{ref} << 32);
    imm(layout_.table(x));
  }
  void on_load(D&, Opcode op, MemArg m) {
    const Forms f = forms_of(op);
    if (uint32_t base, add; take_address_sum(top(), base, add)) {
      pop();
      emit_result(f.p, f.p_a, base);
      imm(m.offset | uint64_t{add} << 32);
      return;
    }
    if (take_acc(top())) {
      pop();
      emit_result(f.a, f.a_a, 0);
    } else {
      const uint32_t addr = slot(top());
      pop();
      emit_result(f.s, f.s_a, addr);
    }
    imm(m.offset);
  }
  void on_store(D&, Opcode op, MemArg m) {
    const Forms f = forms_of(op);
    const Prov value = st_[top()];
    // A constant the store can take from its operand word: one that fits
    // in 32 bits, or any one for a store of at most 4 bytes.
    const bool small = value.kind == Prov::kConst &&
                       (value.bits <= UINT32_MAX || op_info(op).mem_bytes <= 4);
    const bool value_in_slot = value.kind == Prov::kHome || value.kind == Prov::kLocal;
    if (uint32_t base, add;
        (small || value_in_slot) && take_address_sum(top() - 1, base, add)) {
      pop();
      pop();
      emit(small ? f.pc : f.p);
      imm(base | uint64_t{small ? static_cast<uint32_t>(value.bits) : value.slot} << 32);
      imm(m.offset | uint64_t{add} << 32);
      return;
    }
    if (small) {
      const bool in_acc = take_acc(top() - 1);
      const uint32_t addr = in_acc ? 0 : slot(top() - 1);
      pop();
      pop();
      emit(in_acc ? f.ac : f.c);
      imm(addr | uint64_t{static_cast<uint32_t>(value.bits)} << 32);
      imm(m.offset);
      return;
    }
    IOp form = f.s;
    uint32_t v = 0;
    uint32_t addr = 0;
    if (take_acc(top())) {
      form = f.sa;
      addr = slot(top() - 1);
    } else if (take_acc(top() - 1)) {
      form = f.a;
      v = slot(top());
    } else {
      v = slot(top());
      addr = slot(top() - 1);
    }
    pop();
    pop();
    emit(form);
    imm(addr | uint64_t{v} << 32);
    imm(m.offset);
  }
  void on_memory_size(D&) { emit_dst(IOp::MemorySize, push_home(), 0); }
  void on_memory_grow(D&) {
    emit(IOp::MemoryGrow, settled_args(1), 0);
    push_home();
  }
  void on_const(D&, Value v) { st_.push_back(Prov{Prov::kConst, 0, v.bits}); }
  void on_numeric(D&, Opcode op) {
    const OpInfo& info = op_info(op);
    if (info.shape == OpShape::Binary) return binary(op);
    const Forms f = forms_of(op);
    if (f.a != IOp::Count && take_acc(top())) {
      pop();
      emit_result(f.a, f.a_a, 0);
      return;
    }
    const uint32_t src = slot(top());
    pop();
    emit_result(f.s, f.s_a, src);
    if (op == Opcode::I32Eqz || op == Opcode::I64Eqz) {
      last_cmp_ = Cond{op == Opcode::I32Eqz ? IOp::BrEqz : IOp::BrEqz64, op, src, 0};
    }
  }
  void on_ref_null(D&, ValType) { st_.push_back(Prov{Prov::kConst, 0, 0}); }
  void on_ref_is_null(D&) {
    const uint32_t src = slot(top());
    pop();
    emit_dst(IOp::RefIsNull, push_home(), src);
  }
  void on_ref_func(D&, uint32_t f) { emit_dst(IOp::RefFunc, push_home(), layout_.func(f)); }
  void on_memory_init(D&, uint32_t seg) { emit(IOp::MemoryInit, settled_args(3), seg); }
  void on_data_drop(D&, uint32_t seg) { emit(IOp::DataDrop, seg, 0); }
  void on_memory_copy(D&) { emit(IOp::MemoryCopy, settled_args(3), 0); }
  void on_memory_fill(D&) { emit(IOp::MemoryFill, settled_args(3), 0); }
  void on_table_init(D&, uint32_t seg, uint32_t table) {
    // The table as an index: table_init() looks it up through the instance.
    emit(IOp::TableInit, settled_args(3), seg);
    imm(table);
  }
  void on_elem_drop(D&, uint32_t seg) { emit(IOp::ElemDrop, seg, 0); }
  void on_table_copy(D&, uint32_t dst, uint32_t src) {
    emit(IOp::TableCopy, settled_args(3), layout_.table(dst));
    imm(layout_.table(src));
  }
  void on_table_grow(D&, uint32_t x) {
    const uint32_t base = settled_args(2);
    emit(IOp::TableGrow, base, layout_.table(x));
    push_home();
  }
  void on_table_size(D&, uint32_t x) { emit_dst(IOp::TableSize, push_home(), layout_.table(x)); }
  void on_table_fill(D&, uint32_t x) { emit(IOp::TableFill, settled_args(3), layout_.table(x)); }

 private:
  // The code so far: words [0, pos_) of buf_, which always has room for
  // the longest instruction (and a charge before it) past pos_.
  uint64_t* code() { return buf_.data(); }
  const uint64_t* code() const { return buf_.data(); }
  uint32_t pos() const { return pos_; }
  static constexpr uint32_t kRoom = 8;
  void reserve(size_t words) {
    if (buf_.size() < words + kRoom) buf_.resize(words + kRoom);
  }
  uint32_t h() const { return static_cast<uint32_t>(st_.size()); }
  uint32_t top() const { return h() - 1; }
  uint32_t home(uint32_t i) const { return num_locals_ + i; }

  // --- Operands -----------------------------------------------------------

  [[gnu::always_inline]] void pop() {
    if (st_.back().kind == Prov::kLocal) refs_.pop_back();
    st_.pop_back();
    if (settled_below_ > h()) settled_below_ = h();
  }
  // An operand whose value is still in local x. At most kMaxRefs of them:
  // a local.set looks through them all.
  [[gnu::always_inline]] void push_local(uint32_t x) {
    refs_.push_back(h());
    st_.push_back(Prov{Prov::kLocal, x, 0});
    if (refs_.size() > kMaxRefs) [[unlikely]] {
      for (uint32_t i : refs_) settle(i);
      refs_.clear();
    }
  }
  static constexpr size_t kMaxRefs = 64;
  // Pushes a result computed into its home slot; returns that slot.
  [[gnu::always_inline]] uint32_t push_home() {
    const uint32_t s = home(h());
    st_.push_back(Prov{Prov::kHome, s, 0});
    return s;
  }
  void push_results(uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) push_home();
  }
  // The slot operand i can be read from: a constant goes to its home slot.
  [[gnu::always_inline]] uint32_t slot(uint32_t i) {
    if (st_[i].kind == Prov::kConst) settle(i);
    if (st_[i].kind == Prov::kAcc) spill();
    return st_[i].slot;
  }
  // Moves operand i to its home slot (if it is not there yet). The caller
  // drops i from refs_ if it was a local's.
  void settle(uint32_t i) {
    Prov& p = st_[i];
    if (p.kind == Prov::kAcc) spill();
    if (p.kind == Prov::kHome) return;
    move(home(i), p);
    p = Prov{Prov::kHome, home(i), 0};
  }
  void settle_top(uint32_t n) {
    for (uint32_t i = h() - n; i < h(); ++i) settle(i);
    while (!refs_.empty() && refs_.back() >= h() - n) refs_.pop_back();
  }
  // Before a block, loop or if: every operand in its home slot (see top).
  // Operands below settled_below_ are there already, so each operand is
  // looked at once however many blocks start above it.
  void settle_all() {
    spill();
    for (uint32_t i = settled_below_; i < h(); ++i) settle(i);
    refs_.clear();
    settled_below_ = h();
  }
  // The top n operands in their home slots, popped: returns the first slot.
  uint32_t settled_args(uint32_t n) {
    settle_top(n);
    for (uint32_t i = 0; i < n; ++i) pop();
    return home(h());
  }
  // The operands from height `height` on, as a block or if without else
  // leaves them or the else-branch starts with them: in their home slots.
  void reset_to(uint32_t height, uint32_t n) {
    while (h() > height) pop();
    push_results(n);
  }
  // Emits the copy of `p` into slot `dst`, on the current path only (the
  // operand's provider is unchanged). An operand in the accumulator is
  // copied from its home slot: emitting the copy spills it there first.
  void move(uint32_t dst, const Prov& p) {
    if (p.kind == Prov::kConst) {
      if (p.bits <= UINT32_MAX) {
        emit_dst(IOp::Const32, dst, static_cast<uint32_t>(p.bits));
      } else {
        emit_dst(IOp::Const64, dst, 0);
        imm(p.bits);
      }
    } else if (p.slot != dst) {
      copy(dst, p.slot);
    }
  }

  // A copy; right after up to three others, they become one Copy2, Copy3
  // or Copy4 (in order: a later copy may read what an earlier one wrote).
  void copy(uint32_t dst, uint32_t src) {
    if (last_op_ >= IOp::Copy && last_op_ < IOp::Copy4 && last_end_ == pos() &&
        last_start_ >= barrier_ && pending_gas_ == 0 && acc_at_ == kNone) {
      last_op_ = shifted(last_op_, 1);
      code()[last_start_] = handler(last_op_);
      last_dst_word_ = pos();
      imm(dst | uint64_t{src} << 32);
      last_end_ = pos();
      return;
    }
    emit_dst(IOp::Copy, dst, src);
  }

  // `local.set x` of the value `v` (popped). True if it went to x by
  // rewriting the instruction that computed it, or by a copy that leaves
  // x equal to it (so a tee may read it from x).
  bool store_local(uint32_t x, const Prov& v) {
    if (is_zero_local(x)) {
      if (v.kind == Prov::kConst && v.bits == 0) return false;  // it holds 0 already
      zero_locals_ &= ~(uint64_t{1} << x);
    }
    if (!refs_.empty()) {
      // Operands still reading x must take its old value first.
      size_t kept = 0;
      for (uint32_t i : refs_) {
        if (st_[i].slot == x) {
          settle(i);
        } else {
          refs_[kept++] = i;
        }
      }
      refs_.resize(kept);
    }
    if ((v.kind == Prov::kHome || v.kind == Prov::kAcc) && last_dst_is(v.slot)) {
      code()[last_dst_word_] = (code()[last_dst_word_] & ~uint64_t{UINT32_MAX}) | x;
      if (acc_at_ == last_start_) {  // it wrote the accumulator: now the local
        code()[acc_at_] = handler(kSpilled[static_cast<size_t>(acc_op_)]);
        acc_at_ = kNone;
      }
      last_cmp_.op = IOp::Br;  // its result is no longer where a branch would look
      return true;
    }
    if (v.kind == Prov::kLocal && v.slot == x) return true;
    move(x, v);
    return v.kind != Prov::kConst;
  }
  // Whether the last instruction emitted wrote slot `s` and nothing (a
  // label, another instruction) followed it.
  bool last_dst_is(uint32_t s) const {
    return last_end_ == pos() && last_start_ >= barrier_ &&
           static_cast<uint32_t>(code()[last_dst_word_]) == s;
  }

  void binary(Opcode op) {
    if ((op == Opcode::I32Xor || op == Opcode::I64Xor) && fuse_xor_rotl(op == Opcode::I64Xor))
      return;
    if ((op == Opcode::I32Rotl || op == Opcode::I64Rotl) && fuse_rotl_xor(op == Opcode::I64Rotl))
      return;
    // A constant left operand moves right where the operator allows it;
    // else it goes to its home slot, as does the left of two constants.
    uint32_t left = top() - 1;
    uint32_t right = top();
    Opcode emitted = op;
    if (st_[left].kind == Prov::kConst && st_[right].kind != Prov::kConst) {
      if (commutes(op)) {
        std::swap(left, right);
      } else if (const CmpRow row = cmp_row(op); row.branch != IOp::Unreachable) {
        std::swap(left, right);
        emitted = row.mirrored;
      }
    }
    if (acc_at_ != kNone && kFusedX[static_cast<size_t>(acc_op_)] && fuse_pair(emitted, left, right))
      return;
    const Forms f = forms_of(emitted);
    const bool acc_forms = f.a != IOp::Count;
    if (acc_forms && take_acc(left)) {
      const Prov b = st_[right];
      const bool with_const = b.kind == Prov::kConst;
      const uint32_t sb = with_const ? 0 : slot(right);
      pop();
      pop();
      if (with_const) {
        emit_result(f.ac, f.ac_a, 0);
        imm(b.bits);
      } else {
        emit_result(f.a, f.a_a, 0);
        imm(sb);
      }
      return;
    }
    if (acc_forms && take_acc(right)) {
      const uint32_t a = slot(left);
      pop();
      pop();
      emit_result(f.sa, f.sa_a, a);
      imm(0);
      return;
    }
    const uint32_t a = slot(left);
    const Prov b = st_[right];
    const bool with_const = b.kind == Prov::kConst;
    const uint32_t sb = with_const ? 0 : slot(right);
    pop();
    pop();
    emit_result(with_const ? f.c : f.s, with_const ? f.c_a : f.s_a, a);
    imm(with_const ? b.bits : sb);
    if (const CmpRow row = cmp_row(emitted); row.branch != IOp::Unreachable)
      last_cmp_ = Cond{with_const ? shifted(row.branch, 2) : row.branch, emitted, a,
                       with_const ? b.bits : sb};
  }

  // --- Branches -----------------------------------------------------------

  // The condition on top of the stack, popped: the compare that computed
  // it, removed and fused, when nothing came between them.
  Cond take_cond() {
    const Prov& p = st_.back();
    if ((p.kind == Prov::kHome || p.kind == Prov::kAcc) && last_cmp_.op != IOp::Br &&
        last_dst_is(p.slot)) {
      const Cond c = last_cmp_;
      unput(last_start_);  // a compare never traps: it has no site
      last_end_ = UINT32_MAX;
      if (acc_at_ == last_start_) acc_at_ = kNone;
      pop();
      return c;
    }
    if (take_acc(top())) {
      pop();
      return Cond{IOp::BrNezA, Opcode::Unreachable, 0, 0};
    }
    const uint32_t s = slot(top());
    pop();
    return Cond{IOp::BrNez, Opcode::Unreachable, s, 0};
  }
  static Cond negate(Cond c) {
    switch (c.op) {
      case IOp::BrNez: c.op = IOp::BrEqz; return c;
      case IOp::BrEqz: c.op = IOp::BrNez; return c;
      case IOp::BrNez64: c.op = IOp::BrEqz64; return c;
      case IOp::BrEqz64: c.op = IOp::BrNez64; return c;
      case IOp::BrNezA: c.op = IOp::BrEqzA; return c;
      case IOp::BrEqzA: c.op = IOp::BrNezA; return c;
      default: break;
    }
    const bool with_const = c.op == shifted(cmp_row(c.cmp).branch, 2);
    c.cmp = cmp_row(c.cmp).negated;
    c.op = with_const ? shifted(cmp_row(c.cmp).branch, 2) : cmp_row(c.cmp).branch;
    return c;
  }
  // Emits the branch of `c` (Cond{}: unconditional), to the loop header at
  // `loop_start` if `back`, else forward: to `t`'s end (recorded there) or,
  // without `t`, to a place the returned fixup is patched to.
  Fixup emit_cond_branch(const Cond& c, bool back, uint32_t loop_start, Frame* t = nullptr) {
    const IOp op = back ? shifted(c.op, 1) : c.op;
    const uint32_t base = emit(op);
    if (back) fuse_add_branch(op, c.a);
    const Fixup at{pos(), base};
    const uint64_t offset = back ? offset_to(loop_start, base) : 0;
    imm(c.a | offset);
    if (kIOpWords[static_cast<size_t>(op)] == 3) imm(c.b);
    if (!back && t != nullptr) t->data.fixups.push_back(at);
    return at;
  }
  static uint64_t offset_to(uint32_t target, uint32_t base) {
    return uint64_t{static_cast<uint32_t>(static_cast<int32_t>(target - base))} << 32;
  }
  // Whether the values a branch to `t` carries are where `t` expects them.
  bool carried_in_place(const Frame& t) const {
    const uint32_t n = t.label_arity();
    for (uint32_t i = 0; i < n; ++i) {
      const Prov& p = st_[h() - n + i];
      if (p.kind != Prov::kHome || p.slot != home(t.height + i)) return false;
    }
    return true;
  }
  // Copies the values a branch to `t` carries (the top ones, of `height`
  // operands) to where `t` expects them: in ascending order, each source at
  // or above its destination.
  void move_carried(const Frame& t, uint32_t height) {
    const uint32_t n = t.label_arity();
    for (uint32_t i = 0; i < n; ++i) move(home(t.height + i), st_[height - n + i]);
  }
  // Returns the top num_results operands (they stay on this path's stack).
  void emit_return() {
    const uint32_t n = out_.num_results;
    if (n == 0) {
      emit(IOp::Return0);
    } else if (n == 1 && take_acc(top())) {
      emit(IOp::Return1A);
    } else if (n == 1) {
      const Prov& p = st_.back();
      if (p.kind == Prov::kConst) move(home(top()), p);
      emit(IOp::Return1);
      imm(p.kind == Prov::kConst ? home(top()) : p.slot);
    } else {
      for (uint32_t i = h() - n; i < h(); ++i) move(home(i), st_[i]);
      emit(IOp::ReturnN);
      imm(home(h() - n) | uint64_t{n} << 32);
    }
  }
  // The back-edge compare-and-branch `op` just emitted (or its charging
  // form), comparing slot `a`, and an i32.add into `a` right before it
  // become one add-and-branch (brcmp.def): the add's handler word names
  // it, the words stay.
  void fuse_add_branch(IOp op, uint32_t a) {
    if (prev_start_ == kNone || prev_start_ + 3 != put_start_) return;
    const uint64_t add = code()[prev_start_];
    const int which = add == handler(IOp::I32Add) ? 0 : add == handler(IOp::I32AddC) ? 1 : -1;
    if (which < 0 || static_cast<uint32_t>(code()[prev_start_ + 1]) != a) return;
    const IOp emitted =
        code()[put_start_] == handler(op) ? op : shifted(op, static_cast<int>(kNumControl));
    const IOp fused = kAddBranch[static_cast<size_t>(emitted)][which];
    if (fused != IOp::Count) code()[prev_start_] = handler(fused);
  }
  // Makes the branch offset at `at` target the current position, which is
  // then a label: nothing is fused across it.
  void patch(const Fixup& at) {
    spill();  // a label: the accumulator carries nothing across it
    zero_locals_ = 0;
    uint64_t& w = code()[at.word];
    w = (w & UINT32_MAX) | offset_to(pos(), at.base);
    barrier_ = pos();
  }

  // --- Emission -----------------------------------------------------------

  // Emits `op`'s handler word; returns the position its operands count
  // from. A pending charge goes first: fused into a control operation (its
  // cost word follows the handler), else as its own Gas instruction.
  [[gnu::always_inline]] uint32_t emit(IOp op) {
    spill();  // the instruction that wrote it did not hand it to this one
    if (pending_gas_ != 0) {
      const uint64_t charge = pending_gas_;
      pending_gas_ = 0;
      if (op >= kFirstControl && op < kFirstCharging) {
        put(shifted(op, static_cast<int>(kNumControl)));
        imm(charge);
        return pos() - 1;
      }
      put_gas(charge);
    }
    put(op);
    return pos() - 1;
  }
  // An instruction with one operand word a|b.
  void emit(IOp op, uint32_t a, uint32_t b) {
    emit(op);
    imm(a | uint64_t{b} << 32);
  }
  // An instruction whose result goes to `dst` (word 1's low half), where a
  // later local.set may redirect it.
  [[gnu::always_inline]] void emit_dst(IOp op, uint32_t dst, uint32_t b) {
    last_start_ = emit(op);
    last_dst_word_ = pos();
    imm(dst | uint64_t{b} << 32);
    last_end_ = pos() + kIOpWords[static_cast<size_t>(op)] - 2;
    last_op_ = op;
    last_cmp_.op = IOp::Br;
  }
  // A result the instruction computes for the operand stack: into the
  // accumulator if the operator has that form (`to_acc`), else its home
  // slot. `b` goes to word 1's high half.
  [[gnu::always_inline]] void emit_result(IOp to_slot, IOp to_acc, uint32_t b) {
    const uint32_t dst = push_home();
    if (to_acc == IOp::Count) {
      emit_dst(to_slot, dst, b);
      return;
    }
    emit_dst(to_acc, dst, b);
    st_.back().kind = Prov::kAcc;
    acc_at_ = last_start_;
    acc_op_ = to_acc;
    acc_index_ = top();
  }
  // The accumulator's value goes to its home slot after all: the
  // instruction that computed it (the last one) writes there instead.
  [[gnu::always_inline]] void spill() {
    if (acc_at_ == kNone) return;
    code()[acc_at_] = handler(kSpilled[static_cast<size_t>(acc_op_)]);
    if (acc_index_ < h() && st_[acc_index_].kind == Prov::kAcc) st_[acc_index_].kind = Prov::kHome;
    acc_at_ = kNone;
  }
  // Whether operand i is the accumulator's value computed by the last
  // instruction, in the form `form` (one that never traps: it has no site);
  // if so, that instruction is removed, and its two operand words returned
  // for the instruction about to be emitted to do its work too.
  bool take_acc_producer(uint32_t i, IOp form, uint64_t& w1, uint64_t& w2) {
    if (st_[i].kind != Prov::kAcc || acc_at_ != last_start_ || acc_op_ != form ||
        last_end_ != pos() || last_start_ < barrier_)
      return false;
    w1 = code()[last_start_ + 1];
    w2 = code()[last_start_ + 2];
    unput(last_start_);
    acc_at_ = kNone;
    last_end_ = UINT32_MAX;
    return true;
  }
  // Whether operand i is a slot plus a constant computed into the
  // accumulator by the last instruction (an i32.add); if so, the load or
  // store about to be emitted adds `add` to `base` itself.
  bool take_address_sum(uint32_t i, uint32_t& base, uint32_t& add) {
    uint64_t w1, w2;
    if (!take_acc_producer(i, IOp::I32AddC_A, w1, w2)) return false;
    base = static_cast<uint32_t>(w1 >> 32);
    add = static_cast<uint32_t>(w2);
    return true;
  }
  // Y applied to the accumulator's value, computed by the last instruction
  // as X of a slot and a slot or constant, and to another operand: one
  // instruction of fused.def, if the pair is there.
  bool fuse_pair(Opcode y, uint32_t left, uint32_t right) {
    const bool acc_left = st_[left].kind == Prov::kAcc;
    const uint32_t other = acc_left ? right : left;
    const Prov o = st_[other];
    if (o.kind == Prov::kAcc) return false;
    for (const FusedRow& r : kFused) {
      if (r.x_form != acc_op_ || r.y != y || r.y_const != (o.kind == Prov::kConst) ||
          (r.y_left != acc_left && !commutes(y)))
        continue;
      uint64_t w1, w2;
      if (!take_acc_producer(acc_left ? left : right, r.x_form, w1, w2)) return false;
      pop();
      pop();
      emit_result(r.to_slot, r.to_acc, static_cast<uint32_t>(w1 >> 32));
      imm(w2);
      imm(o.kind == Prov::kConst ? o.bits : o.slot);
      return true;
    }
    return false;
  }
  // x ^ rotl(a, c), the rotate computed into the accumulator by the last
  // instruction: one I32XorRotlC (I64). False if the operands are not so.
  bool fuse_xor_rotl(bool i64) {
    uint32_t rotated = top(), other = top() - 1;
    if (st_[rotated].kind != Prov::kAcc) std::swap(rotated, other);
    const Prov x = st_[other];
    uint64_t w1, w2;
    if ((x.kind != Prov::kHome && x.kind != Prov::kLocal) ||
        !take_acc_producer(rotated, i64 ? IOp::I64RotlC_A : IOp::I32RotlC_A, w1, w2))
      return false;
    pop();
    pop();
    emit_result(i64 ? IOp::I64XorRotlC : IOp::I32XorRotlC,
                i64 ? IOp::I64XorRotlC_A : IOp::I32XorRotlC_A, x.slot);
    imm((w1 >> 32) | (w2 & 63) << 32);
    return true;
  }
  // rotl(a ^ b, c), the xor of two slots computed into the accumulator by
  // the last instruction: one I32RotlXorC (I64).
  bool fuse_rotl_xor(bool i64) {
    const Prov c = st_[top()];
    uint64_t w1, w2;
    if (c.kind != Prov::kConst ||
        !take_acc_producer(top() - 1, i64 ? IOp::I64Xor_A : IOp::I32Xor_A, w1, w2))
      return false;
    pop();
    pop();
    emit_result(i64 ? IOp::I64RotlXorC : IOp::I32RotlXorC,
                i64 ? IOp::I64RotlXorC_A : IOp::I32RotlXorC_A, static_cast<uint32_t>(w1 >> 32));
    imm(static_cast<uint32_t>(w2) | (c.bits & 63) << 32);
    return true;
  }
  // Whether operand i is in the accumulator; if so, the instruction about
  // to be emitted takes it from there.
  [[gnu::always_inline]] bool take_acc(uint32_t i) {
    if (st_[i].kind != Prov::kAcc) return false;
    acc_at_ = kNone;
    return true;
  }
  [[gnu::always_inline]] uint64_t handler(IOp op) const {
    return reinterpret_cast<uint64_t>(handlers_[static_cast<size_t>(op)]);
  }
  [[gnu::always_inline]] void put(IOp op) {
    prev2_start_ = prev_start_;
    prev_start_ = put_start_;
    put_start_ = pos();
    if (kAtSite[static_cast<size_t>(op)]) sites_.add(pos(), op_offset_);
    put_word(handler(op));
  }
  [[gnu::always_inline]] void imm(uint64_t v) { put_word(v); }
  [[gnu::always_inline]] void put_word(uint64_t v) {
    buf_[pos_++] = v;
    if (buf_.size() - pos_ < kRoom) [[unlikely]] buf_.resize(buf_.size() * 2);
  }
  // Removes the last instruction put, which starts at `start`.
  void unput(uint32_t start) {
    pos_ = start;
    put_start_ = start == put_start_ ? prev_start_ : kNone;
    prev_start_ = put_start_ == kNone ? kNone : prev2_start_;
    prev2_start_ = kNone;
  }
  void flush_gas() {
    if (pending_gas_ == 0) return;
    put_gas(pending_gas_);
    pending_gas_ = 0;
  }
  // A Gas instruction; one right before it becomes a GasGas (its site
  // stays the one put() recorded for it).
  void put_gas(uint64_t charge) {
    if (put_start_ != kNone && put_start_ + 2 == pos() && code()[put_start_] == handler(IOp::Gas))
      code()[put_start_] = handler(IOp::GasGas);
    put(IOp::Gas);
    imm(charge);
  }

  FuncCode& out_;
  std::vector<Prov>& st_;
  std::vector<uint64_t>& buf_;
  uint32_t pos_ = 0;
  const void* const* handlers_;
  InstanceLayout layout_;
  bool metering_;
  GasProfile profile_;
  RunCost run_;
  uint64_t pending_gas_ = 0;  // the charge of the accounting operator being lowered
  // The stack indices of the operands whose value is still in a local, in
  // ascending order; every operand below settled_below_ is in its home slot.
  std::vector<uint32_t>& refs_;
  uint32_t settled_below_ = 0;
  // Locals known to hold zero (bit x: local x < 64): the declared locals
  // from the function's entry on, until one is set or a label is reached
  // (every path to here is then the straight line from the entry). A
  // `local.set` of zero to one of them emits nothing, a `local.get` of one
  // is the constant 0 (compilers zero their locals in the prologue).
  uint64_t zero_locals_ = 0;
  bool is_zero_local(uint32_t x) const { return x < 64 && (zero_locals_ >> x & 1) != 0; }
  // The instruction that wrote the accumulator and nothing followed yet
  // (kNone: none): where it starts, its form, its operand's stack index.
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t acc_at_ = kNone;
  // Where the last three instructions put start (kNone: not known).
  uint32_t put_start_ = kNone;
  uint32_t prev_start_ = kNone;
  uint32_t prev2_start_ = kNone;
  IOp acc_op_ = IOp::Count;
  uint32_t acc_index_ = 0;
  // The last instruction with a destination: where it starts, its
  // destination's word, where it ends; and, if it is a compare, its fused
  // branch (op Br: it is not).
  uint32_t last_start_ = 0;
  uint32_t last_dst_word_ = 0;
  uint32_t last_end_ = UINT32_MAX;
  IOp last_op_ = IOp::Count;
  Cond last_cmp_;
  uint32_t barrier_ = 0;  // the last label: nothing is fused across it
  uint32_t num_locals_ = 0;
  uint32_t op_offset_ = 0;  // module byte offset of the instruction being lowered
  std::vector<Fixup> returns_;  // br_table entries through a return
  SiteTableWriter sites_{out_.sites};
};

}  // namespace

Result<void> prepare_into(const Module& module, const ModuleLimits& limits, FuncCode& code) {
  // The operand stack's storage is kept per thread (a nested preparation
  // on the same thread, if any, uses its own).
  ThreadStorage<BuilderStorage> kept;
  BuilderStorage own;
  BuilderStorage& storage = kept.get() != nullptr ? *kept.get() : own;
  Tier0Builder builder(code, module, storage);
  FunctionDecoder<Tier0Builder> decoder(module, limits, code.func_index, builder);
  Result<void> r = decoder.decode();
  if (storage.stack.capacity() > ThreadStorage<BuilderStorage>::kKeep) storage.stack = {};
  if (storage.code.size() > 16 * ThreadStorage<BuilderStorage>::kKeep) storage.code = {};
  return r;
}

Result<std::unique_ptr<FuncCode>> prepare_function(const Module& module,
                                                   const ModuleLimits& limits,
                                                   uint32_t func_index) {
  auto code = std::make_unique<FuncCode>();
  code->func_index = func_index;
  Result<void> r = prepare_into(module, limits, *code);
  if (!r) return r.error();
  return code;
}

}  // namespace wvm
