#!/usr/bin/env bash
# Like the official image: arguments starting with '-' go to redis-server; started as root, it gives /data to the
# redis user and runs redis-server as that user (so a start script may read root-only files before it); protected
# mode is off (the official build disables it) so other containers on the network may connect.
set -e
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi
if [ "$1" = 'redis-server' ] && [ "$(id -u)" = '0' ]; then
  find /data \! -user redis -exec chown redis:redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi
if [ "$1" = 'redis-server' ]; then
  set -- "$@" --protected-mode no
fi
exec "$@"
