#!/usr/bin/env bash
# make load-test: replicas of the reference service behind Debian's nginx (round robin, no stickiness), sessions
# in Debian's redis-server (AOF on), the Java load client (load/, io.stepwise.load.LoadTool) on the JDK's
# HttpClient. Phases: 1. the load grid (1 vs 2 replicas, batching off vs on, N streams + SSE generations);
# 2. kill -9 of a replica mid-load (batching off, then on); 3. a Redis crash (kill -9) and restart from its AOF mid-load; 4. overload. Everything binds to 127.0.0.1; everything this script starts is
# stopped when it ends, also on failure or Ctrl-C (trap). The report goes to benchmarks/load-test.{md,json,png}.
#
# Environment: LOAD_QUICK=1 (a ~2-minute smoke run; report under build/load/), LOAD_PORT (first port, 18100),
# LOAD_STREAMS (16,64,256), LOAD_ROUNDS (2), LOAD_SECONDS (per cell, 8), LOAD_OUT (report path without extension).
# LOAD_PHASES=overload runs phase 4 alone (~2-4 minutes): Redis, replica B with the overload limits at
# LOAD_RATE requests/s (default 527, what the last full run derived), nginx, then LOAD_ROUNDS floods. With
# LOAD_BASELINE_CLASSES=DIR (the examples/service classes of another build, e.g. main's, copied aside) a replica O
# runs that build with the same settings and the floods alternate B, O, B, O… in one run, so that a change is
# compared on the same load. LOAD_OVERLOAD_FRONTS=plain,shed floods each replica through both nginx fronts in turn:
# plain (round robin only) and shed (nginx refuses beyond the replica's limits itself; the default, as in the full
# run). It writes build/load/overload-{B,O}-{plain,shed}-N.json (with the front's refusal log summarised under
# "front") and prints the refusal latencies; it does not touch benchmarks/. LOAD_OVERLOAD_CLIENTS: flooding clients
# (128). It also copies the last flood of this build through the shedding front to build/load/overload.json, so
# that the report can be rewritten with only its overload section new:
#   java -cp "load/target/classes:$(cat load/target/classpath.txt)" io.stepwise.load.LoadTool report \
#     --dir build/load --base benchmarks/load-test.json --out benchmarks/load-test
# (every other section, the environment table and its notes included, then comes from the previous report).
set -euo pipefail

