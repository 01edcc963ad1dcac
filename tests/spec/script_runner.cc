#include "tests/spec/script_runner.h"

#include <fstream>
#include <optional>

#include "tests/spec/spec_values.h"

namespace wvm::spec {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

uint32_t line_of(const json& cmd) {
  if (cmd.is_object()) {
    auto it = cmd.find("line");
    if (it != cmd.end() && it->is_number_unsigned()) return it->get<uint32_t>();
  }
  return 0;
}

std::string string_field(const json& j, const char* key) {
  const json& v = j.at(key);
  if (!v.is_string()) throw ScriptError(std::string("\"") + key + "\" is not a string");
  return v.get<std::string>();
}

std::string optional_string(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  if (!it->is_string()) throw ScriptError(std::string("\"") + key + "\" is not a string");
  return it->get<std::string>();
}

// Text modules (`module quote`, .wat files) need a text parser; wvm is binary only.
bool is_text_module(const json& cmd) {
  if (optional_string(cmd, "module_type") == "text") return true;
  return optional_string(cmd, "filename").ends_with(".wat");
}

// Loads and checks the top level of a script; on failure appends one outcome.
std::optional<json> read_script(const fs::path& path, std::vector<Outcome>* outcomes) {
  auto fail = [&](std::string message) -> std::optional<json> {
    outcomes->push_back({0, "script", Status::Fail, SkipReason::None, std::move(message)});
    return std::nullopt;
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot open " + path.string());
  json script = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (script.is_discarded()) return fail("malformed JSON in " + path.string());
  if (!script.is_object() || !script.contains("commands") || !script["commands"].is_array()) {
    return fail("no \"commands\" array in " + path.string());
  }
  return script;
}


std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

// `invoke $M.f(i32:1)` / `get g`, for messages.
std::string action_label(const json& action) {
  std::string label = optional_string(action, "type") + " ";
  std::string module = optional_string(action, "module");
  if (!module.empty()) label += module + ".";
  label += in_quotes(optional_string(action, "field"));
  auto args = action.find("args");
  if (args != action.end() && args->is_array()) {
    std::vector<Value> values;
    for (const json& a : *args) values.push_back(parse_argument(a));
    label += describe(values);
  }
  return label;
}

Outcome fail(Outcome out, std::string message) {
  out.status = Status::Fail;
  out.message = std::move(message);
  return out;
}

Outcome skip(Outcome out, SkipReason reason) {
  out.status = Status::Skip;
  out.skip = reason;
  return out;
}

}  // namespace

std::string describe_error(const Error& error) {
  std::string out = error_kind_name(error.kind);
  if (error.offset != 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, " at offset 0x%zx", error.offset);
    out += buf;
  }
  out += ": " + error.message;
  if (error.trap != TrapKind::None) out += std::string(" [trap: ") + trap_kind_text(error.trap) + "]";
  return out;
}

namespace {
// A value as its exact bits (NaN payloads included); a funcref only as null
// or not, since its handle is an address.
std::string dump_value(const Value& v) {
  char buf[48];
  switch (v.type) {
    case ValType::I32:
    case ValType::F32:
      std::snprintf(buf, sizeof buf, "%s:0x%08llx", val_type_name(v.type),
                    static_cast<unsigned long long>(v.bits & 0xffffffffu));
      return buf;
    case ValType::FuncRef:
      return v.bits == 0 ? "funcref:null" : "funcref:func";
    default:
      std::snprintf(buf, sizeof buf, "%s:0x%llx", val_type_name(v.type),
                    static_cast<unsigned long long>(v.bits));
      return buf;
  }
}
}  // namespace

ScriptRunner::ScriptRunner(const Config& config, Dump dump)
    : engine_(config), store_(engine_), dump_(std::move(dump)) {}

void ScriptRunner::dump_line(const std::string& what, const std::string& outcome) {
  if (!dump_.out) return;
  std::string line = dump_.script + ":" + std::to_string(line_) + " " + what + " -> " + outcome;
  if (engine_.config().metering.enabled && dump_.gas_limit) {
    line += " gas " + std::to_string(dump_.gas_limit - store_.gas_left());
  }
  std::fprintf(dump_.out, "%s\n", line.c_str());
}

