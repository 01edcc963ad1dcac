#include "exec/runtime_ops.h"

#include <cstring>

#include "exec/exec_context.h"
#include "exec/instance_layout.h"

namespace wvm {

TrapKind memory_init(Instance& inst, uint32_t seg, uint32_t dst, uint32_t src, uint32_t n) noexcept {
  const DataSegment& d = inst.module()->datas[seg];
  const uint64_t seg_size = inst.data_dropped(seg) ? 0 : d.data_size;
  Memory& mem = *inst.memory();
  if (uint64_t{src} + n > seg_size || uint64_t{dst} + n > mem.size_bytes())
    return TrapKind::MemoryOutOfBounds;
  if (n) std::memcpy(mem.data() + dst, inst.module()->bytes.data() + d.data_start + src, n);
  return TrapKind::None;
}

TrapKind memory_copy(Memory& mem, uint32_t dst, uint32_t src, uint32_t n) noexcept {
  if (uint64_t{src} + n > mem.size_bytes() || uint64_t{dst} + n > mem.size_bytes())
    return TrapKind::MemoryOutOfBounds;
  if (n) std::memmove(mem.data() + dst, mem.data() + src, n);
  return TrapKind::None;
}

TrapKind memory_fill(Memory& mem, uint32_t dst, uint32_t value, uint32_t n) noexcept {
  if (uint64_t{dst} + n > mem.size_bytes()) return TrapKind::MemoryOutOfBounds;
  if (n) std::memset(mem.data() + dst, static_cast<int>(value & 0xff), n);
  return TrapKind::None;
}

TrapKind table_init(Instance& inst, uint32_t seg, uint32_t table, uint32_t dst, uint32_t src,
                    uint32_t n) noexcept {
  const Module& m = *inst.module();
  const ElemSegment& s = m.elems[seg];
  const uint32_t seg_size = inst.elem_dropped(seg) ? 0 : s.num_items;
  Table& t = *inst.table(table);
  if (uint64_t{src} + n > seg_size || uint64_t{dst} + n > t.size())
    return TrapKind::TableOutOfBounds;
  // Items are resolved here rather than at instantiation: a ref.func and a
  // global.get of an imported immutable global have one value per instance,
  // so the result is the same and an instance stores nothing per item.
  const ElemItem* items = m.items_of(s) + src;
  InstanceData& vm = *inst.data();
  const InstanceLayout layout = InstanceLayout::of(m);
  uint64_t* out = t.data() + dst;
  for (uint32_t i = 0; i < n; ++i) {
    const ElemItem& item = items[i];
    switch (item.kind) {
      case ConstExpr::Kind::RefFunc:
        out[i] = reinterpret_cast<uint64_t>(vm.at<Func*>(layout.func(item.index)));
        break;
      case ConstExpr::Kind::GlobalGet: out[i] = vm.at<Global*>(layout.global(item.index))->bits; break;
      default: out[i] = 0; break;  // ref.null
    }
  }
  return TrapKind::None;
}

TrapKind table_copy(Table& dst_table, Table& src_table, uint32_t dst, uint32_t src,
                    uint32_t n) noexcept {
  if (uint64_t{src} + n > src_table.size() || uint64_t{dst} + n > dst_table.size())
    return TrapKind::TableOutOfBounds;
  if (n) std::memmove(dst_table.data() + dst, src_table.data() + src, uint64_t{n} * sizeof(uint64_t));
  return TrapKind::None;
}

TrapKind table_fill(Table& table, uint32_t dst, uint64_t ref, uint32_t n) noexcept {
  if (uint64_t{dst} + n > table.size()) return TrapKind::TableOutOfBounds;
  uint64_t* p = table.data() + dst;
  for (uint32_t i = 0; i < n; ++i) p[i] = ref;
  return TrapKind::None;
}

void data_drop(Instance& inst, uint32_t seg) noexcept { inst.drop_data(seg); }

void elem_drop(Instance& inst, uint32_t seg) noexcept { inst.drop_elem(seg); }

TrapKind call_host(ExecContext& ctx, Func* host, uint64_t* args, Instance* caller) noexcept {
  if (ctx.depth >= ctx.max_depth) return TrapKind::CallStackExhausted;
  const FuncType& ft = *host->type;
  const size_t np = ft.params.size(), nr = ft.results.size();
  Value* argv = reinterpret_cast<Value*>(args + np);
  Value* resv = argv + np;
  uint64_t* top = reinterpret_cast<uint64_t*>(resv + nr);
  if (top > ctx.stack_end) return TrapKind::CallStackExhausted;
  for (size_t i = 0; i < np; ++i) argv[i] = Value{ft.params[i], args[i]};
  for (size_t i = 0; i < nr; ++i) resv[i] = Value{ft.results[i], 0};
  HostCall hc{ctx.store, caller, host->host_data};
  uint64_t* const saved_sp = ctx.sp;
  ctx.sp = top;
  ++ctx.depth;
  const TrapKind t = host->host(hc, argv, resv);
  --ctx.depth;
  ctx.sp = saved_sp;
  if (t == TrapKind::None)
    for (size_t i = 0; i < nr; ++i) args[i] = resv[i].bits;
  return t;
}

}  // namespace wvm
