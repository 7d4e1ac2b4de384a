#!/bin/sh
# Builds librtcstack_usrsctp.a: Debian's usrsctp archive with malloc, calloc and free
# renamed to the recycling allocator of usrsctp_memory.cpp, whose object joins the same
# archive (so the linker finds it wherever the archive comes on the command line).
# Usage: pool_usrsctp.sh USRSCTP_ARCHIVE ALLOCATOR_ARCHIVE OUTPUT
set -eu
system=$(realpath "$1")
allocator=$(realpath "$2")
out=$(realpath -m "$3")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
ar x "$system"
for object in *.o; do
  objcopy --redefine-sym malloc=rtcstack_usrsctp_malloc --redefine-sym calloc=rtcstack_usrsctp_calloc \
    --redefine-sym free=rtcstack_usrsctp_free "$object"
done
# Meson makes thin archives: their members are files named relative to the archive's
# folder, or absolute.
for member in $(ar t "$allocator"); do
  case $member in
    /*) cp "$member" . ;;
    *) cp "$(dirname "$allocator")/$member" . ;;
  esac
done
rm -f "$out"
ar rcs "$out" ./*.o