void ScriptRunner::dump_call(const std::string& what, const CallResult& call) {
  if (!dump_.out) return;
  std::string outcome;
  if (call.ok()) {
    outcome = "ok";
    for (const Value& v : call.results) outcome += " " + dump_value(v);
  } else {
    outcome = std::string("trap ") + trap_kind_text(call.trap);
  }
  dump_line(what, outcome);
}

void ScriptRunner::start_gas() {
  if (dump_.out && dump_.gas_limit) store_.set_gas_limit(dump_.gas_limit);
}

std::vector<Outcome> ScriptRunner::run(const fs::path& json_path) {
  std::vector<Outcome> outcomes;
  std::optional<json> script = read_script(json_path, &outcomes);
  if (!script) return outcomes;
  dir_ = json_path.parent_path();
  registered_["spectest"] = spectest::create_exports(store_);
  for (const json& cmd : (*script)["commands"]) {
    std::optional<Outcome> out;
    try {
      out = run_command(cmd);
    } catch (const std::exception& e) {
      std::string type = cmd.is_object() ? cmd.value("type", std::string("command")) : "command";
      out = Outcome{line_of(cmd), type, Status::Fail, SkipReason::None,
                    std::string("cannot run command: ") + e.what()};
    }
    if (out) outcomes.push_back(std::move(*out));
  }
  return outcomes;
}

std::vector<Outcome> ScriptRunner::skip_all(const fs::path& json_path, SkipReason reason) {
  std::vector<Outcome> outcomes;
  std::optional<json> script = read_script(json_path, &outcomes);
  if (!script) return outcomes;
  for (const json& cmd : (*script)["commands"]) {
    std::string type;
    if (cmd.is_object() && cmd.contains("type") && cmd["type"].is_string()) {
      type = cmd["type"].get<std::string>();
    }
    if (type == "register") continue;
    outcomes.push_back({line_of(cmd), type, Status::Skip, reason, {}});
  }
  return outcomes;
}

std::optional<Outcome> ScriptRunner::run_command(const json& cmd) {
  if (!cmd.is_object()) throw ScriptError("command is not an object");
  Outcome out;
  out.line = line_of(cmd);
  line_ = out.line;
  out.command = string_field(cmd, "type");
  const std::string& type = out.command;

  if (type == "module") return module_command(cmd, std::move(out));
  if (type == "register") return register_command(cmd, std::move(out));
  if (type == "action") {
    ActionOutcome a = perform(cmd.at("action"));
    if (!a.error.empty()) return fail(std::move(out), a.error);
    if (!a.call.ok()) {
      return fail(std::move(out), action_label(cmd["action"]) + ": trapped: " +
                                      trap_kind_text(a.call.trap));
    }
    return out;
  }
  if (type == "assert_return") return assert_return(cmd, std::move(out));
  if (type == "assert_trap") {
    if (cmd.contains("filename")) return assert_trap_module(cmd, std::move(out));
    std::string text = string_field(cmd, "text");
    std::optional<TrapKind> want = trap_kind_from_text(text);
    if (!want) return fail(std::move(out), "unknown trap text " + in_quotes(text));
    return assert_trap_action(cmd, std::move(out), *want, text);
  }
  if (type == "assert_exhaustion") {
    return assert_trap_action(cmd, std::move(out), TrapKind::CallStackExhausted,
                              optional_string(cmd, "text"));
  }
  if (type == "assert_uninstantiable") return assert_trap_module(cmd, std::move(out));
  if (type == "assert_invalid" || type == "assert_malformed") {
    return assert_not_compiled(cmd, std::move(out));
  }
  if (type == "assert_unlinkable") return assert_unlinkable(cmd, std::move(out));
  return fail(std::move(out), "unknown command type " + in_quotes(type));
}

