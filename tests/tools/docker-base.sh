#!/usr/bin/env bash
# docker-base.sh [TAG] - make sure a plain Debian 12 image is available to Docker and
# print its tag (default causeway/debian:12) on stdout.
#
# A fresh machine's image: the official debian:12 when Docker Hub answers; otherwise
# (the development machines cannot reach it) one built here with debootstrap
# (--variant=minbase) from this machine's configured Debian mirror and `docker
# import`ed. The tag is the cache: an image already tagged is reused, so only the
# first run pays for debootstrap (about two minutes). Nothing else is preinstalled.
# Needs root (debootstrap) the first time; says on stderr which source it used.
set -euo pipefail

tag=${1:-causeway/debian:12}
if docker image inspect "$tag" >/dev/null 2>&1; then
    echo "docker-base: reusing cached image $tag" >&2
    echo "$tag"
    exit 0
fi
if timeout 60 docker pull -q debian:12 >/dev/null 2>&1; then
    docker tag debian:12 "$tag"
    echo "docker-base: $tag is Docker Hub's debian:12" >&2
    echo "$tag"
    exit 0
fi

# The mirror this machine's apt uses for bookworm (deb822 or one-line sources).
mirror=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
             /etc/apt/sources.list.d/*.list | grep -m1 -oE 'https?://[^ ]+/debian/?( |$)' | tr -d ' ' || true)
mirror=${mirror:-http://deb.debian.org/debian}
security=${mirror%/debian*}/debian-security
command -v debootstrap >/dev/null || {
    echo "docker-base: Docker Hub is unreachable and debootstrap is missing (apt-get install debootstrap)" >&2
    exit 1
}
root=$(mktemp -d /tmp/causeway-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "docker-base: Docker Hub unreachable; building $tag with debootstrap from $mirror" >&2
timeout 900 debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
    tail -n 20 "$root.log" >&2
    rm -f "$root.log"
    exit 1
}
rm -f "$root.log"
# The same suites as the official image: bookworm, its updates and security.
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
tar -C "$root" --numeric-owner -c . | docker import -c 'CMD ["bash"]' - "$tag" >/dev/null
echo "docker-base: built $tag" >&2
echo "$tag"