ROOT=${LOAD_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$ROOT"
RUN="$ROOT/build/load"
QUICK=${LOAD_QUICK:-0}
PHASES=${LOAD_PHASES:-all}
[[ $PHASES == all || $PHASES == overload ]] || { echo "LOAD_PHASES: expected all or overload but got '$PHASES'" >&2; exit 2; }
PORT=${LOAD_PORT:-18100}
if [[ $QUICK == 1 ]]; then
  STREAMS=${LOAD_STREAMS:-4,16}; ROUNDS=${LOAD_ROUNDS:-1}; SECONDS_PER_CELL=${LOAD_SECONDS:-2}
  FAULT_STREAMS=8; FAULT_STEPS=40; OVERLOAD_SECONDS=3; WARMUP=2; OUT=${LOAD_OUT:-$RUN/load-test}
else
  STREAMS=${LOAD_STREAMS:-16,64,256}; ROUNDS=${LOAD_ROUNDS:-2}; SECONDS_PER_CELL=${LOAD_SECONDS:-5}
  FAULT_STREAMS=16; FAULT_STEPS=40; OVERLOAD_SECONDS=10; WARMUP=6; OUT=${LOAD_OUT:-$ROOT/benchmarks/load-test}
fi
REDIS_PORT=$((PORT + 79))
JAVA=${JAVA:-java}
REPLICA_HEAP=${LOAD_REPLICA_HEAP:-512m}

since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }
log() { printf '[load-test %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { log "error: $*"; exit 1; }

# --- what is needed ------------------------------------------------------------------------------------------
need=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need+=(nginx)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if ((${#need[@]})); then
  if [[ $(id -u) == 0 ]]; then
    log "installing ${need[*]} with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    die "missing ${need[*]}; install them (sudo apt-get install ${need[*]}) or run as root"
  fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -f examples/service/target/classpath.txt && -f load/target/classpath.txt ]] \
  || die "build first: mvn -DskipTests -pl load,examples/service -am install (make load-test does it)"
SERVICE_CP="$ROOT/examples/service/target/classes:$(cat "$ROOT/examples/service/target/classpath.txt")"
LOAD_CP="$ROOT/load/target/classes:$(cat "$ROOT/load/target/classpath.txt")"

# --- everything started is recorded here and stopped on exit ------------------------------------------------
declare -A PIDS=()
cleanup() {
  local rc=$?
  set +e
  for name in "${!PIDS[@]}"; do
    local pid=${PIDS[$name]}
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null
    fi
  done
  for _ in $(seq 1 50); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.2
  done
  for name in "${!PIDS[@]}"; do
    kill -0 "${PIDS[$name]}" 2>/dev/null && { log "stopping $name hard"; kill -KILL "${PIDS[$name]}" 2>/dev/null; }
  done
  log "stopped everything it started (exit $rc)"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for p in $(seq "$PORT" $((PORT + 20))) "$REDIS_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p on 127.0.0.1 is taken; set LOAD_PORT"; fi
done
rm -rf "$RUN"
mkdir -p "$RUN"/{redis,nginx/temp,logs,models}
# Only the two models the load uses: each replica loads every model in the folder.
cp models/charlm-rnn.onnx models/co2-rnn.onnx "$RUN/models/"

# --- Redis: persistence on ----------------------------------------------------------------------------------
# appendonly yes + appendfsync everysec: every write is in the AOF file (the OS's page cache) before Redis
# answers, so a crash of the Redis process loses no acknowledged write; only a crash of the machine itself can
# lose the last second. fsync always would make that zero too, at one fsync per step.
cat >"$RUN/redis/redis.conf" <<EOF
bind 127.0.0.1
port $REDIS_PORT
protected-mode yes
daemonize no
dir $RUN/redis
pidfile $RUN/redis/redis.pid
logfile $RUN/logs/redis.log
appendonly yes
appendfsync everysec
appendfilename "appendonly.aof"
save ""
EOF
start_redis() {
  redis-server "$RUN/redis/redis.conf" &
  PIDS[redis]=$!
  disown
  for _ in $(seq 1 100); do
    redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  die "redis-server did not answer on port $REDIS_PORT (see $RUN/logs/redis.log)"
}
start_redis
log "redis-server $(redis-server --version | awk '{print $3}') on $REDIS_PORT, pid ${PIDS[redis]} (appendonly yes, appendfsync everysec)"

# --- replicas -------------------------------------------------------------------------------------------------
# A, B: batching off; C, D: batching on (only when the service can batch). B is restarted after its kill -9 with
# tight limits (2 generations at once, a rate limit below its measured capacity) for the overload phase.
declare -A RPORT=([A]=$((PORT + 1)) [B]=$((PORT + 2)) [C]=$((PORT + 3)) [D]=$((PORT + 4)) [O]=$((PORT + 5)))
declare -A REPLICA_CP=()
start_replica() { # name, then extra --options
  local name=$1; shift
  "$JAVA" -Xms"$REPLICA_HEAP" -Xmx"$REPLICA_HEAP" -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError \
    -cp "${REPLICA_CP[$name]:-$SERVICE_CP}" \
    io.stepwise.examples.service.ServiceApplication \
    --server.port="${RPORT[$name]}" --stepwise.models-dir="$RUN/models" --stepwise.store.type=redis \
    --spring.data.redis.host=127.0.0.1 --spring.data.redis.port="$REDIS_PORT" "$@" \
    >>"$RUN/logs/replica-$name.log" 2>&1 &
  PIDS[replica-$name]=$!
  disown  # its kill -9 is part of the test: no job-control message for it
}
wait_healthy() { # name, seconds → 0 healthy, 1 died or timed out
  local name=$1 limit=$2
  for _ in $(seq 1 $((limit * 2))); do
    curl -sf "http://127.0.0.1:${RPORT[$name]}/actuator/health" >/dev/null 2>&1 && return 0
    kill -0 "${PIDS[replica-$name]}" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}
OFF=(--stepwise.batching.enabled=false)
ON=(--stepwise.batching.enabled=true)
NOTES=()
MAX_GENERATIONS=2
MAX_REQUESTS=32
OVERLOAD_LIMITS=(--stepwise.service.max-concurrent-generations=$MAX_GENERATIONS
  --stepwise.service.max-concurrent-requests=$MAX_REQUESTS
  --server.forward-headers-strategy=native --server.tomcat.remoteip.internal-proxies=127.0.0.1/32)
LOAD=("$JAVA" -Xmx1g -cp "$LOAD_CP" io.stepwise.load.LoadTool)

# The overload front: an nginx that sheds excess load itself (io.stepwise.load.NginxShedding), before a replica
# spends CPU on it. Its limits are the replica's own (requests other than generations: MAX_REQUESTS −
# MAX_GENERATIONS, generations: MAX_GENERATIONS, the same rate per client address), so that what nginx admits the
# replica would admit too; the replica's guard stays as the second line. Every refusal is logged with nginx's own
# request time, so the report can show the server side's share of a refusal's latency apart from the client's.
shed_front() { # name, listen port, rate, refusal log, replica names…
  local name=$1 listen=$2 rate=$3 refusals=$4; shift 4
  local args=()
  for r in "$@"; do args+=(--replica "127.0.0.1:${RPORT[$r]}"); done
  "${LOAD[@]}" nginx-shed --name "$name" --listen "127.0.0.1:$listen" "${args[@]}" \
    --max-requests $((MAX_REQUESTS - MAX_GENERATIONS)) --max-generations "$MAX_GENERATIONS" --rate "$rate" \
    --refusal-log "$refusals"
}
# Refusals in a front's log from line FROM on: who refused (nginx itself, or the replica behind it) and nginx's own
# time for them, as JSON (the load client's figures include its own queueing on the shared cores).
refusal_summary() { # log, first line (1-based)
  python3 - "$1" "$2" <<'PY'
import json, sys
rows = []
with open(sys.argv[1]) as f:
    for i, line in enumerate(f, 1):
        if i >= int(sys.argv[2]):
            p = line.split()
            rows.append((p[1], float(p[2]) * 1000, p[3] == "-"))
def q(xs, f):
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(f * len(xs)))], 3) if xs else None
out = {}
for who, mine in (("byNginx", True), ("byReplica", False)):
    ms = [r[1] for r in rows if r[2] == mine]
    out[who] = {"count": len(ms), "statuses": {s: sum(1 for r in rows if r[2] == mine and r[0] == s)
                for s in sorted({r[0] for r in rows if r[2] == mine})},
                "nginxTimeP50Ms": q(ms, 0.5), "nginxTimeP99Ms": q(ms, 0.99), "nginxTimeMaxMs": max(ms, default=None)}
print(json.dumps(out))
PY
}

