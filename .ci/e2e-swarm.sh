#!/usr/bin/env bash
# End-to-end on Docker Swarm (issue: past one host): the same stack through docker stack deploy on a single-node
# swarm this engine manages. Prints PASS/FAIL lines and, last, "e2e-swarm: N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# The project name and port may differ from the defaults so that this scenario can run beside the compose one on
# the same engine (.ci/run does): SWARM_PROJECT (taskmanager) and STACK_HTTP_PORT (8080).
P="${SWARM_PROJECT:-taskmanager}"
# shellcheck source=.ci/e2e-lib.sh
source .ci/e2e-lib.sh
stack_ps() { docker ps -q --filter label=com.docker.stack.namespace=$P "$@"; }
app_tasks() { docker ps -q --filter label=com.docker.swarm.service.name=${P}_app | sort; }

step "a single-node swarm"
if [ "$(docker info -f '{{.Swarm.LocalNodeState}}')" != active ]; then
  addr=$(hostname -I | awk '{print $1}')
  docker swarm init --advertise-addr "${addr:-127.0.0.1}" >/dev/null
fi
[ "$(docker info -f '{{.Swarm.ControlAvailable}}')" = true ] && pass "this engine manages a swarm" || fail "no swarm manager"

step "up --target swarm --replicas 3"
# The off-host repository on Swarm too: s3proxy (.ci/s3proxy.sh; a running one is reused), a path of its own in the
# bucket. The schedule runs only where the last step asks for it (a backup of its own would take pgBackRest's lock).
sed -i '/^BACKUP_S3_/d; /^BACKUP_SCHEDULE_/d' compose/.env 2>/dev/null || true
s3_path=/swarm-$(date +%s)
if bash .ci/s3proxy.sh start "${E2E_S3PROXY_DIR:-/tmp/e2e-s3proxy}" >$e2e.s3 2>$e2e.s3err; then
  { grep -v '^S3PROXY_DATA=' $e2e.s3; echo "BACKUP_S3_PATH=$s3_path"; } >>compose/.env
  printf 'BACKUP_SCHEDULE_FULL=off\nBACKUP_SCHEDULE_INCR=off\nBACKUP_SCHEDULE_PROVE=off\n' >>compose/.env
  s3_data=$(sed -n 's/^S3PROXY_DATA=//p' $e2e.s3)$s3_path
  pass "s3proxy serves TLS at $(sed -n 's/^BACKUP_S3_ENDPOINT=//p' $e2e.s3) for the Swarm stack's off-host repository"
else
  fail "s3proxy did not start: $(cat $e2e.s3err)"
fi
start=$(date +%s%N)
expect_exit 0 "up --target swarm --replicas 3" -- yielding bin/stackctl -p "$P" up --target swarm --replicas 3
echo "up took $(( ($(date +%s%N) - start) / 1000000 )) ms"
cat $e2e.err $e2e.out
login
[ "$(docker service ls -q --filter label=com.docker.stack.namespace=$P | wc -l)" = 5 ] \
  && pass "5 Swarm services (nginx, app, db, cache, and the agent that runs the backup schedule)" || fail "services: $(docker service ls)"
[ "$(status_of -H "$(bearer)" "$url/tasks?limit=1")" = 200 ] && pass "the API answers through nginx on Swarm" || fail "API through nginx"
leaks=0
for var in POSTGRES_PASSWORD APP_DB_PASSWORD REDIS_PASSWORD REDIS_OPS_PASSWORD JWT_SECRET ADMIN_PASSWORD OPS_TOKEN BACKUP_CIPHER_PASS BACKUP_S3_KEY_SECRET; do
  value=$(sed -n "s/^$var=//p" compose/.env)
  for svc in $(docker service ls -q --filter label=com.docker.stack.namespace=$P); do
    docker service inspect "$svc" | grep -qF "$value" && leaks=$((leaks + 1))
  done
  grep -qF "$value" compose/generated/swarm/$P.yaml && leaks=$((leaks + 1))
