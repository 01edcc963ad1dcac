// The validating function-body decoder. One decoding loop checks every rule of
// Wasm 2.0 validation and drives an Interface that lowers the code: the
// validator alone (ValidateOnly), tier-0 preparation, later tier-1
// compilation. Lowering never re-decodes and never re-validates.
//
// Interface contract:
//  - hooks are called only for reachable code (the innermost frame is live and
//    not after an unconditional branch); frames opened in unreachable code are
//    "dead" and none of their hooks run;
//  - hooks of ordinary operators run after the operands were popped and before
//    the results are pushed;
//  - branch, return, else and end hooks run with the operand stack as it stands
//    before the instruction (carried values still on it);
//  - the interface declares `struct ControlData` (per control frame storage),
//    each of its members with an initializer.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "module/decoder.h"
#include "module/opcodes.h"
#include "module/reader.h"
#include "module/thread_storage.h"
#include "wvm/config.h"
#include "wvm/module.h"

namespace wvm {

/// Stands for "any type" on the polymorphic stack of unreachable code.
constexpr ValType kBottom = static_cast<ValType>(0);

/// A block's parameter and result types (pointers into the module or a static table).
struct BlockSig {
  const ValType* params = nullptr;
  uint32_t num_params = 0;
  const ValType* results = nullptr;
  uint32_t num_results = 0;
};

/// A decoded memory immediate.
struct MemArg {
  uint32_t align_log2 = 0;
  uint32_t offset = 0;
};

template <class Data>
struct ControlFrame {
  Opcode kind = Opcode::Block;  // Block, Loop, If, Else, or End for the function frame
  BlockSig sig;
  uint32_t height = 0;          // operand stack height at entry, params excluded
  bool unreachable = false;     // after an unconditional branch in this frame
  bool live = true;             // its start was reachable, so hooks saw it
  Data data;  // every member of an interface's ControlData has an initializer

  // Provided, so that making a frame runs the initializers above and no
  // more (value-initialization would first zero the whole, large, frame).
  ControlFrame() {}

  bool is_loop() const noexcept { return kind == Opcode::Loop; }
  uint32_t label_arity() const noexcept { return is_loop() ? sig.num_params : sig.num_results; }
  const ValType* label_types() const noexcept { return is_loop() ? sig.params : sig.results; }
};

/// An interface whose hooks do nothing: validation only. Lowering interfaces
/// derive from it and hide the hooks they need.
struct ValidateOnly {
  struct ControlData {};
  /// False once lowering gave up (e.g. tier 1 meets an instruction it cannot
  /// compile yet): decoding stops with ErrorKind::Unsupported.
  bool ok() const { return true; }
  /// Called for every instruction, reachable or not, before it is decoded
  /// (metering accumulates costs of dead code too, as cosmwasm-vm does).
  template <class D> void on_opcode(D&, Opcode, bool /*reachable*/) {}
  template <class D> void begin_function(D&) {}
  template <class D> void end_function(D&) {}
  template <class D> void on_unreachable(D&) {}
  template <class D, class F> void on_block(D&, F&) {}
  template <class D, class F> void on_loop(D&, F&) {}
  template <class D, class F> void on_if(D&, F&) {}
  template <class D, class F> void on_else(D&, F&) {}
  template <class D, class F> void on_end(D&, F&) {}
  template <class D> void on_br(D&, uint32_t) {}
  template <class D> void on_br_if(D&, uint32_t) {}
  template <class D> void on_br_table(D&, const uint32_t*, uint32_t) {}
  template <class D> void on_return(D&) {}
  template <class D> void on_call(D&, uint32_t) {}
  template <class D> void on_call_indirect(D&, uint32_t, uint32_t) {}
  template <class D> void on_drop(D&) {}
  template <class D> void on_select(D&, ValType) {}
  template <class D> void on_local_get(D&, uint32_t) {}
  template <class D> void on_local_set(D&, uint32_t) {}
  template <class D> void on_local_tee(D&, uint32_t) {}
  template <class D> void on_global_get(D&, uint32_t) {}
  template <class D> void on_global_set(D&, uint32_t) {}
  template <class D> void on_table_get(D&, uint32_t) {}
  template <class D> void on_table_set(D&, uint32_t) {}
  template <class D> void on_load(D&, Opcode, MemArg) {}
  template <class D> void on_store(D&, Opcode, MemArg) {}
  template <class D> void on_memory_size(D&) {}
  template <class D> void on_memory_grow(D&) {}
  template <class D> void on_const(D&, Value) {}
  template <class D> void on_numeric(D&, Opcode) {}
  template <class D> void on_ref_null(D&, ValType) {}
  template <class D> void on_ref_is_null(D&) {}
  template <class D> void on_ref_func(D&, uint32_t) {}
  template <class D> void on_memory_init(D&, uint32_t) {}
  template <class D> void on_data_drop(D&, uint32_t) {}
  template <class D> void on_memory_copy(D&) {}
  template <class D> void on_memory_fill(D&) {}
  template <class D> void on_table_init(D&, uint32_t, uint32_t) {}
  template <class D> void on_elem_drop(D&, uint32_t) {}
  template <class D> void on_table_copy(D&, uint32_t, uint32_t) {}
  template <class D> void on_table_grow(D&, uint32_t) {}
  template <class D> void on_table_size(D&, uint32_t) {}
  template <class D> void on_table_fill(D&, uint32_t) {}
};

// A stack of trivially copyable values: a vector's storage with the height
// kept apart, so that push and pop stay a few inline instructions in a
// decoder's loop (std::vector::push_back is an out-of-line call there).
// Never gives memory back.
template <class T>
class FlatStack {
 public:
  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  T& back() noexcept { return data_[size_ - 1]; }
  const T& back() const noexcept { return data_[size_ - 1]; }
  T& operator[](size_t i) noexcept { return data_[i]; }
  const T& operator[](size_t i) const noexcept { return data_[i]; }
  void pop_back() noexcept { --size_; }
  [[gnu::always_inline]] void push_back(const T& v) {
    if (size_ == data_.size()) grow(size_ + 1);
    data_[size_++] = v;
  }
  void resize(size_t n) {
    if (n > data_.size()) grow(n);
    for (size_t i = size_; i < n; ++i) data_[i] = T{};
    size_ = n;
  }
  void reserve(size_t n) {
    if (n > data_.size()) grow(n);
  }
  size_t capacity() const noexcept { return data_.size(); }
  void clear() noexcept { size_ = 0; }
  void swap(FlatStack& other) noexcept {
    data_.swap(other.data_);
    std::swap(size_, other.size_);
  }

