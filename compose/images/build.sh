#!/usr/bin/env bash
# Builds the air-gapped stand-in images (no registry needed) and prints, for compose/.env or the
# shell, the variables that point the stack and the tests at them.
#   compose/images/build.sh [--force] [postgres redis nginx jre]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
force=""
if [ "${1:-}" = "--force" ]; then force="--force"; shift; fi
wanted=("$@")
[ "${#wanted[@]}" -gt 0 ] || wanted=(postgres redis nginx jre)

base="${BASE_IMAGE:-stackctl-offline/debian:bookworm}"
declare -A tags=(
  [postgres]="stackctl-offline/postgres:15"
  [redis]="stackctl-offline/redis:7"
  [nginx]="stackctl-offline/nginx:1.22"
  [jre]="stackctl-offline/jre:17"
)
declare -A vars=([postgres]=POSTGRES_IMAGE [redis]=REDIS_IMAGE [nginx]=NGINX_IMAGE [jre]=JRE_IMAGE)

BASE_IMAGE="$base" "$here/base/build-base.sh" $force >&2

for name in "${wanted[@]}"; do
  tag="${tags[$name]:-}"
  if [ -z "$tag" ]; then
    echo "[images] unknown image '$name' (known: ${!tags[*]})" >&2
    exit 2
  fi
  # An image built from an older recipe (its files' hash, in a label) is built again.
  recipe=$(cat "$here/$name"/* | sha256sum | cut -c1-16)
  built=$(docker image inspect -f '{{index .Config.Labels "stackctl.recipe"}}' "$tag" 2>/dev/null || true)
  if [ -z "$force" ] && [ "$built" = "$recipe" ]; then
    echo "[images] $tag present" >&2
  else
    echo "[images] building $tag from $here/$name${built:+ (its recipe changed)}" >&2
    log="/tmp/stackctl-image-$name.log"
    if ! docker build --build-arg "BASE_IMAGE=$base" --label "stackctl.recipe=$recipe" -t "$tag" "$here/$name" >"$log" 2>&1; then
      echo "[images] building $tag failed; last lines of $log:" >&2
      tail -n 20 "$log" >&2
      exit 1
    fi
    echo "[images] $tag built ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%d MB", $1/1e6}'))" >&2
  fi
  echo "${vars[$name]}=$tag"
done
