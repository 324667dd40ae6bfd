#!/usr/bin/env bash
# Builds the air-gapped stand-in images (no registry needed) and prints, for compose/.env or the
# shell, the variables that point the stack and the tests at them.
#   compose/images/build.sh [--force] [postgres redis nginx jre monitoring]
# With the jre image it also puts the app image's training stage (its PostgreSQL and Redis packages) in the layer
# cache.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
force=""
if [ "${1:-}" = "--force" ]; then force="--force"; shift; fi
wanted=("$@")
[ "${#wanted[@]}" -gt 0 ] || wanted=(postgres redis nginx jre monitoring)

base="${BASE_IMAGE:-stackctl-offline/debian:bookworm}"
declare -A tags=(
  [postgres]="stackctl-offline/postgres:15"
  [redis]="stackctl-offline/redis:7"
  [nginx]="stackctl-offline/nginx:1.22"
  [jre]="stackctl-offline/jre:25"
  [monitoring]="stackctl-offline/monitoring:2.42"
)
declare -A vars=(
  [postgres]=POSTGRES_IMAGE [redis]=REDIS_IMAGE [nginx]=NGINX_IMAGE [jre]=JRE_IMAGE [monitoring]=MONITORING_IMAGE
)

BASE_IMAGE="$base" "$here/base/build-base.sh" $force >&2

for name in "${wanted[@]}"; do
  if [ -z "${tags[$name]:-}" ]; then
    echo "[images] unknown image '$name' (known: ${!tags[*]})" >&2
    exit 2
  fi
done

# The Java 25 runtime comes from the host's Temurin 25 JDK (JDK25_HOME, or the one under /usr/lib/jvm): jlinked
# into the build context with the modules a server needs, and a default CDS archive.
jdk25() {
  local home="${JDK25_HOME:-$(ls -d /usr/lib/jvm/temurin-25-jdk* 2>/dev/null | head -n 1)}"
  if [ -z "$home" ] || [ ! -x "$home/bin/jlink" ]; then
    echo "[images] no Temurin 25 JDK for the jre stand-in: install one under /usr/lib/jvm or set JDK25_HOME" >&2
    return 1
  fi
  echo "$home"
}

context_of() {
  local name="$1" ctx jdk
  if [ "$name" != jre ]; then
    echo "$here/$name"
    return 0
  fi
  jdk=$(jdk25) || return 1
  ctx=$(mktemp -d /tmp/stackctl-jre.XXXXXX)
  cp "$here/jre/Dockerfile" "$ctx/"
  "$jdk/bin/jlink" --add-modules java.se,jdk.unsupported,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.zipfs,jdk.localedata \
    --strip-debug --no-man-pages --no-header-files --generate-cds-archive --output "$ctx/runtime" >&2
  echo "$ctx"
}

# build_one NAME: builds one image unless its recipe is unchanged; the builds run side by side (each is mostly
# apt downloading and unpacking in its own container: one after the other they took two minutes of CI).
build_one() {
  local name="$1" tag="${tags[$1]}" recipe built log ctx
  # An image built from an older recipe (its files' hash, in a label) is built again; the jre's recipe names its JDK.
  recipe=$( { cat "$here/$name"/*; [ "$name" != jre ] || "$(jdk25)/bin/java" -version 2>&1; } | sha256sum | cut -c1-16)
  built=$(docker image inspect -f '{{index .Config.Labels "stackctl.recipe"}}' "$tag" 2>/dev/null || true)
  if [ -z "$force" ] && [ "$built" = "$recipe" ]; then
    echo "[images] $tag present" >&2
    return 0
  fi
  echo "[images] building $tag from $here/$name${built:+ (its recipe changed)}" >&2
  log="/tmp/stackctl-image-$name.log"
  ctx=$(context_of "$name") || return 1
  if ! docker build --build-arg "BASE_IMAGE=$base" --label "stackctl.recipe=$recipe" -t "$tag" "$ctx" >"$log" 2>&1; then
    [ "$ctx" = "$here/$name" ] || rm -rf "$ctx"
    echo "[images] building $tag failed; last lines of $log:" >&2
    tail -n 20 "$log" >&2
    return 1
  fi
  [ "$ctx" = "$here/$name" ] || rm -rf "$ctx"
  echo "[images] $tag built ($(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%d MB", $1/1e6}'))" >&2
}

# The app image's training stage installs PostgreSQL and Redis into the jre (about 40 s of apt): build that stage
# as soon as the jre is there, beside the other stand-ins and the jars, so the app's first build finds it in the
# layer cache. It needs no file of the app's folder, so its context is empty (the jar may still be being written).
warm_training() {
  local empty
  empty=$(mktemp -d /tmp/stackctl-training.XXXXXX)
  if docker build -q --target training-tools --build-arg "JRE_IMAGE=${tags[jre]}" \
      -f "$here/../../taskmanager-app/Dockerfile" "$empty" >/tmp/stackctl-image-training.log 2>&1; then
    echo "[images] the app image's training stage is in the layer cache" >&2
  else
    echo "[images] warming the app image's training stage failed (the app's build will do it); see" \
      "/tmp/stackctl-image-training.log" >&2
  fi
  rmdir "$empty"
}

pids=()
for name in "${wanted[@]}"; do
  if [ "$name" = jre ]; then
    { build_one jre && warm_training; } &
  else
    build_one "$name" &
  fi
  pids+=("$!")
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
[ "$failed" = 0 ] || exit 1
for name in "${wanted[@]}"; do echo "${vars[$name]}=${tags[$name]}"; done
