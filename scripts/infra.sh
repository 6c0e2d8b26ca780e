#!/usr/bin/env bash
# shellcheck disable=SC2016  # single-quoted 'bash -c' bodies receive their values as $1, $2...
# Local infrastructure for development and tests: Apache Kafka + PostgreSQL.
#
#   scripts/infra.sh up       start (or reuse) Kafka and PostgreSQL, create the DB
#   scripts/infra.sh down     stop the Kafka broker this script started
#   scripts/infra.sh status   report; exit 0 if Kafka and PostgreSQL are both up
#   scripts/infra.sh reset    down, then delete the Kafka data (clean broker)
#
# If a Docker engine answers, docker-compose.yml is used. Otherwise ("native"):
#   - PostgreSQL is the machine's own server on 127.0.0.1:5432 (started with
#     pg_ctlcluster if it is down; never stopped by this script);
#   - Kafka 3.9.1 runs as a plain JVM process (single-node KRaft) from jars that
#     Maven fetches once into .infra/kafka/lib (see infra/kafka/pom.xml).
# All commands are idempotent.
#
# Environment:
#   KAFKA_PORT              broker port (default 9092), bound to 127.0.0.1
#   KAFKA_CONTROLLER_PORT   KRaft controller port (default 9093), bound to 127.0.0.1
#   POSTGRES_PORT           PostgreSQL port (default 5432), host 127.0.0.1
#   POSTGRES_USER           PostgreSQL superuser (default postgres, trust auth)
#   HITL_DB_NAME            database to create (default hitl)
#   KAFKA_READY_TIMEOUT     seconds to wait for the broker (default 90)
#   HITL_KAFKA_STATE_DIR    where a native broker keeps its pid, data and logs (default .infra/kafka)
#   HITL_KAFKA_HEAP         JVM heap flags of a native broker (default "-Xms256m -Xmx512m")
#   HITL_INFRA_MODE         auto (default) | native | docker
#   HITL_SKIP_TOPICS        if set (non-empty), `up` does not create the contract topics (scripts/create-topics.ts)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

KAFKA_HOST=127.0.0.1
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
PG_HOST=127.0.0.1
PG_PORT="${POSTGRES_PORT:-5432}"
PG_USER="${POSTGRES_USER:-postgres}"
DB_NAME="${HITL_DB_NAME:-hitl}"
KAFKA_READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"
INFRA_MODE="${HITL_INFRA_MODE:-auto}"

KAFKA_SRC_DIR="$ROOT/infra/kafka"
COMPOSE_FILE="$ROOT/docker-compose.yml"
COMPOSE_PROJECT=hitl-infra            # must match `name:` in docker-compose.yml
# A second broker (e.g. one a test stops and starts) gets its own state dir; jars stay shared.
STATE_DIR="${HITL_KAFKA_STATE_DIR:-$ROOT/.infra/kafka}"
LIB_DIR="$ROOT/.infra/kafka/lib"
LIB_MARKER="$LIB_DIR/.complete"
DATA_DIR="$STATE_DIR/data"
LOG_DIR="$STATE_DIR/logs"
PID_FILE="$STATE_DIR/kafka.pid"
CLUSTER_ID_FILE="$STATE_DIR/cluster-id"
PROPS_FILE="$STATE_DIR/server.properties"
LOCK_FILE="$STATE_DIR/infra.lock"

info() { printf 'infra: %s\n' "$*"; }
die() { printf 'infra: ERROR: %s\n' "$*" >&2; exit 1; }

for v in KAFKA_PORT KAFKA_CONTROLLER_PORT PG_PORT KAFKA_READY_TIMEOUT; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a number (got '${!v}')"
done
[[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"
[[ "$DB_NAME" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "HITL_DB_NAME must be a plain identifier (got '$DB_NAME')"
case "$INFRA_MODE" in auto|native|docker) ;; *) die "HITL_INFRA_MODE must be auto, native or docker" ;; esac

# ---------------------------------------------------------------- helpers

# Serialise concurrent invocations (e.g. parallel test runners calling `up`).
take_lock() {
  mkdir -p "$STATE_DIR"
  exec 9>"$LOCK_FILE"
  flock -w 180 9 || die "timed out waiting for $LOCK_FILE"
}

docker_engine_up() {
  case "$INFRA_MODE" in
    native) return 1 ;;
    docker) return 0 ;;
  esac
  command -v docker >/dev/null 2>&1 || return 1
  timeout 5 docker info >/dev/null 2>&1 || return 1
  if ! timeout 5 docker compose version >/dev/null 2>&1; then
    info "docker engine answers but the 'docker compose' plugin is missing: using the native path" >&2
    return 1
  fi
}