 private:
  [[gnu::noinline]] void grow(size_t at_least) {
    data_.resize(std::max<size_t>({64, at_least, 2 * data_.size()}));
  }
  std::vector<T> data_;
  size_t size_ = 0;
};

template <class Interface>
class FunctionDecoder {
 public:
  using Frame = ControlFrame<typename Interface::ControlData>;

  FunctionDecoder(const Module& module, const ModuleLimits& limits, uint32_t func_index,
                  Interface& iface)
      : module_(module),
        limits_(limits),
        func_index_(func_index),
        type_(module.func_type(func_index)),
        iface_(iface),
        r_(module.bytes.data(), module.bodies[func_index - module.num_imported_funcs].body_start,
           module.bodies[func_index - module.num_imported_funcs].body_end) {
    if (Storage* s = spare_.get()) swap_storage(*s);
  }
  ~FunctionDecoder() {
    constexpr size_t kKeep = ThreadStorage<Storage>::kKeep;
    Storage* s = spare_.get();
    if (s == nullptr || locals_.capacity() > kKeep || stack_.capacity() > kKeep ||
        control_.capacity() > kKeepFrames || br_targets_.capacity() > kKeep)
      return;
    locals_.clear();
    stack_.clear();
    control_.clear();
    br_targets_.clear();
    swap_storage(*s);
  }
  FunctionDecoder(const FunctionDecoder&) = delete;
  FunctionDecoder& operator=(const FunctionDecoder&) = delete;

  Result<void> decode();

  // --- what interfaces may ask ---
  const Module& module() const noexcept { return module_; }
  uint32_t func_index() const noexcept { return func_index_; }
  const FuncType& func_type() const noexcept { return type_; }
  /// Types of all locals, parameters first.
  const std::vector<ValType>& locals() const noexcept { return locals_; }
  /// Current operand stack height (operands only, locals excluded).
  uint32_t height() const noexcept { return static_cast<uint32_t>(stack_.size()); }
  /// Highest operand stack height seen so far.
  uint32_t max_height() const noexcept { return max_height_; }
  /// The control frame `depth` levels out (0 = innermost).
  Frame& control_at(uint32_t depth) noexcept { return control_[control_.size() - 1 - depth]; }
  uint32_t control_depth() const noexcept { return static_cast<uint32_t>(control_.size()); }
  /// The type of the operand `depth` entries below the top (0 = top).
  ValType peek_type(uint32_t depth) const noexcept { return stack_[stack_.size() - 1 - depth]; }
  /// Offset of the instruction being decoded.
  size_t op_offset() const noexcept { return op_offset_; }

 private:
  bool fail(ErrorKind kind, std::string message) {
    return r_.fail(kind, op_offset_, std::move(message));
  }
  bool invalid(std::string message) { return fail(ErrorKind::Invalid, std::move(message)); }
  bool type_mismatch(const char* what) { return invalid(std::string("type mismatch: ") + what); }

  bool reachable() const noexcept { return reachable_; }
  // Caches the innermost frame's height and reachability, which every
  // operator reads: called whenever the innermost frame changes.
  void sync_frame() noexcept {
    if (control_.empty()) return;
    const Frame& f = control_.back();
    floor_ = f.height;
    reachable_ = f.live && !f.unreachable;
  }

