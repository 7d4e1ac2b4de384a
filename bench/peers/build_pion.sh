#!/usr/bin/env bash
# Builds bench/peers/pion into OUT (default build/pion/pion-bench) offline: GOPATH mode
# over Debian's Go packages (no module proxy is reachable). Debian installs some /vN
# modules without their /vN folder; a private GOPATH links them where imports look.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build/pion/pion-bench}
gopath=$(dirname "$out")/gopath
mkdir -p "$gopath/src/github.com/pion"
rm -rf "$gopath/src/github.com/pion"/*
for module in webrtc:v3 ice:v2 dtls:v2 srtp:v2 sdp:v3 transport:v2 udp:v2 turn:v2; do
  name=${module%%:*} version=${module##*:}
  source=/usr/share/gocode/src/github.com/pion/$name
  [ -d "$source" ] || { echo "missing $source (apt-get install golang-github-pion-webrtc.v3-dev)"; exit 1; }
  [ -d "$source/$version" ] && continue  # laid out as the import path says
  mkdir -p "$gopath/src/github.com/pion/$name"
  ln -sfn "$source" "$gopath/src/github.com/pion/$name/$version"
done
mkdir -p "$gopath/src/rtcstack"
ln -sfn "$PWD/bench/peers/pion" "$gopath/src/rtcstack/pion-bench"
(cd "$gopath/src/rtcstack/pion-bench" &&
  GO111MODULE=off GOPATH="$PWD/../../..:/usr/share/gocode" GOFLAGS=-mod=mod go build -o "$OLDPWD/$out" .)
echo "built $out"
