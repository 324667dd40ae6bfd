#!/usr/bin/env bash
# A network fault in this network namespace (the target container's), undone when it ends, however it ends:
#   netfault.sh hold TTL_S MODE PEER...  MODE drop (black hole: packets vanish, connections hang), reject (TCP reset:
#                                        fail fast) or loss:PERCENT (that share of packets dropped at random); PEER an
#                                        IPv4 address, or "all" for every peer but loopback. Applies the rules, then
#                                        holds them until SIGTERM or TTL_S seconds, whichever comes first (a dead
#                                        man's switch: a killed stackctl cannot leave the fault in place), and
#                                        removes them. Exit 0 once removed.
#   netfault.sh clear                    removes any fault rules left here (a helper killed with SIGKILL).
# Every rule lives in one chain of its own, STACKCTL-FAULT, jumped to from INPUT and OUTPUT: removing the fault is
# removing the chain, and nothing else of the namespace's firewall is touched.
set -euo pipefail
chain=STACKCTL-FAULT

clear_rules() {
  local hook
  for hook in INPUT OUTPUT; do
    while iptables -w 5 -D "$hook" -j "$chain" -m comment --comment stackctl-fault 2>/dev/null; do :; done
  done
  if iptables -w 5 -n -L "$chain" >/dev/null 2>&1; then
    iptables -w 5 -F "$chain"
    iptables -w 5 -X "$chain"
  fi
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
    *) echo "unknown mode '$mode' (drop, reject, loss:PERCENT)" >&2; exit 2 ;;
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
  clear)
    clear_rules
    echo "cleared"
    ;;
  hold)
    [ "$#" -ge 4 ] || { echo "usage: netfault.sh hold TTL_S MODE PEER..." >&2; exit 2; }
    ttl="$2" mode="$3"; shift 3
    [[ "$ttl" =~ ^[0-9]+$ ]] && [ "$ttl" -ge 1 ] || { echo "TTL must be whole seconds, not '$ttl'" >&2; exit 2; }
    clear_rules
    trap 'clear_rules; echo "removed"; exit 0' TERM INT
    trap 'clear_rules' EXIT
    apply_rules "$mode" "$@"
    echo "applied $mode to ${*}; held for at most ${ttl} s"
    sleep "$ttl" &
    wait $! || true
    clear_rules
    trap - EXIT
    echo "removed after ${ttl} s"
    ;;
  *)
    echo "usage: netfault.sh hold TTL_S MODE PEER... | clear" >&2
    exit 2
    ;;
esac
