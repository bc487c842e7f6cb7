#!/usr/bin/env bash
# The split topology on loopback, for trying it or testing against it: Debian's etcd, one process
# per service, one of media workers, two HTTP gateways finding them through etcd, and
# nginx in front with an upstream of both gateways (deploy/nginx/minitok.conf). Everything lives
# in a temporary folder that goes when the script is stopped (Ctrl-C or SIGTERM).
#
#   scripts/cluster.sh [--port 8080] [--gateways 2] [--keep]
#
# Installs what is missing and builds first, like scripts/serve.sh; with MINITOK_BIN set it uses
# that binary as it is. It prints one line per process ("<name> pid <pid> ..."), then
# "minitok cluster on http://127.0.0.1:PORT", and runs until stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

port=8080
gateway_count=2
keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --gateways) gateway_count="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "cluster.sh: unknown argument $1 (--port N, --gateways N, --keep)" >&2; exit 2 ;;
  esac
done

if [[ -z "${MINITOK_BIN:-}" ]]; then
  scripts/setup.sh
  scripts/build.sh release
  MINITOK_BIN="$repo/build/minitok"
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

root=$(mktemp -d /tmp/minitok-cluster-XXXXXX)
mkdir -p "$root/logs" "$root/etcd" "$root/nginx/cache" "$root/data"
pids=()

stop_all() {
  trap - INT TERM EXIT
  # Front to back: nginx and the gateways first, so nothing calls a service that is leaving.
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
  if [[ $keep -eq 1 ]]; then
    echo "kept $root"
  else
    rm -rf "$root"
  fi
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits for the first line of a process's output that matches a pattern; prints the match.
wait_for_line() {
  local file="$1" pattern="$2" pid="$3" line
  for _ in $(seq 1 600); do
    line=$(grep -m1 -E "$pattern" "$file" 2>/dev/null || true)
    if [[ -n "$line" ]]; then
      echo "$line"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "cluster.sh: no \"$pattern\" from pid $pid; its log:" >&2
  tail -20 "${file%.out}.log" >&2 2>/dev/null || true
  return 1
}

etcd_client="http://127.0.0.1:$(free_port)"
etcd_peer="http://127.0.0.1:$(free_port)"
etcd --name minitok --data-dir "$root/etcd" --listen-client-urls "$etcd_client" \
  --advertise-client-urls "$etcd_client" --listen-peer-urls "$etcd_peer" \
  --initial-advertise-peer-urls "$etcd_peer" --initial-cluster "minitok=$etcd_peer" \
  >"$root/logs/etcd.log" 2>&1 &
pids+=($!)
echo "etcd pid $! on $etcd_client"
for _ in $(seq 1 150); do
  ETCDCTL_API=3 etcdctl --endpoints "$etcd_client" --dial-timeout 1s endpoint health >/dev/null 2>&1 && break
  sleep 0.1
done

common=(--data-dir "$root/data" --etcd "$etcd_client")
for name in user video favorite comment relation message; do
  "$MINITOK_BIN" serve --role "$name" --grpc-listen 127.0.0.1:0 "${common[@]}" \
    >"$root/logs/$name.out" 2>"$root/logs/$name.log" &
  pids+=($!)
  line=$(wait_for_line "$root/logs/$name.out" "^minitok $name serving gRPC on " $!)
  echo "$name pid $! ${line#minitok $name }"
done
"$MINITOK_BIN" serve --role media "${common[@]}" >"$root/logs/media.out" 2>"$root/logs/media.log" &
pids+=($!)
wait_for_line "$root/logs/media.out" "^minitok media transcoding" $! >/dev/null
echo "media pid $! transcoding for the video service"

gateways=()
for n in $(seq 1 "$gateway_count"); do
  "$MINITOK_BIN" serve --role gateway --listen 127.0.0.1:0 --no-demo "${common[@]}" \
    >"$root/logs/gateway$n.out" 2>"$root/logs/gateway$n.log" &
  pids+=($!)
  line=$(wait_for_line "$root/logs/gateway$n.out" "^minitok listening on http://" $!)
  gateways+=("${line##*http://}")
  echo "gateway$n pid $! on http://${gateways[-1]}"
done

# nginx with the operator's site from deploy/, its addresses replaced by this cluster's.
upstream=""
for address in "${gateways[@]}"; do upstream+="    server $address max_fails=1 fail_timeout=2s;\n"; done
sed -e "/^    server 127\.0\.0\.1:808[12]/d" \
    -e "s|^upstream minitok_gateways {|&\n$upstream|" \
    -e "s|listen 80;|listen 127.0.0.1:$port;|" \
    -e "s|/var/cache/nginx/minitok|$root/nginx/cache|" \
    deploy/nginx/minitok.conf >"$root/nginx/site.conf"
# (its worker runs as the same user as the script, so that it can use the cache in this folder)
worker_user=""
if [[ $(id -u) -eq 0 ]]; then worker_user="user root;"; fi
cat >"$root/nginx/nginx.conf" <<EOF
daemon off;
$worker_user
worker_processes 1;
pid $root/nginx/nginx.pid;
error_log $root/logs/nginx.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $root/nginx/body;
  proxy_temp_path $root/nginx/proxy;
  fastcgi_temp_path $root/nginx/fastcgi;
  uwsgi_temp_path $root/nginx/uwsgi;
  scgi_temp_path $root/nginx/scgi;
  include $root/nginx/site.conf;
}
EOF
"$nginx_bin" -p "$root/nginx" -c "$root/nginx/nginx.conf" -e "$root/logs/nginx.log" &
pids+=($!)
echo "nginx pid $! on http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/readyz" 2>/dev/null && break
  sleep 0.1
done

echo "minitok cluster on http://127.0.0.1:$port (data and logs in $root)"
# Runs until stopped; a process that dies on its own is left for the operator to see in the logs.
while true; do sleep 1; done
