#!/usr/bin/env bash
# Enforces the two structural rules of ../shared/DESIGN.md on lib/:
#   §1 sans-IO: outside lib/net, nothing creates a socket, a thread or a mutex, or reads
#      a clock;
#   §2 layering: a module includes only the modules it stands on (no sideways includes
#      between sdp, dtls, srtp, sctp and media; only the runtime uses lib/net), and the
#      system libraries only where they belong: OpenSSL in the modules that own crypto
#      (base's random, stun's integrity, dtls, srtp) and in net (TLS to TURN servers is
#      part of the stream net opens, like the socket), usrsctp in sctp, Opus and libvpx
#      in media, sockets and epoll in net (byte-order helpers, arpa/inet.h, anywhere);
#   and the installed API is whole: a header a module installs (its `<module>_headers`
#   list in lib/<module>/meson.build) includes only installed headers, so private parts
#   (lib/pc's jsep.h, transceivers.h, ...) never leak into what embedders compile.
# Usage: check_boundary.sh SOURCE_ROOT    check the tree, exit 1 on any violation
#        check_boundary.sh --self-test    prove the checker catches planted violations
set -euo pipefail

declare -A allowed=(
  [base]="base"
  [stun]="base stun"
  [sdp]="base sdp"
  [ice]="base stun ice"
  [dtls]="base dtls"
  [srtp]="base srtp"
  [sctp]="base sctp"
  [cc]="base cc"
  [media]="base cc media"
  [pc]="base stun sdp ice dtls srtp sctp cc media pc"
  [net]="base stun sdp ice dtls srtp sctp cc media pc net"
)
# System headers owned by some modules: "<pattern>=<modules that may include it>".
system_owners=(
  'openssl/=base stun dtls srtp net'
  'srtp2/='
  'usrsctp\.h=sctp'
  'opus/=media'
  'vpx/=media'
  'sys/socket\.h|sys/epoll\.h|sys/eventfd\.h|netinet/|net/if\.h|ifaddrs\.h|unistd\.h=net'
)
forbidden_io='<(thread|mutex|shared_mutex|condition_variable|future|sys/socket\.h|sys/epoll\.h)>|std::(jthread|thread|mutex|shared_mutex|recursive_mutex|timed_mutex|condition_variable|async)\b|\bpthread_[a-z_]+\(|\b(socket|clock_gettime|gettimeofday|timespec_get)\(|std::chrono::(steady_clock|system_clock|high_resolution_clock)|\btime\((NULL|nullptr|0)?\)'

check_tree() {
  local root=$1 violations=0 module file line included
  for dir in "$root"/lib/*/; do
    module=$(basename "$dir")
    [ -n "${allowed[$module]+set}" ] || { echo "unknown module lib/$module"; violations=$((violations + 1)); continue; }
    while IFS= read -r -d '' file; do
      if [ "$module" != net ]; then
        while IFS= read -r line; do
          echo "sans-IO violation (DESIGN.md §1): ${file#"$root"/}:$line"
          violations=$((violations + 1))
        done < <(grep -nE "$forbidden_io" "$file" || true)
      fi
      while IFS= read -r line; do
        included=$(sed -E 's/^[0-9]+:#include "([a-z]+)\/.*/\1/' <<<"$line")
        if [[ " ${allowed[$module]} " != *" $included "* ]]; then
          echo "layering violation (DESIGN.md §2): ${file#"$root"/}:${line%%:*} lib/$module includes lib/$included"
          violations=$((violations + 1))
        fi
      done < <(grep -nE '^#include "[a-z]+/' "$file" || true)
      local owner pattern owners
      for owner in "${system_owners[@]}"; do
        pattern=${owner%%=*}
        owners=${owner#*=}
        [[ " $owners " == *" $module "* ]] && continue
        while IFS= read -r line; do
          echo "layering violation (DESIGN.md §2): ${file#"$root"/}:${line%%:*} lib/$module includes a system library of another module: ${line#*:}"
          violations=$((violations + 1))
        done < <(grep -nE "^#include <($pattern)" "$file" || true)
      done
    done < <(find "$dir" -type f \( -name '*.h' -o -name '*.cpp' \) -print0)
  done
  local installed header
  installed=$(installed_headers "$root")
  for header in $installed; do
    while IFS= read -r line; do
      included=$(sed -E 's/^[0-9]+:#include "([^"]+)".*/\1/' <<<"$line")
      if [[ " $installed " != *" $included "* ]]; then
        echo "private header in the API: lib/$header:${line%%:*} (installed) includes $included (not installed)"
        violations=$((violations + 1))
      fi
    done < <(grep -nE '^#include "[a-z]+/' "$root/lib/$header" || true)
  done
  if [ "$violations" -gt 0 ]; then
    echo "$violations violation(s)"
    return 1
  fi
  echo "lib/ keeps the sans-IO boundary and the layer order"
}

# "module/file.h" for every header in a `<module>_headers = files(...)` list.
installed_headers() {
  local root=$1 build module
  for build in "$root"/lib/*/meson.build; do
    module=$(basename "$(dirname "$build")")
    sed -n "/^${module}_headers = files(/,/)/p" "$build" | grep -oE "'[a-z_0-9]+\.h'" | tr -d "'" | sed "s|^|$module/|"
  done | tr '\n' ' '
}
self_test() {
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  mkdir -p "$tmp/lib/base" "$tmp/lib/dtls" "$tmp/lib/net"
  printf '#include "base/bytes.h"\n#include <openssl/ssl.h>\nint f();\n' > "$tmp/lib/dtls/ok.cpp"
  printf '#include <mutex>\nstd::thread t;\n' > "$tmp/lib/net/io.cpp"  # allowed in net
  printf '#include "base/bytes.h"\n' > "$tmp/lib/dtls/api.h"
  printf '#pragma once\n' > "$tmp/lib/dtls/inner.h"
  printf "dtls_headers = files(\n  'api.h',\n)\n" > "$tmp/lib/dtls/meson.build"
  printf "base_headers = files(\n  'bytes.h',\n)\n" > "$tmp/lib/base/meson.build"
  printf '#pragma once\n' > "$tmp/lib/base/bytes.h"
  check_tree "$tmp" > /dev/null || { echo "self-test: a clean tree was rejected"; return 1; }
  printf '#include "dtls/inner.h"\n' > "$tmp/lib/dtls/api.h"
  if check_tree "$tmp" > /dev/null; then
    echo "self-test: missed an installed header including a private one"
    return 1
  fi
  printf '#include "base/bytes.h"\n' > "$tmp/lib/dtls/api.h"
  local planted
  for planted in '#include "srtp/session.h"' 'std::mutex m;' '#include <thread>' \
                 'auto t = std::chrono::steady_clock::now();' 'int s = socket(2, 2, 0);' \
                 '#include "net/runtime.h"' '#include <usrsctp.h>' '#include <opus/opus.h>' '#include <sys/socket.h>'; do
    printf '%s\n' "$planted" > "$tmp/lib/dtls/bad.cpp"
    if check_tree "$tmp" > /dev/null; then
      echo "self-test: missed a planted violation: $planted"
      return 1
    fi
  done
  echo "self-test: the checker catches every planted violation"
}

if [ "${1:-}" = "--self-test" ]; then self_test; else check_tree "${1:?usage: $0 SOURCE_ROOT | --self-test}"; fi