done
[ "$leaks" = 0 ] && pass "no secret value in any service spec or in the stack file (Docker secrets, *_FILE)" || fail "$leaks secret leaks"
[ "$(docker network inspect -f '{{.Driver}} {{.Internal}}' ${P}_backend)" = "overlay true" ] \
  && pass "backend is an internal overlay network" || fail "backend: $(docker network inspect -f '{{.Driver}} {{.Internal}}' ${P}_backend)"
docker service inspect -f '{{json .Spec.TaskTemplate.Placement.Constraints}}' ${P}_db | grep -q 'node.labels.stackctl.db == true' \
  && pass "the database is pinned by a placement constraint" || fail "db not pinned"
[ "$(docker service inspect -f '{{.Spec.UpdateConfig.Order}} {{.Spec.UpdateConfig.FailureAction}}' ${P}_app)" = "start-first rollback" ] \
  && pass "the app updates start-first and rolls back on failure" || fail "update_config: $(docker service inspect -f '{{json .Spec.UpdateConfig}}' ${P}_app)"
expect_exit 0 "health on Swarm" -- bin/stackctl -p "$P" health
bin/stackctl -p "$P" -o json status >$e2e.status
[ "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["target"], sum(1 for c in d["containers"] if c["service"]=="app" and c["in_upstream"]))' "$e2e.status")" = "swarm 3" ] \
  && pass "status -o json: target swarm, 3 app replicas answering by DNS" || fail "status: $(cat $e2e.status)"
# top on Swarm reads each replica's /metrics from inside it (overlay addresses are not reachable from the host).
for _ in $(seq 20); do status_of -H "$(bearer)" "$url/tasks?limit=1" >/dev/null; done &
traffic_pid=$!
expect_exit 0 "top -o json on Swarm" -- bin/stackctl -p "$P" -o json top --interval 1s
wait "$traffic_pid" || true
[ "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["replicas"]; print(d["source"], len(r), all(x["pool_max"] for x in r))' "$e2e.out" 2>/dev/null)" = "replicas 3 True" ] \
  && pass "top on Swarm: every replica's /metrics read from inside its task (3 replicas, each pool's size known)" || fail "top on Swarm: $(cat $e2e.out $e2e.err)"
expect_exit 3 "up --target compose of a stack that runs on Swarm is refused" -- bin/stackctl -p "$P" up --target compose
expect_exit 3 "secrets rotate jwt on Swarm is refused (the key is a Docker secret read once)" -- bin/stackctl -p "$P" secrets rotate jwt
grep -q "change JWT_SECRET in compose/.env and run bin/stackctl deploy" $e2e.err && pass "the refusal says how to change the key on Swarm" \
  || { fail "no Swarm hint"; cat $e2e.err; }

step "scale 3 -> 5 -> 2 under load"
loops_start 3
expect_exit 0 "scale app=5 on Swarm" -- yielding bin/stackctl -p "$P" scale app=5
[ "$(app_tasks | wc -l)" = 5 ] && pass "5 app tasks run" || fail "$(app_tasks | wc -l) app tasks"
expect_exit 0 "scale app=2 on Swarm" -- yielding bin/stackctl -p "$P" scale app=2
loops_stop "Swarm scale 3 -> 5 -> 2"
[ "$(app_tasks | wc -l)" = 2 ] && pass "2 app tasks run" || fail "$(app_tasks | wc -l) app tasks"

step "rolling update under load (every task replaced, start-first)"
# On the 2 tasks the scale left: the update, the rollback and the failed release each replace every task, and a
# third would add only time.
before=$(app_tasks)
loops_start 3
expect_exit 0 "deploy --force on Swarm" -- yielding bin/stackctl -p "$P" deploy --force --no-build
loops_stop "Swarm rolling update"
after=$(app_tasks)
[ "$(comm -12 <(echo "$before") <(echo "$after") | wc -l)" = 0 ] && [ "$(echo "$after" | wc -l)" = 2 ] \
  && pass "both tasks are new" || fail "tasks kept: $(comm -12 <(echo "$before") <(echo "$after") | wc -l)"