  [[gnu::always_inline]] void push(ValType t) {
    stack_.push_back(t);
    if (stack_.size() > max_height_) max_height_ = static_cast<uint32_t>(stack_.size());
  }
  void push_n(const ValType* types, uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) push(types[i]);
  }
  // Pops one operand that must be `expected` (kBottom: any). Returns its type
  // through `out` (kBottom when taken from the polymorphic base).
  [[gnu::always_inline]] bool pop(ValType expected, ValType* out = nullptr) {
    // The common case inline: an operand of the expected type is there.
    if (stack_.size() > floor_) {
      const ValType t = stack_.back();
      if (t == expected || expected == kBottom) {
        stack_.pop_back();
        if (out) *out = t;
        return true;
      }
    }
    return pop_slow(expected, out);
  }
  [[gnu::noinline]] bool pop_slow(ValType expected, ValType* out) {
    const Frame& f = control_.back();
    ValType t;
    if (stack_.size() == f.height) {
      if (!f.unreachable) return invalid("type mismatch: operand stack underflow");
      t = kBottom;
    } else {
      t = stack_.back();
      stack_.pop_back();
    }
    if (expected != kBottom && t != kBottom && t != expected) {
      return invalid(std::string("type mismatch: expected ") + val_type_name(expected) +
                     ", got " + val_type_name(t));
    }
    if (out) *out = (t == kBottom) ? expected : t;
    return true;
  }
  bool pop_n(const ValType* types, uint32_t n) {
    for (uint32_t i = n; i-- > 0;)
      if (!pop(types[i])) return false;
    return true;
  }
  // Checks, without popping, that the `n` operands below the top `skip` ones
  // have `types`.
  bool peek_check(uint32_t skip, const ValType* types, uint32_t n) {
    const Frame& f = control_.back();
    for (uint32_t i = 0; i < n; ++i) {
      const size_t depth = skip + i;  // from the top
      const ValType want = types[n - 1 - i];
      if (depth >= stack_.size() - f.height) {
        if (!f.unreachable) return invalid("type mismatch: operand stack underflow");
        continue;
      }
      const ValType got = stack_[stack_.size() - 1 - depth];
      if (got != kBottom && got != want)
        return invalid(std::string("type mismatch: expected ") + val_type_name(want) + ", got " +
                       val_type_name(got));
    }
    return true;
  }
  void set_unreachable() {
    Frame& f = control_.back();
    stack_.resize(f.height);
    f.unreachable = true;
    reachable_ = false;
  }

  bool read_block_sig(BlockSig* sig);
  bool read_memarg(Opcode op, MemArg* out);
  bool check_memory() {
    if (module_.memories.empty()) return invalid("unknown memory 0");
    return true;
  }
  bool check_table(uint32_t index) {
    if (index >= module_.tables.size()) return invalid("unknown table " + std::to_string(index));
    return true;
  }
  bool check_data_segment(uint32_t index) {
    // A binary-format rule: single-pass decoders need the count before the code.
    if (!module_.data_count) return fail(ErrorKind::Malformed, "data count section required");
    if (index >= *module_.data_count)
      return invalid("unknown data segment " + std::to_string(index));
    return true;
  }
  bool push_control(Opcode kind, const BlockSig& sig);
  bool decode_locals();
  // `key` is op's dispatch_key.
  [[gnu::always_inline]] inline bool decode_op(Opcode op, uint32_t key);
  bool decode_branch_depth(uint32_t* depth) {
    if (!r_.u32_fast(depth)) return false;
    if (*depth >= control_.size()) return invalid("unknown label");
    return true;
  }

  const Module& module_;
  const ModuleLimits& limits_;
  uint32_t func_index_ = 0;
  const FuncType& type_;
  Interface& iface_;
  Reader r_;
  size_t op_offset_ = 0;
  // The containers' storage, kept per thread from one body to the next (a
  // module's bodies then allocate nothing here once the first few grew it),
  // unless it grew past ThreadStorage's kKeep entries (kKeepFrames frames).
  struct Storage {
    std::vector<ValType> locals;
    FlatStack<ValType> stack;
    std::vector<Frame> control;
    std::vector<uint32_t> br_targets;
  };
  static constexpr size_t kKeepFrames = 256;
  void swap_storage(Storage& other) noexcept {
    locals_.swap(other.locals);
    stack_.swap(other.stack);
    control_.swap(other.control);
    br_targets_.swap(other.br_targets);
  }

  std::vector<ValType> locals_;
  FlatStack<ValType> stack_;
  std::vector<Frame> control_;
  std::vector<uint32_t> br_targets_;
  ThreadStorage<Storage> spare_;  // swapped into the above while decoding
  uint32_t max_height_ = 0;
  uint32_t floor_ = 0;      // control_.back().height
  bool reachable_ = true;   // control_.back() is live and not unreachable
};

