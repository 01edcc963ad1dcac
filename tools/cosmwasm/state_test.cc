// ContractStore (RocksDB with pending writes on top) against MockStorage, the
// reference: the same random operations must give the same values, iterator
// records, errors and gas, across commits, discarded commands and reopening.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <filesystem>
#include <random>
#include <string>
#include <type_traits>

#include "hosts/cosmwasm/mock.h"
#include "tools/cosmwasm/state.h"

namespace wvm::cosmwasm::cli {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "wvm-state-XXXXXX").string();
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Short keys over an alphabet with the extremes, so bounds and prefixes collide often.
Bytes random_key(std::mt19937& rng) {
  static const uint8_t kAlphabet[] = {0x00, 0x01, 'a', 'b', '/', 0xfe, 0xff};
  Bytes key(rng() % 4);
  for (uint8_t& b : key)
    b = kAlphabet[rng() % sizeof kAlphabet];
  return key;
}

template <class T>
bool same_value(const T& a, const T& b) {
  if constexpr (std::is_same_v<T, Unit>)
    return true;
  else
    return a == b;
}

template <class T>
void expect_same(const BackendResult<T>& got, const BackendResult<T>& want, const std::string& op) {
  ASSERT_EQ(got.ok(), want.ok()) << op;
  EXPECT_EQ(got.gas, want.gas) << op;
  if (got.ok())
    EXPECT_TRUE(same_value(got.value, want.value)) << op;
  else
    EXPECT_EQ(got.error->to_string(), want.error->to_string()) << op;
}

TEST(ContractStoreTest, MatchesMockStorageAcrossCommandsAndReopening) {
  TempDir dir;
  std::mt19937 rng(12345);
  MockStorage::Map committed;  // the model of what the database holds for contract A
  auto state = ChainState::open(dir.path(), true);
  ASSERT_TRUE(state.ok()) << *state.error;

  for (int command = 0; command < 300; ++command) {
    if (command % 50 == 49) {  // reopen: everything committed is still there
      state.value.reset();
      state = ChainState::open(dir.path(), false);
      ASSERT_TRUE(state.ok()) << *state.error;
    }
    std::unique_ptr<ContractStore> store = state.value->contract_store("cosmwasm1a");
    std::unique_ptr<ContractStore> other = state.value->contract_store("cosmwasm1ab");
    MockStorage model;
    for (const auto& [k, v] : committed)
      (void)model.set(k, v);
    std::vector<uint32_t> iterators;
    for (int op = 0; op < 40; ++op) {
      const Bytes key = random_key(rng);
      const std::string where = "command " + std::to_string(command) + " op " + std::to_string(op);
      switch (rng() % 8) {
        case 0:
        case 1: {
          const Bytes value = random_key(rng);
          expect_same(store->set(key, value), model.set(key, value), where + " set");
          // Another contract's writes never show in this one.
          (void)other->set(key, Bytes{'x'});
          break;
        }
        case 2:
          expect_same(store->remove(key), model.remove(key), where + " remove");
          break;
        case 3:
          expect_same(store->get(key), model.get(key), where + " get");
          break;
        case 4: {
          const Bytes end = random_key(rng);
          const bool has_start = rng() % 3 != 0, has_end = rng() % 3 != 0;
          const Order order = rng() % 2 ? Order::Ascending : Order::Descending;
          std::optional<ByteView> s, e;
          if (has_start)
            s = ByteView(key);
          if (has_end)
            e = ByteView(end);
          BackendResult<uint32_t> got = store->scan(s, e, order);
          expect_same(got, model.scan(s, e, order), where + " scan");
          iterators.push_back(got.value);
          break;
        }
        default: {
          // Step an open (or unknown) iterator.
          const uint32_t id =
              iterators.empty() || rng() % 10 == 0 ? 99 : iterators[rng() % iterators.size()];
          switch (rng() % 3) {
            case 0:
              expect_same(store->next(id), model.next(id), where + " next");
              break;
            case 1:
              expect_same(store->next_key(id), model.next_key(id), where + " next_key");
              break;
            default:
              expect_same(store->next_value(id), model.next_value(id), where + " next_value");
          }
        }
      }
      if (testing::Test::HasFailure())
        return;
    }
    // Two in three commands succeed and are written; the others change nothing.
    if (rng() % 3 != 0) {
      StateChanges changes;
      changes.storage = store.get();
      ASSERT_TRUE(state.value->commit(changes).ok());
      committed = model.data();
    }
  }
  // The committed contents, read back through a fresh full scan.
  std::unique_ptr<ContractStore> store = state.value->contract_store("cosmwasm1a");
  const uint32_t id = store->scan(std::nullopt, std::nullopt, Order::Ascending).value;
  MockStorage::Map read;
  for (;;) {
    auto r = store->next(id);
    ASSERT_TRUE(r.ok());
    if (!r.value)
      break;
    read.emplace(r.value->first, r.value->second);
  }
  EXPECT_EQ(read, committed);
  EXPECT_FALSE(committed.empty());
}

