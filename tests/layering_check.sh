#!/bin/sh
# The folders' layering (README, "Architecture"), checked on their #include
# lines: a folder includes only the folders below it, and its own layer's.
#
#   public headers   include/ (wvm/..., wasm.h, wvm.h): includable everywhere
#   module model     module/        decode, validate, types, opcodes, numeric
#   beside it        memory/        reservations, traps, native stacks
#                    metering/      the cost model (on the opcode table)
#                    exec/          ExecContext, instance data, runtime operations
#   tiers            tier0-interp/ tier1-jit/ codegen-*/  (include each other)
#   runtime          engine/        store, instances, linking, tier manager
#   hosts and tools  hosts/ capi/ tools/
#
# bench/, tests/ and examples/ may include anything. An include whose first
# path component is a top-level folder of the repository is checked;
# others (wvm/..., system and third-party headers, a file's neighbours) are
# not. Prints each violation as file:line and exits 1 if there is one.
# Usage: tests/layering_check.sh [SOURCE_DIR]   (default: this repository)
set -eu
root="${1:-$(dirname "$0")/..}"
cd "$root"

tiers="tier0-interp tier1-jit codegen-x64 codegen-arm64 codegen-none"
below_tiers="module memory metering exec"
runtime="$below_tiers $tiers engine"

# The folders each layered folder may include, its own besides.
allowed() {
  case "$1" in
    include | module | memory) echo "" ;;
    metering) echo "module" ;;
    exec) echo "module memory" ;;
    tier0-interp | tier1-jit | codegen-*) echo "$below_tiers $tiers" ;;
    engine) echo "$below_tiers $tiers" ;;
    hosts | capi | tools) echo "$runtime hosts capi tools" ;;
  esac
}

layered="include module memory metering exec $tiers engine hosts capi tools"
top_level=$(for d in */; do printf '%s ' "${d%/}"; done)

status=0
for folder in $layered; do
  [ -d "$folder" ] || continue
  ok="$folder"
  for f in $(allowed "$folder"); do
    case " $ok " in *" $f "*) ;; *) ok="$ok $f" ;; esac
  done
  # file:line:target for every include naming a top-level folder.
  hits=$(find "$folder" -type f \( -name '*.h' -o -name '*.cc' -o -name '*.c' -o -name '*.inc' \
           -o -name '*.def' -o -name '*.hpp' -o -name '*.cpp' \) -print | sort |
         xargs grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"][^">]*/' /dev/null |
         sed -E 's|^([^:]+:[0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^">]*)[">].*|\1:\2|') ||
    true
  [ -n "$hits" ] || continue
  for hit in $hits; do
    target="${hit##*:}"
    where="${hit%:*}"
    case "$target" in
      ../* | */../*)
        echo "$where: #include \"$target\": a relative path escapes the layering check" >&2
        status=1
        continue
        ;;
    esac
    first="${target%%/*}"
    case " $top_level " in *" $first "*) ;; *) continue ;; esac
    case " $ok " in *" $first "*) continue ;; esac
    echo "$where: #include \"$target\": $folder/ may include only public headers and" \
         "$(printf '%s/ ' $ok)(layers: tests/layering_check.sh)" >&2
    status=1
  done
done
[ "$status" -eq 0 ] && echo "layering: no folder includes one above it"
exit "$status"