step "rollback under load (Swarm's previous spec)"
loops_start 2
expect_exit 0 "rollback on Swarm" -- yielding bin/stackctl -p "$P" rollback
loops_stop "Swarm rollback"
expect_exit 2 "rollback --to on Swarm is a usage error" -- bin/stackctl -p "$P" rollback --to 1

step "a release that never gets ready is rolled back by Swarm, under load"
loops_start 2
echo "DB_POOL_SIZE=0" >>compose/.env
expect_exit 1 "deploy of a release whose tasks exit at start" -- yielding bin/stackctl -p "$P" deploy --no-build
sed -i '/^DB_POOL_SIZE=0$/d' compose/.env
loops_stop "Swarm's automatic rollback"
grep -q "Swarm rolled ${P}_app back to the previous one" $e2e.err && pass "the failure says Swarm rolled back, and why: $(grep -o 'a new task: .*' $e2e.err | head -n 1)" \
  || { fail "no rollback message"; cat $e2e.err; }
docker service inspect -f '{{json .Spec.TaskTemplate.ContainerSpec.Env}}' ${P}_app | grep -q 'DB_POOL_SIZE=10' \
  && pass "the service runs the previous spec again" || fail "spec after rollback"
[ "$(docker service ls --filter name=${P}_app --format '{{.Replicas}}')" = "2/2" ] && pass "2/2 tasks after the rollback" || fail "replicas after rollback"

step "kill-replica: Swarm replaces the crashed task"
expect_exit 0 "scale app=3 on Swarm (the drill wants two to serve while one is killed)" -- yielding bin/stackctl -p "$P" scale app=3
# The drill judges latency under load: beside the compose scenario, at its weight (.ci/full-weight.sh says why), and
# at half the default rate, so that it takes less from the compose steps it runs beside.
expect_exit 0 "drill kill-replica on Swarm" -- judged "${BESIDE_FULL_WEIGHT:-env}" bin/stackctl -p "$P" drill kill-replica --duration 3s --rate 25
grep -E '^(PASS|FAIL) ' $e2e.out | sed 's/^/  /'
expect_exit 2 "a compose-only drill on Swarm is a usage error" -- bin/stackctl -p "$P" drill db-restart

step "backup and restore on Swarm"
for i in 1 2 3 4 5; do
  curl -s -o /dev/null -X POST -H "$(bearer)" -H 'content-type: application/json' -d "{\"title\":\"kept $i\"}" "$url/tasks"
done
expect_exit 0 "backup -o json" -- yielding bin/stackctl -p "$P" backup -o json
dump=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["file"])' "$e2e.out")
backed_up=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifest"]["row_counts"]["public.tasks"])' "$e2e.out")
later=$(curl -s -X POST -H "$(bearer)" -H 'content-type: application/json' -d '{"title":"after the backup"}' "$url/tasks" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["task"]["id"])')
loops_start 2
expect_exit 0 "restore latest --yes on Swarm (client loops running)" -- yielding bin/stackctl -p "$P" restore latest --yes
sleep 1; loops_end
other=$(grep -vcE '^(200|503)$' $e2e.codes || true)
[ "$other" = 0 ] && pass "during the restore clients got 200 or the 503 maintenance answer, nothing else" || fail "$other other answers"
[ "$(status_of -H "$(bearer)" "$url/tasks/$later")" = 404 ] && pass "the task written after the backup is gone, also from the cache" \
  || fail "after restore: $(status_of -H "$(bearer)" "$url/tasks/$later")"
