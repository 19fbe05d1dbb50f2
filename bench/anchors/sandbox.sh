#!/bin/sh
# An isolated place for an anchor (dockerd, podman): its own network namespace plus a mount
# namespace held open by a small holder process, so iptables rules, bridges, veths, CNI state,
# runtime sockets and overlay mounts all live and die with the sandbox, not on the host.
#
#   bench/anchors/sandbox.sh start NAME DIR    create netns NAME and the holder; state in DIR
#   bench/anchors/sandbox.sh exec DIR cmd...   run cmd inside (network + mount namespaces)
#   bench/anchors/sandbox.sh stop NAME DIR     end every process left in netns NAME (by PID),
#                                              delete the netns; prints what it had to kill
#
# Why not plain `ip netns exec` for everything: it unshares the mount namespace and mounts a
# fresh sysfs on /sys (so /sys/class/net shows the namespace's links), which hides the host's
# cgroup tmpfs at /sys/fs/cgroup and every hierarchy under it. dockerd then stops with "failed to
# start daemon: Devices cgroup isn't mounted" (moby's sysinfo finds no cgroup v1 mount at all) and
# runc cannot place containers. So the holder, started by `ip netns exec` (whose mount namespace
# is a recursive slave of the host's: nothing mounted inside reaches the host), mounts a tmpfs on
# /sys/fs/cgroup and every hierarchy it belongs to again (per /proc/self/cgroup; mounting a v1
# hierarchy twice attaches the same hierarchy, so cgroups made inside show at the same paths on
# the host). It also puts private tmpfs mounts on the places the anchors write outside their
# configured roots: /run (containerd-shim sockets in /run/containerd/s, /run/docker/plugins,
# podman's /run/libpod, runc's /run/runc), /var/lib (CNI's /var/lib/cni, c/image's blob-info
# cache), /var/tmp (buildah bud's temporary file, made and unlinked there whatever TMPDIR says),
# /dev/shm (podman's libpod_lock) and /etc/docker when it exists (dockerd's key.json).
# Every later command joins the holder's namespaces with nsenter, so they all share that view.
set -eu
cmd=${1:-}
case $cmd in
start)
  name=$2 dir=$3
  mkdir -p "$dir"
  ip netns add "$name"
  ip netns exec "$name" ip link set lo up
  # setsid: the holder must not get the terminal's signals; it lives until `stop`.
  setsid ip netns exec "$name" /bin/sh -eu -c '
mount -t tmpfs -o mode=755 cgroup_root /sys/fs/cgroup
while IFS=: read -r id ctrls path; do
  if [ "$ctrls" = "" ]; then
    mkdir -p /sys/fs/cgroup/unified
    mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified
  else
    sub=${ctrls#name=}
    opts=$ctrls
    case $ctrls in name=*) opts=none,$ctrls ;; esac
    mkdir -p "/sys/fs/cgroup/$sub"
    mount -t cgroup -o "$opts" cgroup "/sys/fs/cgroup/$sub"
  fi
done </proc/self/cgroup
for d in /run /var/lib /var/tmp /dev/shm /etc/docker; do
  [ -d "$d" ] && mount -t tmpfs -o mode=755 berthbench "$d"
done
chmod 1777 /dev/shm /var/tmp
mkdir -p /run/lock
echo $$ >"$1/holder.pid"
exec sleep 2147483647
' sandbox "$dir" </dev/null >"$dir/holder.log" 2>&1 &
  i=0
  while [ ! -s "$dir/holder.pid" ]; do
    i=$((i + 1))
    [ $i -le 100 ] || { echo "sandbox holder did not start: $(cat "$dir/holder.log")" >&2; exit 1; }
    sleep 0.05
  done
  ;;
exec)
  dir=$2
  shift 2
  exec nsenter -t "$(cat "$dir/holder.pid")" -m -n --wd="$PWD" -- "$@"
  ;;
stop)
  name=$2 dir=$3
  # The caller has already stopped its daemon; what is left is the holder and strays.
  if [ -s "$dir/holder.pid" ]; then
    holder=$(cat "$dir/holder.pid")
    kill -TERM "$holder" 2>/dev/null || true
    i=0
    while kill -0 "$holder" 2>/dev/null && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
  fi
  for sig in TERM TERM TERM TERM KILL KILL; do
    pids=$(ip netns pids "$name" 2>/dev/null || true)
    [ -n "$pids" ] || break
    echo "sandbox $name: SIG$sig to leftover processes: $(ps -o pid=,comm= -p "$(echo $pids | tr ' ' ,)" | tr '\n' ' ')" >&2
    kill -s "$sig" $pids 2>/dev/null || true
    sleep 1
  done
  [ -z "$(ip netns pids "$name" 2>/dev/null || true)" ] || { echo "sandbox $name: processes remain" >&2; exit 1; }
  ip netns del "$name"
  ;;
*)
  echo "usage: $0 start NAME DIR | exec DIR cmd... | stop NAME DIR" >&2
  exit 2
  ;;
esac
