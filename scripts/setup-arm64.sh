#!/usr/bin/env bash
# Installs what the AArch64 cross build (CMake preset arm64-qemu) needs on an
# x86-64 Debian 12 host, on top of scripts/setup.sh: the arm64 dpkg
# architecture, Debian's cross compiler, qemu-user to run the tests, and the
# :arm64 development packages the engine links. Idempotent: installs only what
# is missing. Run as root (or with sudo available); only Debian's package
# registry is used.
#
# RocksDB (`wvm cosmwasm`'s state) is the exception: librocksdb-dev and its
# libgflags dependency are not multi-arch, so librocksdb-dev:arm64 cannot be
# installed beside the amd64 one the x86-64 build needs (apt would remove it).
# Its package is fetched with `apt-get download` and unpacked, not installed,
# under $WVM_ARM64_EXTRA_ROOT (default /opt/wvm-arm64); the cross build links
# its static librocksdb.a, which needs only multi-arch compression libraries.
set -euo pipefail

EXTRA_ROOT="${WVM_ARM64_EXTRA_ROOT:-/opt/wvm-arm64}"

HOST_PACKAGES=(
  g++-aarch64-linux-gnu qemu-user     # cross compiler; qemu-aarch64 runs the tests
)
ARM64_PACKAGES=(
  libasmjit-dev libmimalloc-dev libgtest-dev libbenchmark-dev
  libsecp256k1-dev libssl-dev
  # librocksdb.a's dependencies (the library itself: see above)
  libsnappy-dev zlib1g-dev libbz2-dev liblz4-dev libzstd-dev
)
ROCKSDB_DEB=librocksdb-dev:arm64

SUDO=""
need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "setup-arm64: $1, and not root; rerun as root" >&2
      exit 1
    fi
  fi
}
installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q " ok installed"
}

updated=0
apt_update() {
  if [ "$updated" -eq 0 ]; then
    $SUDO apt-get update -qq
    updated=1
  fi
}
export DEBIAN_FRONTEND=noninteractive

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  need_root "the arm64 dpkg architecture is missing"
  echo "setup-arm64: adding the arm64 dpkg architecture"
  $SUDO dpkg --add-architecture arm64
fi

missing=()
for p in "${HOST_PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
for p in "${ARM64_PACKAGES[@]}"; do installed "$p:arm64" || missing+=("$p:arm64"); done
if [ ${#missing[@]} -gt 0 ]; then
  need_root "missing packages (${missing[*]})"
  echo "setup-arm64: installing ${missing[*]}"
  apt_update
  # --no-remove: never trade an amd64 package of scripts/setup.sh for an arm64 one.
  $SUDO apt-get install -y -qq --no-install-recommends --no-remove "${missing[@]}"
fi

rocksdb_lib="$EXTRA_ROOT/usr/lib/aarch64-linux-gnu/librocksdb.a"
if [ ! -f "$rocksdb_lib" ]; then
  need_root "$rocksdb_lib is missing"
  echo "setup-arm64: unpacking $ROCKSDB_DEB into $EXTRA_ROOT"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  chmod 755 "$tmp"  # apt's download sandbox user must be able to write there
  if ! (cd "$tmp" && $SUDO apt-get download -qq "$ROCKSDB_DEB" 2>/dev/null); then
    apt_update
    (cd "$tmp" && $SUDO apt-get download -qq "$ROCKSDB_DEB")
  fi
  $SUDO mkdir -p "$EXTRA_ROOT"
  $SUDO dpkg-deb -x "$tmp"/librocksdb-dev_*_arm64.deb "$EXTRA_ROOT"
fi

echo "setup-arm64: all ${#HOST_PACKAGES[@]} host and $((${#ARM64_PACKAGES[@]} + 1)) arm64 packages present"
