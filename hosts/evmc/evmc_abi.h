/*
 * The EVMC C interface, ABI version 12 (ethereum/evmc v12.1.0,
 * include/evmc/evmc.h), as libwvm_evmc.so implements it: an EVMC VM that
 * runs ewasm contracts on wvm.
 *
 * Every type name, field (its type and place), enumerator value and
 * callback signature below is EVMC's: they are the binary interface a host
 * loads the VM by. The text is ours. tests/evmc/ compares every struct size,
 * field offset and type, and enumerator value with EVMC's own header. This
 * text is C and C++ compatible.
 *
 * How the two sides meet: the host calls evmc_create_<name>() for an
 * evmc_vm, then vm->execute() once per message, handing over its callback
 * table (evmc_host_interface) and an opaque evmc_host_context that the VM
 * passes back, untouched, to every callback. Results (evmc_result) travel in
 * both directions: whoever receives one calls its release function, when it
 * is not NULL, exactly once, and only then stops using output_data.
 *
 * Byte order: evmc_bytes32, evmc_uint256be and evmc_address hold big-endian
 * values, as the EVM does.
 */
#ifndef WVM_HOSTS_EVMC_EVMC_ABI_H_
#define WVM_HOSTS_EVMC_EVMC_ABI_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The interface version; equal to EVMC's major release number. */
enum { EVMC_ABI_VERSION = 12 };

/** 32 bytes: hashes, storage keys and values. */
typedef struct evmc_bytes32 {
  uint8_t bytes[32];
} evmc_bytes32;

/** A 256-bit unsigned number, most significant byte first (balances, prices, chain id). */
typedef struct evmc_bytes32 evmc_uint256be;

/** A 20-byte account address. */
typedef struct evmc_address {
  uint8_t bytes[20];
} evmc_address;

/** Which instruction made a message. */
enum evmc_call_kind {
  EVMC_CALL = 0,
  EVMC_DELEGATECALL = 1,
  EVMC_CALLCODE = 2,
  EVMC_CREATE = 3,
  EVMC_CREATE2 = 4,
  /** Osaka (EOF). */
  EVMC_EOFCREATE = 5
};

/** Bits of evmc_message.flags. */
enum evmc_flags {
  /** No state may change in this call or below it. */
  EVMC_STATIC = 1,
  /** The code runs on behalf of a delegating account (EIP-7702, Prague). */
  EVMC_DELEGATED = 2
};

/** One call frame's inputs: who calls whom, with what value, data and gas. */
struct evmc_message {
  enum evmc_call_kind kind;
  /** evmc_flags bits. */
  uint32_t flags;
  /** 0 for the transaction's own call. */
  int32_t depth;
  int64_t gas;
  /** The account whose storage and balance the frame works on. */
  evmc_address recipient;
  evmc_address sender;
  /** May be NULL only when input_size is 0. */
  const uint8_t* input_data;
  size_t input_size;
  /** Transferred (CALL) or inherited (DELEGATECALL) value. */
  evmc_uint256be value;
  /** For CREATE2 and EOFCREATE, to let the host derive the new address. */
  evmc_bytes32 create2_salt;
  /** The account whose code runs; read by the host's call, not by execute. */
  evmc_address code_address;
  /** The code, when the caller already has it (the host's call). */
  const uint8_t* code;
  size_t code_size;
};

/** A transaction's init code and its hash (TXCREATE). */
typedef struct evmc_tx_initcode {
  evmc_bytes32 hash;
  const uint8_t* code;
  size_t code_size;
} evmc_tx_initcode;

/** What a call can learn about its transaction and block. */
struct evmc_tx_context {
  evmc_uint256be tx_gas_price;
  evmc_address tx_origin;
  evmc_address block_coinbase;
  int64_t block_number;
  int64_t block_timestamp;
  int64_t block_gas_limit;
  /** PREVRANDAO (EIP-4399); the difficulty before Paris. */
  evmc_uint256be block_prev_randao;
  evmc_uint256be chain_id;
  /** EIP-1559. */
  evmc_uint256be block_base_fee;
  /** EIP-7516. */
  evmc_uint256be blob_base_fee;
  /** The transaction's versioned blob hashes (EIP-4844), blob_hashes_count of them. */
  const evmc_bytes32* blob_hashes;
  size_t blob_hashes_count;
  /** The transaction's init codes (TXCREATE), initcodes_count of them. */
  const evmc_tx_initcode* initcodes;
  size_t initcodes_count;
};

