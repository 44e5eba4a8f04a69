#!/usr/bin/env bash
# A small Apache Spark standalone cluster on 127.0.0.1 for the tests and the benchmarks: one
# master and two workers (1 core, 1 GB each) started from the pyspark package's `spark-class`.
#   scripts/spark-cluster.sh start   # prints the master URL (spark://127.0.0.1:7077) on stdout
#   scripts/spark-cluster.sh stop
#   scripts/spark-cluster.sh status
# Then: SPARK_MASTER=spark://127.0.0.1:7077 datdai check --engine spark …
# Settings (environment):
#   SPARK_CLUSTER_PORT (default 7077)  the master's port
#   SPARK_CLUSTER_DIR (default /tmp/datdai-spark-<port>)  logs, pid files, the workers' scratch
#   SPARK_CLUSTER_WORKERS (default 2), SPARK_WORKER_CORES (1), SPARK_WORKER_MEMORY (1g)
#   PYTHON  the Python with pyspark and datdai (default: the repository's .venv, else python3)
# Java comes from scripts/ensure-java.sh. Web UIs are on random free ports (0).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PORT="${SPARK_CLUSTER_PORT:-7077}"
DIR="${SPARK_CLUSTER_DIR:-/tmp/datdai-spark-$PORT}"
WORKERS="${SPARK_CLUSTER_WORKERS:-2}"
CORES="${SPARK_WORKER_CORES:-1}"
MEMORY="${SPARK_WORKER_MEMORY:-1g}"
URL="spark://127.0.0.1:$PORT"
log() { echo "spark-cluster: $*" >&2; }

if [ -z "${PYTHON:-}" ]; then
  if [ -x "$here/../.venv/bin/python" ]; then PYTHON="$here/../.venv/bin/python"; else PYTHON=python3; fi
fi

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop() {
  local f pid
  for f in "$DIR"/worker*.pid "$DIR"/master.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
  log "stopped $URL"
}

wait_for() {  # file, text, seconds
  local i
  for i in $(seq $(( $3 * 5 ))); do
    if grep -q "$2" "$1" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  log "timed out waiting for '$2' in $1:"; tail -n 30 "$1" >&2 || true
  return 1
}

start() {
  "$here/ensure-java.sh"
  local spark_home
  spark_home="$("$PYTHON" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')"
  export SPARK_HOME="$spark_home"
  export PYSPARK_PYTHON="${PYSPARK_PYTHON:-$(command -v "$PYTHON")}"
  export SPARK_DAEMON_MEMORY="${SPARK_DAEMON_MEMORY:-256m}"
  mkdir -p "$DIR"
  if running "$DIR/master.pid"; then
    log "reusing the cluster at $URL"
    echo "$URL"
    return 0
  fi
  stop >/dev/null 2>&1 || true
  rm -f "$DIR"/*.log
  setsid "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$PORT" --webui-port 0 >"$DIR/master.log" 2>&1 < /dev/null &
  echo $! >"$DIR/master.pid"
  wait_for "$DIR/master.log" "I have been elected leader" 90 || { stop; exit 1; }
  local i
  for i in $(seq "$WORKERS"); do
    mkdir -p "$DIR/work$i"
    setsid "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --cores "$CORES" --memory "$MEMORY" --webui-port 0 \
      --work-dir "$DIR/work$i" "$URL" >"$DIR/worker$i.log" 2>&1 < /dev/null &
    echo $! >"$DIR/worker$i.pid"
  done
  for i in $(seq "$WORKERS"); do
    wait_for "$DIR/worker$i.log" "Successfully registered with master" 90 || { stop; exit 1; }
  done
  log "master and $WORKERS workers ($CORES core, $MEMORY each) at $URL; logs in $DIR"
  echo "$URL"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if running "$DIR/master.pid"; then echo "$URL"; else log "not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
