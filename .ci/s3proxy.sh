#!/usr/bin/env bash
# A real S3-compatible server for the tests of the stack's off-host backup repository: s3proxy (org.gaul:s3proxy,
# from Maven Central) over a directory, serving TLS with a certificate keytool makes here. No mock: pgBackRest in the
# db container talks S3 to it exactly as it would to AWS, MinIO or Ceph.
#
#   .ci/s3proxy.sh start DIR   starts it (once; a second start reuses the running one) and prints the compose/.env
#                              lines that point the stack at it, plus S3PROXY_DATA (the raw objects, for tests that
#                              read them); DIR keeps its keystore, CA certificate, data, log and pid
#   .ci/s3proxy.sh stop DIR    stops it
#
# It listens on the Docker bridge's gateway address (172.17.0.1 on most hosts), which the host and every container
# reach and nothing outside the host does; the stack's db reaches it as host.docker.internal (compose/offsite.yaml
# maps that name to the gateway). S3PROXY_PORT picks the port (default 9443).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
action="${1:?usage: s3proxy.sh start|stop DIR}"
dir="${2:?usage: s3proxy.sh start|stop DIR}"
port="${S3PROXY_PORT:-9443}"
bucket=stackctl-backups

stop() {
  if [ -s "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
    kill "$(cat "$dir/pid")"
  fi
  rm -f "$dir/pid"
}

if [ "$action" = stop ]; then
  stop
  exit 0
fi
[ "$action" = start ] || { echo "usage: s3proxy.sh start|stop DIR" >&2; exit 2; }

address=$(ip -4 -o addr show docker0 2>/dev/null | awk '{print $4}' | cut -d/ -f1)
if [ -z "$address" ]; then
  echo "[s3proxy] no docker0 bridge: start the Docker engine first (bash .ci/start-engine.sh)" >&2
  exit 3
fi
mkdir -p "$dir/data/$bucket"
dir="$(cd "$dir" && pwd)"
if [ ! -s "$dir/credential" ]; then
  (umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/credential")
fi
if [ ! -s "$dir/keystore.p12" ]; then
  keytool -genkeypair -alias s3proxy -keyalg EC -groupname secp256r1 -dname CN=host.docker.internal \
    -ext "SAN=dns:host.docker.internal,dns:localhost,ip:127.0.0.1,ip:$address" -validity 30 \
    -keystore "$dir/keystore.p12" -storetype PKCS12 -storepass stackctl-ci -keypass stackctl-ci >/dev/null 2>&1
  keytool -exportcert -rfc -alias s3proxy -keystore "$dir/keystore.p12" -storepass stackctl-ci >"$dir/ca.pem"
fi

if ! { [ -s "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; }; then
  if [ ! -s "$dir/classpath" ]; then
    "$root/mvnw" -B -ntp -q -f "$root/.ci/s3proxy/pom.xml" dependency:build-classpath \
      -Dmdep.outputFile="$dir/classpath" >"$dir/maven.log" 2>&1 \
      || { echo "[s3proxy] cannot resolve org.gaul:s3proxy from Maven Central; see $dir/maven.log" >&2; exit 3; }
  fi
  cat >"$dir/s3proxy.properties" <<PROPS
s3proxy.secure-endpoint=https://$address:$port
s3proxy.keystore-path=$dir/keystore.p12
s3proxy.keystore-password=stackctl-ci
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=stackctl-ci
s3proxy.credential=$(cat "$dir/credential")
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$dir/data
jclouds.identity=unused
jclouds.credential=unused
PROPS
  nohup java -Xmx256m -Dlogback.configurationFile="$root/.ci/s3proxy/logback.xml" -cp "$(cat "$dir/classpath")" \
    org.gaul.s3proxy.Main --properties "$dir/s3proxy.properties" >"$dir/s3proxy.log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 1 60); do
    # Any S3 answer (403 to an unsigned request) means it serves.
    if curl -s --cacert "$dir/ca.pem" -o /dev/null -w '%{http_code}' "https://$address:$port/" 2>/dev/null | grep -q 403; then
      break
    fi
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      echo "[s3proxy] exited at start; last lines of $dir/s3proxy.log:" >&2
      tail -n 20 "$dir/s3proxy.log" >&2
      exit 1
    fi
    sleep 0.5
  done
fi
cat <<ENV
BACKUP_S3_ENDPOINT=host.docker.internal:$port
BACKUP_S3_BUCKET=$bucket
BACKUP_S3_REGION=us-east-1
BACKUP_S3_KEY=stackctl-ci
BACKUP_S3_KEY_SECRET=$(cat "$dir/credential")
BACKUP_S3_CA_FILE=$dir/ca.pem
S3PROXY_DATA=$dir/data/$bucket
ENV
