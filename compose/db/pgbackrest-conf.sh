# Sourced by start.sh and pitr.sh, as root: writes pgBackRest's configuration (/etc/pgbackrest/pgbackrest.conf,
# readable by root and postgres alone, since it holds the repository's key) from the key stackctl writes to
# compose/secrets/db/backup-cipher-pass (BACKUP_CIPHER_PASS of compose/.env; a Docker secret on Swarm).
# With BACKUP_S3_BUCKET set (compose/offsite.yaml passes it), an S3-compatible object store is repo2: the same key,
# credentials from compose/secrets/db/s3-key and s3-key-secret, and s3-ca.pem when the store's certificate is private.
# Returns 1, writing nothing, when the image has no pgbackrest or there is no key.
write_pgbackrest_conf() {
  local cipher_file=${BACKUP_CIPHER_PASS_FILE:-/run/stack-secrets/backup-cipher-pass} conf=/etc/pgbackrest/pgbackrest.conf
  command -v pgbackrest >/dev/null && [ -s "$cipher_file" ] || return 1
  local secrets
  secrets=$(dirname "$cipher_file")
  install -d -o root -g postgres -m 0750 /etc/pgbackrest
  install -o root -g postgres -m 0640 /dev/null "$conf.next"
  cat >"$conf.next" <<EOF
[global]
repo1-path=/var/lib/pgbackrest
repo1-bundle=y
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=$(<"$cipher_file")
repo1-retention-full-type=time
repo1-retention-full=${BACKUP_RETENTION_DAYS:-14}
$(offsite_repository "$secrets" "$(<"$cipher_file")")
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

# repo2's lines, or nothing without BACKUP_S3_BUCKET. The endpoint is host[:port] (https; 443 when no port).
offsite_repository() {
  local secrets="$1" cipher="$2" host port
  [ -n "${BACKUP_S3_BUCKET:-}" ] || return 0
  host=${BACKUP_S3_ENDPOINT%%:*}
  port=${BACKUP_S3_ENDPOINT#"$host"}
  port=${port#:}
  cat <<EOF
repo2-type=s3
repo2-path=${BACKUP_S3_PATH:-/stackctl}
repo2-s3-endpoint=$host
repo2-storage-port=${port:-443}
repo2-s3-bucket=$BACKUP_S3_BUCKET
repo2-s3-region=${BACKUP_S3_REGION:-us-east-1}
repo2-s3-uri-style=path
repo2-bundle=y
repo2-s3-key=$(<"$secrets/s3-key")
repo2-s3-key-secret=$(<"$secrets/s3-key-secret")
repo2-storage-verify-tls=${BACKUP_S3_VERIFY_TLS:-y}
repo2-cipher-type=aes-256-cbc
repo2-cipher-pass=$cipher
repo2-retention-full-type=time
repo2-retention-full=${BACKUP_RETENTION_DAYS:-14}
EOF
  # pgBackRest runs as postgres, and the secrets folder is root's alone: the certificate, which is no secret, is copied.
  if [ -s "$secrets/s3-ca.pem" ]; then
    install -o root -g postgres -m 0644 "$secrets/s3-ca.pem" /etc/pgbackrest/s3-ca.pem
    echo "repo2-storage-ca-file=/etc/pgbackrest/s3-ca.pem"
  fi
}
