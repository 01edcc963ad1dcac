# Cross-compiling wvm for AArch64 Linux on an x86-64 Debian 12 host, with
# Debian's cross toolchain (g++-aarch64-linux-gnu) and the :arm64 development
# packages (installed by scripts/setup-arm64.sh). Tests run under qemu-aarch64.
#   cmake --preset arm64-qemu   (or -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake)
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Libraries and headers of the target come from the :arm64 multiarch packages
# (/usr/lib/aarch64-linux-gnu, /usr/include); programs run at build time
# (wat2wasm, wast2json, wasm-opt, clang for wasm test programs) are the host's.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# The host's libraries share /usr with the target's: never let a find_* or a
# pkg-config hint pick one of them.
set(CMAKE_IGNORE_PATH
  /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu
  /usr/lib/x86_64-linux-gnu/cmake /usr/local/lib/x86_64-linux-gnu)
# pkg-config reads the target's .pc files only (libsecp256k1, OpenSSL).
find_program(PKG_CONFIG_EXECUTABLE NAMES aarch64-linux-gnu-pkg-config pkg-config)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# RocksDB's arm64 package cannot be installed beside the amd64 one, so
# scripts/setup-arm64.sh unpacks it here; tools/cosmwasm links its static
# library from there.
if(NOT DEFINED WVM_ROCKSDB_ROOT)
  if(DEFINED ENV{WVM_ARM64_EXTRA_ROOT})
    set(WVM_ROCKSDB_ROOT "$ENV{WVM_ARM64_EXTRA_ROOT}")
  else()
    set(WVM_ROCKSDB_ROOT /opt/wvm-arm64)
  endif()
endif()

# ctest, gtest_discover_tests and add_custom_command's running of built
# programs go through qemu. Without -L, qemu-aarch64 resolves the target's
# dynamic loader (/lib/ld-linux-aarch64.so.1) and libraries from the host's
# root, where the :arm64 multiarch packages put them; that is the same set of
# libraries the program was linked against.
#
# -R: qemu-user 7.2 keeps a descriptor for every guest page it ever mapped
# and, left to itself, places each new mapping at a fresh address, so every
# 8 GiB linear-memory reservation costs ~32 MB of host memory for the rest of
# the process (the spec suite in one process: 15 GB; the differential test:
# killed at 24 GB). A 512 GiB guest address space makes it reuse addresses
# (at most ~3 GB of descriptors) and still holds the 50-odd memories one spec
# script keeps alive (memory_copy.wast; 256 GiB is too small).
find_program(WVM_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static REQUIRED)
set(WVM_QEMU_GUEST_SPACE 0x8000000000 CACHE STRING
    "qemu-aarch64 -R: the guest address space in bytes (512 GiB)")
set(CMAKE_CROSSCOMPILING_EMULATOR ${WVM_QEMU_AARCH64} -R ${WVM_QEMU_GUEST_SPACE})
