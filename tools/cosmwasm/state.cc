// The `wvm cosmwasm` chain state on RocksDB (layout in state.h).
#include "tools/cosmwasm/state.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace wvm::cosmwasm::cli {

namespace {

using OrderedJson = nlohmann::ordered_json;

constexpr std::string_view kFormat = "wvm-cosmwasm-state 1";
const std::string kFormatKey = "meta/format";
const std::string kHeightKey = "meta/height";
const std::string kTimeKey = "meta/time";
const std::string kNextInstanceKey = "meta/next_instance";
const std::string kCodePrefix = "code/";
const std::string kContractPrefix = "contract/";
const std::string kBalancePrefix = "balance/";
const std::string kStoragePrefix = "storage/";

constexpr std::string_view kU128Max = "340282366920938463463374607431768211455";

std::string to_string(ByteView b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

Bytes to_bytes(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

rocksdb::Slice slice(const std::string& s) {
  return rocksdb::Slice(s.data(), s.size());
}

// The smallest string greater than every string starting with `prefix`
// (whose last byte is not 0xff: prefixes here end in '/').
std::string prefix_end(std::string prefix) {
  prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

bool starts_with(const rocksdb::Slice& s, const std::string& prefix) {
  return s.size() >= prefix.size() && std::memcmp(s.data(), prefix.data(), prefix.size()) == 0;
}

bool parse_u64(const std::string& text, uint64_t* out) {
  if (text.empty() || text.size() > 20)
    return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10)
      return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

OrderedJson contract_json(const ContractInfo& c) {
  OrderedJson j;
  j["code_checksum"] = c.code_checksum;
  j["label"] = c.label;
  j["creator"] = c.creator;
  j["instance"] = c.instance;
  j["created_height"] = c.created_height;
  return j;
}

std::optional<ContractInfo> contract_from_json(const std::string& address,
                                               const std::string& text) {
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    ContractInfo c;
    c.address = address;
    c.code_checksum = j.at("code_checksum").get<std::string>();
    c.label = j.at("label").get<std::string>();
    c.creator = j.at("creator").get<std::string>();
    c.instance = j.at("instance").get<uint64_t>();
    c.created_height = j.at("created_height").get<uint64_t>();
    return c;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// Helpers

std::string to_hex(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::optional<Bytes> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0)
    return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  Bytes out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

std::optional<std::string> normalize_amount(std::string_view s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  while (s.size() > 1 && s.front() == '0')
    s.remove_prefix(1);
  if (s.size() > kU128Max.size() || (s.size() == kU128Max.size() && s > kU128Max))
    return std::nullopt;
  return std::string(s);
}

std::optional<std::string> add_amounts(const std::string& a, const std::string& b) {
  return normalize_amount(add_decimal(a, b));
}

std::string coins_to_json(const std::vector<Coin>& coins) {
  OrderedJson arr = OrderedJson::array();
  for (const Coin& c : coins) {
    OrderedJson j;
    j["denom"] = c.denom;
    j["amount"] = c.amount;
    arr.push_back(std::move(j));
  }
  return arr.dump();
}

std::optional<std::vector<Coin>> coins_from_json(std::string_view json, std::string* error) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json.begin(), json.end());
  } catch (const nlohmann::json::exception& e) {
    *error = e.what();
    return std::nullopt;
  }
  if (!j.is_array()) {
    *error = "expected an array of {\"denom\": ..., \"amount\": ...}";
    return std::nullopt;
  }
  std::vector<Coin> coins;
  for (const nlohmann::json& c : j) {
    if (!c.is_object() || !c.contains("denom") || !c.contains("amount") ||
        !c["denom"].is_string()) {
      *error = "expected {\"denom\": \"...\", \"amount\": \"...\"}, got " + c.dump();
      return std::nullopt;
    }
    std::string amount;
    if (c["amount"].is_string())
      amount = c["amount"].get<std::string>();
    else if (c["amount"].is_number_unsigned())
      amount = std::to_string(c["amount"].get<uint64_t>());
    std::optional<std::string> normalized = normalize_amount(amount);
    if (!normalized) {
      *error = "amount " + c["amount"].dump() + " is not a decimal u128";
      return std::nullopt;
    }
    coins.push_back(Coin{c["denom"].get<std::string>(), *normalized});
  }
  return coins;
}

// ---------------------------------------------------------------------------
// ContractStore

/// An open iterator: the database part (an iterator over the range, a
/// point-in-time view) and a copy of the pending writes in the range, merged
/// in key order; a pending write shadows the database's record.
struct ContractStore::Iter {
  Order order = Order::Ascending;
  bool empty = false;
  std::string lower, upper;  // full database keys, [lower, upper)
  std::unique_ptr<rocksdb::Iterator> db;
  std::vector<std::pair<std::string, std::optional<std::string>>> overlay;  // in `order`
  size_t overlay_pos = 0;
};

ContractStore::ContractStore(rocksdb::DB* db, std::string address)
    : db_(db), prefix_(kStoragePrefix + address + "/") {}

ContractStore::~ContractStore() = default;

BackendResult<std::optional<Bytes>> ContractStore::get(ByteView key) {
  const GasInfo gas = GasInfo::with_externally_used(key.size());
  const std::string full = prefix_ + to_string(key);
  if (auto it = pending_.find(full); it != pending_.end()) {
    if (!it->second)
      return BackendResult<std::optional<Bytes>>::success(std::nullopt, gas);
    return BackendResult<std::optional<Bytes>>::success(to_bytes(*it->second), gas);
  }
  std::string value;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), slice(full), &value);
  if (s.IsNotFound())
    return BackendResult<std::optional<Bytes>>::success(std::nullopt, gas);
  if (!s.ok())
    return BackendResult<std::optional<Bytes>>::failure(
        BackendError::unknown("RocksDB read failed: " + s.ToString()), gas);
  return BackendResult<std::optional<Bytes>>::success(to_bytes(value), gas);
}

