// In-memory backends for tests and the command-line program, with the
// behaviour and gas of cosmwasm-vm 3.0's testing mocks
// (packages/vm/src/testing/{storage,mock,querier}.rs and cosmwasm-std's
// testing MockQuerier), plus helpers that build the Env and MessageInfo JSON
// of cosmwasm-vm's mock_env() / mock_info().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hosts/cosmwasm/backend.h"

namespace wvm::cosmwasm {

/// An ordered in-memory key-value store. Iterators snapshot their range when
/// opened; ids are 1, 2, 3, ... in opening order. Gas: get/set/remove are
/// used externally by key (and value) length, scan 11 externally, each record
/// costs key + value length, the end of an iterator 37 externally.
class MockStorage : public Storage {
 public:
  /// Byte-wise lexicographic order (Rust's Vec<u8> order).
  struct BytesLess {
    bool operator()(const Bytes& a, const Bytes& b) const noexcept;
  };
  using Map = std::map<Bytes, Bytes, BytesLess>;

  /// Gas of opening an iterator, used externally.
  static constexpr uint64_t kGasCostRange = 11;
  /// Gas of an iterator's end, used externally.
  static constexpr uint64_t kGasCostLastIteration = 37;
  /// Gas of one record an iterator returns: its key and value length.
  static GasInfo record_gas(const Record& r) noexcept {
    return GasInfo::with_cost(r.first.size() + r.second.size());
  }

  BackendResult<std::optional<Bytes>> get(ByteView key) override;
  BackendResult<uint32_t> scan(std::optional<ByteView> start,
                               std::optional<ByteView> end,
                               Order order) override;
  BackendResult<std::optional<Record>> next(uint32_t iterator_id) override;
  BackendResult<std::optional<Bytes>> next_key(uint32_t iterator_id) override;
  BackendResult<std::optional<Bytes>> next_value(uint32_t iterator_id) override;
  BackendResult<Unit> set(ByteView key, ByteView value) override;
  BackendResult<Unit> remove(ByteView key) override;

  /// The stored data, for inspection by tests.
  const Map& data() const noexcept { return data_; }
  size_t open_iterators() const noexcept { return iterators_.size(); }

 private:
  struct Iter {
    std::vector<Record> records;
    size_t position = 0;
  };
  Map data_;
  std::map<uint32_t, Iter> iterators_;
};

/// Bech32 (BIP-173, the original checksum constant 1).
namespace bech32 {
/// Encodes `data` (8-bit bytes) under the lowercase `hrp`; nullopt if the hrp is invalid.
std::optional<std::string> encode(std::string_view hrp, ByteView data);
struct Decoded {
  std::string hrp;  ///< lowercase
  Bytes data;       ///< 8-bit bytes (trailing padding bits dropped)
};
/// Decodes a Bech32 string (either case, not mixed); nullopt if malformed or
/// the checksum is wrong.
std::optional<Decoded> decode(std::string_view text);
}  // namespace bech32

/// SHA-256 (OpenSSL).
Bytes sha256(ByteView data);

/// Bech32 addresses with a prefix ("cosmwasm" by default), as cosmwasm-vm's
/// MockApi: canonical addresses are the decoded bytes (1 to 255 of them),
/// human addresses the lowercase encoding. Canonicalize costs 5 * 140,000 and
/// humanize 4 * 140,000 (wasmd's costs times its gas multiplier), charged as
/// VM gas.
class MockApi : public BackendApi {
 public:
  static constexpr uint64_t kWasmdGasMultiplier = 140'000;
  static constexpr uint64_t kGasCostHumanize = 4 * kWasmdGasMultiplier;
  static constexpr uint64_t kGasCostCanonicalize = 5 * kWasmdGasMultiplier;

  explicit MockApi(std::string prefix = "cosmwasm") : prefix_(std::move(prefix)) {}
  /// A MockApi whose every call fails with BackendError::unknown(message).
  static MockApi failing(std::string message);

  BackendResult<Unit> addr_validate(std::string_view input) override;
  BackendResult<Bytes> addr_canonicalize(std::string_view input) override;
  BackendResult<std::string> addr_humanize(ByteView canonical) override;

  /// A valid address derived from `input`: bech32(prefix, sha256(input)).
  std::string addr_make(std::string_view input) const;

 private:
  std::string prefix_;
  std::optional<std::string> failure_;
};

/// An amount of one denomination; `amount` is a decimal u128.
struct Coin {
  std::string denom;
  std::string amount;
};

/// The sum of two decimal integers (digit strings), unbounded: the bank's
/// supply totals here and the CLI's u128 balances.
std::string add_decimal(const std::string& a, const std::string& b);

/// Answers bank queries from balances the test sets, custom queries through
/// a handler, and everything else with cosmwasm-std's mock answers (no such
/// contract, unsupported request, ...). Gas: 100,000 plus 100 per byte of
/// the serialized response, used externally; more than the query's gas
/// limit is BackendError::out_of_gas.
class MockQuerier : public Querier {
 public:
  static constexpr uint64_t kGasCostQueryFlat = 100'000;
  static constexpr uint64_t kGasCostQueryRequestMultiplier = 0;
  static constexpr uint64_t kGasCostQueryResponseMultiplier = 100;

  /// Gets the JSON of the `custom` query's content and returns the
  /// serialized SystemResult (see system_ok() / system_error()).
  using CustomHandler = std::function<std::string(std::string_view custom_query_json)>;

  MockQuerier() = default;
  explicit MockQuerier(const std::vector<std::pair<std::string, std::vector<Coin>>>& balances);

  /// Sets an account's balances (replacing them); returns the previous ones.
  std::optional<std::vector<Coin>> update_balance(const std::string& address,
                                                  std::vector<Coin> balance);
  void set_custom_handler(CustomHandler handler) { custom_handler_ = std::move(handler); }

  BackendResult<Bytes> query_raw(ByteView request, uint64_t gas_limit) override;

  /// The serialized SystemResult<ContractResult<Binary>> of a query answered with `data`.
  static std::string system_ok(ByteView data);
  /// ... of a query whose contract returned an error.
  static std::string contract_error(std::string_view message);
  /// ... of a system error, given as the JSON of the SystemError (e.g.
  /// {"unsupported_request":{"kind":"custom"}}).
  static std::string system_error(std::string_view system_error_json);

 private:
  std::string handle(ByteView request) const;

  std::vector<std::pair<std::string, std::vector<Coin>>> balances_;
  CustomHandler custom_handler_;
};

/// cosmwasm-vm's mock_env() as JSON: height 12345, time
/// 1571797419879305533 ns, chain "cosmos-testnet-14002", transaction index 3,
/// contract MockApi().addr_make("cosmos2contract").
std::string mock_env_json();
/// A MessageInfo JSON: {"sender": ..., "funds": [...]}.
std::string mock_info_json(std::string_view sender, const std::vector<Coin>& funds = {});
/// The address of mock_env()'s contract.
std::string mock_contract_addr();

}  // namespace wvm::cosmwasm
