#!/usr/bin/env bash
# ensure-deps.sh - install the Debian 12 packages causeway's build, tests and demo
# need, when missing. As root it installs them; otherwise it prints the exact
# apt-get line and fails, so nothing half-works.
set -euo pipefail

packages=(build-essential pkg-config libpq-dev libcyaml-dev libyaml-dev libcriterion-dev libvectorscan-dev chromium docker-compose
          postgresql postgresql-client pgbouncer clang clang-format cppcheck)
# Optional extras used by some targets; installed with CW_DEPS_EXTRA=1 or in CI.
extras=(hyperfine)

missing=()
want=("${packages[@]}")
if [ "${CW_DEPS_EXTRA:-${CI:-}}" != "" ]; then want+=("${extras[@]}"); fi
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        echo "ensure-deps: installing ${missing[*]} (sudo)" >&2
        sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive $line
        exit 0
    fi
    echo "ensure-deps: missing Debian packages: ${missing[*]}" >&2
    echo "ensure-deps: run as root:  apt-get update && $line" >&2
    exit 1
fi
echo "ensure-deps: installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive $line >/dev/null