BackendResult<uint32_t> ContractStore::scan(std::optional<ByteView> start,
                                            std::optional<ByteView> end,
                                            Order order) {
  const GasInfo gas = GasInfo::with_externally_used(MockStorage::kGasCostRange);
  auto iter = std::make_unique<Iter>();
  iter->order = order;
  iter->lower = prefix_ + (start ? to_string(*start) : std::string());
  iter->upper = end ? prefix_ + to_string(*end) : prefix_end(prefix_);
  // start >= end is an empty range, whatever the order.
  iter->empty = start && end && !(iter->lower < iter->upper);
  if (!iter->empty) {
    for (auto it = pending_.lower_bound(iter->lower);
         it != pending_.end() && it->first < iter->upper; ++it)
      iter->overlay.emplace_back(it->first, it->second);
    if (order == Order::Descending)
      std::reverse(iter->overlay.begin(), iter->overlay.end());
    // No bound options: the ReadOptions' Slices would have to outlive it,
    // and next() checks the bounds itself.
    iter->db.reset(db_->NewIterator(rocksdb::ReadOptions()));
    if (order == Order::Ascending) {
      iter->db->Seek(slice(iter->lower));
    } else {
      iter->db->SeekForPrev(slice(iter->upper));
      // SeekForPrev lands on the exclusive upper bound itself when it exists.
      if (iter->db->Valid() && iter->db->key() == slice(iter->upper))
        iter->db->Prev();
    }
  }
  const uint32_t id = static_cast<uint32_t>(iterators_.size()) + 1;
  iterators_[id] = std::move(iter);
  return BackendResult<uint32_t>::success(id, gas);
}

BackendResult<std::optional<Record>> ContractStore::next(uint32_t iterator_id) {
  using R = BackendResult<std::optional<Record>>;
  auto found = iterators_.find(iterator_id);
  if (found == iterators_.end())
    return R::failure(BackendError::iterator_does_not_exist(iterator_id), GasInfo::free());
  Iter& it = *found->second;
  const bool ascending = it.order == Order::Ascending;
  auto record = [&](std::string_view full_key, std::string_view value) {
    Record rec{to_bytes(full_key.substr(prefix_.size())), to_bytes(value)};
    const GasInfo gas = MockStorage::record_gas(rec);
    return R::success(std::move(rec), gas);
  };
  while (!it.empty) {
    // The database's candidate, if still in range.
    bool db_valid = it.db->Valid();
    if (db_valid) {
      const rocksdb::Slice k = it.db->key();
      db_valid = k.compare(slice(it.lower)) >= 0 && k.compare(slice(it.upper)) < 0 &&
                 starts_with(k, prefix_);
    } else if (!it.db->status().ok()) {
      return R::failure(
          BackendError::unknown("RocksDB iteration failed: " + it.db->status().ToString()),
          GasInfo::free());
    }
    const bool overlay_valid = it.overlay_pos < it.overlay.size();
    if (!db_valid && !overlay_valid)
      break;
    if (overlay_valid) {
      const std::string& ok = it.overlay[it.overlay_pos].first;
      int cmp = 0;  // overlay key vs database key, in iteration order
      if (db_valid) {
        cmp = rocksdb::Slice(ok).compare(it.db->key());
        if (!ascending)
          cmp = -cmp;
      }
      if (!db_valid || cmp <= 0) {
        if (db_valid && cmp == 0) {
          if (ascending)
            it.db->Next();
          else
            it.db->Prev();
        }
        const auto& entry = it.overlay[it.overlay_pos++];
        if (!entry.second)
          continue;  // removed in this command
        return record(entry.first, *entry.second);
      }
    }
    const std::string key = it.db->key().ToString();
    const std::string value = it.db->value().ToString();
    if (ascending)
      it.db->Next();
    else
      it.db->Prev();
    return record(key, value);
  }
  return R::success(std::nullopt,
                    GasInfo::with_externally_used(MockStorage::kGasCostLastIteration));
}

