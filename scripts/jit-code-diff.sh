#!/usr/bin/env bash
# Compares the tier-1 code two wvm builds emit for the same modules, function
# by function: for a change meant to keep the code as it was (a faster
# compiler, a refactor), no function may differ.
#
# Usage: scripts/jit-code-diff.sh [-h|--help] [-v] OLD_WVM NEW_WVM FILE.wasm...
#   OLD_WVM, NEW_WVM  the two `wvm` programs (e.g. a build of the commit
#                     before, made in a git worktree, and build/release/tools/wvm)
#   -v                print the first lines that differ for each function
#
# Each program compiles each module under `--tier jit` with WVM_JIT_DUMP set
# (the run itself is asked for an export that does not exist, so nothing
# runs), and each function's code is disassembled with objdump (x86-64 or
# AArch64, from the host). Fields that hold addresses differ from run to run
# and are masked before comparing: movabs immediates, call targets and the
# engine-wide type ids loaded into ecx. Prints one line per module,
# "FILE: N functions, M differ", and exits 1 if any function differs or a
# module compiled to no code at all in one of the builds, 2 on a usage error.
set -euo pipefail

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}
verbose=0
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  -v) verbose=1; shift ;;
esac
if (($# < 3)); then
  usage >&2
  exit 2
fi
old=$1 new=$2
shift 2
for w in "$old" "$new"; do
  [[ -x $w ]] || { echo "not an executable: $w" >&2; exit 2; }
done
command -v objdump > /dev/null || { echo "objdump not found (Debian: binutils)" >&2; exit 2; }
case "$(uname -m)" in
  x86_64) machine=i386:x86-64 ;;
  aarch64) machine=aarch64 ;;
  *) echo "unsupported host $(uname -m)" >&2; exit 2 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The disassembly of one dumped function without addresses, raw bytes or the
# relocated fields.
listing() {
  objdump -D -b binary -m "$machine" "$1" | tail -n +8 |
    sed -E 's/^ *[0-9a-f]+:\t([0-9a-f]{2,8} )+\s*//;
            s/movabs \$0x[0-9a-f]+/movabs X/; s/call +0x[0-9a-f]+/call X/;
            s/mov +\$0x[0-9a-f]+,%ecx/mov X,%ecx/; s/(bl|b|adr|adrp) +0x[0-9a-f]+.*/\1 X/'
}

status=0
for wasm in "$@"; do
  [[ -r $wasm ]] || { echo "cannot read $wasm" >&2; exit 2; }
  for side in old new; do
    rm -rf "${tmp:?}/$side"
    mkdir "$tmp/$side"
    wvm=$old
    [[ $side == new ]] && wvm=$new
    WVM_JIT_DUMP="$tmp/$side" "$wvm" run --tier jit --invoke wvm-jit-code-diff-no-such-export \
      "$wasm" > /dev/null 2>&1 || true
  done
  functions=0 differ=0
  for f in "$tmp"/old/*.bin "$tmp"/new/*.bin; do
    [[ -e $f ]] || continue
    name=$(basename "$f")
    [[ $f == "$tmp/new/$name" && -e $tmp/old/$name ]] && continue  # counted from old
    functions=$((functions + 1))
    if [[ ! -e $tmp/old/$name || ! -e $tmp/new/$name ]]; then
      differ=$((differ + 1))
      ((verbose)) && echo "  $name: compiled by one build only"
      continue
    fi
    listing "$tmp/old/$name" > "$tmp/old.txt"
    listing "$tmp/new/$name" > "$tmp/new.txt"
    if ! cmp -s "$tmp/old.txt" "$tmp/new.txt"; then
      differ=$((differ + 1))
      if ((verbose)); then
        echo "  $name:"
        diff "$tmp/old.txt" "$tmp/new.txt" | head -8 | sed 's/^/    /'
      fi
    fi
  done
  echo "$wasm: $functions functions, $differ differ"
  ((differ == 0 && functions > 0)) || status=1
done
exit "$status"
