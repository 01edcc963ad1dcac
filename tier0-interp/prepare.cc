// Tier-0 preparation: an Interface of the validating decoder that lowers
// each reachable instruction to direct-threaded code. Branch targets and the
// stack adjustments of branches are computed here, once, from the static
// operand-stack heights that validation knows.
#include <array>
#include <memory>

#include "engine/instance_layout.h"
#include "engine/site_table.h"
#include "engine/validator.h"
#include "metering/cost_model.h"
#include "tier0-interp/code.h"
#include "tier0-interp/interp.h"

namespace wvm {
namespace {

// The instructions a trace may name (they may trap, or they call): one
// table load per emitted instruction while preparing.
constexpr std::array<bool, kNumIOps> kAtSite = [] {
  std::array<bool, kNumIOps> t{};
  for (IOp op : {IOp::Unreachable, IOp::Call, IOp::CallIndirect, IOp::TableGet, IOp::TableSet,
                 IOp::MemoryInit, IOp::MemoryCopy, IOp::MemoryFill, IOp::TableInit,
                 IOp::TableCopy, IOp::TableFill, IOp::Gas, IOp::GasPerUnit, IOp::GasBr,
                 IOp::GasBrBack, IOp::GasBrDrop, IOp::GasBrIf, IOp::GasBrIfBack, IOp::GasBrIfDrop,
                 IOp::GasBrUnless, IOp::GasBrTable, IOp::GasReturn, IOp::GasCall,
                 IOp::GasCallIndirect})
    t[static_cast<size_t>(op)] = true;
#define WVM_SPECIAL(name, pfx, code, text, flags)
#define WVM_LOAD(name, pfx, code, text, vt, mt, align) t[static_cast<size_t>(IOp::name)] = true;
#define WVM_STORE(name, pfx, code, text, vt, mt, align) t[static_cast<size_t>(IOp::name)] = true;
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags) \
  t[static_cast<size_t>(IOp::name)] = ((flags) & kTraps) != 0;
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags)               \
  t[static_cast<size_t>(IOp::name)] = t[static_cast<size_t>(IOp::name##_L)] = \
      t[static_cast<size_t>(IOp::name##_C)] = ((flags) & kTraps) != 0;
#include "engine/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
  return t;
}();

class Tier0Builder : public ValidateOnly {
 public:
  struct ControlData {
    uint32_t loop_start = 0;         // word index of a loop's first instruction
    uint32_t else_fixup = UINT32_MAX;  // BrUnless offset word of an `if`
    std::vector<uint32_t> fixups;    // forward branch offset words to patch at `end`
  };
  using D = FunctionDecoder<Tier0Builder>;
  using Frame = D::Frame;

  Tier0Builder(FuncCode& out, const Module& module)
      : out_(out),
        handlers_(interp_handlers(module.bounds)),
        layout_(InstanceLayout::of(module)),
        metering_(module.metering.enabled),
        profile_(module.metering.profile) {}

  // Metering (metering/cost_model.h): every operator's cost joins the run;
  // a reachable accounting operator is preceded by the charge for the run.
  void on_opcode(D& d, Opcode op, bool reachable) {
    if (!metering_) {
      op_offset_ = static_cast<uint32_t>(d.op_offset());
      return;
    }
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
      // is a branch, return or call), or alone before a label: see emit().
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
    if (rate != 0) emit(IOp::GasPerUnit, rate);
  }

  void begin_function(D& d) {
    num_locals_ = static_cast<uint32_t>(d.locals().size());
    out_.num_locals = num_locals_;
    out_.num_params = static_cast<uint32_t>(d.func_type().params.size());
    out_.num_results = static_cast<uint32_t>(d.func_type().results.size());
    // 0.7-0.75 code words per body byte on the contracts: reserving that up
    // front spares the copies of repeated growth on large functions without
    // holding much unused memory.
    const FunctionBody& body = d.module().bodies[d.func_index() - d.module().num_imported_funcs];
    code().reserve((body.body_end - body.body_start) * 3 / 4 + 16);
    if (metering_)
      run_.begin_function(locals_entry_cost(profile_, out_.num_locals - out_.num_params));
  }
  void end_function(D& d) {
    out_.max_slots = num_locals_ + d.max_height() + 1;
    if (code().capacity() > 2 * code().size()) code().shrink_to_fit();
  }

  void on_unreachable(D&) { emit(IOp::Unreachable); }

  void on_block(D&, Frame&) {}
  void on_loop(D&, Frame& f) {
    flush_gas();  // charged once on entry; back-edges land after it
    f.data.loop_start = pos();
    out_.loop_headers.push_back(pos());
    barrier_ = pos();
  }
  void on_if(D&, Frame& f) {
    emit(IOp::BrUnless);
    f.data.else_fixup = pos();
    imm(0);
  }
  void on_else(D&, Frame& f) {
    if (!f.unreachable) {  // the then-branch falls through to the end
      emit(IOp::Br);
      f.data.fixups.push_back(pos());
      imm(0);
    }
    flush_gas();
    patch(f.data.else_fixup);
    f.data.else_fixup = UINT32_MAX;
  }
  void on_end(D& d, Frame& f) {
    flush_gas();  // branches to this end land after the charge
    if (f.data.else_fixup != UINT32_MAX) patch(f.data.else_fixup);
    for (uint32_t at : f.data.fixups) patch(at);
    if (d.control_depth() == 1) emit(IOp::Return);  // the function's own end
  }

  void on_br(D& d, uint32_t depth) {
    Frame& t = d.control_at(depth);
    if (depth == d.control_depth() - 1) return emit(IOp::Return);
    emit_branch(t, drop_word(d, t, d.height()), IOp::BrBack, IOp::Br, IOp::BrDrop);
  }
  void on_br_if(D& d, uint32_t depth) {
    Frame& t = d.control_at(depth);
    emit_branch(t, drop_word(d, t, d.height() - 1), IOp::BrIfBack, IOp::BrIf, IOp::BrIfDrop);
  }
  void on_br_table(D& d, const uint32_t* depths, uint32_t n) {
    emit(IOp::BrTable);
    imm(n - 1);
    for (uint32_t i = 0; i < n; ++i) {
      Frame& t = d.control_at(depths[i]);
      branch_target(t);
      imm(drop_word(d, t, d.height() - 1) | (t.is_loop() ? kBackEdgeFlag : 0));
    }
  }
  void on_return(D&) { emit(IOp::Return); }
  // Functions, tables and globals are addressed by their byte offset in the
  // instance data block (engine/instance_layout.h).
  void on_call(D&, uint32_t f) { emit(IOp::Call, layout_.func(f)); }
  void on_call_indirect(D& d, uint32_t type_index, uint32_t table) {
    emit(IOp::CallIndirect, d.module().type_ids[type_index]);
    imm(layout_.table(table));
  }
  void on_drop(D&) { emit(IOp::Drop); }
  void on_select(D&, ValType) { emit(IOp::Select); }
  void on_local_get(D&, uint32_t x) { emit(IOp::LocalGet, x); }
  void on_local_set(D&, uint32_t x) { emit(IOp::LocalSet, x); }
  void on_local_tee(D&, uint32_t x) { emit(IOp::LocalTee, x); }
  void on_global_get(D&, uint32_t x) { emit(IOp::GlobalGet, layout_.global(x)); }
  void on_global_set(D&, uint32_t x) { emit(IOp::GlobalSet, layout_.global(x)); }
  void on_table_get(D&, uint32_t x) { emit(IOp::TableGet, layout_.table(x)); }
  void on_table_set(D&, uint32_t x) { emit(IOp::TableSet, layout_.table(x)); }
  void on_load(D&, Opcode op, MemArg m) { emit(as_iop(op), m.offset); }
  void on_store(D&, Opcode op, MemArg m) { emit(as_iop(op), m.offset); }
  void on_memory_size(D&) { emit(IOp::MemorySize); }
  void on_memory_grow(D&) { emit(IOp::MemoryGrow); }
  void on_const(D&, Value v) { emit(IOp::Const, v.bits); }
  void on_numeric(D&, Opcode op) {
    // Peephole: `local.get x` or `const c` just before a binary operator
    // becomes its right operand, unless a branch target lies between them.
    if (op_info(op).shape == OpShape::Binary && last_pos_ >= barrier_ &&
        (last_op_ == IOp::LocalGet || last_op_ == IOp::Const)) {
      const IOp fused = last_op_ == IOp::LocalGet ? with_local_rhs(op) : with_const_rhs(op);
      code()[last_pos_] = handler(fused);
      last_op_ = fused;
      if (at_site(fused)) sites_.add(last_pos_, op_offset_);
      return;
    }
    emit(as_iop(op));
  }
  void on_ref_null(D&, ValType) { emit(IOp::Const, 0); }
  void on_ref_is_null(D&) { emit(IOp::RefIsNull); }
  void on_ref_func(D&, uint32_t f) { emit(IOp::RefFunc, layout_.func(f)); }
  void on_memory_init(D&, uint32_t seg) { emit(IOp::MemoryInit, seg); }
  void on_data_drop(D&, uint32_t seg) { emit(IOp::DataDrop, seg); }
  void on_memory_copy(D&) { emit(IOp::MemoryCopy); }
  void on_memory_fill(D&) { emit(IOp::MemoryFill); }
  void on_table_init(D&, uint32_t seg, uint32_t table) {
    emit(IOp::TableInit, seg);
    imm(table);  // an index: table_init() looks the table up through the instance
  }
  void on_elem_drop(D&, uint32_t seg) { emit(IOp::ElemDrop, seg); }
  void on_table_copy(D&, uint32_t dst, uint32_t src) {
    emit(IOp::TableCopy, layout_.table(dst));
    imm(layout_.table(src));
  }
  void on_table_grow(D&, uint32_t x) { emit(IOp::TableGrow, layout_.table(x)); }
  void on_table_size(D&, uint32_t x) { emit(IOp::TableSize, layout_.table(x)); }
  void on_table_fill(D&, uint32_t x) { emit(IOp::TableFill, layout_.table(x)); }

 private:
  std::vector<uint64_t>& code() { return out_.code; }
  uint32_t pos() const { return static_cast<uint32_t>(out_.code.size()); }
  // Emits `op`. A pending charge goes first: fused into `op` when it has a
  // charging variant, else as its own Gas instruction.
  void emit(IOp op) {
    if (pending_gas_ != 0) {
      const uint64_t charge = pending_gas_;
      pending_gas_ = 0;
      const IOp fused = with_charge(op);
      if (fused != op) {
        put(fused);
        imm(charge);
        return;
      }
      put(IOp::Gas);
      imm(charge);
    }
    put(op);
  }
  void put(IOp op) {
    last_op_ = op;
    last_pos_ = pos();
    if (at_site(op)) sites_.add(last_pos_, op_offset_);
    code().push_back(handler(op));
  }
  uint64_t handler(IOp op) const {
    return reinterpret_cast<uint64_t>(handlers_[static_cast<size_t>(op)]);
  }
  // Whether a trace may name `op`: it may trap, or it calls.
  static bool at_site(IOp op) { return kAtSite[static_cast<size_t>(op)]; }
  static IOp with_local_rhs(Opcode op) {
    switch (op) {
#define WVM_SPECIAL(name, pfx, code, text, flags)
#define WVM_LOAD(name, pfx, code, text, vt, mt, align)
#define WVM_STORE(name, pfx, code, text, vt, mt, align)
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags)
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags) \
  case Opcode::name:                                             \
    return IOp::name##_L;
#include "engine/opcodes.def"
#undef WVM_BINARY
      default:
        return IOp::Unreachable;  // not reached: binary operators only
    }
  }
  static IOp with_const_rhs(Opcode op) {
    switch (op) {
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags) \
  case Opcode::name:                                             \
    return IOp::name##_C;
#include "engine/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
      default:
        return IOp::Unreachable;  // not reached: binary operators only
    }
  }
  void flush_gas() {
    if (pending_gas_ == 0) return;
    put(IOp::Gas);
    imm(pending_gas_);
    pending_gas_ = 0;
  }
  static IOp with_charge(IOp op) {
    switch (op) {
      case IOp::Br: return IOp::GasBr;
      case IOp::BrBack: return IOp::GasBrBack;
      case IOp::BrDrop: return IOp::GasBrDrop;
      case IOp::BrIf: return IOp::GasBrIf;
      case IOp::BrIfBack: return IOp::GasBrIfBack;
      case IOp::BrIfDrop: return IOp::GasBrIfDrop;
      case IOp::BrUnless: return IOp::GasBrUnless;
      case IOp::BrTable: return IOp::GasBrTable;
      case IOp::Return: return IOp::GasReturn;
      case IOp::Call: return IOp::GasCall;
      case IOp::CallIndirect: return IOp::GasCallIndirect;
      default: return op;
    }
  }
  void emit(IOp op, uint64_t immediate) {
    emit(op);
    imm(immediate);
  }
  void imm(uint64_t v) { code().push_back(v); }

  // The pure operators, loads and stores share their Opcode names with IOp.
  static IOp as_iop(Opcode op) {
    switch (op) {
#define WVM_SPECIAL(name, pfx, code, text, flags)
#define WVM_LOAD(name, pfx, code, text, vt, mt, align) \
  case Opcode::name:                                    \
    return IOp::name;
#define WVM_STORE(name, pfx, code, text, vt, mt, align) \
  case Opcode::name:                                     \
    return IOp::name;
#define WVM_UNARY(name, pfx, code, text, in, out, impl, flags) \
  case Opcode::name:                                            \
    return IOp::name;
#define WVM_BINARY(name, pfx, code, text, in, out, impl, flags) \
  case Opcode::name:                                             \
    return IOp::name;
#include "engine/opcodes.def"
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
      default:
        return IOp::Unreachable;  // not reached: callers pass table operators only
    }
  }

  // The stack adjustment of a branch taken with `height` operands on the
  // stack: 0 when the carried values already sit where the target expects
  // them, else keep << 32 | destination slot.
  uint64_t drop_word(D&, const Frame& t, uint32_t height) const {
    const uint32_t keep = t.label_arity();
    if (height - keep == t.height) return 0;
    return (uint64_t{keep} << 32) | (num_locals_ + t.height);
  }
  // A branch to `t` in its cheapest form: a back-edge to a loop, a plain
  // forward branch, or one that first moves the carried values (`drop`).
  void emit_branch(Frame& t, uint64_t drop, IOp back, IOp plain, IOp with_drop) {
    if (t.is_loop() && drop == 0) {
      emit(back);
      imm_backward(t.data.loop_start);
    } else if (drop == 0) {
      emit(plain);
      imm_forward(t);
    } else {
      emit(with_drop);
      branch_target(t);
      imm(drop | (t.is_loop() ? kBackEdgeFlag : 0));  // counted like any back-edge
    }
  }
  void imm_backward(uint32_t target) {
    imm(static_cast<uint64_t>(static_cast<int64_t>(target) - static_cast<int64_t>(pos())));
  }
  void imm_forward(Frame& t) {
    t.data.fixups.push_back(pos());
    imm(0);
  }
  // A target for either direction; the offset word is at the current position.
  void branch_target(Frame& t) {
    if (t.is_loop())
      imm_backward(t.data.loop_start);
    else
      imm_forward(t);
  }
  // Makes the branch whose offset word is at `at` target the current
  // position, which is then a label: no superinstruction may span it.
  void patch(uint32_t at) {
    code()[at] = static_cast<uint64_t>(pos() - at);
    barrier_ = pos();
  }

  FuncCode& out_;
  const void* const* handlers_;
  InstanceLayout layout_;
  bool metering_;
  GasProfile profile_;
  RunCost run_;
  uint64_t pending_gas_ = 0;  // the charge of the accounting operator being lowered
  IOp last_op_ = IOp::Unreachable;  // the last instruction emitted, and where
  uint32_t last_pos_ = 0;
  uint32_t barrier_ = 0;  // the last label: superinstructions never span one
  uint32_t num_locals_ = 0;
  uint32_t op_offset_ = 0;  // module byte offset of the instruction being lowered
  SiteTableWriter sites_{out_.sites};
};

}  // namespace

Result<void> prepare_into(const Module& module, const ModuleLimits& limits, FuncCode& code) {
  Tier0Builder builder(code, module);
  FunctionDecoder<Tier0Builder> decoder(module, limits, code.func_index, builder);
  return decoder.decode();
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
