#!/usr/bin/env bash
# Side-by-side Dockerfile build benchmark (run by hand, as root): `berth build` against
# `docker build` (Debian's docker.io 20.10 daemon and CLI, /usr/bin/docker) with the classic
# builder (DOCKER_BUILDKIT=0) and with the daemon's BuildKit (DOCKER_BUILDKIT=1), and
# `buildah bud --layers` (Debian's buildah 1.28, overlay storage, runc), in one run. Every tool
# starts from the same busybox-static rootfs tar (bench/anchors/busybox_rootfs.sh), imported as
# busybox:bench (`berth image import`, `docker import`, `podman import` into the storage buildah
# uses); nothing is pulled.
#   cold        a multi-stage Dockerfile of 20 instructions (global ARG, three stages of which
#               two are independent, four RUN steps that write files, COPY from the context, ADD
#               of a local tar, COPY --from between stages, ARG, ENV, WORKDIR, USER, CMD)
#               with an empty build cache: before each run the built image is removed and the
#               cache emptied (berth: `image rm` + `builder prune -f`; docker: `rmi` + `builder
#               prune -af`; buildah: every image removed, then busybox:bench imported again)
#   cached      the same build again, nothing changed (Berth's goal: <= 100 ms, whole process)
#   context25k  a context of 25,000 small files (100 in each of 250 leaf directories) that
#               `COPY . /src` copies; the first build is done before timing, then the rebuild
#               with nothing changed is timed (Berth's goal: <= 150 ms)
# After each tool's first `cached` build its image is run once: every tool must print the same
# checksums (of files RUN steps made in two stages, carried over by COPY --from).
# Timed with hyperfine (-N, no shell in between; bench/anchors/hyperfine.sh), whole commands.
# Berth builds a compose project (`berth -f compose.yaml build -q`: `build: .`, `image:`), which
# is its interface to the builder; the others get `-t` and the context directory. The summary
# gives medians, p95 and berth's median over each anchor's.
#
#   BUILD_DIR=build bench/build_bench.sh
#   env: BUILD_DIR (default build-bench), RUNS (5: cold), CACHED_RUNS (2 × RUNS: cached and
#        context25k), ANCHORS ("berth docker buildkit buildah"), CASES ("cold cached
#        context25k"), RESULTS (summary file, default /tmp/build_bench-<time>.txt)
#
# Isolation: each tool runs in a sandbox of its own, all made by bench/anchors/sandbox.sh (a
# network namespace berthbench-{b,d,p}<pid> with loopback up, and a private mount namespace with
# tmpfs on /run, /var/lib, /var/tmp and /dev/shm): berth (BERTH_RUN=/run/bbb<pid> in that /run),
# dockerd (bench/anchors/dockerd.sh; the docker CLI is run inside too; classic and BuildKit share
# it) and buildah (bench/anchors/podman_conf.sh's configuration: runc, cgroupfs, CNI). So every
# RUN step is on the same footing: a bridge with NAT in an otherwise empty namespace (docker0;
# Berth's `berth-build`, made on first use and removed by `builder prune`, so each cold berth run
# makes it again; buildah's CNI bridge), and iptables rules, bridges, overlay mounts and runtime
# state die with the sandbox. Not one sandbox for all: Berth adds its accept rules to an existing
# `ip filter FORWARD` chain (docker's) with nft's native `ct state`/`ct status` expressions,
# which iptables-nft 1.8.9 cannot read back ("table `filter' is incompatible, use 'nft' tool"),
# so after a berth build every buildah RUN step failed in CNI's firewall plugin. Stores (Berth's
# --root, dockerd's data-root, buildah's graphroot) are under one temporary directory. At the end
# everything is stopped by PID, the namespaces are deleted, the cgroups made under dockerd's
# cgroup parent (and libpod_parent, made by the image check's `podman run`) removed, and what is
# left (namespaces, mounts, processes, new cgroups and links) is reported.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ANCH=$ROOT/bench/anchors
BUILD=${BUILD_DIR:-$ROOT/build-bench}
RUNS=${RUNS:-5}
CACHED_RUNS=${CACHED_RUNS:-$((RUNS * 2))}
ANCHORS=${ANCHORS:-berth docker buildkit buildah}
CASES=${CASES:-cold cached context25k}
RESULTS=${RESULTS:-/tmp/build_bench-$(date +%Y%m%d-%H%M%S).txt}

