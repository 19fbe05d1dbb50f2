#pragma once
// The engine's side of berth-shim processes: launching `berth-shim run --detach` and reading
// its readiness line, telling whether a shim is still alive, and cleaning up after a shim that
// died (kill the container's cgroups, unmount what is left under the bundle).
#include <optional>
#include <string>
#include <vector>

#include "common/shim_protocol.hpp"

namespace berth::runtime {

/// What `berth-shim run --detach` reported.
struct ShimStarted {
  int pid = 0;  ///< container PID 1
  int shim_pid = 0;
};

/// Runs `shim run --bundle B --id ID --state-dir S --detach` and waits for its readiness line.
/// Throws std::runtime_error with the shim's own error text when the container did not start.
ShimStarted launch_shim(const std::string& shim, const std::string& bundle, const std::string& id,
                        const std::string& state_dir);

/// The pid of the live shim of `state_dir` (from shim.pid / state.json), or 0 when none runs.
int live_shim_pid(const std::string& state_dir);

/// The berth-shim process shim.pid / state.json name, socket or not (0 when none is alive).
int named_shim_pid(const std::string& state_dir);

/// live_shim_pid(), once a shim that holds the state dir (its shim.lock claim) but has not bound
/// its control socket yet is there: one launched by a berth killed a moment ago. Waits up to 10 s
/// for it; a shim that claims the dir and still has no socket then is an error (the container
/// `name`'s shim is stuck), never a second shim on the same dir.
int settled_shim_pid(const std::string& state_dir, const std::string& name);

/// Waits up to `timeout_ms` for process `pid` to disappear; true when it did.
bool wait_gone(int pid, int timeout_ms);

/// Sends one request to the shim of `state_dir`; throws SysError/std::runtime_error (with the
/// shim's error text) on failure.
shim_protocol::Reply shim_call(const std::string& state_dir, const nlohmann::json& request);

/// The cgroup directories of container `id`: those named in its shim's state.json and the
/// shim's defaults (<hierarchy>/berth/<id> under /sys/fs/cgroup), existing ones only.
std::vector<std::string> container_cgroups(const std::string& state_dir, const std::string& id);

/// Kills every process in `dirs` (cgroup.kill on v2, SIGKILL per pid otherwise), waits for them
/// to be gone and removes the directories. Used when the shim is dead.
void kill_cgroups(const std::vector<std::string>& dirs);

/// Unmounts (lazily, deepest first) every mount at or below `dir`.
void unmount_below(const std::string& dir);

/// Removes a directory tree without crossing into mount points; no error when absent.
void remove_tree(const std::string& dir);

}  // namespace berth::runtime