compose() { docker compose -f "$COMPOSE_FILE" "$@"; }

# TCP connect only.
port_open() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" >/dev/null 2>&1
}

# Does a Kafka broker answer on 127.0.0.1:$1? Sends an ApiVersions v0 request
# (api_key 18, correlation id 1, client id "infra") and expects a response
# with correlation id 1 and error code 0. Needs neither java nor a client tool.
kafka_probe() {
  local out
  out="$(timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "\x00\x00\x00\x0f\x00\x12\x00\x00\x00\x00\x00\x01\x00\x05infra" >&3
    head -c 10 <&3 | od -An -tx1 | tr -d " \n"
  ' _ "${1:-$KAFKA_PORT}" 2>/dev/null)" || return 1
  [[ "$out" =~ ^[0-9a-f]{8}000000010000$ ]]
}

# Alive and not a zombie (the broker is our child until `up` exits).
pid_alive() {
  local state
  state="$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# Prints the pid of the broker started by this script if it is alive.
kafka_pid() {
  local pid
  [[ -s "$PID_FILE" ]] || return 1
  pid="$(<"$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  pid_alive "$pid" || return 1
  # Guard against pid reuse: it must be our kafka.Kafka JVM.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  printf '%s\n' "$pid"
}

pg_ready() {
  pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 2 >/dev/null 2>&1
}

psql_admin() {
  PGCONNECT_TIMEOUT=5 psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres "$@"
}

db_exists() {
  [[ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" 2>/dev/null)" == 1 ]]
}

# ---------------------------------------------------------------- PostgreSQL

ensure_postgres() {
  command -v pg_isready >/dev/null 2>&1 || die "pg_isready not found (install postgresql-client)"
  if pg_ready; then
    info "postgres: reachable on $PG_HOST:$PG_PORT"
    return 0
  fi
  info "postgres: not reachable on $PG_HOST:$PG_PORT, trying to start the local cluster"
  if command -v pg_ctlcluster >/dev/null 2>&1 && [[ -d /etc/postgresql ]]; then
    local conf ver
    for conf in /etc/postgresql/*/main; do
      [[ -d "$conf" ]] || continue
      ver="$(basename "$(dirname "$conf")")"
      pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>&1 | sed 's/^/  /' || true
    done
  fi
  local deadline=$((SECONDS + 30))
  until pg_ready; do
    ((SECONDS < deadline)) || die "postgres: not reachable on $PG_HOST:$PG_PORT after 30 s"
    sleep 0.5
  done
  info "postgres: started"
}

ensure_database() {
  command -v psql >/dev/null 2>&1 || die "psql not found (install postgresql-client)"
  if db_exists; then
    info "postgres: database '$DB_NAME' exists"
    return 0
  fi
  if ! psql_admin -c "CREATE DATABASE \"$DB_NAME\"" >/dev/null; then
    db_exists || die "postgres: could not create database '$DB_NAME'"
  fi
  info "postgres: created database '$DB_NAME'"
}

# ---------------------------------------------------------------- Kafka (native)

require_java() {
  command -v java >/dev/null 2>&1 || die "java not found (Java 17+ is needed for the native Kafka broker)"
}

kafka_tool() {
  java -Xmx256m -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$KAFKA_SRC_DIR/tools-log4j.properties" \
    -cp "$LIB_DIR/*" "$@"
}

# Jars are fetched once; the marker records which pom they came from.
ensure_kafka_libs() {
  local want
  want="$(sha256sum "$KAFKA_SRC_DIR/pom.xml" | cut -d' ' -f1)"
  if [[ -f "$LIB_MARKER" && "$(<"$LIB_MARKER")" == "$want" ]]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found (needed once to fetch the Kafka jars)"
  info "kafka: fetching jars with Maven into ${LIB_DIR#"$ROOT"/}"
  local tmp="$STATE_DIR/lib.tmp.$$"
  rm -rf "$tmp"
  local mvn_log="$STATE_DIR/mvn.log"
  if ! mvn -B -q -Dstyle.color=never -f "$KAFKA_SRC_DIR/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp" >"$mvn_log" 2>&1; then
    tail -n 40 "$mvn_log" >&2
    rm -rf "$tmp"
    die "kafka: mvn dependency:copy-dependencies failed (full log: ${mvn_log#"$ROOT"/})"
  fi
  compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null || { rm -rf "$tmp"; die "kafka: broker jar missing after mvn"; }
  compgen -G "$tmp/slf4j-reload4j-*.jar" >/dev/null || { rm -rf "$tmp"; die "kafka: logging backend missing after mvn"; }
  printf '%s\n' "$want" >"$tmp/.complete"
  rm -rf "$LIB_DIR"
  mkdir -p "$(dirname "$LIB_DIR")"
  mv "$tmp" "$LIB_DIR"
  info "kafka: $(find "$LIB_DIR" -name '*.jar' | wc -l) jars ready"
}

render_props() {
  local tmp="$PROPS_FILE.tmp.$$"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
      -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
      -e "s|@KAFKA_DATA_DIR@|$DATA_DIR|g" \
      "$KAFKA_SRC_DIR/server.properties.template" >"$tmp"
  mv "$tmp" "$PROPS_FILE"
}

ensure_cluster_id() {
  # Storage already formatted: its cluster id wins (keeps data across a lost id file).
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    local existing
    existing="$(sed -n 's/^cluster\.id=//p' "$DATA_DIR/meta.properties" | head -n1)"
    if [[ -n "$existing" ]]; then
      [[ -s "$CLUSTER_ID_FILE" && "$(<"$CLUSTER_ID_FILE")" == "$existing" ]] || printf '%s\n' "$existing" >"$CLUSTER_ID_FILE"
      return 0
    fi
  fi
  if [[ ! -s "$CLUSTER_ID_FILE" ]]; then
    local id
    id="$(kafka_tool kafka.tools.StorageTool random-uuid | tail -n1 | tr -d '[:space:]')"
    [[ "$id" =~ ^[A-Za-z0-9_-]{22}$ ]] || die "kafka: StorageTool random-uuid returned '$id'"
    printf '%s\n' "$id" >"$CLUSTER_ID_FILE"
    info "kafka: new cluster id $id"
  fi
}

format_storage() {
  local out
  if ! out="$(kafka_tool kafka.tools.StorageTool format \
        -t "$(<"$CLUSTER_ID_FILE")" -c "$PROPS_FILE" --ignore-formatted 2>&1)"; then
    printf '%s\n' "$out" >&2
    die "kafka: storage format failed"
  fi
}

server_log_size() {
  stat -c %s "$LOG_DIR/server.log" 2>/dev/null || echo 0
}

log_has_started() { # $1: byte offset of server.log when the broker was launched
  local from="$1"
  (($(server_log_size) >= from)) || from=0   # log rolled over
  tail -c +"$((from + 1))" "$LOG_DIR/server.log" 2>/dev/null | grep -q 'Kafka Server started'
}

dump_logs() {
  {
    echo "---- tail of ${LOG_DIR#"$ROOT"/}/server.log ----"
    tail -n 40 "$LOG_DIR/server.log" 2>/dev/null || echo "(none)"
    echo "---- tail of ${LOG_DIR#"$ROOT"/}/stdout.log ----"
    tail -n 20 "$LOG_DIR/stdout.log" 2>/dev/null || echo "(none)"
  } >&2
}

# Waits until the broker answers ApiVersions and has logged "Kafka Server started"
# (or has answered for a few consecutive checks, in case that line was missed).
wait_kafka_ready() { # $1: pid, $2: server.log offset at launch
  local pid="$1" from="$2" ok=0
  local deadline=$((SECONDS + KAFKA_READY_TIMEOUT))
  while :; do
    if ! pid_alive "$pid"; then
      dump_logs
      rm -f "$PID_FILE"
      die "kafka: broker process $pid exited during startup"
    fi
    if kafka_probe "$KAFKA_PORT"; then
      ok=$((ok + 1))
      if log_has_started "$from" || ((ok >= 4)); then
        return 0
      fi
    else
      ok=0
    fi
    if ((SECONDS >= deadline)); then
      dump_logs
      info "kafka: not ready after ${KAFKA_READY_TIMEOUT} s, stopping pid $pid"
      stop_pid "$pid"
      rm -f "$PID_FILE"
      die "kafka: broker not ready on $KAFKA_HOST:$KAFKA_PORT after ${KAFKA_READY_TIMEOUT} s"
    fi
    sleep 0.5
  done
}

# Starts the JVM of $PROPS_FILE in its own session and waits until it has written $PID_FILE
# (the caller reads the pid there). Heap: HITL_KAFKA_HEAP (default -Xms256m -Xmx512m).
spawn_kafka() {
  mkdir -p "$LOG_DIR" "$DATA_DIR"
  rm -f "$PID_FILE"
  local heap
  read -r -a heap <<<"${HITL_KAFKA_HEAP:--Xms256m -Xmx512m}"
  # setsid: own session, so the broker outlives this shell and its process group.
  # The wrapper closes every inherited fd above 2 (notably our lock fd 9, which
  # would otherwise stay held for the broker's lifetime), writes its own pid
  # (exec keeps it), then becomes the JVM.
  setsid bash -c '
    for fd in /proc/$$/fd/*; do
      n=${fd##*/}
      if [[ $n =~ ^[0-9]+$ ]] && ((n > 2)); then eval "exec $n>&-" 2>/dev/null || true; fi
    done
    echo $$ >"$1"; shift
    exec "$@"
  ' _ "$PID_FILE" \
    java "${heap[@]}" -XX:+UseG1GC -Djava.awt.headless=true \
      -Dkafka.logs.dir="$LOG_DIR" \
      -Dlog4j.configuration="file:$KAFKA_SRC_DIR/log4j.properties" \
      -cp "$LIB_DIR/*" kafka.Kafka "$PROPS_FILE" \
    </dev/null >>"$LOG_DIR/stdout.log" 2>&1 &
  local waited=0
  until [[ -s "$PID_FILE" ]]; do
    ((waited < 100)) || die "kafka: launcher did not write $PID_FILE"
    sleep 0.05; waited=$((waited + 1))
  done
}

