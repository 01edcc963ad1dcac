#include "tests/wasi/runner/test_spec.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace wvm::wasi_tests {
namespace {

// ordered_json keeps the file's key order: `env` reaches the guest in it.
using Json = nlohmann::ordered_json;

void read_run(const Json& run, const std::filesystem::path& folder, TestSpec& spec) {
  if (run.contains("args")) spec.args = run["args"].get<std::vector<std::string>>();
  if (run.contains("env")) {
    for (const auto& [key, value] : run["env"].items()) {
      spec.env.emplace_back(key, value.get<std::string>());
    }
  }
  if (run.contains("root") && !run["root"].is_null()) {
    spec.root = folder / run["root"].get<std::string>();
  }
  if (run.contains("dirs")) {
    for (const auto& d : run["dirs"]) spec.dirs.push_back(folder / d.get<std::string>());
  }
}

void read_extensions(const Json& j, TestSpec& spec) {
  if (j.contains("wvm_options")) spec.wvm_options = j["wvm_options"].get<std::vector<std::string>>();
  if (j.contains("wvm_symlinks")) {
    for (const auto& [name, target] : j["wvm_symlinks"].items()) {
      spec.symlinks.emplace_back(name, target.get<std::string>());
    }
  }
  if (j.contains("wvm_stdout_contains")) spec.stdout_contains = j["wvm_stdout_contains"];
  if (j.contains("wvm_stderr_contains")) spec.stderr_contains = j["wvm_stderr_contains"];
  spec.read_only = j.value("wvm_read_only", false);
}

// The operation-based format: one run, reads of stdout/stderr (appended in
// order: two reads of one stream expect the two payloads back to back), one
// wait. Sockets and HTTP (connect, send, recv, proposals) are not offered by
// wvm's preview1 host.
void read_operations(const Json& j, const std::filesystem::path& folder, TestSpec& spec) {
  if (j.contains("proposals") && !j["proposals"].empty()) {
    spec.unsupported = "the test needs WASI proposals " + j["proposals"].dump();
    return;
  }
  int runs = 0;
  for (const Json& op : j["operations"]) {
    std::string type = op.value("type", "");
    if (type == "run") {
      if (++runs > 1) {
        spec.unsupported = "more than one run operation";
        return;
      }
      read_run(op, folder, spec);
    } else if (type == "read") {
      std::string id = op.value("id", "stdout");
      std::optional<std::string>& text = id == "stderr" ? spec.stderr_text : spec.stdout_text;
      if (id != "stdout" && id != "stderr") {
        spec.unsupported = "a read of stream " + id;
        return;
      }
      text = text.value_or("") + op.value("payload", "");
    } else if (type == "wait") {
      spec.exit_code = op.value("exit_code", 0);
    } else {
      spec.unsupported = "operation " + type;
      return;
    }
  }
}

}  // namespace

bool load_test_spec(const std::optional<std::filesystem::path>& json_path, TestSpec& spec,
                    std::string& error) {
  spec = TestSpec{};
  if (!json_path) return true;
  std::ifstream in(*json_path);
  if (!in) {
    error = "cannot open " + json_path->string();
    return false;
  }
  Json j = Json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    error = json_path->string() + " is not a JSON object";
    return false;
  }
  // The suite's JSON is test data: a wrong type is reported, not fatal.
  try {
    std::filesystem::path folder = json_path->parent_path();
    if (j.contains("operations")) {
      read_operations(j, folder, spec);
    } else {
      read_run(j, folder, spec);
      spec.exit_code = j.value("exit_code", 0);
      // Absent means "not checked", as in the suite's reference runner.
      if (j.contains("stdout")) spec.stdout_text = j["stdout"].get<std::string>();
      if (j.contains("stderr")) spec.stderr_text = j["stderr"].get<std::string>();
    }
    read_extensions(j, spec);
  } catch (const Json::exception& e) {
    error = json_path->string() + ": " + e.what();
    return false;
  }
  return true;
}

}  // namespace wvm::wasi_tests
