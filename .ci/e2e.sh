#!/usr/bin/env bash
# End-to-end scenario through bin/stackctl against the real engine (issue: the stack and stackctl's core).
# Prints one PASS/FAIL line per step and, last, "e2e: N passed, N failed"; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=.ci/e2e-lib.sh
source .ci/e2e-lib.sh
project_ps() { docker ps -q --filter label=com.docker.compose.project=taskmanager "$@"; }
# psql_db SQL: one statement as the superuser, inside the db container (whichever it is now); unaligned output.
psql_db() { docker exec "$(project_ps --filter label=com.docker.compose.service=db)" psql -X -A -t -q -U taskmanager -d taskmanager -c "$1"; }
app_ids() { project_ps --filter label=com.docker.compose.service=app | sort; }
# upstream_matches: nginx's rendered upstream lists exactly the frontend addresses of the healthy replicas
upstream_matches() {
  local want have
  want=$(for c in $(app_ids); do docker inspect -f '{{.State.Health.Status}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}' "$c"; done \
    | awk '$1 == "healthy"' | grep -o 'frontend=[0-9.]*' | cut -d= -f2 | sort)
  have=$(grep -o '^server [0-9.]*' compose/generated/upstream.conf | cut -d' ' -f2 | sort)
  [ -n "$want" ] && [ "$want" = "$have" ]
}
all_healthy() { # all_healthy N: N containers of the project, every one healthy
  [ "$(project_ps --filter health=healthy | wc -l)" = "$1" ] && [ "$(project_ps | wc -l)" = "$1" ]
}
# passes_own_check ID: the container's own health check, run now as the engine runs it. A container the engine still
# calls "starting" gets its first check a whole interval after it started (60 s for the monitoring profile's), and
# Docker 20.10 has no start_interval: whether it has healed is what its check says, not when the engine asks.
passes_own_check() {
  local test
  test=$(docker inspect -f '{{json .Config.Healthcheck.Test}}' "$1" 2>/dev/null) || return 1
  python3 -c 'import json, sys
t = json.loads(sys.argv[1] or "null") or []
argv = t[1:] if t[:1] == ["CMD"] else ["/bin/sh", "-c", t[1]] if t[:1] == ["CMD-SHELL"] else []
print("\0".join(argv), end="")' "$test" | xargs -0 -r timeout 10 docker exec "$1" >/dev/null 2>&1
}
# all_healed N: N containers of the project, each healthy or (still starting) passing its own check now. Replicas must
# be healthy to the engine: nginx's upstream follows the engine's word on them, and the check after compares with it.
# A health status is only believed when the check behind it ran after the container last started: for a moment after
# a restart the engine still shows the status from before it (CI run 36: a killed replica read "healthy" again).
all_healed() {
  local ids verdicts c
  ids=$(project_ps)
  [ "$(grep -c . <<<"$ids")" = "$1" ] || return 1
  # shellcheck disable=SC2086
  verdicts=$(docker inspect $ids | python3 -c 'import json, re, sys
from datetime import datetime
def at(t):  # RFC 3339 with nanoseconds, which Python reads to the microsecond
    return datetime.fromisoformat(re.sub(r"(\.\d{6})\d*", r"\1", t).replace("Z", "+00:00"))
for c in json.load(sys.stdin):
    health = c["State"].get("Health") or {}
    log = health.get("Log") or []
    fresh = bool(log) and at(log[-1]["Start"]) >= at(c["State"]["StartedAt"])
    app = c["Config"]["Labels"].get("com.docker.compose.service") == "app"
    if not health or (fresh and health["Status"] == "healthy"):
        print("ok", c["Id"])
    elif app or (fresh and health["Status"] == "unhealthy"):
        print("no", c["Id"])
    else:
        print("check", c["Id"])')
  grep -q '^no ' <<<"$verdicts" && return 1
  for c in $(sed -n 's/^check //p' <<<"$verdicts"); do passes_own_check "$c" || return 1; done
}
# explain_unhealed: what each of the project's containers that is not healthy says of itself (state, its health check's
# last answer, its last log lines), so a failure in CI, where nobody can look afterwards, carries its cause.
explain_unhealed() {
  local c
  docker ps -a --filter label=com.docker.compose.project=taskmanager --format '{{.Names}}\t{{.Status}}'
  for c in $(docker ps -aq --filter label=com.docker.compose.project=taskmanager); do
    [ "$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$c")" = healthy ] && continue
    docker inspect -f '{{.Name}}: {{.State.Status}} restarts={{.RestartCount}} exit={{.State.ExitCode}} error={{.State.Error}}
  health: {{if .State.Health}}{{range .State.Health.Log}}{{.ExitCode}} {{printf "%.120s" .Output}}; {{end}}{{end}}' "$c"
    docker logs --tail 5 "$c" 2>&1 | cut -c1-240 | sed 's/^/  log: /'
  done
}
# healed_within WHAT [N]: once every container (N of them, by default as many as run now) is healthy again, the upstream
# must match within 10 s, with no command run. A caller that broke one passes the count from before: the engine may not
# have started it again yet when this begins.
healed_within() {
  local n=${2:-$(project_ps | wc -l)}
  for _ in $(seq 120); do all_healed "$n" && break; sleep 0.5; done
  all_healed "$n" || { fail "$1: not every container is healthy 60 s later ($n wanted)"; explain_unhealed; return; }
  local healthy_at now
  healthy_at=$(date +%s%N)
  for _ in $(seq 100); do upstream_matches && break; sleep 0.1; done
  now=$(date +%s%N)
  if upstream_matches; then
    pass "$1: nginx's upstream lists every healthy replica and nothing else $(( (now - healthy_at) / 1000000 )) ms after all were healthy"
  else
    fail "$1: upstream still wrong 10 s after all were healthy"; cat compose/generated/upstream.conf
  fi
}

step "no engine: up exits 3 with a clear line"
expect_exit 3 "up with DOCKER_HOST pointing nowhere" -- env DOCKER_HOST=tcp://127.0.0.1:1 bin/stackctl up
grep -q "not reachable" /tmp/e2e.err && pass "the error names the unreachable engine" || fail "no clear engine error"

step "backup with no stack running exits 3"
expect_exit 3 "backup before up" -- bin/stackctl backup

step "an off-host backup repository: s3proxy, a real S3 server, named in compose/.env before the first up"
# The whole scenario runs with pgBackRest's second repository in an S3-compatible store (s3proxy over a directory,
# TLS with its own CA), as a production stack would; ARCHIVE_TIMEOUT 10s bounds how much a lost disk may take.
# A path of its own in the bucket: a repository left by an earlier run holds another key, which pgBackRest refuses.
s3_path=/e2e-$(date +%s)
if bash .ci/s3proxy.sh start /tmp/e2e-s3proxy >/tmp/e2e.s3 2>/tmp/e2e.s3err; then
  { grep -v '^S3PROXY_DATA=' /tmp/e2e.s3; echo "BACKUP_S3_PATH=$s3_path"; echo "ARCHIVE_TIMEOUT=10s"; } >>compose/.env
  # The schedule runs only where a step asks for it: a backup of its own beside a step's would take pgBackRest's lock.
  printf 'BACKUP_SCHEDULE_FULL=off\nBACKUP_SCHEDULE_INCR=off\nBACKUP_SCHEDULE_PROVE=off\n' >>compose/.env
  s3_data=$(sed -n 's/^S3PROXY_DATA=//p' /tmp/e2e.s3)$s3_path
  pass "s3proxy serves TLS at $(sed -n 's/^BACKUP_S3_ENDPOINT=//p' /tmp/e2e.s3), bucket $(sed -n 's/^BACKUP_S3_BUCKET=//p' /tmp/e2e.s3)"
else
  fail "s3proxy did not start: $(cat /tmp/e2e.s3err)"
fi
cp compose/.env /tmp/e2e.env.s3
sed -i 's|^BACKUP_S3_ENDPOINT=.*|BACKUP_S3_ENDPOINT=http://s3.example:9000|' compose/.env
expect_exit 2 "up with a plain-HTTP S3 endpoint" -- bin/stackctl up
grep -q "plain HTTP" /tmp/e2e.err && grep -q "BACKUP_S3_CA_FILE" /tmp/e2e.err && pass "the refusal names TLS and how to trust a private CA" \
  || fail "no clear refusal: $(cat /tmp/e2e.err)"
cp /tmp/e2e.env.s3 compose/.env

step "up --offline --replicas 3"
start=$(date +%s%N)
expect_exit 0 "up --offline --replicas 3" -- bin/stackctl up --offline --replicas 3
echo "up took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cat /tmp/e2e.err /tmp/e2e.out
login
[ -s /tmp/e2e.token ] && pass "the admin account of compose/.env logs in through nginx" || fail "admin login through nginx failed"

step "status -o json"
quiet_since=$(date +%s) # for "an idle stack's cost" below
# up returns once the replicas answer /ready; the engine calls them healthy at its next check, up to an interval
# (HEALTHCHECK_INTERVAL, 5 s) later, so status is asked until then (CI run 35: two of three were, 1 s after up).
members=""
for _ in $(seq 10); do
  bin/stackctl status -o json >/tmp/e2e.status
  members=$(python3 -c 'import json,sys; d=json.load(open("/tmp/e2e.status")); print(sum(1 for c in d["containers"] if c["service"]=="app" and c["in_upstream"] and c["health"]=="healthy"))')
  [ "$members" = 3 ] && break
  sleep 1
done
[ "$members" = 3 ] && pass "status: 3 healthy app replicas in the upstream" || fail "status: $members app replicas in the upstream"

step "health"
expect_exit 0 "health on a fresh stack" -- bin/stackctl health

step "HTTPS at the edge: the stack's own CA, plain HTTP redirects, TLS 1.2 at least, HSTS, a Secure cookie"
ca=compose/tls/ca.crt
[ "$(curl -s -o /dev/null -w '%{http_code} %{http_version}' --cacert $ca "$url/ready")" = "200 2" ] \
  && pass "curl --cacert compose/tls/ca.crt $url/ready: 200 over HTTP/2" || fail "HTTPS /ready: $(curl -s -o /dev/null -w '%{http_code} %{http_version}' --cacert $ca "$url/ready" 2>&1)"
[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert $ca "https://localhost:${STACK_HTTPS_PORT:-8443}/ready")" = 200 ] \
  && pass "the certificate names localhost too" || fail "https://localhost refused"
plain="http://127.0.0.1:${STACK_HTTP_PORT:-8080}"
redirect=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -X POST "$plain/tasks?limit=1")
[ "$redirect" = "308 $url/tasks?limit=1" ] && pass "plain HTTP answers 308 to the same path over HTTPS (method kept)" \
  || fail "plain HTTP answered: $redirect"
[ "$(status_of "$plain/nginx-health")" = 200 ] && pass "plain HTTP still answers /nginx-health for local probes" \
  || fail "plain /nginx-health: $(status_of "$plain/nginx-health")"
old_tls=$(echo | timeout 10 openssl s_client -connect "127.0.0.1:${STACK_HTTPS_PORT:-8443}" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' 2>&1 || true)
new_tls=$(echo | timeout 10 openssl s_client -connect "127.0.0.1:${STACK_HTTPS_PORT:-8443}" -tls1_2 -CAfile $ca -verify_return_error 2>&1 || true)
grep -q "alert protocol version" <<<"$old_tls" && grep -q "Verify return code: 0 (ok)" <<<"$new_tls" \
  && pass "openssl s_client: TLS 1.1 refused by the server (protocol version alert), TLS 1.2 verified against the CA" \
  || { fail "TLS protocol floor"; grep -E "alert|Verify return|Protocol" <<<"$old_tls$new_tls" | head -5; }
curl -s -D $e2e.headers -o /dev/null --cacert $ca "$url/"
grep -qi '^strict-transport-security: max-age=63072000' $e2e.headers && grep -qi '^set-cookie: csrf=.*HttpOnly.*Secure' $e2e.headers \
  && pass "HTTPS answers carry HSTS, and the page's cookie is HttpOnly and Secure" || { fail "HSTS or Secure cookie missing"; cat $e2e.headers; }
expect_exit 0 "certs -o json" -- bin/stackctl certs -o json
python3 - $e2e.out <<'PY' && pass "certs: from the stack's CA, names 127.0.0.1 and localhost, over a year left, served by nginx" || fail "certs: $(cat $e2e.out)"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["from_stack_ca"] and d["served"] and d["days_left"] > 365, d
assert {"127.0.0.1", "localhost"} <= set(d["names"]), d
PY
serial_before=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["serial"])' $e2e.out)
loops_start 3
expect_exit 0 "certs renew under load" -- bin/stackctl certs renew -o json
loops_stop "certs renew"
serial_after=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["serial"] if d["served"] else "not served")' $e2e.out)
served=$(echo | openssl s_client -connect "127.0.0.1:${STACK_HTTPS_PORT:-8443}" 2>/dev/null | openssl x509 -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f' | sed 's/^0*//')
[ "$serial_after" != "$serial_before" ] && [ "$served" = "$serial_after" ] \
  && pass "after certs renew nginx serves the new certificate (serial $serial_after)" \
  || fail "after renew: before $serial_before, file $serial_after, served $served"

step "replicas start from the image's AOT cache (Java 25)"
without=""
for c in $(app_ids); do
  docker exec "$c" cat /app/aot.opts 2>/dev/null | grep -q -- "-XX:AOTCache=/app/app.aot" || without="$without $c"
  # AOTMode=on: this JVM refuses to start unless it can map and validate the cache with the replica's class path.
  docker exec "$c" java -XX:AOTCache=/app/app.aot -XX:AOTMode=on -cp /app/taskmanager-app.jar -version >/dev/null 2>&1 \
    || without="$without $c(unusable)"
done
[ -z "$without" ] && pass "every replica started with the AOT cache its image was trained into" || fail "no AOT cache in use:$without"

step "bounded logs, and no secret in a command line"
unbounded=$(for c in $(project_ps); do docker inspect -f '{{.Name}} {{.HostConfig.LogConfig.Type}} {{index .HostConfig.LogConfig.Config "max-size"}}' "$c"; done \
  | awk '$2 != "json-file" || $3 == "" {print $1}')
[ -z "$unbounded" ] && pass "every container's log is rotated (json-file with max-size)" || fail "unrotated logs: $unbounded"
# The password goes to grep in a file: in grep's own argv, ps would find it there.
sed -n 's/^REDIS_PASSWORD=//p' compose/.env >/tmp/e2e.redis-password
if docker ps --no-trunc --filter label=com.docker.compose.project=taskmanager | grep -qFf /tmp/e2e.redis-password \
  || ps -eo args | grep -qFf /tmp/e2e.redis-password; then fail "the Redis password is in a command line"
else pass "the Redis password is in no command line (docker ps --no-trunc, ps)"; fi

step "least privilege: the app is not the database superuser and can reach nothing beyond its schema and its keys"
db_ctr=$(project_ps --filter label=com.docker.compose.service=db)
app_sessions=$(psql_db "SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity WHERE application_name LIKE 'taskmanager-%'")
[ "$app_sessions" = taskmanager_app ] && pass "every replica's database session is taskmanager_app" \
  || fail "the replicas' database sessions are '$app_sessions', expected taskmanager_app"
[ "$(psql_db "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relowner <> 'taskmanager_app'::regrole")" = 0 ] \
  && pass "taskmanager_app owns every table, index and sequence of its schema" || fail "objects in public not owned by taskmanager_app"
sed -n 's/^POSTGRES_PASSWORD=//p' compose/.env >/tmp/e2e.super-password
leaks=""
for c in $(project_ps --filter label=com.docker.compose.service=app); do
  docker exec "$c" sh -c 'env; cat /run/stack-app-secrets/*' | grep -qFf /tmp/e2e.super-password && leaks="$leaks $c"
done
[ -z "$leaks" ] && pass "no app replica holds the superuser's password" || fail "the superuser's password is in the environment of:$leaks"
# Every secret reaches its container as a file: none is in a container's environment, where docker inspect shows it.
sed -n -E 's/^(POSTGRES_PASSWORD|APP_DB_PASSWORD|REDIS_PASSWORD|REDIS_OPS_PASSWORD|JWT_SECRET|ADMIN_PASSWORD|OPS_TOKEN|BACKUP_CIPHER_PASS|BACKUP_S3_KEY_SECRET)=//p' compose/.env >/tmp/e2e.all-secrets
in_env=""
for c in $(project_ps); do
  docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$c" | grep -qFf /tmp/e2e.all-secrets && in_env="$in_env $c"
done
[ "$(wc -l </tmp/e2e.all-secrets)" = 9 ] && [ -z "$in_env" ] \
  && pass "no container's environment holds any of the stack's 9 secrets (docker inspect, all $(project_ps | wc -l) containers)" \
  || fail "a secret is in the environment of:$in_env"
secrets_id=$(sed -n 's/^APP_SECRETS_ID=//p' compose/.env)
app_c=$(project_ps --filter label=com.docker.compose.service=app | head -n 1)
ops_in_file=$(docker exec "$app_c" cat /run/stack-app-secrets/ops-token)
[ -n "$secrets_id" ] && [ "$ops_in_file" = "$(sed -n 's/^OPS_TOKEN=//p' compose/.env)" ] \
  && [ "$(docker exec "$app_c" id -u)" != 0 ] \
  && pass "the app, as its own non-root user, reads its secrets from compose/secrets/app/$secrets_id" \
  || fail "the app's secret files: id '$secrets_id', ops token file matches: $([ "$ops_in_file" = "$(sed -n 's/^OPS_TOKEN=//p' compose/.env)" ] && echo yes || echo no)"
[ "$(stat -c %a compose/secrets)" = 700 ] && [ "$(stat -c %a compose/secrets/app)" = 700 ] \
  && [ "$(ls compose/secrets/app)" = "$secrets_id" ] \
  && pass "on the host only stackctl's user reaches them (compose/secrets and compose/secrets/app are 0700), one folder" \
  || fail "compose/secrets modes $(stat -c %a compose/secrets compose/secrets/app | tr '\n' ' '), folders: $(ls compose/secrets/app | tr '\n' ' ')"
# As the app logs in (its password, over the network): a database, another schema, the password table are refused.
denied=0
for sql in "CREATE DATABASE stolen" "SELECT rolpassword FROM pg_authid" "CREATE SCHEMA stolen" "ALTER ROLE taskmanager_app SUPERUSER"; do
  out=$(docker exec "$db_ctr" bash -c 'read -r login password </run/stack-secrets/app-logins
    PGPASSWORD="$password" psql -X -A -t -h "$(hostname -i | cut -d" " -f1)" -U "$login" -d taskmanager -c "$1" 2>&1' _ "$sql" || true)
  case "$out" in *"permission denied"*|*"must be superuser"*) denied=$((denied + 1)) ;; *) echo "  as taskmanager_app, '$sql' answered: $out" ;; esac
done
[ "$denied" = 4 ] && pass "the app's role is refused CREATE DATABASE, pg_authid, CREATE SCHEMA and SUPERUSER" || fail "the app's role was allowed $((4 - denied)) of 4 things it must not do"

# What drifts heals with no stackctl command: the db service's health check hands the table back within an interval.
psql_db "ALTER TABLE tasks OWNER TO taskmanager"
healed=""
for _ in $(seq 1 30); do
  [ "$(psql_db "SELECT tableowner FROM pg_tables WHERE tablename = 'tasks'")" = taskmanager_app ] && { healed=yes; break; }
  sleep 1
done
[ -n "$healed" ] && pass "a table handed to the superuser by hand is the app's again within 30 s, with no stackctl command" \
  || fail "tasks is still owned by $(psql_db "SELECT tableowner FROM pg_tables WHERE tablename = 'tasks'")"
cache_ctr=$(project_ps --filter label=com.docker.compose.service=cache)
anon=$(docker exec "$cache_ctr" redis-cli ping 2>&1 || true)
flush=$(docker exec "$cache_ctr" sh -c 'REDISCLI_AUTH=$(head -n 1 /run/stack-secrets/app-passwords) redis-cli --user taskmanager_app flushall' 2>&1 || true)
ops_get=$(docker exec "$cache_ctr" sh /stack/cache/ops-cli.sh get tm:tasks:gen 2>&1 || true)
case "$anon|$flush|$ops_get" in
  NOAUTH*"|NOPERM"*"|NOPERM"*) pass "Redis: no client without its user, the app's user is refused FLUSHALL, the operations user reads no key" ;;
  *) fail "Redis ACL: anonymous '$anon', app FLUSHALL '$flush', ops GET '$ops_get'" ;;
esac

step "60 requests through nginx"
n=$(instances 60)
[ "$n" = 3 ] && pass "60 requests answered by 3 distinct X-Instance values" || fail "$n distinct instances"

