#pragma once
// Docker's masked paths (hidden: /dev/null over files, an empty read-only tmpfs over directories)
// and read-only paths (bound onto themselves, read-only) under /proc and /sys.
#include <string>
#include <vector>

namespace berth::shim {

/// /proc/asound, /proc/acpi, /proc/kcore, /proc/keys, /proc/latency_stats, /proc/timer_list,
/// /proc/timer_stats, /proc/sched_debug, /proc/scsi, /sys/firmware, /sys/devices/virtual/powercap
const std::vector<std::string>& default_masked_paths();

/// /proc/bus, /proc/fs, /proc/irq, /proc/sys, /proc/sysrq-trigger
const std::vector<std::string>& default_readonly_paths();

/// Child, after pivot_root (`root_fd` = the container's "/"): masks each path; absent ones are
/// skipped (this kernel has no /proc/kcore, /proc/sched_debug ...).
void mask_paths(int root_fd, const std::vector<std::string>& paths);

/// Child, after pivot_root: makes each path read-only; absent ones are skipped.
void make_paths_readonly(int root_fd, const std::vector<std::string>& paths);

}  // namespace berth::shim
