#!/usr/bin/env bash
# Throughput with prediction statistics on ÷ off, side by side on one platform (perf/RESULTS.md, "Statistics on ÷ off").
#
#   perf/monitoring/stats-cost.sh [ROUNDS] [DURATION] [CONCURRENCY]
#
# Three standalone Release replicas of this build join one platform, differing only in settings:
#   off   Inference__Monitoring__Enabled=false
#   stats statistics to the monitoring grains, no payload log (PayloadSampleRate=0)
#   on    the defaults: statistics and every request's payload logged for feedback
# Each round runs the closed-model fraud-unary workload against each replica in rotated order (closed_rounds in
# perf/common/platform.sh) and prints each replica's throughput and CPU per request against "off".
# Needs: dotnet build -c Release of AppHost, src/MlopsAspire.Cli and perf/MlopsAspire.LoadTest.
set -euo pipefail
ROUNDS=${1:-4}; DURATION=${2:-20s}; CONCURRENCY=${3:-32}
# shellcheck source=../common/platform.sh
source "$(dirname "$0")/../common/platform.sh"
start_platform

ARMS=("off:9101" "stats:9201" "on:9301")
start_replica off 9101 9100 "$BIN" Inference__Monitoring__Enabled=false
start_replica stats 9201 9200 "$BIN" Inference__Monitoring__PayloadSampleRate=0
start_replica on 9301 9300 "$BIN"
closed_rounds "$ROUNDS" "$DURATION" "$CONCURRENCY" off
