#!/usr/bin/env bash
# test-fresh.sh - prove the README's "Two commands" on a fresh Debian 12 machine.
#
# Starts a throwaway container from a plain Debian 12 image (tests/tools/docker-base.sh:
# Docker Hub's debian:12, or one built locally with debootstrap and cached), copies a
# clean `git archive` of HEAD into it, installs only the packages the README's "Two
# commands" section says to install first (its `apt-get` line), then runs that
# section's `make` lines exactly as written, one after the other, as root in the
# checkout. Each must exit 0; `make demo` must also leave its HTML report and install
# none of the test suite's packages (Chromium, docker-compose, Criterion). Prints one
# line per step with its status and time; the full logs go to build/test-fresh/.
# The container is removed afterwards, also on failure or interruption.
#
# Exit: 0 all green, 1 a step failed, 69 Docker unavailable (tests/tools/docker-up.sh).
# Environment: CW_FRESH_TIMEOUT seconds per step (default 3600).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
limit=${CW_FRESH_TIMEOUT:-3600}
logs=$root/build/test-fresh
mkdir -p "$logs"

tests/tools/docker-up.sh || exit 69
image=$(tests/tools/docker-base.sh)

# The README is the specification: the section "## Two commands", its code lines.
section=$(awk '/^## /{on = ($0 == "## Two commands")} on' README.md)
prereq=$(grep -E '^(sudo )?apt-get ' <<<"$section" || true)
mapfile -t commands < <(grep -E '^make ' <<<"$section")
[ -n "$prereq" ] || { echo "test-fresh: README's 'Two commands' names no apt-get line to run first" >&2; exit 1; }
[ ${#commands[@]} -ge 2 ] || { echo "test-fresh: README's 'Two commands' has fewer than two make lines" >&2; exit 1; }
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
    echo "test-fresh: note: uncommitted changes are not tested (HEAD is: $(git rev-parse --short HEAD))" >&2

name=causeway-fresh-$$
archive=$(mktemp /tmp/causeway-fresh.XXXXXX.tar)
cleanup() {
    docker rm -f "$name" >/dev/null 2>&1 || true
    rm -f "$archive"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

git archive --format=tar --prefix=causeway/ HEAD >"$archive"
docker run -d --name "$name" --hostname fresh "$image" sleep infinity >/dev/null
docker cp "$archive" "$name:/root/causeway.tar" >/dev/null
docker exec "$name" tar -C /root -xf /root/causeway.tar

# step NAME COMMAND: run COMMAND in the checkout with bash, log it, print the verdict.
status=0
step() {
    local label=$1 cmd=$2 log start rc
    log=$logs/$(sed 's/ *$//; s/[^a-z0-9]\{1,\}/-/g' <<<"$label" | head -c 40).log
    start=$(date +%s)
    set +e
    timeout "$limit" docker exec -w /root/causeway -e DEBIAN_FRONTEND=noninteractive "$name" \
        bash -o pipefail -c "$cmd" >"$log" 2>&1
    rc=$?
    set -e
    local took=$(($(date +%s) - start))
    if [ "$rc" -eq 0 ]; then
        printf 'test-fresh: %-40s ok      (%d s)\n' "$label" "$took"
    else
        printf 'test-fresh: %-40s FAILED  (exit %d, %d s; log %s)\n' "$label" "$rc" "$took" "$log"
        grep -v -e '^cc ' -e '^  *build/' "$log" | tail -n 30 | sed 's/^/  | /'
        status=1
    fi
    return "$rc"
}

echo "test-fresh: HEAD $(git rev-parse --short HEAD) in a fresh $image container"
step "$(sed "s/ *#.*//" <<<"$prereq")" "$prereq" || exit 1
for c in "${commands[@]}"; do
    step "$(sed "s/ *#.*//" <<<"$c")" "$c" || continue
    if [[ "$c" == "make demo"* ]]; then
        docker exec "$name" test -s /root/causeway/demo-out/report.html ||
            { echo "test-fresh: make demo left no demo-out/report.html"; status=1; }
        # The demo installs what it uses and nothing of the test suite's.
        extra=$(docker exec "$name" dpkg-query -W -f='${Package} ${Status}\n' chromium \
                    docker-compose libcriterion-dev pgbouncer 2>/dev/null | grep ' installed$' || true)
        [ -z "$extra" ] || { echo "test-fresh: make demo installed test packages: $extra"; status=1; }
    fi
    if [[ "$c" == "make test"* ]]; then grep -a '^Synthesis:' "$logs"/make-test*.log | tail -n 1 | sed 's/^/test-fresh:   /'; fi
done
[ "$status" -eq 0 ] && echo "test-fresh: all green" || echo "test-fresh: FAILED"
exit "$status"
