#!/usr/bin/env bash
# Makes the Debian base image every air-gapped stand-in builds FROM: debootstrap a minimal
# bookworm into a temporary folder and `docker import` it. No image registry is involved.
set -euo pipefail

tag="${BASE_IMAGE:-stackctl-offline/debian:bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if [ "${1:-}" != "--force" ] && docker image inspect "$tag" >/dev/null 2>&1; then
  echo "[base] $tag present"
  exit 0
fi
command -v debootstrap >/dev/null 2>&1 || {
  echo "[base] debootstrap is missing: apt-get install -y debootstrap" >&2
  exit 1
}

root="$(mktemp -d /tmp/stackctl-base.XXXXXX)"
trap 'rm -rf "$root"' EXIT
echo "[base] debootstrap --variant=minbase bookworm ($mirror) -> $root"
debootstrap --variant=minbase bookworm "$root" "$mirror" >/tmp/stackctl-debootstrap.log 2>&1 || {
  echo "[base] debootstrap failed; see /tmp/stackctl-debootstrap.log" >&2
  tail -n 20 /tmp/stackctl-debootstrap.log >&2
  exit 1
}
# Keep the image small: no apt lists or caches.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
echo "[base] docker import -> $tag"
tar -C "$root" -c . | docker import --change 'CMD ["bash"]' - "$tag" >/dev/null
echo "[base] $tag built"