// Single-value block types point here.
inline constexpr ValType kSingleTypes[] = {ValType::I32,  ValType::I64,     ValType::F32,
                                           ValType::F64,  ValType::FuncRef, ValType::ExternRef};

inline const ValType* single_type_ptr(ValType t) {
  for (const ValType& s : kSingleTypes)
    if (s == t) return &s;
  return nullptr;
}

template <class I>
bool FunctionDecoder<I>::decode_locals() {
  uint32_t groups = 0;
  if (!r_.u32(&groups)) return false;
  locals_.assign(type_.params.begin(), type_.params.end());
  uint64_t total = locals_.size();
  const size_t groups_start = r_.pos();
  // Sum the counts before allocating, so a hostile count costs nothing.
  for (uint32_t i = 0; i < groups; ++i) {
    uint32_t count = 0;
    uint8_t tb = 0;
    if (!r_.u32(&count) || !r_.u8(&tb)) return false;
    total += count;
    if (total > 0xffffffffull) return r_.fail(ErrorKind::Malformed, groups_start, "too many locals");
  }
  if (total > limits_.max_locals)
    return r_.fail(ErrorKind::LimitExceeded, groups_start,
                   "too many locals (limit " + std::to_string(limits_.max_locals) + ")");
  r_.seek(groups_start);
  locals_.reserve(static_cast<size_t>(total));
  for (uint32_t i = 0; i < groups; ++i) {
    uint32_t count = 0;
    ValType t;
    if (!r_.u32(&count)) return false;
    op_offset_ = r_.pos();
    if (!read_val_type(r_, &t)) return false;
    locals_.insert(locals_.end(), count, t);
  }
  return true;
}

template <class I>
bool FunctionDecoder<I>::read_block_sig(BlockSig* sig) {
  const size_t at = r_.pos();
  if (r_.at_end()) return r_.fail("unexpected end");
  const uint8_t b = r_.base()[at];
  if (b == 0x40) {
    r_.seek(at + 1);
    *sig = BlockSig{};
    return true;
  }
  if (b == 0x7f || b == 0x7e || b == 0x7d || b == 0x7c || b == 0x70 || b == 0x6f) {
    r_.seek(at + 1);
    *sig = BlockSig{nullptr, 0, single_type_ptr(static_cast<ValType>(b)), 1};
    return true;
  }
  if (b == 0x7b) return fail(ErrorKind::Unsupported, "SIMD (v128) is not supported");
  int64_t index = 0;
  if (!r_.s33(&index)) return false;
  if (index < 0) return r_.fail(ErrorKind::Malformed, at, "malformed block type");
  if (static_cast<uint64_t>(index) >= module_.types.size()) return invalid("unknown type");
  const FuncType& ft = module_.types[static_cast<size_t>(index)];
  *sig = BlockSig{ft.params.data(), static_cast<uint32_t>(ft.params.size()), ft.results.data(),
                  static_cast<uint32_t>(ft.results.size())};
  return true;
}

template <class I>
bool FunctionDecoder<I>::read_memarg(Opcode op, MemArg* out) {
  uint32_t align = 0, offset = 0;
  if (!r_.u32(&align)) return false;
  if (align >= 32) return fail(ErrorKind::Malformed, "malformed memop flags");
  if (!r_.u32(&offset)) return false;
  if (!check_memory()) return false;
  if (align > op_info(op).max_align) return invalid("alignment must not be larger than natural");
  *out = MemArg{align, offset};
  return true;
}

template <class I>
bool FunctionDecoder<I>::push_control(Opcode kind, const BlockSig& sig) {
  if (control_.size() >= limits_.max_control_depth)
    return fail(ErrorKind::LimitExceeded, "control nesting too deep (limit " +
                                              std::to_string(limits_.max_control_depth) + ")");
  if (!pop_n(sig.params, sig.num_params)) return false;
  const bool live = reachable();
  Frame& f = control_.emplace_back();  // built in place: frames are large
  f.kind = kind;
  f.sig = sig;
  f.height = static_cast<uint32_t>(stack_.size());
  f.live = live;
  sync_frame();
  push_n(sig.params, sig.num_params);
  return true;
}