BackendResult<std::optional<Bytes>> ContractStore::next_key(uint32_t iterator_id) {
  return next_part(next(iterator_id), &Record::first);
}

BackendResult<std::optional<Bytes>> ContractStore::next_value(uint32_t iterator_id) {
  return next_part(next(iterator_id), &Record::second);
}

BackendResult<Unit> ContractStore::set(ByteView key, ByteView value) {
  pending_[prefix_ + to_string(key)] = to_string(value);
  return BackendResult<Unit>::success({}, GasInfo::with_externally_used(key.size() + value.size()));
}

BackendResult<Unit> ContractStore::remove(ByteView key) {
  pending_[prefix_ + to_string(key)] = std::nullopt;
  return BackendResult<Unit>::success({}, GasInfo::with_externally_used(key.size()));
}

// ---------------------------------------------------------------------------
// ChainState

StateResult<std::unique_ptr<ChainState>> ChainState::open(const std::string& dir, bool create) {
  using R = StateResult<std::unique_ptr<ChainState>>;
  std::error_code ec;
  const bool exists = std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec);
  if (!exists && !create)
    return R::failure("no state in " + dir + " (`wvm cosmwasm store --state " + dir +
                      " FILE.wasm` creates one)");
  // Never scatter a new database among someone else's files.
  if (!exists && std::filesystem::exists(dir, ec) &&
      (!std::filesystem::is_directory(dir, ec) || !std::filesystem::is_empty(dir, ec)))
    return R::failure(dir + " exists and holds no state; give a new or empty directory");
  rocksdb::Options options;
  options.create_if_missing = create;
  options.keep_log_file_num = 2;
  options.max_log_file_size = 1 << 20;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) {
    std::string msg = "cannot open the state in " + dir + ": " + s.ToString();
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos)
      msg += " (is another wvm process using it?)";
    return R::failure(std::move(msg));
  }
  std::unique_ptr<ChainState> state(new ChainState(raw));
  StateResult<std::optional<std::string>> format = state->read(kFormatKey);
  if (!format.ok())
    return R::failure(*format.error);
  if (!format.value) {
    // A fresh database gets the format mark; any other is not ours.
    std::unique_ptr<rocksdb::Iterator> it(raw->NewIterator(rocksdb::ReadOptions()));
    it->SeekToFirst();
    if (it->Valid())
      return R::failure(dir + " is a RocksDB database, but not a wvm cosmwasm state");
    rocksdb::WriteOptions wo;
    wo.sync = true;
    const rocksdb::Status w = raw->Put(wo, kFormatKey, std::string(kFormat));
    if (!w.ok())
      return R::failure("cannot write the state in " + dir + ": " + w.ToString());
  } else if (*format.value != kFormat) {
    return R::failure(dir + " holds an unsupported state format \"" + *format.value + "\"");
  }
  return R(std::move(state));
}

ChainState::~ChainState() {
  delete db_;
}

StateResult<std::optional<std::string>> ChainState::read(const std::string& key) {
  using R = StateResult<std::optional<std::string>>;
  std::string value;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), key, &value);
  if (s.IsNotFound())
    return R(std::nullopt);
  if (!s.ok())
    return R::failure("state read failed: " + s.ToString());
  return R(std::move(value));
}

StateResult<uint64_t> ChainState::read_u64(const std::string& key, uint64_t missing) {
  StateResult<std::optional<std::string>> r = read(key);
  if (!r.ok())
    return StateResult<uint64_t>::failure(*r.error);
  if (!r.value)
    return missing;
  uint64_t v = 0;
  if (!parse_u64(*r.value, &v))
    return StateResult<uint64_t>::failure("state corrupt: " + key + " is \"" + *r.value + "\"");
  return v;
}

StateResult<std::optional<Bytes>> ChainState::code(const std::string& checksum) {
  StateResult<std::optional<std::string>> r = read(kCodePrefix + checksum);
  if (!r.ok())
    return StateResult<std::optional<Bytes>>::failure(*r.error);
  if (!r.value)
    return StateResult<std::optional<Bytes>>(std::nullopt);
  return StateResult<std::optional<Bytes>>(to_bytes(*r.value));
}