/** The host's state for one execution; the VM only passes the pointer back. */
struct evmc_host_context;

/** Facts about the current transaction and its block. */
typedef struct evmc_tx_context (*evmc_get_tx_context_fn)(struct evmc_host_context* context);

/** The hash of block `number`, or all zero bytes when the host does not know it. */
typedef evmc_bytes32 (*evmc_get_block_hash_fn)(struct evmc_host_context* context, int64_t number);

/** How an execution ended: 0 success, > 0 an EVM-defined failure, < 0 the VM's own error. */
enum evmc_status_code {
  EVMC_SUCCESS = 0,
  EVMC_FAILURE = 1,
  /** Gas left and output are kept. */
  EVMC_REVERT = 2,
  EVMC_OUT_OF_GAS = 3,
  /** The designated INVALID opcode (0xfe, EIP-141). */
  EVMC_INVALID_INSTRUCTION = 4,
  EVMC_UNDEFINED_INSTRUCTION = 5,
  EVMC_STACK_OVERFLOW = 6,
  EVMC_STACK_UNDERFLOW = 7,
  EVMC_BAD_JUMP_DESTINATION = 8,
  /** A read past the end of a buffer (e.g. RETURNDATACOPY). */
  EVMC_INVALID_MEMORY_ACCESS = 9,
  EVMC_CALL_DEPTH_EXCEEDED = 10,
  /** A state change attempted under EVMC_STATIC. */
  EVMC_STATIC_MODE_VIOLATION = 11,
  EVMC_PRECOMPILE_FAILURE = 12,
  /** The code broke the VM's rules for contracts (for ewasm: imports, exports, start). */
  EVMC_CONTRACT_VALIDATION_FAILURE = 13,
  /** A host function argument out of its range. */
  EVMC_ARGUMENT_OUT_OF_RANGE = 14,
  /** wasm `unreachable`. */
  EVMC_WASM_UNREACHABLE_INSTRUCTION = 15,
  /** Any other wasm trap. */
  EVMC_WASM_TRAP = 16,
  EVMC_INSUFFICIENT_BALANCE = 17,
  EVMC_INTERNAL_ERROR = -1,
  /** The VM declines this code or message; the host may try another VM. */
  EVMC_REJECTED = -2,
  EVMC_OUT_OF_MEMORY = -3
};

struct evmc_result;

/** Frees what a result owns (its output); the struct itself stays with the caller. */
typedef void (*evmc_release_result_fn)(const struct evmc_result* result);

/** How an execution or a host call ended. */
struct evmc_result {
  enum evmc_status_code status_code;
  /** 0 unless the status is EVMC_SUCCESS or EVMC_REVERT. */
  int64_t gas_left;
  /** Refund of this call and those below it (before the transaction's cap); 0 unless success. */
  int64_t gas_refund;
  /** The returned or reverted data; owned by the result, freed by release. */
  const uint8_t* output_data;
  size_t output_size;
  /** NULL when there is nothing to free. */
  evmc_release_result_fn release;
  /** The created account for the CREATE kinds (may be set on failure too), else zero. */
  evmc_address create_address;
  /** Free for the result's creator; with create_address, 24 bytes it may use. */
  uint8_t padding[4];
};

/** Whether the account exists. */
typedef bool (*evmc_account_exists_fn)(struct evmc_host_context* context,
                                       const evmc_address* address);

/** The value at `key` in the account's storage (zero when unset). */
typedef evmc_bytes32 (*evmc_get_storage_fn)(struct evmc_host_context* context,
                                            const evmc_address* address,
                                            const evmc_bytes32* key);

/** The value at `key` in the account's transient storage (EIP-1153). */
typedef evmc_bytes32 (*evmc_get_transient_storage_fn)(struct evmc_host_context* context,
                                                      const evmc_address* address,
                                                      const evmc_bytes32* key);

