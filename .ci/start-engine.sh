#!/usr/bin/env bash
# Installs (from Debian's packages) and starts a Docker engine when none answers.
# Idempotent: does nothing on a host whose engine already runs.
set -euo pipefail

log() { printf '[engine] %s\n' "$*"; }

if docker info >/dev/null 2>&1; then
  log "engine already answers: $(docker version --format '{{.Server.Version}}' 2>/dev/null)"
  exit 0
fi

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
# mmdebstrap makes the base image (compose/images/base/build-base.sh): 39 s where debootstrap took 56 s here.
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
# ss and tc: the e2e looks into the containers' namespaces with them (a drill's proxy connections, its shaping)
command -v tc >/dev/null 2>&1 && command -v ss >/dev/null 2>&1 || need+=(iproute2)
if [ "${#need[@]}" -gt 0 ]; then
  log "installing ${need[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

log "starting dockerd (log: /var/log/dockerd.log)"
# The userland proxy costs throughput on published ports; iptables DNAT does the same job.
nohup dockerd --userland-proxy=false >/var/log/dockerd.log 2>&1 &

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "engine up: $(docker version --format '{{.Server.Version}}')"
    exit 0
  fi
  sleep 1
done
log "dockerd did not answer within 60 s; last lines of its log:"
tail -n 20 /var/log/dockerd.log >&2
exit 1
