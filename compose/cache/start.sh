#!/bin/sh
# Starts redis-server with one user per purpose and no default user, its passwords handed over on stdin (a config
# read from "-"), never in argv, so neither ps nor docker ps --no-trunc shows them. Arguments go to redis-server.
#
#   taskmanager_app  the app: every command but the dangerous ones (FLUSHALL, CONFIG, KEYS, DEBUG, SHUTDOWN, ACL,
#                    MONITOR, REPLICAOF, ...), INFO given back for its stats, and only keys under tm:.
#   stackctl_ops     health checks and drills: PING, INFO, and CLIENT LIST and KILL (to see and cut connections);
#                    no key at all.
#   default          off: a client that does not say who it is gets nothing.
#
# A password comes from $NAME or from the file $NAME_FILE names (a Docker secret on Swarm).
set -eu

app_password=${REDIS_APP_PASSWORD:-}
if [ -n "${REDIS_APP_PASSWORD_FILE:-}" ]; then app_password=$(cat "$REDIS_APP_PASSWORD_FILE"); fi
ops_password=${REDIS_OPS_PASSWORD:-}
if [ -n "${REDIS_OPS_PASSWORD_FILE:-}" ]; then ops_password=$(cat "$REDIS_OPS_PASSWORD_FILE"); fi
for pair in "REDIS_APP_PASSWORD:$app_password" "REDIS_OPS_PASSWORD:$ops_password"; do
  case "$pair" in
    *:) echo "${pair%%:*} is not set in the cache container: run stackctl up (it adds it to compose/.env)" >&2; exit 1 ;;
    *[[:space:]]*) echo "${pair%%:*} holds white space, which a Redis ACL password cannot" >&2; exit 1 ;;
  esac
done

exec docker-entrypoint.sh redis-server - "$@" <<CONF
user default off
user taskmanager_app on >$app_password ~tm:* resetchannels +@all -@dangerous +info
user stackctl_ops on >$ops_password resetkeys resetchannels -@all +ping +info +client|list +client|kill
CONF
