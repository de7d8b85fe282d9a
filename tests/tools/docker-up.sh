#!/usr/bin/env bash
# docker-up.sh - make sure a Docker daemon answers, for the container tests.
#
# Installs Debian's docker.io, docker-compose and debootstrap when missing (through
# ensure-deps.sh: as root or with sudo), and starts dockerd by hand when no daemon
# runs (machines without systemd, such as CI containers). When Docker still cannot be
# used it prints ONE line saying why on stderr and exits 1, so that callers can go on
# without the container tests.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
unavailable() { echo "docker: unavailable, container tests skipped: $*" >&2; exit 1; }

"$root/tests/tools/ensure-deps.sh" docker 2>/dev/null ||
    unavailable "docker.io/docker-compose/debootstrap are not installed and cannot be (not root)"
timeout 20 docker info >/dev/null 2>&1 && exit 0
[ "$(id -u)" -eq 0 ] || unavailable "no Docker daemon answers and only root can start one"
if ! pgrep -x dockerd >/dev/null; then
    nohup dockerd >/tmp/causeway-dockerd.log 2>&1 &
fi
for _ in $(seq 1 30); do
    timeout 5 docker info >/dev/null 2>&1 && exit 0
    sleep 1
done
unavailable "dockerd did not start within 30 s ($(tail -n 1 /tmp/causeway-dockerd.log 2>/dev/null | cut -c1-160))"