template <class I>
Result<void> FunctionDecoder<I>::decode() {
  if (!decode_locals()) return r_.error();
  iface_.begin_function(*this);
  Frame fn;
  fn.kind = Opcode::End;
  fn.sig = BlockSig{nullptr, 0, type_.results.data(), static_cast<uint32_t>(type_.results.size())};
  control_.push_back(fn);
  sync_frame();

  while (!control_.empty()) {
    op_offset_ = r_.pos();
    uint8_t b = 0;
    if (r_.at_end()) {
      r_.fail(ErrorKind::Malformed, op_offset_, "unexpected end of section or function");
      break;
    }
    r_.u8(&b);
    uint32_t key = b;
    uint16_t op = 0;
    if (b == 0xfc) {
      uint32_t sub = 0;
      if (!r_.u32(&sub)) break;
      op = sub < kMiscOps.size() ? kMiscOps[sub] : kNoOpcode;
      if (op == kNoOpcode) {
        fail(ErrorKind::Malformed, "illegal opcode 0xfc " + std::to_string(sub));
        break;
      }
      key = dispatch_key(0xfc, static_cast<uint8_t>(sub));
    } else {
      op = kSingleByteOps[b];
      if (op == kNoOpcode) {
        if (const char* feature = unsupported_feature_of_opcode(b))
          fail(ErrorKind::Unsupported, std::string(feature) + " is not supported (opcode 0x" +
                                           "0123456789abcdef"[b >> 4] +
                                           "0123456789abcdef"[b & 15] + ")");
        else
          fail(ErrorKind::Malformed, std::string("illegal opcode 0x") +
                                         "0123456789abcdef"[b >> 4] + "0123456789abcdef"[b & 15]);
        break;
      }
    }
    iface_.on_opcode(*this, static_cast<Opcode>(op), reachable());
    if (!decode_op(static_cast<Opcode>(op), key)) break;
    if (!iface_.ok()) {
      fail(ErrorKind::Unsupported, "lowering stopped");
      break;
    }
  }
  if (!r_.ok()) return r_.error();
  if (!r_.at_end())
    return Error{ErrorKind::Malformed, r_.pos(), "section size mismatch: bytes after function end",
                 TrapKind::None};
  iface_.end_function(*this);
  return {};
}

