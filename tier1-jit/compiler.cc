// The tier-1 single-pass compiler: an Interface of the validating decoder
// that emits machine code through the MacroAssembler, in one pass, linear in
// the function's size.
//
// Value stack: each operand-stack entry is a constant, a value register, a
// pending integer comparison (its operands in registers, so a following
// br_if or if becomes one compare-and-branch, a select one compare and a
// conditional move), or in its home slot (frame slot num_locals + height).
// Integer constants used as right operands become immediates. Operators
// take their operands into registers and leave results in registers.
//
// Locals live in registers too (tier1-jit/reg_state.h): `local.get` of a
// cached local pushes its register, `local.set` renames the value's register
// to the local's, and a local goes back to its slot only when its register
// is needed (least recently used first), at calls (which clobber every value
// register), or when a merge state keeps it there. Stack values go home at
// every branch and label; locals keep their registers across labels: each
// label's merge state is what the first way in had (a loop's: its entry),
// and the other ways in move their locals to match. Returns store nothing
// but the results.
#include "tier1-jit/compiler.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "exec/instance_layout.h"
#include "metering/cost_model.h"
#include "module/validator.h"
#include "tier0-interp/code.h"
#include "tier1-jit/abi.h"
#include "tier1-jit/loop_scan.h"
#include "tier1-jit/reg_state.h"

namespace wvm::jit {
namespace {

struct Entry {
  enum class Kind : uint8_t { Home, Reg, Const, Cmp };
  Kind kind = Kind::Home;
  Reg reg = 0;              // Reg: the value; Cmp: the left operand
  Reg rhs = 0;              // Cmp: the right operand, unless rhs_is_imm
  bool rhs_is_imm = false;  // Cmp: the right operand is int32_t(value)
  Opcode op{};              // Cmp: an i32/i64 comparison
  uint64_t value = 0;       // Const: the bits
};

bool is_int_compare(Opcode op) {
  switch (op) {
    case Opcode::I32Eq: case Opcode::I32Ne: case Opcode::I32LtS: case Opcode::I32LtU:
    case Opcode::I32GtS: case Opcode::I32GtU: case Opcode::I32LeS: case Opcode::I32LeU:
    case Opcode::I32GeS: case Opcode::I32GeU:
    case Opcode::I64Eq: case Opcode::I64Ne: case Opcode::I64LtS: case Opcode::I64LtU:
    case Opcode::I64GtS: case Opcode::I64GtU: case Opcode::I64LeS: case Opcode::I64LeU:
    case Opcode::I64GeS: case Opcode::I64GeU:
      return true;
    default:
      return false;
  }
}

// A constant entry usable as the 32-bit immediate of an operator on `type`
// (an i64 one must survive sign extension).
bool as_imm(const Entry& e, ValType type, int32_t* imm) {
  if (e.kind != Entry::Kind::Const) return false;
  if (type == ValType::I32) {
    *imm = static_cast<int32_t>(static_cast<uint32_t>(e.value));
    return true;
  }
  if (type == ValType::I64 && static_cast<int64_t>(e.value) ==
                                  static_cast<int64_t>(static_cast<int32_t>(e.value))) {
    *imm = static_cast<int32_t>(e.value);
    return true;
  }
  return false;
}

class Tier1Compiler : public ValidateOnly {
 public:
  struct ControlData {
    Label label;         // the branch target: loop header or the end
    Label else_label;    // an if's false arm
    bool merge_set = false;
    LocalsState merge;   // the locals state at `label`, once merge_set
    LocalsState at_if;   // an if's: the state its false arm starts from
  };
  using D = FunctionDecoder<Tier1Compiler>;
  using Frame = D::Frame;

  Tier1Compiler(MacroAssembler& masm, const Module& module, const FuncCode& code,
                const FunctionBody& body)
      : masm_(masm),
        module_(module),
        body_(body),
        layout_(InstanceLayout::of(module)),
        code_(code),
        metering_(module.metering.enabled),
        profile_(module.metering.profile),
        helpers_(runtime_helpers()) {
    if (Storage* s = spare_.get()) swap_storage(*s);
    stack_.reserve(64);
  }
  ~Tier1Compiler() {
    constexpr size_t kKeep = ThreadStorage<Storage>::kKeep;
    Storage* s = spare_.get();
    if (s == nullptr || stack_.capacity() > kKeep || scan_.capacity() > kKeep ||
        regs_.capacity() > kKeep)
      return;
    stack_.clear();
    swap_storage(*s);
  }
  Tier1Compiler(const Tier1Compiler&) = delete;
  Tier1Compiler& operator=(const Tier1Compiler&) = delete;

  void set_osr_entries(bool on) { emit_osr_ = on; }
  bool ok() const { return unsupported_.empty(); }
  /// The OSR entry of each reachable loop, in body order.
  const std::vector<Label>& osr_entries() const { return osr_entries_; }
  bool unsupported() const { return !unsupported_.empty(); }
  const std::string& unsupported_reason() const { return unsupported_; }