Outcome ScriptRunner::module_command(const json& cmd, Outcome out) {
  std::string name = optional_string(cmd, "name");
  // Until this module exists, actions on it (or on "the current module") must
  // fail rather than silently reach an older module.
  current_ = nullptr;
  if (!name.empty()) named_.erase(name);
  if (is_text_module(cmd)) return skip(std::move(out), SkipReason::TextModule);

  auto module = load(cmd);
  if (!module) {
    return fail(std::move(out), "module did not compile: " + describe_error(module.error()));
  }
  auto instance = instantiate(*module);
  if (!instance) {
    return fail(std::move(out), "module did not instantiate: " + describe_error(instance.error()));
  }
  current_ = *instance;
  if (!name.empty()) named_[name] = current_;
  return out;
}

std::optional<Outcome> ScriptRunner::register_command(const json& cmd, Outcome out) {
  std::string as = string_field(cmd, "as");
  std::string error;
  Instance* instance = target_instance(cmd, "name", &error);
  if (!instance) return fail(std::move(out), "cannot register " + in_quotes(as) + ": " + error);
  spectest::ExternMap exports;
  for (const Export& e : instance->module()->exports) exports[e.name] = instance->find_export(e.name);
  registered_[as] = std::move(exports);
  return std::nullopt;  // a register that works is not counted
}

Outcome ScriptRunner::assert_return(const json& cmd, Outcome out) {
  const json& action = cmd.at("action");
  std::vector<Expected> want;
  for (const json& e : cmd.at("expected")) want.push_back(parse_expected(e));
  ActionOutcome a = perform(action);
  if (!a.error.empty()) return fail(std::move(out), a.error);
  if (!a.call.ok()) {
    return fail(std::move(out), action_label(action) + ": expected " + describe(want) +
                                    ", got trap " + in_quotes(trap_kind_text(a.call.trap)));
  }
  bool same = a.call.results.size() == want.size();
  for (size_t i = 0; same && i < want.size(); ++i) same = matches(want[i], a.call.results[i]);
  if (!same) {
    return fail(std::move(out), action_label(action) + ": expected " + describe(want) + ", got " +
                                    describe(a.call.results));
  }
  return out;
}

Outcome ScriptRunner::assert_trap_action(const json& cmd, Outcome out, TrapKind want,
                                         const std::string& want_text) {
  const json& action = cmd.at("action");
  ActionOutcome a = perform(action);
  if (!a.error.empty()) return fail(std::move(out), a.error);
  std::string expected = "expected trap " + in_quotes(want_text);
  if (a.call.ok()) {
    return fail(std::move(out),
                action_label(action) + ": " + expected + ", got " + describe(a.call.results));
  }
  if (a.call.trap != want) {
    return fail(std::move(out), action_label(action) + ": " + expected + ", got trap " +
                                    in_quotes(trap_kind_text(a.call.trap)));
  }
  return out;
}

Outcome ScriptRunner::assert_trap_module(const json& cmd, Outcome out) {
  if (is_text_module(cmd)) return skip(std::move(out), SkipReason::TextModule);
  std::string text = string_field(cmd, "text");
  std::string expected = "expected instantiation to trap " + in_quotes(text);
  auto module = load(cmd);
  if (!module) {
    return fail(std::move(out), expected + ", but it did not compile: " +
                                    describe_error(module.error()));
  }
  auto instance = instantiate(*module);
  if (instance) return fail(std::move(out), expected + ", but it instantiated");
  const Error& error = instance.error();
  if (error.kind != ErrorKind::Uninstantiable) {
    return fail(std::move(out), expected + ", got " + describe_error(error));
  }
  std::optional<TrapKind> want = trap_kind_from_text(text);
  if (want && error.trap != *want) {
    return fail(std::move(out), expected + ", got trap " + in_quotes(trap_kind_text(error.trap)) +
                                    " (" + describe_error(error) + ")");
  }
  return out;
}

Outcome ScriptRunner::assert_not_compiled(const json& cmd, Outcome out) {
  if (is_text_module(cmd)) return skip(std::move(out), SkipReason::TextModule);
  std::string text = string_field(cmd, "text");
  // Which of the two kinds an engine reports depends on where it finds the
  // problem (decoder or validator); either is a correct rejection.
  std::string expected = std::string("expected ") +
                         (out.command == "assert_invalid" ? "invalid" : "malformed") +
                         " module (" + in_quotes(text) + ")";
  auto module = load(cmd);
  if (module) return fail(std::move(out), expected + ", but it compiled");
  ErrorKind kind = module.error().kind;
  if (kind != ErrorKind::Malformed && kind != ErrorKind::Invalid) {
    return fail(std::move(out), expected + ", got " + describe_error(module.error()));
  }
  return out;
}

