// Storage, address API and querier over the node's callbacks
// (libwasmvm's storage.rs, iterator.rs, api.rs, querier.rs).
#include "hosts/cosmwasm/capi/go_backend.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "hosts/cosmwasm/capi/ffi.h"
#include "hosts/cosmwasm/env.h"
#include "memory/native_stack.h"

namespace wvm::cosmwasm::capi {

namespace {

// Every callback into the node runs on the thread's own stack, not on the
// engine stack the contract runs on: Go's cgo callbacks abort ("morestack on
// g0") when the stack pointer lies outside the thread's stack, whose bounds
// the Go runtime never updates for the threads it created.
template <class Call>
int32_t call_node(Call&& call) noexcept {
  int32_t code = 0;
  run_on_thread_stack([&] { code = call(); });
  return code;
}

// Records a missing callback as the call's panic; the backend error stops the call.
template <class T>
BackendResult<T> missing_callback(CallState* state, const char* what) {
  if (!state->panicked) {
    state->panicked = true;
    state->panic_message = what;
  }
  return BackendResult<T>::failure(BackendError::foreign_panic(), GasInfo::free());
}

std::string lossy(ByteView b) {
  return utf8_lossy(b);
}

// Rust's Debug form of Option<Cow<str>>: Some("...") with escapes, or None.
std::string debug_option_str(std::optional<ByteView> data) {
  if (!data)
    return "None";
  const std::string text = utf8_lossy(*data);
  std::string out = "Some(\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\0':
        out += "\\0";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[16];
          std::snprintf(buf, sizeof buf, "\\u{%x}", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += "\")";
  return out;
}

std::string hex_upper(ByteView b) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(b.size() * 2);
  for (uint8_t x : b) {
    out += kDigits[x >> 4];
    out += kDigits[x & 15];
  }
  return out;
}

}  // namespace

// ---- storage ----------------------------------------------------------------

BackendResult<std::optional<Bytes>> GoStorage::get(ByteView key) {
  if (db_.vtable.read_db == nullptr)
    return missing_callback<std::optional<Bytes>>(state_, "vtable function 'read_db' not set");
  UnmanagedVector output = vector_none();
  UnmanagedVector error_msg = vector_none();
  uint64_t used_gas = 0;
  const int32_t code = call_node([&] {
    return db_.vtable.read_db(db_.state, db_.gas_meter, &used_gas, view_of(key), &output,
                              &error_msg);
  });
  // Both vectors are freed whatever the outcome.
  std::optional<Bytes> value = vector_consume(output);
  const GasInfo gas = GasInfo::with_externally_used(used_gas);
  std::optional<BackendError> error = go_error_to_backend(
      code, error_msg, [&] { return "Failed to read a key in the db: " + lossy(key); });
  if (error)
    return BackendResult<std::optional<Bytes>>::failure(std::move(*error), gas);
  return BackendResult<std::optional<Bytes>>::success(std::move(value), gas);
}

BackendResult<uint32_t> GoStorage::scan(std::optional<ByteView> start,
                                        std::optional<ByteView> end,
                                        Order order) {
  if (db_.vtable.scan_db == nullptr)
    return missing_callback<uint32_t>(state_, "vtable function 'scan_db' not set");
  UnmanagedVector error_msg = vector_none();
  GoIter iter{};  // filled in by the callback
  uint64_t used_gas = 0;
  const int32_t code = call_node([&] {
    return db_.vtable.scan_db(db_.state, db_.gas_meter, &used_gas, view_of(start), view_of(end),
                              static_cast<int32_t>(order), &iter, &error_msg);
  });
  const GasInfo gas = GasInfo::with_externally_used(used_gas);
  std::optional<BackendError> error = go_error_to_backend(code, error_msg, [&] {
    return "Failed to read the next key between " + debug_option_str(start) + " and " +
           debug_option_str(end);
  });
  if (error)
    return BackendResult<uint32_t>::failure(std::move(*error), gas);
  const auto id = static_cast<uint32_t>(iterators_.size());
  iterators_.push_back(iter);
  return BackendResult<uint32_t>::success(id, gas);
}

BackendResult<std::optional<Record>> GoStorage::next(uint32_t iterator_id) {
  using R = BackendResult<std::optional<Record>>;
  if (iterator_id >= iterators_.size())
    return R::failure(BackendError::iterator_does_not_exist(iterator_id), GasInfo::free());
  GoIter& it = iterators_[iterator_id];
  if (it.vtable.next == nullptr)
    return missing_callback<std::optional<Record>>(state_,
                                                   "iterator vtable function 'next' not set");
  UnmanagedVector key_out = vector_none();
  UnmanagedVector value_out = vector_none();
  UnmanagedVector error_msg = vector_none();
  uint64_t used_gas = 0;
  const int32_t code = call_node([&] {
    return it.vtable.next(it.reference, it.gas_meter, &used_gas, &key_out, &value_out,
                          &error_msg);
  });
  std::optional<Bytes> key = vector_consume(key_out);
  std::optional<Bytes> value = vector_consume(value_out);
  const GasInfo gas = GasInfo::with_externally_used(used_gas);
  std::optional<BackendError> error = go_error_to_backend(
      code, error_msg, [] { return std::string("Failed to fetch next item from iterator"); });
  if (error)
    return R::failure(std::move(*error), gas);
  if (!key)
    return R::success(std::nullopt, gas);
  if (!value)
    return R::failure(
        BackendError::unknown("Failed to read value while reading the next key in the db"), gas);
  return R::success(Record{std::move(*key), std::move(*value)}, gas);
}

BackendResult<std::optional<Bytes>> GoStorage::next_key(uint32_t iterator_id) {
  return next_part(iterator_id, Part::Key);
}

BackendResult<std::optional<Bytes>> GoStorage::next_value(uint32_t iterator_id) {
  return next_part(iterator_id, Part::Value);
}

BackendResult<std::optional<Bytes>> GoStorage::next_part(uint32_t iterator_id, Part part) {
  using R = BackendResult<std::optional<Bytes>>;
  if (iterator_id >= iterators_.size())
    return R::failure(BackendError::iterator_does_not_exist(iterator_id), GasInfo::free());
  GoIter& it = iterators_[iterator_id];
  auto* fn = part == Part::Key ? it.vtable.next_key : it.vtable.next_value;
  if (fn == nullptr)
    return missing_callback<std::optional<Bytes>>(
        state_, part == Part::Key ? "iterator vtable function 'next_key' not set"
                                  : "iterator vtable function 'next_value' not set");
  UnmanagedVector output = vector_none();
  UnmanagedVector error_msg = vector_none();
  uint64_t used_gas = 0;
  const int32_t code =
      call_node([&] { return fn(it.reference, it.gas_meter, &used_gas, &output, &error_msg); });
  std::optional<Bytes> data = vector_consume(output);
  const GasInfo gas = GasInfo::with_externally_used(used_gas);
  std::optional<BackendError> error = go_error_to_backend(
      code, error_msg, [] { return std::string("Failed to fetch next item from iterator"); });
  if (error)
    return R::failure(std::move(*error), gas);
  return R::success(std::move(data), gas);
}

BackendResult<Unit> GoStorage::set(ByteView key, ByteView value) {
  if (db_.vtable.write_db == nullptr)
    return missing_callback<Unit>(state_, "vtable function 'write_db' not set");
  UnmanagedVector error_msg = vector_none();
  uint64_t used_gas = 0;
  const int32_t code = call_node([&] {
    return db_.vtable.write_db(db_.state, db_.gas_meter, &used_gas, view_of(key), view_of(value),
                               &error_msg);
  });
  const GasInfo gas = GasInfo::with_externally_used(used_gas);
  std::optional<BackendError> error = go_error_to_backend(
      code, error_msg, [&] { return "Failed to set a key in the db: " + lossy(key); });
  if (error)
    return BackendResult<Unit>::failure(std::move(*error), gas);
  return BackendResult<Unit>::success(Unit{}, gas);
}

BackendResult<Unit> GoStorage::remove(ByteView key) {
  if (db_.vtable.remove_db == nullptr)
    return missing_callback<Unit>(state_, "vtable function 'remove_db' not set");
  UnmanagedVector error_msg = vector_none();
  uint64_t used_gas = 0;
  const int32_t code = call_node([&] {
    return db_.vtable.remove_db(db_.state, db_.gas_meter, &used_gas, view_of(key), &error_msg);
  });
  const GasInfo gas = GasInfo::with_externally_used(used_gas);
  std::optional<BackendError> error = go_error_to_backend(
      code, error_msg, [&] { return "Failed to delete a key in the db: " + lossy(key); });
  if (error)
    return BackendResult<Unit>::failure(std::move(*error), gas);
  return BackendResult<Unit>::success(Unit{}, gas);
}

// ---- address API ------------------------------------------------------------

BackendResult<Unit> GoBackendApi::addr_validate(std::string_view input) {
  if (api_.vtable.validate_address == nullptr)
    return missing_callback<Unit>(state_, "vtable function 'validate_address' not set");
  UnmanagedVector error_msg = vector_none();
  uint64_t used_gas = 0;
  const int32_t code = call_node([&] {
    return api_.vtable.validate_address(api_.state, view_of(as_bytes(input)), &error_msg,
                                        &used_gas);
  });
  const GasInfo gas = GasInfo::with_cost(used_gas);
  std::optional<BackendError> error = go_error_to_backend(
      code, error_msg, [&] { return "Failed to validate the address: " + std::string(input); });
  if (error)
    return BackendResult<Unit>::failure(std::move(*error), gas);
  return BackendResult<Unit>::success(Unit{}, gas);
}

BackendResult<Bytes> GoBackendApi::addr_canonicalize(std::string_view input) {
  if (api_.vtable.canonicalize_address == nullptr)
    return missing_callback<Bytes>(state_, "vtable function 'canonicalize_address' not set");
  UnmanagedVector output = vector_none();
  UnmanagedVector error_msg = vector_none();
  uint64_t used_gas = 0;
  const int32_t code = call_node([&] {
    return api_.vtable.canonicalize_address(api_.state, view_of(as_bytes(input)), &output,
                                            &error_msg, &used_gas);
  });
  std::optional<Bytes> canonical = vector_consume(output);
  const GasInfo gas = GasInfo::with_cost(used_gas);
  std::optional<BackendError> error = go_error_to_backend(
      code, error_msg, [&] { return "Failed to canonicalize the address: " + std::string(input); });
  if (error)
    return BackendResult<Bytes>::failure(std::move(*error), gas);
  if (!canonical)
    return BackendResult<Bytes>::failure(BackendError::unknown("Unset output"), gas);
  return BackendResult<Bytes>::success(std::move(*canonical), gas);
}

BackendResult<std::string> GoBackendApi::addr_humanize(ByteView canonical) {
  using R = BackendResult<std::string>;
  if (api_.vtable.humanize_address == nullptr)
    return missing_callback<std::string>(state_, "vtable function 'humanize_address' not set");
  UnmanagedVector output = vector_none();
  UnmanagedVector error_msg = vector_none();
  uint64_t used_gas = 0;
  const int32_t code = call_node([&] {
    return api_.vtable.humanize_address(api_.state, view_of(canonical), &output, &error_msg,
                                        &used_gas);
  });
  std::optional<Bytes> human = vector_consume(output);
  const GasInfo gas = GasInfo::with_cost(used_gas);
  std::optional<BackendError> error = go_error_to_backend(
      code, error_msg, [&] { return "Failed to humanize the address: " + hex_upper(canonical); });
  if (error)
    return R::failure(std::move(*error), gas);
  if (!human)
    return R::failure(BackendError::unknown("Unset output"), gas);
  if (!is_valid_utf8(*human))
    return R::failure(BackendError::invalid_utf8(), gas);
  return R::success(std::string(human->begin(), human->end()), gas);
}

// ---- querier ----------------------------------------------------------------

namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// Parsing failures carry serde-like messages; only their presence matters
// for consensus (the contract sees InvalidResponse either way).
struct ParseFailure {
  std::string message;
};

// The single key of an externally tagged enum value.
const std::string* variant_of(const Json& v, ParseFailure* fail) {
  if (!v.is_object() || v.size() != 1) {
    fail->message = "expected an object with exactly one key";
    return nullptr;
  }
  return &v.begin().key();
}

bool string_field(const Json& obj, const char* name, std::string* out, ParseFailure* fail) {
  auto it = obj.find(name);
  if (it == obj.end()) {
    fail->message = std::string("missing field `") + name + "`";
    return false;
  }
  if (!it->is_string()) {
    fail->message = std::string("invalid type for field `") + name + "`, expected a string";
    return false;
  }
  *out = it->get<std::string>();
  return true;
}

// A Binary field: base64 text, re-encoded canonically.
bool binary_field(const Json& obj, const char* name, std::string* out, ParseFailure* fail) {
  std::string text;
  if (!string_field(obj, name, &text, fail))
    return false;
  std::optional<Bytes> decoded = base64_decode(text);
  if (!decoded) {
    fail->message = std::string("invalid base64 in field `") + name + "`";
    return false;
  }
  *out = base64_encode(*decoded);
  return true;
}

// SystemError in cosmwasm-std 3.0's field order.
std::optional<OrderedJson> system_error(const Json& v, ParseFailure* fail) {
  const std::string* variant = variant_of(v, fail);
  if (variant == nullptr)
    return std::nullopt;
  const Json& body = v.begin().value();
  if (!body.is_object()) {
    fail->message = "invalid type for variant `" + *variant + "`, expected a struct";
    return std::nullopt;
  }
  OrderedJson fields = OrderedJson::object();
  std::string a, b;
  if (*variant == "invalid_request") {
    if (!string_field(body, "error", &a, fail) || !binary_field(body, "request", &b, fail))
      return std::nullopt;
    fields["error"] = a;
    fields["request"] = b;
  } else if (*variant == "invalid_response") {
    if (!string_field(body, "error", &a, fail) || !binary_field(body, "response", &b, fail))
      return std::nullopt;
    fields["error"] = a;
    fields["response"] = b;
  } else if (*variant == "no_such_contract") {
    if (!string_field(body, "addr", &a, fail))
      return std::nullopt;
    fields["addr"] = a;
  } else if (*variant == "no_such_code") {
    auto it = body.find("code_id");
    if (it == body.end() || !it->is_number_unsigned()) {
      fail->message = "field `code_id` must be a u64";
      return std::nullopt;
    }
    fields["code_id"] = it->get<uint64_t>();
  } else if (*variant == "unknown") {
    // no fields
  } else if (*variant == "unsupported_request") {
    if (!string_field(body, "kind", &a, fail))
      return std::nullopt;
    fields["kind"] = a;
  } else {
    fail->message = "unknown variant `" + *variant + "`";
    return std::nullopt;
  }
  OrderedJson out = OrderedJson::object();
  out[*variant] = std::move(fields);
  return out;
}

// SystemResult<ContractResult<Binary>>.
std::optional<OrderedJson> system_result(const Json& v, ParseFailure* fail) {
  const std::string* variant = variant_of(v, fail);
  if (variant == nullptr)
    return std::nullopt;
  const Json& body = v.begin().value();
  OrderedJson out = OrderedJson::object();
  if (*variant == "ok") {
    const std::string* inner = variant_of(body, fail);
    if (inner == nullptr)
      return std::nullopt;
    const Json& value = body.begin().value();
    if (!value.is_string()) {
      fail->message = "invalid type for `" + *inner + "`, expected a string";
      return std::nullopt;
    }
    OrderedJson contract_result = OrderedJson::object();
    if (*inner == "ok") {
      std::optional<Bytes> decoded = base64_decode(value.get<std::string>());
      if (!decoded) {
        fail->message = "invalid base64";
        return std::nullopt;
      }
      contract_result["ok"] = base64_encode(*decoded);
    } else if (*inner == "error") {
      contract_result["error"] = value.get<std::string>();
    } else {
      fail->message = "unknown variant `" + *inner + "`, expected `ok` or `error`";
      return std::nullopt;
    }
    out["ok"] = std::move(contract_result);
    return out;
  }
  if (*variant == "error") {
    std::optional<OrderedJson> err = system_error(body, fail);
    if (!err)
      return std::nullopt;
    out["error"] = std::move(*err);
    return out;
  }
  fail->message = "unknown variant `" + *variant + "`, expected `ok` or `error`";
  return std::nullopt;
}

}  // namespace

