#!/bin/sh
# EVMC's own `evmc` command-line tool (../shared/evmc, v12.1.0) running the
# ewasm contracts of contracts/ on libwvm_evmc.so, as a user would:
#   evmc --vm libwvm_evmc.so,tier=T run --gas G --input HEX CODE_HEX
#
#   run-evmc-tool.sh build SHARED_DIR WORK_DIR
#       builds the tool from SHARED_DIR/evmc into WORK_DIR (Debian's
#       libcli11-dev for its options; scripts/setup.sh installs it), and
#       example-host-driver (example_host_driver.cc) against EVMC's loader
#       and example host; exit 77 (skipped) when SHARED_DIR/evmc is absent.
#   run-evmc-tool.sh run WORK_DIR LIB TIER WASM INPUT GAS RESULT GAS_USED OUTPUT
#       runs WASM and checks the tool's "Result:", "Gas used:" and "Output:"
#       lines (OUTPUT "-": the tool prints none, as after a failure).
set -eu
mode="$1"
shift
if [ "$mode" = build ]; then
  shared="$1" work="$2"
  if [ ! -f "$shared/evmc/CMakeLists.txt" ]; then
    echo "skipped: no EVMC sources at $shared/evmc (../shared beside the repository)"
    exit 77
  fi
  here="$(cd "$(dirname "$0")" && pwd)"
  cmake -S "$shared/evmc" -B "$work" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DEVMC_TOOLS=ON -DEVMC_EXAMPLES=ON -DHUNTER_ENABLED=OFF -DCMAKE_PROJECT_INCLUDE="$here/hunter_stub.cmake" \
    >"$work.configure.log" 2>&1 || {
    cat "$work.configure.log"
    echo "configuring EVMC failed (is libcli11-dev installed? scripts/setup.sh installs it)"
    exit 1
  }
  cmake --build "$work" --target evmc-tool evmc-example-host loader
  "${CXX:-c++}" -std=c++17 -O2 -Wall -Wextra -o "$work/bin/example-host-driver" \
    "$here/example_host_driver.cc" -I"$shared/evmc/include" -I"$shared/evmc/examples" \
    "$work/examples/libevmc-example-host.a" "$work/lib/loader/libevmc-loader.a" -ldl
  exit 0
fi

work="$1" lib="$2" tier="$3" wasm="$4" input="$5" gas="$6" result="$7" used="$8" output="$9"
tool="$work/bin/evmc"
if [ ! -x "$tool" ]; then
  echo "no $tool: the evmc/tool-build test did not build it"
  exit 1
fi
code="$(od -An -v -tx1 "$wasm" | tr -d ' \n')"
out="$("$tool" --vm "$lib,tier=$tier" run --gas "$gas" --input "$input" "$code" 2>&1)" || true
echo "$out"
fail=0
expect() {
  if ! printf '%s\n' "$out" | grep -qx "$1"; then
    echo "expected the line: $1"
    fail=1
  fi
}
expect "Result: *$result"
expect "Gas used: $used"
if [ "$output" = - ]; then
  if printf '%s\n' "$out" | grep -q '^Output:'; then
    echo "expected no Output: line"
    fail=1
  fi
else
  expect "Output: *$output"
fi
exit $fail