db=$(docker ps -q --filter label=com.docker.swarm.service.name=${P}_db)
[ "$backed_up" -ge 5 ] && [ "$(docker exec "$db" psql -X -A -t -q -U taskmanager -d taskmanager -c 'SELECT count(*) FROM tasks')" = "$backed_up" ] \
  && pass "restore brought back the $backed_up backed-up tasks" || fail "task count after restore"
rm -f "$dump" "${dump%.dump}.json"

step "physical backups into both repositories on Swarm, the schedule run by the stack's agent, proofs of each"
expect_exit 0 "backup --type full on Swarm" -- yielding bin/stackctl -p "$P" backup --type full
cat $e2e.out
grep -q "in repo1 (local)" $e2e.out && grep -q "in repo2 (off-host)" $e2e.out \
  && pass "a full backup in the local repository and in S3, from the db task" || fail "backup: $(cat $e2e.out $e2e.err)"
heads=$(object_heads "$s3_data")
[ "$heads" = "Salted__" ] && pass "the $(find "$s3_data" -type f | wc -l) objects the Swarm stack wrote to S3 are ciphertext" \
  || fail "S3 objects start with '$heads' ($s3_data)"
db=$(docker ps -q --filter label=com.docker.swarm.service.name=${P}_db)
db_started=$(docker inspect -f '{{.State.StartedAt}}' "$db")
expect_exit 3 "restore --to-time on Swarm is refused (Swarm would start a new db task on the volume being rewritten)" \
  -- yielding bin/stackctl -p "$P" restore --to-time "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --yes
grep -q "on Swarm" $e2e.err && [ "$(docker inspect -f '{{.State.StartedAt}}' "$db")" = "$db_started" ] \
  && pass "the refusal says why and what to do instead, and the db task was not touched" || fail "refusal: $(cat $e2e.err)"
# One-shot Quartz expressions (seconds first, with the year), due once, 20 s from now. A job falls due under the
# schedule in force at its instant: the agent this up rolls (about 10 s here) must be running by then, or the old
# agent, whose schedule is off, lets the instant pass. An up that ends after the instant (a busy host) gets a new
# instant and rolls again: the check waits longer then, and does not fail for it.
for attempt in 1 2 3; do
  schedule_once 20
  up_code=0
  bin/stackctl -p "$P" up --target swarm >$e2e.out 2>$e2e.err || up_code=$?
  [ "$up_code" != 0 ] || [ "$(date +%s)" -lt "$due" ] && break
  echo "the agent's roll ended after the instant it had to run at (attempt $attempt): a new instant"
done
[ "$up_code" = 0 ] && pass "up --target swarm (the agent takes the schedule) (exit 0)" \
  || { fail "up --target swarm (the agent takes the schedule): exit $up_code"; tail -n 5 $e2e.err; }
scheduled=""
for _ in $(seq 1 150); do
  bin/stackctl -p "$P" backups status -o json >$e2e.status 2>/dev/null || true
  python3 - "$e2e.status" <<'PY' && { scheduled=yes; break; }
import json, os, sys
d = json.load(open(sys.argv[1]))
jobs = {j["job"]: j for j in d["schedule"]}
since = os.environ["schedule_since"]
ran = all(jobs[k]["last"] and jobs[k]["last"]["ok"] and jobs[k]["last"]["at"] >= since for k in ("incr", "prove"))
proved = sorted(p["repository"] for p in d["proofs"] if p["passed"] and p["expected"] == p["restored"] and p["at"] >= since)
sys.exit(0 if ran and proved == [1, 2] else 1)
PY
  sleep 1
done
[ -n "$scheduled" ] && pass "on Swarm the agent ran the incremental backup and proved both repositories when they fell due" \
  || fail "the schedule did not run on Swarm: $(docker service logs --tail 20 ${P}_upstream-agent 2>&1 | grep -E 'backup-schedule|agent' | tail -5)"