launch_kafka() {
  local from
  from="$(server_log_size)"
  spawn_kafka
  local pid
  pid="$(<"$PID_FILE")"
  info "kafka: started pid $pid, waiting for $KAFKA_HOST:$KAFKA_PORT (up to ${KAFKA_READY_TIMEOUT} s)"
  wait_kafka_ready "$pid" "$from"
}

kafka_up_native() {
  local pid
  if pid="$(kafka_pid)"; then
    if kafka_probe "$KAFKA_PORT"; then
      info "kafka: already running (pid $pid) on $KAFKA_HOST:$KAFKA_PORT"
      return 0
    fi
    info "kafka: pid $pid alive but not answering yet, waiting"
    wait_kafka_ready "$pid" 0
    return 0
  fi
  rm -f "$PID_FILE"
  if kafka_probe "$KAFKA_PORT"; then
    info "kafka: a broker not started by this script answers on $KAFKA_HOST:$KAFKA_PORT, using it"
    return 0
  fi
  port_open "$KAFKA_PORT" && die "kafka: port $KAFKA_PORT is in use by something that is not a Kafka broker"
  port_open "$KAFKA_CONTROLLER_PORT" && die "kafka: controller port $KAFKA_CONTROLLER_PORT is already in use (set KAFKA_CONTROLLER_PORT)"

  require_java
  ensure_kafka_libs
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  render_props
  ensure_cluster_id
  format_storage
  launch_kafka
  info "kafka: ready on $KAFKA_HOST:$KAFKA_PORT (cluster $(<"$CLUSTER_ID_FILE"))"
}

