// In-memory backends. Behaviour and gas from cosmwasm-vm 3.0's
// packages/vm/src/testing/storage.rs, mock.rs and querier.rs and
// cosmwasm-std's testing MockQuerier; Bech32 from BIP-173.
#include "hosts/cosmwasm/mock.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "hosts/cosmwasm/env.h"

namespace wvm::cosmwasm {

using OrderedJson = nlohmann::ordered_json;

// ---------------------------------------------------------------------------
// MockStorage

bool MockStorage::BytesLess::operator()(const Bytes& a, const Bytes& b) const noexcept {
  const size_t n = std::min(a.size(), b.size());
  const int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  return c < 0 || (c == 0 && a.size() < b.size());
}

BackendResult<std::optional<Bytes>> MockStorage::get(ByteView key) {
  const GasInfo gas = GasInfo::with_externally_used(key.size());
  auto it = data_.find(Bytes(key.begin(), key.end()));
  if (it == data_.end())
    return BackendResult<std::optional<Bytes>>::success(std::nullopt, gas);
  return BackendResult<std::optional<Bytes>>::success(it->second, gas);
}

BackendResult<uint32_t> MockStorage::scan(std::optional<ByteView> start,
                                          std::optional<ByteView> end,
                                          Order order) {
  const GasInfo gas = GasInfo::with_externally_used(kGasCostRange);
  std::vector<Record> records;
  auto first = start ? data_.lower_bound(Bytes(start->begin(), start->end())) : data_.begin();
  auto last = end ? data_.lower_bound(Bytes(end->begin(), end->end())) : data_.end();
  // start >= end is an empty range, whatever the order.
  const bool empty =
      start && end &&
      !BytesLess()(Bytes(start->begin(), start->end()), Bytes(end->begin(), end->end()));
  if (!empty) {
    for (auto it = first; it != last; ++it)
      records.emplace_back(it->first, it->second);
    if (order == Order::Descending)
      std::reverse(records.begin(), records.end());
  }
  const uint32_t id = static_cast<uint32_t>(iterators_.size()) + 1;
  iterators_[id] = Iter{std::move(records), 0};
  return BackendResult<uint32_t>::success(id, gas);
}

BackendResult<std::optional<Record>> MockStorage::next(uint32_t iterator_id) {
  auto it = iterators_.find(iterator_id);
  if (it == iterators_.end())
    return BackendResult<std::optional<Record>>::failure(
        BackendError::iterator_does_not_exist(iterator_id), GasInfo::free());
  Iter& iter = it->second;
  if (iter.position >= iter.records.size())
    return BackendResult<std::optional<Record>>::success(
        std::nullopt, GasInfo::with_externally_used(kGasCostLastIteration));
  Record rec = iter.records[iter.position++];
  const GasInfo gas = record_gas(rec);
  return BackendResult<std::optional<Record>>::success(std::move(rec), gas);
}

BackendResult<std::optional<Bytes>> MockStorage::next_key(uint32_t iterator_id) {
  return next_part(next(iterator_id), &Record::first);
}

BackendResult<std::optional<Bytes>> MockStorage::next_value(uint32_t iterator_id) {
  return next_part(next(iterator_id), &Record::second);
}

BackendResult<Unit> MockStorage::set(ByteView key, ByteView value) {
  data_[Bytes(key.begin(), key.end())] = Bytes(value.begin(), value.end());
  return BackendResult<Unit>::success({}, GasInfo::with_externally_used(key.size() + value.size()));
}

BackendResult<Unit> MockStorage::remove(ByteView key) {
  data_.erase(Bytes(key.begin(), key.end()));
  return BackendResult<Unit>::success({}, GasInfo::with_externally_used(key.size()));
}

// ---------------------------------------------------------------------------
// Bech32 (BIP-173)

namespace bech32 {
namespace {

constexpr char kCharset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

uint32_t polymod(const std::vector<uint8_t>& values) {
  static const uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  uint32_t chk = 1;
  for (uint8_t v : values) {
    const uint32_t top = chk >> 25;
    chk = (chk & 0x1ffffff) << 5 ^ v;
    for (int i = 0; i < 5; ++i)
      if ((top >> i) & 1)
        chk ^= kGen[i];
  }
  return chk;
}

std::vector<uint8_t> hrp_expand(std::string_view hrp) {
  std::vector<uint8_t> out;
  out.reserve(hrp.size() * 2 + 1);
  for (char c : hrp)
    out.push_back(static_cast<uint8_t>(c) >> 5);
  out.push_back(0);
  for (char c : hrp)
    out.push_back(static_cast<uint8_t>(c) & 31);
  return out;
}

// An hrp is 1 to 83 characters in the range 33..126, not of mixed case.
bool valid_hrp(std::string_view hrp) {
  if (hrp.empty() || hrp.size() > 83)
    return false;
  bool lower = false, upper = false;
  for (char c : hrp) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126)
      return false;
    lower |= c >= 'a' && c <= 'z';
    upper |= c >= 'A' && c <= 'Z';
  }
  return !(lower && upper);
}

}  // namespace