Outcome ScriptRunner::assert_unlinkable(const json& cmd, Outcome out) {
  if (is_text_module(cmd)) return skip(std::move(out), SkipReason::TextModule);
  std::string text = string_field(cmd, "text");
  std::string expected = "expected unlinkable module (" + in_quotes(text) + ")";
  auto module = load(cmd);
  if (!module) {
    return fail(std::move(out), expected + ", but it did not compile: " +
                                    describe_error(module.error()));
  }
  auto instance = instantiate(*module);
  if (instance) return fail(std::move(out), expected + ", but it instantiated");
  if (instance.error().kind != ErrorKind::Unlinkable) {
    return fail(std::move(out), expected + ", got " + describe_error(instance.error()));
  }
  return out;
}

ScriptRunner::ActionOutcome ScriptRunner::perform(const json& action) {
  ActionOutcome result;
  std::string type = string_field(action, "type");
  std::string field = string_field(action, "field");
  Instance* instance = target_instance(action, "module", &result.error);
  if (!instance) {
    result.error = action_label(action) + ": " + result.error;
    return result;
  }
  Extern ex = instance->find_export(field);
  if (type == "invoke") {
    std::vector<Value> args;
    if (auto it = action.find("args"); it != action.end()) {
      for (const json& a : *it) args.push_back(parse_argument(a));
    }
    Func* func = ex.ptr ? ex.as_func() : nullptr;
    if (!func) {
      result.error = action_label(action) + ": no exported function " + in_quotes(field);
      return result;
    }
    start_gas();
    result.call = store_.call(func, args);
    dump_call(action_label(action), result.call);
    return result;
  }
  if (type == "get") {
    Global* global = ex.ptr ? ex.as_global() : nullptr;
    if (!global) {
      result.error = action_label(action) + ": no exported global " + in_quotes(field);
      return result;
    }
    result.call.results.push_back(global->value());
    dump_call(action_label(action), result.call);
    return result;
  }
  throw ScriptError("unknown action type " + in_quotes(type));
}

Result<std::shared_ptr<const Module>> ScriptRunner::load(const json& cmd) {
  std::string filename = string_field(cmd, "filename");
  auto bytes = wvm::read_file((dir_ / filename).string());
  if (!bytes) return bytes.error();
  auto module = compile(engine_, bytes->data(), bytes->size());
  if (dump_.out) {  // no gas figure: compiling charges none
    std::fprintf(dump_.out, "%s:%u compile %s -> %s\n", dump_.script.c_str(), line_,
                 filename.c_str(), module ? "ok" : describe_error(module.error()).c_str());
  }
  return module;
}

Result<Instance*> ScriptRunner::instantiate(const std::shared_ptr<const Module>& module) {
  start_gas();
  auto instance = store_.instantiate(module, resolve_imports(*module));
  dump_line("instantiate", instance ? std::string("ok") : describe_error(instance.error()));
  return instance;
}

std::vector<Extern> ScriptRunner::resolve_imports(const Module& module) const {
  std::vector<Extern> imports;
  imports.reserve(module.imports.size());
  for (const Import& import : module.imports) {
    Extern found;  // ptr == nullptr: the engine reports the import as unlinkable
    if (auto m = registered_.find(import.module); m != registered_.end()) {
      if (auto e = m->second.find(import.name); e != m->second.end()) found = e->second;
    }
    imports.push_back(found);
  }
  return imports;
}

Instance* ScriptRunner::target_instance(const json& j, const char* key,
                                        std::string* error) const {
  std::string name = optional_string(j, key);
  if (name.empty()) {
    if (!current_) *error = "no current module (the last module command failed or was skipped)";
    return current_;
  }
  auto it = named_.find(name);
  if (it == named_.end()) {
    *error = "no module named " + name;
    return nullptr;
  }
  return it->second;
}

}  // namespace wvm::spec