  // ---- metering: as tier 0 (metering/cost_model.h), one charge per run
  void on_opcode(D& d, Opcode op, bool reachable) {
    masm_.set_wasm_offset(static_cast<uint32_t>(d.op_offset()));
    if (!metering_) return;
    if (const uint64_t entry = run_.take_entry_charge(op)) masm_.charge_gas(entry);
    run_.add(operator_cost(profile_, op));
    if (is_accounting(op)) {
      const uint64_t charge = run_.take();
      // Before the operator's code: before its label for loop/end/else.
      if (reachable && charge != 0) masm_.charge_gas(charge);
    }
    // Work proportional to an operand, charged as tier 0 does: when the
    // operator runs, from its count (every such operator takes it last).
    if (const uint64_t rate = per_unit_rate(op); reachable && rate != 0) {
      if (rate > static_cast<uint64_t>(INT32_MAX) || stack_.empty())
        return fail("per-unit gas rates past 2^31");
      masm_.charge_gas_per_unit(top_to_reg(), rate);
    }
  }

  void begin_function(D& d) {
    num_locals_ = static_cast<uint32_t>(d.locals().size());
    regs_.init(masm_.num_value_regs(), num_locals_);
    const uint32_t num_params = static_cast<uint32_t>(d.func_type().params.size());
    masm_.prologue();
    if (num_locals_ > num_params) masm_.zero_slots(num_params, num_locals_ - num_params);
    if (metering_) run_.begin_function(locals_entry_cost(profile_, num_locals_ - num_params));
  }

  // The frame's size as tier 0 has it (tier0-interp/prepare.cc): the same
  // value-stack check in both tiers, and the size of a frame tier 0 may run.
  void end_function(D& d) {
    emit_osr_entries();
    max_slots_ = num_locals_ + d.max_height() + 1;
    masm_.set_frame_slots(max_slots_);
  }
  uint32_t num_locals() const { return num_locals_; }
  uint32_t max_slots() const { return max_slots_; }

  void on_unreachable(D& d) {
    masm_.trap(TrapKind::Unreachable);
    drop_frame(d);
  }

  // A block's entry is no label: values may stay in registers. Its end is
  // one: every way there sends stack values home and matches its merge state.
  void on_block(D&, Frame& f) { f.data.label = masm_.new_label(); }
  void on_loop(D& d, Frame& f) {
    spill_stack();
    load_loop_locals(d);
    // The entry defines the header's state. Its locals count as dirty, so
    // a back-edge never has to store them.
    regs_.mark_all_dirty();
    f.data.merge = regs_.snapshot();
    f.data.merge_set = true;
    f.data.label = masm_.new_label();
    if (emit_osr_) add_osr_entry(d, f);
    masm_.bind(f.data.label);
  }
  void on_if(D&, Frame& f) {
    // The condition was popped by the decoder; it is our top entry.
    const Entry cond = pop_condition();
    spill_stack();
    f.data.label = masm_.new_label();
    f.data.else_label = masm_.new_label();
    f.data.at_if = regs_.snapshot();
    branch_on(cond, false, f.data.else_label);
    release(cond);
  }
  void on_else(D&, Frame& f) {
    if (!f.unreachable) {
      spill_stack();
      arrive(f);
      masm_.jump(f.data.label);
    }
    drop_to(f.height);
    masm_.bind(f.data.else_label);
    f.data.else_label = Label{};
    regs_.restore(f.data.at_if);
    for (uint32_t i = 0; i < f.sig.num_params; ++i) stack_.push_back(Entry{});
  }
  void on_end(D& d, Frame& f) {
    if (d.control_depth() == 1) {  // the function's own end
      if (!f.unreachable) emit_return(f.sig.num_results);
      return;
    }
    if (!f.unreachable) {
      spill_stack();
      if (!f.is_loop()) arrive(f);
    }
    drop_to(f.height);
    if (f.is_loop()) {
      // Not a label: the fall-through goes on in its own state.
      if (f.unreachable) regs_.forget_locals();
    } else {
      if (f.data.else_label.valid()) {  // an if without else: its false arm
        if (!f.data.merge_set) {
          f.data.merge = f.data.at_if;
          f.data.merge_set = true;
          masm_.bind(f.data.else_label);
        } else {
          regs_.restore(f.data.at_if);
          if (transition_is_empty(regs_, f.data.merge)) {
            masm_.bind(f.data.else_label);
          } else {
            if (!f.unreachable) masm_.jump(f.data.label);
            masm_.bind(f.data.else_label);
            emit_transition(masm_, regs_, f.data.merge);
          }
        }
      }
      masm_.bind(f.data.label);
      if (f.data.merge_set)
        regs_.restore(f.data.merge);
      else
        regs_.forget_locals();
    }
    for (uint32_t i = 0; i < f.sig.num_results; ++i) stack_.push_back(Entry{});
  }

