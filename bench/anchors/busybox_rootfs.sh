#!/bin/sh
# Writes the busybox-static root file system the side-by-side benchmarks import into every tool,
# as one tar: /bin/busybox with a symlink per applet, /etc/passwd and /etc/group with root only,
# /tmp (1777) — what Berth's e2e tests make (tests/e2e/engine_fixture.cpp). Sorted, owner 0,
# mtime 0: the same busybox gives the same tar, so each tool starts from identical bytes.
#
#   bench/anchors/busybox_rootfs.sh OUT.tar
set -eu
out=${1:?usage: $0 OUT.tar}
[ -x /bin/busybox ] || { echo "needs busybox-static (/bin/busybox)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/bin" "$work/etc" "$work/tmp"
chmod 1777 "$work/tmp"
cp /bin/busybox "$work/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$work/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$work/etc/passwd"
echo 'root:x:0:' >"$work/etc/group"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work" -cf "$out" .