std::optional<std::string> encode(std::string_view hrp, ByteView data) {
  if (!valid_hrp(hrp))
    return std::nullopt;
  std::string lower_hrp(hrp);
  for (char& c : lower_hrp)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  // 8-bit groups to 5-bit groups, the last one zero-padded.
  std::vector<uint8_t> values;
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : data) {
    acc = (acc << 8 | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      values.push_back(static_cast<uint8_t>((acc >> bits) & 31));
    }
  }
  if (bits > 0)
    values.push_back(static_cast<uint8_t>((acc << (5 - bits)) & 31));
  std::vector<uint8_t> check = hrp_expand(lower_hrp);
  check.insert(check.end(), values.begin(), values.end());
  check.insert(check.end(), 6, 0);
  const uint32_t mod = polymod(check) ^ 1;
  std::string out = lower_hrp + "1";
  for (uint8_t v : values)
    out += kCharset[v];
  for (int i = 0; i < 6; ++i)
    out += kCharset[(mod >> (5 * (5 - i))) & 31];
  return out;
}

std::optional<Decoded> decode(std::string_view text) {
  bool lower = false, upper = false;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126)
      return std::nullopt;
    lower |= c >= 'a' && c <= 'z';
    upper |= c >= 'A' && c <= 'Z';
  }
  if (lower && upper)
    return std::nullopt;
  const size_t sep = text.rfind('1');
  if (sep == std::string_view::npos || sep == 0)
    return std::nullopt;
  std::string hrp(text.substr(0, sep));
  for (char& c : hrp)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  if (!valid_hrp(hrp))
    return std::nullopt;
  const std::string_view data_part = text.substr(sep + 1);
  if (data_part.size() < 6)
    return std::nullopt;
  std::vector<uint8_t> values;
  values.reserve(data_part.size());
  for (char c : data_part) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    const char* p = std::strchr(kCharset, c);
    if (p == nullptr || c == '\0')
      return std::nullopt;
    values.push_back(static_cast<uint8_t>(p - kCharset));
  }
  std::vector<uint8_t> check = hrp_expand(hrp);
  check.insert(check.end(), values.begin(), values.end());
  if (polymod(check) != 1)
    return std::nullopt;
  // 5-bit groups (without the checksum) to bytes; leftover bits are dropped.
  Decoded out{std::move(hrp), {}};
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i + 6 < values.size(); ++i) {
    acc = (acc << 5 | values[i]) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.data.push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace bech32

Bytes sha256(ByteView data) {
  Bytes out(SHA256_DIGEST_LENGTH);
  SHA256(data.data(), data.size(), out.data());
  return out;
}

// ---------------------------------------------------------------------------
// MockApi

namespace {
// Canonical addresses are 1 to 255 bytes.
std::optional<BackendError> validate_length(ByteView bytes) {
  if (bytes.empty() || bytes.size() > 255)
    return BackendError::user_err("Invalid canonical address length");
  return std::nullopt;
}
}  // namespace

MockApi MockApi::failing(std::string message) {
  MockApi api;
  api.failure_ = std::move(message);
  return api;
}

BackendResult<Unit> MockApi::addr_validate(std::string_view input) {
  GasInfo gas;
  BackendResult<Bytes> canonical = addr_canonicalize(input);
  gas += canonical.gas;
  if (!canonical.ok())
    return BackendResult<Unit>::failure(*canonical.error, gas);
  BackendResult<std::string> normalized = addr_humanize(canonical.value);
  gas += normalized.gas;
  if (!normalized.ok())
    return BackendResult<Unit>::failure(*normalized.error, gas);
  if (normalized.value != input)
    return BackendResult<Unit>::failure(
        BackendError::user_err("Invalid input: address not normalized"), gas);
  return BackendResult<Unit>::success({}, gas);
}

BackendResult<Bytes> MockApi::addr_canonicalize(std::string_view input) {
  const GasInfo gas = GasInfo::with_cost(kGasCostCanonicalize);
  if (failure_)
    return BackendResult<Bytes>::failure(BackendError::unknown(*failure_), gas);
  std::optional<bech32::Decoded> decoded = bech32::decode(input);
  if (!decoded)
    return BackendResult<Bytes>::failure(BackendError::user_err("Error decoding bech32"), gas);
  std::string prefix = prefix_;
  for (char& c : prefix)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  if (decoded->hrp != prefix)
    return BackendResult<Bytes>::failure(BackendError::user_err("Wrong bech32 prefix"), gas);
  if (auto e = validate_length(decoded->data))
    return BackendResult<Bytes>::failure(*e, gas);
  return BackendResult<Bytes>::success(std::move(decoded->data), gas);
}

BackendResult<std::string> MockApi::addr_humanize(ByteView canonical) {
  const GasInfo gas = GasInfo::with_cost(kGasCostHumanize);
  if (failure_)
    return BackendResult<std::string>::failure(BackendError::unknown(*failure_), gas);
  if (auto e = validate_length(canonical))
    return BackendResult<std::string>::failure(*e, gas);
  std::optional<std::string> encoded = bech32::encode(prefix_, canonical);
  if (!encoded)
    return BackendResult<std::string>::failure(BackendError::user_err("Invalid bech32 prefix"),
                                               gas);
  return BackendResult<std::string>::success(std::move(*encoded), gas);
}

std::string MockApi::addr_make(std::string_view input) const {
  return bech32::encode(prefix_, sha256(as_bytes(input))).value_or(std::string());
}

// ---------------------------------------------------------------------------
// MockQuerier

MockQuerier::MockQuerier(const std::vector<std::pair<std::string, std::vector<Coin>>>& balances)
    : balances_(balances) {}

std::optional<std::vector<Coin>> MockQuerier::update_balance(const std::string& address,
                                                             std::vector<Coin> balance) {
  for (auto& [addr, coins] : balances_) {
    if (addr == address) {
      std::vector<Coin> old = std::move(coins);
      coins = std::move(balance);
      return old;
    }
  }
  balances_.emplace_back(address, std::move(balance));
  return std::nullopt;
}

std::string MockQuerier::system_ok(ByteView data) {
  OrderedJson j;
  j["ok"]["ok"] = base64_encode(data);
  return j.dump();
}

std::string MockQuerier::contract_error(std::string_view message) {
  OrderedJson j;
  j["ok"]["error"] = std::string(message);
  return j.dump();
}

std::string MockQuerier::system_error(std::string_view system_error_json) {
  return "{\"error\":" + std::string(system_error_json) + "}";
}

namespace {

OrderedJson coin_json(const std::string& denom, const std::string& amount) {
  OrderedJson c;
  c["denom"] = denom;
  c["amount"] = amount;
  return c;
}

std::string invalid_request(const std::string& error, ByteView request) {
  OrderedJson e;
  e["invalid_request"]["error"] = error;
  e["invalid_request"]["request"] = base64_encode(request);
  return MockQuerier::system_error(e.dump());
}

std::string unsupported(const std::string& kind) {
  OrderedJson e;
  e["unsupported_request"]["kind"] = kind;
  return MockQuerier::system_error(e.dump());
}

std::string ok_json(const OrderedJson& response) {
  const std::string text = response.dump();
  return MockQuerier::system_ok(as_bytes(text));
}

// The single key of a JSON object (a serde enum variant), or "" if it is not one.
std::string variant_of(const nlohmann::json& j) {
  if (!j.is_object() || j.size() != 1)
    return {};
  return j.begin().key();
}

}  // namespace

std::string add_decimal(const std::string& a, const std::string& b) {
  std::string out;
  int carry = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    int d = carry;
    if (i < a.size())
      d += a[a.size() - 1 - i] - '0';
    if (i < b.size())
      d += b[b.size() - 1 - i] - '0';
    out.push_back(static_cast<char>('0' + d % 10));
    carry = d / 10;
  }
  while (out.size() > 1 && out.back() == '0')
    out.pop_back();
  std::reverse(out.begin(), out.end());
  return out;
}

