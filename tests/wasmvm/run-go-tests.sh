#!/usr/bin/env bash
# Builds wasmvm's own Go tests (../shared/wasmvm, unchanged) against
# libwvm_cosmwasm.so and runs them. Offline: the Go module dependencies come
# from Debian's golang-*-dev packages (/usr/share/gocode), assembled into a
# vendor folder in the work directory, plus tests/wasmvm/msgpack (our stand-in
# for github.com/shamaton/msgpack/v2, which Debian does not package).
#
#   run-go-tests.sh --lib build/release/hosts/cosmwasm/capi/libwvm_cosmwasm.so \
#                   --wasmvm ../shared/wasmvm --work build/release/wasmvm-go \
#                   [--tier auto|interp|jit] [--run REGEX] [PACKAGE...]
#
# PACKAGE is one of: api (internal/api), root (the top-level package), types.
# --tier sets WVM_COSMWASM_TIER for the library. WVM_GOCACHE names a Go build
# cache to share between runs (default: WORK/gocache).
# Default: all three. The test binaries run as the unprivileged user `nobody`
# when started as root (TestInitCacheErrorsForBrokenDir expects that creating
# /foo:bar is refused). Exit code: go test's (non-zero if any test failed).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
lib="" wasmvm="" work="" tier="" only=""
pkgs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --lib) lib="$2"; shift 2 ;;
    --wasmvm) wasmvm="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --tier) tier="$2"; shift 2 ;;
    --run) only="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) echo "run-go-tests.sh: unknown option $1" >&2; exit 2 ;;
    *) pkgs+=("$1"); shift ;;
  esac
done
[ ${#pkgs[@]} -gt 0 ] || pkgs=(api root types)
if [ -z "$lib" ] || [ -z "$wasmvm" ] || [ -z "$work" ]; then
  echo "run-go-tests.sh: --lib, --wasmvm and --work are required" >&2; exit 2
fi
if [ ! -f "$wasmvm/go.mod" ]; then
  echo "SKIP: wasmvm's Go package not found at $wasmvm (../shared/wasmvm)"; exit 77
fi
[ -f "$lib" ] || { echo "run-go-tests.sh: library $lib not found" >&2; exit 2; }

# Go >= 1.22: Debian's golang-1.2x-go from bookworm-backports (scripts/setup.sh).
go=""
for v in 1.24 1.23 1.22; do
  if [ -x "/usr/lib/go-$v/bin/go" ]; then go="/usr/lib/go-$v/bin/go"; break; fi
done
if [ -z "$go" ]; then
  echo "run-go-tests.sh: Go >= 1.22 not found; run scripts/setup.sh" >&2; exit 2
fi
gocode=/usr/share/gocode/src
for d in github.com/stretchr/testify github.com/google/btree github.com/davecgh/go-spew \
         github.com/pmezard/go-difflib gopkg.in/yaml.v3 golang.org/x/sys; do
  [ -d "$gocode/$d" ] || { echo "run-go-tests.sh: $gocode/$d missing; run scripts/setup.sh" >&2; exit 2; }
done

mkdir -p "$work"
work="$(cd "$work" && pwd)"
lib="$(cd "$(dirname "$lib")" && pwd)/$(basename "$lib")"
# As root the tests run as `nobody`, who must reach the package copy, the
# test binaries and the library: when the work directory lies below one
# nobody cannot enter (a clone under /root, say), they are staged in /tmp
# and the logs copied back.
run="$work"
if [ "$(id -u)" -eq 0 ] && ! setpriv --reuid=nobody --regid=nogroup --clear-groups \
     test -x "$work" 2>/dev/null; then
  run="$(mktemp -d /tmp/wvm-wasmvm-go.XXXXXX)"
  trap 'cp "$run"/*.out "$work"/ 2>/dev/null; rm -rf "$run"' EXIT
  echo "note: staging the Go tests in $run ($work is not reachable by nobody)"
fi
src="$run/wasmvm"

# A fresh copy of the package each run (the reference is read-only in CI;
# its Rust library is not needed). Nothing in it is edited: the vendor
# folder and the library are added beside its files.
rm -rf "$src"
mkdir -p "$src"
(cd "$wasmvm" && tar --exclude=./libwasmvm --exclude=./.git -cf - .) | (cd "$src" && tar -xf -)
chmod -R u+w "$src"

case "$(uname -m)" in
  x86_64) libname=libwasmvm.x86_64.so ;;
  aarch64) libname=libwasmvm.aarch64.so ;;
  *) echo "run-go-tests.sh: unsupported machine $(uname -m)" >&2; exit 2 ;;
