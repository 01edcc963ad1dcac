// The backend of one call over the node's callback tables, as libwasmvm's
// storage.rs, iterator.rs, api.rs and querier.rs: every output vector the
// callbacks fill is taken over and freed, status codes become BackendErrors
// (GoError::into_result), storage and query gas count as used externally and
// address gas as the contract's own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hosts/cosmwasm/backend.h"
#include "hosts/cosmwasm/capi/bindings.h"

namespace wvm::cosmwasm::capi {

/// What the backends of one call share. A missing callback is a panic in
/// libwasmvm (Option::expect); here the call is stopped with a backend error
/// and reported as "Caught panic", without a gas report, as libwasmvm does.
struct CallState {
  bool panicked = false;
  std::string panic_message;  ///< e.g. "vtable function 'read_db' not set"
};

/// The contract's storage through DbVtable; iterators through the GoIter
/// scan_db returns, with ids 0, 1, 2, ... in opening order.
class GoStorage final : public Storage {
 public:
  GoStorage(const Db& db, CallState* state) : db_(db), state_(state) {}

  BackendResult<std::optional<Bytes>> get(ByteView key) override;
  BackendResult<uint32_t> scan(std::optional<ByteView> start,
                               std::optional<ByteView> end,
                               Order order) override;
  BackendResult<std::optional<Record>> next(uint32_t iterator_id) override;
  BackendResult<std::optional<Bytes>> next_key(uint32_t iterator_id) override;
  BackendResult<std::optional<Bytes>> next_value(uint32_t iterator_id) override;
  BackendResult<Unit> set(ByteView key, ByteView value) override;
  BackendResult<Unit> remove(ByteView key) override;

 private:
  enum class Part : uint8_t { Key, Value };
  BackendResult<std::optional<Bytes>> next_part(uint32_t iterator_id, Part part);

  Db db_;
  CallState* state_;
  std::vector<GoIter> iterators_;
};

/// The address functions through GoApiVtable (gas charged as VM gas).
class GoBackendApi final : public BackendApi {
 public:
  GoBackendApi(const GoApi& api, CallState* state) : api_(api), state_(state) {}

  BackendResult<Unit> addr_validate(std::string_view input) override;
  BackendResult<Bytes> addr_canonicalize(std::string_view input) override;
  BackendResult<std::string> addr_humanize(ByteView canonical) override;

 private:
  GoApi api_;
  CallState* state_;
};

/// Queries through QuerierVtable. The node's answer is parsed as a
/// SystemResult<ContractResult<Binary>> and handed to the contract in
/// cosmwasm-std's serialization; an answer that does not parse becomes
/// SystemError::InvalidResponse, as libwasmvm's querier does.
class GoBackendQuerier final : public Querier {
 public:
  GoBackendQuerier(const GoQuerier& querier, CallState* state) : querier_(querier), state_(state) {}

  BackendResult<Bytes> query_raw(ByteView request, uint64_t gas_limit) override;

 private:
  GoQuerier querier_;
  CallState* state_;
};

/// The JSON the contract receives for a node's query answer (exposed for tests):
/// the canonical re-serialization of a valid SystemResult<ContractResult<Binary>>,
/// or {"error":{"invalid_response":{"error":"Parsing Go response: ...","response":"<base64>"}}}.
std::string normalize_query_answer(ByteView answer);

}  // namespace wvm::cosmwasm::capi
