#!/usr/bin/env bash
# A three-node KRaft cluster (each node broker and controller; replication factor 3,
# min.insync.replicas 2) for `npm run bench -- --scale`, from the same jars as the shared
# broker (scripts/infra.sh, whose functions this sources), on other ports, with its data
# under tmp/. Never touches the shared broker on 9092.
#
#   scripts/kafka-cluster.sh up       stop what a previous run left, start three clean nodes,
#                                     wait until each has started; prints the bootstrap list
#   scripts/kafka-cluster.sh down     stop the nodes and delete their data
#   scripts/kafka-cluster.sh status   exit 0 when all three answer
#
# `up` stops every node it started if any of them does not come up.
#
# Environment:
#   HITL_CLUSTER_PORT     first broker port (default 29092): brokers on it and the next two,
#                         controllers 100 above them (29192-29194), all on 127.0.0.1 (clear of the tests' own brokers on 19092)
#   HITL_CLUSTER_DIR      the nodes' data, logs and pids (default tmp/kafka-cluster)
#   HITL_CLUSTER_HEAP     each node's JVM heap flags (default "-Xms128m -Xmx384m")
#   KAFKA_READY_TIMEOUT   seconds to wait for each node (default 90)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CLUSTER_PORT="${HITL_CLUSTER_PORT:-29092}"
[[ "$CLUSTER_PORT" =~ ^[0-9]+$ ]] || { echo "kafka-cluster: HITL_CLUSTER_PORT must be a number" >&2; exit 2; }
CLUSTER_DIR="${HITL_CLUSTER_DIR:-$HERE/../tmp/kafka-cluster}"
export HITL_KAFKA_HEAP="${HITL_CLUSTER_HEAP:--Xms128m -Xmx384m}"
# infra.sh's state dir (where a first fetch of the jars keeps its temporary files and log).
export HITL_KAFKA_STATE_DIR="$CLUSTER_DIR"
export HITL_INFRA_MODE=native

# shellcheck source=scripts/infra.sh
source "$HERE/infra.sh"

NODES=(1 2 3)
CLUSTER_DIR="$(mkdir -p "$CLUSTER_DIR" && cd "$CLUSTER_DIR" && pwd)"
CLUSTER_ID_FILE="$CLUSTER_DIR/cluster-id"
TEMPLATE="$KAFKA_SRC_DIR/cluster.properties.template"

node_port() { echo $((CLUSTER_PORT + $1 - 1)); }
node_controller_port() { echo $((CLUSTER_PORT + 100 + $1 - 1)); }

# Points infra.sh's globals (ports, data, logs, pid file, properties) at node $1.
use_node() {
  KAFKA_PORT="$(node_port "$1")"
  KAFKA_CONTROLLER_PORT="$(node_controller_port "$1")"
  STATE_DIR="$CLUSTER_DIR/node-$1"
  DATA_DIR="$STATE_DIR/data"
  LOG_DIR="$STATE_DIR/logs"
  PID_FILE="$STATE_DIR/kafka.pid"
  PROPS_FILE="$STATE_DIR/server.properties"
}

bootstrap() {
  local n list=()
  for n in "${NODES[@]}"; do list+=("127.0.0.1:$(node_port "$n")"); done
  (IFS=,; echo "${list[*]}")
}

render_node_props() { # $1: node id
  local n voters=()
  for n in "${NODES[@]}"; do voters+=("$n@127.0.0.1:$(node_controller_port "$n")"); done
  mkdir -p "$STATE_DIR" "$DATA_DIR" "$LOG_DIR"
  sed -e "s|@NODE_ID@|$1|g" \
      -e "s|@VOTERS@|$(IFS=,; echo "${voters[*]}")|g" \
      -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
      -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
      -e "s|@KAFKA_DATA_DIR@|$DATA_DIR|g" \
      "$TEMPLATE" >"$PROPS_FILE"
}

# SIGTERM to every node at once (the data is thrown away, so no node waits for the others'
# controlled shutdown), SIGKILL to those still alive after 20 s; then the data goes.
cluster_down() {
  local n pid pids=()
  for n in "${NODES[@]}"; do
    use_node "$n"
    if pid="$(kafka_pid)"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  local deadline=$((SECONDS + 20))
  for pid in "${pids[@]}"; do
    while pid_alive "$pid"; do
      if ((SECONDS >= deadline)); then
        info "cluster: pid $pid still alive after 20 s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
        break
      fi
      sleep 0.2
    done
  done
  rm -rf "${CLUSTER_DIR:?}"/node-* "$CLUSTER_ID_FILE"
  info "cluster: stopped ${#pids[@]} node(s), data deleted"
}

cluster_up() {
  require_java
  ensure_kafka_libs
  cluster_down >/dev/null
  local n
  for n in "${NODES[@]}"; do
    for port in "$(node_port "$n")" "$(node_controller_port "$n")"; do
      port_open "$port" && die "cluster: port $port is in use (set HITL_CLUSTER_PORT)"
    done
  done
  # From here on, a failure stops whatever was started.
  trap 'cluster_down >&2' EXIT

  local id
  id="$(kafka_tool kafka.tools.StorageTool random-uuid | tail -n1 | tr -d '[:space:]')"
  [[ "$id" =~ ^[A-Za-z0-9_-]{22}$ ]] || die "cluster: StorageTool random-uuid returned '$id'"
  printf '%s\n' "$id" >"$CLUSTER_ID_FILE"
  local formats=()
  for n in "${NODES[@]}"; do
    use_node "$n"
    render_node_props "$n"
    (format_storage) &
    formats+=("$!")
  done
  for pid in "${formats[@]}"; do wait "$pid" || die "cluster: storage format failed"; done

  # All three first: a node cannot finish starting before a quorum of controllers answers.
  for n in "${NODES[@]}"; do
    use_node "$n"
    spawn_kafka
  done
  info "cluster: started $(bootstrap) (cluster $id), waiting for each node (up to ${KAFKA_READY_TIMEOUT} s)"
  for n in "${NODES[@]}"; do
    use_node "$n"
    wait_kafka_ready "$(<"$PID_FILE")" 0
  done
  trap - EXIT
  info "cluster: ready"
  bootstrap
}

cluster_status() {
  local n rc=0
  for n in "${NODES[@]}"; do
    if kafka_probe "$(node_port "$n")"; then
      echo "node $n: up   127.0.0.1:$(node_port "$n")"
    else
      echo "node $n: DOWN 127.0.0.1:$(node_port "$n")"
      rc=1
    fi
  done
  return "$rc"
}

case "${1:-}" in
  up) cluster_up ;;
  down) cluster_down ;;
  status) cluster_status ;;
  *) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