StateResult<std::optional<ContractInfo>> ChainState::contract(const std::string& address) {
  using R = StateResult<std::optional<ContractInfo>>;
  StateResult<std::optional<std::string>> r = read(kContractPrefix + address);
  if (!r.ok())
    return R::failure(*r.error);
  if (!r.value)
    return R(std::nullopt);
  std::optional<ContractInfo> info = contract_from_json(address, *r.value);
  if (!info)
    return R::failure("state corrupt: the record of contract " + address + " is unreadable");
  return R(std::move(info));
}

StateResult<Balances> ChainState::balances() {
  Balances out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(kBalancePrefix); it->Valid() && starts_with(it->key(), kBalancePrefix);
       it->Next()) {
    const std::string address = it->key().ToString().substr(kBalancePrefix.size());
    std::string error;
    std::optional<std::vector<Coin>> coins = coins_from_json(it->value().ToString(), &error);
    if (!coins)
      return StateResult<Balances>::failure("state corrupt: balance of " + address + ": " + error);
    out.emplace_back(address, std::move(*coins));
  }
  if (!it->status().ok())
    return StateResult<Balances>::failure("state read failed: " + it->status().ToString());
  return out;
}

StateResult<BlockInfo> ChainState::block() {
  StateResult<uint64_t> height = read_u64(kHeightKey, kGenesisBlock.height);
  if (!height.ok())
    return StateResult<BlockInfo>::failure(*height.error);
  StateResult<uint64_t> time = read_u64(kTimeKey, kGenesisBlock.time_ns);
  if (!time.ok())
    return StateResult<BlockInfo>::failure(*time.error);
  return BlockInfo{height.value, time.value};
}

StateResult<uint64_t> ChainState::next_instance() {
  return read_u64(kNextInstanceKey, 1);
}

StateResult<std::vector<std::pair<std::string, size_t>>> ChainState::codes() {
  using R = StateResult<std::vector<std::pair<std::string, size_t>>>;
  std::vector<std::pair<std::string, size_t>> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(kCodePrefix); it->Valid() && starts_with(it->key(), kCodePrefix); it->Next())
    out.emplace_back(it->key().ToString().substr(kCodePrefix.size()), it->value().size());
  if (!it->status().ok())
    return R::failure("state read failed: " + it->status().ToString());
  return R(std::move(out));
}

StateResult<std::vector<ContractInfo>> ChainState::contracts() {
  using R = StateResult<std::vector<ContractInfo>>;
  std::vector<ContractInfo> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(kContractPrefix); it->Valid() && starts_with(it->key(), kContractPrefix);
       it->Next()) {
    const std::string address = it->key().ToString().substr(kContractPrefix.size());
    std::optional<ContractInfo> info = contract_from_json(address, it->value().ToString());
    if (!info)
      return R::failure("state corrupt: the record of contract " + address + " is unreadable");
    out.push_back(std::move(*info));
  }
  if (!it->status().ok())
    return R::failure("state read failed: " + it->status().ToString());
  return R(std::move(out));
}

std::unique_ptr<ContractStore> ChainState::contract_store(const std::string& address) {
  return std::make_unique<ContractStore>(db_, address);
}

StateResult<Unit> ChainState::commit(const StateChanges& changes) {
  rocksdb::WriteBatch batch;
  if (changes.block) {
    batch.Put(kHeightKey, std::to_string(changes.block->height));
    batch.Put(kTimeKey, std::to_string(changes.block->time_ns));
  }
  if (changes.next_instance)
    batch.Put(kNextInstanceKey, std::to_string(*changes.next_instance));
  for (const auto& [checksum, wasm] : changes.codes)
    batch.Put(kCodePrefix + checksum,
              rocksdb::Slice(reinterpret_cast<const char*>(wasm.data()), wasm.size()));
  for (const ContractInfo& c : changes.contracts)
    batch.Put(kContractPrefix + c.address, contract_json(c).dump());
  for (const auto& [address, coins] : changes.balances)
    batch.Put(kBalancePrefix + address, coins_to_json(coins));
  if (changes.storage != nullptr) {
    for (const auto& [key, value] : changes.storage->pending()) {
      if (value)
        batch.Put(key, *value);
      else
        batch.Delete(key);
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  const rocksdb::Status s = db_->Write(wo, &batch);
  if (!s.ok())
    return StateResult<Unit>::failure("state write failed: " + s.ToString());
  return StateResult<Unit>(Unit{});
}

}  // namespace wvm::cosmwasm::cli