/**
 * What a storage write did, by the slot's original (start of transaction),
 * current and new values; X = nonzero, Y and Z other nonzero values, 0 = zero
 * (EIP-2200 and EIP-3529 price them).
 */
enum evmc_storage_status {
  /** Anything not listed below (e.g. X -> X -> X, X -> Y -> Z). */
  EVMC_STORAGE_ASSIGNED = 0,
  /** 0 -> 0 -> Z. */
  EVMC_STORAGE_ADDED = 1,
  /** X -> X -> 0. */
  EVMC_STORAGE_DELETED = 2,
  /** X -> X -> Z. */
  EVMC_STORAGE_MODIFIED = 3,
  /** X -> 0 -> Z. */
  EVMC_STORAGE_DELETED_ADDED = 4,
  /** X -> Y -> 0. */
  EVMC_STORAGE_MODIFIED_DELETED = 5,
  /** X -> 0 -> X. */
  EVMC_STORAGE_DELETED_RESTORED = 6,
  /** 0 -> Y -> 0. */
  EVMC_STORAGE_ADDED_DELETED = 7,
  /** X -> Y -> X. */
  EVMC_STORAGE_MODIFIED_RESTORED = 8
};

/** Writes `value` at `key` in the account's storage. */
typedef enum evmc_storage_status (*evmc_set_storage_fn)(struct evmc_host_context* context,
                                                        const evmc_address* address,
                                                        const evmc_bytes32* key,
                                                        const evmc_bytes32* value);

/** Writes `value` at `key` in the account's transient storage (EIP-1153). */
typedef void (*evmc_set_transient_storage_fn)(struct evmc_host_context* context,
                                              const evmc_address* address,
                                              const evmc_bytes32* key,
                                              const evmc_bytes32* value);

/** The account's balance. */
typedef evmc_uint256be (*evmc_get_balance_fn)(struct evmc_host_context* context,
                                              const evmc_address* address);

/** The size of the account's code in bytes. */
typedef size_t (*evmc_get_code_size_fn)(struct evmc_host_context* context,
                                        const evmc_address* address);

/** The hash of the account's code (zero for an account that does not exist). */
typedef evmc_bytes32 (*evmc_get_code_hash_fn)(struct evmc_host_context* context,
                                              const evmc_address* address);

/** Copies the account's code from code_offset into the buffer; returns the bytes copied. */
typedef size_t (*evmc_copy_code_fn)(struct evmc_host_context* context,
                                    const evmc_address* address,
                                    size_t code_offset,
                                    uint8_t* buffer_data,
                                    size_t buffer_size);

/** Marks the account for destruction, its balance going to beneficiary; true the first time. */
typedef bool (*evmc_selfdestruct_fn)(struct evmc_host_context* context,
                                     const evmc_address* address,
                                     const evmc_address* beneficiary);

/** Records a log entry of the account: data and up to 4 topics. */
typedef void (*evmc_emit_log_fn)(struct evmc_host_context* context,
                                 const evmc_address* address,
                                 const uint8_t* data,
                                 size_t data_size,
                                 const evmc_bytes32 topics[],
                                 size_t topics_count);

/** Whether an account or storage slot was touched before in the transaction (EIP-2929). */
enum evmc_access_status { EVMC_ACCESS_COLD = 0, EVMC_ACCESS_WARM = 1 };

/** Adds the account to the accessed set; returns whether it was there already. */
typedef enum evmc_access_status (*evmc_access_account_fn)(struct evmc_host_context* context,
                                                          const evmc_address* address);

/** Adds the storage slot to the accessed set; returns whether it was there already. */
typedef enum evmc_access_status (*evmc_access_storage_fn)(struct evmc_host_context* context,
                                                          const evmc_address* address,
                                                          const evmc_bytes32* key);

/** Runs a nested message (a call or a create). */
typedef struct evmc_result (*evmc_call_fn)(struct evmc_host_context* context,
                                           const struct evmc_message* msg);

