#!/usr/bin/env bash
# A full disk, undone when it ends, however it ends (drill disk-full). Started with the target's volumes
# (docker run --volumes-from <db>):
#   diskfill.sh hold TTL_S DIR   fills the filesystem mounted at DIR with one file (DIR/.stackctl-disk-full.EXPIRY,
#                                EXPIRY its end in epoch seconds: the db's start removes one whose time has passed, for
#                                a host that went down mid-drill), until not a byte is left for PostgreSQL, then holds
#                                it until SIGTERM or TTL_S seconds, whichever comes first, and removes it. Exit 0 once
#                                removed; exit 3, touching nothing, when DIR is not a filesystem of its own (a folder
#                                of the host's disk: filling it would fill the host).
#   diskfill.sh clear DIR        removes any such file left in DIR (a helper killed with SIGKILL).
set -euo pipefail

fill_prefix=.stackctl-disk-full
filler=

# The mount at DIR, from /proc/self/mountinfo: "ROOT FSTYPE SOURCE" (ROOT "/" for a whole filesystem; a Docker
# volume on the host's disk is a bind of one of its folders, /var/lib/docker/volumes/...).
mount_of() {
  awk -v dir="$1" '$5 == dir { root = $4; for (i = 7; i <= NF; i++) if ($i == "-") { print root, $(i + 1), $(i + 2); break } }' \
    /proc/self/mountinfo | tail -n 1
}

available() {
  df -B1 --output=avail "$1" | tail -n 1 | tr -d ' '
}

remove_fill() {
  if [ -n "$filler" ] && [ -e "$filler" ]; then
    rm -f "$filler"
    echo "freed: removed $filler, $(available "$dir") bytes available"
  fi
}

case "${1:-}" in
  clear)
    [ "$#" -eq 2 ] || { echo "usage: diskfill.sh clear DIR" >&2; exit 2; }
    dir=$2
    found=0
    for file in "$dir/$fill_prefix".*; do
      [ -e "$file" ] || continue
      rm -f "$file"
      found=$((found + 1))
    done
    echo "cleared $found fill file(s)"
    ;;
  hold)
    [ "$#" -eq 3 ] || { echo "usage: diskfill.sh hold TTL_S DIR" >&2; exit 2; }
    ttl=$2 dir=$3
    [[ "$ttl" =~ ^[0-9]+$ ]] && [ "$ttl" -ge 1 ] || { echo "TTL must be whole seconds, not '$ttl'" >&2; exit 2; }
    [ -d "$dir" ] || { echo "no folder $dir here: start the helper with the target's volumes (--volumes-from)" >&2; exit 2; }
    read -r root fstype source <<<"$(mount_of "$dir")" || true
    if [ -z "${root:-}" ]; then
      echo "$dir is not a mount point: it is a folder of the container's own filesystem, which is the host's disk" >&2
      exit 3
    fi
    case "$fstype" in
      overlay | tmpfs | ramfs | devtmpfs)
        echo "$dir is on $fstype, not a filesystem of its own" >&2; exit 3 ;;
    esac
    if [ "$root" != "/" ]; then
      echo "$dir is the folder $root of $source ($fstype), not a filesystem of its own: filling it would fill that whole disk" >&2
      exit 3
    fi
    filler="$dir/$fill_prefix.$(( $(date +%s) + ttl ))"
    trap 'remove_fill; exit 0' TERM INT
    trap 'remove_fill' EXIT
    size=0
    # One allocation of what is free, then what is left of it (a filesystem's own bookkeeping takes some as the file
    # grows); as root the file may also take the blocks a filesystem keeps for root, which PostgreSQL cannot use.
    for _ in $(seq 1 20); do
      free=$(available "$dir")
      [ "$free" -gt 0 ] || break
      if fallocate -o "$size" -l "$free" "$filler" 2>/dev/null; then
        size=$((size + free))
      elif fallocate -o "$size" -l $((free / 2 + 1)) "$filler" 2>/dev/null; then
        size=$((size + free / 2 + 1))
      else
        break
      fi
    done
    free=$(available "$dir")
    if [ "$free" -gt 0 ]; then
      echo "could not fill $source ($fstype): $free bytes still available after allocating $size (does it support fallocate?)" >&2
      exit 1
    fi
    echo "applied: $source ($fstype, mounted at $dir) full: $size bytes allocated to $filler, 0 available; held for at most ${ttl} s"
    sleep "$ttl" &
    wait $! || true
    remove_fill
    trap - EXIT
    echo "removed after ${ttl} s"
    ;;
  *)
    echo "usage: diskfill.sh hold TTL_S DIR | clear DIR" >&2
    exit 2
    ;;
esac
