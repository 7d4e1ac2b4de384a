# Shared by the README's commands: progress messages and installing what is missing.
# Sourced, not run.

say() { printf '\n==> %s\n' "$*"; }

# Installs the Debian packages among "$@" that are not installed yet, running
# `apt-get update` first, once, and only if something is missing.
ensure_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$package")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "Debian packages: all ${#} present"
    return 0
  fi
  say "Installing missing Debian packages: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
}

# What every build needs.
BUILD_PACKAGES=(meson ninja-build pkg-config g++ python3 libssl-dev libsrtp2-dev
  libusrsctp-dev libopus-dev libvpx-dev libopenh264-dev libaom-dev libdav1d-dev catch2 libbenchmark-dev nlohmann-json3-dev libcpp-httplib-dev)
# What the sanitizer and fuzz stages add.
FUZZ_PACKAGES=(clang-16 libclang-rt-16-dev)
# Real peers and servers the interop tests run against (coturn; the openssl tool for DTLS;
# iproute2's ip for the network namespaces of the mDNS tests).
INTEROP_PACKAGES=(coturn openssl python3-aiortc python3-aiohttp chromium firefox-esr nodejs iproute2)

# configure_build DIR [meson options...]: sets up DIR the first time; later runs keep the
# build (no rebuild from scratch) and only re-apply the options, so that whichever command
# configured DIR first, it ends up with the same settings.
configure_build() {
  local dir=$1
  shift
  if [ -f "$dir/build.ninja" ]; then
    meson configure "$dir" "$@" > /dev/null
  else
    meson setup "$dir" "$@"
  fi
}

# ensure_npm_package NAME VERSION WHY: NAME@VERSION from npm into build/node, where the
# interop tests find it, unless it is there already. Browsers are never downloaded: the
# tests drive Debian's.
ensure_npm_package() {
  local name=$1 version=$2 why=$3
  if [ -d "build/node/node_modules/$name" ]; then
    say "$name: present in build/node"
    return 0
  fi
  # Some nodejs builds bring their own npm; Debian's is a separate package.
  command -v npm >/dev/null || ensure_packages npm || return 1
  say "Installing $name@$version from npm into build/node ($why)"
  mkdir -p build/node
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 \
    npm install --prefix build/node --no-audit --no-fund --silent "$name@$version"
}

# playwright-core drives Debian's chromium (tests/interop/browser_echo.sh chromium); puppeteer-core
# drives Debian's firefox-esr over WebDriver BiDi (browser_echo.sh firefox), which
# Playwright cannot: it needs its own patched Firefox. The versions are the ones the
# interop tests were last run with.
ensure_browser_drivers() {
  ensure_npm_package playwright-core 1.65.1 "drives chromium" &&
    ensure_npm_package puppeteer-core 24.43.1 "drives firefox-esr"
}
