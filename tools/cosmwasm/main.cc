// `wvm-cosmwasm`: the executable behind `wvm cosmwasm ARGS...`, which execs
// it with ARGS. It is separate because RocksDB, OpenSSL and libsecp256k1 cost
// `wvm` several milliseconds of dynamic linking and static initialization
// on every start, which `wvm run` has no use for.
#include <string>
#include <vector>

#include "tools/cosmwasm/cli.h"

int main(int argc, char** argv) {
  return wvm::cosmwasm::cli::run(std::vector<std::string>(argv + 1, argv + argc));
}
