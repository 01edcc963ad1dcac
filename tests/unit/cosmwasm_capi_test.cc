// libwvm_cosmwasm's C interface (hosts/cosmwasm/capi/bindings.h) driven as a
// node's Go binding drives libwasmvm: the store, address API and querier are
// C callbacks over in-memory state (the "node" below), results and errors
// come back as UnmanagedVectors that are copied and destroyed, errno is read
// after every call (set to garbage before, where cgo would zero it).
//
// Run under the asan-ubsan build, the leak checker shows that every vector
// either side creates is destroyed exactly once.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hosts/cosmwasm/capi/bindings.h"
#include "hosts/cosmwasm/capi/go_backend.h"
#include "hosts/cosmwasm/env.h"
#include "hosts/cosmwasm/mock.h"

namespace wvm::cosmwasm {
namespace {

using Json = nlohmann::json;

constexpr uint64_t kGas = 500'000'000'000;
constexpr int kGarbageErrno = 4242;  // errno before each call: the library must set it

std::string contract_path(const char* name) {
  return std::string(WVM_SHARED_DIR) + "/contracts/cosmwasm/" + name;
}

std::optional<Bytes> read_contract(const char* name) {
  std::ifstream in(contract_path(name), std::ios::binary);
  if (!in)
    return std::nullopt;
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

#define REQUIRE_CONTRACT(name)                                                               \
  if (!read_contract(name))                                                                  \
  GTEST_SKIP() << contract_path(name)                                                        \
               << " is absent (the shared/ folder beside the clone holds the CosmWasm test " \
                  "contracts)"

ByteSliceView view(const std::string& s) {
  return ByteSliceView{false, reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
ByteSliceView view(const Bytes& b) {
  return ByteSliceView{false, b.data(), b.size()};
}
ByteSliceView nil_view() {
  return ByteSliceView{true, nullptr, 0};
}

UnmanagedVector none() {
  UnmanagedVector v{};
  v.is_none = true;
  return v;
}

// copyAndDestroyUnmanagedVector: nullopt for None.
std::optional<std::string> take(UnmanagedVector v) {
  std::optional<std::string> out;
  if (!v.is_none)
    out = std::string(reinterpret_cast<const char*>(v.ptr), v.len);
  destroy_unmanaged_vector(v);
  return out;
}

std::optional<Bytes> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file_bytes(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

std::string hex(const Bytes& b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) {
    s += d[x >> 4];
    s += d[x & 15];
  }
  return s;
}

// ---------------------------------------------------------------------------
// The node: a key-value store with iterators, a gas meter, and the address
// API and querier (cosmwasm's mocks, answering through the callbacks as
// wasmvm's Go side does).

struct GasMeter {
  uint64_t consumed = 0;
};

// Costs in the manner of the Cosmos SDK's KVStore gas config.
constexpr uint64_t kReadFlat = 1000, kReadPerByte = 3, kWriteFlat = 2000, kWritePerByte = 30,
                   kDeleteFlat = 1000, kIterNextFlat = 30;

struct NodeIterator {
  std::vector<Record> records;
  size_t position = 0;
};

class Node;

// Iterators are found by (call id, iterator id), as wasmvm's Go side keeps them.
std::mutex g_calls_mutex;
std::map<uint64_t, Node*> g_calls;
uint64_t g_next_call_id = 1;

class Node {
 public:
  MockStorage::Map data;
  MockApi api;
  MockQuerier querier;
  GasMeter gas_meter;
  std::vector<NodeIterator> iterators;
  uint64_t call_id = 0;

  // Failure injection: the next read_db returns this code (and message).
  std::optional<int32_t> fail_reads;
  std::optional<std::string> fail_message;
  // Ownership: outputs must arrive as None (wasmvm's Go side panics otherwise).
  int non_none_outputs = 0;

  Node() {
    std::lock_guard<std::mutex> lock(g_calls_mutex);
    call_id = g_next_call_id++;
    g_calls[call_id] = this;
  }
  ~Node() {
    std::lock_guard<std::mutex> lock(g_calls_mutex);
    g_calls.erase(call_id);
  }
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  static Node* find(uint64_t call_id) {
    std::lock_guard<std::mutex> lock(g_calls_mutex);
    auto it = g_calls.find(call_id);
    return it == g_calls.end() ? nullptr : it->second;
  }

  void check_out(const UnmanagedVector* out) {
    if (out == nullptr || !out->is_none)
      ++non_none_outputs;
  }

  Db db() {
    Db d{};
    d.gas_meter = reinterpret_cast<gas_meter_t*>(&gas_meter);
    d.state = reinterpret_cast<db_t*>(this);
    d.vtable = {read_db, write_db, remove_db, scan_db};
    return d;
  }
  GoApi go_api() {
    GoApi a{};
    a.state = reinterpret_cast<const api_t*>(this);
    a.vtable = {humanize_address, canonicalize_address, validate_address};
    return a;
  }
  GoQuerier go_querier() {
    GoQuerier q{};
    q.state = reinterpret_cast<const querier_t*>(this);
    q.vtable = {query_external};
    return q;
  }

 private:
  static Bytes bytes(U8SliceView v) { return v.len == 0 ? Bytes{} : Bytes(v.ptr, v.ptr + v.len); }
  static UnmanagedVector vec(const Bytes& b) {
    return new_unmanaged_vector(false, b.data(), b.size());
  }
  static UnmanagedVector vec(const std::string& s) {
    return new_unmanaged_vector(false, reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  static Node* self(db_t* db) { return reinterpret_cast<Node*>(db); }
  static const Node* self(const api_t* a) { return reinterpret_cast<const Node*>(a); }
  static const Node* self(const querier_t* q) { return reinterpret_cast<const Node*>(q); }
  static uint64_t charge(gas_meter_t* meter, uint64_t* gas_used, uint64_t amount) {
    reinterpret_cast<GasMeter*>(meter)->consumed += amount;
    *gas_used = amount;
    return amount;
  }

  static int32_t read_db(db_t* db,
                         gas_meter_t* meter,
                         uint64_t* gas_used,
                         U8SliceView key,
                         UnmanagedVector* value_out,
                         UnmanagedVector* err_out) {
    Node* n = self(db);
    n->check_out(value_out);
    n->check_out(err_out);
    if (n->fail_reads) {
      if (n->fail_message)
        *err_out = vec(*n->fail_message);
      return *n->fail_reads;
    }
    auto it = n->data.find(bytes(key));
    const uint64_t value_len = it == n->data.end() ? 0 : it->second.size();
    charge(meter, gas_used, kReadFlat + kReadPerByte * (key.len + value_len));
    if (it != n->data.end())
      *value_out = vec(it->second);  // else stays None
    return GoError_None;
  }

  static int32_t write_db(db_t* db,
                          gas_meter_t* meter,
                          uint64_t* gas_used,
                          U8SliceView key,
                          U8SliceView value,
                          UnmanagedVector* err_out) {
    Node* n = self(db);
    n->check_out(err_out);
    charge(meter, gas_used, kWriteFlat + kWritePerByte * (key.len + value.len));
    n->data[bytes(key)] = bytes(value);
    return GoError_None;
  }

  static int32_t remove_db(db_t* db,
                           gas_meter_t* meter,
                           uint64_t* gas_used,
                           U8SliceView key,
                           UnmanagedVector* err_out) {
    Node* n = self(db);
    n->check_out(err_out);
    charge(meter, gas_used, kDeleteFlat);
    n->data.erase(bytes(key));
    return GoError_None;
  }

  static int32_t scan_db(db_t* db,
                         gas_meter_t* meter,
                         uint64_t* gas_used,
                         U8SliceView start,
                         U8SliceView end,
                         int32_t order,
                         GoIter* out,
                         UnmanagedVector* err_out) {
    Node* n = self(db);
    n->check_out(err_out);
    if (order != 1 && order != 2) {
      *err_out = vec(std::string("invalid order"));
      return GoError_BadArgument;
    }
    NodeIterator it;
    MockStorage::BytesLess less;
    for (const auto& [k, v] : n->data) {
      if (!start.is_none && less(k, bytes(start)))
        continue;
      if (!end.is_none && !less(k, bytes(end)))
        continue;
      it.records.emplace_back(k, v);
    }
    if (order == 2)
      std::reverse(it.records.begin(), it.records.end());
    charge(meter, gas_used, kIterNextFlat);
    out->gas_meter = meter;
    out->reference = {n->call_id, n->iterators.size()};
    out->vtable = {iter_next, iter_next_key, iter_next_value};
    n->iterators.push_back(std::move(it));
    return GoError_None;
  }

  // The iterator's next record, or nullptr at the end; charges as the SDK does.
  static const Record* advance(IteratorReference ref, gas_meter_t* meter, uint64_t* gas_used) {
    Node* n = find(ref.call_id);
    if (n == nullptr || ref.iterator_id >= n->iterators.size())
      return nullptr;
    NodeIterator& it = n->iterators[ref.iterator_id];
    if (it.position >= it.records.size()) {
      charge(meter, gas_used, kIterNextFlat);
      return nullptr;
    }
    const Record& r = it.records[it.position++];
    charge(meter, gas_used, kIterNextFlat + kReadPerByte * (r.first.size() + r.second.size()));
    return &r;
  }

  static int32_t iter_next(IteratorReference ref,
                           gas_meter_t* meter,
                           uint64_t* gas_used,
                           UnmanagedVector* key_out,
                           UnmanagedVector* value_out,
                           UnmanagedVector* err_out) {
    if (Node* n = find(ref.call_id)) {
      n->check_out(key_out);
      n->check_out(value_out);
      n->check_out(err_out);
    }
    if (const Record* r = advance(ref, meter, gas_used)) {
      *key_out = vec(r->first);
      *value_out = vec(r->second);
    }
    return GoError_None;
  }
  static int32_t iter_next_key(IteratorReference ref,
                               gas_meter_t* meter,
                               uint64_t* gas_used,
                               UnmanagedVector* key_out,
                               UnmanagedVector* err_out) {
    if (const Record* r = advance(ref, meter, gas_used))
      *key_out = vec(r->first);
    return GoError_None;
  }
  static int32_t iter_next_value(IteratorReference ref,
                                 gas_meter_t* meter,
                                 uint64_t* gas_used,
                                 UnmanagedVector* value_out,
                                 UnmanagedVector* err_out) {
    if (const Record* r = advance(ref, meter, gas_used))
      *value_out = vec(r->second);
    return GoError_None;
  }

  // A BackendResult's error as the Go side reports it.
  template <class T>
  static int32_t go_error(const BackendResult<T>& r, UnmanagedVector* err_out) {
    if (r.ok())
      return GoError_None;
    switch (r.error->kind) {
      case BackendErrorKind::UserErr:
        *err_out = vec(r.error->msg);
        return GoError_User;
      case BackendErrorKind::OutOfGas:
        return GoError_OutOfGas;
      default:
        *err_out = vec(r.error->to_string());
        return GoError_Other;
    }
  }

  static int32_t humanize_address(const api_t* a,
                                  U8SliceView input,
                                  UnmanagedVector* out,
                                  UnmanagedVector* err_out,
                                  uint64_t* gas_used) {
    auto r = const_cast<MockApi&>(self(a)->api).addr_humanize(bytes(input));
    *gas_used = r.gas.cost;
    if (r.ok())
      *out = vec(r.value);
    return go_error(r, err_out);
  }
  static int32_t canonicalize_address(const api_t* a,
                                      U8SliceView input,
                                      UnmanagedVector* out,
                                      UnmanagedVector* err_out,
                                      uint64_t* gas_used) {
    const Bytes in = bytes(input);
    auto r = const_cast<MockApi&>(self(a)->api)
                 .addr_canonicalize(
                     std::string_view(reinterpret_cast<const char*>(in.data()), in.size()));
    *gas_used = r.gas.cost;
    if (r.ok())
      *out = vec(r.value);
    return go_error(r, err_out);
  }
  static int32_t validate_address(const api_t* a,
                                  U8SliceView input,
                                  UnmanagedVector* err_out,
                                  uint64_t* gas_used) {
    const Bytes in = bytes(input);
    auto r =
        const_cast<MockApi&>(self(a)->api)
            .addr_validate(std::string_view(reinterpret_cast<const char*>(in.data()), in.size()));
    *gas_used = r.gas.cost;
    return go_error(r, err_out);
  }
  static int32_t query_external(const querier_t* q,
                                uint64_t gas_limit,
                                uint64_t* gas_used,
                                U8SliceView request,
                                UnmanagedVector* out,
                                UnmanagedVector* err_out) {
    auto r = const_cast<MockQuerier&>(self(q)->querier).query_raw(bytes(request), gas_limit);
    *gas_used = r.gas.externally_used;
    if (r.ok())
      *out = vec(r.value);
    return go_error(r, err_out);
  }
};

// One call's outcome, as wasmvm's Go wrappers see it.
struct Outcome {
  int errno_value = -1;
  std::optional<std::string> result;  ///< the returned vector (None: nullopt)
  std::optional<std::string> error;   ///< error_msg (None: nullopt)
  ::GasReport gas{};

  bool ok() const { return errno_value == ErrnoValue_Success; }
  Json json() const { return Json::parse(result.value_or("null")); }
};

using Call3 = UnmanagedVector (*)(cache_t*,
                                  ByteSliceView,
                                  ByteSliceView,
                                  ByteSliceView,
                                  ByteSliceView,
                                  Db,
                                  GoApi,
                                  GoQuerier,
                                  uint64_t,
                                  bool,
                                  ::GasReport*,
                                  UnmanagedVector*);
using Call2 = UnmanagedVector (*)(cache_t*,
                                  ByteSliceView,
                                  ByteSliceView,
                                  ByteSliceView,
                                  Db,
                                  GoApi,
                                  GoQuerier,
                                  uint64_t,
                                  bool,
                                  ::GasReport*,
                                  UnmanagedVector*);

Outcome call3(Call3 fn,
              cache_t* cache,
              const Bytes& checksum,
              Node& node,
              const std::string& a,
              const std::string& b,
              const std::string& c,
              uint64_t gas = kGas) {
  Outcome o;
  UnmanagedVector err = none();
  errno = kGarbageErrno;
  UnmanagedVector res = fn(cache, view(checksum), view(a), view(b), view(c), node.db(),
                           node.go_api(), node.go_querier(), gas, false, &o.gas, &err);
  o.errno_value = errno;
  o.result = take(res);
  o.error = take(err);
  return o;
}

Outcome call2(Call2 fn,
              cache_t* cache,
              const Bytes& checksum,
              Node& node,
              const std::string& a,
              const std::string& b,
              uint64_t gas = kGas) {
  Outcome o;
  UnmanagedVector err = none();
  errno = kGarbageErrno;
  UnmanagedVector res = fn(cache, view(checksum), view(a), view(b), node.db(), node.go_api(),
                           node.go_querier(), gas, false, &o.gas, &err);
  o.errno_value = errno;
  o.result = take(res);
  o.error = take(err);
  return o;
}

void expect_gas_consistent(const Outcome& o, uint64_t limit) {
  EXPECT_EQ(o.gas.limit, limit);
  EXPECT_EQ(o.gas.used_internally + o.gas.used_externally, limit - o.gas.remaining);
}

// A cache in a fresh temporary directory.
class CosmwasmCapi : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wvm-capi-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    cache_ = open_cache(dir_, 100u << 20);
    ASSERT_NE(cache_, nullptr);
  }
  void TearDown() override {
    if (cache_ != nullptr)
      release_cache(cache_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  static std::string config_json(const std::string& dir, uint64_t memory_cache_bytes) {
    return Json{
        {"wasm_limits", Json::object()},
        {"cache",
         {{"base_dir", dir},
          {"available_capabilities",
           {"iterator", "staking", "stargate", "cosmwasm_1_1", "cosmwasm_1_2", "cosmwasm_1_3",
            "cosmwasm_1_4", "cosmwasm_2_0", "cosmwasm_2_1", "cosmwasm_2_2", "cosmwasm_3_0"}},
          {"memory_cache_size_bytes", memory_cache_bytes},
          {"instance_memory_limit_bytes", 32u << 20}}}}
        .dump();
  }

  static cache_t* open_cache(const std::string& dir, uint64_t memory_cache_bytes) {
    const std::string config = config_json(dir, memory_cache_bytes);
    UnmanagedVector err = none();
    errno = kGarbageErrno;
    cache_t* cache = init_cache(view(config), &err);
    EXPECT_EQ(errno, ErrnoValue_Success);
    std::optional<std::string> msg = take(err);
    EXPECT_FALSE(msg.has_value()) << *msg;
    return cache;
  }

  // store_code; returns the checksum (empty on error, with the message in *error).
  Bytes store(const Bytes& wasm,
              bool checked = true,
              std::string* error = nullptr,
              int* errno_out = nullptr) {
    UnmanagedVector err = none();
    errno = kGarbageErrno;
    UnmanagedVector res = store_code(cache_, view(wasm), checked, true, &err);
    const int e = errno;
    if (errno_out != nullptr)
      *errno_out = e;
    std::optional<std::string> checksum = take(res);
    std::optional<std::string> msg = take(err);
    if (error != nullptr)
      *error = msg.value_or("");
    if (e != ErrnoValue_Success)
      return {};
    EXPECT_FALSE(msg.has_value());
    return checksum ? Bytes(checksum->begin(), checksum->end()) : Bytes{};
  }

  ::Metrics metrics() {
    UnmanagedVector err = none();
    errno = kGarbageErrno;
    ::Metrics m = get_metrics(cache_, &err);
    EXPECT_EQ(errno, ErrnoValue_Success);
    EXPECT_FALSE(take(err).has_value());
    return m;
  }

  std::string dir_;
  cache_t* cache_ = nullptr;
};

// ---------------------------------------------------------------------------

TEST_F(CosmwasmCapi, VectorsAndVersion) {
  UnmanagedVector n = new_unmanaged_vector(true, nullptr, 0);
  EXPECT_TRUE(n.is_none);
  destroy_unmanaged_vector(n);
  UnmanagedVector e = new_unmanaged_vector(false, nullptr, 0);
  EXPECT_FALSE(e.is_none);
  EXPECT_EQ(e.ptr, nullptr);
  EXPECT_EQ(e.len, 0u);
  EXPECT_EQ(e.cap, 0u);
  destroy_unmanaged_vector(e);
  const uint8_t data[] = {0xAA, 0xBB, 0xCC};
  UnmanagedVector d = new_unmanaged_vector(false, data, 3);
  EXPECT_FALSE(d.is_none);
  EXPECT_NE(d.ptr, data);  // a copy
  EXPECT_EQ(Bytes(d.ptr, d.ptr + d.len), Bytes(data, data + 3));
  destroy_unmanaged_vector(d);
  EXPECT_EQ(std::string(version_str()).rfind("3.0.3-wvm.", 0), 0u) << version_str();
}

TEST_F(CosmwasmCapi, InitCacheErrors) {
  UnmanagedVector err = none();
  errno = kGarbageErrno;
  EXPECT_EQ(init_cache(nil_view(), &err), nullptr);
  EXPECT_EQ(errno, ErrnoValue_Other);
  EXPECT_EQ(take(err), "Null/Nil argument: config");

  err = none();
  EXPECT_EQ(init_cache(view(std::string("{\"cache\":")), &err), nullptr);
  EXPECT_EQ(errno, ErrnoValue_Other);
  EXPECT_EQ(take(err).value_or("").rfind("Cannot serialize to / deserialize from JSON: ", 0), 0u);

  // A regular file where the base directory should be.
  const std::string file = dir_ + "/not-a-dir";
  std::ofstream(file) << "x";
  const std::string config = config_json(file, 0);
  err = none();
  EXPECT_EQ(init_cache(view(config), &err), nullptr);
  EXPECT_EQ(errno, ErrnoValue_Other);
  EXPECT_EQ(take(err), "Error calling the VM: Cache error: Error creating state directory");

  // NULL error_msg is tolerated.
  EXPECT_EQ(init_cache(nil_view(), nullptr), nullptr);
  EXPECT_EQ(errno, ErrnoValue_Other);
}

TEST_F(CosmwasmCapi, StoreLoadRemove) {
  REQUIRE_CONTRACT("hackatom.wasm");
  const Bytes wasm = *read_contract("hackatom.wasm");
  const Bytes checksum = store(wasm);
  ASSERT_EQ(checksum.size(), 32u);
  EXPECT_EQ(checksum, sha256(wasm));
  // cosmwasm-vm's layout, so an existing node directory keeps working.
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/state/wasm/" + hex(checksum) + ".wasm"));

  UnmanagedVector err = none();
  errno = kGarbageErrno;
  std::optional<std::string> loaded = take(load_wasm(cache_, view(checksum), &err));
  EXPECT_EQ(errno, ErrnoValue_Success);
  EXPECT_FALSE(take(err).has_value());
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(Bytes(loaded->begin(), loaded->end()), wasm);

  // Storing again is fine and gives the same checksum.
  EXPECT_EQ(store(wasm), checksum);

  // Argument errors.
  err = none();
  loaded = take(load_wasm(cache_, view(Bytes(31, 0)), &err));
  EXPECT_EQ(errno, ErrnoValue_Other);
  EXPECT_EQ(take(err), "Checksum not of length 32");
  EXPECT_EQ(loaded, "");  // Some(empty) on error, as libwasmvm
  err = none();
  take(load_wasm(cache_, nil_view(), &err));
  EXPECT_EQ(take(err), "Null/Nil argument: checksum");
  err = none();
  take(load_wasm(nullptr, view(checksum), &err));
  EXPECT_EQ(take(err), "Null/Nil argument: cache");
  err = none();
  take(store_code(cache_, nil_view(), true, true, &err));
  EXPECT_EQ(take(err), "Null/Nil argument: wasm");

  // remove_wasm, then it is gone from disk.
  err = none();
  errno = kGarbageErrno;
  remove_wasm(cache_, view(checksum), &err);
  EXPECT_EQ(errno, ErrnoValue_Success);
  EXPECT_FALSE(take(err).has_value());
  err = none();
  take(load_wasm(cache_, view(checksum), &err));
  EXPECT_EQ(errno, ErrnoValue_Other);
  EXPECT_EQ(take(err), "Error calling the VM: Cache error: Error opening Wasm file for reading");
  err = none();
  remove_wasm(cache_, view(checksum), &err);
  EXPECT_EQ(take(err), "Error calling the VM: Cache error: Wasm file does not exist");

  // A tampered file fails the integrity check.
  ASSERT_EQ(store(wasm), checksum);
  std::ofstream(dir_ + "/state/wasm/" + hex(checksum) + ".wasm", std::ios::binary) << "\0asm";
  err = none();
  take(load_wasm(cache_, view(checksum), &err));
  EXPECT_EQ(take(err), "Error calling the VM: Hash doesn't match stored data");
}

TEST_F(CosmwasmCapi, StoreCodeChecksAndCompiles) {
  REQUIRE_CONTRACT("corrupted.wasm");
  const Bytes corrupted = *read_contract("corrupted.wasm");
  std::string error;
  int e = 0;
  EXPECT_TRUE(store(corrupted, true, &error, &e).empty());
  EXPECT_EQ(e, ErrnoValue_Other);
  // The static validation's text, as cosmwasm-vm's.
  EXPECT_EQ(error.rfind("Error calling the VM: Error during static Wasm validation: Wasm ", 0), 0u)
      << error;
  // Unchecked, it still has to compile.
  EXPECT_TRUE(store(corrupted, false, &error, &e).empty());
  EXPECT_EQ(e, ErrnoValue_Other);
  EXPECT_EQ(error.rfind("Error calling the VM: Error compiling Wasm: ", 0), 0u) << error;

  // Without persist nothing is stored, but the checksum comes back.
  REQUIRE_CONTRACT("hackatom.wasm");
  const Bytes wasm = *read_contract("hackatom.wasm");
  UnmanagedVector err = none();
  errno = kGarbageErrno;
  std::optional<std::string> checksum = take(store_code(cache_, view(wasm), true, false, &err));
  EXPECT_EQ(errno, ErrnoValue_Success);
  EXPECT_FALSE(take(err).has_value());
  const Bytes expected = sha256(wasm);
  EXPECT_EQ(checksum, std::string(expected.begin(), expected.end()));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/state/wasm/" + hex(sha256(wasm)) + ".wasm"));
}

TEST_F(CosmwasmCapi, AnalyzeCode) {
  REQUIRE_CONTRACT("hackatom.wasm");
  const Bytes checksum = store(*read_contract("hackatom.wasm"));
  ASSERT_EQ(checksum.size(), 32u);
  UnmanagedVector err = none();
  errno = kGarbageErrno;
  ::AnalysisReport report = analyze_code(cache_, view(checksum), &err);
  EXPECT_EQ(errno, ErrnoValue_Success);
  EXPECT_FALSE(take(err).has_value());
  EXPECT_FALSE(report.has_ibc_entry_points);
  // Sorted by name, comma separated; hackatom exports no reply and no IBC.
  EXPECT_EQ(take(report.entrypoints), "execute,instantiate,migrate,query,sudo");
  const std::optional<std::string> caps = take(report.required_capabilities);
  ASSERT_TRUE(caps.has_value());  // never None
  EXPECT_EQ(caps->find(' '), std::string::npos);
  // hackatom declares #[migrate_version(42)] (its cw_migrate_version section).
  EXPECT_TRUE(report.contract_migrate_version.is_some);
  EXPECT_EQ(report.contract_migrate_version.value, 42u);

  // An unknown checksum: both vectors None.
  err = none();
  report = analyze_code(cache_, view(Bytes(32, 7)), &err);
  EXPECT_EQ(errno, ErrnoValue_Other);
  EXPECT_EQ(take(err), "Error calling the VM: Cache error: Error opening Wasm file for reading");
  EXPECT_TRUE(report.entrypoints.is_none);
  EXPECT_TRUE(report.required_capabilities.is_none);
  destroy_unmanaged_vector(report.entrypoints);
  destroy_unmanaged_vector(report.required_capabilities);
}

TEST_F(CosmwasmCapi, HackatomThroughTheCApi) {
  REQUIRE_CONTRACT("hackatom.wasm");
  const Bytes checksum = store(*read_contract("hackatom.wasm"));
  ASSERT_EQ(checksum.size(), 32u);
  Node node;
  const std::string creator = node.api.addr_make("creator");
  const std::string verifier = node.api.addr_make("verifies");
  const std::string beneficiary = node.api.addr_make("benefits");
  const std::string contract = mock_contract_addr();
  const std::string env = mock_env_json();

  // instantiate: the result is the contract's raw {"ok":...}.
  const std::string init = Json{{"verifier", verifier}, {"beneficiary", beneficiary}}.dump();
  Outcome o = call3(instantiate, cache_, checksum, node, env,
                    mock_info_json(creator, {{"earth", "1000"}}), init);
  ASSERT_TRUE(o.ok()) << o.error.value_or("");
  EXPECT_FALSE(o.error.has_value());  // error_msg untouched on success
  Json res = o.json();
  EXPECT_EQ(res["ok"]["attributes"], Json::parse(R"([{"key":"Let the","value":"hacking begin"}])"));
  expect_gas_consistent(o, kGas);
  EXPECT_GT(o.gas.used_internally, 0u);
  // The store's write went through write_db and its gas counts as used externally.
  EXPECT_EQ(node.data.count(Bytes{'c', 'o', 'n', 'f', 'i', 'g'}), 1u);
  EXPECT_EQ(o.gas.used_externally, node.gas_meter.consumed);
  EXPECT_GT(o.gas.used_externally, 0u);

  // query: {"ok":"<base64 of the answer>"}; the read is charged externally.
  node.gas_meter.consumed = 0;
  o = call2(query, cache_, checksum, node, env, R"({"verifier":{}})");
  ASSERT_TRUE(o.ok()) << o.error.value_or("");
  std::optional<Bytes> answer = base64_decode(o.json()["ok"].get<std::string>());
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(std::string(answer->begin(), answer->end()), (Json{{"verifier", verifier}}.dump()));
  expect_gas_consistent(o, kGas);
  EXPECT_EQ(o.gas.used_externally, node.gas_meter.consumed);

  // execute release: by someone else, the contract's error comes back as a
  // successful call with {"error": ...} (wasmvm's Go side turns it into the
  // contract's error; error_msg stays untouched).
  node.querier.update_balance(contract, {{"earth", "1000"}});
  o = call3(execute, cache_, checksum, node, env, mock_info_json(beneficiary), R"({"release":{}})");
  ASSERT_TRUE(o.ok()) << o.error.value_or("");
  EXPECT_FALSE(o.error.has_value());
  EXPECT_EQ(o.json(), Json::parse(R"({"error":"Unauthorized"})"));
  expect_gas_consistent(o, kGas);

  // By the verifier: pays the balance (queried through query_external) out.
  o = call3(execute, cache_, checksum, node, env, mock_info_json(verifier), R"({"release":{}})");
  ASSERT_TRUE(o.ok()) << o.error.value_or("");
  res = o.json();
  ASSERT_EQ(res["ok"]["messages"].size(), 1u);
  EXPECT_EQ(res["ok"]["messages"][0]["msg"],
            Json::parse(R"({"bank":{"send":{"to_address":")" + beneficiary +
                        R"(","amount":[{"denom":"earth","amount":"1000"}]}}})"));
  expect_gas_consistent(o, kGas);
  // The querier's 100,000 plus the storage reads, all external.
  EXPECT_GT(o.gas.used_externally, MockQuerier::kGasCostQueryFlat);

  // A VM error (the contract panics): error_msg and errno Other, gas reported.
  o = call3(execute, cache_, checksum, node, env, mock_info_json(creator), R"({"panic":{}})");
  EXPECT_EQ(o.errno_value, ErrnoValue_Other);
  ASSERT_TRUE(o.error.has_value());
  EXPECT_EQ(o.error->rfind("Error calling the VM: Error executing Wasm: ", 0), 0u) << *o.error;
  EXPECT_NE(o.error->find("panicked at"), std::string::npos) << *o.error;
  EXPECT_EQ(o.result, "");
  expect_gas_consistent(o, kGas);

  // Out of gas: errno OutOfGas, "Ran out of gas", all the gas used.
  constexpr uint64_t kSmall = 10'000'000;
  o = call3(execute, cache_, checksum, node, env, mock_info_json(creator), R"({"cpu_loop":{}})",
            kSmall);
  EXPECT_EQ(o.errno_value, ErrnoValue_OutOfGas);
  EXPECT_EQ(o.error, "Ran out of gas");
  EXPECT_EQ(o.gas.limit, kSmall);
  EXPECT_EQ(o.gas.remaining, 0u);
  EXPECT_EQ(o.gas.used_internally + o.gas.used_externally, kSmall);
  // Even instantiation runs out with a tiny limit.
  o = call3(instantiate, cache_, checksum, node, env, mock_info_json(creator), init, 1000);
  EXPECT_EQ(o.errno_value, ErrnoValue_OutOfGas);
  EXPECT_EQ(o.error, "Ran out of gas");

  // A user error from the address API reaches the contract, which fails.
  o = call3(instantiate, cache_, checksum, node, env, mock_info_json(creator),
            R"({"verifier":"verifies","beneficiary":"benefits"})");
  ASSERT_TRUE(o.ok()) << o.error.value_or("");
  ASSERT_TRUE(o.json().contains("error")) << *o.result;
  EXPECT_NE(o.json()["error"].get<std::string>().find("Error decoding bech32"), std::string::npos);

  // migrate_with_info falls back to hackatom's migrate(env, msg).
  const std::string other = node.api.addr_make("someone else");
  const std::string migrate_info =
      Json{{"sender", creator}, {"old_migrate_version", nullptr}}.dump();
  Outcome m;
  {
    UnmanagedVector err = none();
    const std::string msg = Json{{"verifier", other}}.dump();
    errno = kGarbageErrno;
    UnmanagedVector r =
        migrate_with_info(cache_, view(checksum), view(env), view(msg), view(migrate_info),
                          node.db(), node.go_api(), node.go_querier(), kGas, false, &m.gas, &err);
    m.errno_value = errno;
    m.result = take(r);
    m.error = take(err);
  }
  ASSERT_TRUE(m.ok()) << m.error.value_or("");
  EXPECT_TRUE(m.json().contains("ok")) << *m.result;
  o = call2(query, cache_, checksum, node, env, R"({"verifier":{}})");
  answer = base64_decode(o.json()["ok"].get<std::string>());
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(std::string(answer->begin(), answer->end()), (Json{{"verifier", other}}.dump()));

  // An entry point the contract does not export.
  o = call2(
      reply, cache_, checksum, node, env,
      R"({"id":1,"payload":"","gas_used":0,"result":{"ok":{"events":[],"msg_responses":[]}}})");
  EXPECT_EQ(o.errno_value, ErrnoValue_Other);
  EXPECT_EQ(o.error.value_or("").rfind("Error calling the VM: Error resolving Wasm function: ", 0),
            0u)
      << o.error.value_or("");
  o = call2(ibc2_packet_send, cache_, checksum, node, env, "{}");
  EXPECT_EQ(o.errno_value, ErrnoValue_Other);

  // Argument checks of the calls.
  {
    UnmanagedVector err = none();
    ::GasReport gas{};
    take(execute(cache_, view(checksum), view(env), nil_view(), view(std::string("{}")), node.db(),
                 node.go_api(), node.go_querier(), kGas, false, &gas, &err));
    EXPECT_EQ(take(err), "Null/Nil argument: arg2");
    err = none();
    take(query(cache_, view(checksum), view(env), view(std::string("{}")), node.db(), node.go_api(),
               node.go_querier(), kGas, false, nullptr, &err));
    EXPECT_EQ(take(err), "Empty argument: gas_report");
    err = none();
    take(query(cache_, view(Bytes(32, 1)), view(env), view(std::string("{}")), node.db(),
               node.go_api(), node.go_querier(), kGas, false, &gas, &err));
    EXPECT_EQ(take(err), "Error calling the VM: Cache error: Error opening Wasm file for reading");
  }
  EXPECT_EQ(node.non_none_outputs, 0);
}

TEST_F(CosmwasmCapi, CallbackErrors) {
  REQUIRE_CONTRACT("hackatom.wasm");
  const Bytes checksum = store(*read_contract("hackatom.wasm"));
  ASSERT_EQ(checksum.size(), 32u);
  Node node;
  const std::string creator = node.api.addr_make("creator");
  const std::string env = mock_env_json();
  const std::string init = Json{{"verifier", node.api.addr_make("verifies")},
                                {"beneficiary", node.api.addr_make("benefits")}}
                               .dump();
  ASSERT_TRUE(call3(instantiate, cache_, checksum, node, env, mock_info_json(creator), init).ok());

  // The node's gas meter runs out in read_db: the call runs out of gas.
  node.fail_reads = GoError_OutOfGas;
  Outcome o = call2(query, cache_, checksum, node, env, R"({"verifier":{}})");
  EXPECT_EQ(o.errno_value, ErrnoValue_OutOfGas);
  EXPECT_EQ(o.error, "Ran out of gas");

  // Other codes fail the call with the backend's error and the node's message.
  node.fail_reads = GoError_Other;
  node.fail_message = "disk on fire";
  o = call2(query, cache_, checksum, node, env, R"({"verifier":{}})");
  EXPECT_EQ(o.errno_value, ErrnoValue_Other);
  EXPECT_NE(o.error.value_or("").find("Unknown error during call into backend: disk on fire"),
            std::string::npos)
      << o.error.value_or("");
  // Without a message: libwasmvm's default text names the key.
  node.fail_message.reset();
  o = call2(query, cache_, checksum, node, env, R"({"verifier":{}})");
  EXPECT_NE(o.error.value_or("").find("Failed to read a key in the db: config"), std::string::npos)
      << o.error.value_or("");
  node.fail_reads = GoError_Panic;
  o = call2(query, cache_, checksum, node, env, R"({"verifier":{}})");
  EXPECT_NE(o.error.value_or("").find("Panic in FFI call"), std::string::npos)
      << o.error.value_or("");
  node.fail_reads.reset();

  // A missing callback is libwasmvm's panic: "Caught panic", no gas report.
  Db db = node.db();
  db.vtable.read_db = nullptr;
  Outcome p;
  p.gas = {1, 2, 3, 4};
  UnmanagedVector err = none();
  const std::string msg = R"({"verifier":{}})";
  errno = kGarbageErrno;
  UnmanagedVector r = query(cache_, view(checksum), view(env), view(msg), db, node.go_api(),
                            node.go_querier(), kGas, false, &p.gas, &err);
  EXPECT_EQ(errno, ErrnoValue_Other);
  EXPECT_EQ(take(r), "");
  EXPECT_EQ(take(err), "Caught panic");
  EXPECT_EQ(p.gas.limit, 1u);  // untouched
  EXPECT_EQ(node.non_none_outputs, 0);
}

TEST_F(CosmwasmCapi, IteratorsThroughTheCApi) {
  REQUIRE_CONTRACT("queue.wasm");
  const Bytes checksum = store(*read_contract("queue.wasm"));
  ASSERT_EQ(checksum.size(), 32u);
  Node node;
  const std::string env = mock_env_json();
  const std::string info = mock_info_json("creator");
  ASSERT_TRUE(call3(instantiate, cache_, checksum, node, env, info, "{}").ok());
  for (int v : {40, 15, 85, -10}) {
    Outcome o =
        call3(execute, cache_, checksum, node, env, info, Json{{"enqueue", {{"value", v}}}}.dump());
    ASSERT_TRUE(o.ok()) << o.error.value_or("");
  }
  auto answer = [&](const char* msg) {
    Outcome o = call2(query, cache_, checksum, node, env, msg);
    EXPECT_TRUE(o.ok()) << o.error.value_or("");
    expect_gas_consistent(o, kGas);
    std::optional<Bytes> a = base64_decode(o.json()["ok"].get<std::string>());
    return a ? Json::parse(a->begin(), a->end()) : Json();
  };
  EXPECT_EQ(answer(R"({"count":{}})")["count"], 4);
  EXPECT_EQ(answer(R"({"sum":{}})")["sum"], 130);
  // Two nested iterators per item.
  EXPECT_EQ(answer(R"({"reducer":{}})")["counters"],
            Json::parse("[[40,85],[15,125],[85,0],[-10,140]]"));
  EXPECT_EQ(answer(R"({"list":{}})")["empty"], Json::array());
  // dequeue removes through remove_db.
  Outcome o = call3(execute, cache_, checksum, node, env, info, R"({"dequeue":{}})");
  ASSERT_TRUE(o.ok()) << o.error.value_or("");
  EXPECT_EQ(answer(R"({"count":{}})")["count"], 3);
  EXPECT_EQ(node.non_none_outputs, 0);
}

TEST_F(CosmwasmCapi, PinUnpinAndMetrics) {
  REQUIRE_CONTRACT("hackatom.wasm");
  const Bytes checksum = store(*read_contract("hackatom.wasm"));
  ASSERT_EQ(checksum.size(), 32u);
  // The counters move as libwasmvm's (wasmvm's TestGetMetrics, sizes aside):
  // stored code is in the file-system cache only.
  auto expect_metrics = [&](uint32_t pinned_hits, uint32_t memory_hits, uint32_t fs_hits,
                            uint32_t misses, uint64_t pinned, uint64_t in_memory) {
    const ::Metrics m = metrics();
    EXPECT_EQ(m.hits_pinned_memory_cache, pinned_hits);
    EXPECT_EQ(m.hits_memory_cache, memory_hits);
    EXPECT_EQ(m.hits_fs_cache, fs_hits);
    EXPECT_EQ(m.misses, misses);
    EXPECT_EQ(m.elements_pinned_memory_cache, pinned);
    EXPECT_EQ(m.elements_memory_cache, in_memory);
    EXPECT_EQ(m.size_pinned_memory_cache > 0, pinned > 0);
    EXPECT_EQ(m.size_memory_cache > 0, in_memory > 0);
  };
  expect_metrics(0, 0, 0, 0, 0, 0);

  Node node;
  const std::string env = mock_env_json();
  Outcome o = call2(query, cache_, checksum, node, env, R"({"get_int":{}})");
  ASSERT_TRUE(o.ok()) << o.error.value_or("");
  expect_metrics(0, 0, 1, 0, 0, 1);  // from the file-system cache into memory
  ASSERT_TRUE(call2(query, cache_, checksum, node, env, R"({"get_int":{}})").ok());
  expect_metrics(0, 1, 1, 0, 0, 1);

  UnmanagedVector err = none();
  errno = kGarbageErrno;
  pin(cache_, view(checksum), &err);
  EXPECT_EQ(errno, ErrnoValue_Success);
  EXPECT_FALSE(take(err).has_value());
  expect_metrics(0, 1, 2, 0, 1, 1);  // pin loads from the file system, not memory
  pin(cache_, view(checksum), &err);  // again: nothing changes
  EXPECT_EQ(errno, ErrnoValue_Success);
  expect_metrics(0, 1, 2, 0, 1, 1);
  ::Metrics m = metrics();
  EXPECT_EQ(m.size_pinned_memory_cache, m.size_memory_cache);  // the same module file

  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(call2(query, cache_, checksum, node, env, R"({"get_int":{}})").ok());
  expect_metrics(3, 1, 2, 0, 1, 1);
  m = metrics();

  // get_pinned_metrics: MessagePack [[[checksum as 32 u8, [hits, size]]]].
  errno = kGarbageErrno;
  std::optional<std::string> packed = take(get_pinned_metrics(cache_, &err));
  EXPECT_EQ(errno, ErrnoValue_Success);
  ASSERT_TRUE(packed.has_value());
  Bytes expected = {0x91, 0x91, 0x92, 0xdc, 0x00, 0x20};
  for (uint8_t b : checksum) {
    if (b >= 0x80)
      expected.push_back(0xcc);
    expected.push_back(b);
  }
  expected.push_back(0x92);
  expected.push_back(0x03);  // hits
  const Bytes got(packed->begin(), packed->end());
  ASSERT_GT(got.size(), expected.size());
  EXPECT_EQ(Bytes(got.begin(), got.begin() + expected.size()), expected);
  // The size: uint 32 (0xce) or uint 64 (0xcf) big endian, equal to the metric.
  uint64_t size = 0;
  const size_t rest = got.size() - expected.size();
  ASSERT_TRUE((got[expected.size()] == 0xce && rest == 5) ||
              (got[expected.size()] == 0xcd && rest == 3) ||
              (got[expected.size()] == 0xcf && rest == 9));
  for (size_t i = expected.size() + 1; i < got.size(); ++i)
    size = size << 8 | got[i];
  EXPECT_EQ(size, m.size_pinned_memory_cache);

  errno = kGarbageErrno;
  unpin(cache_, view(checksum), &err);
  EXPECT_EQ(errno, ErrnoValue_Success);
  expect_metrics(3, 1, 2, 0, 0, 1);
  EXPECT_EQ(take(get_pinned_metrics(cache_, &err)), std::string("\x91\x90"));
  ASSERT_TRUE(call2(query, cache_, checksum, node, env, R"({"get_int":{}})").ok());
  expect_metrics(3, 2, 2, 0, 0, 1);

  // sync_pinned_codes: the pinned set becomes exactly the list.
  errno = kGarbageErrno;
  sync_pinned_codes(cache_, view(checksum), &err);
  EXPECT_EQ(errno, ErrnoValue_Success);
  expect_metrics(3, 2, 3, 0, 1, 1);
  sync_pinned_codes(cache_, view(Bytes{}), &err);
  EXPECT_EQ(errno, ErrnoValue_Success);
  expect_metrics(3, 2, 3, 0, 0, 1);
  Bytes with_unknown = checksum;
  with_unknown.insert(with_unknown.end(), 32, 9);
  sync_pinned_codes(cache_, view(with_unknown), &err);  // pins the first, then fails
  EXPECT_EQ(errno, ErrnoValue_Other);
  EXPECT_EQ(take(err), "Error calling the VM: Cache error: Error opening Wasm file for reading");
  err = none();
  expect_metrics(3, 2, 4, 0, 1, 1);
  sync_pinned_codes(cache_, ByteSliceView{true, nullptr, 0}, &err);
  EXPECT_EQ(errno, ErrnoValue_Other);
  EXPECT_EQ(take(err), "Null/Nil argument: checksums");
  err = none();

  // Pinning unknown code fails; unpinning it does not.
  pin(cache_, view(Bytes(32, 9)), &err);
  EXPECT_EQ(errno, ErrnoValue_Other);
  EXPECT_EQ(take(err), "Error calling the VM: Cache error: Error opening Wasm file for reading");
  err = none();
  unpin(cache_, view(Bytes(32, 9)), &err);
  EXPECT_EQ(errno, ErrnoValue_Success);

  // get_metrics on no cache.
  err = none();
  get_metrics(nullptr, &err);
  EXPECT_EQ(errno, ErrnoValue_Other);
  EXPECT_EQ(take(err), "Null/Nil argument: cache");
}

TEST_F(CosmwasmCapi, NoMemoryCacheRecompiles) {
  REQUIRE_CONTRACT("hackatom.wasm");
  release_cache(cache_);
  cache_ = open_cache(dir_, 0);  // same directory: the stored code is found on disk
  ASSERT_NE(cache_, nullptr);
  const Bytes checksum = store(*read_contract("hackatom.wasm"));
  ASSERT_EQ(checksum.size(), 32u);
  Node node;
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(call2(query, cache_, checksum, node, mock_env_json(), R"({"get_int":{}})").ok());
  const ::Metrics m = metrics();
  EXPECT_EQ(m.elements_memory_cache, 0u);
  EXPECT_EQ(m.hits_fs_cache, 2u);  // loaded, not compiled, each time
  EXPECT_EQ(m.misses, 0u);
}

// A restarted node finds its compiled modules on disk; a damaged module file
// is never run: it is compiled again from the stored wasm and replaced.
TEST_F(CosmwasmCapi, ModuleFilesSurviveRestartAndCorruption) {
  REQUIRE_CONTRACT("hackatom.wasm");
  const Bytes checksum = store(*read_contract("hackatom.wasm"));
  ASSERT_EQ(checksum.size(), 32u);
  std::string module_file;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/cache/modules"))
    if (e.path().extension() == ".module")
      module_file = e.path().string();
  ASSERT_FALSE(module_file.empty());
  EXPECT_NE(module_file.find(hex(checksum)), std::string::npos);

  const auto restart_and_query = [&]() {
    release_cache(cache_);
    cache_ = open_cache(dir_, 100u << 20);
    Node node;
    Outcome o = call2(query, cache_, checksum, node, mock_env_json(), R"({"get_int":{}})");
    EXPECT_TRUE(o.ok()) << o.error.value_or("");
    return metrics();
  };
  ::Metrics m = restart_and_query();
  EXPECT_EQ(m.hits_fs_cache, 1u);
  EXPECT_EQ(m.misses, 0u);

  // Flip one byte in the middle: detected, recompiled, the file rewritten.
  Bytes bytes = *read_file_bytes(module_file);
  bytes[bytes.size() / 2] ^= 0x40;
  write_file_bytes(module_file, bytes);
  m = restart_and_query();
  EXPECT_EQ(m.hits_fs_cache, 0u);
  EXPECT_EQ(m.misses, 1u);
  EXPECT_NE(*read_file_bytes(module_file), bytes);
  m = restart_and_query();
  EXPECT_EQ(m.hits_fs_cache, 1u);

  // Truncated, and empty: the same.
  for (size_t keep : {bytes.size() / 3, size_t{0}}) {
    Bytes good = *read_file_bytes(module_file);
    good.resize(keep);
    write_file_bytes(module_file, good);
    m = restart_and_query();
    EXPECT_EQ(m.misses, 1u) << keep;
  }

  // remove_wasm removes the module file too.
  UnmanagedVector err = none();
  remove_wasm(cache_, view(checksum), &err);
  EXPECT_EQ(errno, ErrnoValue_Success);
  EXPECT_FALSE(std::filesystem::exists(module_file));
}

TEST_F(CosmwasmCapi, ConcurrentCallsShareTheCache) {
  REQUIRE_CONTRACT("hackatom.wasm");
  const Bytes checksum = store(*read_contract("hackatom.wasm"));
  ASSERT_EQ(checksum.size(), 32u);
  constexpr int kThreads = 4, kCalls = 8;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Node node;  // each "transaction" its own store
      const std::string env = mock_env_json();
      const std::string verifier = node.api.addr_make("verifies" + std::to_string(t));
      const std::string init =
          Json{{"verifier", verifier}, {"beneficiary", node.api.addr_make("b")}}.dump();
      if (!call3(instantiate, cache_, checksum, node, env, mock_info_json("creator"), init).ok())
        ++failures[t];
      for (int i = 0; i < kCalls; ++i) {
        Outcome o = call2(query, cache_, checksum, node, env, R"({"verifier":{}})");
        std::optional<Bytes> a =
            o.ok() ? base64_decode(o.json()["ok"].get<std::string>()) : std::nullopt;
        if (!a || std::string(a->begin(), a->end()) != Json{{"verifier", verifier}}.dump())
          ++failures[t];
      }
    });
  }
  for (std::thread& th : threads)
    th.join();
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(failures[t], 0) << "thread " << t;
  // Every call found the module compiled: in memory, or (the first calls,
  // which may race) in the file-system cache; none compiled it.
  const ::Metrics m = metrics();
  EXPECT_EQ(m.hits_memory_cache + m.hits_fs_cache, static_cast<uint32_t>(kThreads * (kCalls + 1)));
  EXPECT_GE(m.hits_fs_cache, 1u);
  EXPECT_LE(m.hits_fs_cache, static_cast<uint32_t>(kThreads));
  EXPECT_EQ(m.misses, 0u);
  EXPECT_EQ(m.elements_memory_cache, 1u);
}

TEST(CosmwasmCapiQuerier, AnswersAreReserializedOrInvalid) {
  using capi::normalize_query_answer;
  auto norm = [](const std::string& s) { return normalize_query_answer(as_bytes(s)); };
  EXPECT_EQ(norm(R"({"ok":{"ok":"eyJ9"}})"), R"({"ok":{"ok":"eyJ9"}})");
  EXPECT_EQ(norm(" {\"ok\" : {\"error\": \"no\\u0041\"}} "), R"({"ok":{"error":"noA"}})");
  EXPECT_EQ(norm(R"({"error":{"no_such_contract":{"addr":"x","extra":1}}})"),
            R"({"error":{"no_such_contract":{"addr":"x"}}})");
  EXPECT_EQ(norm(R"({"error":{"no_such_code":{"code_id":7}}})"),
            R"({"error":{"no_such_code":{"code_id":7}}})");
  EXPECT_EQ(norm(R"({"error":{"unknown":{}}})"), R"({"error":{"unknown":{}}})");
  EXPECT_EQ(norm(R"({"error":{"invalid_request":{"request":"","error":"e"}}})"),
            R"({"error":{"invalid_request":{"error":"e","request":""}}})");
  // Anything else becomes InvalidResponse carrying the answer.
  for (const char* bad : {"", "null", R"({"ok":{"ok":"eyJ9"},"x":1})", R"({"ok":{"ok":5}})",
                          R"({"error":{"flying":{}}})", R"({"ok":{"ok":"e","ok":"f"}})"}) {
    const Json j = Json::parse(norm(bad));
    const Json& inv = j["error"]["invalid_response"];
    EXPECT_EQ(inv["error"].get<std::string>().rfind("Parsing Go response: ", 0), 0u) << bad;
    EXPECT_EQ(inv["response"], base64_encode(as_bytes(std::string(bad)))) << bad;
  }
}

TEST(CosmwasmCapiSharedLibrary, ExportsTheBindings) {
#ifndef WVM_CAPI_SHARED_LIBRARY
  GTEST_SKIP() << "built without the shared library's path";
#else
  void* lib = dlopen(WVM_CAPI_SHARED_LIBRARY, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(lib, nullptr) << dlerror();
  for (const char* name : {"init_cache",
                           "store_code",
                           "remove_wasm",
                           "load_wasm",
                           "pin",
                           "unpin",
                           "sync_pinned_codes",
                           "analyze_code",
                           "get_metrics",
                           "get_pinned_metrics",
                           "release_cache",
                           "instantiate",
                           "execute",
                           "migrate",
                           "migrate_with_info",
                           "sudo",
                           "reply",
                           "query",
                           "ibc_channel_open",
                           "ibc_channel_connect",
                           "ibc_channel_close",
                           "ibc_packet_receive",
                           "ibc_packet_ack",
                           "ibc_packet_timeout",
                           "ibc_source_callback",
                           "ibc_destination_callback",
                           "ibc2_packet_receive",
                           "ibc2_packet_ack",
                           "ibc2_packet_timeout",
                           "ibc2_packet_send",
                           "new_unmanaged_vector",
                           "destroy_unmanaged_vector",
                           "version_str"})
    EXPECT_NE(dlsym(lib, name), nullptr) << name;
  // Nothing of the engine is exported.
  EXPECT_EQ(dlsym(lib, "_ZN3wvm7compileERNS_6EngineEPKhm"), nullptr);
  auto version = reinterpret_cast<const char* (*)()>(dlsym(lib, "version_str"));
  ASSERT_NE(version, nullptr);
  EXPECT_STREQ(version(), version_str());
  // A vector made by the library is destroyed by it.
  auto make = reinterpret_cast<UnmanagedVector (*)(bool, const uint8_t*, uintptr_t)>(
      dlsym(lib, "new_unmanaged_vector"));
  auto destroy =
      reinterpret_cast<void (*)(UnmanagedVector)>(dlsym(lib, "destroy_unmanaged_vector"));
  ASSERT_TRUE(make && destroy);
  const uint8_t data[] = {1, 2, 3};
  UnmanagedVector v = make(false, data, sizeof data);
  EXPECT_EQ(v.len, 3u);
  destroy(v);
  dlclose(lib);
#endif
}

}  // namespace
}  // namespace wvm::cosmwasm
