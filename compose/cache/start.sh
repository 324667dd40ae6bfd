#!/bin/sh
# Starts redis-server with one user per purpose and no default user, its passwords handed over on stdin (a config
# read from "-"), never in argv, so neither ps nor docker ps --no-trunc shows them. Arguments go to redis-server.
#
#   taskmanager_app  the app: every command but the dangerous ones (FLUSHALL, CONFIG, KEYS, DEBUG, SHUTDOWN, ACL,
#                    MONITOR, REPLICAOF, ...), INFO given back for its stats, and only keys under tm:. It may have
#                    two passwords: while `stackctl secrets rotate redis` rolls the replicas from one to the next.
#   stackctl_ops     health checks and drills: PING, INFO, and CLIENT LIST and KILL (to see and cut connections);
#                    no key at all.
#   stackctl_admin   changes the users' passwords (ACL GETUSER and SETUSER) for compose/cache/ensure-users.sh and
#                    loads a renewed certificate (CONFIG GET and SET) for reload-tls.sh; its password is made at
#                    each start and kept in this container, readable by root alone, so only `docker exec` reaches
#                    it, as only `docker exec` reaches PostgreSQL's superuser.
#   default          off: a client that does not say who it is gets nothing.
#
# The app's passwords: one a line in $REDIS_APP_PASSWORDS_FILE (compose/secrets/cache/app-passwords, which stackctl
# writes), or one in $REDIS_APP_PASSWORD_FILE (a Docker secret on Swarm) or $REDIS_APP_PASSWORD. The operations
# password: $REDIS_OPS_PASSWORD_FILE or $REDIS_OPS_PASSWORD.
set -eu

passwords_file=${REDIS_APP_PASSWORDS_FILE:-/run/stack-secrets/app-passwords}
if [ -n "${REDIS_APP_PASSWORD_FILE:-}" ]; then
  app_passwords=$(cat "$REDIS_APP_PASSWORD_FILE")
elif [ -s "$passwords_file" ]; then
  app_passwords=$(grep -v '^[[:space:]]*$' "$passwords_file")
else
  app_passwords=${REDIS_APP_PASSWORD:-}
fi
ops_password=${REDIS_OPS_PASSWORD:-}
if [ -n "${REDIS_OPS_PASSWORD_FILE:-}" ]; then ops_password=$(cat "$REDIS_OPS_PASSWORD_FILE"); fi
[ -n "$app_passwords" ] || { echo "the app's Redis password is not in $passwords_file (nor REDIS_APP_PASSWORD): run stackctl up (it writes it from compose/.env)" >&2; exit 1; }
[ -n "$ops_password" ] || { echo "REDIS_OPS_PASSWORD is not set in the cache container: run stackctl up (it adds it to compose/.env)" >&2; exit 1; }
case "$ops_password" in *[[:space:]]*) echo "REDIS_OPS_PASSWORD holds white space, which a Redis ACL password cannot" >&2; exit 1 ;; esac
app_rules=""
for password in $app_passwords; do app_rules="$app_rules >$password"; done

# TLS on port 6380 beside plain 6379 whenever stackctl has issued the cache's certificate from the stack's CA
# (compose/tls/cache, mounted at /stack/tls): the app chooses with STACK_INTERNAL_TLS, and switching it rolls the
# replicas with no restart of Redis. The key is copied, as root, to a file only redis-server's user reads.
tls_conf=""
if [ -s /stack/tls/server.crt ] && [ -s /stack/tls/server.key ] && [ -s /stack/tls/ca.crt ]; then
  install -o redis -g redis -m 0600 /stack/tls/server.key /run/stack-cache-tls.key
  tls_conf="tls-port 6380
tls-cert-file /stack/tls/server.crt
tls-key-file /run/stack-cache-tls.key
tls-ca-cert-file /stack/tls/ca.crt
tls-auth-clients no
tls-protocols \"TLSv1.2 TLSv1.3\""
fi

# Root in this container only (the image drops to the redis user for redis-server itself).
admin_file=${REDIS_ADMIN_PASSWORD_FILE:-/run/stack-cache-admin}
(umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$admin_file")
admin_password=$(cat "$admin_file")

exec docker-entrypoint.sh redis-server - "$@" <<CONF
user default off
user taskmanager_app on$app_rules ~tm:* resetchannels +@all -@dangerous +info
user stackctl_ops on >$ops_password resetkeys resetchannels -@all +ping +info +client|list +client|kill
user stackctl_admin on >$admin_password resetkeys resetchannels -@all +ping +acl|getuser +acl|setuser +config|get +config|set
$tls_conf
CONF
