#!/usr/bin/env bash
# ensure-deps.sh NEED... - install the Debian 12 packages a make target needs, when
# missing, and nothing more. As root it installs them; with password-less sudo it uses
# sudo; otherwise it prints the exact apt-get line and fails, so nothing half-works.
#
#   build  compile causeway (make)
#   demo   build + a throwaway PostgreSQL (make demo)
#   test   build + PostgreSQL, PgBouncer, Criterion, clang and its sanitizer and
#          libFuzzer runtimes (libclang-rt-dev: the bounded libFuzzer run)
#          and the checkers the suite runs:
#          clang-format, cppcheck, chromium (renders the HTML report), docker-compose
#          (validates the compose file), python3-jsonschema (validates the JSON reports)
#   bench  test + hyperfine, json-c and libcsv (make bench*; bench-json measures them
#          against jansson and causeway's CSV reader)
#   docker Debian's Docker, Compose and debootstrap (make test-fresh, make test-compose)
# CW_DEPS_EXTRA=1 (or CI set) adds the bench extras to any need.
set -euo pipefail

build=(build-essential pkg-config libpq-dev libcyaml-dev libyaml-dev libvectorscan-dev libjansson-dev)
server=(postgresql postgresql-client)
test_only=(libcriterion-dev pgbouncer clang libclang-rt-dev clang-format cppcheck chromium docker-compose python3-jsonschema)
extras=(hyperfine libjson-c-dev libcsv-dev)
docker=(docker.io docker-compose debootstrap)

[ $# -gt 0 ] || { echo "usage: ensure-deps.sh build|demo|test|bench|docker..." >&2; exit 64; }
want=()
for need in "$@"; do
    case $need in
        build) want+=("${build[@]}") ;;
        demo) want+=("${build[@]}" "${server[@]}") ;;
        test) want+=("${build[@]}" "${server[@]}" "${test_only[@]}") ;;
        bench) want+=("${build[@]}" "${server[@]}" "${test_only[@]}" "${extras[@]}") ;;
        docker) want+=("${docker[@]}") ;;
        *) echo "ensure-deps: unknown need '$need' (build, demo, test, bench or docker)" >&2; exit 64 ;;
    esac
done
if [ "${CW_DEPS_EXTRA:-${CI:-}}" != "" ]; then want+=("${extras[@]}"); fi

missing=()
for p in $(printf '%s\n' "${want[@]}" | sort -u); do
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