[ "$(docker inspect -f '{{.State.StartedAt}}' "$db")" = "$db_started" ] && [ -z "$(docker ps -aq --filter name=${P}-prove)" ] \
  && pass "the live db task was not restarted, and the proofs' scratch containers are gone" || fail "the proof touched the live stack"
sed -i 's/^BACKUP_SCHEDULE_INCR=.*/BACKUP_SCHEDULE_INCR=off/; s/^BACKUP_SCHEDULE_PROVE=.*/BACKUP_SCHEDULE_PROVE=off/' compose/.env

step "the monitoring profile on Swarm: Prometheus finds the replicas in Docker's DNS, a new one scraped within 10 s"
# Prometheus publishes no port on Swarm (Swarm publishes on every interface, and Prometheus has no login): its API is
# read from inside its task, as an operator on the node would.
prom_get() { # prom_get PATH: Prometheus' answer to GET PATH, its body only
  local c
  c=$(docker ps -q --filter label=com.docker.swarm.service.name=${P}_prometheus | head -n 1)
  [ -n "$c" ] || return 1
  docker exec "$c" bash -c 'exec 3<>/dev/tcp/127.0.0.1/9090 && printf "GET %s HTTP/1.0\r\n\r\n" "$1" >&3 && sed "1,/^\r$/d" <&3' prom "$1"
}
targets() { # targets: "job health address" per active target, sorted
  prom_get /api/v1/targets | python3 -c 'import json,sys
for t in json.load(sys.stdin)["data"]["activeTargets"]:
    print(t["labels"]["job"], t["health"], t["labels"]["instance"])' | sort
}
# nginx's answers counted from its log by mtail here (EDGE_COUNTS=log), for an nginx without the Lua module as the
# official image is; the compose scenario covers the counts nginx keeps itself.
sed -i '/^EDGE_COUNTS=/d' compose/.env && echo "EDGE_COUNTS=log" >>compose/.env
expect_exit 0 "up --target swarm --monitoring" -- yielding bin/stackctl -p "$P" up --target swarm --monitoring
cat $e2e.err
services=$(docker service ls --filter label=com.docker.stack.namespace=$P --format '{{.Name}} {{.Replicas}}' | sort)
want="alertmanager cache-exporter db-exporter edge-exporter prometheus volume-exporter"
missing=$(for s in $want; do grep -q "^${P}_$s 1/1$" <<<"$services" || echo "$s"; done)
[ -z "$missing" ] && pass "the profile's 6 services run on Swarm, one task each" || fail "not running: $missing ($services)"
docker service inspect -f '{{json .Endpoint.Ports}}' ${P}_prometheus ${P}_alertmanager | grep -q '"PublishedPort"' \
  && fail "Prometheus or Alertmanager publishes a port on Swarm" || pass "Prometheus and Alertmanager publish no port on Swarm"
n=$(app_tasks | wc -l)
all_up=""
for _ in $(seq 60); do
  targets >$e2e.targets 2>/dev/null || true
  if [ "$(awk '$1 == "app"' $e2e.targets | wc -l)" = "$n" ] && [ "$(wc -l <$e2e.targets)" = $((n + 6)) ] && ! grep -qv " up " $e2e.targets; then
    all_up=yes; break
  fi
  sleep 1
done
[ -n "$all_up" ] && pass "every target up: $n replicas by DNS, db, cache, volumes, edge, alertmanager, prometheus" \
  || fail "targets: $(tr '\n' ';' <$e2e.targets)"
expect_exit 0 "scale app=$((n + 1)) with the profile on" -- yielding bin/stackctl -p "$P" scale app=$((n + 1))
scaled=$(date +%s%N)
new=$(for c in $(app_tasks); do docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}' "$c"; done \
  | grep -o "${P}_frontend=[0-9.]*" | cut -d= -f2 | sort)
