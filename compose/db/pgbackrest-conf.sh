# Sourced by start.sh and pitr.sh, as root: writes pgBackRest's configuration (/etc/pgbackrest/pgbackrest.conf,
# readable by root and postgres alone, since it holds the repository's key) from the key stackctl writes to
# compose/secrets/db/backup-cipher-pass (BACKUP_CIPHER_PASS of compose/.env; a Docker secret on Swarm).
# Returns 1, writing nothing, when the image has no pgbackrest or there is no key.
write_pgbackrest_conf() {
  local cipher_file=${BACKUP_CIPHER_PASS_FILE:-/run/stack-secrets/backup-cipher-pass} conf=/etc/pgbackrest/pgbackrest.conf
  command -v pgbackrest >/dev/null && [ -s "$cipher_file" ] || return 1
  install -d -o root -g postgres -m 0750 /etc/pgbackrest
  install -o root -g postgres -m 0640 /dev/null "$conf.next"
  cat >"$conf.next" <<EOF
[global]
repo1-path=/var/lib/pgbackrest
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=$(<"$cipher_file")
repo1-retention-full-type=time
repo1-retention-full=${BACKUP_RETENTION_DAYS:-14}
archive-async=y
spool-path=/var/spool/pgbackrest
process-max=2
compress-type=zst
start-fast=y
log-path=/var/log/pgbackrest
log-level-console=warn
log-level-file=info

[stack]
pg1-path=${PGDATA:-/var/lib/postgresql/data}
pg1-socket-path=/var/run/postgresql
pg1-user=${POSTGRES_USER:-postgres}
EOF
  mv -f "$conf.next" "$conf"
  install -d -o postgres -g postgres -m 0750 /var/lib/pgbackrest /var/spool/pgbackrest /var/log/pgbackrest
}
