#!/bin/sh
# Builds app.c with pkg-config alone (README, "Embedding: the installed
# library"), against libwvm.so and as a static program with libwvm.a, into
# the current directory. CC and CFLAGS as usual; PKG_CONFIG_PATH names the
# installed lib/pkgconfig.
set -eu
src=$(dirname "$0")/app.c
CC=${CC:-cc}
# shellcheck disable=SC2046 # pkg-config's output is a list of flags
$CC ${CFLAGS:-} "$src" -o app-shared $(pkg-config --cflags --libs wvm) \
  -Wl,-rpath,"$(pkg-config --variable=libdir wvm)"
case " ${CFLAGS:-} " in
  *" -fsanitize="*) echo "app-static: not built: sanitizer runtimes do not link into -static programs"; exit 0 ;;
esac
# shellcheck disable=SC2046
$CC ${CFLAGS:-} "$src" -o app-static -static $(pkg-config --static --cflags --libs wvm)