# --- LOAD_PHASES=overload: phase 4 alone, optionally against a baseline build, interleaved --------------------
if [[ $PHASES == overload ]]; then
  RATE=${LOAD_RATE:-527}
  NAMES=(B)
  if [[ -n ${LOAD_BASELINE_CLASSES:-} ]]; then
    [[ -d $LOAD_BASELINE_CLASSES/io/stepwise/examples/service ]] \
      || die "LOAD_BASELINE_CLASSES: expected a classes folder with io/stepwise/examples/service but got '$LOAD_BASELINE_CLASSES'"
    REPLICA_CP[O]="$LOAD_BASELINE_CLASSES:$(cat "$ROOT/examples/service/target/classpath.txt")"
    NAMES+=(O)
  fi
  for r in "${NAMES[@]}"; do
    start_replica "$r" "${OFF[@]}" "${OVERLOAD_LIMITS[@]}" --stepwise.service.rate-limit-requests-per-second="$RATE"
  done
  for r in "${NAMES[@]}"; do wait_healthy "$r" 600 || die "replica $r did not become healthy (see $RUN/logs/replica-$r.log)"; done
  FRONTS=${LOAD_OVERLOAD_FRONTS:-shed}
  [[ $FRONTS =~ ^(plain|shed)(,(plain|shed))*$ ]] \
    || die "LOAD_OVERLOAD_FRONTS: expected plain, shed or both (comma-separated) but got '$FRONTS'"
  IFS=, read -r -a FRONT_LIST <<<"$FRONTS"
  declare -A FRONT_PORT=()
  {
    echo "worker_processes 1; daemon off; pid $RUN/nginx/nginx.pid; error_log $RUN/logs/nginx-error.log warn;"
    echo "events { worker_connections 4096; }"
    echo "http { access_log off; proxy_http_version 1.1; proxy_set_header Connection \"\";"
    echo "  proxy_set_header Host \$host; proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;"
    echo "  proxy_buffering off; proxy_read_timeout 60s;"
    for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $RUN/nginx/temp/$t;"; done
    for r in "${NAMES[@]}"; do
      # plain: round robin only, every refusal is the replica's; shed: nginx refuses beyond the replica's limits.
      FRONT_PORT[$r-plain]=$((RPORT[$r] + 10))
      FRONT_PORT[$r-shed]=$((RPORT[$r] + 15))
      echo "  upstream up_$r { server 127.0.0.1:${RPORT[$r]}; keepalive 128; }"
      echo "  log_format plain_$r '\$msec \$status \$request_time \$upstream_addr \$request_method \$uri';"
      echo "  map \$status \$plain_${r}_refused { 429 1; 503 1; default 0; }"
      echo "  server { listen 127.0.0.1:${FRONT_PORT[$r-plain]};"
      echo "    access_log $RUN/logs/refusals-$r-plain.log plain_$r buffer=64k flush=1s if=\$plain_${r}_refused;"
      echo "    location = /lb-probe { return 204; }"
      echo "    location / { proxy_pass http://up_$r; } }"
      shed_front "shed_${r,,}" "${FRONT_PORT[$r-shed]}" "$RATE" "$RUN/logs/refusals-$r-shed.log" "$r"
    done
    echo "}"
  } >"$RUN/nginx/nginx.conf"
  chmod -R a+rwx "$RUN/nginx/temp"
  "$NGINX" -t -q -e "$RUN/logs/nginx-error.log" -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf"
  "$NGINX" -e "$RUN/logs/nginx-error.log" -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" &
  PIDS[nginx]=$!
  for r in "${NAMES[@]}"; do
    u="http://127.0.0.1:${FRONT_PORT[$r-plain]}"
    for _ in $(seq 1 50); do curl -sf "$u/actuator/health" >/dev/null && break; sleep 0.2; done
    "${LOAD[@]}" cells --target "warm-up $r|$u|${PIDS[replica-$r]}" --streams 8 --rounds 0 --generations 2 \
      --warmup-seconds "$WARMUP" --out "$RUN/overload-warmup-$r.json" >"$RUN/logs/overload-warmup-$r.out" 2>&1 \
      || die "warm-up of $r failed (see $RUN/logs/overload-warmup-$r.out)"
  done
  for round in $(seq 1 "$ROUNDS"); do
    for r in "${NAMES[@]}"; do
      for f in "${FRONT_LIST[@]}"; do
        LA=$(cut -d' ' -f1 /proc/loadavg)
        touch "$RUN/logs/refusals-$r-$f.log"
        FROM=$(($(wc -l <"$RUN/logs/refusals-$r-$f.log") + 1))
        J="$RUN/overload-$r-$f-$round.json"
        "${LOAD[@]}" overload --url "http://127.0.0.1:${FRONT_PORT[$r-$f]}" --pids "${PIDS[replica-$r]}" \
          --seconds "$OVERLOAD_SECONDS" --clients "${LOAD_OVERLOAD_CLIENTS:-128}" --probe-path /lb-probe --out "$J" \
          >"$RUN/logs/overload-$r-$f-$round.out" 2>&1 || die "overload client failed (see $RUN/logs/overload-$r-$f-$round.out)"
        LA_END=$(cut -d' ' -f1 /proc/loadavg)
        sleep 1.2 # nginx flushes its refusal log every second
        jq --argjson s "$(refusal_summary "$RUN/logs/refusals-$r-$f.log" "$FROM")" --arg la "$LA → $LA_END" \
          '. + {front: $s, loadAverage: $la}' "$J" >"$J.tmp" && mv "$J.tmp" "$J"
        log "overload $r $f round $round (load average $LA → $LA_END): $(jq -c '.overload.refused
          | {count, p50Ms, p99Ms, gen: [.generations.count, .generations.p50Ms, .generations.p99Ms],
             step: [.steps.count, .steps.p50Ms, .steps.p99Ms]}' "$J") probe: $(jq -c '.overload.probe
          | [.p50Ms, .p99Ms]' "$J") front: $(jq -c '.front' "$J")"
      done
    done
  done
  # The last flood of this build through the shedding front, as the full run's phase 4 would write it: the report
  # tool can rewrite the report around it (LoadTool report --dir build/load --base benchmarks/load-test.json …).
  if [[ -f $RUN/overload-B-shed-$ROUNDS.json ]]; then cp "$RUN/overload-B-shed-$ROUNDS.json" "$RUN/overload.json"; fi
  log "done: $RUN/overload-*.json (B = this build${LOAD_BASELINE_CLASSES:+, O = $LOAD_BASELINE_CLASSES})"
  exit 0