[[ $(id -u) == 0 ]] || { echo "run as root" >&2; exit 1; }
for tool in hyperfine python3 /usr/bin/docker /usr/sbin/dockerd buildah podman; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install hyperfine docker.io buildah podman)" >&2; exit 1; }
done
berth=$BUILD/compose/berth
[[ " $ANCHORS " != *" berth "* || -x $berth ]] || { echo "no berth under $BUILD (cmake --build $BUILD --target berth berth-shim berth-init berth-dns)" >&2; exit 1; }
export BERTH_SHIM=${BERTH_SHIM:-$BUILD/runtime-shim/berth-shim}
export BERTH_DNS=${BERTH_DNS:-$BUILD/dns/berth-dns}
# Inside the sandbox's private /run; short, as berth-shim's control socket path must fit 107 bytes.
export BERTH_RUN=/run/bbb$$

tmp=/tmp/berthbuild-$$
dns=berthbench-d$$  # docker's sandbox (netns name), also dockerd's cgroup parent
bns=berthbench-b$$  # berth's sandbox
pns=berthbench-p$$  # buildah's sandbox
mkdir -p "$tmp"
: >"$RESULTS"
log() { echo "$*" | tee -a "$RESULTS"; }
# shellcheck source=anchors/cgroups.sh
source "$ANCH/cgroups.sh"
cgroups() { find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d 2>/dev/null | sort -u; }
had_libpod_parent=no  # podman run (the image check) makes it when it is not there
[[ -d /sys/fs/cgroup/memory/libpod_parent ]] && had_libpod_parent=yes
cgroups >"$tmp/cgroups.before"
ip -o link show | cut -d: -f2 | sort >"$tmp/links.before"

