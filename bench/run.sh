#!/usr/bin/env bash
# Runs every benchmark program given on the command line; output is JSON lines.
set -euo pipefail
for program in "$@"; do
  "$program"
done
