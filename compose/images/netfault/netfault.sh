#!/usr/bin/env bash
# A network fault in this network namespace (the target container's), undone when it ends, however it ends:
#   netfault.sh hold TTL_S MODE PEER...  MODE drop (black hole: packets vanish, connections hang), reject (TCP reset:
#                                        fail fast) or loss:PERCENT (that share of packets dropped at random); PEER an
#                                        IPv4 address, or "all" for every peer but loopback. Applies the rules, then
#                                        holds them until SIGTERM or TTL_S seconds, whichever comes first (a dead
#                                        man's switch: a killed stackctl cannot leave the fault in place), and
#                                        removes them. Exit 0 once removed.
#   netfault.sh hold TTL_S rate:KBIT PEER...
#                                        bandwidth: what this container sends to each PEER (an IPv4 address) is
#                                        shaped to KBIT kbit/s (an htb class of its own on the interface that reaches
#                                        the peer; every other destination keeps the full rate). Egress only, as
#                                        Pumba's rate: limit the other side with a helper there.
#   netfault.sh hold TTL_S delay:MS:JITTER_MS ADDRESS:PORT[,PORT...]
#                                        latency: new connections from here to ADDRESS:PORT are redirected (nat) to
#                                        delayproxy.py, which delays the server's answers by MS +/- JITTER_MS. Pooled
#                                        connections are older than the redirect: with RECONNECT_SIGNAL=HUP (and the
#                                        target's pid namespace joined, --pid container:<id>) PID 1 is asked to open
#                                        them again, once the redirect is in place and once it is gone; the proxy
#                                        ends when its last connection does (at most DRAIN_S seconds).
#   netfault.sh clear                    removes any fault rules left here (a helper killed with SIGKILL).
#   netfault.sh disk ARGS...             diskfill.sh ARGS...: a full disk (drill disk-full).
# Every rule lives in one chain of its own, STACKCTL-FAULT, jumped to from INPUT and OUTPUT: removing the fault is
# removing the chain, and nothing else of the namespace's firewall is touched.
set -euo pipefail
chain=STACKCTL-FAULT
proxy_port=15432
proxy_mark=0x5ac
status=/run/delayproxy.connections
drain_s=${DRAIN_S:-20}
proxy_pid=
shaper=5ac  # the htb qdisc's handle: only a root qdisc with it is ours to remove

clear_rules() {
  local hook
  for hook in INPUT OUTPUT; do
    while iptables -w 5 -D "$hook" -j "$chain" -m comment --comment stackctl-fault 2>/dev/null; do :; done
  done
  if iptables -w 5 -n -L "$chain" >/dev/null 2>&1; then
    iptables -w 5 -F "$chain"
    iptables -w 5 -X "$chain"
  fi
  while iptables -w 5 -t nat -D OUTPUT -j "$chain" -m comment --comment stackctl-fault 2>/dev/null; do :; done
  if iptables -w 5 -t nat -n -L "$chain" >/dev/null 2>&1; then
    iptables -w 5 -t nat -F "$chain"
    iptables -w 5 -t nat -X "$chain"
  fi
}

# Every interface's root qdisc that is ours goes, with what it shaped (the next packets take the default again).
clear_shaping() {
  local dev
  for dev in $(ls /sys/class/net); do
    if tc qdisc show dev "$dev" 2>/dev/null | grep -q "htb ${shaper}: root"; then
      tc qdisc del dev "$dev" root
    fi
  done
}

# What the shaper held back, per interface: the proof the limit bit (overlimits: packets made to wait for the rate).
shaping_stats() {
  local dev
  for dev in $(ls /sys/class/net); do
    if tc qdisc show dev "$dev" 2>/dev/null | grep -q "htb ${shaper}: root"; then
      echo "limited $dev: $(tc -s class show dev "$dev" classid "${shaper}:2" | grep -o 'Sent .*' | head -n 1)"
    fi
  done
}

