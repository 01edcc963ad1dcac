#!/bin/sh
# Runs one wasm-c-api example program the way its authors run it: in a copy of
# the example directory (it opens NAME.wasm from the current directory), with
# the tier chosen by WVM_TIER. Passes when it exits with status 0 and prints
# exactly tests/capi/expected/NAME.out.
#
# Usage: run_example.sh EXECUTABLE EXAMPLE_DIR NAME TIER EXPECTED MODULE_DIR [EMULATOR...]
#
# MODULE_DIR holds modules that replace the example directory's (hostref.wasm,
# whose upstream binary a Wasm 2.0 engine must reject; see modules/*.wat).
#
# Normalized before comparing, because they differ from run to run:
# - the instance address a trap frame prints with %p (trap.c, start.c):
#   "> 0x5566... @ " becomes "> INSTANCE @ ";
# - threads.c's lines, which its ten threads print in any order: both
#   outputs are sorted.
set -u
exe=$1 example_dir=$2 name=$3 tier=$4 expected=$5 module_dir=$6
shift 6
work=$(mktemp -d "${TMPDIR:-/tmp}/wvm-capi-$name.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
cp "$example_dir"/*.wasm "$work"/ || exit 1
for m in "$module_dir"/*.wasm; do
  if [ -f "$m" ]; then cp "$m" "$work"/ || exit 1; fi
done
cd "$work" || exit 1
WVM_TIER=$tier "$@" "$exe" > stdout.txt
status=$?
if [ "$status" -ne 0 ]; then
  cat stdout.txt
  echo "FAIL: $name ($tier) exited with status $status"
  exit 1
fi
normalize() {
  sed -e 's/^> \(0x[0-9a-f]*\|(nil)\) @ /> INSTANCE @ /' "$1" > "$2"
  if [ "$name" = threads ]; then sort "$2" -o "$2"; fi
}
normalize stdout.txt actual.txt
normalize "$expected" expected.txt
if ! diff -u expected.txt actual.txt; then
  echo "FAIL: $name ($tier): output differs from $expected"
  exit 1
fi
echo "PASS: $name ($tier)"
