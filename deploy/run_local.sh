#!/usr/bin/env bash
# N Streamlit replicas of INF Watch behind nginx, on this machine:  bash deploy/run_local.sh 2
# nginx listens on 127.0.0.1:${INF_WATCH_PROXY_PORT:-8500}; replica i on 127.0.0.1:$((PORT + i)).
# Runs in the foreground; Ctrl-C (or SIGTERM) stops nginx and every replica. Needs nginx (apt-get install nginx-light).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-2}"
PORT="${INF_WATCH_PROXY_PORT:-8500}"
RUN_DIR="${INF_WATCH_RUN_DIR:-$(mktemp -d -t inf-watch-deploy-XXXXXX)}"
PYTHON="${PYTHON:-.venv/bin/python}"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
mkdir -p "$RUN_DIR/logs" "$RUN_DIR/tmp"
: > "$RUN_DIR/upstream.conf"

pids=()
stop() {
  trap - EXIT INT TERM
  [ -f "$RUN_DIR/nginx.pid" ] && kill "$(cat "$RUN_DIR/nginx.pid")" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait || true
}
trap stop EXIT INT TERM

for i in $(seq 1 "$N"); do
  port=$((PORT + i))
  "$PYTHON" -m streamlit run dashboard/app.py --server.port "$port" --server.address 127.0.0.1 \
    > "$RUN_DIR/logs/replica-$i.log" 2>&1 &
  pids+=("$!")
  echo "$!" > "$RUN_DIR/replica-$i.pid"
  # Passive health check: 3 failures within 10 s take a replica out for 10 s.
  echo "server 127.0.0.1:$port max_fails=3 fail_timeout=10s;" >> "$RUN_DIR/upstream.conf"
done
for i in $(seq 1 "$N"); do
  until curl -fs "http://127.0.0.1:$((PORT + i))/_stcore/health" > /dev/null; do sleep 0.5; done
done
sed "s/@PORT@/$PORT/" deploy/nginx.conf > "$RUN_DIR/nginx.conf"
# Run as root, the workers would be `nobody`, who cannot write the run folder: keep the user running this.
if [ "$(id -u)" = "0" ]; then sed -i "1i user root;" "$RUN_DIR/nginx.conf"; fi
"$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -g "daemon off;" &
pids+=("$!")
echo "INF Watch: http://127.0.0.1:$PORT ($N replicas; logs and config in $RUN_DIR)"
wait