esac
cp "$lib" "$src/internal/api/$libname"

# vendor/: the modules go.mod requires, with the versions go.mod names (the
# package contents are Debian's).
vendor="$src/vendor"
mkdir -p "$vendor"
copy_pkg() {  # copy_pkg IMPORT_PATH FROM_DIR
  mkdir -p "$vendor/$1"
  find "$2" -maxdepth 1 -type f -name '*.go' ! -name '*_test.go' -exec cp {} "$vendor/$1/" \;
}
copy_tree() {  # copy_tree MODULE_PATH: every non-test Go package below it (Go, assembly, C)
  (cd "$gocode" && find "$1" -type f \( -name '*.go' -o -name '*.s' -o -name '*.h' -o -name '*.c' \) \
     ! -name '*_test.go' ! -path '*/testdata/*' ! -path '*/_*') | while read -r f; do
    mkdir -p "$vendor/$(dirname "$f")"; cp "$gocode/$f" "$vendor/$f"
  done
}
copy_tree github.com/stretchr/testify/assert
copy_tree github.com/stretchr/testify/require
copy_tree github.com/google/btree
copy_tree github.com/davecgh/go-spew/spew
copy_tree github.com/pmezard/go-difflib/difflib
copy_tree gopkg.in/yaml.v3
copy_tree golang.org/x/sys/unix
copy_pkg github.com/shamaton/msgpack/v2 "$here/msgpack"

gomod_version() { awk -v m="$1" '$1 == m { print $2; exit }' "$src/go.mod"; }
{
  for m in github.com/google/btree github.com/shamaton/msgpack/v2 github.com/stretchr/testify golang.org/x/sys \
           github.com/davecgh/go-spew github.com/kr/pretty github.com/pmezard/go-difflib \
           gopkg.in/check.v1 gopkg.in/yaml.v3; do
    v="$(gomod_version "$m")"
    [ -n "$v" ] || continue
    echo "# $m $v"
    echo "## explicit; go 1.18"
    case "$m" in
      github.com/stretchr/testify) echo "$m/assert"; echo "$m/require" ;;
      github.com/davecgh/go-spew) echo "$m/spew" ;;
      github.com/pmezard/go-difflib) echo "$m/difflib" ;;
      golang.org/x/sys) echo "$m/unix" ;;
      github.com/kr/pretty|gopkg.in/check.v1) ;;
      *) echo "$m" ;;
    esac
  done
} > "$vendor/modules.txt"

export PATH="$(dirname "$go"):$PATH"
export GOFLAGS=-mod=vendor GOPROXY=off GOTOOLCHAIN=local GOTELEMETRY=off
export GOCACHE="${WVM_GOCACHE:-$work/gocache}" GOPATH="$work/gopath"
export CGO_ENABLED=1
# Go's build cache does not hash the libraries cgo links against: naming the
# library's hash in the C flags makes a new library relink the test binaries.
export CGO_CFLAGS="-O2 -g -DWVM_LIBRARY_SHA256=$(sha256sum "$lib" | cut -c1-16)"

# Compile each package's test binary, then run it in its own directory
# (the tests read ../../testdata and friends relative to it).
declare -A dir_of=([api]=internal/api [root]=. [types]=types)
as_user=()
if [ "$(id -u)" -eq 0 ]; then
  as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  chmod -R a+rX "$run"
fi
if [ -n "$tier" ]; then export WVM_COSMWASM_TIER="$tier"; fi

