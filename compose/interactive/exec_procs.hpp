#pragma once
// `berth top`: the processes of a container as `ps -ef` shows them (what `docker top` runs):
// UID PID PPID C STIME TTY TIME CMD. The pids come from the container's cgroups, named in its
// shim's state.json; the columns from /proc/<pid>/{stat,status,cmdline}.
#include <string>
#include <vector>

#include "compose/state/paths.hpp"

namespace berth::interactive {

/// The header of `ps -ef`.
std::vector<std::string> process_header();

/// Pids listed in cgroup.procs of `cgroup_dirs` (v2 dir and/or v1 controller dirs), sorted,
/// without duplicates. Missing dirs are skipped.
std::vector<int> cgroup_pids(const std::vector<std::string>& cgroup_dirs);

/// One `ps -ef` row of host process `pid` (host pids, as docker top shows them); empty when the
/// process is gone. `proc` is the proc mount (tests may point it elsewhere).
std::vector<std::string> process_row(int pid, const std::string& proc = "/proc");

/// The rows of every process of container `id` (cgroups from <run>/containers/<id>/state.json).
std::vector<std::vector<std::string>> container_processes(const state::Paths& paths, const std::string& id);

/// ps's TIME column: [DD-]HH:MM:SS from clock ticks.
std::string cpu_time_text(unsigned long long ticks, long ticks_per_second);

}  // namespace berth::interactive
