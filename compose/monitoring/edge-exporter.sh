#!/usr/bin/env bash
# The monitoring profile's edge-exporter: nginx's answers by status and their times, on :3903, from whichever of two
# sources nginx feeds into the edge-log volume both mount (the include stackctl writes, io.stackctl.nginx.EdgeStatusLog,
# picks it by the nginx image):
# - nginx.prom, the counts nginx keeps itself with the Lua module (the stand-in image) and writes each second: served
#   as they are by node_exporter's textfile collector. No line per request: that cost the cached read 5-7% more CPU.
# - the edge log, for an nginx without Lua (the official image): mtail counting (compose/monitoring/edge.mtail) the
#   lines nginx writes, one file per 10 s of the clock: edge-<epoch seconds / 10>.log.
# Each round (5 s) it serves nginx.prom while nginx keeps it fresh, the log otherwise; a switch takes a round.
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

counts_fresh() { # nginx wrote its own counts within the last 15 s
  [ -n "$(find "$dir" -maxdepth 1 -name nginx.prom -newermt '-15 seconds' 2>/dev/null)" ]
}

serving="" pid=""
serve() { # serve counts|log: (re)starts the exporter of that source on :3903 unless it runs
  [ "$serving" = "$1" ] && kill -0 "$pid" 2>/dev/null && return
  [ -z "$pid" ] || { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
  if [ "$1" = counts ]; then
    prometheus-node-exporter --collector.disable-defaults --collector.textfile --collector.textfile.directory="$dir" \
      --web.listen-address=:3903 &
  else
    mtail --progs /stack/monitoring/mtail --logs "$dir/edge-*.log" --port 3903 --logtostderr &
  fi
  pid=$! serving="$1"
  echo "edge-exporter: serving $([ "$1" = counts ] && echo "nginx's own counts ($dir/nginx.prom)" || echo "mtail over the edge log")"
}

trap '[ -z "$pid" ] || { kill -TERM "$pid" 2>/dev/null; wait "$pid"; }; exit 0' TERM INT
# At the start, a few seconds for nginx to show its way (stackctl reloads nginx with its counts before this starts, and
# a new nginx writes them within a second): a switch later leaves Prometheus a scrape with nothing on :3903.
housekeep
for _ in $(seq 12); do
  counts_fresh && break
  [ -z "$(find "$dir" -maxdepth 1 -name 'edge-*.log' -size +0c 2>/dev/null)" ] || break
  sleep 0.25
done
# The exporter gone, the next round starts it again; the loop never outlives the container.
while true; do
  housekeep
  if counts_fresh; then serve counts; else serve log; fi
  sleep 5 &
  wait $!
done