TEST(ChainStateTest, RecordsPersistAndForeignDatabasesAreRefused) {
  TempDir dir;
  const std::string path = dir.path() + "/state";
  EXPECT_FALSE(ChainState::open(path, false).ok());  // nothing there yet
  {
    auto state = ChainState::open(path, true);
    ASSERT_TRUE(state.ok()) << *state.error;
    EXPECT_EQ(state.value->block().value.height, kGenesisBlock.height);
    EXPECT_EQ(state.value->next_instance().value, 1u);
    StateChanges changes;
    changes.block = BlockInfo{7, kGenesisBlock.time_ns + 7 * kBlockIntervalNs};
    changes.next_instance = 3;
    changes.codes.emplace_back(std::string(64, 'a'), Bytes{0, 'a', 's', 'm'});
    changes.contracts.push_back(
        ContractInfo{"cosmwasm1c", std::string(64, 'a'), "label", "cosmwasm1creator", 2, 5});
    changes.balances.emplace_back("cosmwasm1c", std::vector<Coin>{{"earth", "1000"}});
    ASSERT_TRUE(state.value->commit(changes).ok());
    // RocksDB locks the directory while it is open.
    EXPECT_FALSE(ChainState::open(path, false).ok());
  }
  auto state = ChainState::open(path, false);
  ASSERT_TRUE(state.ok()) << *state.error;
  EXPECT_EQ(state.value->block().value.height, 7u);
  EXPECT_EQ(state.value->next_instance().value, 3u);
  EXPECT_EQ(*state.value->code(std::string(64, 'a')).value, (Bytes{0, 'a', 's', 'm'}));
  EXPECT_FALSE(state.value->code(std::string(64, 'b')).value.has_value());
  const std::optional<ContractInfo> c = state.value->contract("cosmwasm1c").value;
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->label, "label");
  EXPECT_EQ(c->instance, 2u);
  EXPECT_EQ(c->created_height, 5u);
  const Balances balances = state.value->balances().value;
  ASSERT_EQ(balances.size(), 1u);
  EXPECT_EQ(balances[0].second[0].amount, "1000");
  state.value.reset();

  // A RocksDB database that is not a wvm state.
  const std::string foreign = dir.path() + "/foreign";
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, foreign, &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "key", "value").ok());
    delete db;
  }
  auto refused = ChainState::open(foreign, true);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error->find("not a wvm cosmwasm state"), std::string::npos) << *refused.error;
}

TEST(AmountsTest, U128Decimal) {
  EXPECT_EQ(normalize_amount("007"), "7");
  EXPECT_EQ(normalize_amount("0"), "0");
  EXPECT_EQ(normalize_amount("340282366920938463463374607431768211455"),
            "340282366920938463463374607431768211455");
  EXPECT_FALSE(normalize_amount("340282366920938463463374607431768211456"));
  EXPECT_FALSE(normalize_amount(""));
  EXPECT_FALSE(normalize_amount("-1"));
  EXPECT_EQ(add_amounts("999", "1"), "1000");
  EXPECT_FALSE(add_amounts("340282366920938463463374607431768211455", "1"));
}

}  // namespace
}  // namespace wvm::cosmwasm::cli
