#!/bin/sh
# Writes the 20-service busybox fan-out used by bench/compose_anchors_bench.sh to stdout: one
# `hub` service and 19 services s1..s19 that depend on it (two levels of the dependency graph:
# hub starts first and stops last). The same file as bench/up_bench.sh writes, so Berth's own
# numbers and the side-by-side ones measure the same thing. No `version:` and no `name:`, which
# docker-compose 1.29 and podman-compose 1.0.3 both accept.
#
#   bench/anchors/fanout.sh IMAGE sleep   PID 1 is `sleep 3600`. A PID 1 without a handler
#                                         ignores SIGTERM, so every stop waits out the 1 s
#                                         stop_grace_period and ends with SIGKILL: `down` is
#                                         bounded by that grace period, per graph level.
#   bench/anchors/fanout.sh IMAGE trap    PID 1 is a shell that exits on SIGTERM at once, so
#                                         `down` measures the orchestrator, not the grace period.
set -eu
image=$1
kind=${2:-sleep}
case $kind in
sleep) command='["sleep", "3600"]' ;;
trap) command='["sh", "-c", "trap \"exit 0\" TERM; sleep 3600 & wait"]' ;;
*) echo "usage: $0 IMAGE sleep|trap" >&2; exit 2 ;;
esac
echo "services:"
echo "  hub:"
echo "    image: $image"
echo "    command: $command"
echo "    stop_grace_period: 1s"
i=1
while [ $i -le 19 ]; do
  echo "  s$i:"
  echo "    image: $image"
  echo "    command: $command"
  echo "    depends_on: [hub]"
  echo "    stop_grace_period: 1s"
  i=$((i + 1))
done
