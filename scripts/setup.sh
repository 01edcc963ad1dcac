#!/usr/bin/env bash
# Installs every Debian 12 package wvm needs to build and test. Idempotent:
# installs only what is missing. Run as root (or with sudo available).
#   scripts/setup.sh         build and test
#   scripts/setup.sh bench   also what bench/compare.sh uses: gnuplot for the
#                            chart (node, the peer engine, is always installed)
# Then AssemblyScript's compiler (published only on the npm registry) goes
# into build/npm for tests/wasi, and solc and anvil into build/npm-evm for
# bench/evm; without npm or the registry those tests are skipped, and the
# script says so without failing.
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ pkg-config    # build
  libgtest-dev libbenchmark-dev       # tests and benchmarks
  nlohmann-json3-dev                  # spec-suite runner (wast2json output)
  wabt binaryen                       # wat2wasm / wast2json, wasm-opt
  clang lld                           # building wasm test programs
  libasmjit-dev libmimalloc-dev       # tier-1 JIT, allocator
  libsecp256k1-dev libssl-dev         # CosmWasm host crypto (secp256k1, secp256r1, SHA-512)
  librocksdb-dev                      # wvm cosmwasm: the CLI's local chain state
  libcli11-dev                        # EVMC's evmc tool (tests/evmc), built from ../shared/evmc
  # wasmvm's Go tests against libwvm_cosmwasm.so (tests/wasmvm/): Go >= 1.22
  # from bookworm-backports, and the Go modules wasmvm's go.mod names
  golang-1.23-go
  golang-github-stretchr-testify-dev golang-github-google-btree-dev
  golang-github-davecgh-go-spew-dev golang-github-pmezard-go-difflib-dev
  golang-gopkg-yaml.v3-dev golang-golang-x-sys-dev
  # WASI test programs (tests/wasi): C with wasi-libc, Rust's std for
  # wasm32-wasi (Debian's rustc 1.63), node's WASI to compare with, npm for
  # AssemblyScript
  wasi-libc libclang-rt-14-dev-wasm32
  rustc libstd-rust-dev-wasm32
  nodejs npm
)
case "${1:-}" in
  "") ;;
  bench) PACKAGES+=(gnuplot-nox) ;;
  *) echo "usage: scripts/setup.sh [bench]" >&2; exit 1 ;;
esac

installed() {
  # NodeSource's nodejs package provides (and conflicts with) npm: installing
  # Debian's npm beside it would remove it. A working command is enough.
  case "$1" in
    nodejs) command -v node >/dev/null 2>&1 && return 0 ;;
    npm) command -v npm >/dev/null 2>&1 && return 0 ;;
  esac
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q " ok installed"  # "install" or "hold"
}

# AssemblyScript for tests/wasi, pinned, into build/npm (not vendored; the
# tests look there). 0.27: 0.28 needs node >= 20, Debian 12 has 18.
install_assemblyscript() {
  local prefix version=0.27.37
  prefix="$(cd "$(dirname "$0")/.." && pwd)/build/npm"
  if [ "$(cat "$prefix/node_modules/assemblyscript/package.json" 2>/dev/null |
          sed -n 's/^ *"version": "\(.*\)",$/\1/p')" = "$version" ]; then
    echo "setup: assemblyscript $version present in $prefix"
  elif ! command -v npm >/dev/null 2>&1; then
    echo "setup: no npm: the AssemblyScript WASI tests will be skipped" >&2
  elif mkdir -p "$prefix" &&
       npm install --prefix "$prefix" --no-audit --no-fund --silent "assemblyscript@$version"; then
    echo "setup: installed assemblyscript $version into $prefix"
  else
    echo "setup: npm install assemblyscript failed (no registry?): the AssemblyScript WASI tests will be skipped" >&2
  fi
}

# solc (solc-js) and anvil (Foundry's EVM node, on revm) for bench/evm, the
# Solidity twins of the workloads, pinned, into build/npm-evm: both exist
# only on the npm registry. anvil's package is for x86-64 Linux only.
install_evm_tools() {
  local prefix solc=0.8.37 anvil=1.7.1 want
  prefix="$(cd "$(dirname "$0")/.." && pwd)/build/npm-evm"
  want="@foundry-rs/anvil-linux-amd64"
  if [ "$(uname -m)" != x86_64 ]; then
    echo "setup: anvil is published for x86-64 only: the bench/evm checks will be skipped" >&2
  elif grep -qs "\"version\": \"$solc\"" "$prefix/node_modules/solc/package.json" &&
       grep -qs "\"version\": \"$anvil\"" "$prefix/node_modules/$want/package.json"; then
    echo "setup: solc $solc and anvil $anvil present in $prefix"
  elif ! command -v npm >/dev/null 2>&1; then
    echo "setup: no npm: the bench/evm checks will be skipped" >&2
  elif mkdir -p "$prefix" &&
       npm install --prefix "$prefix" --no-audit --no-fund --silent --save-exact \
         "solc@$solc" "$want@$anvil"; then
    echo "setup: installed solc $solc and anvil $anvil into $prefix"
  else
    echo "setup: npm install solc/anvil failed (no registry?): the bench/evm checks will be skipped" >&2
  fi
}

missing=()
for p in "${PACKAGES[@]}"; do
  installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  install_assemblyscript
  install_evm_tools
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup: missing packages (${missing[*]}) and not root; install them or rerun as root" >&2
    exit 1
  fi
fi
# Go >= 1.22 is in Debian 12 only through bookworm-backports: add that suite
# (Debian's own archive) when no configured source names it.
if [[ " ${missing[*]} " == *" golang-1.23-go "* ]] &&
   ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "setup: adding Debian's bookworm-backports suite (for Go 1.23)"
  printf '%s\n' "Types: deb" "URIs: http://deb.debian.org/debian" "Suites: bookworm-backports" \
    "Components: main" "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" |
    $SUDO tee /etc/apt/sources.list.d/wvm-bookworm-backports.sources >/dev/null
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
install_assemblyscript
install_evm_tools
