#!/bin/sh
# Writes a throw-away configuration for podman 4.3 under DIR and prints the environment that
# selects it (eval the output). Everything podman keeps goes under DIR or into the sandbox's
# private tmpfs mounts (bench/anchors/sandbox.sh), never into /var/lib/containers, /run/libpod,
# /etc/cni/net.d or /var/lib/cni on the host.
#
#   eval "$(bench/anchors/podman_conf.sh DIR)"
#
# Choices forced by this machine kind: runtime runc (crun 1.8 refuses hybrid cgroups: "cgroups
# in hybrid mode not supported"), cgroup_manager cgroupfs and events_logger file (no systemd,
# no journald), CNI as the network backend (netavark is not installed), and nofile/nproc ulimits
# at or below this shell's hard limits: podman's root defaults (nofile 1048576, nproc 4194304) are
# above this machine's hard limits and the kernel refuses them (CAP_SYS_RESOURCE is not in the
# bounding set): "error setting rlimit type 6: operation not permitted".
set -eu
dir=$1
nofile=$(awk '/^Max open files/ { print $5 }' /proc/self/limits)
# conmon runs with a hard nproc limit of 32768 (seen in /proc/<conmon>/limits), so runc init
# inherits that one and cannot raise it: nproc above 32768 fails the same way.
nproc=$(awk '/^Max processes/ { print ($4 == "unlimited" || $4 > 32768) ? 32768 : $4 }' /proc/self/limits)
mkdir -p "$dir/tmp" "$dir/cni" "$dir/graph" "$dir/run" "$dir/volumes" "$dir/copytmp"
cat >"$dir/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
log_driver = "k8s-file"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$dir/tmp/events.log"
tmp_dir = "$dir/tmp"
volume_path = "$dir/volumes"
image_copy_tmp_dir = "$dir/copytmp"

[network]
network_backend = "cni"
network_config_dir = "$dir/cni"
EOF
cat >"$dir/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$dir/graph"
runroot = "$dir/run"
EOF
# No search registries and no short-name aliases: "busybox:bench" must be the imported image,
# never a pull from docker.io (Debian's shortnames.conf aliases "busybox").
cat >"$dir/registries.conf" <<EOF
unqualified-search-registries = []
short-name-mode = "disabled"
EOF
echo "export CONTAINERS_CONF='$dir/containers.conf' CONTAINERS_STORAGE_CONF='$dir/storage.conf'" \
  "CONTAINERS_REGISTRIES_CONF='$dir/registries.conf' TMPDIR='$dir/copytmp'"