std::string normalize_query_answer(ByteView answer) {
  ParseFailure fail;
  std::optional<OrderedJson> canonical;
  if (json_nesting_depth(answer) > kMaxJsonDepth) {
    fail.message = "recursion limit exceeded";
  } else {
    // The answer is untrusted input: exceptions stay inside this function.
    try {
      // A map would merge duplicate keys, which serde rejects: track the keys
      // of every open object (at most kMaxJsonDepth deep).
      std::vector<std::set<std::string>> open_objects;
      bool duplicate = false;
      const Json parsed = Json::parse(
          answer.begin(), answer.end(), [&](int, Json::parse_event_t event, Json& value) {
            switch (event) {
              case Json::parse_event_t::object_start:
                open_objects.emplace_back();
                break;
              case Json::parse_event_t::object_end:
                open_objects.pop_back();
                break;
              case Json::parse_event_t::key:
                if (!open_objects.back().insert(value.get<std::string>()).second)
                  duplicate = true;
                break;
              default:
                break;
            }
            return true;
          });
      if (duplicate)
        fail.message = "duplicate field";
      else
        canonical = system_result(parsed, &fail);
    } catch (const nlohmann::json::exception& e) {
      fail.message = e.what();
    }
  }
  if (canonical)
    return canonical->dump();
  OrderedJson invalid = OrderedJson::object();
  invalid["error"] = "Parsing Go response: " + fail.message;
  invalid["response"] = base64_encode(answer);
  OrderedJson out = OrderedJson::object();
  out["error"]["invalid_response"] = std::move(invalid);
  return out.dump();
}

BackendResult<Bytes> GoBackendQuerier::query_raw(ByteView request, uint64_t gas_limit) {
  using R = BackendResult<Bytes>;
  if (querier_.vtable.query_external == nullptr)
    return missing_callback<Bytes>(state_, "vtable function 'query_external' not set");
  UnmanagedVector output = vector_none();
  UnmanagedVector error_msg = vector_none();
  uint64_t used_gas = 0;
  const int32_t code = call_node([&] {
    return querier_.vtable.query_external(querier_.state, gas_limit, &used_gas, view_of(request),
                                          &output, &error_msg);
  });
  std::optional<Bytes> answer = vector_consume(output);
  const GasInfo gas = GasInfo::with_externally_used(used_gas);
  std::optional<BackendError> error = go_error_to_backend(code, error_msg, [&] {
    return "Failed to query another contract with this request: " + lossy(request);
  });
  if (error)
    return R::failure(std::move(*error), gas);
  const std::string json = normalize_query_answer(answer.value_or(Bytes{}));
  return R::success(Bytes(json.begin(), json.end()), gas);
}

}  // namespace wvm::cosmwasm::capi
