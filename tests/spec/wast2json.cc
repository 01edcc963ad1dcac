#include "tests/spec/wast2json.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

extern char** environ;

namespace wvm::spec {
namespace fs = std::filesystem;

namespace {

std::string read_head(const fs::path& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string text(max_bytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(max_bytes));
  text.resize(static_cast<size_t>(in.gcount()));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

Conversion convert_wast(const std::string& wast2json, const fs::path& wast,
                        const fs::path& work_dir, bool verbose) {
  Conversion result;
  std::string stem = wast.stem().string();
  fs::path out_dir = work_dir / stem;
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) {
    result.error = "cannot create " + out_dir.string() + ": " + ec.message();
    return result;
  }
  result.json = out_dir / (stem + ".json");
  fs::path log = out_dir / "wast2json.log";
  fs::remove(result.json, ec);  // never read a stale script if the conversion fails

  std::string wast_arg = wast.string();
  std::string json_arg = result.json.string();
  std::vector<char*> argv = {const_cast<char*>(wast2json.c_str()), wast_arg.data(),
                             const_cast<char*>("-o"), json_arg.data(), nullptr};
  if (verbose) std::printf("%s %s -o %s\n", wast2json.c_str(), wast_arg.c_str(), json_arg.c_str());

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, wast2json.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    result.error = "cannot run " + wast2json + ": " + std::strerror(rc);
    return result;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      result.error = std::string("waitpid failed: ") + std::strerror(errno);
      return result;
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    result.ok = true;
    return result;
  }
  std::ostringstream msg;
  if (WIFEXITED(status)) {
    msg << wast2json << " exited with code " << WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    msg << wast2json << " was killed by signal " << WTERMSIG(status);
  } else {
    msg << wast2json << " failed";
  }
  std::string output = read_head(log, 2000);
  if (!output.empty()) msg << ":\n" << output;
  result.error = msg.str();
  return result;
}

}  // namespace wvm::spec