# SIGTERM (controlled shutdown), then SIGKILL after 30 s.
stop_pid() {
  local pid="$1" deadline=$((SECONDS + 30))
  kill -TERM "$pid" 2>/dev/null || return 0
  while pid_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      info "kafka: pid $pid still alive after 30 s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      return 0
    fi
    sleep 0.2
  done
}

kafka_down_native() {
  local pid
  if ! pid="$(kafka_pid)"; then
    rm -f "$PID_FILE"
    info "kafka: not running (nothing started by this script)"
    return 0
  fi
  info "kafka: stopping pid $pid"
  stop_pid "$pid"
  rm -f "$PID_FILE"
  info "kafka: stopped"
}

# ---------------------------------------------------------------- hooks

run_topic_hook() {
  if [[ -n "${HITL_SKIP_TOPICS:-}" ]]; then
    info "topics: skipped (HITL_SKIP_TOPICS set)"
    return 0
  fi
  if [[ ! -d "$ROOT/node_modules/@swc-node/register" ]]; then
    info "topics: skipped (run npm ci first; services also create missing topics at start)"
    return 0
  fi
  info "topics: scripts/create-topics.ts"
  KAFKA_BROKERS="$KAFKA_HOST:$KAFKA_PORT" node -r @swc-node/register "$ROOT/scripts/create-topics.ts"
}

