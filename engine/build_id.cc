#include "engine/build_id.h"

#include <elf.h>
#include <link.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace wvm {
namespace {

struct Search {
  uintptr_t address;  // a code address inside the engine
  std::string id;
};

// The NT_GNU_BUILD_ID note in [begin, end), as hex, or "".
std::string read_build_id(const uint8_t* p, const uint8_t* end) {
  while (end - p >= static_cast<ptrdiff_t>(sizeof(ElfW(Nhdr)))) {
    ElfW(Nhdr) note;
    std::memcpy(&note, p, sizeof note);
    const uint8_t* name = p + sizeof note;
    const uint8_t* desc = name + ((note.n_namesz + 3) & ~3u);
    const uint8_t* next = desc + ((note.n_descsz + 3) & ~3u);
    if (next > end || next <= p) return {};
    if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
      static const char kHex[] = "0123456789abcdef";
      std::string hex;
      for (uint32_t i = 0; i < note.n_descsz; ++i) {
        hex.push_back(kHex[desc[i] >> 4]);
        hex.push_back(kHex[desc[i] & 15]);
      }
      return hex;
    }
    p = next;
  }
  return {};
}

int visit(struct dl_phdr_info* info, size_t, void* data) {
  auto* search = static_cast<Search*>(data);
  bool contains = false;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    const uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
    if (ph.p_type == PT_LOAD && search->address >= begin && search->address < begin + ph.p_memsz)
      contains = true;
  }
  if (!contains) return 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    const auto* begin = reinterpret_cast<const uint8_t*>(info->dlpi_addr + ph.p_vaddr);
    search->id = read_build_id(begin, begin + ph.p_memsz);
    if (!search->id.empty()) break;
  }
  return 1;  // found the object: stop
}

std::string compute() {
  Search search{reinterpret_cast<uintptr_t>(&engine_build_id), {}};
  dl_iterate_phdr(&visit, &search);
  if (!search.id.empty()) return "gnu-build-id:" + search.id;
  return std::string("wvm built ") + __DATE__ " " __TIME__;
}

}  // namespace

const std::string& engine_build_id() {
  static const std::string id = compute();
  return id;
}

}  // namespace wvm
