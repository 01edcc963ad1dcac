#!/bin/sh
# Builds app.c with pkg-config alone (README, "Embedding"), against libwvm.so
# and against libwvm.a, into the current directory. CC and CFLAGS as usual;
# PKG_CONFIG_PATH names the installed lib/pkgconfig.
set -eu
src=$(dirname "$0")/app.c
CC=${CC:-cc}
# shellcheck disable=SC2046 # pkg-config's output is a list of flags
$CC ${CFLAGS:-} "$src" -o app-shared $(pkg-config --cflags --libs wvm) \
  -Wl,-rpath,"$(pkg-config --variable=libdir wvm)"
# libwvm.a in an otherwise dynamically linked program.
# shellcheck disable=SC2046
$CC ${CFLAGS:-} "$src" -o app-static $(pkg-config --cflags wvm) \
  -Wl,-Bstatic $(pkg-config --static --libs wvm) -Wl,-Bdynamic