summary() {
  echo "infra up: kafka $KAFKA_HOST:$KAFKA_PORT, postgres $PG_HOST:$PG_PORT/$DB_NAME"
}

# ---------------------------------------------------------------- commands

cmd_up() {
  take_lock
  if docker_engine_up; then
    info "docker engine answers: using ${COMPOSE_FILE#"$ROOT"/}"
    local services=()
    if kafka_probe "$KAFKA_PORT"; then
      info "kafka: a broker already answers on $KAFKA_HOST:$KAFKA_PORT, not starting the container"
    else
      services+=(kafka)
    fi
    if pg_ready; then
      info "postgres: already reachable on $PG_HOST:$PG_PORT, not starting the container"
    else
      services+=(postgres)
    fi
    if ((${#services[@]})); then
      compose up -d --wait "${services[@]}"
    fi
    kafka_probe "$KAFKA_PORT" || die "kafka: nothing answers on $KAFKA_HOST:$KAFKA_PORT after 'docker compose up'"
    pg_ready || die "postgres: not reachable on $PG_HOST:$PG_PORT after 'docker compose up'"
    command -v psql >/dev/null 2>&1 && ensure_database
  else
    ensure_postgres
    ensure_database
    kafka_up_native
  fi
  exec 9>&-
  run_topic_hook
  summary
}

cmd_down() {
  take_lock
  if docker_engine_up; then
    compose down
  else
    info "postgres: left running (it is the machine's server)"
  fi
  kafka_down_native
}

cmd_reset() {
  take_lock
  if docker_engine_up; then
    compose rm --stop --force kafka || true
    docker volume rm "${COMPOSE_PROJECT}_kafka-data" >/dev/null 2>&1 || true
  fi
  kafka_down_native
  rm -rf "$DATA_DIR"
  info "kafka: data deleted (${DATA_DIR#"$ROOT"/}); next 'up' starts a clean broker"
}

cmd_status() {
  local rc=0 pid=""
  pid="$(kafka_pid)" || pid=""
  if kafka_probe "$KAFKA_PORT"; then
    if [[ -n "$pid" ]]; then
      echo "kafka:    up   $KAFKA_HOST:$KAFKA_PORT (pid $pid)"
    else
      echo "kafka:    up   $KAFKA_HOST:$KAFKA_PORT (not started by this script)"
    fi
  else
    if [[ -n "$pid" ]]; then
      echo "kafka:    DOWN $KAFKA_HOST:$KAFKA_PORT not answering (pid $pid alive: starting or stuck)"
    else
      echo "kafka:    DOWN $KAFKA_HOST:$KAFKA_PORT"
    fi
    rc=1
  fi
  if pg_ready; then
    if command -v psql >/dev/null 2>&1 && db_exists; then
      echo "postgres: up   $PG_HOST:$PG_PORT (database '$DB_NAME' exists)"
    else
      echo "postgres: up   $PG_HOST:$PG_PORT (database '$DB_NAME' missing: run 'scripts/infra.sh up')"
    fi
  else
    echo "postgres: DOWN $PG_HOST:$PG_PORT"
    rc=1
  fi
  return "$rc"
}

usage() {
  sed -n '3,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# Sourced (scripts/kafka-cluster.sh reuses the functions above): define only.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    reset) cmd_reset ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
fi