step "users and tokens through nginx"
[ "$(status_of "$url/tasks")" = 401 ] && pass "GET /tasks without a token: 401" || fail "GET /tasks without a token: $(status_of "$url/tasks")"
[ "$(status_of -H 'Authorization: Bearer forged.token.here' "$url/tasks")" = 401 ] && pass "a forged token: 401" || fail "forged token accepted"
user=e2e$RANDOM
status_of -X POST -H 'content-type: application/json' \
  -d "{\"username\":\"$user\",\"email\":\"$user@example.org\",\"password\":\"e2e password 123\"}" "$url/auth/register" >/tmp/e2e.code
[ "$(cat /tmp/e2e.code)" = 201 ] && pass "register through nginx: 201" || fail "register: $(cat /tmp/e2e.code)"
user_token=$(curl -s -X POST -H 'content-type: application/json' -d "{\"username\":\"$user\",\"password\":\"e2e password 123\"}" \
  "$url/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
admins_task=$(curl -s -X POST -H "$(bearer)" -H 'content-type: application/json' -d '{"title":"the admin'"'"'s"}' "$url/tasks" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["task"]["id"])')
[ "$(status_of -H "Authorization: Bearer $user_token" "$url/tasks/$admins_task")" = 404 ] \
  && pass "another user's task through nginx: 404" || fail "a user read the admin's task"
[ "$(status_of -H "Authorization: Bearer $user_token" "$url/metrics")" = 403 ] \
  && pass "operator route through nginx with a user's token: 403" || fail "a user reached /metrics"
[ "$(status_of -H "$(bearer)" "$url/metrics")" = 200 ] && pass "operator route through nginx with the admin's token: 200" || fail "admin refused /metrics"
[ "$(status_of "$url/metrics")" = 401 ] && pass "operator route through nginx with no token: 401" || fail "/metrics open through nginx"
curl -s -o /dev/null -X DELETE -H "$(bearer)" "$url/tasks/$admins_task"
odd=""
for path in /metrics/ /cache/stats/ /auth/me/ /tasks/ /%6Detrics /METRICS //metrics /metrics%2F; do
  code=$(status_of "$url$path")
  case "$code" in 400|401|404|405) ;; *) odd="$odd $path=$code" ;; esac
done
[ -z "$odd" ] && pass "protected routes spelled oddly through nginx, no token: 400/401/404 only" || fail "odd spellings got through:$odd"
[ "$(status_of -H "$(bearer)" "$url/auth/me/")" = 200 ] && pass "/auth/me/ with a token: 200, not 500" || fail "/auth/me/: $(status_of -H "$(bearer)" "$url/auth/me/")"
replica_ip=$(docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}' "$(app_ids | head -n 1)" \
  | grep -o 'frontend=[0-9.]*' | cut -d= -f2)
ops_token=$(sed -n 's/^OPS_TOKEN=//p' compose/.env)
[ "$(status_of "http://$replica_ip:8080/metrics")" = 401 ] && [ "$(status_of -X POST "http://$replica_ip:8080/cache/clear")" = 401 ] \
  && pass "a replica called directly (host or frontend network), no credential: operator routes 401" || fail "operator routes open on a replica"
[ "$(status_of -H "Authorization: Bearer $ops_token" "http://$replica_ip:8080/cache/stats")" = 200 ] \
  && pass "the operator token of compose/.env opens them" || fail "operator token refused"
# An idle stack's cost: with no standby there is nothing to fail over to, so the agent's failover watcher execs no
# probe into the primary (it did once a second, a tenth of a 2-core machine, idle or not). Read back from the engine's
# events since "status -o json", so it takes no time of its own.
db_id=$(project_ps --no-trunc --filter label=com.docker.compose.service=db)
execs=$(docker events --since "$quiet_since" --until "$(date +%s)" --filter "container=$db_id" --filter event=exec_start \
  --format '{{.Action}}')
probes=$(grep -c pg_isready <<<"$execs" || true)
checks=$(grep -c health.sh <<<"$execs" || true)
[ "$probes" = 0 ] && [ "$checks" -gt 0 ] \
  && pass "with no standby, no failover probe runs in the db container ($checks health checks, 0 probes in $(( $(date +%s) - quiet_since )) s)" \
  || fail "failover probes in the db container with no standby: $probes (and $checks health checks) in $(( $(date +%s) - quiet_since )) s"

step "scale app=5 then app=2 under a client loop"
loops_start 1
expect_exit 0 "scale app=5" -- bin/stackctl scale app=5
cat /tmp/e2e.out
expect_exit 0 "scale app=2" -- bin/stackctl scale app=2
cat /tmp/e2e.out
sleep 1
loops_end
total=$(wc -l </tmp/e2e.codes)
bad=$(grep -vc '^200$' /tmp/e2e.codes || true)
echo "client loop: $total requests, $bad not 200"
[ "$total" -gt 50 ] && [ "$bad" = 0 ] && pass "scaling dropped 0 of $total requests" || fail "scaling: $bad of $total requests failed"
n=$(instances 30)
[ "$n" = 2 ] && pass "2 replicas serve after scale app=2" || fail "$n instances after scale app=2"

step "bad scale arguments"
for arg in app=-1 db=3 app=abc app=999; do expect_exit 2 "scale $arg" -- bin/stackctl scale "$arg"; done
expect_exit 2 "scale app=12: 13 pools of 10 do not fit PostgreSQL's max_connections 100" -- bin/stackctl scale app=12
grep -q "needs up to 130 PostgreSQL connections" /tmp/e2e.err && grep -q "max_connections 100" /tmp/e2e.err \
  && pass "the refusal names the connections needed and max_connections" || { fail "no connection budget in the refusal"; cat /tmp/e2e.err; }
[ "$(app_ids | wc -l)" = 2 ] && pass "the refused scale changed nothing" || fail "$(app_ids | wc -l) replicas after a refused scale"
bin/stackctl health >/tmp/e2e.out 2>&1 || true
grep -q "database connections: 2 replicas x pool 10 = 20 of 92" /tmp/e2e.out && pass "health shows the connection budget" \
  || { fail "health shows no connection budget"; tail -n 3 /tmp/e2e.out; }

step "second up is idempotent"
before=$(docker ps -q --filter label=com.docker.compose.project=taskmanager | sort)
expect_exit 0 "second up" -- bin/stackctl up
after=$(docker ps -q --filter label=com.docker.compose.project=taskmanager | sort)
[ "$before" = "$after" ] && pass "second up kept every container" || fail "second up replaced containers"
mv compose/.env /tmp/e2e.env.saved
expect_exit 3 "up after compose/.env was lost, while the database volume lives" -- bin/stackctl up
grep -q "already has a database volume" /tmp/e2e.err && [ ! -e compose/.env ] \
  && pass "up refuses to invent a database password the volume does not know, and writes no file" || { fail "up wrote new secrets"; cat /tmp/e2e.err; }
rm -f compose/.env && mv /tmp/e2e.env.saved compose/.env

step "up restores the configured replica count; the CLI as a person meets it"
one=$(app_ids | head -n 1)
docker stop "$one" >/dev/null
expect_exit 0 "up after a replica was stopped by hand" -- bin/stackctl up
grep -q "1 running, 2 configured; restoring 2" /tmp/e2e.err && pass "up says it restores the configured count" || { fail "no count line"; cat /tmp/e2e.err; }
[ "$(app_ids | wc -l)" = 2 ] && pass "2 replicas run again, as configured by scale app=2" || fail "$(app_ids | wc -l) replicas after up"
expect_exit 0 "up --help" -- bin/stackctl up --help
grep -q "Usage: stackctl up" /tmp/e2e.out && pass "up --help prints the usage" || fail "no usage"
NO_COLOR=1 bin/stackctl logs nginx --tail 20 >/tmp/e2e.logs 2>&1 || true
[ "$(grep -c $'\x1b\[' /tmp/e2e.logs || true)" = 0 ] && [ -s /tmp/e2e.logs ] && pass "NO_COLOR: logs carry no ANSI codes" || fail "ANSI codes in logs"
bin/stackctl -v logs nginx --tail 1 >/dev/null 2>/tmp/e2e.err || true
grep -q "^+ docker" /tmp/e2e.err && pass "-v shows the commands run" || { fail "-v showed no command"; cat /tmp/e2e.err; }
# REDIS_IMAGE: POSTGRES_IMAGE is the base of the db image stackctl builds, so its absence stops the build (the next check).
expect_exit 3 "up of a project whose images cannot be pulled" -- env REDIS_IMAGE=127.0.0.1:1/nope/redis:7 STACK_HTTP_PORT=18080 STACK_HTTPS_PORT=18443 bin/stackctl -p e2e-pull up --replicas 1
grep -q "cannot pull 127.0.0.1:1/nope/redis:7" /tmp/e2e.err && grep -q -- "--offline" /tmp/e2e.err \
  && pass "the pull failure is one line with the --offline hint" || { fail "no pull hint"; tail -n 3 /tmp/e2e.err; }
env REDIS_IMAGE=127.0.0.1:1/nope/redis:7 STACK_HTTP_PORT=18080 STACK_HTTPS_PORT=18443 bin/stackctl -p e2e-pull down --volumes >/dev/null 2>&1 || true
expect_exit 3 "up of a project whose app image cannot be built (no base image, no registry)" -- \
  env JRE_IMAGE=127.0.0.1:1/nope/jre:25 APP_IMAGE=e2e-nope/app:1 AGENT_IMAGE=e2e-nope/agent:1 STACK_HTTP_PORT=18081 STACK_HTTPS_PORT=18444 \
  bin/stackctl -p e2e-build up --replicas 1
grep -q "cannot build the app, upstream-agent and db images: their base image 127.0.0.1:1/nope/jre:25 is not" /tmp/e2e.err \
  && grep -q -- "--offline" /tmp/e2e.err && [ "$(grep -c . /tmp/e2e.err)" -le 4 ] \
  && pass "the build failure is one line with the --offline hint" || { fail "no build hint"; tail -n 5 /tmp/e2e.err; }
env JRE_IMAGE=127.0.0.1:1/nope/jre:25 APP_IMAGE=e2e-nope/app:1 AGENT_IMAGE=e2e-nope/agent:1 STACK_HTTP_PORT=18081 STACK_HTTPS_PORT=18444 \
  bin/stackctl -p e2e-build down --volumes >/dev/null 2>&1 || true

step "a replica killed by hand heals with no stackctl command (upstream agent)"
victim=$(app_ids | head -n 1)
containers=$(project_ps | wc -l)
killed_at=$(date +%s%N)
kill -9 "$(docker inspect -f '{{.State.Pid}}' "$victim")"
out=""
for _ in $(seq 50); do
  ip=$(docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}' "$victim" | grep -o 'frontend=[0-9.]*' | cut -d= -f2 || true)
  if [ -z "$ip" ] || ! grep -q "^server $ip:" compose/generated/upstream.conf; then out=yes; break; fi
  sleep 0.1
done
[ -n "$out" ] && pass "the killed replica left nginx's upstream within $(( ($(date +%s%N) - killed_at) / 1000000 )) ms" \
  || fail "the killed replica stayed in nginx's upstream 5 s"
healed_within "SIGKILL of a replica's process" "$containers"
expect_exit 0 "health after the kill, no command run in between" -- bin/stackctl health
[ "$exited_as_wanted" = yes ] || { cat $e2e.out; explain_unhealed; }

step "deploy: a changed setting and a changed app image, under load"
# Two replicas from here on: every rollout below replaces each of them, and a third would add only time. One rollout
# carries both changes: a deploy takes what compose/.env and the image say, whichever changed.
expect_exit 0 "up --replicas 2" -- bin/stackctl up --replicas 2
echo "CACHE_TTL_SECONDS=45" >>compose/.env
printf 'FROM stackctl/taskmanager-app:latest\nLABEL io.stackctl.e2e.revision=2\n' | docker build -q -t stackctl/taskmanager-app:latest - >/dev/null
new_image=$(docker image inspect -f '{{.Id}}' stackctl/taskmanager-app:latest)
loops_start 3
expect_exit 0 "deploy --no-build --batch 2 of a new image, CACHE_TTL_SECONDS changed" -- bin/stackctl deploy --no-build --batch 2
cat /tmp/e2e.err /tmp/e2e.out
loops_stop "deploy of a changed setting and image"
on_new=$(for c in $(app_ids); do docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$c" | grep -c '^CACHE_TTL_SECONDS=45$'; done | grep -c 1 || true)
[ "$on_new" = 2 ] && pass "both replicas run with CACHE_TTL_SECONDS=45" || fail "$on_new of 2 replicas run the new setting"
on_new=$(for c in $(app_ids); do docker inspect -f '{{.Image}}' "$c"; done | grep -c "^$new_image$" || true)
[ "$on_new" = 2 ] && pass "both replicas run the new image ${new_image:7:12}" || fail "$on_new of 2 replicas run the new image"

step "deploy: a release that never gets ready is rolled back on its own"
before=$(app_ids)
echo "DB_POOL_SIZE=0" >>compose/.env
loops_start 3
expect_exit 1 "deploy of a release whose replicas never answer /ready" -- bin/stackctl deploy --no-build --ready-timeout 60s
cat /tmp/e2e.err
loops_stop "the failed deploy and its rollback"
grep -q "was rolled back" /tmp/e2e.err && pass "the failure says the release was rolled back, and why" || fail "no rollback line"
[ "$(app_ids)" = "$before" ] && pass "the old replicas served throughout and still do" || fail "the replicas changed"
sed -i '/^DB_POOL_SIZE=0$/d' compose/.env
bin/stackctl releases | tee /tmp/e2e.out
grep -q "rolled_back" /tmp/e2e.out && pass "releases lists the rolled-back release" || fail "releases shows no rolled_back entry"

step "rollback to the release before, under load, with a rotated admin password"
# The admin password changed since the release rolled back to ran: the rollback must bring back its settings and
# image, never its secrets.
rotated="rotated-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
sed -i "s/^ADMIN_PASSWORD=.*/ADMIN_PASSWORD=$rotated/" compose/.env
# The loops send a user's token: a new admin password ends the admin's tokens once a replica sets it.
printf '%s' "$user_token" >$e2e.token
loops_start 3
expect_exit 0 "rollback" -- bin/stackctl rollback
cat /tmp/e2e.err /tmp/e2e.out
loops_stop "rollback"
with_rotated=$(for c in $(app_ids); do docker exec "$c" cat /run/stack-app-secrets/admin-password | grep -cx "$rotated"; done | grep -c 1 || true)
[ "$with_rotated" = "$(app_ids | wc -l)" ] && pass "the rolled-back replicas run today's admin password, not the release's" \
  || fail "$with_rotated of $(app_ids | wc -l) replicas run the rotated admin password"
if grep -qE '^(ADMIN_PASSWORD|POSTGRES_PASSWORD|APP_DB_PASSWORD|REDIS_PASSWORD|REDIS_OPS_PASSWORD|JWT_SECRET|OPS_TOKEN)=' compose/releases/*/r*.env; then
  fail "a saved release holds a secret: $(grep -lE '^(ADMIN_PASSWORD|POSTGRES_PASSWORD)=' compose/releases/*/r*.env | head -n 3)"
else
  pass "the saved releases ($(ls compose/releases/*/r*.env | wc -l) files) hold no secret"
fi
login # the admin's password is the rotated one now
old_image=$(for c in $(app_ids); do docker inspect -f '{{.Image}}' "$c"; done | sort -u)
[ "$old_image" != "$new_image" ] && [ "$(echo "$old_image" | wc -l)" = 1 ] && pass "every replica is back on the previous image" \
  || fail "after rollback the replicas run: $old_image"

step "secrets rotate jwt under load: tokens from before keep working, new ones work on every replica"
# Three loops send the admin's token from before the rotation; a fourth logs in as one of four users again and again
# (each name may log in 10 times a minute) and sends each new token at once on new connections, which nginx spreads
# over both replicas: a token signed with the new key by one replica must be accepted by the other at every moment.
rot_users=()
for i in 1 2 3 4; do
  u="rot$i$RANDOM"
  curl -s -o /dev/null -X POST -H 'content-type: application/json' \
    -d "{\"username\":\"$u\",\"email\":\"$u@example.org\",\"password\":\"e2e password 123\"}" "$url/auth/register"
  rot_users+=("$u")
done
login_use_loop() {
  local i token code
  for i in $(seq 0 35); do
    # At least 5 tokens whatever the machine's speed, so the count checked below never depends on it.
    [ -f $e2e.stop ] && [ "$i" -ge 5 ] && break
    token=$(curl -s -X POST -H 'content-type: application/json' \
      -d "{\"username\":\"${rot_users[$((i % 4))]}\",\"password\":\"e2e password 123\"}" "$url/auth/login" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' 2>/dev/null) || token=""
    [ -n "$token" ] || { echo login-failed; continue; }
    for _ in 1 2 3; do
      code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Connection: close' -H "Authorization: Bearer $token" "$url/auth/me")
      echo "$code"
    done
    sleep 0.2
  done >$e2e.logins
}
old_token=$(cat $e2e.token)
loops_start 3
login_use_loop &
login_pid=$!
expect_exit 0 "secrets rotate jwt" -- bin/stackctl -o json secrets rotate jwt
cat /tmp/e2e.err /tmp/e2e.out
loops_stop "the jwt rotation"
wait "$login_pid" || true
logins_total=$(wc -l <$e2e.logins)
logins_bad=$(grep -vc '^200$' $e2e.logins || true)
[ "$logins_total" -ge 15 ] && [ "$logins_bad" = 0 ] \
  && pass "tokens issued during the rotation, each sent 3 times over both replicas: 0 of $logins_total refused" \
  || fail "tokens issued during the rotation: $logins_bad of $logins_total refused"
new_key=$(python3 -c 'import json; print(json.load(open("/tmp/e2e.out"))["to"])' 2>/dev/null || true)
signing_ok=0
for c in $(app_ids); do
  ip=$(docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}' "$c" | grep -o 'frontend=[0-9.]*' | cut -d= -f2)
  curl -s -H "Authorization: Bearer $ops_token" "http://$ip:8080/ops/keys" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["signing"]==sys.argv[1] and d["accepted"]==[sys.argv[1],"env"] else 1)' "$new_key" \
    && signing_ok=$((signing_ok + 1))
done
[ -n "$new_key" ] && [ "$signing_ok" = "$(app_ids | wc -l)" ] \
  && pass "every replica signs with $new_key and still checks the old key 'env'" || fail "$signing_ok replicas sign with '$new_key'"
new_kid=$(curl -s -X POST -H 'content-type: application/json' -d "{\"username\":\"${rot_users[0]}\",\"password\":\"e2e password 123\"}" \
  "$url/auth/login" | python3 -c 'import json,sys,base64; t=json.load(sys.stdin)["token"]; h=t.split(".")[0]; print(json.loads(base64.urlsafe_b64decode(h+"="*(-len(h)%4)))["kid"])')
[ "$new_kid" = "$new_key" ] && pass "a login now gets a token naming key $new_key" || fail "a new token names key '$new_kid'"
[ "$(status_of -H "Authorization: Bearer $old_token" "$url/tasks?limit=1")" = 200 ] \
  && pass "the admin's token from before the rotation: 200 until it expires" || fail "the old token was refused"
[ "$(stat -c '%u %a' compose/keys/jwt-keys.json)" = "10001 400" ] \
  && pass "compose/keys/jwt-keys.json belongs to the app's user alone (uid 10001, 0400)" \
  || fail "the key ring file is $(stat -c '%u %a' compose/keys/jwt-keys.json)"
# A ring the replicas cannot read (root's, 0600) that names another signing key: health must say they do not read it.
cp -p compose/keys/jwt-keys.json $e2e.ring
python3 - compose/keys/jwt-keys.json <<'PY'
import json, os, sys
ring = json.load(open(sys.argv[1]))
for key in ring["keys"]:
    key["use"] = "verify" if key["use"] == "sign" else "sign"
    key.pop("retire_at", None)
partial = sys.argv[1] + ".e2e"
with open(partial, "w") as f:
    json.dump(ring, f)
os.chmod(partial, 0o600)
os.rename(partial, sys.argv[1])
PY
sleep 2
expect_exit 1 "health while the replicas cannot read the key ring" -- bin/stackctl health
grep -q "they do not read the file (its owner must be uid 10001" $e2e.err && pass "health names the replicas that do not read the key ring, and why" \
  || { fail "health did not see the unread key ring"; tail -n 3 $e2e.err; }
cp -p $e2e.ring compose/keys/jwt-keys.json
expect_exit 0 "health once the ring is theirs again" -- bin/stackctl health
bin/stackctl releases >/tmp/e2e.out
grep -E "^jwt .* env +$new_key .* done" /tmp/e2e.out >/dev/null && pass "releases lists the rotation env -> $new_key, done" \
  || { fail "releases shows no finished rotation"; cat /tmp/e2e.out; }

step "a deploy killed mid-rollout (SIGKILL) is found and repaired by the next command"
loops_start 3
bin/stackctl deploy --force --batch 1 >$e2e.killed 2>&1 &
deploy_pid=$!
for _ in $(seq 240); do [ "$(app_ids | wc -l)" -gt 2 ] && break; sleep 0.5; done
sleep 3 # inside the new replica's wait for /ready (8 s and more)
kill -9 "$deploy_pid"
wait "$deploy_pid" 2>/dev/null || true
[ "$(app_ids | wc -l)" = 3 ] && pass "the kill left 3 replicas where 2 are configured" || fail "$(app_ids | wc -l) replicas after the kill"
expect_exit 1 "health after the kill" -- bin/stackctl health
grep -q "deploy was interrupted" /tmp/e2e.err && pass "health names the interrupted deploy" || { fail "health is silent about it"; cat /tmp/e2e.err; }
expect_exit 0 "rollback after the killed deploy" -- bin/stackctl rollback
cat /tmp/e2e.err
grep -q "was interrupted: rolling back to r" /tmp/e2e.err && pass "rollback returns to the release the killed deploy was replacing, no further" \
  || fail "rollback did not repair the interrupted deploy"
loops_stop "the killed deploy and its repair"
[ "$(app_ids | wc -l)" = 2 ] && pass "2 replicas again" || fail "$(app_ids | wc -l) replicas after the repair"
[ "$(for c in $(app_ids); do docker inspect -f '{{.Image}} {{index .Config.Labels "com.docker.compose.config-hash"}}' "$c"; done | sort -u | wc -l)" = 1 ] \
  && pass "every replica runs one release" || fail "the replicas run mixed releases"
bin/stackctl releases >/tmp/e2e.out 2>&1
grep -q "interrupted" /tmp/e2e.out && pass "releases lists the killed deploy as interrupted" || { fail "no interrupted release"; cat /tmp/e2e.out; }
expect_exit 0 "health after the repair" -- bin/stackctl health

step "deploy --strategy bluegreen: one switch, the two sets never mixed"
blue=$(app_ids)
loops_start 3
( for _ in $(seq 600); do [ -f /tmp/e2e.stop ] && break
    grep -o '^server [0-9.]*' compose/generated/upstream.conf | cut -d' ' -f2 | sort | tr '\n' ' '; echo; sleep 0.1; done >/tmp/e2e.upstreams ) &
sampler=$!
expect_exit 0 "deploy --strategy bluegreen --force" -- bin/stackctl deploy --no-build --strategy bluegreen --force
cat /tmp/e2e.err /tmp/e2e.out
loops_stop "blue/green deploy"
wait "$sampler" || true
states=$(sort -u /tmp/e2e.upstreams | grep -c . || true)
[ "$states" = 2 ] && pass "nginx's upstream went from the old set to the new one in one step ($states states seen)" \
  || { fail "upstream states during blue/green: $states"; sort -u /tmp/e2e.upstreams; }
[ -z "$(comm -12 <(echo "$blue") <(app_ids))" ] && [ "$(app_ids | wc -l)" = 2 ] && pass "both replicas are new" || fail "old replicas left"
expect_exit 0 "health after the deploys" -- bin/stackctl health

step "AUTH_MODE=off by a deploy under load; with it off, curl and a drill need no token (the admin rotation below turns it back on)"
echo "AUTH_MODE=off" >>compose/.env
loops_start 2
expect_exit 0 "deploy to AUTH_MODE=off" -- bin/stackctl deploy --no-build --batch 3
loops_stop "deploy from AUTH_MODE=required to off"
[ "$(status_of "$url/tasks?limit=1")" = 200 ] && pass "AUTH_MODE=off: a request without a token gets 200" \
  || fail "AUTH_MODE=off: $(status_of "$url/tasks?limit=1") without a token"
expect_exit 0 "drill nginx-reload with AUTH_MODE=off" -- judged bin/stackctl drill nginx-reload --duration 5s
sed -i '/^AUTH_MODE=off$/d' compose/.env

# The rotation rolls out compose/.env as a deploy does: it also takes AUTH_MODE back to required (one deploy for two).
step "secrets rotate admin under load: a new password rolled out as a deploy, the old password's tokens end"
old_admin_token=$(cat $e2e.token)
old_password=$(sed -n 's/^ADMIN_PASSWORD=//p' compose/.env)
# The loops send a user's token: the admin's own ends with the rotation, by design.
printf '%s' "$user_token" >$e2e.token
loops_start 2
expect_exit 0 "secrets rotate admin --batch 3" -- bin/stackctl secrets rotate admin --batch 3
cat /tmp/e2e.err /tmp/e2e.out
loops_stop "the admin password rotation (and AUTH_MODE from off to required)"
[ "$(status_of "$url/tasks?limit=1")" = 401 ] && pass "AUTH_MODE=required again: no token, 401" \
  || fail "AUTH_MODE=required: $(status_of "$url/tasks?limit=1") without a token"
new_password=$(sed -n 's/^ADMIN_PASSWORD=//p' compose/.env)
[ -n "$new_password" ] && [ "$new_password" != "$old_password" ] && pass "compose/.env holds a new admin password" \
  || fail "the admin password did not change"
code=$(status_of -H "Authorization: Bearer $old_admin_token" "$url/auth/me")
[ "$code" = 401 ] && pass "the admin's token from before the rotation: 401" || fail "the old admin token got $code"
code=$(status_of -X POST -H 'content-type: application/json' -d "{\"username\":\"admin\",\"password\":\"$old_password\"}" "$url/auth/login")
[ "$code" = 401 ] && pass "the old password: 401" || fail "the old password got $code"
login
[ "$(status_of -H "$(bearer)" "$url/metrics")" = 200 ] && pass "the new password logs in as the admin" || fail "the new password does not log in"
bin/stackctl releases >/tmp/e2e.out
grep -E "^admin .* done" /tmp/e2e.out >/dev/null && pass "releases lists the admin rotation, done" \
  || { fail "releases shows no admin rotation"; cat /tmp/e2e.out; }
bin/stackctl releases --rotations -o json >/tmp/e2e.out
python3 - /tmp/e2e.out <<'PY' && pass "releases --rotations -o json: the jwt and admin rotations, done, no secret" || fail "releases --rotations -o json: $(head -c 400 /tmp/e2e.out)"
import json, sys
rotations = json.load(open(sys.argv[1]))
assert [r["secret"] for r in rotations][:2] == ["admin", "jwt"], rotations
assert all(r["status"] == "done" for r in rotations[:2]), rotations
PY

step "TLS inside the stack: STACK_INTERNAL_TLS=on, then up under load: the replicas roll onto TLS to PostgreSQL and Redis"
db_before=$(project_ps --filter label=com.docker.compose.service=db)
cache_before=$(project_ps --filter label=com.docker.compose.service=cache)
echo "STACK_INTERNAL_TLS=on" >>compose/.env
loops_start 2
expect_exit 0 "up --batch 3 with STACK_INTERNAL_TLS=on" -- bin/stackctl up --batch 3
loops_stop "switching TLS inside the stack on"
tail -n 5 /tmp/e2e.err
[ "$(project_ps --filter label=com.docker.compose.service=db)" = "$db_before" ] \
  && [ "$(project_ps --filter label=com.docker.compose.service=cache)" = "$cache_before" ] \
  && pass "db and cache served throughout: the switch rolled the replicas alone" || fail "the switch recreated db or cache"
sessions=$(psql_db "SELECT count(*) || ' ' || count(*) FILTER (WHERE s.ssl AND s.version IN ('TLSv1.2', 'TLSv1.3'))
  FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name LIKE 'taskmanager-%'")
[ "${sessions% *}" -gt 0 ] && [ "${sessions% *}" = "${sessions#* }" ] \
  && pass "every app database session is over TLS 1.2+ (${sessions% *} sessions)" || fail "app sessions, all and over TLS: $sessions"
cache_ctr=$(project_ps --filter label=com.docker.compose.service=cache)
ports=$(docker exec "$cache_ctr" sh /stack/cache/ops-cli.sh client list | grep ' user=taskmanager_app ' | grep -o ' laddr=[^ ]*' | sed 's/.*://' | sort | uniq -c | tr -s ' ' | tr '\n' ',' || true)
case "$ports" in
  " "[0-9]*" 6380,") pass "the app's Redis connections are all on the TLS port 6380 ($ports)" ;;
  *) fail "the app's Redis connections by local port: '$ports'" ;;
esac
curl -s -H "$(bearer)" "$url/cache/stats" | grep -q '"status":"up"' && pass "the app's cache is up, over TLS" \
  || fail "cache stats with internal TLS: $(curl -s -H "$(bearer)" "$url/cache/stats")"
# The app checks the name and the CA itself (verify-full); this says which certificate that is.
issuer=$(openssl x509 -in compose/tls/db/server.crt -noout -issuer -ext subjectAltName 2>&1 | tr '\n' ' ' || true)
case "$issuer" in
  *"stackctl taskmanager CA"*DNS:db*) pass "PostgreSQL's certificate names 'db' and comes from the stack's CA" ;;
  *) fail "the db's certificate: $issuer" ;;
