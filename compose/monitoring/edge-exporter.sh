#!/usr/bin/env bash
# The monitoring profile's edge-exporter: mtail counting nginx's answers (compose/monitoring/edge.mtail) from the edge
# log nginx writes into the edge-log volume both mount, one file per 10 s of the clock:
# edge-<epoch seconds / 10>.log (the include stackctl writes, io.stackctl.nginx.EdgeStatusLog, names them so).
#
# Files, not a socket: mtail 3.0.0-rc50 reads about 4 datagrams a second from a unixgram socket, so nginx dropped all
# but a sample of the lines under load. A file mtail reads whole at each poll (250 ms), but one it finds after lines
# are in it, it reads from its end: so this makes each file empty, a minute ahead, and mtail has found it before nginx
# writes its first line. And it removes each file 10 s after its last line, so the volume holds about 20 s of lines.
set -uo pipefail
dir=/run/edge
ahead=6 # files made ahead: a minute, so a stalled loop loses no line
umask 000 # nginx's workers (another user) append to the files this makes
chmod 0777 "$dir" # and make one themselves if this is late (this container's root owns the volume)

housekeep() {
  local now file slot
  now=$(($(date +%s) / 10))
  for slot in $(seq "$now" $((now + ahead))); do
    file="$dir/edge-$slot.log"
    [ -e "$file" ] || : >>"$file"
  done
  for file in "$dir"/edge-*.log; do
    slot="${file##*/edge-}"
    slot="${slot%.log}"
    # Not a number (not nginx's, not ours), or over: mtail read it (it polls every 250 ms) and nginx writes no more.
    if ! [[ "$slot" =~ ^[0-9]+$ ]] || [ "$slot" -lt $((now - 1)) ]; then
      rm -f "$file"
    fi
  done
}

housekeep
mtail --progs /stack/monitoring/mtail --logs "$dir/edge-*.log" --port 3903 --logtostderr &
mtail=$!
trap 'kill -TERM "$mtail" 2>/dev/null; wait "$mtail"; exit 0' TERM INT
# mtail gone, the container goes too (its restart policy brings both back); the loop never outlives it.
while kill -0 "$mtail" 2>/dev/null; do
  sleep 5 &
  wait $!
  housekeep
done
wait "$mtail"
