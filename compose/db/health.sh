#!/usr/bin/env bash
# The db service's health check. ensure-replication.sh first: a standby is healthy once it answers, and its role is
# what the primary record says; the primary then makes the app's logins so (and keeps them so), which is why the app,
# waiting for this, never meets a database without them; then pgBackRest's stanza and, once a minute, the marker row
# `backups prove` checks restores against (neither fails the check).
set -uo pipefail
# Its own writes (roles, the marker) never wait for a standby: with REPLICAS_SYNC=on and none answering, they would
# hold the check, and the app the check gates, for as long as the standby is away.
export PGOPTIONS="-c synchronous_commit=local"
bash /stack/db/ensure-replication.sh
case $? in
  0) ;;
  3) exit 0 ;;
  *) exit 1 ;;
esac
bash /stack/db/ensure-roles.sh && bash /stack/db/ensure-stanza.sh && bash /stack/db/ensure-marker.sh