esac
# certs renew --internal: new certificates, loaded by the running PostgreSQL and Redis, no restart, no request cut.
fp() { openssl x509 -noout -fingerprint -sha256 "$@" 2>/dev/null; }
# What each serves now, read over TLS from the db container (it carries openssl; the backend network reaches both).
served_fp() {
  docker exec "$(project_ps --filter label=com.docker.compose.service=db)" sh -c \
    "openssl s_client $1 </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256" 2>/dev/null || true
}
db_fp_before=$(fp -in compose/tls/db/server.crt); cache_fp_before=$(fp -in compose/tls/cache/server.crt)
[ "$(served_fp '-starttls postgres -connect 127.0.0.1:5432')" = "$db_fp_before" ] \
  && [ "$(served_fp '-connect cache:6380')" = "$cache_fp_before" ] \
  && pass "before: PostgreSQL and Redis serve the certificates of compose/tls/db and compose/tls/cache" \
  || fail "before the renewal the services serve other certificates than their files"
loops_start 2
expect_exit 0 "certs renew --internal under load" -- bin/stackctl certs renew --internal
loops_stop "certs renew --internal"
cat /tmp/e2e.err /tmp/e2e.out
db_fp=$(fp -in compose/tls/db/server.crt); cache_fp=$(fp -in compose/tls/cache/server.crt)
[ -n "$db_fp" ] && [ "$db_fp" != "$db_fp_before" ] && [ "$cache_fp" != "$cache_fp_before" ] \
  && [ "$(served_fp '-starttls postgres -connect 127.0.0.1:5432')" = "$db_fp" ] \
  && [ "$(served_fp '-connect cache:6380')" = "$cache_fp" ] \
  && [ "$(project_ps --filter label=com.docker.compose.service=db)" = "$db_before" ] \
  && [ "$(project_ps --filter label=com.docker.compose.service=cache)" = "$cache_before" ] \
  && pass "PostgreSQL and Redis serve their new certificates, in the containers they ran in before" \
  || fail "after certs renew --internal: db serves $(served_fp '-starttls postgres -connect 127.0.0.1:5432'), file $db_fp; cache serves $(served_fp '-connect cache:6380'), file $cache_fp"
curl -s -H "$(bearer)" "$url/cache/stats" | grep -q '"status":"up"' && pass "the app's cache is still up over TLS" \
  || fail "cache stats after the renewal"
bin/stackctl certs -o json >$e2e.out
python3 - $e2e.out <<'PY' && pass "certs -o json lists the db's and cache's certificates, a year ahead" || fail "certs -o json: $(head -c 600 $e2e.out)"
import json, sys
internal = {c["service"]: c for c in json.load(open(sys.argv[1]))["internal"]}
assert set(internal) == {"db", "cache"}, internal
assert all(c["days_left"] > 390 for c in internal.values()), internal
assert "db" in internal["db"]["names"] and "cache" in internal["cache"]["names"], internal
PY

step "secrets rotate db and redis under reads and writes: the replicas move to a new credential, the old one is refused"
# writes_start / writes_stop: one loop of task creations beside the read loops (reads may come from the cache; every
# write reaches the database).
writes_start() {
  curl -s --http1.1 -o /dev/null -w '%{stderr}%{http_code}\n' --max-time 5 --rate 10/s -H 'Connection: close' \
    -H "$(bearer)" -H 'content-type: application/json' -d '{"title":"written during a rotation"}' \
    "$url/tasks?w=[1-50000]" 2>$e2e.writes &
  writes_pid=$!
}
writes_stop() { # writes_stop WHAT
  kill "$writes_pid" 2>/dev/null || true
  wait "$writes_pid" 2>/dev/null || true
  [ -z "$(tail -c 1 $e2e.writes)" ] || sed -i '$d' $e2e.writes
  local total bad
  total=$(wc -l <$e2e.writes)
  bad=$(grep -vc '^201$' $e2e.writes || true)
  [ "$total" -gt 20 ] && [ "$bad" = 0 ] && pass "$1: 0 of $total task creations failed" \
    || fail "$1: $bad of $total task creations failed ($(grep -v '^201$' $e2e.writes | sort | uniq -c | tr '\n' ' '))"
}
# app_login_works LOGIN PASSWORD: that login, with that password, over the network as the replicas connect
app_login_works() {
  [ "$(docker exec -e PGPASSWORD="$2" "$(project_ps --filter label=com.docker.compose.service=db)" \
    bash -c 'psql -X -A -t -h "$(hostname -i | cut -d" " -f1)" -U "$0" -d taskmanager -c "SELECT current_user" 2>/dev/null' "$1" || true)" = taskmanager_app ]
}
# redis_auth_works PASSWORD: the app's Redis user with that password
redis_auth_works() {
  [ "$(docker exec -e REDISCLI_AUTH="$1" "$(project_ps --filter label=com.docker.compose.service=cache)" \
    redis-cli --no-auth-warning --user taskmanager_app ping 2>&1 || true)" = PONG ]
}
env_of() { sed -n "s/^$1=//p" compose/.env; }
rotate_under_load() { # rotate_under_load SECRET [OPTION...]: secrets rotate SECRET under two read loops and a write loop
  loops_start 2
  writes_start
  expect_exit 0 "secrets rotate $*" -- bin/stackctl secrets rotate "$@"
  cat /tmp/e2e.err
  writes_stop "secrets rotate $*"
  loops_stop "secrets rotate $*"
}
old_login=$(env_of APP_DB_USER); old_login=${old_login:-taskmanager_app}
old_db_password=$(env_of APP_DB_PASSWORD)
rotate_under_load db
new_login=$(env_of APP_DB_USER)
new_db_password=$(env_of APP_DB_PASSWORD)
[ -n "$new_login" ] && [ "$new_login" != "$old_login" ] && [ "$new_db_password" != "$old_db_password" ] \
  && pass "compose/.env names the other login ($old_login -> $new_login) with a new password" \
  || fail "after rotate db compose/.env names '$new_login' (was $old_login)"
app_login_works "$new_login" "$new_db_password" && pass "$new_login logs in with the new password and acts as taskmanager_app" \
  || fail "$new_login does not log in with the new password"
app_login_works "$old_login" "$old_db_password" && fail "$old_login still logs in with its old password" \
  || pass "$old_login is closed: its old password is refused"
sessions=$(psql_db "SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity WHERE application_name LIKE 'taskmanager-%'")
[ "$sessions" = "$new_login" ] && pass "every replica's database session is $new_login" || fail "the replicas' sessions are '$sessions'"

# A rotation killed after it opened the next login, before compose/.env changed, leaves that login open: the next
# rotation closes it first, then moves the replicas back to the first login with a password of its own.
printf '%s %s\n%s %s\n' "$new_login" "$new_db_password" "$old_login" "left-open-by-a-killed-rotation" >compose/secrets/db/app-logins
docker exec "$(project_ps --filter label=com.docker.compose.service=db)" bash /stack/db/ensure-roles.sh || true
app_login_works "$old_login" "left-open-by-a-killed-rotation" && pass "a killed rotation's state: $old_login open beside $new_login" \
  || fail "could not set up a half-done rotation"
expect_exit 0 "secrets rotate db --batch 3 after a half-done rotation" -- bin/stackctl secrets rotate db --batch 3
grep -q "finishing the rotation that stopped" /tmp/e2e.err && pass "the next rotation finished the half-done one first" \
  || { fail "no word of the half-done rotation"; cat /tmp/e2e.err; }
app_login_works "$old_login" "left-open-by-a-killed-rotation" && fail "the stray password of the killed rotation still logs in" \
  || pass "the killed rotation's stray password is refused"
[ "$(env_of APP_DB_USER)" = "$old_login" ] && app_login_works "$old_login" "$(env_of APP_DB_PASSWORD)" \
  && pass "the replicas are back on $old_login, with a new password" || fail "the second rotation did not move to $old_login"

old_redis_password=$(env_of REDIS_PASSWORD)
# One batch of three: rotate db above moves the replicas one at a time, the default.
rotate_under_load redis --batch 3
new_redis_password=$(env_of REDIS_PASSWORD)
[ -n "$new_redis_password" ] && [ "$new_redis_password" != "$old_redis_password" ] && redis_auth_works "$new_redis_password" \
  && pass "the app's Redis user answers to the new password" || fail "the new Redis password does not authenticate"
redis_auth_works "$old_redis_password" && fail "the old Redis password still authenticates" || pass "the old Redis password is refused"
bin/stackctl releases --rotations -o json >/tmp/e2e.out
python3 - /tmp/e2e.out <<'PY' && pass "releases --rotations: db twice and redis, done, no password in the history" || fail "releases --rotations: $(tail -c 600 /tmp/e2e.out)"
import json, sys
text = open(sys.argv[1]).read()
rotations = json.loads(text)
assert [(r["secret"], r["status"]) for r in rotations[:3]] == [("redis", "done"), ("db", "done"), ("db", "done")], rotations[:3]
secrets = [l.split("=", 1)[1].strip() for l in open("compose/.env") if l.startswith(("APP_DB_PASSWORD=", "REDIS_PASSWORD="))]
assert secrets and not any(s in text for s in secrets), "a password is in the rotation history"
PY
mounted=$(for c in $(app_ids); do docker inspect -f '{{range .Mounts}}{{if eq .Destination "/run/stack-app-secrets"}}{{.Source}}{{end}}{{end}}' "$c"; done | sort -u)
[ "$mounted" = "$PWD/compose/secrets/app/$(env_of APP_SECRETS_ID)" ] && [ "$(ls compose/secrets/app | wc -l)" = 1 ] \
  && pass "after three rotations every replica mounts the one folder of today's secrets; the replaced ones are gone" \
  || fail "replicas mount: $mounted; compose/secrets/app holds: $(ls compose/secrets/app | tr '\n' ' ')"

step "physical backups and continuous WAL archiving (pgBackRest, an encrypted repository on its own volume)"
expect_exit 0 "backup --type full -o json" -- bin/stackctl backup --type full -o json
full_label=$(python3 -c 'import json; print(json.load(open("/tmp/e2e.out"))["backup"]["label"])' 2>/dev/null || true)
[[ "$full_label" =~ F$ ]] && pass "a full backup $full_label is in the repository" || { fail "no full backup label: '$full_label'"; cat /tmp/e2e.out /tmp/e2e.err; }
[ "$(python3 -c 'import json; print(" ".join(str(c["repository"]) for c in json.load(open("/tmp/e2e.out"))["copies"]))' 2>/dev/null)" = "1 2" ] \
  && pass "the backup was taken into both repositories: the local volume and the S3 store" || { fail "copies: $(cat /tmp/e2e.out)"; }
curl -s -o /dev/null -X POST -H "$(bearer)" -H 'content-type: application/json' -d '{"title":"after the full backup"}' "$url/tasks"
expect_exit 0 "backup --type incr -o json" -- bin/stackctl backup --type incr -o json
python3 - "$full_label" <<'PY' && pass "the incremental backup builds on $full_label" || { fail "incr backup"; cat /tmp/e2e.out; }
import json, sys
b = json.load(open("/tmp/e2e.out"))["backup"]
sys.exit(0 if b["type"] == "incr" and b["reference"] == sys.argv[1] else 1)
PY
expect_exit 2 "backup --type weekly" -- bin/stackctl backup --type weekly
grep -q "full, diff or incr" /tmp/e2e.err && pass "a wrong backup type names the three" || fail "no line names the types"
# A write, its WAL segment finished at once: it reaches the repository within seconds, with no stackctl command.
curl -s -o /dev/null -X POST -H "$(bearer)" -H 'content-type: application/json' -d '{"title":"to the archive"}' "$url/tasks"
segment=$(psql_db "SELECT pg_walfile_name(pg_current_wal_lsn())")
psql_db "SELECT pg_switch_wal()" >/dev/null
archived=""
for _ in $(seq 1 30); do
  bin/stackctl backups status -o json >/tmp/e2e.status 2>/dev/null
  python3 - "$segment" <<'PY' && { archived=yes; break; }
