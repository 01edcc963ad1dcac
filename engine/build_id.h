// The identity of the running wvm build, which serialized modules carry: code
// compiled by one build is only ever loaded by the same build.
#pragma once

#include <string>

namespace wvm {

/// The GNU build ID of the binary or shared object that contains the engine
/// (the linker's hash of its contents), as hex; where there is none, the
/// engine's version and compile date and time.
const std::string& engine_build_id();

}  // namespace wvm
