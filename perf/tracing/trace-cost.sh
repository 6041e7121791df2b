#!/usr/bin/env bash
# What tracing every inference request costs a replica, against the default cap of traced requests per second
# (perf/RESULTS.md, "Inference traces capped per second").
#
#   perf/tracing/trace-cost.sh [ROUNDS] [DURATION] [CONCURRENCY]
#
# Two standalone Release replicas of this build join one platform and export telemetry to its dashboard, as the
# AppHost's own replicas do:
#   capped  the defaults: at most Inference:MaxInferenceTracesPerSecond (10) requests traced a second
#   every   every request traced (the cap at its maximum)
# Each round runs the closed-model fraud-unary workload against both in rotated order (closed_rounds in
# perf/common/platform.sh) and prints "every" against "capped".
# Needs: dotnet build -c Release of AppHost, src/MlopsAspire.Cli and perf/MlopsAspire.LoadTest.
set -euo pipefail
ROUNDS=${1:-4}; DURATION=${2:-20s}; CONCURRENCY=${3:-32}
# shellcheck source=../common/platform.sh
source "$(dirname "$0")/../common/platform.sh"
start_platform

# The dashboard's OTLP endpoint and export settings, as the AppHost gave them to its own replica.
platform_replica=
for _ in $(seq 1 60); do
  platform_replica=$(pgrep -f "bin/Release/net10.0/MlopsAspire.Inference" | head -1 || true)
  if [[ -n "$platform_replica" ]] && grep -qz '^OTEL_EXPORTER_OTLP_ENDPOINT=' "/proc/$platform_replica/environ"; then break; fi
  sleep 2
done
mapfile -t OTLP < <(tr '\0' '\n' < "/proc/$platform_replica/environ" | grep '^OTEL_' | grep -v '^OTEL_SERVICE_NAME=\|^OTEL_RESOURCE_ATTRIBUTES=')
ARMS=("capped:9101" "every:9201")
start_replica capped 9101 9100 "$BIN" "${OTLP[@]}" OTEL_SERVICE_NAME=inference-capped
start_replica every 9201 9200 "$BIN" "${OTLP[@]}" OTEL_SERVICE_NAME=inference-every Inference__MaxInferenceTracesPerSecond=16777215
closed_rounds "$ROUNDS" "$DURATION" "$CONCURRENCY" capped