fi
# The starter refuses stepwise.batching.enabled=true until it is wired to io.stepwise.runtime.batch.BatchingModel;
# starting two replicas only to see them refuse costs minutes of CPU on a busy machine, so look first.
BATCHING=1
REFUSAL=$(grep -ho 'this Stepwise runtime has no"[^;]*' spring-boot-starter/src/main/java/io/stepwise/spring/*.java \
  2>/dev/null || true)
if [[ -n $REFUSAL ]]; then
  BATCHING=0
  NOTES+=("Batching on vs off: not measured. This build of the service refuses stepwise.batching.enabled=true (ModelRegistry: \"stepwise.batching.enabled=true: this Stepwise runtime has no batching front (io.stepwise.runtime.batch.BatchingModel) yet\"), so only batching-off contenders ran. The script starts batching-on replicas (C, D) by itself once the service accepts the setting.")
fi
start_replica A "${OFF[@]}"
start_replica B "${OFF[@]}"
if ((BATCHING)); then
  start_replica C "${ON[@]}"
  start_replica D "${ON[@]}"
fi
for r in A B; do
  wait_healthy "$r" 600 || die "replica $r did not become healthy (see $RUN/logs/replica-$r.log)"
done
if ((BATCHING)); then
  for r in C D; do
    if ! wait_healthy "$r" 300; then
      BATCHING=0
      NOTES+=("Batching on: replica $r did not start with --stepwise.batching.enabled=true (see replica-$r.log), so the batching-on contenders are missing from this run.")
      kill -KILL "${PIDS[replica-C]}" "${PIDS[replica-D]}" 2>/dev/null || true
    fi
  done
fi
log "replicas up: A=${PIDS[replica-A]} B=${PIDS[replica-B]} (batching-on replicas C, D: $BATCHING)"

# --- nginx: round robin, no stickiness; one port per contender ----------------------------------------------
chmod -R a+rwx "$RUN/nginx/temp"
upstream() { # name, replica names…
  local name=$1; shift
  echo "  upstream $name {"
  for r in "$@"; do echo "    server 127.0.0.1:${RPORT[$r]} max_fails=1 fail_timeout=2s;"; done
  echo "    keepalive 128;"
  echo "  }"
}
server() { echo "  server { listen 127.0.0.1:$1; location / { proxy_pass http://$2; } }"; }
{
  echo "worker_processes 1;"
  echo "daemon off;"
  echo "pid $RUN/nginx/nginx.pid;"
  echo "error_log $RUN/logs/nginx-error.log warn;"
  echo "events { worker_connections 4096; }"
  echo "http {"
  echo "  access_log off;"
  for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $RUN/nginx/temp/$t;"; done
  echo "  proxy_http_version 1.1;"
  echo "  proxy_set_header Connection \"\";"
  echo "  proxy_set_header Host \$host;"
  echo "  proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;"
  # SSE: pass every event on at once.
  echo "  proxy_buffering off;"
  echo "  proxy_read_timeout 60s;"
  # A refused connection goes to the next replica (the request was never sent); a POST that was sent is not
  # re-sent by nginx (non_idempotent is off): the client retries it with the same If-Match.
  echo "  proxy_next_upstream error timeout;"
  upstream one_off A
  upstream two_off A B
  ((BATCHING)) && upstream one_on C && upstream two_on C D
  server $((PORT + 10)) one_off
  server $((PORT + 11)) two_off
  ((BATCHING)) && server $((PORT + 12)) one_on && server $((PORT + 13)) two_on
  echo "}"
} >"$RUN/nginx/nginx.conf"
"$NGINX" -t -q -e "$RUN/logs/nginx-error.log" -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf"
"$NGINX" -e "$RUN/logs/nginx-error.log" -p "$RUN/nginx" -c "$RUN/nginx/nginx.conf" &
PIDS[nginx]=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$((PORT + 11))/actuator/health" >/dev/null && break; sleep 0.2; done
log "nginx $("$NGINX" -v 2>&1 | sed 's/.*\///') pid ${PIDS[nginx]}: ports $((PORT + 10))-$((PORT + 13))"

LOAD_AVG_START=$(cut -d' ' -f1 /proc/loadavg)

# --- 1. the load grid -----------------------------------------------------------------------------------------
TARGETS=(--target "1 replica, batching off|http://127.0.0.1:$((PORT + 10))|${PIDS[replica-A]}"
         --target "2 replicas, batching off|http://127.0.0.1:$((PORT + 11))|${PIDS[replica-A]},${PIDS[replica-B]}")
if ((BATCHING)); then
  TARGETS+=(--target "1 replica, batching on|http://127.0.0.1:$((PORT + 12))|${PIDS[replica-C]}"
            --target "2 replicas, batching on|http://127.0.0.1:$((PORT + 13))|${PIDS[replica-C]},${PIDS[replica-D]}")
fi
log "phase 1: load grid, streams $STREAMS, $ROUNDS round(s), ${SECONDS_PER_CELL}s per cell"
"${LOAD[@]}" cells "${TARGETS[@]}" --streams "$STREAMS" --rounds "$ROUNDS" --seconds "$SECONDS_PER_CELL" \
  --warmup-seconds "$WARMUP" --out "$RUN/cells.json"

# --- 2. kill -9 of one replica mid-load ----------------------------------------------------------------------
log "phase 2: kill -9 of replica B while $FAULT_STREAMS streams step through nginx"
"${LOAD[@]}" fault --label "kill -9 replica B (2 replicas, batching off)" --url "http://127.0.0.1:$((PORT + 11))" \
  --model-file "$RUN/models/charlm-rnn.onnx" --streams "$FAULT_STREAMS" --steps "$FAULT_STEPS" --seconds 480 \
  --mark-file "$RUN/fault-kill.mark" --out "$RUN/fault-kill.json" >"$RUN/logs/fault-kill.out" 2>&1 &
FAULT=$!
PIDS[fault-kill]=$FAULT
for _ in $(seq 1 1200); do [[ -f $RUN/fault-kill.mark ]] && break; kill -0 $FAULT 2>/dev/null || break; sleep 0.1; done
[[ -f $RUN/fault-kill.mark ]] || die "the fault client ended before the fault (see $RUN/logs/fault-kill.out)"
kill -KILL "${PIDS[replica-B]}"
KILLED_AT=$(date -u +%H:%M:%S.%N | cut -c1-12)
log "killed replica B (pid ${PIDS[replica-B]}) at $KILLED_AT after $(cat "$RUN/fault-kill.mark") steps"
KILL_RC=0
wait $FAULT || KILL_RC=$?
unset 'PIDS[fault-kill]'
log "kill -9 run: exit $KILL_RC ($(jq -c '{pass, stepsAcknowledged, appliedButAnswerLost, duplicatesSentAndRejected, retriesByCause, outputsBitEqual, finalStatesBitEqual}' "$RUN/fault-kill.json" 2>/dev/null))"
RESTART0=$(date +%s.%N)
# B comes back with tight limits for the overload phase; it starts while the Redis phase runs through A. The rate
# limit is half of what one replica stepped in phase 1 (at least 2/s), so that the flood is above it on any machine.
RATE=$(jq '[.cells[] | select(.replicas == 1) | .stepsPerSecond] | max / 2 | floor | if . < 2 then 2 else . end' \
  "$RUN/cells.json")
# It trusts nginx's X-Forwarded-For (the README's setting for a replica behind a load balancer), so its rate limit
# counts clients by their own address rather than nginx's.
start_replica B "${OFF[@]}" "${OVERLOAD_LIMITS[@]}" --stepwise.service.rate-limit-requests-per-second="$RATE"

# --- 2b. the same with batching on: kill -9 of replica D while streams step through C and D -------------------
# Outputs are compared with a tolerance of 1e-5, the batching front's contract against a plain StepSession: a
# batched call may round differently from a batch-1 one (measured: ~4e-6), while a lost or doubled step would move
# the outputs and the state by far more; positions must still be exact.
KILL_ON_RC=0
if ((BATCHING)); then
  log "phase 2b: kill -9 of replica D (batching on) while $FAULT_STREAMS streams step through nginx"
  "${LOAD[@]}" fault --label "kill -9 replica D (2 replicas, batching on)" --seed 13 --url "http://127.0.0.1:$((PORT + 13))" \
    --model-file "$RUN/models/charlm-rnn.onnx" --streams "$FAULT_STREAMS" --steps "$FAULT_STEPS" --seconds 480 \
    --tolerance 1e-5 --mark-file "$RUN/fault-kill-on.mark" --out "$RUN/fault-kill-on.json" >"$RUN/logs/fault-kill-on.out" 2>&1 &
  FAULT=$!
  PIDS[fault-kill-on]=$FAULT
  for _ in $(seq 1 1200); do [[ -f $RUN/fault-kill-on.mark ]] && break; kill -0 $FAULT 2>/dev/null || break; sleep 0.1; done
  [[ -f $RUN/fault-kill-on.mark ]] || die "the fault client ended before the fault (see $RUN/logs/fault-kill-on.out)"
  kill -KILL "${PIDS[replica-D]}"
  log "killed replica D (pid ${PIDS[replica-D]}) after $(cat "$RUN/fault-kill-on.mark") steps"
  wait $FAULT || KILL_ON_RC=$?
  unset 'PIDS[fault-kill-on]'
  log "kill -9 run, batching on: exit $KILL_ON_RC ($(jq -c '{pass, stepsAcknowledged, appliedButAnswerLost, duplicatesSentAndRejected, retriesByCause, outputsBitEqual, finalStatesBitEqual}' "$RUN/fault-kill-on.json" 2>/dev/null))"
fi

# --- 3. Redis crash and restart mid-load ---------------------------------------------------------------------
log "phase 3: kill -9 of redis-server and restart from its AOF while $FAULT_STREAMS streams step"
"${LOAD[@]}" fault --label "Redis kill -9 and restart (replica A, batching off)" --seed 11 \
  --url "http://127.0.0.1:$((PORT + 10))" --model-file "$RUN/models/charlm-rnn.onnx" --streams "$FAULT_STREAMS" --seconds 480 \
  --steps "$FAULT_STEPS" --mark-file "$RUN/fault-redis.mark" --out "$RUN/fault-redis.json" \
  >"$RUN/logs/fault-redis.out" 2>&1 &
FAULT=$!
PIDS[fault-redis]=$FAULT
for _ in $(seq 1 1200); do [[ -f $RUN/fault-redis.mark ]] && break; kill -0 $FAULT 2>/dev/null || break; sleep 0.1; done
[[ -f $RUN/fault-redis.mark ]] || die "the fault client ended before the fault (see $RUN/logs/fault-redis.out)"
KEYS_BEFORE=$(redis-cli -p "$REDIS_PORT" dbsize)
kill -KILL "${PIDS[redis]}"
DOWN0=$(date +%s.%N)
sleep 1
start_redis
KEYS_AFTER=$(redis-cli -p "$REDIS_PORT" dbsize)
REDIS_DOWN=$(since "$DOWN0")
log "redis killed with $KEYS_BEFORE keys, back after ${REDIS_DOWN}s with $KEYS_AFTER keys"
REDIS_RC=0
wait $FAULT || REDIS_RC=$?
unset 'PIDS[fault-redis]'
log "redis run: exit $REDIS_RC ($(jq -c '{pass, stepsAcknowledged, appliedButAnswerLost, retriesByCause, outputsBitEqual, finalStatesBitEqual}' "$RUN/fault-redis.json" 2>/dev/null))"

wait_healthy B 600 || die "replica B did not come back"
B_BACK=$(since "$RESTART0")
log "replica B restarted (now with overload limits) and healthy ${B_BACK}s after its restart began"

# --- 4. overload ---------------------------------------------------------------------------------------------
# Through its own nginx on PORT+14 (started now that RATE is known): the shedding front (shed_front above), as a
# production set-up would run it, with B's own limits; B's guard is the second line.
mkdir -p "$RUN/nginx-shed/temp"
{
  echo "worker_processes 1; daemon off; pid $RUN/nginx-shed/nginx.pid; error_log $RUN/logs/nginx-shed-error.log warn;"
  echo "events { worker_connections 4096; }"
  echo "http { access_log off; proxy_http_version 1.1; proxy_set_header Connection \"\";"
  echo "  proxy_set_header Host \$host; proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;"
  echo "  proxy_buffering off; proxy_read_timeout 60s;"
  for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $RUN/nginx-shed/temp/$t;"; done
  shed_front overload $((PORT + 14)) "$RATE" "$RUN/logs/refusals-overload.log" B
  echo "}"
} >"$RUN/nginx-shed/nginx.conf"
chmod -R a+rwx "$RUN/nginx-shed/temp"
"$NGINX" -t -q -e "$RUN/logs/nginx-shed-error.log" -p "$RUN/nginx-shed" -c "$RUN/nginx-shed/nginx.conf"
"$NGINX" -e "$RUN/logs/nginx-shed-error.log" -p "$RUN/nginx-shed" -c "$RUN/nginx-shed/nginx.conf" &
PIDS[nginx-shed]=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$((PORT + 14))/actuator/health" >/dev/null && break; sleep 0.2; done
# B has just restarted: first a short polite load, as phase 1's warm-up, so that the flood meets a warm replica
# (its first requests on a cold JVM took seconds on the busy machine, which is startup, not overload).
"${LOAD[@]}" cells --target "overload|http://127.0.0.1:$((PORT + 14))|${PIDS[replica-B]}" --streams 8 --rounds 0 \
  --generations 2 --warmup-seconds "$WARMUP" --out "$RUN/overload-warmup.json" >"$RUN/logs/overload-warmup.out" 2>&1 \
  || die "overload warm-up failed (see $RUN/logs/overload-warmup.out)"
log "phase 4: overload of replica B (2 generations at once, $RATE requests/s), then a polite load"
"${LOAD[@]}" overload --url "http://127.0.0.1:$((PORT + 14))" --pids "${PIDS[replica-B]}" \
  --seconds "$OVERLOAD_SECONDS" --probe-path /lb-probe --out "$RUN/overload.json" >"$RUN/logs/overload.out" 2>&1 \
  || die "overload client failed (see $RUN/logs/overload.out)"
sleep 1.2 # nginx flushes its refusal log every second
touch "$RUN/logs/refusals-overload.log"
jq --argjson s "$(refusal_summary "$RUN/logs/refusals-overload.log" 1)" '. + {front: $s}' "$RUN/overload.json" \
  >"$RUN/overload.json.tmp" && mv "$RUN/overload.json.tmp" "$RUN/overload.json"
log "overload: $(jq -c '{refused: .overload.refused, recovery: .recovery.accepted.statuses, rss: [.rssMiBBefore, .overload.maxRssMiB, .rssMiBAfter]}' "$RUN/overload.json")"

# --- the report ----------------------------------------------------------------------------------------------
LOAD_AVG_END=$(cut -d' ' -f1 /proc/loadavg)
NOTES+=("The machine was shared with other builds during this run: 1-minute load average $LOAD_AVG_START at the start and $LOAD_AVG_END at the end on $(nproc) cores, so absolute rates are pessimistic; compare contenders within a round (the ratios).")
NOTES+=("Redis durability: appendonly yes, appendfsync everysec. Acknowledged writes reach the AOF file before Redis answers, so a crash of the Redis process (phase 3: kill -9) loses none; a crash of the whole machine could lose up to the last second. Phase 3: $KEYS_BEFORE keys before the kill, $KEYS_AFTER after the restart from the AOF, Redis down ${REDIS_DOWN}s.")
NOTES+=("Phase 4 (overload): the flood went through an nginx that sheds overload itself (io.stepwise.load.NginxShedding: at most $((MAX_REQUESTS - MAX_GENERATIONS)) requests other than generations and $MAX_GENERATIONS generations at once, $RATE requests/s per client address, refusals answered by nginx with a problem detail and Retry-After: 1), so that excess load is refused before the replica spends CPU on it; the replica's own limits stay as the second line. Replica B ran with stepwise.service.max-concurrent-generations=$MAX_GENERATIONS, stepwise.service.max-concurrent-requests=$MAX_REQUESTS and stepwise.service.rate-limit-requests-per-second=$RATE (half the best single-replica step rate of phase 1), and trusted nginx's X-Forwarded-For (server.forward-headers-strategy=native, server.tomcat.remoteip.internal-proxies=127.0.0.1/32), so its rate limit counts each client address nginx forwards; the load clients all run on 127.0.0.1, so here they share one bucket. It had just restarted, so it got ${WARMUP}s of polite warm-up load before the flood.")
NOTES+=("Phase 2: replica B was killed with kill -9 at $KILLED_AT; restarted (with the overload limits), it was healthy again ${B_BACK}s later (startup on the shared machine).")
export LOAD_NOTES
LOAD_NOTES=$(printf '%s\n' "${NOTES[@]}")
python3 - "$RUN/env.json" <<EOF
import json, os, subprocess, sys
def out(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip() or subprocess.run(cmd, capture_output=True, text=True).stderr.strip()
    except OSError:
        return "?"
env = {
  "date": subprocess.run(["date", "-u", "+%Y-%m-%dT%H:%M:%SZ"], capture_output=True, text=True).stdout.strip(),
  "commit": out("git", "rev-parse", "--short", "HEAD"),
  "cores": os.cpu_count(),
  "loadAverageStart": "$LOAD_AVG_START",
  "loadAverageEnd": "$LOAD_AVG_END",
  "java": out("$JAVA", "-version").splitlines()[0],
  "nginx": out("$NGINX", "-v"),
  "redis": out("redis-server", "--version"),
  "replicaJvm": "-Xms$REPLICA_HEAP -Xmx$REPLICA_HEAP",
  "models": "charlm-rnn (token streams, SSE), co2-rnn (observation streams)",
  "topology": "nginx (1 worker, round robin, keepalive to replicas, no stickiness) → replicas on 127.0.0.1 → one redis-server",
  "streams": "$STREAMS", "rounds": $ROUNDS, "secondsPerCell": $SECONDS_PER_CELL,
  "batchingContenders": bool($BATCHING),
  "notes": [n for n in os.environ["LOAD_NOTES"].split("\n") if n],
}
json.dump(env, open(sys.argv[1], "w"), indent=2)
EOF
mkdir -p "$(dirname "$OUT")"
"${LOAD[@]}" report --dir "$RUN" --out "$OUT"
log "done: $OUT.md (kill -9 run exit $KILL_RC, batching on $KILL_ON_RC, redis run exit $REDIS_RC)"
((KILL_RC == 0 && KILL_ON_RC == 0 && REDIS_RC == 0)) || exit 1