  void on_br(D& d, uint32_t depth) {
    spill_stack();
    branch_to(d, depth, static_cast<uint32_t>(stack_.size()));
    drop_frame(d);
  }
  void on_br_if(D& d, uint32_t depth) {
    const Entry cond = pop_condition();
    spill_stack();
    const uint32_t height = static_cast<uint32_t>(stack_.size());
    Frame& t = d.control_at(depth);
    if (depth == d.control_depth() - 1 || needs_moves(t, height)) {
      const Label skip = masm_.new_label();
      branch_on(cond, false, skip);
      branch_to(d, depth, height);
      masm_.bind(skip);
    } else {
      define_merge(t);
      branch_on(cond, true, t.data.label);
    }
    release(cond);
  }
  void on_br_table(D& d, const uint32_t* depths, uint32_t n) {
    const Reg index = pop_to_reg();
    spill_stack();
    const uint32_t height = static_cast<uint32_t>(stack_.size());
    // Targets that need code on the way get a pad, one per distinct target.
    std::vector<std::pair<uint32_t, Label>> pads;
    for (uint32_t i = 0; i < n; ++i) {
      Frame& t = d.control_at(depths[i]);
      if (depths[i] != d.control_depth() - 1 && !needs_moves(t, height)) define_merge(t);
    }
    std::vector<Label> targets(n);
    for (uint32_t i = 0; i < n; ++i) {
      Frame& t = d.control_at(depths[i]);
      if (depths[i] == d.control_depth() - 1 || needs_moves(t, height)) {
        pads.emplace_back(depths[i], Label{});
      } else {
        targets[i] = t.data.label;
      }
    }
    std::sort(pads.begin(), pads.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    pads.erase(std::unique(pads.begin(), pads.end(),
                           [](const auto& a, const auto& b) { return a.first == b.first; }),
               pads.end());
    for (auto& pad : pads) pad.second = masm_.new_label();
    for (uint32_t i = 0; i < n; ++i) {
      if (targets[i].valid()) continue;
      targets[i] = std::lower_bound(pads.begin(), pads.end(), depths[i],
                                    [](const auto& p, uint32_t v) { return p.first < v; })
                       ->second;
    }
    masm_.jump_table(index, targets);
    free_reg(index);
    for (const auto& pad : pads) {
      masm_.bind(pad.second);
      branch_to(d, pad.first, height);
    }
    drop_frame(d);
  }
  void on_return(D& d) {
    emit_return(static_cast<uint32_t>(d.func_type().results.size()));
    drop_frame(d);
  }

  void on_call(D& d, uint32_t f) {
    const FuncType& ft = d.module().func_type(f);
    call_prepare(static_cast<uint32_t>(ft.params.size()));
    const Module& m = d.module();
    if (f < m.num_imported_funcs) {
      masm_.call_func(layout_.func(f), call_base_);
    } else {
      const FuncCode& callee = *m.code[f - m.num_imported_funcs];
      masm_.call_local(f, &callee.jit_entry, callee.jit_entry.load(std::memory_order_acquire),
                       &callee == &code_, layout_.func(f), call_base_);
    }
    call_finish(static_cast<uint32_t>(ft.params.size()), static_cast<uint32_t>(ft.results.size()));
  }
  void on_call_indirect(D& d, uint32_t type_index, uint32_t table) {
    const FuncType& ft = d.module().types[type_index];
    const Reg index = pop_to_reg();
    const uint32_t np = static_cast<uint32_t>(ft.params.size());
    // Spill everything but the index, which the call sequence consumes.
    spill_all();
    call_base_ = num_locals_ + static_cast<uint32_t>(stack_.size()) - np;
    masm_.call_indirect(index, layout_.table(table), type_index, d.module().type_ids[type_index],
                        call_base_);
    free_reg(index);
    call_finish(np, static_cast<uint32_t>(ft.results.size()));
  }

  void on_drop(D&) { release(pop()); }
  void on_select(D&, ValType) {
    if (stack_.back().kind == Entry::Kind::Cmp) return select_on_compare(pop());
    const Reg cond = pop_to_reg();
    const Reg if_false = pop_to_reg();
    const Reg dst = own(pop_to_reg());
    masm_.select(dst, if_false, cond);
    free_reg(cond);
    free_reg(if_false);
    push_reg(dst);
  }

  void on_local_get(D&, uint32_t x) {
    const int cached = regs_.reg_of(x);
    if (cached >= 0) {
      const Reg r = static_cast<Reg>(cached);
      regs_.ref(r);
      regs_.touch(r);
      push_reg(r);
      return;
    }
    const Reg r = alloc_reg();
    masm_.load_slot(r, x);
    regs_.bind(x, r, false);
    push_reg(r);
  }
  void on_local_set(D&, uint32_t x) {
    const Entry e = pop();
    if (e.kind == Entry::Kind::Const) {
      masm_.mov_imm(reg_for_write(x), e.value);
      return;
    }
    set_local(x, to_reg(e, static_cast<uint32_t>(stack_.size())));
  }
  void on_local_tee(D&, uint32_t x) {
    if (stack_.back().kind == Entry::Kind::Const) {
      masm_.mov_imm(reg_for_write(x), stack_.back().value);
      return;
    }
    const Reg r = top_to_reg();  // the stack entry keeps its reference
    if (regs_.reg_of(x) == r) {
      regs_.set_dirty(r);
    } else if (regs_.exclusive(r)) {  // the local shares the entry's register
      regs_.unbind(x);
      regs_.bind(x, r, true);
    } else {
      masm_.mov(reg_for_write(x), r);
    }
  }
  void on_global_get(D&, uint32_t x) {
    const Reg r = alloc_reg();
    masm_.global_get(r, layout_.global(x));
    push_reg(r);
  }
  void on_global_set(D&, uint32_t x) {
    const Reg r = pop_to_reg();
    masm_.global_set(layout_.global(x), r);
    free_reg(r);
  }

  void on_load(D&, Opcode op, MemArg m) {
    const Reg addr = pop_to_reg();
    const Reg dst = alloc_reg();
    if (!masm_.load(op, dst, addr, m.offset)) fail(op_info(op).name);
    free_reg(addr);
    push_reg(dst);
  }
  void on_store(D&, Opcode op, MemArg m) {
    const Reg value = pop_to_reg();
    const Reg addr = pop_to_reg();
    if (!masm_.store(op, addr, value, m.offset)) fail(op_info(op).name);
    free_reg(value);
    free_reg(addr);
  }
  void on_memory_size(D&) {
    const Reg r = alloc_reg();
    masm_.memory_size(r);
    push_reg(r);
  }
  void on_memory_grow(D&) {
    // A call into the runtime: everything below the operand goes home first.
    Entry delta = pop();
    spill_all();
    const Reg r = own(to_reg(delta, static_cast<uint32_t>(stack_.size())));
    masm_.memory_grow(r, r);
    push_reg(r);
  }
  void on_const(D&, Value v) { push_const(v.bits); }
  void on_numeric(D&, Opcode op) {
    const OpInfo& info = op_info(op);
    if (op == Opcode::I32Eqz || op == Opcode::I64Eqz) {  // x == 0, pending
      const Reg r = pop_to_reg();
      push_compare(op == Opcode::I32Eqz ? Opcode::I32Eq : Opcode::I64Eq, r, 0, true);
      return;
    }
    if (info.shape == OpShape::Unary) {
      const Reg r = own(pop_to_reg());
      if (!masm_.unary(op, r, r)) fail(info.name);
      push_reg(r);
      return;
    }
    int32_t imm = 0;
    Reg lhs, rhs;
    if (as_imm(stack_.back(), info.in, &imm)) {
      const Entry constant = pop();
      lhs = pop_to_reg();
      if (is_int_compare(op)) return push_compare(op, lhs, imm, true);
      // The result's register; the operator copies lhs there itself.
      const Reg dst = result_reg(lhs);
      if (masm_.binary_imm(op, dst, lhs, imm)) {
        if (dst != lhs) free_reg(lhs);
        return push_reg(dst);
      }
      lhs = move_into(dst, lhs);  // no immediate form: a copy, the constant in a register
      rhs = alloc_reg();
      masm_.mov_imm(rhs, constant.value);
    } else {
      rhs = pop_to_reg();
      lhs = pop_to_reg();
      if (is_int_compare(op)) return push_compare(op, lhs, rhs, false);
      lhs = own(lhs);
    }
    if (!masm_.binary(op, lhs, lhs, rhs)) fail(info.name);
    free_reg(rhs);
    push_reg(lhs);
  }

  // References: null is 0, ref.is_null compares with it.
  void on_ref_null(D&, ValType) { push_const(0); }
  void on_ref_is_null(D&) {
    const Reg r = own(pop_to_reg());
    if (!masm_.unary(Opcode::I64Eqz, r, r)) fail("ref.is_null");
    push_reg(r);
  }

  // Bulk memory, tables and ref.func: calls into runtime helpers
  // (tier1-jit/abi.h), which raise their own traps.
  void on_ref_func(D&, uint32_t f) { runtime_call(helpers_.ref_func, {f}, 0, true); }
  void on_table_get(D&, uint32_t x) { runtime_call(helpers_.table_get, {x}, 1, true); }
  void on_table_set(D&, uint32_t x) { runtime_call(helpers_.table_set, {x}, 2, false); }
  void on_table_size(D&, uint32_t x) { runtime_call(helpers_.table_size, {x}, 0, true); }
  void on_table_grow(D&, uint32_t x) { runtime_call(helpers_.table_grow, {x}, 2, true); }
  void on_table_fill(D&, uint32_t x) { runtime_call(helpers_.table_fill, {x}, 3, false); }
  void on_table_copy(D&, uint32_t dst, uint32_t src) {
    runtime_call(helpers_.table_copy, {uint64_t{dst} << 32 | src}, 3, false);
  }
  void on_table_init(D&, uint32_t seg, uint32_t table) {
    runtime_call(helpers_.table_init, {uint64_t{seg} << 32 | table}, 3, false);
  }
  void on_elem_drop(D&, uint32_t seg) { runtime_call(helpers_.elem_drop, {seg}, 0, false); }
  void on_memory_init(D&, uint32_t seg) { runtime_call(helpers_.memory_init, {seg}, 3, false); }
  void on_data_drop(D&, uint32_t seg) { runtime_call(helpers_.data_drop, {seg}, 0, false); }
  void on_memory_copy(D&) { runtime_call(helpers_.memory_copy, {}, 3, false); }
  void on_memory_fill(D&) { runtime_call(helpers_.memory_fill, {}, 3, false); }

 private:
  // On-stack replacement (tier0-interp/interp_loop.inc): a tier-0 frame whose
  // loop got hot enters here with every local and operand in its slot, the
  // state at `f`'s header, whose charge tier 0 has made. Recorded here, with
  // the header's register state, and emitted after the body
  // (emit_osr_entries), so the way into the loop from above has no jump
  // over it.
  void add_osr_entry(D& d, const Frame& f) {
    const Label entry = masm_.new_label();
    pending_osr_.push_back(
        PendingOsr{entry, f.data.label, f.data.merge, static_cast<uint32_t>(d.op_offset())});
    osr_entries_.push_back(entry);
  }
  void emit_osr_entries() {
    for (const PendingOsr& p : pending_osr_) {
      masm_.set_wasm_offset(p.wasm_offset);  // the loop's, for a trap in the prologue
      masm_.bind(p.entry);
      masm_.osr_prologue();
      // Tier 0 keeps every local in its slot; the header keeps some in registers.
      for (uint32_t m = p.header_state.held; m != 0; m &= m - 1) {
        const int r = __builtin_ctz(m);
        masm_.load_slot(static_cast<Reg>(r), p.header_state.local[r]);
      }
      masm_.jump(p.header);
    }
  }

  // Calls `fn` with `constants` then the top `operands` stack values as its
  // arguments, pushing its result if `has_result`. Like every call, it sends
  // the rest of the stack home first.
  void runtime_call(RuntimeHelper fn, std::initializer_list<uint64_t> constants,
                    uint32_t operands, bool has_result) {
    std::vector<Reg> popped(operands);
    for (uint32_t i = operands; i-- > 0;) popped[i] = pop_to_reg();
    spill_all();
    // Helpers take distinct registers (two operands may share one).
    for (Reg& r : popped) r = own(r);
    std::vector<Reg> args;
    for (uint64_t c : constants) {
      const Reg r = alloc_reg();
      masm_.mov_imm(r, c);
      args.push_back(r);
    }
    args.insert(args.end(), popped.begin(), popped.end());
    masm_.call_runtime(reinterpret_cast<const void*>(fn), args, has_result ? args[0] : -1);
    for (size_t i = has_result ? 1 : 0; i < args.size(); ++i) free_reg(args[i]);
    if (has_result) push_reg(args[0]);
  }

  // A broken invariant of the compiler itself: the function is not
  // compiled (it stays in tier 0) rather than compiled wrong.
  void internal_error(const char* what) {
    if (unsupported_.empty()) unsupported_ = std::string("tier 1 internal error: ") + what;
  }
  void fail(const char* what) {
    if (unsupported_.empty()) unsupported_ = std::string("tier 1 does not compile ") + what + " yet";
  }
  uint64_t per_unit_rate(Opcode op) const {
    switch (op) {
      case Opcode::MemoryGrow: return profile_.memory_grow_per_page;
      case Opcode::MemoryCopy:
      case Opcode::MemoryFill:
      case Opcode::MemoryInit: return profile_.bulk_memory_per_byte;
      case Opcode::TableCopy:
      case Opcode::TableFill:
      case Opcode::TableInit:
      case Opcode::TableGrow: return profile_.table_per_element;
      default: return 0;
    }
  }

  uint32_t home(uint32_t height_index) const { return num_locals_ + height_index; }

  // ---- registers (tier1-jit/reg_state.h)
  // A register with one reference, the caller's. When none is free, the
  // least recently used cached local goes back to its slot, else the
  // deepest register entry of the stack goes home.
  Reg alloc_reg() {
    for (;;) {
      if (const int r = regs_.take_free(); r >= 0) return static_cast<Reg>(r);
      if (const int r = regs_.evictable(); r >= 0) {
        evict(static_cast<Reg>(r));
      } else if (!spill_one()) {
        fail("a function that needs more registers than there are");
        return 0;
      }
    }
  }
  void free_reg(Reg r) {
    if (!regs_.unref(r)) internal_error("a register released more often than taken");
  }
  void evict(Reg r) {
    const uint32_t x = regs_.local(r);
    if (regs_.dirty(r)) masm_.store_slot(x, r);
    regs_.unbind(x);
  }
  // Sends stack entry i home. It is marked home first: materializing a
  // comparison may allocate, and that must not pick this entry again.
  void spill_entry(uint32_t i) {
    const Entry e = stack_[i];
    stack_[i] = Entry{};
    if (e.kind == Entry::Kind::Reg || e.kind == Entry::Kind::Cmp) {
      const Reg r = e.kind == Entry::Kind::Cmp ? materialize(e) : e.reg;
      masm_.store_slot(home(i), r);
      free_reg(r);
    } else if (e.kind == Entry::Kind::Const) {
      masm_.store_slot_imm(home(i), e.value);
    }
  }
  // Sends the deepest register entry home; false if there is none.
  bool spill_one() {
    for (uint32_t i = 0; i < stack_.size(); ++i) {
      const Entry::Kind k = stack_[i].kind;
      if (k == Entry::Kind::Reg || k == Entry::Kind::Cmp) {
        spill_entry(i);
        return true;
      }
    }
    return false;
  }
  // Every stack value to its home (before a branch or a label).
  void spill_stack() {
    for (uint32_t i = 0; i < stack_.size(); ++i) spill_entry(i);
  }
  // Stack values home and locals to their slots: before a call, which
  // clobbers every value register.
  void spill_all() {
    spill_stack();
    for (int r = 0; r < regs_.num_regs(); ++r)
      if (regs_.local(static_cast<Reg>(r)) != kNoLocal) evict(static_cast<Reg>(r));
  }
  // The register an operator on `r` (one reference, the caller's) may write
  // its result to: `r` itself if nobody else uses it, else a new one (own
  // copies r there; an operator with a separate destination needs no copy).
  Reg result_reg(Reg r) {
    if (regs_.exclusive(r)) return r;
    // Shared only with a local and no register free: the local gives the
    // register up (to its slot) rather than pushing another local out.
    if (regs_.refs(r) == 1 && !regs_.any_free()) {
      evict(r);
      return r;
    }
    return alloc_reg();
  }
  // `r`'s value in `dst` (from result_reg(r)), r's reference given up.
  Reg move_into(Reg dst, Reg r) {
    if (dst != r) {
      masm_.mov(dst, r);
      free_reg(r);
    }
    return dst;
  }
  // `r` (one reference, the caller's) as a register the caller may write:
  // itself if nobody else uses it, else a copy.
  Reg own(Reg r) { return move_into(result_reg(r), r); }

  // ---- locals
  // The register local `x` gets its next value in (marked dirty): its own
  // if no stack entry still reads the old value there, else a new one.
  Reg reg_for_write(uint32_t x) {
    const int cached = regs_.reg_of(x);
    if (cached >= 0 && regs_.refs(static_cast<Reg>(cached)) == 0) {
      regs_.set_dirty(static_cast<Reg>(cached));
      regs_.touch(static_cast<Reg>(cached));
      return static_cast<Reg>(cached);
    }
    regs_.unbind(x);
    const Reg n = alloc_reg();
    free_reg(n);
    regs_.bind(x, n, true);
    return n;
  }
  // local x = the value in `r` (whose reference the caller gives up).
  void set_local(uint32_t x, Reg r) {
    if (regs_.reg_of(x) == r) {  // local.get x; local.set x
      regs_.set_dirty(r);
      free_reg(r);
      return;
    }
    if (regs_.exclusive(r)) {  // rename: the value's register is the local's
      regs_.unbind(x);
      free_reg(r);
      regs_.bind(x, r, true);
      return;
    }
    const Reg n = reg_for_write(x);
    masm_.mov(n, r);
    free_reg(r);
  }

  // The loop header's state: the locals the loop uses most in registers
  // (loaded now if they are not), leaving registers for operands, so no
  // back-edge reloads them; and no other local: one cached here would hold
  // its register through every iteration, the body storing and reloading it
  // around its operands.
  void load_loop_locals(D& d) {
    constexpr int kOperandRegs = 3;
    const int max = regs_.num_regs() - kOperandRegs;
    if (max <= 0) return;
    if (!scan_ready_) {
      scan_.reset(module_.bytes.data(), body_.body_start, body_.body_end, num_locals_);
      scan_ready_ = true;
    }
    uint32_t hot[kMaxValueRegs];
    const int32_t n = scan_.hot_locals(d.op_offset(), static_cast<uint32_t>(max), hot);
    if (n < 0) return;  // nothing known of the loop: keep what is cached
    const auto is_hot = [&](uint32_t x) { return std::find(hot, hot + n, x) != hot + n; };
    for (int c = 0; c < regs_.num_regs(); ++c) {
      const uint32_t x = regs_.local(static_cast<Reg>(c));
      if (x != kNoLocal && regs_.refs(static_cast<Reg>(c)) == 0 && !is_hot(x))
        evict(static_cast<Reg>(c));
    }
    for (int32_t i = 0; i < n; ++i) {
      if (regs_.reg_of(hot[i]) >= 0) continue;
      const int r = regs_.take_free();
      if (r < 0) return;
      masm_.load_slot(static_cast<Reg>(r), hot[i]);
      free_reg(static_cast<Reg>(r));
      regs_.bind(hot[i], static_cast<Reg>(r), false);
    }
  }

  // ---- merge states
  // The first way into `t`'s label defines its state.
  void define_merge(Frame& t) {
    if (t.data.merge_set) return;
    t.data.merge = regs_.snapshot();
    t.data.merge_set = true;
  }
  // Brings the locals to `t`'s merge state (stack values already home).
  void arrive(Frame& t) {
    if (!t.data.merge_set)
      define_merge(t);
    else if (!transition_is_empty(regs_, t.data.merge))  // the cheap check first
      emit_transition(masm_, regs_, t.data.merge);
  }

  // ---- the value stack
  void push_reg(Reg r) {
    Entry e;
    e.kind = Entry::Kind::Reg;
    e.reg = r;
    stack_.push_back(e);
  }
  // A comparison of lhs with the register or immediate `rhs`, left pending.
  void push_compare(Opcode op, Reg lhs, int32_t rhs, bool rhs_is_imm) {
    Entry e;
    e.kind = Entry::Kind::Cmp;
    e.op = op;
    e.reg = lhs;
    e.rhs_is_imm = rhs_is_imm;
    if (rhs_is_imm)
      e.value = static_cast<uint32_t>(rhs);
    else
      e.rhs = static_cast<Reg>(rhs);
    stack_.push_back(e);
  }
  // The 0/1 value of a pending comparison, in a register the caller owns
  // (the operands' references are given up).
  Reg materialize(const Entry& e) {
    // A comparison reads both operands before it writes: a shared left
    // operand needs no copy, just another destination.
    const Reg dst = regs_.exclusive(e.reg) ? e.reg : alloc_reg();
    bool ok;
    if (e.rhs_is_imm) {
      ok = masm_.binary_imm(e.op, dst, e.reg, static_cast<int32_t>(e.value));
    } else {
      ok = masm_.binary(e.op, dst, e.reg, e.rhs);
      free_reg(e.rhs);
    }
    if (dst != e.reg) free_reg(e.reg);
    if (!ok) fail(op_info(e.op).name);
    return dst;
  }
  // The top entry as a branch condition: a pending comparison, or a value
  // in a register.
  Entry pop_condition() {
    if (stack_.back().kind == Entry::Kind::Cmp) return pop();
    Entry e;
    e.kind = Entry::Kind::Reg;
    e.reg = pop_to_reg();
    return e;
  }
  // select on a pending comparison: one compare and a conditional move, for
  // values of any type (the move takes all 64 bits). The comparison's
  // operands keep their references until it is emitted, so taking the
  // values into registers (dst a copy if anyone else holds it) never
  // reuses or evicts them; the compare reads them before dst is written.
  void select_on_compare(const Entry& cond) {
    const Reg if_false = pop_to_reg();
    const Reg dst = own(pop_to_reg());
    const bool ok = cond.rhs_is_imm
                        ? masm_.compare_imm_select(cond.op, cond.reg,
                                                   static_cast<int32_t>(cond.value), dst, if_false)
                        : masm_.compare_select(cond.op, cond.reg, cond.rhs, dst, if_false);
    if (!ok) fail(op_info(cond.op).name);
    release(cond);
    free_reg(if_false);
    push_reg(dst);
  }
  // Branches to `target` if `cond` (from pop_condition) is `when`.
  void branch_on(const Entry& cond, bool when, Label target) {
    if (cond.kind == Entry::Kind::Cmp) {
      const bool ok = cond.rhs_is_imm ? masm_.compare_imm_branch(cond.op, cond.reg,
                                                                 static_cast<int32_t>(cond.value),
                                                                 when, target)
                                      : masm_.compare_branch(cond.op, cond.reg, cond.rhs, when,
                                                             target);
      if (!ok) fail(op_info(cond.op).name);
    } else if (when) {
      masm_.branch_if_nonzero(cond.reg, target);
    } else {
      masm_.branch_if_zero(cond.reg, target);
    }
  }
  Entry pop() {
    const Entry e = stack_.back();
    stack_.pop_back();
    return e;
  }
  void release(const Entry& e) {
    if (e.kind == Entry::Kind::Reg || e.kind == Entry::Kind::Cmp) free_reg(e.reg);
    if (e.kind == Entry::Kind::Cmp && !e.rhs_is_imm) free_reg(e.rhs);
  }
  void push_const(uint64_t bits) {
    Entry e;
    e.kind = Entry::Kind::Const;
    e.value = bits;
    stack_.push_back(e);
  }
  // The entry's value in a register it owns; `index` is its height.
  Reg to_reg(const Entry& e, uint32_t index) {
    if (e.kind == Entry::Kind::Reg) return e.reg;
    if (e.kind == Entry::Kind::Cmp) return materialize(e);
    const Reg r = alloc_reg();
    if (e.kind == Entry::Kind::Const)
      masm_.mov_imm(r, e.value);
    else
      masm_.load_slot(r, home(index));
    return r;
  }
  Reg pop_to_reg() {
    const uint32_t index = static_cast<uint32_t>(stack_.size()) - 1;
    const Entry e = pop();
    // Allocation may spill: the popped entry is no longer on the stack, so
    // it cannot be the victim.
    return to_reg(e, index);
  }
  Reg top_to_reg() {
    const uint32_t index = static_cast<uint32_t>(stack_.size()) - 1;
    const Entry e = pop();
    const Reg r = to_reg(e, index);
    push_reg(r);
    return r;
  }
  void drop_to(uint32_t height) {
    while (stack_.size() > height) release(pop());
  }
  // After an unconditional transfer the rest of the frame is unreachable:
  // its operands are gone (the decoder's stack is cut to the frame's height).
  void drop_frame(D& d) { drop_to(d.control_at(0).height); }

  // ---- branches: all values are home; carry the label's values to the
  // target's homes, bring the locals to its merge state, then jump.
  bool needs_moves(const Frame& t, uint32_t height) const {
    return (t.label_arity() != 0 && height - t.label_arity() != t.height) ||
           (t.data.merge_set && !transition_is_empty(regs_, t.data.merge));
  }
  void branch_to(D& d, uint32_t depth, uint32_t height) {
    if (depth == d.control_depth() - 1) {  // the function's label: return
      emit_return_from(static_cast<uint32_t>(d.func_type().results.size()), height);
      return;
    }
    Frame& t = d.control_at(depth);
    const uint32_t arity = t.label_arity();
    for (uint32_t i = 0; i < arity; ++i) {
      const uint32_t from = home(height - arity + i), to = home(t.height + i);
      if (from != to) masm_.copy_slot(to, from);
    }
    arrive(t);
    masm_.jump(t.data.label);
  }
  // Returns with the top num_results entries as the results, stored straight
  // to slots 0.. (nothing below them is needed any more).
  void emit_return(uint32_t num_results) {
    // Locals are dead: none may be stored over a result slot.
    regs_.forget_locals();
    const uint32_t base = static_cast<uint32_t>(stack_.size()) - num_results;
    // Results at home first, ascending: slot i is below every later home.
    for (uint32_t i = 0; i < num_results; ++i) {
      if (stack_[base + i].kind == Entry::Kind::Home && home(base + i) != i)
        masm_.copy_slot(i, home(base + i));
    }
    for (uint32_t i = 0; i < num_results; ++i) {
      Entry& e = stack_[base + i];
      if (e.kind == Entry::Kind::Const) {
        masm_.store_slot_imm(i, e.value);
      } else if (e.kind == Entry::Kind::Cmp) {
        // The entry becomes its 0/1 value, which the stack then owns: the
        // comparison's operands are released once, by materialize.
        const Reg r = materialize(e);
        e = Entry{};
        e.kind = Entry::Kind::Reg;
        e.reg = r;
        masm_.store_slot(i, r);
      } else if (e.kind == Entry::Kind::Reg) {
        masm_.store_slot(i, e.reg);
      }
    }
    masm_.epilogue();
  }
  void emit_return_from(uint32_t num_results, uint32_t height) {
    for (uint32_t i = 0; i < num_results; ++i) {
      const uint32_t from = home(height - num_results + i);
      if (from != i) masm_.copy_slot(i, from);
    }
    masm_.epilogue();
  }

  // ---- calls: arguments and everything else go home; the callee's frame
  // starts at the first argument's home, where its results come back.
  void call_prepare(uint32_t num_params) {
    spill_all();
    call_base_ = home(static_cast<uint32_t>(stack_.size()) - num_params);
  }
  void call_finish(uint32_t num_params, uint32_t num_results) {
    for (uint32_t i = 0; i < num_params; ++i) stack_.pop_back();
    for (uint32_t i = 0; i < num_results; ++i) stack_.push_back(Entry{});
  }

  MacroAssembler& masm_;
  const Module& module_;
  const FunctionBody& body_;
  LoopScan scan_;  // reset at the first loop
  bool scan_ready_ = false;
  InstanceLayout layout_;
  const FuncCode& code_;
  bool metering_;
  GasProfile profile_;
  RunCost run_;
  RegState regs_;
  const RuntimeHelpers& helpers_;
  uint32_t num_locals_ = 0;
  uint32_t max_slots_ = 0;
  uint32_t call_base_ = 0;
  FlatStack<Entry> stack_;
  std::vector<Label> osr_entries_;
  struct PendingOsr {
    Label entry, header;
    LocalsState header_state;
    uint32_t wasm_offset;
  };
  std::vector<PendingOsr> pending_osr_;
  bool emit_osr_ = true;
  std::string unsupported_;

  // The containers' storage, kept per thread from one function to the next
  // (as FunctionDecoder's), unless it grew past ThreadStorage's kKeep.
  struct Storage {
    FlatStack<Entry> stack;
    LoopScan scan;
    std::vector<uint8_t> local_regs;
  };
  void swap_storage(Storage& other) noexcept {
    stack_.swap(other.stack);
    scan_.swap_storage(other.scan);
    regs_.swap_storage(other.local_regs);
  }
  ThreadStorage<Storage> spare_;  // swapped into the above while compiling
};

// For engine developers: with WVM_JIT_DUMP=DIR set, every compiled
// function's code goes to DIR/f<index>.bin (disassemble with
// `objdump -D -b binary -m i386:x86-64` or `-m aarch64`).
const char* dump_dir() {
  static const char* const dir = std::getenv("WVM_JIT_DUMP");
  return dir;
}
void dump_code(uint32_t func_index, const void* entry, uint32_t size) {
  const char* const dir = dump_dir();
  if (dir == nullptr) return;
  const std::string path = std::string(dir) + "/f" + std::to_string(func_index) + ".bin";
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(entry, 1, size, f);
    std::fclose(f);
  }
}

}  // namespace

Error code_space_exhausted(const CodeArena& arena) {
  return Error{ErrorKind::LimitExceeded, 0,
               "JIT code space exhausted (" + std::to_string(arena.used()) + " of " +
                   std::to_string(arena.capacity()) +
                   " bytes in use; see TierConfig::code_space_bytes)",
               TrapKind::None};
}

Error code_not_written() {
  return Error{ErrorKind::LimitExceeded, 0, "JIT code could not be written (out of memory)",
               TrapKind::None};
}

Result<CompiledCode> compile_function(const Module& module, const ModuleLimits& limits,
                                      uint32_t func_index, Backend& backend, bool osr_entries,
                                      CodeBatch* batch) {
  const FuncCode& code = *module.code[func_index - module.num_imported_funcs];
  // Given back to the backend on every way out, for the next function.
  struct Recycle {
    Backend& backend;
    std::unique_ptr<MacroAssembler> masm;
    ~Recycle() { backend.recycle(std::move(masm)); }
  } taken{backend, backend.take_function()};
  MacroAssembler* const masm = taken.masm.get();
  const FunctionBody& body = module.bodies[func_index - module.num_imported_funcs];
  masm->reserve(body.body_end - body.body_start);
  masm->set_code_batch(batch);
  Tier1Compiler compiler(*masm, module, code, body);
  compiler.set_osr_entries(osr_entries);
  FunctionDecoder<Tier1Compiler> decoder(module, limits, func_index, compiler);
  Result<void> r = decoder.decode();
  if (!r && !compiler.unsupported()) return r.error();
  if (compiler.unsupported())
    return Error{ErrorKind::Unsupported, 0,
                 "function " + std::to_string(func_index) + ": " + compiler.unsupported_reason(),
                 TrapKind::None};
  const void* entry = masm->finish();
  if (entry == nullptr && masm->out_of_code_space()) return code_space_exhausted(backend.arena());
  if (entry == nullptr)
    return Error{ErrorKind::Unsupported, 0,
                 "function " + std::to_string(func_index) + ": code could not be assembled",
                 TrapKind::None};
  // The dump reads the code where it runs: a batch's must be there first.
  if (batch != nullptr && dump_dir() != nullptr && !batch->commit())
    return code_not_written();
  dump_code(func_index, entry, masm->code_size());
  auto block = std::make_shared<const CodeBlock>(backend.arena().shared_from_this(),
                                                 static_cast<const uint8_t*>(entry));
  CompiledCode out{entry,
                   std::move(block),
                   masm->take_code_info(),
                   masm->take_sites(),
                   masm->code_size(),
                   {},
                   compiler.num_locals(),
                   compiler.max_slots()};
  for (const Label l : compiler.osr_entries()) out.osr_entries.push_back(masm->label_offset(l));
  return out;
}

}  // namespace wvm::jit
