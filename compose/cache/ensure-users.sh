#!/bin/sh
# The cache service's health check: healthy when stackctl_ops gets PONG (with the password its file holds now) and
# the app's user has exactly the passwords compose/secrets/cache/app-passwords lists (one a line), which this makes
# so: a password stackctl added (a rotation under way) is accepted at once, one it took out is refused from then on.
# Passwords reach redis-cli on stdin, never in argv. Exit 0 when so; 1 otherwise (not ready yet).
#
# A full pass costs about a third of a second of CPU (two dozen processes, redis-cli among them) and the engine runs the
# check every 5 s. So a pass that found everything in order leaves a stamp: what it read (the files' sizes, times to
# the nanosecond, and inodes: stackctl replaces a file by renaming a new one over it) and the server's run id (a new one
# after any restart of Redis, which starts from the files). A check that finds both unchanged asks Redis for its run id
# alone, which is also the PING; anything changed, or the stamp a minute old (a hand at a console), runs the full pass.
set -eu
admin_file=${REDIS_ADMIN_PASSWORD_FILE:-/run/stack-cache-admin}
passwords_file=${REDIS_APP_PASSWORDS_FILE:-/run/stack-secrets/app-passwords}
stamp=/run/stack-cache-users.settled
inputs() {
  stat -L -c '%n %s %y %i' "$passwords_file" "${REDIS_OPS_PASSWORD_FILE:-/dev/null}" "$admin_file" 2>/dev/null | tr '\n' ' '
}
run_id() { sh /stack/cache/ops-cli.sh info server 2>/dev/null | sed -n 's/^run_id:\([0-9a-f]*\).*/\1/p'; }
if [ -n "$(find "$stamp" -mmin -1 2>/dev/null)" ]; then
  id=$(run_id)
  [ -n "$id" ] && [ "$(inputs)$id" = "$(cat "$stamp")" ] && exit 0
fi
rm -f "$stamp"
# What the pass read before it began: a file changed while it ran then differs at the next check, which runs it again.
read_before="$(inputs)$(run_id)"
# settled: the pass found everything so; stamped unless Redis did not answer (no run id: the next check runs it again).
settled() {
  case "$read_before" in *' ') ;; *) (umask 077 && printf '%s' "$read_before" >"$stamp.new" && mv -f "$stamp.new" "$stamp") ;; esac
  exit 0
}

# One run at a time, from reading the file to the last change: a health check that read the file just before a
# rotation rewrote it would otherwise add back the password the rotation's own run had just removed.
exec 9>>/run/stack-cache-ensure-users.lock
flock -w 4 9 || { echo "another ensure-users.sh run held its lock for 4 s" >&2; exit 1; }
admin() { REDISCLI_AUTH=$(cat "$admin_file") redis-cli --no-auth-warning --user stackctl_admin "$@"; }

if ! sh /stack/cache/ops-cli.sh ping 2>/dev/null | grep -q PONG; then
  # Not up yet, or stackctl_ops' password file changed since the start (compose/.env edited, then stackctl up): the
  # file is the truth, so give Redis its password, on stdin, and ask again.
  [ -s "${REDIS_OPS_PASSWORD_FILE:-}" ] && [ -s "$admin_file" ] || exit 1
  printf 'ACL SETUSER stackctl_ops resetpass >%s\n' "$(cat "$REDIS_OPS_PASSWORD_FILE")" | admin >/dev/null 2>&1 || exit 1
  sh /stack/cache/ops-cli.sh ping 2>/dev/null | grep -q PONG || exit 1
fi

# On Swarm the password is a Docker secret, fixed for the container's life: nothing to keep in step.
[ -z "${REDIS_APP_PASSWORD_FILE:-}" ] && [ -s "$passwords_file" ] || settled
[ -s "$admin_file" ] || { echo "no $admin_file: the cache was started by an older compose/cache/start.sh; run stackctl up" >&2; exit 1; }

# "hash password" for each line of the file, each hash computed once.
hashed=$(grep -v '^[[:space:]]*$' "$passwords_file" | while IFS= read -r password; do
  printf '%s %s\n' "$(printf '%s' "$password" | sha256sum | cut -d' ' -f1)" "$password"
done)
wanted=$(printf '%s\n' "$hashed" | cut -d' ' -f1 | sort)
# ACL GETUSER lists "passwords" followed by their SHA-256 hashes, then "commands".
current() { admin ACL GETUSER taskmanager_app | sed -n '/^passwords$/,/^commands$/p' | grep -E '^[0-9a-f]{64}$' | sort; }
have=$(current)
[ "$have" = "$wanted" ] && settled

printf '%s\n' "$hashed" | while read -r hash password; do
  printf '%s\n' "$have" | grep -qx "$hash" || printf 'ACL SETUSER taskmanager_app >%s\n' "$password"
done | admin >/dev/null
for hash in $have; do
  printf '%s\n' "$wanted" | grep -qx "$hash" || admin ACL SETUSER taskmanager_app "!$hash" >/dev/null
done
[ "$(current)" = "$wanted" ] || exit 1
settled
