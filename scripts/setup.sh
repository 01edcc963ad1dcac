#!/usr/bin/env bash
# Installs every Debian 12 package wvm needs to build and test. Idempotent:
# installs only what is missing. Run as root (or with sudo available).
#   scripts/setup.sh         build and test
#   scripts/setup.sh bench   also what bench/compare.sh uses: gnuplot for the
#                            chart, and node (V8) as a peer engine
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
  # wasmvm's Go tests against libwvm_cosmwasm.so (tests/wasmvm/): Go >= 1.22
  # from bookworm-backports, and the Go modules wasmvm's go.mod names
  golang-1.23-go
  golang-github-stretchr-testify-dev golang-github-google-btree-dev
  golang-github-davecgh-go-spew-dev golang-github-pmezard-go-difflib-dev
  golang-gopkg-yaml.v3-dev golang-golang-x-sys-dev
)
case "${1:-}" in
  "") ;;
  bench) PACKAGES+=(gnuplot-nox nodejs) ;;
  *) echo "usage: scripts/setup.sh [bench]" >&2; exit 1 ;;
esac

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q " ok installed"; then  # "install" or "hold"
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
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
