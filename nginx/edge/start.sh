#!/usr/bin/env bash
# nginx's start in the stack, on compose and on Swarm: HTTPS servers with plain HTTP redirecting to them
# (STACK_TLS=on and a certificate in /etc/nginx/tls), or plain HTTP servers; then nginx in the foreground.
#   start.sh [FALLBACK]  FALLBACK (compose's app:8080): the upstream server until stackctl renders the upstream,
#                        so compose driven by hand still reaches every replica by DNS. Swarm resolves its own.
set -euo pipefail

mkdir -p /etc/nginx/upstream/maintenance /etc/nginx/edge
if [ -n "${1:-}" ] && [ ! -s /etc/nginx/upstream/upstream.conf ]; then
  echo "server $1 max_fails=2 fail_timeout=10s;" >/etc/nginx/upstream/upstream.conf
fi
rm -f /etc/nginx/edge/*.conf
if [ "${STACK_TLS:-on}" != off ] && [ -s /etc/nginx/tls/edge.pem ]; then
  cp /etc/nginx/stack/https/*.conf /etc/nginx/edge/
  echo "map \$host \$edge_https_port { default ${STACK_HTTPS_PORT:-8443}; }" >/etc/nginx/edge/port.conf
else
  [ "${STACK_TLS:-on}" = off ] || echo 'no certificate in compose/tls/edge (bin/stackctl up makes one): serving plain HTTP' >&2
  cp /etc/nginx/stack/http/*.conf /etc/nginx/edge/
fi
exec nginx -g 'daemon off;'