std::string MockQuerier::handle(ByteView request) const {
  if (json_nesting_depth(request) > kMaxJsonDepth)
    return invalid_request("Parsing query request: recursion limit exceeded", request);
  nlohmann::json req;
  try {
    req = nlohmann::json::parse(request.begin(), request.end());
  } catch (const nlohmann::json::parse_error& e) {
    return invalid_request(std::string("Parsing query request: ") + e.what(), request);
  }
  const std::string kind = variant_of(req);
  auto parse_error = [&](const std::string& what) {
    return invalid_request("Parsing query request: " + what, request);
  };
  try {
    if (kind == "bank") {
      const nlohmann::json& q = req["bank"];
      const std::string op = variant_of(q);
      if (op == "balance") {
        const std::string address = q[op].at("address").get<std::string>();
        const std::string denom = q[op].at("denom").get<std::string>();
        std::string amount = "0";
        for (const auto& [addr, coins] : balances_)
          if (addr == address)
            for (const Coin& c : coins)
              if (c.denom == denom)
                amount = c.amount;
        OrderedJson r;
        r["amount"] = coin_json(denom, amount);
        return ok_json(r);
      }
      if (op == "all_balances") {
        const std::string address = q[op].at("address").get<std::string>();
        OrderedJson r;
        r["amount"] = OrderedJson::array();
        for (const auto& [addr, coins] : balances_)
          if (addr == address)
            for (const Coin& c : coins)
              r["amount"].push_back(coin_json(c.denom, c.amount));
        return ok_json(r);
      }
      if (op == "supply") {
        const std::string denom = q[op].at("denom").get<std::string>();
        std::string total = "0";
        for (const auto& [addr, coins] : balances_)
          for (const Coin& c : coins)
            if (c.denom == denom)
              total = add_decimal(total, c.amount);
        OrderedJson r;
        r["amount"] = coin_json(denom, total);
        return ok_json(r);
      }
      return parse_error("unknown variant `" + op + "` of BankQuery");
    }
    if (kind == "custom") {
      if (!custom_handler_)
        return unsupported("custom");
      return custom_handler_(req["custom"].dump());
    }
    if (kind == "wasm") {
      const nlohmann::json& q = req["wasm"];
      const std::string op = variant_of(q);
      if (op == "smart" || op == "contract_info") {
        OrderedJson e;
        e["no_such_contract"]["addr"] = q[op].at("contract_addr").get<std::string>();
        return system_error(e.dump());
      }
      if (op == "raw") {
        OrderedJson e;
        e["invalid_request"]["error"] = "raw queries are unsupported";
        e["invalid_request"]["request"] = "";
        return system_error(e.dump());
      }
      if (op == "code_info") {
        OrderedJson e;
        e["no_such_code"]["code_id"] = q[op].at("code_id").get<uint64_t>();
        return system_error(e.dump());
      }
      return parse_error("unknown variant `" + op + "` of WasmQuery");
    }
    if (kind == "staking") {
      const std::string op = variant_of(req["staking"]);
      OrderedJson r;
      if (op == "bonded_denom") {
        r["denom"] = "";
      } else if (op == "all_validators") {
        r["validators"] = OrderedJson::array();
      } else if (op == "validator") {
        r["validator"] = nullptr;
      } else if (op == "all_delegations") {
        r["delegations"] = OrderedJson::array();
      } else if (op == "delegation") {
        r["delegation"] = nullptr;
      } else {
        return parse_error("unknown variant `" + op + "` of StakingQuery");
      }
      return ok_json(r);
    }
    if (kind == "stargate")
      return unsupported("Stargate");
    if (kind == "grpc")
      return unsupported("GRPC");
    if (kind == "ibc")
      return unsupported("Ibc");
    if (kind == "distribution")
      return unsupported("Distribution");
  } catch (const nlohmann::json::exception& e) {
    return parse_error(e.what());
  }
  return parse_error("unknown variant `" + kind + "` of QueryRequest");
}