/** The host's callbacks; a host typically keeps one constant table of them. */
struct evmc_host_interface {
  evmc_account_exists_fn account_exists;
  evmc_get_storage_fn get_storage;
  evmc_set_storage_fn set_storage;
  evmc_get_balance_fn get_balance;
  evmc_get_code_size_fn get_code_size;
  evmc_get_code_hash_fn get_code_hash;
  evmc_copy_code_fn copy_code;
  evmc_selfdestruct_fn selfdestruct;
  evmc_call_fn call;
  evmc_get_tx_context_fn get_tx_context;
  evmc_get_block_hash_fn get_block_hash;
  evmc_emit_log_fn emit_log;
  evmc_access_account_fn access_account;
  evmc_access_storage_fn access_storage;
  evmc_get_transient_storage_fn get_transient_storage;
  evmc_set_transient_storage_fn set_transient_storage;
};

struct evmc_vm;

/** Frees the VM instance. */
typedef void (*evmc_destroy_fn)(struct evmc_vm* vm);

/** What set_option answered. */
enum evmc_set_option_result {
  EVMC_SET_OPTION_SUCCESS = 0,
  EVMC_SET_OPTION_INVALID_NAME = 1,
  EVMC_SET_OPTION_INVALID_VALUE = 2
};

/** Sets one option of the VM; both strings are NUL-terminated and not NULL. */
typedef enum evmc_set_option_result (*evmc_set_option_fn)(struct evmc_vm* vm,
                                                          char const* name,
                                                          char const* value);

/** The Ethereum fork whose rules apply. */
enum evmc_revision {
  EVMC_FRONTIER = 0,
  EVMC_HOMESTEAD = 1,
  EVMC_TANGERINE_WHISTLE = 2,
  EVMC_SPURIOUS_DRAGON = 3,
  EVMC_BYZANTIUM = 4,
  EVMC_CONSTANTINOPLE = 5,
  EVMC_PETERSBURG = 6,
  EVMC_ISTANBUL = 7,
  EVMC_BERLIN = 8,
  EVMC_LONDON = 9,
  /** The Merge. */
  EVMC_PARIS = 10,
  EVMC_SHANGHAI = 11,
  EVMC_CANCUN = 12,
  EVMC_PRAGUE = 13,
  EVMC_OSAKA = 14,
  /** Features not yet in a fork. */
  EVMC_EXPERIMENTAL = 15,
  EVMC_MAX_REVISION = EVMC_EXPERIMENTAL,
  /** The newest fork whose rules are final. */
  EVMC_LATEST_STABLE_REVISION = EVMC_CANCUN
};

/**
 * Runs `code` for the message `msg` under revision `rev`. host may be NULL
 * only for a VM with EVMC_CAPABILITY_PRECOMPILES; context may be NULL and is
 * never dereferenced by the VM; code may be NULL only when code_size is 0.
 */
typedef struct evmc_result (*evmc_execute_fn)(struct evmc_vm* vm,
                                              const struct evmc_host_interface* host,
                                              struct evmc_host_context* context,
                                              enum evmc_revision rev,
                                              const struct evmc_message* msg,
                                              uint8_t const* code,
                                              size_t code_size);

/** What kinds of code a VM runs. */
enum evmc_capabilities {
  EVMC_CAPABILITY_EVM1 = (1u << 0),
  EVMC_CAPABILITY_EWASM = (1u << 1),
  /** Precompiled contracts, chosen by code_address (experimental in EVMC). */
  EVMC_CAPABILITY_PRECOMPILES = (1u << 2)
};

/** A set of evmc_capabilities bits. */
typedef uint32_t evmc_capabilities_flagset;

/** The VM's capabilities (they may depend on options set before). */
typedef evmc_capabilities_flagset (*evmc_get_capabilities_fn)(struct evmc_vm* vm);

/** A VM instance, as evmc_create_<name>() returns it; an implementation may extend it. */
struct evmc_vm {
  /** EVMC_ABI_VERSION of the interface the VM was built for. */
  const int abi_version;
  /** NUL-terminated UTF-8, not empty. */
  const char* name;
  /** NUL-terminated UTF-8, not empty, e.g. "0.1.0". */
  const char* version;
  evmc_destroy_fn destroy;
  evmc_execute_fn execute;
  evmc_get_capabilities_fn get_capabilities;
  /** NULL when the VM has no options. */
  evmc_set_option_fn set_option;
};

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* WVM_HOSTS_EVMC_EVMC_ABI_H_ */
