#!/usr/bin/env bash
# Loads the db's renewed certificate (compose/tls/db, mounted at /stack/tls) into the running PostgreSQL with no
# restart: the key is copied again as start.sh copies it (renamed into place, so PostgreSQL never reads half a key),
# then the configuration is reloaded. New connections get the new certificate; open ones keep their session. A pair
# PostgreSQL cannot load is refused by it and the old one stays, so this then fails. stackctl runs it through
# docker exec, as root. Exit 0 when loaded; 2 when the server was started without TLS (a restart turns it on); 1 else.
set -euo pipefail
superuser=${POSTGRES_USER:-postgres}
[ -s /stack/tls/server.crt ] && [ -s /stack/tls/server.key ] \
  || { echo "no certificate and key in /stack/tls (compose/tls/db): run stackctl up" >&2; exit 1; }
sql() { psql -X -A -t -q -v ON_ERROR_STOP=1 -U "$superuser" -d postgres -c "$1"; }
[ "$(sql 'SHOW ssl')" = on ] || { echo "PostgreSQL was started without TLS: a restart of the db service turns it on" >&2; exit 2; }
install -o postgres -g postgres -m 0600 /stack/tls/server.key /var/run/postgresql/tls/server.key.next
mv -f /var/run/postgresql/tls/server.key.next /var/run/postgresql/tls/server.key
before=$(date -u '+%Y-%m-%d %H:%M:%S')
sql 'SELECT pg_reload_conf()' >/dev/null
# The postmaster reloads a moment after the signal, and a pair it cannot load only shows in its log: the proof is the
# certificate it serves over TLS, read from here (the official image and the stand-in both carry openssl).
command -v openssl >/dev/null || { echo "reloaded; not checked: no openssl in this image"; exit 0; }
for _ in $(seq 50); do
  served=$(openssl s_client -starttls postgres -connect 127.0.0.1:5432 </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 2>/dev/null || true)
  wanted=$(openssl x509 -in /stack/tls/server.crt -noout -fingerprint -sha256)
  [ "$served" = "$wanted" ] && exit 0
  sleep 0.1
done
echo "PostgreSQL still serves another certificate than /stack/tls/server.crt after the reload (since $before): see its log" >&2
exit 1