cleanup() {
  set +e
  echo "== cleanup" >&2
  [[ -d $tmp/docker ]] && "$ANCH/dockerd.sh" stop "$tmp/docker" "$dns"
  rm_cgroups "$dns" || echo "LEFT: cgroups /sys/fs/cgroup/*/$dns" >&2
  [[ -d $tmp/berth-sandbox ]] && "$ANCH/sandbox.sh" stop "$bns" "$tmp/berth-sandbox"
  if [[ -d $tmp/buildah-sandbox ]]; then
    in_sandbox buildah buildah rm -a >/dev/null 2>&1
    "$ANCH/sandbox.sh" stop "$pns" "$tmp/buildah-sandbox"
    if [[ $had_libpod_parent == no ]]; then rm_cgroups libpod_parent || echo "LEFT: cgroups libpod_parent" >&2; fi
  fi
  ip netns list | grep -E "^($dns|$bns|$pns)( |$)" && echo "LEFT: netns" >&2
  grep -F " $tmp" /proc/self/mountinfo && echo "LEFT: mounts under $tmp" >&2
  for p in /proc/[0-9]*; do
    if grep -qsF "$tmp" "$p/cmdline" 2>/dev/null; then echo "LEFT: process ${p#/proc/}: $(tr '\0' ' ' <"$p/cmdline")" >&2; fi
  done
  # Other engineers' runs may make cgroups and links meanwhile: reported, never removed.
  cgroups | comm -13 "$tmp/cgroups.before" - | sed 's/^/LEFT (or someone else'"'"'s): cgroup /' >&2
  ip -o link show | cut -d: -f2 | sort | comm -13 "$tmp/links.before" - | sed 's/^/LEFT (or someone else'"'"'s): link/' >&2
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The build contexts. Each holds compose.yaml (for berth) and the Dockerfile; every tool sends
# or reads the same files.
make_contexts() {
  local c=$tmp/ctx i
  mkdir -p "$c/data" "$c/scripts" "$c/app/conf" "$tmp/vendor/lib"
  for i in $(seq 1 50); do printf 'item %03d %s\n' $((51 - i)) "$(printf 'x%.0s' $(seq 1 "$i"))" >"$c/data/d$i.txt"; done
  printf '#!/bin/sh\nset -e\nfor f in /opt/vendor/lib/*; do echo "vendor $(basename "$f") $(wc -c <"$f")"; done\n' >"$c/scripts/gen.sh"
  printf 'listen=8080\nworkers=2\n' >"$c/app/conf/app.conf"
  printf '#!/bin/sh\nexec cat /app/var/sum\n' >"$c/app/run.sh"
  for i in 1 2 3 4 5; do head -c $((i * 4096)) /bin/busybox >"$tmp/vendor/lib/lib$i.so"; done
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$tmp/vendor" -cf "$c/vendor.tar" lib
  cat >"$c/Dockerfile" <<'EOD'
ARG BASE=busybox:bench
FROM ${BASE} AS gen
ARG COUNT=200
WORKDIR /gen
COPY data/ ./data/
RUN mkdir -p out && i=0 && while [ $i -lt $COUNT ]; do i=$((i + 1)); echo "record $i of $COUNT" >out/r$i.txt; done
RUN cat data/*.txt | sort >out/all.txt && wc -l <out/all.txt >out/count

FROM ${BASE} AS tools
ADD vendor.tar /opt/vendor/
COPY scripts/gen.sh /opt/tools/
RUN cd /opt/tools && chmod 755 gen.sh && ./gen.sh >built.txt

FROM ${BASE}
ENV APP_HOME=/app
WORKDIR $APP_HOME
COPY --from=gen /gen/out ./gen/
COPY --from=tools /opt/tools/built.txt /opt/tools/gen.sh ./bin/
COPY app/ ./
RUN echo "app:x:1000:1000::/app:/bin/sh" >>/etc/passwd && mkdir -p var && sha256sum gen/all.txt bin/built.txt >var/sum && chown -R 1000 var
USER 1000
CMD ["sh", "/app/run.sh"]
EOD
  c=$tmp/ctx25k
  mkdir -p "$c"
  python3 - "$c" <<'EOP'
import os, sys
root = sys.argv[1]
for d in range(250):
    sub = os.path.join(root, f"pkg{d:03d}", "src" if d % 2 else "lib")
    os.makedirs(sub)
    for f in range(100):
        with open(os.path.join(sub, f"m{f:03d}.txt"), "w") as out:
            out.write(f"module {d}/{f}\n" * (1 + f % 4))
EOP
  cat >"$c/Dockerfile" <<'EOD'
FROM busybox:bench
WORKDIR /src
COPY . /src
RUN find /src -type f | wc -l >/files.count
EOD
  for c in ctx ctx25k; do
    printf 'services:\n  app:\n    build: .\n    image: bench/%s:1\n    network_mode: none\n' "$c" >"$tmp/$c/compose.yaml"
  done
}

echo "== contexts and the busybox rootfs" >&2
make_contexts
"$ANCH/busybox_rootfs.sh" "$tmp/rootfs.tar"
# One sandbox per tool (docker's classic builder and BuildKit share dockerd's): the same
# construction for each, see the header for why not one for all.
declare -A sbx
for a in $ANCHORS; do
  case $a in
  berth)
    "$ANCH/sandbox.sh" start "$bns" "$tmp/berth-sandbox"
    sbx[berth]="nsenter -t $(cat "$tmp/berth-sandbox/holder.pid") -m -n --"
    ;;
  docker | buildkit)
    if [[ -z ${sbx[docker]:-} ]]; then
      DOCKER_HOST=$("$ANCH/dockerd.sh" start "$tmp/docker" "$dns")
      export DOCKER_HOST
      sbx[docker]="nsenter -t $(cat "$tmp/docker/sandbox/holder.pid") -m -n --"
    fi
    sbx[buildkit]=${sbx[docker]}
    ;;
  buildah)
    # podman_conf.sh's environment for buildah and podman only (TMPDIR among it).
    conf=$("$ANCH/podman_conf.sh" "$tmp/podman" | sed "s/^export //; s/'//g")
    "$ANCH/sandbox.sh" start "$pns" "$tmp/buildah-sandbox"
    sbx[buildah]="nsenter -t $(cat "$tmp/buildah-sandbox/holder.pid") -m -n -- env $conf"
    ;;
  *) echo "unknown anchor $a" >&2; exit 2 ;;
  esac
done
in_sandbox() {  # in_sandbox TOOL cmd...
  local t=$1
  shift
  ${sbx[$t]} "$@"
}

for a in $ANCHORS; do
  case $a in
  berth) in_sandbox berth "$berth" --root "$tmp/berth" image import "$tmp/rootfs.tar" busybox:bench -c 'ENV PATH=/bin' >/dev/null ;;
  docker | buildkit) in_sandbox docker /usr/bin/docker import -c 'ENV PATH=/bin' "$tmp/rootfs.tar" busybox:bench >/dev/null ;;
  buildah) in_sandbox buildah podman import -q -c 'ENV PATH=/bin' "$tmp/rootfs.tar" busybox:bench >/dev/null ;;
  esac
done

# BuildKit: the 20.10 CLI talks to the daemon's embedded BuildKit itself (no buildx plugin);
# checked with a one-line build rather than assumed.
if [[ " $ANCHORS " == *" buildkit "* ]]; then
  mkdir -p "$tmp/probe"
  echo 'FROM busybox:bench' >"$tmp/probe/Dockerfile"
  if ! out=$(in_sandbox docker env DOCKER_BUILDKIT=1 /usr/bin/docker build -q -t bench/probe:1 "$tmp/probe" 2>&1); then
    log "# buildkit: not usable here, left out: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
    ANCHORS=${ANCHORS/buildkit/}
  fi
fi

# Per tool and context: the build command, and what empties the cache (a script: several steps).
declare -A build
for c in ctx ctx25k; do
  build[berth.$c]="${sbx[berth]:-} $berth --root $tmp/berth --progress quiet -p bench$c -f $tmp/$c/compose.yaml build -q"
  build[docker.$c]="${sbx[docker]:-} env DOCKER_BUILDKIT=0 /usr/bin/docker build -q -t bench/$c:1 $tmp/$c"
  build[buildkit.$c]="${sbx[docker]:-} env DOCKER_BUILDKIT=1 /usr/bin/docker build -q -t bench/$c:1 $tmp/$c"
  build[buildah.$c]="${sbx[buildah]:-} buildah bud --layers -q -t bench/$c:1 $tmp/$c"
done
cat >"$tmp/clear-berth.sh" <<EOS
${sbx[berth]:-} $berth --root $tmp/berth image rm bench/ctx:1 >/dev/null 2>&1 || true
${sbx[berth]:-} $berth --root $tmp/berth builder prune -f >/dev/null
EOS
cat >"$tmp/clear-docker.sh" <<EOS
${sbx[docker]:-} /usr/bin/docker image rm -f bench/ctx:1 >/dev/null 2>&1 || true
${sbx[docker]:-} /usr/bin/docker builder prune -af >/dev/null
EOS
cp "$tmp/clear-docker.sh" "$tmp/clear-buildkit.sh"
cat >"$tmp/clear-buildah.sh" <<EOS
set -e
${sbx[buildah]:-} buildah rmi -a -f >/dev/null 2>&1 || true
${sbx[buildah]:-} podman import -q -c 'ENV PATH=/bin' $tmp/rootfs.tar busybox:bench >/dev/null
EOS

log "# build_bench $(date -u +%FT%TZ), kernel $(uname -r), $(nproc) cpus"
log "# berth $berth (commit $(git -C "$ROOT" rev-parse --short HEAD)); Debian packages:" \
  "$(dpkg-query -W -f '${Package} ${Version}, ' docker.io buildah podman runc containerd)"
log "# cold/cached: $(grep -cvE '^\s*(#|$)' "$tmp/ctx/Dockerfile") Dockerfile instructions, context $(find "$tmp/ctx" -type f | wc -l) files;" \
  "context25k: $(find "$tmp/ctx25k" -type f | wc -l) files in $(find "$tmp/ctx25k" -mindepth 1 -type d | wc -l) directories"
log "# tools: berth; docker = DOCKER_BUILDKIT=0; buildkit = DOCKER_BUILDKIT=1; buildah = bud --layers"
log "# case tool runs median_s p95_s mean_s min_s max_s load_before(1/5/15 min)"

# Every tool must have built the same thing: the image's CMD prints the checksums its last RUN
# wrote (of files made by RUN steps in two stages, copied across with COPY --from).
check_image() {
  local out
  case $1 in
  berth)
    out=$(in_sandbox berth "$berth" --root "$tmp/berth" --progress quiet -p benchctx -f "$tmp/ctx/compose.yaml" run --rm -T app)
    in_sandbox berth "$berth" --root "$tmp/berth" --progress quiet -p benchctx -f "$tmp/ctx/compose.yaml" down -t 1 >/dev/null
    ;;
  docker | buildkit) out=$(in_sandbox "$1" /usr/bin/docker run --rm --network none bench/ctx:1) ;;
  buildah) out=$(in_sandbox buildah podman run --rm --network none bench/ctx:1) ;;
  esac
  log "# check $1: $(echo "$out" | cut -c1-16 | tr '\n' ' ')"
  [[ -z ${first_check:-} ]] && first_check=$out
  [[ $out == "$first_check" ]] || log "# check $1: NOT the same output as the first tool's"
}

declare -A median
# shellcheck source=anchors/hyperfine.sh
source "$ANCH/hyperfine.sh"

for c in $CASES; do
  for a in $ANCHORS; do
    case $c in
    cold) bench cold "$a" "$RUNS" --prepare "bash $tmp/clear-$a.sh" "${build[$a.ctx]}" ;;
    cached)
      ${build[$a.ctx]} >/dev/null
      check_image "$a"
      bench cached "$a" "$CACHED_RUNS" --warmup 1 "${build[$a.ctx]}"
      ;;
    context25k)
      ${build[$a.ctx25k]} >/dev/null
      bench context25k "$a" "$CACHED_RUNS" --warmup 1 "${build[$a.ctx25k]}"
      ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
    esac
  done
done

summary "$CASES" "$ANCHORS"
echo "results: $RESULTS"
