#!/usr/bin/env bash
# A block device for the database's own filesystem (DB_VOLUME_DEVICE), as an operator gives it a disk: a loop device
# over a sparse file (it takes on the host's disk only what is written to it).
#   db-device.sh up     a new one, with an empty ext4 filesystem; prints its path (/dev/loopN)
#   db-device.sh down   detaches every loop device over the file and removes it (nothing may have it mounted)
set -euo pipefail
image=/var/tmp/stackctl-ci-db.img
case "${1:-}" in
  up)
    bash "$0" down
    truncate -s 4G "$image"
    mkfs.ext4 -q -F "$image"
    losetup -f --show "$image"
    ;;
  down)
    for device in $(losetup -j "$image" -n -O NAME 2>/dev/null); do
      losetup -d "$device"
    done
    rm -f "$image"
    ;;
  *)
    echo "usage: db-device.sh up | down" >&2
    exit 2
    ;;
esac
