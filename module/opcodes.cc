// Names the later proposal a non-2.0 opcode byte belongs to.
#include "module/opcodes.h"

namespace wvm {

const char* unsupported_feature_of_opcode(uint8_t byte) noexcept {
  switch (byte) {
    case 0xfd: return "SIMD";
    case 0xfb: return "garbage collection";
    case 0xfe: return "threads";
    case 0x06:  // try (legacy)
    case 0x07:  // catch (legacy)
    case 0x08:  // throw
    case 0x09:  // rethrow (legacy)
    case 0x0a:  // throw_ref
    case 0x18:  // delegate (legacy)
    case 0x19:  // catch_all (legacy)
    case 0x1f:  // try_table
      return "exception handling";
    case 0x12:  // return_call
    case 0x13:  // return_call_indirect
      return "tail calls";
    case 0x14:  // call_ref
    case 0x15:  // return_call_ref
    case 0xd3:  // ref.eq / ref.as_non_null (numbering differs between drafts)
    case 0xd4:
    case 0xd5:
    case 0xd6: return "typed function references";
    default: return nullptr;
  }
}

}  // namespace wvm
