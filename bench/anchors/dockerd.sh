#!/bin/sh
# Starts and stops a throw-away dockerd (Debian's docker.io 20.10, with the containerd it
# manages itself) inside a sandbox made by bench/anchors/sandbox.sh, for benchmarks only.
#
#   bench/anchors/dockerd.sh start DIR NETNS   data-root, exec-root, pidfile, socket and logs
#                                              under DIR; prints the DOCKER_HOST to use
#   bench/anchors/dockerd.sh stop DIR NETNS    stops dockerd by PID, then the sandbox
#
# Containers go to the cgroup parent /<NETNS> (cgroupfs driver: no systemd here), so
# the caller knows exactly which cgroups to remove afterwards. --config-file points at an empty
# file so /etc/docker/daemon.json cannot change the anchor.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-} dir=${2:-} ns=${3:-}
[ -n "$dir" ] && [ -n "$ns" ] || { echo "usage: $0 start|stop DIR NETNS" >&2; exit 2; }
case $cmd in
start)
  mkdir -p "$dir/data" "$dir/exec"
  echo '{}' >"$dir/daemon.json"
  "$here/sandbox.sh" start "$ns" "$dir/sandbox"
  # setsid: dockerd must not get the terminal's SIGINT before the benchmark stops it.
  setsid "$here/sandbox.sh" exec "$dir/sandbox" /usr/sbin/dockerd \
    --config-file "$dir/daemon.json" --data-root "$dir/data" --exec-root "$dir/exec" \
    --pidfile "$dir/dockerd.pid" -H "unix://$dir/docker.sock" \
    --exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "/$ns" \
    </dev/null >"$dir/dockerd.log" 2>&1 &
  echo $! >"$dir/launcher.pid"  # nsenter execs dockerd: the same PID
  i=0
  until DOCKER_HOST="unix://$dir/docker.sock" /usr/bin/docker version >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$(cat "$dir/launcher.pid")" 2>/dev/null; then
      echo "dockerd did not come up; last lines of $dir/dockerd.log:" >&2
      tail -n 5 "$dir/dockerd.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "unix://$dir/docker.sock"
  ;;
stop)
  if [ -s "$dir/launcher.pid" ]; then
    pid=$(cat "$dir/launcher.pid")
    kill -TERM "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    kill -0 "$pid" 2>/dev/null && { echo "dockerd $pid ignored SIGTERM for 30 s; SIGKILL" >&2; kill -KILL "$pid"; }
  fi
  [ -d "$dir/sandbox" ] && "$here/sandbox.sh" stop "$ns" "$dir/sandbox"
  ;;
*)
  echo "usage: $0 start|stop DIR NETNS" >&2
  exit 2
  ;;
esac
