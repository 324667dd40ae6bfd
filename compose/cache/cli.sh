#!/bin/sh
# redis-cli as the user named first (cli.sh USER ARGS...), with the password in REDISCLI_AUTH (never argv), on the
# container's own loopback.
set -eu
user=$1
shift
exec redis-cli --no-auth-warning --user "$user" "$@"
