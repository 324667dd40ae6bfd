#!/bin/sh
# Loads the cache's renewed certificate (compose/tls/cache, mounted at /stack/tls) into the running Redis with no
# restart: the key is copied again as start.sh copies it (renamed into place), then stackctl_admin sets the TLS files
# again, which makes Redis read them (Redis 7 reloads TLS files set to the same names); a pair it cannot load is
# refused and the old one stays. New connections get the new certificate, open ones keep theirs. stackctl runs it
# through docker exec, as root. Exit 0 when loaded; 2 when Redis was started without TLS (a restart turns it on).
set -eu
[ -s /stack/tls/server.crt ] && [ -s /stack/tls/server.key ] \
  || { echo "no certificate and key in /stack/tls (compose/tls/cache): run stackctl up" >&2; exit 1; }
admin() { REDISCLI_AUTH=$(cat /run/stack-cache-admin) redis-cli --no-auth-warning --user stackctl_admin "$@"; }
[ "$(admin CONFIG GET tls-port | sed -n 2p)" != 0 ] \
  || { echo "Redis was started without TLS: a restart of the cache service turns it on" >&2; exit 2; }
install -o redis -g redis -m 0600 /stack/tls/server.key /run/stack-cache-tls.key.next
mv -f /run/stack-cache-tls.key.next /run/stack-cache-tls.key
answer=$(admin CONFIG SET tls-cert-file /stack/tls/server.crt tls-key-file /run/stack-cache-tls.key)
[ "$answer" = OK ] || { echo "Redis refused the renewed certificate: $answer" >&2; exit 1; }
