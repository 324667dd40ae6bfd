#!/usr/bin/env bash
# Like the official image: arguments starting with '-' go to redis-server, and protected mode is
# off (the official build disables it) so other containers on the network may connect.
set -e
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi
if [ "$1" = 'redis-server' ]; then
  set -- "$@" --protected-mode no
fi
exec "$@"
