#!/usr/bin/env bash
# Runs the store tests (artifact store, Lua) against a real Redis instead of the embedded Garnet,
# to prove the store code only relies on the Redis protocol. Installs Debian's redis-server if
# missing (needs root, as in CI). Usage: .ci/store-compat.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1; then
  echo "store-compat: installing redis-server"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi

# First free port from 6390 up, so a developer's own Redis on 6379 is never touched.
port=6390
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
  port=$((port + 1))
done

workdir="$(mktemp -d /tmp/mlops-store-compat.XXXXXX)"
pidfile="$workdir/redis.pid"

stop_redis() {
  if [[ -s "$pidfile" ]]; then
    local pid
    pid="$(cat "$pidfile")"
    kill "$pid" 2>/dev/null || true
    # Wait for it to go so the port and folder are free when we return.
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -rf "$workdir"
}
trap stop_redis EXIT

# A throwaway, memory-only instance bound to loopback.
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
  --daemonize yes --pidfile "$pidfile" --dir "$workdir" --logfile "$workdir/redis.log"

for _ in $(seq 1 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
echo "store-compat: $(redis-server --version | cut -d' ' -f1-3) on 127.0.0.1:$port"

# Tests that start an embedded store of their own (the store executable's password and shutdown) would only run
# again against Garnet: they carry the trait Server=embedded-only and are left out.
for project in tests/MlopsAspire.Store.Tests tests/MlopsAspire.Grains.Tests; do
  MLOPS_TEST_REDIS="127.0.0.1:$port" dotnet test "$project" --filter "Server!=embedded-only" "$@"
done