seen=""
for _ in $(seq 120); do
  targets >$e2e.targets 2>/dev/null || true
  up=$(awk '$1 == "app" && $2 == "up" {sub(/:8080$/, "", $3); print $3}' $e2e.targets | sort)
  [ -n "$new" ] && [ "$up" = "$new" ] && { seen=$(( ($(date +%s%N) - scaled) / 1000000 )); break; }
  sleep 0.25
done
[ -n "$seen" ] && [ "$seen" -le 10000 ] && pass "the new replica scraped and up in Prometheus ${seen} ms after scale returned (within 10 s)" \
  || fail "Prometheus' app targets ${seen:-never} ms after scale app=$((n + 1)): $(tr '\n' ';' <$e2e.targets), wanted $(echo $new)"
# nginx's answers by status (mtail over nginx's edge log, in the edge-log volume nginx shares with edge-exporter).
for _ in $(seq 10); do curl -s -o /dev/null "http://127.0.0.1:${STACK_HTTP_PORT:-8080}/live" || true; done
edge=""
for _ in $(seq 40); do
  edge=$(prom_get '/api/v1/query?query=sum%20by%20(status)(nginx_http_requests_total)' \
    | python3 -c 'import json,sys; print(" ".join(sorted(r["metric"]["status"] for r in json.load(sys.stdin)["data"]["result"])))' 2>/dev/null || true)
  [[ " $edge " == *" 308 "* ]] && break
  sleep 0.5
done
[[ " $edge " == *" 308 "* ]] && pass "nginx's own answers counted by status on Swarm too (statuses seen: $edge)" || fail "edge counts on Swarm: '$edge'"
docker logs "$(docker ps -q --filter label=com.docker.swarm.service.name=${P}_edge-exporter | head -n 1)" 2>&1 \
  | grep "edge-exporter: serving" | tail -n 1 | grep -q "mtail over the edge log" \
  && pass "with EDGE_COUNTS=log, mtail counts them from nginx's edge log" || fail "EDGE_COUNTS=log: edge-exporter does not read the log"
expect_exit 2 "top --source prometheus on Swarm is a usage error (no port to read Prometheus on)" -- bin/stackctl -p "$P" -o json top --source prometheus
grep -q "source replicas" $e2e.err && pass "the refusal names --source replicas" || fail "top --source prometheus on Swarm: $(cat $e2e.err)"
expect_exit 0 "top -o json on Swarm with the profile on" -- bin/stackctl -p "$P" -o json top --interval 1s
[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["source"])' $e2e.out 2>/dev/null)" = replicas ] \
  && pass "top reads the replicas on Swarm with the profile on" || fail "top on Swarm with the profile: $(cat $e2e.out $e2e.err)"
rules_loaded=$(prom_get /api/v1/rules | python3 -c 'import json,sys; print(sum(len(g["rules"]) for g in json.load(sys.stdin)["data"]["groups"]))' 2>/dev/null || echo 0)
[ "$rules_loaded" -gt 10 ] && pass "the stack's $rules_loaded alert and recording rules are loaded on Swarm too" || fail "rules on Swarm: $rules_loaded"

step "down --volumes leaves nothing behind"
expect_exit 0 "down --volumes on Swarm" -- bin/stackctl -p "$P" down --volumes
left="$(stack_ps -a | wc -l) containers, $(docker service ls -q --filter label=com.docker.stack.namespace=$P | wc -l) services"
left="$left, $(docker network ls -q --filter label=com.docker.stack.namespace=$P | wc -l) networks"
left="$left, $(docker secret ls -q --filter label=io.stackctl.project=$P | wc -l) secrets"
left="$left, $(docker volume ls -q --filter name=${P}_ | wc -l) volumes"
[ "$left" = "0 containers, 0 services, 0 networks, 0 secrets, 0 volumes" ] && pass "down --volumes: $left" || fail "down left $left"

e2e_done=yes
e2e_totals
[ "$failed" = 0 ]