apply_rate() {
  local kbit="${1#rate:}"; shift
  [[ "$kbit" =~ ^[0-9]+$ ]] && [ "$kbit" -ge 8 ] && [ "$kbit" -le 10000000 ] \
    || { echo "rate must be 8 to 10000000 kbit/s, not '$kbit'" >&2; exit 2; }
  local peer dev
  for peer in "$@"; do
    [[ "$peer" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || { echo "a rate takes IPv4 addresses, not '$peer'" >&2; exit 2; }
    dev=$(ip -o route get "$peer" | grep -o ' dev [^ ]*' | cut -d' ' -f3)
    [ -n "$dev" ] || { echo "no route to $peer from here" >&2; exit 1; }
    if ! tc qdisc show dev "$dev" | grep -q "htb ${shaper}: root"; then
      # class 1: everything else, unshaped; class 2: the peers, at the rate
      tc qdisc add dev "$dev" root handle "${shaper}:" htb default 1
      tc class add dev "$dev" parent "${shaper}:" classid "${shaper}:1" htb rate 10gbit quantum 200000
      tc class add dev "$dev" parent "${shaper}:" classid "${shaper}:2" htb rate "${kbit}kbit" ceil "${kbit}kbit" quantum 1514
    fi
    tc filter add dev "$dev" parent "${shaper}:" protocol ip prio 1 u32 match ip dst "$peer/32" flowid "${shaper}:2"
  done
}

# PID 1 of the joined pid namespace is the app (java): SIGHUP opens its database connections again. Anything else
# (no pid namespace joined: our own bash; another program, whose SIGHUP may mean exit) is left alone.
reconnect() {
  [ "${RECONNECT_SIGNAL:-}" = HUP ] || return 0
  if tr '\0' ' ' </proc/1/cmdline | grep -q 'java'; then
    kill -HUP 1
  else
    echo "RECONNECT_SIGNAL given, but PID 1 is not the app: $(tr '\0' ' ' </proc/1/cmdline)" >&2
  fi
}

connections() { cat "$status" 2>/dev/null || echo 0; }

# Latency: the redirect goes first, so no connection is opened past the proxy from then on; after it, the app's
# pool is handed over to connections through the proxy.
apply_delay() {
  local spec="${1#delay:}" peer="$2"
  local ms="${spec%%:*}" jitter="${spec#*:}"
  [[ "$spec" == *:* && "$ms" =~ ^[0-9]+$ && "$jitter" =~ ^[0-9]+$ ]] && [ "$ms" -ge 1 ] && [ "$jitter" -le "$ms" ] \
    || { echo "delay must be MS:JITTER_MS, 1 ms or more, the jitter at most the delay, not '$spec'" >&2; exit 2; }
  [[ "$peer" =~ ^([0-9]{1,3}(\.[0-9]{1,3}){3}):([0-9]{1,5}(,[0-9]{1,5})*)$ ]] \
    || { echo "a delay needs one IPv4 ADDRESS:PORT[,PORT...], not '$peer'" >&2; exit 2; }
  local address="${BASH_REMATCH[1]}" ports="${BASH_REMATCH[3]}"
  python3 /usr/local/bin/delayproxy.py "$proxy_port" "$ms" "$jitter" "$status" &
  proxy_pid=$!
  local i
  for i in $(seq 1 100); do
    [ -f "$status" ] && break
    kill -0 "$proxy_pid" 2>/dev/null || { echo "the delay proxy did not start" >&2; exit 1; }
    sleep 0.05
  done
  iptables -w 5 -t nat -N "$chain"
  iptables -w 5 -t nat -A "$chain" -p tcp -d "$address" -m multiport --dports "$ports" -m mark ! --mark "$proxy_mark" \
    -m comment --comment stackctl-fault -j REDIRECT --to-ports "$proxy_port"
  iptables -w 5 -t nat -I OUTPUT 1 -j "$chain" -m comment --comment stackctl-fault
  reconnect
  # applied once the app talks through the proxy (its new pool is open), or after 20 s whatever the app does
  for i in $(seq 1 200); do
    [ "$(connections)" -gt 0 ] && break
    sleep 0.1
  done
}

# The redirect goes first (new connections go straight to the server again), then the app is asked to leave the
# proxy's connections, and the proxy ends with its last one: nothing in flight is cut.
end_delay() {
  [ -n "$proxy_pid" ] || return 0
  clear_rules
  reconnect
  local i
  for i in $(seq 1 $((drain_s * 10))); do
    [ "$(connections)" -eq 0 ] && break
    sleep 0.1
  done
  echo "proxy closed with $(connections) connection(s) open"
  kill "$proxy_pid" 2>/dev/null || true
  wait "$proxy_pid" 2>/dev/null || true
  proxy_pid=
}

finish() {
  end_delay
  shaping_stats
  clear_shaping
  clear_rules
}

apply_rules() {
  local mode="$1"; shift
  local action=(-j DROP)
  case "$mode" in
    drop) ;;
    reject) action=(-p tcp -j REJECT --reject-with tcp-reset) ;;
    loss:*)
      local pct="${mode#loss:}"
      [[ "$pct" =~ ^[0-9]+$ ]] && [ "$pct" -ge 1 ] && [ "$pct" -le 100 ] || { echo "loss must be 1-100 percent, not '$pct'" >&2; exit 2; }
      action=(-m statistic --mode random --probability "$(awk -v p="$pct" 'BEGIN {printf "%.4f", p / 100}')" -j DROP) ;;
    *) echo "unknown mode '$mode' (drop, reject, loss:PERCENT, delay:MS:JITTER_MS, rate:KBIT)" >&2; exit 2 ;;
  esac
  iptables -w 5 -N "$chain"
  local peer
  for peer in "$@"; do
    if [ "$peer" = all ]; then
      # every packet but loopback's (the container's own health check and docker exec keep working)
      iptables -w 5 -A "$chain" ! -d 127.0.0.0/8 -m comment --comment stackctl-fault "${action[@]}"
    else
      [[ "$peer" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || { echo "not an IPv4 address: '$peer'" >&2; exit 2; }
      iptables -w 5 -A "$chain" -s "$peer" -m comment --comment stackctl-fault "${action[@]}"
      iptables -w 5 -A "$chain" -d "$peer" -m comment --comment stackctl-fault "${action[@]}"
    fi
  done
  iptables -w 5 -I INPUT 1 -j "$chain" -m comment --comment stackctl-fault
  iptables -w 5 -I OUTPUT 1 -j "$chain" -m comment --comment stackctl-fault
}

case "${1:-}" in
  disk)
    # A full disk instead (drill disk-full): diskfill.sh, with the target's volumes rather than its network.
    shift
    exec bash /usr/local/bin/diskfill.sh "$@"
    ;;
  clear)
    clear_rules
    clear_shaping
    echo "cleared"
    ;;
  hold)
    [ "$#" -ge 4 ] || { echo "usage: netfault.sh hold TTL_S MODE PEER..." >&2; exit 2; }
    ttl="$2" mode="$3"; shift 3
    [[ "$ttl" =~ ^[0-9]+$ ]] && [ "$ttl" -ge 1 ] || { echo "TTL must be whole seconds, not '$ttl'" >&2; exit 2; }
    clear_rules
    clear_shaping
    trap 'finish; echo "removed"; exit 0' TERM INT
    trap 'finish' EXIT
    case "$mode" in
      delay:*)
        [ "$#" -eq 1 ] || { echo "a delay takes one ADDRESS:PORT" >&2; exit 2; }
        apply_delay "$mode" "$1"
        echo "applied $mode to ${*} ($(connections) connection(s) through the proxy); held for at most ${ttl} s" ;;
      rate:*)
        apply_rate "$mode" "$@"
        echo "applied $mode to ${*}; held for at most ${ttl} s" ;;
      *)
        apply_rules "$mode" "$@"
        echo "applied $mode to ${*}; held for at most ${ttl} s" ;;
    esac
    sleep "$ttl" &
    wait $! || true
    finish
    trap - EXIT
    echo "removed after ${ttl} s"
    ;;
  *)
    echo "usage: netfault.sh hold TTL_S MODE PEER... | clear" >&2
    exit 2
    ;;
esac