BackendResult<Bytes> MockQuerier::query_raw(ByteView request, uint64_t gas_limit) {
  const std::string response = handle(request);
  const GasInfo gas = GasInfo::with_externally_used(
      kGasCostQueryFlat + kGasCostQueryRequestMultiplier * request.size() +
      kGasCostQueryResponseMultiplier * response.size());
  // A real querier would stop at the limit and return no response.
  if (gas.externally_used > gas_limit)
    return BackendResult<Bytes>::failure(BackendError::out_of_gas(), gas);
  return BackendResult<Bytes>::success(Bytes(response.begin(), response.end()), gas);
}

// ---------------------------------------------------------------------------
// Env and MessageInfo

std::string mock_contract_addr() {
  return MockApi().addr_make("cosmos2contract");
}

std::string mock_env_json() {
  OrderedJson env;
  env["block"]["height"] = 12345;
  env["block"]["time"] = "1571797419879305533";
  env["block"]["chain_id"] = "cosmos-testnet-14002";
  env["transaction"]["index"] = 3;
  env["contract"]["address"] = mock_contract_addr();
  return env.dump();
}

std::string mock_info_json(std::string_view sender, const std::vector<Coin>& funds) {
  OrderedJson info;
  info["sender"] = std::string(sender);
  info["funds"] = OrderedJson::array();
  for (const Coin& c : funds)
    info["funds"].push_back(coin_json(c.denom, c.amount));
  return info.dump();
}

}  // namespace wvm::cosmwasm
