#include "tests/wasi/runner/sandbox.h"

#include <stdlib.h>

#include <fstream>
#include <set>
#include <sstream>

namespace wvm::wasi_tests {
namespace fs = std::filesystem;
namespace {

// The shared suite is read-only; its copy must not be, or tests that write
// into their preopen fail for the wrong reason (when not run as root).
bool copy_writable(const fs::path& from, const fs::path& to, std::string& error) {
  std::error_code ec;
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  if (ec) {
    error = "cannot copy " + from.string() + " to " + to.string() + ": " + ec.message();
    return false;
  }
  std::vector<fs::path> cleanup;
  fs::permissions(to, fs::perms::owner_all, fs::perm_options::add, ec);
  for (auto it = fs::recursive_directory_iterator(to, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    // Never follow a link: a test's links may dangle or loop.
    std::error_code status_ec;
    fs::file_status st = it->symlink_status(status_ec);
    if (status_ec || fs::is_symlink(st)) continue;
    fs::permissions(it->path(), fs::perms::owner_read | fs::perms::owner_write |
                    (fs::is_directory(st) ? fs::perms::owner_exec : fs::perms::none),
                    fs::perm_options::add, ec);
    // The suite's artefacts of an earlier run (doc/specification.md).
    if (it->path().extension() == ".cleanup") cleanup.push_back(it->path());
  }
  for (const fs::path& p : cleanup) fs::remove_all(p, ec);
  if (ec) {
    error = "cannot prepare " + to.string() + ": " + ec.message();
    return false;
  }
  return true;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

}  // namespace

bool Sandbox::create(const fs::path& parent, const TestSpec& spec, std::string& error) {
  std::string pattern = (parent / "wasi-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    error = "cannot create a folder in " + parent.string();
    return false;
  }
  dir_ = pattern;
  read_only_ = spec.read_only;
  std::ofstream(dir_ / "outside") << kSentinelText;
  if (spec.root || !spec.symlinks.empty()) {
    fs::path root = dir_ / "root";
    if (spec.root) {
      if (!copy_writable(*spec.root, root, error)) return false;
    } else {
      fs::create_directory(root);
    }
    std::error_code ec;
    for (const auto& [name, target] : spec.symlinks) {
      fs::create_symlink(replace_all(target, "{OUTSIDE}", (dir_ / "outside").string()),
                         root / name, ec);
      if (ec) {
        error = "cannot create symlink " + name + ": " + ec.message();
        return false;
      }
    }
    preopens_.emplace_back(root, "/");
  }
  for (const fs::path& d : spec.dirs) {
    fs::path copy = dir_ / "dirs" / d.filename();
    fs::create_directories(copy.parent_path());
    if (!copy_writable(d, copy, error)) return false;
    preopens_.emplace_back(copy, d.filename().string());
  }
  return true;
}

Sandbox::~Sandbox() {
  if (dir_.empty() || keep_) return;
  std::error_code ec;
  // A test may leave a folder without permissions; restore them first.
  for (auto it = fs::recursive_directory_iterator(dir_, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (fs::is_directory(it->symlink_status(ec))) {
      fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    }
  }
  fs::remove_all(dir_, ec);
}

std::vector<std::string> Sandbox::dir_options() const {
  std::vector<std::string> options;
  for (const auto& [host, guest] : preopens_) {
    options.push_back(read_only_ ? "--ro-dir" : "--dir");
    options.push_back(host.string() + "::" + guest);
  }
  return options;
}

std::string Sandbox::check_outside() const {
  std::string problems;
  std::ifstream in(dir_ / "outside", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::error_code ec;
  if (!in || text.str() != kSentinelText ||
      !fs::is_regular_file(fs::symlink_status(dir_ / "outside", ec))) {
    problems += "the sentinel file " + (dir_ / "outside").string() + " changed\n";
  }
  const std::set<std::string> expected = {"outside", "root", "dirs"};
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    if (!expected.count(entry.path().filename().string())) {
      problems += "a new entry appeared outside the preopens: " + entry.path().string() + "\n";
    }
  }
  return problems;
}

}  // namespace wvm::wasi_tests
