#!/usr/bin/env bash
# Configures rtcstack afresh (library only) with a temporary prefix, installs it, then
# compiles and runs tests/install/consumer.cpp using nothing but pkg-config and that prefix.
# Usage: consumer_test.sh SOURCE_ROOT CONSUMER_CPP
set -euo pipefail
src=$1
consumer=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "configure: $tmp/build (prefix $tmp/prefix)"
meson setup "$tmp/build" "$src" --prefix "$tmp/prefix" -Dtests=false -Dbench=disabled \
  -Dfuzz=false -Dbuildtype=release > "$tmp/setup.log" || { cat "$tmp/setup.log"; exit 1; }
echo "install"
meson install -C "$tmp/build" > "$tmp/install.log" || { cat "$tmp/install.log"; exit 1; }

pc=$(find "$tmp/prefix" -name rtcstack.pc)
[ -n "$pc" ] || { echo "rtcstack.pc was not installed"; exit 1; }
[ -n "$(find "$tmp/prefix" -name librtcstack.a)" ] || { echo "librtcstack.a was not installed"; exit 1; }
[ -f "$tmp/prefix/include/rtcstack/base/result.h" ] || { echo "public headers were not installed"; exit 1; }
echo "installed: ${pc#"$tmp/"}"

export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$pc")
flags=$(pkg-config --cflags --libs rtcstack)
echo "pkg-config --cflags --libs rtcstack: $flags"
# shellcheck disable=SC2086  # the flags are meant to split into words
"${CXX:-c++}" "$consumer" $flags -o "$tmp/consumer"
"$tmp/consumer"
