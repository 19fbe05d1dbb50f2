#pragma once
// The device policy on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program, built here as raw eBPF
// instructions (no libbpf), loaded with bpf(BPF_PROG_LOAD) and attached to the container's cgroup
// directory — what runc's devicefilter and crun do, as v2 has no devices.allow/deny files.
#include <linux/bpf.h>

#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "runtime-shim/container/device_rules.hpp"

namespace berth::shim {

/// The program for `policy`: load the request (type, access, major, minor) from the context,
/// then one block per exception ("if it matches, return its verdict"), then the default.
/// Pure: unit tests check its shape; the kernel's verifier checks it for real on load.
std::vector<bpf_insn> device_filter_program(const DevicePolicy& policy);

/// Loads a BPF_PROG_TYPE_CGROUP_DEVICE program; the error carries the verifier's log.
UniqueFd load_device_filter(const std::vector<bpf_insn>& program);

/// Attaches `prog_fd` to the cgroup v2 directory `cgroup_fd` (BPF_CGROUP_DEVICE with
/// BPF_F_ALLOW_MULTI, so programs of parent cgroups, e.g. systemd's, still apply), then detaches
/// any device program that was there before (a reused directory): never a moment without one.
void attach_device_filter(int cgroup_fd, int prog_fd, const std::string& shown_path);

/// All of it for one cgroup v2 directory: the policy of `rules`, built, loaded and attached. The
/// program fd is closed on return; the attachment keeps the program alive as long as the cgroup.
void apply_device_filter(const std::string& cgroup_dir, const std::vector<DeviceRule>& rules);

}  // namespace berth::shim
