// Converting a .wast script with wabt's wast2json (run as a child process).
#pragma once

#include <filesystem>
#include <string>

namespace wvm::spec {

struct Conversion {
  bool ok = false;
  std::filesystem::path json;  ///< WORKDIR/<stem>/<stem>.json
  std::string error;           ///< why it failed, with wast2json's own output
};

/// Runs `wast2json WAST -o WORK_DIR/<stem>/<stem>.json`. wast2json's output
/// goes to WORK_DIR/<stem>/wast2json.log; it only matters when the exit code
/// is non-zero (elem.wast prints an error yet converts correctly).
Conversion convert_wast(const std::string& wast2json, const std::filesystem::path& wast,
                        const std::filesystem::path& work_dir, bool verbose);

}  // namespace wvm::spec
