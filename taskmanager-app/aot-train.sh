#!/usr/bin/env bash
# The training run of the app image's build: starts a throwaway PostgreSQL and Redis, runs the app through its
# start (migrations, pools, the warm-up's reads) with -XX:AOTCacheOutput, then stops it. The JVM writes
# /app/app.aot as it exits; each replica then starts from those classes already loaded, linked and profiled.
# Without Java 25 (an older JRE_IMAGE), or when the training run fails, nothing is written and the replicas start
# as before (said in the build's output); the image builds either way.
set -uo pipefail

train() {
  cluster=$(pg_lsclusters --no-header | awk 'NR == 1 {print $1 " " $2}')
  pg_ctlcluster $cluster start || return 1
  su postgres -c "psql -q -c \"CREATE ROLE taskmanager LOGIN PASSWORD 'training'\" -c 'CREATE DATABASE taskmanager OWNER taskmanager'" \
    || return 1
  redis-server --port 6379 --requirepass training --save '' --appendonly no --daemonize yes >/dev/null || return 1

  export PORT=8080 DB_HOST=127.0.0.1 DB_PORT=5432 DB_NAME=taskmanager DB_USER=taskmanager DB_PASSWORD=training \
    REDIS_HOST=127.0.0.1 REDIS_PORT=6379 REDIS_PASSWORD=training INSTANCE_ID=aot-training \
    JWT_SECRET=aot-training-secret-aot-training-secret ADMIN_PASSWORD=aot-training-password \
    OPS_TOKEN=aot-training-operator-token-aot-training
  java -XX:+IgnoreUnrecognizedVMOptions -XX:AOTCacheOutput=/app/app.aot $JAVA_OPTS -jar /app/taskmanager-app.jar &
  app=$!
  ready=""
  for _ in $(seq 1 600); do
    if exec 3<>/dev/tcp/127.0.0.1/8080 2>/dev/null \
        && printf 'GET /ready HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 && head -n 1 <&3 | grep -q ' 200 '; then
      ready=yes
      break
    fi
    kill -0 "$app" 2>/dev/null || break
    sleep 0.1
  done
  exec 3>&- || true
  kill -TERM "$app"
  wait "$app" || true
  redis-cli -a training --no-auth-warning shutdown nosave >/dev/null 2>&1 || true
  pg_ctlcluster $cluster stop
  if [ -z "$ready" ]; then
    echo "aot-train: the app never answered /ready during the training run" >&2
    return 1
  fi
}

rm -f /app/app.aot
if ! train; then
  echo "aot-train: the training run failed (above); replicas start without an AOT cache" >&2
  rm -f /app/app.aot
fi
if [ -s /app/app.aot ]; then
  chmod 644 /app/app.aot
  # Used only when it exists: a JRE without AOT caches (before Java 24) gets no flag it would refuse.
  echo "-XX:AOTCache=/app/app.aot -Xlog:aot*=error" > /app/aot.opts
  echo "aot-train: $(du -h /app/app.aot | cut -f1) AOT cache written"
else
  : > /app/aot.opts
  : > /app/app.aot
  echo "aot-train: this JRE wrote no AOT cache; replicas start without one"
fi