template <class I>
bool FunctionDecoder<I>::decode_op(Opcode op, uint32_t key) {
  using O = Opcode;
  // One switch over every opcode by its dispatch key, the table's shapes as
  // case lists.
  switch (key) {
#define WVM_CASE(name, pfx, code, ...) case dispatch_key(pfx, code):
#define WVM_NO_CASE(...)
#define WVM_SPECIAL WVM_NO_CASE
#define WVM_LOAD WVM_NO_CASE
#define WVM_STORE WVM_NO_CASE
#define WVM_BINARY WVM_NO_CASE
#define WVM_UNARY WVM_CASE
#include "module/opcodes.def"
    {
      const OpInfo& info = op_info(op);
      if (!pop(info.in)) return false;
      if (reachable()) iface_.on_numeric(*this, op);
      push(info.out);
      return true;
    }
#undef WVM_UNARY
#define WVM_UNARY WVM_NO_CASE
#undef WVM_BINARY
#define WVM_BINARY WVM_CASE
#include "module/opcodes.def"
    {
      const OpInfo& info = op_info(op);
      if (!pop(info.in) || !pop(info.in)) return false;
      if (reachable()) iface_.on_numeric(*this, op);
      push(info.out);
      return true;
    }
#undef WVM_BINARY
#define WVM_BINARY WVM_NO_CASE
#undef WVM_LOAD
#define WVM_LOAD WVM_CASE
#include "module/opcodes.def"
    {
      MemArg m;
      if (!read_memarg(op, &m) || !pop(ValType::I32)) return false;
      if (reachable()) iface_.on_load(*this, op, m);
      push(op_info(op).in);
      return true;
    }
#undef WVM_LOAD
#define WVM_LOAD WVM_NO_CASE
#undef WVM_STORE
#define WVM_STORE WVM_CASE
#include "module/opcodes.def"
    {
      MemArg m;
      if (!read_memarg(op, &m) || !pop(op_info(op).in) || !pop(ValType::I32)) return false;
      if (reachable()) iface_.on_store(*this, op, m);
      return true;
    }
#undef WVM_SPECIAL
#undef WVM_LOAD
#undef WVM_STORE
#undef WVM_UNARY
#undef WVM_BINARY
#undef WVM_CASE
#undef WVM_NO_CASE

    case dispatch_key(O::Unreachable):
      if (reachable()) iface_.on_unreachable(*this);
      set_unreachable();
      return true;
    case dispatch_key(O::Nop):
      return true;
    case dispatch_key(O::Block):
    case dispatch_key(O::Loop): {
      BlockSig sig;
      if (!read_block_sig(&sig) || !push_control(op, sig)) return false;
      if (reachable()) {
        if (op == O::Block)
          iface_.on_block(*this, control_.back());
        else
          iface_.on_loop(*this, control_.back());
      }
      return true;
    }
    case dispatch_key(O::If): {
      BlockSig sig;
      if (!read_block_sig(&sig) || !pop(ValType::I32) || !push_control(op, sig)) return false;
      if (reachable()) iface_.on_if(*this, control_.back());
      return true;
    }
    case dispatch_key(O::Else): {
      Frame& f = control_.back();
      if (f.kind != O::If) return invalid("else without matching if");
      if (!peek_check(0, f.sig.results, f.sig.num_results)) return false;
      if (stack_.size() > f.height + f.sig.num_results)
        return invalid("type mismatch: values remaining on stack at end of block");
      if (f.live) iface_.on_else(*this, f);
      stack_.resize(f.height);
      f.kind = O::Else;
      f.unreachable = false;
      sync_frame();
      push_n(f.sig.params, f.sig.num_params);
      return true;
    }
    case dispatch_key(O::End): {
      Frame& f = control_.back();
      if (!peek_check(0, f.sig.results, f.sig.num_results)) return false;
      if (stack_.size() > f.height + f.sig.num_results)
        return invalid("type mismatch: values remaining on stack at end of block");
      if (f.kind == O::If) {
        // An `if` without `else` passes its parameters through the empty else.
        bool same = f.sig.num_params == f.sig.num_results;
        for (uint32_t i = 0; same && i < f.sig.num_params; ++i)
          same = f.sig.params[i] == f.sig.results[i];
        if (!same) return invalid("type mismatch: if without else must not change the stack type");
      }
      if (f.live) iface_.on_end(*this, f);
      const BlockSig sig = f.sig;
      const uint32_t height = f.height;
      control_.pop_back();
      sync_frame();
      stack_.resize(height);
      if (!control_.empty()) push_n(sig.results, sig.num_results);
      return true;
    }
    case dispatch_key(O::Br): {
      uint32_t depth = 0;
      if (!decode_branch_depth(&depth)) return false;
      const Frame& t = control_at(depth);
      if (!peek_check(0, t.label_types(), t.label_arity())) return false;
      if (reachable()) iface_.on_br(*this, depth);
      set_unreachable();
      return true;
    }
    case dispatch_key(O::BrIf): {
      uint32_t depth = 0;
      if (!decode_branch_depth(&depth) || !peek_check(0, &kSingleTypes[0], 1)) return false;
      const Frame& t = control_at(depth);
      if (!peek_check(1, t.label_types(), t.label_arity())) return false;
      if (reachable()) iface_.on_br_if(*this, depth);
      if (!pop(ValType::I32)) return false;
      // The carried values keep the label's types (they may have been bottom).
      if (!pop_n(t.label_types(), t.label_arity())) return false;
      push_n(t.label_types(), t.label_arity());
      return true;
    }
    case dispatch_key(O::BrTable): {
      uint32_t count = 0;
      if (!r_.u32(&count)) return false;
      if (count > limits_.max_br_table_targets)
        return fail(ErrorKind::LimitExceeded, "too many br_table targets (limit " +
                                                  std::to_string(limits_.max_br_table_targets) +
                                                  ")");
      if (count > r_.remaining()) return r_.fail("unexpected end");
      br_targets_.resize(static_cast<size_t>(count) + 1);
      for (uint32_t i = 0; i <= count; ++i)
        if (!decode_branch_depth(&br_targets_[i])) return false;
      if (!peek_check(0, &kSingleTypes[0], 1)) return false;
      const uint32_t arity = control_at(br_targets_[count]).label_arity();
      for (uint32_t i = 0; i <= count; ++i) {
        const Frame& t = control_at(br_targets_[i]);
        if (t.label_arity() != arity)
          return invalid("type mismatch: br_table targets have different arities");
        if (!peek_check(1, t.label_types(), arity)) return false;
      }
      if (reachable()) iface_.on_br_table(*this, br_targets_.data(), count + 1);
      if (!pop(ValType::I32)) return false;
      set_unreachable();
      return true;
    }
    case dispatch_key(O::Return): {
      if (!peek_check(0, type_.results.data(), static_cast<uint32_t>(type_.results.size())))
        return false;
      if (reachable()) iface_.on_return(*this);
      set_unreachable();
      return true;
    }
    case dispatch_key(O::Call): {
      uint32_t f = 0;
      if (!r_.u32(&f)) return false;
      if (f >= module_.num_funcs()) return invalid("unknown function " + std::to_string(f));
      const FuncType& ft = module_.func_type(f);
      if (!pop_n(ft.params.data(), static_cast<uint32_t>(ft.params.size()))) return false;
      if (reachable()) iface_.on_call(*this, f);
      push_n(ft.results.data(), static_cast<uint32_t>(ft.results.size()));
      return true;
    }
    case dispatch_key(O::CallIndirect): {
      uint32_t type_index = 0, table = 0;
      if (!r_.u32(&type_index) || !r_.u32(&table)) return false;
      if (type_index >= module_.types.size()) return invalid("unknown type");
      if (!check_table(table)) return false;
      if (module_.tables[table].elem != ValType::FuncRef)
        return invalid("type mismatch: call_indirect table must hold funcref");
      const FuncType& ft = module_.types[type_index];
      if (!pop(ValType::I32) || !pop_n(ft.params.data(), static_cast<uint32_t>(ft.params.size())))
        return false;
      if (reachable()) iface_.on_call_indirect(*this, type_index, table);
      push_n(ft.results.data(), static_cast<uint32_t>(ft.results.size()));
      return true;
    }
    case dispatch_key(O::Drop):
      if (!pop(kBottom)) return false;
      if (reachable()) iface_.on_drop(*this);
      return true;
    case dispatch_key(O::Select): {
      ValType a, b;
      if (!pop(ValType::I32) || !pop(kBottom, &b) || !pop(kBottom, &a)) return false;
      if (a != kBottom && b != kBottom && a != b) return type_mismatch("select operands differ");
      const ValType t = a != kBottom ? a : b;
      if (is_ref_type(t)) return type_mismatch("select without type needs numeric operands");
      if (reachable()) iface_.on_select(*this, t);
      push(t);
      return true;
    }
    case dispatch_key(O::SelectT): {
      uint32_t n = 0;
      if (!r_.u32(&n)) return false;
      if (n != 1) return invalid("invalid result arity");
      ValType t;
      if (!read_val_type(r_, &t)) return false;
      if (!pop(ValType::I32) || !pop(t) || !pop(t)) return false;
      if (reachable()) iface_.on_select(*this, t);
      push(t);
      return true;
    }
    case dispatch_key(O::LocalGet):
    case dispatch_key(O::LocalSet):
    case dispatch_key(O::LocalTee): {
      uint32_t x = 0;
      if (!r_.u32_fast(&x)) return false;
      if (x >= locals_.size()) return invalid("unknown local " + std::to_string(x));
      const ValType t = locals_[x];
      if (op == O::LocalGet) {
        if (reachable()) iface_.on_local_get(*this, x);
        push(t);
      } else if (op == O::LocalSet) {
        if (!pop(t)) return false;
        if (reachable()) iface_.on_local_set(*this, x);
      } else {
        if (!pop(t)) return false;
        if (reachable()) iface_.on_local_tee(*this, x);
        push(t);
      }
      return true;
    }
    case dispatch_key(O::GlobalGet):
    case dispatch_key(O::GlobalSet): {
      uint32_t x = 0;
      if (!r_.u32_fast(&x)) return false;
      if (x >= module_.globals.size()) return invalid("unknown global " + std::to_string(x));
      const GlobalType& g = module_.globals[x];
      if (op == O::GlobalGet) {
        if (reachable()) iface_.on_global_get(*this, x);
        push(g.type);
      } else {
        if (!g.mut) return invalid("global is immutable");
        if (!pop(g.type)) return false;
        if (reachable()) iface_.on_global_set(*this, x);
      }
      return true;
    }
    case dispatch_key(O::TableGet):
    case dispatch_key(O::TableSet): {
      uint32_t x = 0;
      if (!r_.u32(&x)) return false;
      if (!check_table(x)) return false;
      const ValType t = module_.tables[x].elem;
      if (op == O::TableGet) {
        if (!pop(ValType::I32)) return false;
        if (reachable()) iface_.on_table_get(*this, x);
        push(t);
      } else {
        if (!pop(t) || !pop(ValType::I32)) return false;
        if (reachable()) iface_.on_table_set(*this, x);
      }
      return true;
    }
    case dispatch_key(O::MemorySize):
    case dispatch_key(O::MemoryGrow): {
      uint8_t zero = 0;
      if (!r_.u8(&zero)) return false;
      if (zero != 0) return fail(ErrorKind::Malformed, "zero byte expected");
      if (!check_memory()) return false;
      if (op == O::MemorySize) {
        if (reachable()) iface_.on_memory_size(*this);
      } else {
        if (!pop(ValType::I32)) return false;
        if (reachable()) iface_.on_memory_grow(*this);
      }
      push(ValType::I32);
      return true;
    }
    case dispatch_key(O::I32Const): {
      int32_t v = 0;
      if (!r_.s32(&v)) return false;
      if (reachable()) iface_.on_const(*this, Value::i32(static_cast<uint32_t>(v)));
      push(ValType::I32);
      return true;
    }
    case dispatch_key(O::I64Const): {
      int64_t v = 0;
      if (!r_.s64(&v)) return false;
      if (reachable()) iface_.on_const(*this, Value::i64(static_cast<uint64_t>(v)));
      push(ValType::I64);
      return true;
    }
    case dispatch_key(O::F32Const): {
      uint32_t v = 0;
      if (!r_.fixed_u32(&v)) return false;
      if (reachable()) iface_.on_const(*this, Value::f32_bits(v));
      push(ValType::F32);
      return true;
    }
    case dispatch_key(O::F64Const): {
      uint64_t v = 0;
      if (!r_.fixed_u64(&v)) return false;
      if (reachable()) iface_.on_const(*this, Value::f64_bits(v));
      push(ValType::F64);
      return true;
    }
    case dispatch_key(O::RefNull): {
      uint8_t tb = 0;
      if (!r_.u8(&tb)) return false;
      if (tb != 0x70 && tb != 0x6f) return fail(ErrorKind::Malformed, "malformed reference type");
      const ValType t = static_cast<ValType>(tb);
      if (reachable()) iface_.on_ref_null(*this, t);
      push(t);
      return true;
    }
    case dispatch_key(O::RefIsNull): {
      ValType t;
      if (!pop(kBottom, &t)) return false;
      if (t != kBottom && !is_ref_type(t)) return type_mismatch("ref.is_null needs a reference");
      if (reachable()) iface_.on_ref_is_null(*this);
      push(ValType::I32);
      return true;
    }
    case dispatch_key(O::RefFunc): {
      uint32_t f = 0;
      if (!r_.u32(&f)) return false;
      if (f >= module_.num_funcs()) return invalid("unknown function " + std::to_string(f));
      if (!module_.declared_refs[f]) return invalid("undeclared function reference");
      if (reachable()) iface_.on_ref_func(*this, f);
      push(ValType::FuncRef);
      return true;
    }
    case dispatch_key(O::MemoryInit): {
      uint32_t seg = 0;
      uint8_t zero = 0;
      if (!r_.u32(&seg) || !r_.u8(&zero)) return false;
      if (zero != 0) return fail(ErrorKind::Malformed, "zero byte expected");
      if (!check_memory() || !check_data_segment(seg)) return false;
      if (!pop(ValType::I32) || !pop(ValType::I32) || !pop(ValType::I32)) return false;
      if (reachable()) iface_.on_memory_init(*this, seg);
      return true;
    }
    case dispatch_key(O::DataDrop): {
      uint32_t seg = 0;
      if (!r_.u32(&seg)) return false;
      if (!check_data_segment(seg)) return false;
      if (reachable()) iface_.on_data_drop(*this, seg);
      return true;
    }
    case dispatch_key(O::MemoryCopy):
    case dispatch_key(O::MemoryFill): {
      uint8_t zero = 0;
      if (!r_.u8(&zero)) return false;
      if (zero != 0) return fail(ErrorKind::Malformed, "zero byte expected");
      if (op == O::MemoryCopy) {
        if (!r_.u8(&zero)) return false;
        if (zero != 0) return fail(ErrorKind::Malformed, "zero byte expected");
      }
      if (!check_memory()) return false;
      if (!pop(ValType::I32) || !pop(op == O::MemoryFill ? ValType::I32 : ValType::I32) ||
          !pop(ValType::I32))
        return false;
      if (reachable()) {
        if (op == O::MemoryCopy)
          iface_.on_memory_copy(*this);
        else
          iface_.on_memory_fill(*this);
      }
      return true;
    }
    case dispatch_key(O::TableInit): {
      uint32_t seg = 0, table = 0;
      if (!r_.u32(&seg) || !r_.u32(&table)) return false;
      if (!check_table(table)) return false;
      if (seg >= module_.elems.size())
        return invalid("unknown elem segment " + std::to_string(seg));
      if (module_.elems[seg].type != module_.tables[table].elem)
        return type_mismatch("table.init segment and table types differ");
      if (!pop(ValType::I32) || !pop(ValType::I32) || !pop(ValType::I32)) return false;
      if (reachable()) iface_.on_table_init(*this, seg, table);
      return true;
    }
    case dispatch_key(O::ElemDrop): {
      uint32_t seg = 0;
      if (!r_.u32(&seg)) return false;
      if (seg >= module_.elems.size())
        return invalid("unknown elem segment " + std::to_string(seg));
      if (reachable()) iface_.on_elem_drop(*this, seg);
      return true;
    }
    case dispatch_key(O::TableCopy): {
      uint32_t dst = 0, src = 0;
      if (!r_.u32(&dst) || !r_.u32(&src)) return false;
      if (!check_table(dst) || !check_table(src)) return false;
      if (module_.tables[dst].elem != module_.tables[src].elem)
        return type_mismatch("table.copy between tables of different types");
      if (!pop(ValType::I32) || !pop(ValType::I32) || !pop(ValType::I32)) return false;
      if (reachable()) iface_.on_table_copy(*this, dst, src);
      return true;
    }
    case dispatch_key(O::TableGrow):
    case dispatch_key(O::TableSize):
    case dispatch_key(O::TableFill): {
      uint32_t x = 0;
      if (!r_.u32(&x)) return false;
      if (!check_table(x)) return false;
      const ValType t = module_.tables[x].elem;
      if (op == O::TableGrow) {
        if (!pop(ValType::I32) || !pop(t)) return false;
        if (reachable()) iface_.on_table_grow(*this, x);
        push(ValType::I32);
      } else if (op == O::TableSize) {
        if (reachable()) iface_.on_table_size(*this, x);
        push(ValType::I32);
      } else {
        if (!pop(ValType::I32) || !pop(t) || !pop(ValType::I32)) return false;
        if (reachable()) iface_.on_table_fill(*this, x);
      }
      return true;
    }
    default:
      return fail(ErrorKind::Malformed, std::string("unhandled opcode ") + op_info(op).name);
  }
}

}  // namespace wvm