# Tests that cannot pass against wvm, each with the text its failure must
# show and the reason (expected-failures.txt). A listed test that passes, or
# fails some other way, fails the run: the list only shrinks.
# A line with a fourth field "tiers: T..." holds only under those tiers
# (the library's policy; auto when --tier is not given).
expected="$run/expected-failures.txt"
awk -F' [|] ' -v tier="${tier:-auto}" '
  /^#/ || NF < 4 { print; next }
  { n = split($4, w, " "); for (i = 2; i <= n; ++i) if (w[i] == tier) { print; next } }
' "$here/expected-failures.txt" > "$expected"

status=0
for p in "${pkgs[@]}"; do
  d="${dir_of[$p]:-}"
  [ -n "$d" ] || { echo "run-go-tests.sh: unknown package $p (api, root, types)" >&2; exit 2; }
  bin="$run/bin/$p.test"
  mkdir -p "$run/bin"
  echo "== go test $p ($d)${tier:+, tier $tier}"
  (cd "$src/$d" && "$go" test -c -o "$bin" .)
  chmod a+rx "$bin"
  args=(-test.v -test.count=1 -test.timeout=20m)
  [ -z "$only" ] || args+=("-test.run=$only")
  out="$run/$p.out"
  (cd "$src/$d" && HOME="$run" TMPDIR="${TMPDIR:-/tmp}" "${as_user[@]}" "$bin" "${args[@]}") > "$out" 2>&1 || true
  if ! grep -qE '^(PASS|FAIL)$' "$out"; then
    echo "FAIL $p: the test binary did not finish (crash or timeout); its last lines:"
    tail -40 "$out"
    status=1
    continue
  fi
  pass=$(grep -cE '^--- PASS' "$out" || true)
  skip=$(grep -cE '^--- SKIP' "$out" || true)
  failed=$(sed -nE 's/^--- FAIL: ([^ ]+) .*/\1/p' "$out" | sort -u)
  # The log of one top-level test: from its === RUN line to its --- line.
  log_of() { awk -v t="$1" '$0 == "=== RUN   " t {on=1} on {print} on && $0 ~ "^--- (PASS|FAIL|SKIP): " t " " {exit}' "$out"; }
  unexpected=0 known=0
  for t in $failed; do
    line="$(grep -E "^$p $t \|" "$expected" 2>/dev/null || true)"
    if [ -z "$line" ]; then
      echo "-- FAIL $p $t:"; log_of "$t" | grep -vE '^=== (RUN|PAUSE|CONT)' | head -60
      unexpected=$((unexpected + 1))
      continue
    fi
    fragment="$(echo "$line" | awk -F' [|] ' '{print $2}')"
    if log_of "$t" | grep -qF -- "$fragment"; then
      known=$((known + 1))
      echo "-- expected failure $p $t (reason: $(echo "$line" | awk -F' [|] ' '{print $3}')):"
      log_of "$t" | grep -vE '^=== (RUN|PAUSE|CONT)' | head -20
    else
      echo "-- FAIL $p $t: listed as an expected failure with \"$fragment\", but failed otherwise:"
      log_of "$t" | grep -vE '^=== (RUN|PAUSE|CONT)' | head -60
      unexpected=$((unexpected + 1))
    fi
  done
  # Listed tests that did not fail (when they ran).
  while IFS= read -r line; do
    t="$(echo "$line" | awk '{print $2}')"
    if grep -qE "^--- PASS: $t " "$out"; then
      echo "-- FAIL $p $t: listed as an expected failure but passed; remove it from $expected"
      unexpected=$((unexpected + 1))
    fi
  done < <(grep -E "^$p " "$expected" 2>/dev/null || true)
  total_failed=$(echo "$failed" | grep -c . || true)
  echo "$p: $pass passed, $total_failed failed ($known of them expected, listed in expected-failures.txt), $skip skipped"
  if [ "$unexpected" -ne 0 ] || [ "$skip" -ne 0 ]; then
    [ "$skip" -eq 0 ] || { echo "-- $p: skipped tests:"; grep -E '^\s*--- SKIP' "$out"; }
    status=1
  fi
done
exit $status
