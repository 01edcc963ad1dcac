// The persistent local chain of `wvm cosmwasm`: stored code, contracts,
// their storage, bank balances and the last block, in one RocksDB database
// (the --state directory).
//
// Keys, all in the default column family (ASCII namespaces, so a dump with
// RocksDB's `ldb scan` stays readable):
//
//   meta/format              "wvm-cosmwasm-state 1", written when the state is created
//   meta/height              the last block's height, decimal (0 before any transaction)
//   meta/time                the last block's time, decimal nanoseconds since the Unix epoch
//   meta/next_instance       the instance number of the next contract (1, 2, ...), decimal
//   code/<checksum>          wasm bytes; <checksum> is their SHA-256 in lowercase hex
//   contract/<address>       JSON {"code_checksum","label","creator","instance","created_height"}
//   balance/<address>        JSON [{"denom":...,"amount":...}, ...], sorted by denom
//   storage/<address>/<key>  a contract's storage: <key> is the contract's raw key bytes
//
// A bech32 address never contains '/', so "storage/<address>/" is a prefix of
// exactly one contract's keys. A command's writes (contract storage, contract
// record, balances, block) go to the database in one synced WriteBatch, and
// only when the command succeeds.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hosts/cosmwasm/backend.h"
#include "hosts/cosmwasm/mock.h"

namespace rocksdb {
class DB;
class Iterator;
}  // namespace rocksdb

namespace wvm::cosmwasm::cli {

/// A value or the message of a failed database operation.
template <class T>
struct StateResult {
  std::optional<std::string> error;
  T value{};
  bool ok() const noexcept { return !error.has_value(); }
  StateResult() = default;
  StateResult(T v) : value(std::move(v)) {}
  static StateResult failure(std::string message) {
    StateResult r;
    r.error = std::move(message);
    return r;
  }
};

/// The chain's block: what Env.block reports.
struct BlockInfo {
  uint64_t height = 0;
  uint64_t time_ns = 0;  ///< nanoseconds since the Unix epoch
};

/// The block before the first transaction: height 0 at 2024-01-01T00:00:00Z.
constexpr BlockInfo kGenesisBlock{0, 1'704'067'200'000'000'000};
/// Each transaction runs in a new block this much later than the last one.
constexpr uint64_t kBlockIntervalNs = 5'000'000'000;

/// What the state records about a contract.
struct ContractInfo {
  std::string address;
  std::string code_checksum;  ///< lowercase hex
  std::string label;
  std::string creator;
  uint64_t instance = 0;  ///< the n-th contract created in this state
  uint64_t created_height = 0;
};

/// Accounts and their balances, as MockQuerier takes them.
using Balances = std::vector<std::pair<std::string, std::vector<Coin>>>;

/// One contract's storage over the database, with the writes of the running
/// command held in memory on top of it (reads see them; nothing reaches the
/// database until ChainState::commit). Iterators merge a RocksDB iterator
/// with a copy of the pending writes in their range taken when they are
/// opened; ids are 1, 2, 3, ... in opening order. Gas as MockStorage:
/// get/set/remove used externally by key (and value) length, scan 11
/// externally, each record costs key + value length, the end 37 externally.
class ContractStore : public Storage {
 public:
  ContractStore(rocksdb::DB* db, std::string address);
  ~ContractStore() override;

  BackendResult<std::optional<Bytes>> get(ByteView key) override;
  BackendResult<uint32_t> scan(std::optional<ByteView> start,
                               std::optional<ByteView> end,
                               Order order) override;
  BackendResult<std::optional<Record>> next(uint32_t iterator_id) override;
  BackendResult<std::optional<Bytes>> next_key(uint32_t iterator_id) override;
  BackendResult<std::optional<Bytes>> next_value(uint32_t iterator_id) override;
  BackendResult<Unit> set(ByteView key, ByteView value) override;
  BackendResult<Unit> remove(ByteView key) override;

  /// The database key prefix of the contract's storage: "storage/<address>/".
  const std::string& prefix() const noexcept { return prefix_; }
  /// Pending writes by full database key; nullopt is a removal.
  const std::map<std::string, std::optional<std::string>>& pending() const noexcept {
    return pending_;
  }

 private:
  struct Iter;
  rocksdb::DB* db_;
  std::string prefix_;
  std::map<std::string, std::optional<std::string>> pending_;
  std::map<uint32_t, std::unique_ptr<Iter>> iterators_;
};

/// Everything one command changes, written by ChainState::commit at once.
struct StateChanges {
  std::optional<BlockInfo> block;
  std::optional<uint64_t> next_instance;
  std::vector<std::pair<std::string, Bytes>> codes;  ///< checksum hex, wasm
  std::vector<ContractInfo> contracts;
  Balances balances;                       ///< accounts whose balances are replaced
  const ContractStore* storage = nullptr;  ///< its pending writes
};

/// The state directory, open for the lifetime of the object (RocksDB locks
/// it: a second process opening it gets an error until this one exits).
class ChainState {
 public:
  /// Opens the state in `dir`; creates it when `create` is set, otherwise
  /// a missing state is an error.
  static StateResult<std::unique_ptr<ChainState>> open(const std::string& dir, bool create);
  ~ChainState();
  ChainState(const ChainState&) = delete;
  ChainState& operator=(const ChainState&) = delete;

  /// The wasm stored under `checksum` (lowercase hex), if any.
  StateResult<std::optional<Bytes>> code(const std::string& checksum);
  StateResult<std::optional<ContractInfo>> contract(const std::string& address);
  /// Every account with a recorded balance, ordered by address.
  StateResult<Balances> balances();
  StateResult<BlockInfo> block();
  StateResult<uint64_t> next_instance();
  /// Checksums and sizes of all stored code, ordered by checksum.
  StateResult<std::vector<std::pair<std::string, size_t>>> codes();
  /// All contracts, ordered by address.
  StateResult<std::vector<ContractInfo>> contracts();

  /// A view of the contract's storage for one command.
  std::unique_ptr<ContractStore> contract_store(const std::string& address);

  /// Writes `changes` in one synced batch.
  StateResult<Unit> commit(const StateChanges& changes);

 private:
  explicit ChainState(rocksdb::DB* db) : db_(db) {}
  StateResult<std::optional<std::string>> read(const std::string& key);
  StateResult<uint64_t> read_u64(const std::string& key, uint64_t missing);
  rocksdb::DB* db_;
};

/// Lowercase hex of `bytes`.
std::string to_hex(ByteView bytes);
/// Bytes of a hex string (either case); nullopt if malformed.
std::optional<Bytes> from_hex(std::string_view hex);

/// Coins as JSON text ([{"denom":..,"amount":..}]) and back; parsing checks
/// that amounts are decimal u128 (a JSON number is accepted too).
std::string coins_to_json(const std::vector<Coin>& coins);
std::optional<std::vector<Coin>> coins_from_json(std::string_view json, std::string* error);

/// Adds two decimal u128 amounts; nullopt on overflow.
std::optional<std::string> add_amounts(const std::string& a, const std::string& b);
/// `s` as a decimal u128 without leading zeros; nullopt if it is not one.
std::optional<std::string> normalize_amount(std::string_view s);

}  // namespace wvm::cosmwasm::cli