import json, sys
a = json.load(open("/tmp/e2e.status"))["archiving"]
sys.exit(0 if a["on"] and a["last_archived_wal"][:24] >= sys.argv[1] and a["waiting"] == 0 and not a["failing"] else 1)
PY
  sleep 1
done
[ -n "$archived" ] && pass "WAL segment $segment was archived within seconds of being finished, none waits" \
  || { fail "segment $segment not archived"; cat /tmp/e2e.status; }
python3 - <<'PY' && pass "backups status: the repository is encrypted (aes-256-cbc) and lists both backups" || { fail "backups status"; cat /tmp/e2e.status; }
import json, sys
r = json.load(open("/tmp/e2e.status"))["repository"]
sys.exit(0 if r["cipher"] == "aes-256-cbc" and [b["type"] for b in r["backups"]][-2:] == ["full", "incr"] and r["wal_max"] else 1)
PY
db_c=$(project_ps --filter label=com.docker.compose.service=db)
key=$(sed -n 's/^BACKUP_CIPHER_PASS=//p' compose/.env)
heads=$(docker exec "$db_c" bash -c "while IFS= read -r -d '' f; do IFS= read -r -N 8 h <\"\$f\"; echo \"\$h\"; done < <(find /var/lib/pgbackrest -type f -size +0 -print0) | sort -u")
[ "$heads" = "Salted__" ] && [ ${#key} = 64 ] \
  && pass "every file of the repository is ciphertext, under the 256-bit key up generated into compose/.env" \
  || fail "repository files start with '$heads', key length ${#key}"
# Bundled (repo1-bundle): the data directory's ~1,600 small files go into a few objects, not one object each.
files=$(docker exec "$db_c" find /var/lib/pgbackrest/backup/stack/latest/ -type f | wc -l)
docker exec "$db_c" test -d /var/lib/pgbackrest/backup/stack/latest/bundle && [ "$files" -lt 100 ] \
  && pass "the newest backup is bundled: $files files in the repository, not one per file of the data directory" \
  || fail "the newest backup is not bundled: $files files"

step "the stack backs itself up: a schedule in compose/.env, run by its agent (an incremental backup and a proof)"
# One-shot Quartz expressions (seconds first, with the year): due once, 20 s from now, and never again. A job falls due
# under the schedule in force at its instant, so the agent this up recreates (in about 5 s) must run by then: the old
# one, whose schedule is off, records the instants it let pass (compose/state), and the new one starts after them.
# An agent that started after the instant (a busy host) gets a new instant and another up: the check then waits
# longer, and does not fail for it.
db_c=$(project_ps --filter label=com.docker.compose.service=db)
db_started=$(docker inspect -f '{{.State.StartedAt}}' "$db_c")
# A scratch volume left behind is one no container uses: the dangling volumes that were not there before (counting all
# volumes would count another scenario's, made meanwhile, when the scenarios run beside each other).
docker volume ls -q --filter dangling=true | sort >/tmp/e2e.dangling-before
for attempt in 1 2 3; do
  schedule_once 20
  up_code=0
  bin/stackctl up >/tmp/e2e.out 2>/tmp/e2e.err || up_code=$?
  agent_started=$(date -d "$(docker inspect -f '{{.State.StartedAt}}' "$(project_ps --filter label=com.docker.compose.service=upstream-agent)")" +%s)
  [ "$up_code" != 0 ] || [ "$agent_started" -lt $((due - 2)) ] && break
  echo "the agent started after the instant it had to run at (attempt $attempt): a new instant"
done
[ "$up_code" = 0 ] && pass "up (the agent takes the schedule) (exit 0)" || { fail "up (the agent takes the schedule): exit $up_code"; tail -n 5 /tmp/e2e.err; }
scheduled=""
for _ in $(seq 1 90); do
  bin/stackctl backups status -o json >/tmp/e2e.status 2>/dev/null
  python3 - <<'PY' && { scheduled=yes; break; }
import json, os, sys
jobs = {j["job"]: j for j in json.load(open("/tmp/e2e.status"))["schedule"]}
since = os.environ["schedule_since"]
sys.exit(0 if all(jobs[k]["last"] and jobs[k]["last"]["ok"] and jobs[k]["last"]["at"] >= since
                  for k in ("incr", "prove")) else 1)
PY
  sleep 1
done
python3 - <<'PY' || true
import json
for j in json.load(open("/tmp/e2e.status"))["schedule"]:
    print(j["job"], j["expression"], "next", j["next"], "last", j["last"])
PY
[ -n "$scheduled" ] && pass "the agent ran the incremental backup and the proof of every repository when they fell due, with no stackctl command" \
  || { fail "the schedule did not run: $(docker logs "$(project_ps --filter label=com.docker.compose.service=upstream-agent)" 2>&1 | grep backup-schedule | tail -5)"; }
python3 - <<'PY' && pass "the proof restored each repository to an instant and found exactly the markers committed before it" || fail "proofs: $(cat /tmp/e2e.status)"
import json, os, sys
proofs = json.load(open("/tmp/e2e.status"))["proofs"]
sys.exit(0 if sorted(p["repository"] for p in proofs
                     if p["passed"] and p["expected"] == p["restored"] and p["at"] >= os.environ["schedule_since"]) == [1, 2] else 1)
PY
[ "$(docker inspect -f '{{.State.StartedAt}}' "$db_c")" = "$db_started" ] && [ -z "$(docker ps -aq --filter name=taskmanager-prove)" ] \
  && [ -z "$(docker volume ls -q --filter dangling=true | sort | comm -13 /tmp/e2e.dangling-before -)" ] \
  && pass "the live database was not restarted, and the scratch container and its volume are gone" \
  || fail "the proof touched the live stack or left something behind: $(docker ps -a --filter name=prove) new dangling volumes: $(docker volume ls -q --filter dangling=true | sort | comm -13 /tmp/e2e.dangling-before - | xargs)"
python3 - <<'PY' && pass "backups status lists the scheduled incremental backup in both repositories" || fail "no scheduled incr in backups status"
import json, sys
d = json.load(open("/tmp/e2e.status"))
incr = [r for r in d["repositories"] if any(b["type"] == "incr" for b in r["backups"])]
sys.exit(0 if len(incr) == 2 else 1)
PY
expect_exit 2 "up with BACKUP_SCHEDULE_FULL=every sunday" -- env BACKUP_SCHEDULE_FULL="every sunday" bin/stackctl up
grep -q "BACKUP_SCHEDULE_FULL 'every sunday' is not a cron expression" /tmp/e2e.err && pass "a wrong schedule is refused before anything starts, naming the setting" \
  || fail "no clear refusal of a wrong schedule: $(cat /tmp/e2e.err)"

step "restore --to-time under a steady write load: exactly the writes acknowledged before the instant, none after; a second restore brings back none it threw away"
# start_writer PREFIX OUT STOP: in the background (writer_pid), creates tasks titled "PREFIX N" for up to 60 s, until
# the file STOP exists, and writes to OUT, for each task created, its id, when it sent the request and when the answer
# came.
start_writer() {
  rm -f "$3"
  python3 - "$url" "$(cat $e2e.token)" "$1" "$2" "$3" <<'PY' &
import json, os, ssl, sys, time, urllib.request
url, token, prefix, out, stop = sys.argv[1:6]
ctx = ssl.create_default_context(cafile="compose/tls/ca.crt")
deadline = time.time() + 60
with open(out, "w") as f:
    i = 0
    while time.time() < deadline and not os.path.exists(stop):
        i += 1
        sent = time.time()
        req = urllib.request.Request(url + "/tasks", data=json.dumps({"title": "%s %d" % (prefix, i)}).encode(),
                                     method="POST",
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=5, context=ctx) as r:
                f.write("%d %.6f %.6f\n" % (json.load(r)["task"]["id"], sent, time.time()))
                f.flush()
        except Exception:
            pass
        time.sleep(0.04)
PY
  writer_pid=$!
}
start_writer pitr /tmp/e2e.pitr-writes /tmp/e2e.pitr-stop
sleep 3
target_epoch=$(python3 -c 'import time; print("%.6f" % time.time())')
target=$(python3 -c 'import datetime,sys; print(datetime.datetime.fromtimestamp(float(sys.argv[1]), datetime.timezone.utc).isoformat().replace("+00:00","Z"))' "$target_epoch")
sleep 3
touch /tmp/e2e.pitr-stop; wait "$writer_pid" 2>/dev/null || true
# pitr_check WHAT: every task acknowledged before the target is in the database, none sent after it is
pitr_check() {
  psql_db "SELECT id FROM tasks WHERE title LIKE 'pitr %'" >/tmp/e2e.pitr-ids
  python3 - "$target_epoch" "$1" <<'PY'
import sys
t = float(sys.argv[1])
have = {int(l) for l in open("/tmp/e2e.pitr-ids") if l.strip()}
writes = [tuple(map(float, l.split())) for l in open("/tmp/e2e.pitr-writes") if l.strip()]
before = [int(w[0]) for w in writes if w[2] < t]
after = [int(w[0]) for w in writes if w[1] > t]
lost = [i for i in before if i not in have]
back = [i for i in after if i in have]
print("%s: %d writes acknowledged before the target, %d lost; %d sent after it, %d present" % (sys.argv[2], len(before), len(lost), len(after), len(back)))
sys.exit(0 if len(before) > 20 and len(after) > 20 and not lost and not back else 1)
PY
}
loops_start 2
expect_exit 0 "restore --to-time $target --yes (client loops reading)" -- bin/stackctl restore --to-time "$target" --yes
cat /tmp/e2e.err /tmp/e2e.out
loops_end
other=$(grep -vcE '^(200|503)$' $e2e.codes || true)
[ "$other" = 0 ] && pass "during it the readers got 200 or 503 maintenance ($(grep -c '^503$' $e2e.codes || true) of $(wc -l <$e2e.codes)), nothing else" \
  || fail "during the restore $other requests got neither 200 nor 503"
pitr_check "after restore --to-time" && pass "the database holds exactly the writes acknowledged before $target" || fail "restore --to-time lost or kept the wrong writes"
expect_exit 0 "a second restore, to now, in place with no rehearsal" -- bin/stackctl restore --to-time "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" --yes --no-rehearsal
grep -qE "no rehearsal: the restore rewrites [0-9]+ MiB of data from a [0-9]+ MiB backup in place, with [0-9.]+ GiB free" /tmp/e2e.err \
  && pass "without a rehearsal the disk under the db volume is measured against the in-place rewrite" || fail "no room check: $(grep -i rehears /tmp/e2e.err)"
pitr_check "after a second restore to now" && pass "the second restore followed the new timeline: none of the discarded writes came back" \
  || fail "the second restore brought back discarded writes"
expect_exit 1 "restore --to-time before the oldest backup" -- bin/stackctl restore --to-time 2020-01-01T00:00:00Z --yes
grep -q "restores to any instant from" /tmp/e2e.err && pass "the refusal gives the range the repository restores" || fail "no range in the refusal"

step "disk loss: the database's volume and its local repository deleted outright, restore --latest from S3 alone"
# A writer as above for 20 s; then the db container and both of its volumes go, as a lost disk takes them. Every write
# acknowledged more than ARCHIVE_TIMEOUT (10 s) and the segment's way out before the loss must come back from the
# off-host repository: PostgreSQL closes a segment up to ARCHIVE_TIMEOUT after the write in it (its clock counts whole
# seconds), then pgBackRest pushes it. The bound is 14 s: at 10 s, a write just after a segment switch and a loss just
# before that segment's push finished would fail a stack that kept its promise.
start_writer loss /tmp/e2e.loss-writes /tmp/e2e.loss-stop
loss_writer=$writer_pid
sleep 20
db_c=$(project_ps --filter label=com.docker.compose.service=db)
loss_epoch=$(python3 -c 'import time; print("%.6f" % time.time())')
docker rm -f "$db_c" >/dev/null
docker volume rm taskmanager_db-data taskmanager_db-backup >/dev/null && pass "the db container and its volumes (data, local repository) are gone" \
  || fail "could not delete the db volumes: $(docker volume ls)"
touch /tmp/e2e.loss-stop; wait "$loss_writer" 2>/dev/null || true
# The new disk is a device of the database's own (a loop device here), as an operator would give it after a loss:
# from here on a full database cannot fill the host, and drill all includes disk-full.
db_device=$(bash .ci/db-device.sh up) && pass "a new disk for the database: $db_device (ext4, 4 GiB)" || fail "no loop device for the new disk"
echo "DB_VOLUME_DEVICE=$db_device" >>compose/.env
start=$(date +%s%N)
expect_exit 0 "restore --latest --yes, from the S3 repository alone" -- bin/stackctl restore --latest --yes
echo "restore --latest took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cat /tmp/e2e.err /tmp/e2e.out
psql_db "SELECT id FROM tasks WHERE title LIKE 'loss %'" >/tmp/e2e.loss-ids
python3 - "$loss_epoch" <<'PY' && pass "every write acknowledged more than ARCHIVE_TIMEOUT and its push (14 s) before the loss is back" || fail "writes acknowledged long before the loss are missing"
import sys
loss = float(sys.argv[1])
have = {int(l) for l in open("/tmp/e2e.loss-ids") if l.strip()}
writes = [tuple(map(float, l.split())) for l in open("/tmp/e2e.loss-writes") if l.strip()]
old = [int(w[0]) for w in writes if w[2] < loss - 14]
lost_old = [i for i in old if i not in have]
back = [w for w in writes if int(w[0]) in have]
window = loss - max(w[2] for w in back) if back else float("nan")
print("%d writes acknowledged, %d of them more than 14 s before the loss (%d missing); %d back in all; the newest"
      " write back was acknowledged %.1f s before the loss (the loss window)" % (len(writes), len(old), len(lost_old), len(back), window))
sys.exit(0 if len(old) > 20 and not lost_old else 1)
PY
[ "$(status_of -H "$(bearer)" "$url/tasks?limit=1")" = 200 ] && pass "the API serves again on the restored database" || fail "API after the disk-loss restore"
on_device=$(docker exec "$(project_ps --filter label=com.docker.compose.service=db)" df -P /var/lib/postgresql/data | awk 'NR == 2 { print $1 }')
[ "$on_device" = "$db_device" ] && pass "the restored database lives on its own device ($on_device)" || fail "the database is on '$on_device', not $db_device"
# The objects s3proxy stores, read raw: each is OpenSSL ciphertext, and backup.info opens with the key and not without.
heads=$(object_heads "$s3_data")
info=$(find "$s3_data" -path '*/backup/stack/backup.info' | head -1)
key=$(sed -n 's/^BACKUP_CIPHER_PASS=//p' compose/.env)
# Into variables, not through grep -q: grep stopping early would end openssl with SIGPIPE, and pipefail fail the check.
with_key=$(openssl enc -d -aes-256-cbc -md sha1 -pass "pass:$key" -in "$info" 2>/dev/null || true)
without_key=$(openssl enc -d -aes-256-cbc -md sha1 -pass "pass:not-the-key" -in "$info" 2>/dev/null || true)
if [ "$heads" = "Salted__" ] && [ -n "$info" ] && [[ "$with_key" == "[backrest]"* ]] && [[ "$without_key" != *"[backrest]"* ]]; then
  pass "all $(find "$s3_data" -type f | wc -l) objects in the bucket are ciphertext; backup.info opens with BACKUP_CIPHER_PASS only"
else
  fail "objects in the bucket start with '$heads'; backup.info: '$info'"
fi

step "backups prove fails loudly when a WAL segment is removed from the repository (the schedule's proof passed above)"
# a_chain_past_a_segment WHAT: a full backup, then two writes that each close a WAL segment. Sets chain_target, an
# instant after both, and chain_segment, the first segment after the backup: any restore to chain_target needs it.
a_chain_past_a_segment() {
  expect_exit 0 "backup --type full -o json (a chain for $1)" -- bin/stackctl backup --type full -o json
  local wal_stop i
  wal_stop=$(python3 -c 'import json; print(json.load(open("/tmp/e2e.out"))["copies"][0]["wal_stop"])' 2>/dev/null || true)
  for i in 1 2; do
    curl -s -o /dev/null -X POST -H "$(bearer)" -H 'content-type: application/json' -d "{\"title\":\"$1 $i\"}" "$url/tasks"
    psql_db "SELECT pg_switch_wal()" >/dev/null
  done
  chain_target=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
  chain_segment=$(python3 -c 'import sys; s=sys.argv[1]; n=int(s[8:16],16)*256+int(s[16:24],16)+1; print(s[:8]+"%08X%08X"%(n//256,n%256))' "$wal_stop")
}
db_c=$(project_ps --filter label=com.docker.compose.service=db)
a_chain_past_a_segment "a removed segment"
prove_target=$chain_target segment=$chain_segment
expect_exit 0 "backups prove --repo 1 --to-time $prove_target" -- bin/stackctl backups prove --repo 1 --to-time "$prove_target"
grep -q "^repo1 proven to " /tmp/e2e.out && pass "repo1 proven to $prove_target: the restored database held exactly the markers committed before it" \
  || fail "repo1 not proven: $(cat /tmp/e2e.out /tmp/e2e.err)"
docker exec "$db_c" bash -c "rm -v /var/lib/pgbackrest/archive/stack/*/*/$segment-*" >/tmp/e2e.removed 2>&1 \
  && pass "WAL segment $segment removed from the local repository" || fail "could not remove $segment: $(cat /tmp/e2e.removed)"
expect_exit 1 "backups prove --repo 1 --to-time $prove_target, with $segment gone" -- bin/stackctl backups prove --repo 1 --to-time "$prove_target"
grep -q "^repo1 FAILED" /tmp/e2e.out && grep -q "recovery ended before" /tmp/e2e.out \
  && pass "the proof fails loudly: the restore cannot reach the instant" || fail "no loud failure: $(cat /tmp/e2e.out /tmp/e2e.err)"
bin/stackctl backups status -o json >/tmp/e2e.status 2>/dev/null
python3 - <<'PY' && pass "backups status records the failed proof of repo1 and the passed one of repo2" || { fail "proofs in backups status"; cat /tmp/e2e.status; }
import json, sys
proofs = {p["repository"]: p for p in json.load(open("/tmp/e2e.status"))["proofs"]}
sys.exit(0 if not proofs[1]["passed"] and proofs[2]["passed"] and proofs[2]["ready_seconds"] > 0 else 1)
PY
bin/stackctl backups status >/tmp/e2e.out 2>/dev/null
grep -q "^proven      repo1 FAILED .*: to .*, it never answered: .*recovery ended before" /tmp/e2e.out \
  && grep -q "^proven      repo2 passed .*, answering in [0-9.]*s$" /tmp/e2e.out \
  && pass "backups status says the failed proof never answered, and why" || fail "proof lines: $(grep '^proven' /tmp/e2e.out)"

step "a damaged WAL segment: the proof names it; a restore that needs it is refused by its rehearsal, the live database untouched"
a_chain_past_a_segment "a damaged segment"
damage_target=$chain_target segment=$chain_segment
# A copy cut to half its size (a write that never finished): encrypted, it fails to decrypt every time. Bytes
# overwritten in the middle fail in more than one way (zstd's "Data corruption detected", "unexpected eof"), and a
# stretch of raw literals could even decompress to a wrong segment that only PostgreSQL's own checks would catch.
damage() { truncate -s $(( $(stat -c %s "$1") / 2 )) "$1"; }
local_copy=""
for _ in $(seq 1 30); do
  local_copy=$(docker exec "$db_c" bash -c "ls /var/lib/pgbackrest/archive/stack/*/*/$segment-* 2>/dev/null" || true)
  [ -n "$local_copy" ] && break
  sleep 1
done
docker exec "$db_c" bash -c "$(declare -f damage); damage '$local_copy'" \
  && pass "WAL segment $segment damaged in the local repository" || fail "could not damage $segment: '$local_copy'"
expect_exit 1 "backups prove --repo 1 --to-time $damage_target, with $segment damaged" -- bin/stackctl backups prove --repo 1 --to-time "$damage_target"
grep -q "^repo1 FAILED" /tmp/e2e.out && grep -q "unable to get $segment" /tmp/e2e.out && grep -q "repo1: [^ ]*$segment-[^ ]* \[" /tmp/e2e.out \
  && pass "the proof of repo1 fails, naming the segment and the damage" || fail "no loud failure: $(cat /tmp/e2e.out /tmp/e2e.err)"
s3_copy=$(find "$s3_data" -name "$segment-*" | head -1)
[ -n "$s3_copy" ] && damage "$s3_copy" && pass "WAL segment $segment damaged in the S3 repository too (s3proxy's files)" \
  || fail "no S3 copy of $segment under $s3_data"
started=$(docker inspect -f '{{.State.StartedAt}}' "$db_c")
expect_exit 4 "restore --to-time $damage_target --yes, with $segment damaged in both repositories" -- bin/stackctl restore --to-time "$damage_target" --yes
grep -q "cannot be read from any repository (repo1, repo2)" /tmp/e2e.err && grep -q "the database was not touched" /tmp/e2e.err \
  && pass "refused by the rehearsal, naming the segment and what to do" || fail "not refused as it should be: $(cat /tmp/e2e.out /tmp/e2e.err)"
[ "$(docker inspect -f '{{.State.StartedAt}}' "$db_c")" = "$started" ] \
  && [ "$(status_of -H "$(bearer)" "$url/tasks?limit=1")" = 200 ] \
  && pass "the live database never stopped and the API serves" || fail "the live database was touched"
expect_exit 0 "backup --type full (a chain that does not need $segment)" -- bin/stackctl backup --type full

step "the S3 store down: a backup is refused at once, naming it; backups status says so; archiving heals when it is back"
bash .ci/s3proxy.sh stop /tmp/e2e-s3proxy
start=$(date +%s)
expect_exit 4 "backup --type incr with the S3 store down" -- bin/stackctl backup --type incr
took=$(( $(date +%s) - start ))
[ "$took" -lt 30 ] && grep -q "no connection to host.docker.internal" /tmp/e2e.err && grep -q "BACKUP_S3_ENDPOINT" /tmp/e2e.err \
  && pass "refused in ${took} s, naming the endpoint that does not answer and what to check" || fail "after ${took} s: $(cat /tmp/e2e.err)"
expect_exit 0 "backups status with the S3 store down" -- bin/stackctl backups status
grep -q "^repo2 .*UNREADABLE: unreachable" /tmp/e2e.out && pass "backups status shows repo2 unreachable and repo1 as it is" \
  || fail "backups status: $(cat /tmp/e2e.out)"
bash .ci/s3proxy.sh start /tmp/e2e-s3proxy >/dev/null
psql_db "SELECT pg_switch_wal()" >/dev/null # a finished segment wakes the archiver, which retries what waits
healed=""
for _ in $(seq 1 60); do
  bin/stackctl backups status -o json >/tmp/e2e.status 2>/dev/null
  python3 - <<'PY' && { healed=yes; break; }
import json, sys
d = json.load(open("/tmp/e2e.status"))
a = d["archiving"]
sys.exit(0 if a["waiting"] == 0 and not a["failing"] and all(r["readable"] for r in d["repositories"]) else 1)
PY
  sleep 1
done
[ -n "$healed" ] && pass "with the store back, the WAL that waited reached both repositories with no stackctl command" \
  || { fail "archiving did not heal"; cat /tmp/e2e.status; }

step "backup, verify, restore, refuse a damaged dump"
db_count() { psql_db "SELECT count(*) FROM tasks"; }
create() { curl -s -X POST -H "$(bearer)" -H 'content-type: application/json' -d "{\"title\":\"$1\"}" "$url/tasks" | python3 -c 'import json,sys; print(json.load(sys.stdin)["task"]["id"])'; }
# One curl on one kept-alive connection, under the per-user limit (100 a second): 50 processes of curl and python3
# each took 25-43 s of a busy CI host.
created=$(curl -s -o /dev/null -w '%{http_code}\n' --rate 40/s -X POST -H "$(bearer)" -H 'content-type: application/json' \
  -d '{"title":"before backup"}' "$url/tasks?n=[1-50]" | grep -c '^201$' || true)
[ "$created" = 50 ] && pass "50 tasks written before the backup" || fail "$created of 50 creates before the backup answered 201"
backed_up=$(db_count)
expect_exit 0 "backup -o json" -- bin/stackctl backup -o json
dump=$(python3 -c 'import json; print(json.load(open("/tmp/e2e.out"))["file"])')
counted=$(python3 -c 'import json; print(json.load(open("/tmp/e2e.out"))["manifest"]["row_counts"]["public.tasks"])')
[ -s "$dump" ] && [ "$counted" = "$backed_up" ] && pass "dump $dump holds $counted tasks, as the database did" \
  || fail "backup: file '$dump', manifest counts $counted, database had $backed_up"
[ -z "$(find backup/dumps -name '.partial-*')" ] && pass "no partial file left behind" || fail "partial files left"
expect_exit 0 "backups verify latest" -- bin/stackctl backups verify latest
cat /tmp/e2e.out
later=$(create "after backup")
curl -s -o /dev/null -H "$(bearer)" "$url/tasks/$later" # now cached
[ "$(db_count)" = $((backed_up + 1)) ] && pass "a task written after the backup" || fail "write after backup"
expect_exit 1 "restore answered 'no' is refused" -- bin/stackctl restore latest <<<"no"
[ "$(db_count)" = $((backed_up + 1)) ] && pass "an unconfirmed restore changed nothing" || fail "unconfirmed restore changed data"
mkdir -p /tmp/e2e-damaged && cp "$dump" "${dump%.dump}.manifest.json" /tmp/e2e-damaged/
damaged="/tmp/e2e-damaged/$(basename "$dump")"
python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=0xff; open(p,'wb').write(b)" "$damaged"
expect_exit 1 "restore of a damaged dump" -- bin/stackctl restore "$damaged" --yes
grep -q "checksum mismatch" /tmp/e2e.err && pass "the refusal names the checksum mismatch" || fail "no checksum line"
[ "$(db_count)" = $((backed_up + 1)) ] && pass "the refused restore left the data as it was" || fail "refused restore changed data"
mkdir -p /tmp/e2e-other && cp "$dump" /tmp/e2e-other/
python3 -c "import json,sys; m=json.load(open(sys.argv[1])); m['project']='staging'; json.dump(m, open(sys.argv[2], 'w'))" \
  "${dump%.dump}.manifest.json" "/tmp/e2e-other/$(basename "${dump%.dump}").manifest.json"
expect_exit 1 "restore of another project's dump" -- bin/stackctl restore "/tmp/e2e-other/$(basename "$dump")" --yes
grep -q "is a backup of project 'staging', not of 'taskmanager'" /tmp/e2e.err && grep -q -- "--from-project staging" /tmp/e2e.err \
  && pass "the refusal names both projects and --from-project" || { fail "no project refusal"; cat /tmp/e2e.err; }
[ "$(db_count)" = $((backed_up + 1)) ] && pass "the refused restore of another project's dump changed nothing" || fail "data changed"
loops_start 2
expect_exit 0 "restore latest --yes (client loops running)" -- bin/stackctl restore latest --yes
cat /tmp/e2e.err /tmp/e2e.out
sleep 1
loops_end
other=$(grep -vcE '^(200|503)$' /tmp/e2e.codes || true)
maint=$(grep -c '^503$' /tmp/e2e.codes || true)
echo "during the restore: $(wc -l </tmp/e2e.codes) requests, $maint answered 503 maintenance, $other other than 200/503"
[ "$other" = 0 ] && pass "during the restore clients got 200 or the 503 maintenance answer, nothing else" \
  || fail "during the restore $other requests got neither 200 nor 503"
login # the restore brought back the users table of the backup
body=$(curl -s -H "$(bearer)" "$url/tasks?limit=1")
grep -q '"source"' <<<"$body" && pass "after the restore the API serves again" || fail "after the restore: $body"
[ ! -e compose/generated/maintenance/on.conf ] && pass "the maintenance answer is off again" || fail "maintenance left on"
[ "$(db_count)" = "$backed_up" ] && pass "restore brought back the $backed_up backed-up tasks" || fail "restore: $(db_count) tasks"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$(bearer)" "$url/tasks/$later")
[ "$code" = 404 ] && pass "the task written after the backup is gone, also from the cache (404)" || fail "GET after restore: $code"
step "a restore killed mid-way (SIGKILL) is found and finished by the next command"
# A reader's lock holds the restore at its first statement; stackctl is killed while it waits, then the reader
# goes. The restore runs on inside the db container and commits after its stackctl is gone: the next command must
# see that.
late=$(create "after the backup, before the killed restore")
curl -s -o /dev/null -H "$(bearer)" "$url/tasks/$late" # now cached
db_ctr=$(project_ps --filter label=com.docker.compose.service=db)
docker exec -e PGAPPNAME=e2e-reader "$db_ctr" psql -X -q -U taskmanager -d taskmanager \
  -c "BEGIN; LOCK TABLE tasks IN ACCESS SHARE MODE; SELECT pg_sleep(90); COMMIT;" >/dev/null 2>&1 &
reader=$!
bin/stackctl restore latest --yes >$e2e.killed 2>&1 &
restore_pid=$!
for _ in $(seq 240); do [ "$(psql_db "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'stackctl-restore-%'")" = 1 ] && break; sleep 0.25; done
kill -9 "$restore_pid"
wait "$restore_pid" 2>/dev/null || true
psql_db "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'e2e-reader'" >/dev/null
wait "$reader" 2>/dev/null || true
for _ in $(seq 120); do [ "$(psql_db "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'stackctl-restore-%'")" = 0 ] && break; sleep 0.25; done
[ -e compose/generated/maintenance/on.conf ] && pass "the killed restore left nginx in maintenance (no hook runs on SIGKILL)" || fail "no maintenance left: was the restore killed?"
expect_exit 1 "health after the killed restore" -- bin/stackctl health
grep -q "was interrupted" /tmp/e2e.err && pass "health names the interrupted restore" || { fail "health is silent about it"; cat /tmp/e2e.err; }
expect_exit 0 "up after the killed restore" -- bin/stackctl up
grep -q "was interrupted after it committed" /tmp/e2e.err && pass "up says the restore committed after its stackctl died, and finished it" \
  || { fail "up did not finish the interrupted restore"; cat /tmp/e2e.err; }
login
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$(bearer)" "$url/tasks/$late")
[ "$code" = 404 ] && pass "the task written after the backup is gone, also from the cache (404)" || fail "GET after the finished restore: $code"
[ ! -e compose/generated/maintenance/on.conf ] && pass "the maintenance answer is off again" || fail "maintenance left on"
expect_exit 0 "health after up finished the restore" -- bin/stackctl health

step "backups are bound to their schema version"
schema_version() { psql_db "SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank DESC LIMIT 1"; }
downgrade_to_v2() { psql_db "ALTER TABLE tasks DROP COLUMN owner_id; DROP TABLE users; DELETE FROM flyway_schema_history WHERE version = '3'"; }
migrate_by_restarting_a_replica() {
  docker restart "$(app_ids | head -n 1)" >/dev/null
  for _ in $(seq 120); do [ "$(schema_version)" = 3 ] && break; sleep 0.5; done
  for _ in $(seq 120); do all_healthy "$(project_ps | wc -l)" && break; sleep 0.5; done
}
[ "$(schema_version)" = 3 ] && pass "the live schema is at V3" || fail "live schema at '$(schema_version)'"
expect_exit 0 "backup at V3" -- bin/stackctl backup -o json
v3_dump=$(python3 -c 'import json; print(json.load(open("/tmp/e2e.out"))["file"])')
[ "$(python3 -c 'import json; print(json.load(open("/tmp/e2e.out"))["manifest"]["schema_version"])')" = 3 ] \
  && pass "the manifest records schema version 3" || fail "no schema version in the manifest"
[ "$(stat -c %a "$v3_dump")" = 600 ] && pass "the dump is readable by its owner only (0600)" || fail "dump mode $(stat -c %a "$v3_dump")"
downgrade_to_v2
expect_exit 0 "backup at V2 (before users)" -- bin/stackctl backup -o json
v2_dump=$(python3 -c 'import json; print(json.load(open("/tmp/e2e.out"))["file"])')
expect_exit 1 "restore of a V3 dump while the database is at V2 is refused" -- bin/stackctl restore "$v3_dump" --yes
grep -q "newer than the running app's V2" /tmp/e2e.err && pass "the refusal names both schema versions" || { fail "no schema refusal"; cat /tmp/e2e.err; }
[ "$(schema_version)" = 2 ] && pass "the refused restore changed nothing" || fail "schema now '$(schema_version)'"
expect_exit 1 "backups verify of the V3 dump says it cannot be restored here" -- bin/stackctl backups verify "$v3_dump"
migrate_by_restarting_a_replica
[ "$(schema_version)" = 3 ] && pass "a restarted replica migrated the database back to V3" || fail "schema at '$(schema_version)'"
login
loops_start 2
expect_exit 0 "restore of the V2 dump (no users) into the V3 database" -- bin/stackctl restore "$v2_dump" --yes
cat /tmp/e2e.err
sleep 1; loops_end
# The V2 dump has no users: the migration makes a new users table and the restarted replica a new admin under the
# same id, so the loops' token (of the admin before) names an account that no longer exists: 401 from then on.
other=$(grep -vcE '^(200|503|401)$' /tmp/e2e.codes || true)
[ "$other" = 0 ] && pass "during the restore and migration clients got 200, 503 maintenance, or 401 once their account was gone" \
  || fail "$other other answers"
[ "$(status_of -H "$(bearer)" "$url/tasks?limit=1")" = 401 ] \
  && pass "a token whose account the restore replaced is refused, though a new account has its id" || fail "the old admin token still works"
[ "$(schema_version)" = 3 ] && pass "the app migrated the restored V2 schema to V3" || fail "schema at '$(schema_version)' after restore"
[ "$(psql_db "SELECT count(*) FROM tasks WHERE owner_id = 1")" = "$(psql_db "SELECT count(*) FROM tasks")" ] \
  && pass "every task from before users belongs to the default owner" || fail "tasks without the default owner"
login # the migration made a new users table; the restarted replica created the admin again
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "$(bearer)" -H 'content-type: application/json' -H 'Idempotency-Key: e2e-after-migration' \
  -d '{"title":"after the migration"}' "$url/tasks")
[ "$code" = 201 ] && pass "a create with an Idempotency-Key works on the migrated schema" || fail "create after migration: $code"

expect_exit 0 "backups list" -- bin/stackctl backups list
cat /tmp/e2e.out
expect_exit 0 "backups prune --dry-run" -- bin/stackctl backups prune --keep-daily 1 --dry-run
expect_exit 2 "backups prune keeping nothing" -- bin/stackctl backups prune --keep-daily 0 --keep-weekly 0 --keep-monthly 0

step "a flood of wrong admin logins does not lock stackctl out (it uses the operator token)"
for i in $(seq 12); do status_of -X POST -H 'content-type: application/json' -d "{\"username\":\"admin\",\"password\":\"wrong $i\"}" "$url/auth/login" >>/tmp/e2e.flood; echo >>/tmp/e2e.flood; done
grep -q 429 /tmp/e2e.flood && pass "the admin's logins are locked (429)" || fail "no 429 after 12 wrong logins: $(tr '\n' ' ' </tmp/e2e.flood)"
expect_exit 0 "drill nginx-reload while the admin's logins are locked" -- judged bin/stackctl drill nginx-reload --duration 2s

step "a login flood from one address is limited at the edge (nginx, per source, whatever the address)"
# Random usernames: the app's per-username limit never applies, so a 429 here is nginx's. 40 at once: more than
# the burst arrive together, whatever the app's speed (12 at a time went no faster than the app answered). /auth/login/ with a
# trailing slash reaches the login route in the app, and must reach the limit in nginx too.
seq 100 | xargs -P 40 -I{} curl -s -o /dev/null -w '%{http_code}\n' -X POST -H 'content-type: application/json' \
  -d '{"username":"flood{}x","password":"not the password"}' "$url/auth/login/" >/tmp/e2e.srcflood
edge=$(grep -c '^429$' /tmp/e2e.srcflood || true)
[ "$edge" -gt 0 ] && pass "nginx answered $edge of 100 logins (40 at a time) from one address 429 (10 a second, burst 20)" \
  || fail "no 429 from nginx: $(sort /tmp/e2e.srcflood | uniq -c | tr '\n' ' ')"
[ "$(grep -cvE '^(401|429|503)$' /tmp/e2e.srcflood)" = 0 ] && pass "the flood got only 401, 429 or 503" \
  || fail "other answers: $(sort /tmp/e2e.srcflood | uniq -c | tr '\n' ' ')"
[ "$(status_of -H "$(bearer)" "$url/tasks?limit=1")" = 200 ] && pass "the API still serves that address" || fail "the API refused"
sleep 2.5 # the address's bucket drains (10 a second) before the next logins

step "drills"
cache=$(docker ps -q --filter label=com.docker.compose.project=taskmanager --filter label=com.docker.compose.service=cache)
docker stop "$cache" >/dev/null
expect_exit 3 "a drill refuses an unhealthy stack" -- bin/stackctl drill nginx-reload --duration 1s
docker start "$cache" >/dev/null
for _ in $(seq 60); do bin/stackctl health >/dev/null 2>&1 && break; sleep 1; done
bystander=e2eb$RANDOM
status_of -X POST -H 'content-type: application/json' \
  -d "{\"username\":\"$bystander\",\"email\":\"$bystander@example.org\",\"password\":\"e2e password 123\"}" "$url/auth/register" >/dev/null
bystander_token=$(curl -s -X POST -H 'content-type: application/json' -d "{\"username\":\"$bystander\",\"password\":\"e2e password 123\"}" \
  "$url/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
# The lock is tested on drill all itself (one run of the drills, not two): while it runs, scale is refused.
start=$(date +%s)
bin/stackctl drill all --duration 3s >/tmp/e2e.drill.out 2>/tmp/e2e.drill.err &
drill_pid=$!
for _ in $(seq 100); do [ -s compose/locks/taskmanager.lock ] && grep -q "drill all --duration 3s" compose/locks/taskmanager.lock && break; sleep 0.1; done
expect_exit 3 "scale while a drill runs is refused" -- bin/stackctl scale app=3
grep -q "locked by another stackctl command: pid $drill_pid running 'stackctl drill all" /tmp/e2e.err \
  && pass "the refusal names the holder (pid $drill_pid, its command)" || { fail "no holder in the refusal"; cat /tmp/e2e.err; }
# A user's tasks whose titles begin like the drills' and bench's own, written while the drills run (a request may meet
# the replica a drill just killed: sent again until it is taken).
for title in "drill notes of a user" "bench notes of a user"; do
  for _ in $(seq 10); do
    [ "$(status_of -X POST -H "Authorization: Bearer $bystander_token" -H 'content-type: application/json' -d "{\"title\":\"$title\"}" "$url/tasks")" = 201 ] && break
    sleep 0.5
  done
done
wait "$drill_pid" && pass "drill all --duration 3s, holding the lock (exit 0)" || fail "drill all --duration 3s failed"
cp /tmp/e2e.drill.out /tmp/e2e.out; cp /tmp/e2e.drill.err /tmp/e2e.err
cat /tmp/e2e.out
echo "drill all took $(( $(date +%s) - start )) s"
left=$(psql_db "SELECT count(*) FROM tasks WHERE title ~ '^drill [0-9a-f]{8} '")
[ "$left" = 0 ] && pass "the drills removed their tasks from the database" || fail "$left drill tasks left behind"
grep -q "crashed .* SIGKILL to its java process, through the engine" /tmp/e2e.err \
  && pass "kill-replica crashed the replica through the engine (no host pid)" || fail "kill-replica did not crash through the engine"
grep -q "drills: 13 passed, 0 failed" /tmp/e2e.out && pass "all 13 drills held their hypotheses" \
  || { fail "drills"; grep -E "^(drill |FAIL|failed requests|  [a-z]+ at )" /tmp/e2e.out; grep "^error:" /tmp/e2e.err; }
for d in cache-partition cache-loss cache-latency db-partition db-latency replica-partition disk-full; do
  grep -q "^drill $d: PASSED" /tmp/e2e.out && pass "drill $d passed" || fail "drill $d did not pass"
done
grep -q "20% packet loss between .*cache" /tmp/e2e.err && pass "cache-loss dropped 20% of the cache's packets" || fail "no cache-loss fault line"
grep -q "200 ms +/- 50 ms of added latency between .*app.*:5432" /tmp/e2e.err && pass "db-latency put 200 ms +/- 50 ms between the replicas and PostgreSQL" \
  || fail "no db-latency fault line"
grep -q "100 ms +/- 20 ms of added latency between .*app.*:6379,6380" /tmp/e2e.err && pass "cache-latency put 100 ms +/- 20 ms between the replicas and Redis" \
  || fail "no cache-latency fault line"
grep -qE "^PASS  the slow cache is bypassed" /tmp/e2e.out && pass "cache-latency: the slow cache was bypassed (reads from PostgreSQL)" \
  || fail "cache-latency did not see the cache bypassed"
grep -qE "^PASS  the latency was in the path" /tmp/e2e.out && pass "db-latency measured the latency in the creates' path (not a no-op)" \
  || fail "db-latency did not measure its latency"
report=$(sed -n 's/^report: //p' /tmp/e2e.out)
[ -s "$report" ] && [ -s "$(dirname "$report")/summary.json" ] && pass "drill all wrote report.html and summary.json ($report)" \
  || fail "no drill report in '$report'"
[ "$(grep -c '<rect class="fault"' "$report")" = 13 ] && pass "the report shades a fault window in each of the 13 drills" \
  || fail "fault windows in the report: $(grep -c '<rect class="fault"' "$report")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["drills"]) == 13 and all(x["timeline"]["buckets"] for x in d["drills"])' \
  "$(dirname "$report")/summary.json" && pass "summary.json holds each drill's timeline" || fail "summary.json has no timelines"
grep -qE "^PASS  the disk was full: PostgreSQL could not grow a file" /tmp/e2e.out && pass "disk-full filled the database's device for real" \
  || fail "disk-full did not prove the disk full"
[ -z "$(docker ps -aq --filter label=io.stackctl.fault.project=taskmanager)" ] && pass "no fault helper container is left after the drills" \
  || fail "fault helpers left: $(docker ps -a --filter label=io.stackctl.fault.project=taskmanager --format '{{.Names}}')"

step "a network fault outlives no stackctl: drill killed with SIGKILL, its helper too, then any command clears it"
fault_rules() { # fault_rules CONTAINER: the fault chain's rules in the container's own network namespace
  nsenter -t "$(docker inspect -f '{{.State.Pid}}' "$1")" -n iptables -S 2>/dev/null | grep -c STACKCTL-FAULT || true
}
db_ctr=$(project_ps --filter label=com.docker.compose.service=db)
bin/stackctl drill db-partition --duration 8s >/tmp/e2e.kd.out 2>&1 &
kd_pid=$!
for _ in $(seq 400); do grep -q "in place after" /tmp/e2e.kd.out && break; sleep 0.1; done
grep -q "in place after" /tmp/e2e.kd.out && pass "the drill cut the db off" || { fail "the partition never came"; cat /tmp/e2e.kd.out; }
helper=$(docker ps -q --filter label=io.stackctl.fault=netfault --filter label=io.stackctl.fault.project=taskmanager)
[ -n "$helper" ] && pass "its helper runs, labelled with the project" || fail "no labelled helper"
[ "$(fault_rules "$db_ctr")" -gt 0 ] && pass "the rules are in the db container's namespace (not the host's)" || fail "no rules in db's namespace"
iptables -S 2>/dev/null | grep -q STACKCTL-FAULT && fail "the host's firewall got fault rules" || pass "the host's firewall has no fault rule"
kill -9 "$kd_pid"; wait "$kd_pid" 2>/dev/null || true
docker kill "$helper" >/dev/null # SIGKILL: its trap never runs, the rules stay behind
[ "$(fault_rules "$db_ctr")" -gt 0 ] && pass "with stackctl and the helper killed, the partition is still in place" || fail "the rules went away by themselves"
expect_exit 0 "status after the killed drill" -- bin/stackctl status
grep -q "warning: a fault helper left behind, removed: partition" /tmp/e2e.err && pass "status says it removed the fault the killed drill left" \
  || { fail "status did not report the left fault"; cat /tmp/e2e.err; }
[ "$(fault_rules "$db_ctr")" = 0 ] && pass "the db container's namespace has no fault rule left" || fail "rules left in db's namespace"
[ -z "$(docker ps -aq --filter label=io.stackctl.fault.project=taskmanager)" ] && pass "no helper container left" || fail "helpers left"
for _ in $(seq 60); do bin/stackctl health >/dev/null 2>&1 && break; sleep 1; done
expect_exit 0 "health once the fault is gone" -- bin/stackctl health
# The dead man's switch on its own: a helper whose stackctl never comes back removes its rules at its time to live.
cache_ctr=$(project_ps --filter label=com.docker.compose.service=cache)
docker run -d --name e2e-netfault-ttl --network "container:$cache_ctr" --cap-add NET_ADMIN stackctl/netfault:latest hold 2 drop 192.0.2.1 >/dev/null
sleep 1
[ "$(fault_rules "$cache_ctr")" -gt 0 ] && pass "a helper holding a fault for 2 s put its rules in place" || fail "the TTL helper applied nothing"
for _ in $(seq 50); do [ "$(docker inspect -f '{{.State.Running}}' e2e-netfault-ttl)" = false ] && break; sleep 0.2; done
[ "$(docker inspect -f '{{.State.ExitCode}}' e2e-netfault-ttl)" = 0 ] && [ "$(fault_rules "$cache_ctr")" = 0 ] \
  && pass "at its time to live it removed them and exited 0" || fail "the TTL helper left rules (or failed): $(docker logs e2e-netfault-ttl 2>&1)"
docker rm -f e2e-netfault-ttl >/dev/null

step "a full disk outlives no stackctl: drill disk-full killed with SIGKILL, its helper too, then any command frees the space"
db_ctr=$(project_ps --filter label=com.docker.compose.service=db)
fills() { docker exec "$db_ctr" sh -c 'ls /var/lib/postgresql/data/.stackctl-disk-full.* 2>/dev/null | wc -l'; }
room() { docker exec "$db_ctr" df -P /var/lib/postgresql/data | awk 'NR == 2 { print $4 }'; }
cache_ctr=$(project_ps --filter label=com.docker.compose.service=cache)
# The cache's volume is a folder of the host's disk: the helper refuses it (exit 3) and writes nothing there.
refusal=$(docker run --rm --volumes-from "$cache_ctr" stackctl/netfault:latest disk hold 5 /data 2>&1) && code=0 || code=$?
[ "$code" = 3 ] && [[ "$refusal" == *"not a filesystem of its own"* ]] && [ -z "$(docker exec "$cache_ctr" sh -c 'ls -A /data | grep stackctl-disk-full' || true)" ] \
  && pass "the fill refuses a folder of the host's disk (exit 3: $refusal)" || fail "the fill took the host's disk: exit $code, $refusal"
bin/stackctl drill disk-full --duration 8s >/tmp/e2e.kf.out 2>&1 &
kf_pid=$!
for _ in $(seq 600); do grep -q " full in " /tmp/e2e.kf.out && break; sleep 0.1; done
grep -q " full in " /tmp/e2e.kf.out && [ "$(room)" = 0 ] && pass "the drill filled the database's device: 0 KiB left to PostgreSQL" \
  || { fail "the disk never filled ($(room) KiB left)"; cat /tmp/e2e.kf.out; }
kill -9 "$kf_pid"; wait "$kf_pid" 2>/dev/null || true
docker kill "$(docker ps -q --filter label=io.stackctl.fault=diskfill)" >/dev/null # SIGKILL: its trap never runs
[ "$(fills)" = 1 ] && pass "with stackctl and the helper killed, the disk stays full" || fail "the fill went away by itself ($(fills))"
# PostgreSQL stopped while the disk is full (as after a PANIC of its WAL) waits for room instead of exiting into
# Docker's doubling restart delay, and starts once the room is back.
docker restart -t 30 "$db_ctr" >/dev/null
db_log=""
for _ in $(seq 100); do db_log=$(docker logs --since 60s "$db_ctr" 2>&1); [[ "$db_log" == *"waiting for space"* ]] && break; sleep 0.2; done
[[ "$db_log" == *"waiting for space: 0 MB free"* ]] && pass "restarted on a full disk, the db waits for space and says so" \
  || fail "no wait for space in the db's log: $(tail -n 5 <<<"$db_log")"
expect_exit 0 "status after the killed drill" -- bin/stackctl status
freed_at=$(date +%s%N)
for _ in $(seq 100); do docker exec "$db_ctr" pg_isready -h 127.0.0.1 -q && break; sleep 0.2; done
docker exec "$db_ctr" pg_isready -h 127.0.0.1 -q && pass "PostgreSQL took connections $(( ($(date +%s%N) - freed_at) / 1000000 )) ms after the fill was removed" \
  || fail "PostgreSQL did not start once the space was back"
grep -q "warning: a fault helper left behind, removed: a full disk under" /tmp/e2e.err && pass "status says it removed the fill the killed drill left" \
  || { fail "status did not report the left fill"; cat /tmp/e2e.err; }
[ "$(fills)" = 0 ] && [ "$(room)" -gt 1000000 ] && pass "the fill is gone: $(room) KiB available again" || fail "fills left: $(fills), $(room) KiB available"
[ -z "$(docker ps -aq --filter label=io.stackctl.fault.project=taskmanager)" ] && pass "no helper container left" || fail "helpers left"
for _ in $(seq 60); do bin/stackctl health >/dev/null 2>&1 && break; sleep 1; done
expect_exit 0 "health once the disk has room" -- bin/stackctl health

step "a latency proxy and a shaped link outlive no stackctl: db-latency --bandwidth killed with SIGKILL, then any command undoes both"
nat_rules() { # nat_rules CONTAINER: the fault chain's nat rules (the proxy's redirect) in the container's namespace
  nsenter -t "$(docker inspect -f '{{.State.Pid}}' "$1")" -n iptables -t nat -S 2>/dev/null | grep -c STACKCTL-FAULT || true
}
proxied() { # proxied CONTAINER: connections the latency proxy accepted in the container's namespace (its side: :15432)
  nsenter -t "$(docker inspect -f '{{.State.Pid}}' "$1")" -n ss -Htn state established '( sport = :15432 )' 2>/dev/null | wc -l
}
app_ctr=$(project_ps --filter label=com.docker.compose.service=app | head -n 1)
shaped() { # shaped CONTAINER: 1 when a root qdisc of the fault helper's (htb 5ac:) shapes the container's traffic
  nsenter -t "$(docker inspect -f '{{.State.Pid}}' "$1")" -n tc qdisc show 2>/dev/null | grep -c "htb 5ac: .*root" || true
}
kl_started=$(date +%s)
bin/stackctl drill db-latency --bandwidth 64kbit --duration 10s >/tmp/e2e.kl.out 2>&1 &
kl_pid=$!
for _ in $(seq 900); do grep -q "in place after" /tmp/e2e.kl.out && break; sleep 0.1; done
grep -q "in place after" /tmp/e2e.kl.out && pass "db-latency put its proxies in place" || { fail "the latency never came"; cat /tmp/e2e.kl.out; }
[ "$(nat_rules "$app_ctr")" -gt 0 ] && [ "$(proxied "$app_ctr")" -gt 0 ] \
  && pass "a replica's database connections go through the proxy ($(proxied "$app_ctr") of them)" || fail "no connection through the proxy"
kill -9 "$kl_pid"; wait "$kl_pid" 2>/dev/null || true
[ "$(shaped "$db_ctr")" -gt 0 ] && pass "PostgreSQL's link to the replicas is shaped (htb in the db container's namespace)" \
  || fail "no shaping in the db container"
[ "$(nat_rules "$app_ctr")" -gt 0 ] && [ "$(shaped "$db_ctr")" -gt 0 ] && pass "with stackctl killed, the proxy and the shaper still hold" \
  || fail "the fault went away by itself"
expect_exit 0 "status after the killed latency drill" -- bin/stackctl status
grep -q "warning: a fault still in place, removed: 200 ms +/- 50 ms of added latency" /tmp/e2e.err \
  && grep -q "warning: a fault still in place, removed: bandwidth limited to 64 kbit/s" /tmp/e2e.err \
  && pass "status says it removed the latency and the bandwidth limit the killed drill left" || { fail "status did not report both faults"; cat /tmp/e2e.err; }
[ "$(shaped "$db_ctr")" = 0 ] && pass "PostgreSQL's link is no longer shaped" || fail "the db container is still shaped"
[ "$(nat_rules "$app_ctr")" = 0 ] && [ "$(proxied "$app_ctr")" = 0 ] \
  && pass "no redirect and no connection through a proxy is left in the replica" || fail "the replica still goes through a proxy"
[ -z "$(docker ps -aq --filter label=io.stackctl.fault.project=taskmanager)" ] && pass "no helper container left" || fail "helpers left"
[ "$(docker logs --since "$kl_started" "$app_ctr" 2>&1 | grep -c '"message":"database and cache connections opened again (SIGHUP)"')" -ge 2 ] \
  && pass "the replica opened its connections again: through the proxy, then straight to PostgreSQL (the helper's undo)" || fail "no reconnect in the replica's log"
expect_exit 0 "health once the latency is gone" -- bin/stackctl health

step "bench --profile smoke"
# Its latency gate measures this stack alone: what CI runs beside this scenario must be done first (E2E_QUIET_AFTER).
await_markers "bench's latency gate" ${E2E_QUIET_AFTER:-}
expect_exit 0 "bench --profile smoke" -- bin/stackctl bench --profile smoke
cat /tmp/e2e.out
results=$(sed -n 's/^results: //p' /tmp/e2e.out)
left=$(psql_db "SELECT count(*) FROM tasks WHERE title ~ '^bench [0-9a-f]{8} '")
[ "$left" = 0 ] && pass "the benchmark removed its tasks from the database" || fail "$left bench tasks left behind"
[ -s "$results/summary.json" ] && [ -s "$results/summary.md" ] && ls "$results"/gatling/*/index.html >/dev/null 2>&1 \
  && pass "summary.json, summary.md and Gatling's HTML report written to $results" || fail "bench results missing in '$results'"
# The two runs below check the verdicts, not the stack again: one simulation each (the baseline is compared by name).
python3 - >/tmp/one-simulation.json <<'PY'
import json
t = json.load(open("perf/targets.json"))
t["profiles"]["smoke"]["simulations"] = ["mixed"]
print(json.dumps(t))
PY
python3 - >/tmp/impossible.json <<'PY'
import json
t = json.load(open("/tmp/one-simulation.json"))
t["profiles"]["smoke"]["targets"]["p99_ms"] = 0
t["profiles"]["smoke"]["duration_s"] = 2
print(json.dumps(t))
PY
expect_exit 1 "bench against an impossible target" -- bin/stackctl bench --profile smoke --targets /tmp/impossible.json --warmup 0s
grep -q "MISSED" /tmp/e2e.out && pass "the missed target is named in summary.md" || fail "no MISSED line"
# With the profile's warm-up: a cold first simulation's tail (no JIT yet, new connections) is not what is compared.
expect_exit 0 "bench compared to its own baseline" -- bin/stackctl bench --profile smoke --targets /tmp/one-simulation.json --duration 3s --baseline "$results/summary.json" --tolerance 3 --tolerance-ms 1000
grep -qE '^\| baseline \| p99_ms \|' /tmp/e2e.out && pass "the mixed simulation was judged against its baseline (summary.md)" || { fail "no baseline line in summary.md"; head -n 30 /tmp/e2e.out; }

[ "$(psql_db "SELECT count(*) FROM tasks WHERE title IN ('drill notes of a user', 'bench notes of a user')")" = 2 ] \
  && pass "a user's tasks titled drill/bench, written while a drill ran, survived every drill's and bench's clean-up" \
  || fail "the clean-up deleted a user's tasks"

step "the autoscaler (issue 22): AUTOSCALE=2:4 on requests per replica, run by the agent; drill load-spike (5x for a minute) scales out within a minute and back after it, 0 failed requests, one decision each way"
replicas_before_autoscale=$(app_ids | wc -l)
[ "$replicas_before_autoscale" = 2 ] || expect_exit 0 "scale app=2 before the autoscaler" -- bin/stackctl scale app=2
expect_exit 3 "drill load-spike with the autoscaler off" -- bin/stackctl drill load-spike --duration 1s
grep -q "AUTOSCALE is not set" /tmp/e2e.err && pass "the refusal says the autoscaler is off and how to turn it on" || { fail "no autoscaler hint"; cat /tmp/e2e.err; }
cp compose/.env /tmp/e2e.env.before-autoscale
printf 'AUTOSCALE=2:9:1\n' >>compose/.env
expect_exit 2 "up with AUTOSCALE=2:9:1" -- bin/stackctl up
grep -q "AUTOSCALE is '2:9:1', not min:max" /tmp/e2e.err && pass "a wrong AUTOSCALE is refused by up, naming it" || { fail "no AUTOSCALE refusal"; cat /tmp/e2e.err; }
cp /tmp/e2e.env.before-autoscale compose/.env
# 12 req/s, 60 in the spike: 6 then 30 per replica against a target of 15 (the spike asks for 4, the quiet for 2). Sized
# for 2 cores: at 100 req/s in the spike (20, against 25) the two replicas, serving it alone while two JVMs started
# beside them (36 s on a slow host), were past the machine: p99 3.2 s, 4 requests hung 5 s (CI run 55).
printf 'AUTOSCALE=2:4\nAUTOSCALE_TARGET=rps:15\nAUTOSCALE_SCALE_IN_AFTER=30s\n' >>compose/.env
expect_exit 0 "up with AUTOSCALE=2:4 (the agent is recreated with it)" -- bin/stackctl up
grep -q "autoscaler: 2-4 replicas, rps 15 req/s per replica, scale-in after 30 s" /tmp/e2e.out && pass "status shows the autoscaler's settings" \
  || { fail "no autoscaler line in up's status"; tail -n 8 /tmp/e2e.out; }
expect_exit 2 "scale app=5 outside AUTOSCALE=2:4" -- bin/stackctl scale app=5
grep -q "outside AUTOSCALE=2:4" /tmp/e2e.err && pass "the refusal names AUTOSCALE's bounds" || { fail "no bounds in the refusal"; cat /tmp/e2e.err; }
# The drill's minute-long spike, not the shortest (40 s) it takes: on a slow host the added replicas served 12 s after
# the decision, so a 40 s spike left them under it for seconds, and the scale-in's 30 s window took in its end (CI run
# 39: 4 -> 3 -> 2, two decisions where one is right). A minute gives the spike a whole window at the new count.
expect_exit 0 "drill load-spike --rate 12" -- judged bin/stackctl drill load-spike --duration 3s --rate 12
cat /tmp/e2e.out
grep -q "^PASS  more replicas within 60 s of the spike" /tmp/e2e.out && pass "load-spike: the autoscaler added replicas within the minute's spike" \
  || fail "load-spike: no scale-out within the spike"
grep -q "^PASS  no flapping: at most one decision each way  *1 out, 1 in" /tmp/e2e.out && pass "load-spike: one decision out and one in" \
  || fail "load-spike: not one decision each way"
grep -qE "^PASS  0 failed requests  +0 of [0-9]+" /tmp/e2e.out && pass "load-spike: 0 failed requests" || fail "load-spike: failed requests"
docker logs "$(project_ps --filter label=com.docker.compose.service=upstream-agent | head -n 1)" 2>&1 | grep "autoscaler" | tail -n 4
bin/stackctl -o json status >/tmp/e2e.status.json 2>/dev/null
python3 - /tmp/e2e.status.json <<'PY' && pass "status -o json lists the decisions: 2 -> 4 then 4 -> 2, each done" || fail "status -o json: decisions not as expected"
import json, sys
d = json.load(open(sys.argv[1]))["autoscale"]
moves = [(x["from"], x["to"]) for x in d["decisions"]][-2:]
assert moves == [(2, 4), (4, 2)], moves
assert all(x["outcome"].startswith("done") for x in d["decisions"][-2:]), d["decisions"]
PY
[ "$(cat compose/state/taskmanager.replicas)" = 2 ] && pass "the autoscaler recorded its count for up (compose/state)" \
  || fail "compose/state/taskmanager.replicas is $(cat compose/state/taskmanager.replicas)"
# The monitoring step's up --monitoring recreates the agent without it (its settings changed), and checks it is off.
cp /tmp/e2e.env.before-autoscale compose/.env
[ "$replicas_before_autoscale" = 2 ] || expect_exit 0 "scale app=$replicas_before_autoscale after the autoscaler" -- bin/stackctl scale "app=$replicas_before_autoscale"

step "the monitoring profile: every rule tested by promtool; top with and without it; the SLO from compose/.env; up --monitoring scrapes every replica, new ones within 10 s and in top at its next refresh; a killed replica and a stopped db fire their alerts, sent to a webhook"
monitoring_image="${MONITORING_IMAGE:-stackctl-offline/monitoring:2.42}"
rule_tests=$(cd compose/monitoring/tests && ls *.test.yml | xargs)
expect_exit 0 "promtool test rules ($rule_tests)" -- \
  docker run --rm -v "$PWD/compose/monitoring:/m:ro" -w /m/tests --entrypoint promtool "$monitoring_image" test rules $rule_tests
grep -q SUCCESS $e2e.out || cat $e2e.out $e2e.err
alerts=$(grep -oP '^\s+- alert: \K\w+' compose/monitoring/rules/stack.yml | sort -u)
untested=$(comm -23 <(echo "$alerts") <(grep -ohP '^\s+alertname: \K\w+' compose/monitoring/tests/*.test.yml | sort -u))
[ -n "$alerts" ] && [ -z "$untested" ] && pass "each of the $(echo "$alerts" | wc -l) alert rules has a promtool test case" \
  || fail "alert rules with no promtool test: ${untested:-none found}"
# A webhook receiver on the Docker bridge's gateway (as s3proxy: the host and the containers reach it, nothing
# outside the host does), where Alertmanager sends what fires.
gateway=$(docker network inspect bridge -f '{{(index .IPAM.Config 0).Gateway}}')
rm -f /tmp/e2e-webhook.log
python3 - "$gateway" >/tmp/e2e-webhook.out 2>&1 <<'PY' &
import http.server, sys
class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open("/tmp/e2e-webhook.log", "ab") as log:
            log.write(body + b"\n")
        self.send_response(200)
        self.end_headers()
http.server.ThreadingHTTPServer((sys.argv[1], 9095), Receiver).serve_forever()
PY
webhook_pid=$!
echo "ALERT_WEBHOOK_URL=http://host.docker.internal:9095/alerts" >>compose/.env
# top without the profile reads each replica's /metrics; under two client loops (about 50 req/s of list reads) it
# counts the API's requests, not the probes and scrapes that reach every replica whatever the users do.
top_field() { python3 -c '
import json, sys
doc = json.loads(sys.stdin.readline())
print(eval(sys.argv[1], {}, doc))' "$1" 2>/dev/null; }
expect_exit 2 "top --interval 10ms (out of range)" -- bin/stackctl top --interval 10ms
grep -q '500ms to 1m' $e2e.err && pass "top names the range it takes" || fail "top --interval 10ms: $(cat $e2e.err)"
expect_exit 2 "top --count 0" -- bin/stackctl top --count 0
expect_exit 3 "top --source prometheus with the profile off" -- bin/stackctl top --source prometheus
grep -q 'up --monitoring' $e2e.err && pass "top --source prometheus says how to turn the profile on" || fail "top --source prometheus: $(cat $e2e.err)"
login
loops_start 2
expect_exit 0 "top -o json with the profile off" -- bin/stackctl -o json top --interval 2s
top_rps=$(top_field 'round(stack["requests_per_s"] or 0)' <$e2e.out)
[ "$(top_field 'source' <$e2e.out)" = replicas ] && [ "$(top_field 'len(replicas)' <$e2e.out)" = "$(app_ids | wc -l)" ] \
  && [ "${top_rps:-0}" -ge 10 ] && [ "${top_rps:-0}" -le 100 ] && [ "$(top_field 'stack["p99_ms"] is not None' <$e2e.out)" = True ] \
  && pass "top reads every replica's /metrics with the profile off: $top_rps req/s under ~50 req/s of client loops, p99 $(top_field 'round(stack["p99_ms"], 1)' <$e2e.out) ms" \
  || { fail "top -o json without the profile"; cat $e2e.out; }
loops_stop "client loops under top"
echo "SLO_AVAILABILITY=100" >>compose/.env
expect_exit 2 "up --monitoring with SLO_AVAILABILITY=100" -- bin/stackctl up --monitoring
grep -q 'SLO_AVAILABILITY' $e2e.err && ! grep -q '^MONITORING=' compose/.env && pass "a 100% SLO is refused before anything changes, naming the setting" \
  || fail "SLO_AVAILABILITY=100: $(cat $e2e.err); $(grep '^MONITORING=' compose/.env)"
sed -i 's/^SLO_AVAILABILITY=.*/SLO_AVAILABILITY=99.5/' compose/.env
expect_exit 0 "up --monitoring" -- bin/stackctl up --monitoring
grep -qx 'MONITORING=on' compose/.env && pass "the profile is kept in compose/.env" || fail "no MONITORING=on in compose/.env"
# up's gate for the profile is Prometheus scraping every job, not the exporters' health checks (once a minute).
grep -qE "prometheus scrapes +all up" $e2e.out $e2e.err && pass "up waited until Prometheus scraped every job with each target up" \
  || fail "up --monitoring did not gate on Prometheus' scrapes: $(tail -n 5 $e2e.err)"
# The autoscaler step before ended by taking AUTOSCALE out of compose/.env: this up recreated the agent without it.
# Into a variable, not through grep -q: docker logs writes a line at a time, and one written after grep stopped at
# its match ends it with SIGPIPE, which pipefail made a failed check (CI run 26; 2 of 5 by hand on a 5 KB log).
agent_log=$(docker logs "$(project_ps --filter label=com.docker.compose.service=upstream-agent | head -n 1)" 2>&1)
! grep -q "^autoscaler:" $e2e.out && grep -q "autoscaler: off (AUTOSCALE is not set)" <<<"$agent_log" \
  && pass "the autoscaler is off again once AUTOSCALE left compose/.env" \
  || fail "the autoscaler is still on"
prom=http://127.0.0.1:9090
# targets_up: "HEALTHY TOTAL" of Prometheus' active targets; instance_up NAME: 1 when that replica's last scrape was good
targets_up() {
  curl -s --max-time 5 "$prom/api/v1/targets?state=active" | python3 -c '
import json, sys
t = json.load(sys.stdin)["data"]["activeTargets"]
print(sum(1 for x in t if x["health"] == "up"), len(t))' 2>/dev/null || echo "0 -1"
}
firing() { # firing ALERTNAME: the labels of that alert's firing instances, one per line
  curl -s --max-time 5 "$prom/api/v1/alerts" | python3 -c '
import json, sys
for a in json.load(sys.stdin)["data"]["alerts"]:
    if a["labels"]["alertname"] == sys.argv[1] and a["state"] == "firing":
        print(a["labels"].get("instance", ""))' "$1" 2>/dev/null
}
replicas=$(app_ids | wc -l)
want=$((replicas + 6)) # the replicas, the four exporters, Alertmanager, Prometheus itself
for _ in $(seq 60); do [ "$(targets_up)" = "$want $want" ] && break; sleep 1; done
[ "$(targets_up)" = "$want $want" ] && pass "Prometheus scrapes all $want targets ($replicas replicas, the PostgreSQL, Redis, volume and edge exporters, Alertmanager, itself), every one up" \
  || { fail "targets: $(targets_up) (healthy total), wanted $want of $want"; curl -s "$prom/api/v1/targets" | head -c 2000; }
published=$(docker port "$(project_ps --filter label=com.docker.compose.service=prometheus)" 9090)
[ "$published" = "127.0.0.1:9090" ] && pass "Prometheus is published on loopback only ($published)" || fail "Prometheus published on '$published'"
leaked=""
am=$(project_ps --filter label=com.docker.compose.service=alertmanager)
docker exec "$am" amtool check-config /run/stack-secrets/alertmanager.yml >$e2e.out 2>&1 \
  && pass "the Alertmanager configuration stackctl wrote passes amtool check-config" || { fail "amtool check-config"; cat $e2e.out; }
for service in prometheus alertmanager db-exporter cache-exporter; do
  env_of=$(docker inspect -f '{{join .Config.Env " "}} {{join .Config.Cmd " "}}' "$(project_ps --filter label=com.docker.compose.service=$service)")
  for secret in REDIS_OPS_PASSWORD MONITOR_DB_PASSWORD OPS_TOKEN ALERT_WEBHOOK_URL; do
    value=$(sed -n "s/^$secret=//p" compose/.env)
    [ -n "$value" ] && [[ "$env_of" == *"$value"* ]] && leaked="$leaked $service:$secret"
  done
done
[ -z "$leaked" ] && pass "no monitoring credential in a container's environment or command (files under /run/stack-secrets)" || fail "in the environment:$leaked"
pg_up=$(curl -s "$prom/api/v1/query" --data-urlencode 'query=pg_up' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])' 2>/dev/null)
redis_up=$(curl -s "$prom/api/v1/query" --data-urlencode 'query=redis_up' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])' 2>/dev/null)
[ "$pg_up$redis_up" = 11 ] && pass "pg_up and redis_up are 1: the exporters log in (stackctl_monitor, stackctl_ops)" || fail "pg_up '$pg_up', redis_up '$redis_up'"
volumes_seen=$(curl -s "$prom/api/v1/query" --data-urlencode 'query=node_filesystem_size_bytes{job="volumes",mountpoint=~"/volumes/.+"} > 0' \
  | python3 -c 'import json,sys; print(" ".join(sorted(r["metric"]["mountpoint"] for r in json.load(sys.stdin)["data"]["result"])))' 2>/dev/null)
[ "$volumes_seen" = "/volumes/cache /volumes/db /volumes/db-backup /volumes/prometheus" ] \
  && pass "the data volumes' disks are measured (DataVolume* alerts): $volumes_seen" || fail "volume-exporter's mountpoints: '$volumes_seen'"
# nginx's answers by status at the edge (edge-exporter): a redirect nginx answers by itself, reads a replica answers.
edge_count() { # edge_count STATUS ANSWERED_BY: Prometheus' count of nginx's answers so far, or "none"
  curl -s "$prom/api/v1/query" --data-urlencode "query=sum(nginx_http_requests_total{job=\"edge\",status=\"$1\",answered_by=\"$2\"})" \
    | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")' 2>/dev/null
}
for _ in 1 2 3; do curl -s -o /dev/null "$plain/tasks"; curl -s -o /dev/null -H "Authorization: Bearer $ops_token" "$url/tasks"; done
for _ in $(seq 30); do [ "$(edge_count 308 nginx)" != none ] && [ "$(edge_count 200 upstream)" != none ] && break; sleep 1; done
redirects=$(edge_count 308 nginx); served=$(edge_count 200 upstream)
[ "$redirects" != none ] && [ "$served" != none ] && [ "$(edge_count 200 nginx)" = none ] \
  && pass "nginx's answers counted at the edge by status: $redirects redirects it answered itself, $served 200s from a replica, its own health checks not counted" \
  || fail "edge counts: 308 by nginx '$redirects', 200 from a replica '$served', 200 by nginx '$(edge_count 200 nginx)'"
# The stand-in nginx has the Lua module: it counts its answers itself (EDGE_COUNTS=auto), and writes no line a request.
edge_c=$(project_ps --filter label=com.docker.compose.service=edge-exporter)
nginx_c=$(project_ps --filter label=com.docker.compose.service=nginx)
docker logs "$edge_c" 2>&1 | grep "edge-exporter: serving" | tail -n 1 | grep -q "nginx's own counts" \
  && [ -z "$(docker exec "$nginx_c" find /run/edge -name 'edge-*.log' -size +0c)" ] \
  && grep -q log_by_lua_block compose/generated/monitoring/edge-status.nginx \
  && pass "nginx counts its answers itself (the Lua module of the stand-in image): no log line a request, edge-exporter serves the counts" \
  || fail "edge counts not from nginx itself: $(docker logs "$edge_c" 2>&1 | grep 'edge-exporter:' | tail -n 2 | tr '\n' ' ')"
# Every answer, not a sample: a burst far beyond the few a second mtail read from the socket the edge log once used.
edge_200() { # nginx's 200s from a replica, as edge-exporter serves them now (no scrape in between)
  docker exec "$(project_ps --filter label=com.docker.compose.service=edge-exporter)" bash -c \
    'exec 3<>/dev/tcp/127.0.0.1/3903; printf "GET /metrics HTTP/1.0\r\n\r\n" >&3; cat <&3' \
    | awk '/^nginx_http_requests_total\{/ && /answered_by="upstream"/ && /status="200"/ {n += $2} END {print n + 0}'
}
burst_before=$(edge_200)
burst=$(python3 - "$url" <<'PY'
import http.client, ssl, sys, threading, time, urllib.parse
host = urllib.parse.urlsplit(sys.argv[1])
ctx = ssl.create_default_context(cafile="compose/tls/ca.crt")
ok = []
def client():
    c = http.client.HTTPSConnection(host.hostname, host.port, context=ctx, timeout=10)
    n = 0
    for _ in range(250):
        c.request("GET", "/live"); r = c.getresponse(); r.read()
        n += r.status == 200
    ok.append(n)
start = time.time()
threads = [threading.Thread(target=client) for _ in range(8)]
[t.start() for t in threads]; [t.join() for t in threads]
print(sum(ok), round(sum(ok) / (time.time() - start)))
PY
)
burst_ok=${burst% *}
for _ in $(seq 40); do [ "$(( $(edge_200) - burst_before ))" -ge "${burst_ok:-0}" ] && break; sleep 0.25; done
counted=$(( $(edge_200) - burst_before ))
[ "$counted" = "$burst_ok" ] && [ "$burst_ok" = 2000 ] \
  && pass "every answer of a burst counted at the edge: $counted of $burst_ok 200s at ${burst#* } req/s" \
  || fail "edge counts under a burst: $counted counted of ${burst_ok:-?} answered 200 ($burst)"
slo_budget() { curl -s "$prom/api/v1/query" --data-urlencode 'query=stack:slo_error_budget:ratio' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["value"][1])' 2>/dev/null; }
for _ in $(seq 30); do [ "$(slo_budget)" = 0.005 ] && break; sleep 1; done
[ "$(slo_budget)" = 0.005 ] && pass "the burn-rate alerts hold SLO_AVAILABILITY=99.5: stack:slo_error_budget:ratio is 0.005" \
  || fail "stack:slo_error_budget:ratio is '$(slo_budget)', wanted 0.005"
# top from Prometheus, one JSON line a second, while two client loops run and the stack scales to 5 replicas.
login
loops_start 2
bin/stackctl -o json top --source prometheus --interval 1s --count 120 >$e2e.top 2>$e2e.top.err &
top_pid=$!
grown=5
expect_exit 0 "scale app=$replicas to app=$grown with top running" -- bin/stackctl scale app=$grown
scaled_at=$(date +%s%N)
want=$((want + grown - replicas))
for _ in $(seq 100); do [ "$(targets_up)" = "$want $want" ] && break; sleep 0.1; done
took=$(( ($(date +%s%N) - scaled_at) / 1000000 ))
[ "$(targets_up)" = "$want $want" ] && [ "$took" -le 10000 ] && pass "the $((grown - replicas)) new replicas scraped and up $took ms after scale returned" \
  || fail "the new replicas not scraped within 10 s: $(targets_up)"
top_view() { python3 - "$scaled_at" "$1" "$e2e.top" <<'PY'
import calendar, json, re, sys, time
def epoch(at):  # Instant.toString(): 2026-12-04T04:50:01.123456Z, the fraction 0 to 9 digits
    whole, fraction = re.match(r"([^.Z]+)\.?(\d*)Z", at).groups()
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + float("0." + (fraction or "0"))
after, want = int(sys.argv[1]) / 1e9, sys.argv[2]
samples = [json.loads(l) for l in open(sys.argv[3]) if l.startswith("{")]
later = [s for s in samples if epoch(s["at"]) > after]
if want == "first":
    print(len(later[0]["replicas"]) if later else "none")
else:  # seconds after scale returned until every replica shows traffic, from Prometheus
    for s in later:
        if s["source"] == "prometheus" and all((r["requests_per_s"] or 0) > 0 for r in s["replicas"]):
            print(len(s["replicas"]), round(s["stack"]["requests_per_s"]), s["at"]); break
PY
}
for _ in $(seq 40); do [ -n "$(top_view traffic)" ] && break; sleep 1; done
loops_stop "client loops while scaling with top running"
kill "$top_pid" 2>/dev/null || true; wait "$top_pid" 2>/dev/null || true
[ "$(top_view first)" = "$grown" ] && pass "top's first refresh after scale returned shows all $grown replicas" \
  || { fail "top's first refresh after the scale: $(top_view first) replicas, wanted $grown"; tail -c 1500 $e2e.top; cat $e2e.top.err; }
traffic=$(top_view traffic)
[ "${traffic%% *}" = "$grown" ] && pass "top (Prometheus) shows traffic on each of the $grown replicas: $traffic (replicas, req/s, at)" \
  || { fail "top never showed traffic on every replica: ${traffic:-none}"; tail -c 1500 $e2e.top; cat $e2e.top.err; }
expect_exit 0 "scale back to app=$replicas" -- bin/stackctl scale app=$replicas
want=$((want - grown + replicas))
for _ in $(seq 100); do [ "$(targets_up)" = "$want $want" ] && break; sleep 0.1; done
[ "$(targets_up)" = "$want $want" ] && pass "the removed replica is no target any more" || fail "after the scale down: $(targets_up)"
# Deploys judged by Prometheus (issue 22): each batch's new replicas serve DEPLOY_ANALYSIS_SECONDS, then their success
# per route, p99 and the stack's 5xx are judged against the release before. A release failing 5% of one route passes
# today's gate (the error watch reads lists, not tasks) and the analysis rolls it back; a good one passes, no request lost.
login
task_id=$(curl -s -H "$(bearer)" -H 'content-type: application/json' -d '{"title":"judged"}' "$url/tasks" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["task"]["id"])')
task_reads() { # task_reads FILE: one curl reading that task 25 times a second, a status line per request (as a loop)
  exec curl -s --http1.1 -o /dev/null -w '%{stderr}%{http_code}\n' --max-time 5 --rate 25/s -H 'Connection: close' \
    -H "$(bearer)" "$url/tasks/$task_id?read=[1-50000]" 2>"$1"
}
echo "DEPLOY_ANALYSIS_SECONDS=15" >>compose/.env
echo "INJECT_ERRORS=5% GET /tasks/{id}" >>compose/.env
task_reads $e2e.task-reads & reads_pid=$!
expect_exit 1 "deploy --no-build of a release failing 5% of GET /tasks/{id}, task reads running" -- bin/stackctl deploy --no-build
kill "$reads_pid" 2>/dev/null || true; wait "$reads_pid" 2>/dev/null || true
judged=$(grep -o 'GET /tasks/{id} answered [0-9.]*% without a 5xx ([0-9]* requests[^)]*)' $e2e.err | head -1)
# The reason is the analysis: the error watch, checked all along (today's gate), never tripped first.
grep -q 'was rolled back: metric analysis failed' $e2e.err && [ -n "$judged" ] \
  && pass "the metric analysis rolled back a release failing 5% of one route, which the error watch passed ($(grep -o '[0-9]* of [0-9]* requests through nginx failed' $e2e.err | tail -1)): $judged" \
  || { fail "a release failing 5% of GET /tasks/{id} was not rolled back by the metric analysis"; cat $e2e.out $e2e.err; }
bin/stackctl -o json releases >$e2e.out 2>/dev/null
verdict=$(python3 -c 'import json,sys; r=max(json.load(open(sys.argv[1])), key=lambda r: r["id"]); a=r["analysis"][-1]
print(r["status"], a["verdict"], a["worst_route"], a["worst_route_success_percent"])' $e2e.out 2>/dev/null)
[[ "$verdict" == "rolled_back failed GET /tasks/{id} 9"* ]] && pass "releases records the analysis: $verdict" \
  || fail "releases -o json: '$verdict'"
sed -i '/^INJECT_ERRORS=/d' compose/.env
task_reads $e2e.task-reads & reads_pid=$!
loops_start 1
expect_exit 0 "deploy --no-build --force --batch $replicas: a good release, judged under load" -- judged bin/stackctl deploy --no-build --force --batch "$replicas"
kill "$reads_pid" 2>/dev/null || true; wait "$reads_pid" 2>/dev/null || true
loops_stop "the judged deploy's list reads"
grep -q 'analysis passed' $e2e.out $e2e.err && pass "the good release passed its analysis: $(grep -ho 'analysis passed.*' $e2e.out $e2e.err | head -1)" \
  || { fail "no passed analysis"; cat $e2e.out $e2e.err; }
[ -n "$(tail -c 1 $e2e.task-reads)" ] && sed -i '$d' $e2e.task-reads # the line curl was writing when it was stopped
reads=$(wc -l <$e2e.task-reads); bad=$(grep -vc '^200$' $e2e.task-reads || true)
[ "$reads" -gt 50 ] && [ "$bad" = 0 ] && pass "the judged deploy's task reads: 0 of $reads failed" || fail "task reads during the judged deploy: $bad of $reads failed"
sed -i '/^DEPLOY_ANALYSIS_SECONDS=/d' compose/.env
# The Grafana dashboard shipped for users who run Grafana: every panel's query runs here and names metrics that exist.
expect_exit 0 "every query of the Grafana dashboard runs on the profile's Prometheus" -- \
  python3 compose/monitoring/grafana/check-queries.py "$prom" compose/monitoring/grafana/dashboards/stack.json
tail -n 1 $e2e.out
expect_exit 0 "drill kill-replica with the profile on" -- judged bin/stackctl drill kill-replica --duration 3s
[ "$exited_as_wanted" = yes ] || { grep -E "^(PASS|FAIL) " $e2e.out; explain_unhealed; }
# The run is recorded in Prometheus (stackctl_run_active while it ran, through volume-exporter's textfile collector;
# gone after), and the replicas' own figures over it stand in summary.json beside the load's.
drill_summary="$(dirname "$(sed -n 's/^report: //p' $e2e.out)")/summary.json"
run_figures=$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["drills"][0]["figures"]["prometheus"]
print(p["run"], p["requests_per_s"] > 0, p["p99_ms"] is not None, p["error_ratio"] is not None)' "$drill_summary" 2>/dev/null)
prom_value() { # prom_value PROMQL: the first series' value, or "none"
  curl -s "$prom/api/v1/query" --data-urlencode "query=$1" \
    | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")' 2>/dev/null
}
marked=$(prom_value "max_over_time(stackctl_run_active{kind=\"drill\",run=\"${run_figures%% *}\"}[5m])")
for _ in $(seq 10); do [ "$(prom_value 'count(stackctl_run_active)')" = none ] && break; sleep 1; done # the next scrape
[[ "$run_figures" == drill-kill-replica-*" True True True" ]] && [ "$marked" = 1 ] && [ "$(prom_value 'count(stackctl_run_active)')" = none ] \
  && pass "the drill's run is in Prometheus while it ran and gone after, the replicas' figures in its summary.json: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["drills"][0]["figures"]["prometheus"])' "$drill_summary")" \
  || fail "the drill's run in Prometheus: figures '$run_figures', marked '$marked', marks now '$(prom_value 'count(stackctl_run_active)')'"
for _ in $(seq 60); do [ -n "$(firing ReplicaRestarted)" ] && break; sleep 1; done
restarted=$(firing ReplicaRestarted)
[ -n "$restarted" ] && pass "ReplicaRestarted fires for the killed replica ($restarted), through Prometheus' alerts API" \
  || { fail "ReplicaRestarted did not fire within 60 s of the drill"; curl -s "$prom/api/v1/alerts"; }
[ -z "$(firing PostgresDown)" ] && pass "PostgresDown is quiet while PostgreSQL runs" || fail "PostgresDown fires with PostgreSQL up"
db=$(project_ps --filter label=com.docker.compose.service=db)
docker stop -t 30 "$db" >/dev/null
stopped_at=$(date +%s)
for _ in $(seq 90); do [ -n "$(firing PostgresDown)" ] && break; sleep 1; done
[ -n "$(firing PostgresDown)" ] && pass "PostgresDown fires $(( $(date +%s) - stopped_at )) s after the db stopped" \
  || { fail "PostgresDown did not fire within 90 s of the db stopping"; curl -s "$prom/api/v1/alerts"; }
notified() { python3 -c '
import json, sys
for line in open("/tmp/e2e-webhook.log"):
    for a in json.loads(line).get("alerts", []) if line.strip() else []:
        if a["labels"].get("alertname") == sys.argv[1] and a["status"] == sys.argv[2]:
            sys.exit(0)
sys.exit(1)' "$1" "$2" 2>/dev/null; }
# A fresh Alertmanager notifies a new group after group_wait (5 s). (One that saw the same alert fire and resolve within
# group_interval says nothing new: the receiver was never told it resolved. That is Alertmanager's dedup, not a loss.)
for _ in $(seq 60); do notified PostgresDown firing && break; sleep 1; done
notified PostgresDown firing && pass "Alertmanager posted PostgresDown, firing, to the webhook ALERT_WEBHOOK_URL names ($(( $(date +%s) - stopped_at )) s after the stop)" \
  || { fail "no PostgresDown notification at the webhook within 60 s of it firing"; cat /tmp/e2e-webhook.log /tmp/e2e-webhook.out 2>/dev/null | tail -5
       curl -s http://127.0.0.1:9093/metrics | grep -E '^alertmanager_(alerts_received|notifications)_' ; docker logs --tail 20 "$am"; }
docker start "$db" >/dev/null
healed_within "db started again"
for _ in $(seq 60); do [ -z "$(firing PostgresDown)" ] && break; sleep 1; done
[ -z "$(firing PostgresDown)" ] && pass "PostgresDown resolves once PostgreSQL is back" || fail "PostgresDown still firing 60 s after the db is back"
# A new target reaches the running Prometheus with no restart (SIGHUP): the same container, the new budget.
prometheus_was=$(project_ps --filter label=com.docker.compose.service=prometheus)
sed -i 's/^SLO_AVAILABILITY=.*/SLO_AVAILABILITY=99.95/' compose/.env
expect_exit 0 "up with SLO_AVAILABILITY=99.95" -- bin/stackctl up
for _ in $(seq 30); do [ "$(slo_budget)" = 0.0005 ] && break; sleep 1; done
[ "$(slo_budget)" = 0.0005 ] && [ "$(project_ps --filter label=com.docker.compose.service=prometheus)" = "$prometheus_was" ] \
  && pass "a changed SLO reaches the running Prometheus (budget 0.0005, same container): $(grep -o 'the SLO.*' $e2e.err)" \
  || fail "after SLO_AVAILABILITY=99.95: budget '$(slo_budget)', prometheus $prometheus_was -> $(project_ps --filter label=com.docker.compose.service=prometheus)"
expect_exit 0 "health with the profile on" -- bin/stackctl health
kill "$webhook_pid" 2>/dev/null || true

step "a database standby (issue 21): synchronous streaming; a switchover under reads and writes fails none; the agent fails over a killed and a frozen primary by itself with no acknowledged write lost; asynchronous loss bounded by the lag; the old primary rejoins each time"
node_sql() { docker exec "$(project_ps --filter label=com.docker.compose.service="$1")" psql -X -A -t -q -U taskmanager -d taskmanager -c "$2" 2>&1; }
db_roles() { bin/stackctl status -o json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin)["database"]; print(" ".join(n["node"]+"="+n["role"]+("/"+n.get("state","")+"/"+n.get("sync","") if "state" in n else "") for n in d["nodes"]))'; }
caught_up() { # caught_up [PRIMARY STANDBY]: the standby has replayed all that the primary had written (at most 5 s)
  local lsn; lsn=$(node_sql "${1:-db}" "SELECT pg_current_wal_lsn()")
  for _ in $(seq 50); do [ "$(node_sql "${2:-db-standby}" "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ] && return 0; sleep 0.1; done
  return 1
}
expect_exit 2 "DB_STANDBY=maybe is refused before anything starts" -- env DB_STANDBY=maybe bin/stackctl up
grep -q "DB_STANDBY is 'maybe', which is neither on nor off" $e2e.err && pass "the refusal names the setting" || { fail "no clear refusal"; cat $e2e.err; }
expect_exit 3 "failover without a standby is refused" -- bin/stackctl failover
expect_exit 0 "up --standby" -- bin/stackctl up --standby
grep -q '^DB_STANDBY=on$' compose/.env && pass "DB_STANDBY=on kept in compose/.env" || fail "DB_STANDBY not in compose/.env"
roles=$(db_roles)
[ "$roles" = "db=primary db-standby=standby/streaming/quorum" ] && pass "status: db is the primary, db-standby streams from it, synchronous ($roles)" \
  || { fail "status after up --standby: '$roles'"; bin/stackctl status; }
login
sync_id=$(curl -s -X POST -H "$(bearer)" -H 'content-type: application/json' -d '{"title":"e2e synchronous write"}' "$url/tasks" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["task"]["id"])' 2>/dev/null || echo 0)
# Acknowledged once the standby has flushed it; visible there once replayed, a moment later on a busy host.
caught_up || true
[ "$(node_sql db-standby "SELECT count(*) FROM tasks WHERE id = $sync_id")" = 1 ] \
  && pass "a write is on the standby once it is acknowledged (task $sync_id, synchronous)" || fail "task $sync_id is not on the standby"
# A switchover under reads and writes: every request answered 200 or 201, and every 201's task is there afterwards.
switchover_title="e2e switchover write $RANDOM$RANDOM"
# A synchronous switchover holds new transactions until the old primary streams again (4.4-5.1 s measured here over
# TLS, 15 s at most): they wait, they do not fail, and nginx waits 15 s for an answer. The clients wait 20 s, past
# both bounds, so a busy host that makes the switchover slow fails the check only when a request fails.
client_max_time=20 loops_start 2
curl -s --http1.1 -o /dev/null -w '%{stderr}%{http_code}\n' --max-time 20 --rate 10/s -H 'Connection: close' -H "$(bearer)" \
  -H 'content-type: application/json' -X POST -d "{\"title\":\"$switchover_title\"}" "$url/tasks?n=[1-50000]" 2>$e2e.writes &
writes_pid=$!
sleep 2
expect_exit 0 "failover (a planned switchover) under reads and writes" -- judged bin/stackctl -o json failover
cat $e2e.err
sleep 2
kill "$writes_pid" 2>/dev/null || true; wait "$writes_pid" 2>/dev/null || true
loops_stop "reads through the switchover"
[ -n "$(tail -c 1 $e2e.writes)" ] && sed -i '$d' $e2e.writes
writes=$(wc -l <$e2e.writes); writes_bad=$(grep -vc '^201$' $e2e.writes || true)
[ "$writes" -gt 20 ] && [ "$writes_bad" = 0 ] && pass "writes through the switchover: 0 of $writes failed" \
  || fail "writes through the switchover: $writes_bad of $writes failed ($(sort $e2e.writes | uniq -c | tr '\n' ' '))"
stored=$(node_sql db-standby "SELECT count(*) FROM tasks WHERE title = '$switchover_title'")
# One more may be stored than acknowledged: the request in flight when the loop was stopped (its answer never written).
[ "$stored" -ge "$writes" ] && [ "$stored" -le $((writes + 1)) ] \
  && pass "every acknowledged write of the switchover is on the new primary ($writes acknowledged, $stored stored)" \
  || fail "$stored stored, $writes acknowledged"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["to"]=="db-standby" and d["planned"] and d["rejoined_ms"]; print("promoted %d ms, writes resumed %d ms, old primary streaming %d ms" % (d["promoted_ms"], d["resumed_ms"], d["rejoined_ms"]))' $e2e.out \
  && pass "the switchover made db-standby the primary and db its standby" || { fail "failover's answer: $(cat $e2e.out)"; }
roles=$(db_roles)
[ "$roles" = "db=standby/streaming/quorum db-standby=primary" ] && pass "status after the switchover: $roles" || fail "status after the switchover: '$roles'"
refused=$(node_sql db "CREATE TABLE e2e_old_primary (x int)" || true)
[[ "$refused" == *"read-only transaction"* ]] \
  && pass "the old primary takes no write: it is a read-only standby" || fail "the old primary accepted a write"
expect_exit 3 "up --no-standby while db-standby is the primary is refused (it would remove the primary's data)" -- bin/stackctl up --no-standby
grep -q '^DB_STANDBY=on$' compose/.env && pass "the refusal left DB_STANDBY=on" || fail "the refusal changed compose/.env"
# The agent's own failovers, measured by the drills (each kills or freezes the primary under load). The first write
# comes back in 10.5-17 s on an idle 2-core host and 21 s with its cores busy (the old primary's rewind and rejoin
# slow down most): the bound here is for a busy CI host, and each run prints the figure.
for d in db-failover db-freeze; do
  expect_exit 0 "drill $d (synchronous)" -- judged bin/stackctl drill "$d" --duration 3s --writes-back-within 60s
  grep -q "^drill $d: PASSED" $e2e.out && pass "drill $d: $(grep -o 'first write [0-9]* ms after it' $e2e.out), $(grep -o '0 of [0-9]* missing' $e2e.out) (synchronous)" \
    || { fail "drill $d"; grep -E "^(FAIL|PASS|figures)" $e2e.out; grep "^error" $e2e.err; }
done
sed -i '/^REPLICAS_SYNC=/d' compose/.env; echo "REPLICAS_SYNC=off" >>compose/.env
expect_exit 0 "up with REPLICAS_SYNC=off" -- bin/stackctl up
for _ in $(seq 20); do [ "$(db_roles | grep -c async)" = 1 ] && break; sleep 0.5; done
[ "$(db_roles | grep -c async)" = 1 ] && pass "commits stop waiting for the standby with no restart ($(db_roles))" || fail "still synchronous: $(db_roles)"
expect_exit 0 "drill db-failover (asynchronous)" -- judged bin/stackctl drill db-failover --duration 3s
grep -q "^drill db-failover: PASSED" $e2e.out && pass "asynchronous failover: $(grep -o '[0-9]* of [0-9]* missing; the lag was [^|]*' $e2e.out | sed 's/ *$//')" \
  || { fail "drill db-failover (asynchronous)"; grep -E "^(FAIL|PASS|figures)" $e2e.out; }
sed -i '/^REPLICAS_SYNC=/d' compose/.env
expect_exit 0 "up, synchronous again" -- bin/stackctl up
primary=$(cat compose/state/db/primary)
[ "$primary" = db ] || expect_exit 0 "failover back to db" -- judged bin/stackctl failover --to db
expect_exit 3 "failover --to the primary itself is refused" -- bin/stackctl failover --to db
expect_exit 2 "failover --to a node that does not exist" -- bin/stackctl failover --to cache
expect_exit 0 "health with the standby" -- bin/stackctl health
roles=$(db_roles)
[ "$roles" = "db=primary db-standby=standby/streaming/quorum" ] && pass "after four failovers: $roles" || fail "after the failovers: '$roles'"
# Reads from the standby: a list that missed the cache goes to db-standby once it has replayed every write before the
# read; with its replay paused it goes to the primary, and the writer still sees its write.
list_reads() { # list_reads NODE: db_list_reads_total{node=NODE} summed over the replicas (each scrape names its replica)
  # One curl, one kept-alive connection: nginx still spreads the 24 requests over the replicas, one by one.
  curl -s -D - -H "$(bearer)" $(for _ in $(seq 24); do echo "$url/metrics"; done) | python3 -c '
import re,sys
node, text, seen, inst = sys.argv[1], sys.stdin.read(), {}, None
for line in text.splitlines():
    h = re.match(r"(?i)x-instance: *(\S+)", line)
    if h: inst = h.group(1)
    m = re.match(r"db_list_reads_total\{node=\"%s\"\} ([0-9.e+]+)" % re.escape(node), line)
    if m and inst: seen[inst] = float(m.group(1))
print(int(sum(seen.values())))' "$1"
}
echo "READS_FROM_STANDBY=on" >>compose/.env
expect_exit 0 "up --batch 3 with READS_FROM_STANDBY=on (the replicas roll, all at once)" -- bin/stackctl up --batch 3
login
rys_write() { curl -s -X POST -H "$(bearer)" -H 'content-type: application/json' -d "{\"title\":\"e2e $1\"}" "$url/tasks" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["task"]["id"])' 2>/dev/null || echo 0; }
rys_seen() { grep -q "\"id\":$1[,}]" <<<"$(curl -s -H "$(bearer)" "$url/tasks?limit=5")"; }
before=$(list_reads standby)
# Commits wait for the standby to have the WAL, not to have replayed it: a list right after a write may find it behind
# and go to the primary. Each write is listed at once (it must be seen, wherever the list went); then more writes,
# each listed once the standby has replayed it (a list that misses the cache then goes to the standby).
seen=0; for i in 1 2 3 4 5; do id=$(rys_write "standby read $i"); rys_seen "$id" && seen=$((seen + 1)); done
for i in 1 2 3 4 5; do id=$(rys_write "standby read after replay $i"); caught_up && rys_seen "$id" && seen=$((seen + 1)); done
after=$(list_reads standby)
[ "$seen" = 10 ] && [ "$after" -gt "$before" ] \
  && pass "lists read on the standby once it caught up: each write seen by the next list ($seen of 10), $((after - before)) list reads on the standby" \
  || fail "standby reads: $seen of 10 writes seen, standby list reads $before -> $after"
node_sql db-standby "SELECT pg_wal_replay_pause()" >/dev/null
behind_before=$(list_reads primary_standby_behind)
seen=0; for i in 1 2 3 4 5; do id=$(rys_write "paused replay $i"); rys_seen "$id" && seen=$((seen + 1)); done
behind_after=$(list_reads primary_standby_behind)
node_sql db-standby "SELECT pg_wal_replay_resume()" >/dev/null
[ "$seen" = 5 ] && [ "$behind_after" -gt "$behind_before" ] \
  && pass "the standby's replay paused: lists go to the primary ($((behind_after - behind_before)) reads), each write seen at once ($seen of 5)" \
  || fail "paused replay: $seen of 5 writes seen, primary-because-behind reads $behind_before -> $behind_after"
# A failover swaps the nodes: the replicas' standby connections reach the old standby, the primary now. Each is
# dropped at its next read (which goes to the primary), and the pool finds the node that is the standby now.
expect_exit 0 "failover with READS_FROM_STANDBY=on" -- judged bin/stackctl failover
before=$(list_reads standby)
seen=0; for i in $(seq 10); do
  id=$(rys_write "standby read after failover $i"); caught_up db-standby db && rys_seen "$id" && seen=$((seen + 1))
done
after=$(list_reads standby)
[ "$seen" = 10 ] && [ "$after" -gt "$before" ] \
  && pass "after a failover lists read on the new standby: $((after - before)) list reads there, each write seen ($seen of 10)" \
  || fail "after the failover: $seen of 10 writes seen, standby list reads $before -> $after"
expect_exit 0 "failover back to db" -- judged bin/stackctl failover --to db

step "Docker engine restart (what a host reboot does) heals with no stackctl command"
# Whatever else uses this engine (CI runs the Swarm scenario beside this one) must be done first: E2E_QUIET_AFTER and
# E2E_ENGINE_RESTART_AFTER list the files that say so.
await_markers "the engine restart" ${E2E_QUIET_AFTER:-} ${E2E_ENGINE_RESTART_AFTER:-}
replicas=$(app_ids | wc -l)
before_ips=$(for c in $(app_ids); do docker inspect -f '{{.Name}} {{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$c"; done)
pkill -TERM -x dockerd || true
for _ in $(seq 60); do pgrep -x dockerd >/dev/null || break; sleep 0.5; done
bash .ci/start-engine.sh
healed_within "engine restart"
# healed_within counts running containers: one the engine did not start again would not be among them.
down_after=$(docker ps -a --filter label=com.docker.compose.project=taskmanager --filter status=exited --format '{{.Names}}' | xargs)
[ -z "$down_after" ] && pass "every container of the stack runs again after the engine restart (restart policies honoured)" \
  || fail "left down by the engine restart: $down_after"
after_ips=$(for c in $(app_ids); do docker inspect -f '{{.Name}} {{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$c"; done)
[ "$before_ips" = "$after_ips" ] && echo "addresses kept across the restart" || echo "addresses moved across the restart"
n=$(instances 30)
[ "$n" = "$replicas" ] && pass "30 requests through nginx reach all $replicas replicas after the engine restart" || fail "$n instances after the engine restart"
expect_exit 0 "health after the engine restart" -- bin/stackctl health

step "down --volumes"
expect_exit 0 "down --volumes" -- bin/stackctl down --volumes
left=$(docker ps -aq --filter label=com.docker.compose.project=taskmanager | wc -l)
vols=$(docker volume ls -q --filter label=com.docker.compose.project=taskmanager | wc -l)
nets=$(docker network ls -q --filter label=com.docker.compose.project=taskmanager | wc -l)
[ "$left$vols$nets" = "000" ] && pass "down --volumes left no container, volume or network" \
  || fail "left $left containers, $vols volumes, $nets networks"
grep -q "the database's device $db_device keeps its data: the next up starts on it again" /tmp/e2e.out \
  && pass "down --volumes says the database's device keeps its data (Docker never erases one)" || fail "no word of the device's data: $(cat /tmp/e2e.out)"
bash .ci/db-device.sh down && pass "the database's device detached (nothing holds it mounted)" || fail "the database's device is still held"

# What this scenario added to compose/.env goes with its stack: a later up of this tree would look for the s3proxy
# stopped here, the device detached above, and a standby no longer there.
sed -i '/^BACKUP_S3_/d; /^ARCHIVE_TIMEOUT=/d; /^BACKUP_SCHEDULE_/d; /^MONITORING=/d; /^ALERT/d; /^SLO_/d; /^DB_STANDBY=/d; /^REPLICAS_SYNC=/d; /^READS_FROM_STANDBY=/d; /^DB_VOLUME_/d' compose/.env
bash .ci/s3proxy.sh stop /tmp/e2e-s3proxy

e2e_done=yes
e2e_totals
[ "$failed" = 0 ]
