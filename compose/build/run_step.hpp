#pragma once
// RUN: one command in a container made by the same code as a service's — the bundle from
// compose/bundle (a service synthesised from the step: command, environment, user, working dir,
// network mode, mounts) over the stage's layers, with the step dir's upper/ as the overlay's
// upper — run by berth-shim in the foreground (`berth-shim run`, like `runc run`): its output
// comes back on one pipe, its exit code is the command's. Whatever the command changed is then
// in upper/, ready to become a layer.
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "compose/build/step_dir.hpp"
#include "compose/model/volume.hpp"

namespace berth::build {

struct RunSpec {
  std::vector<std::string> argv;
  std::vector<std::string> env;              ///< "K=V": the stage's Env, then the build args in scope
  std::string user;                          ///< "" = root
  std::string workdir;                       ///< "" = "/"
  std::string network;                       ///< "none", "host" or "" (the build network)
  std::string netns;                         ///< for the build network: the step's namespace (BuildNetwork)
  std::vector<model::ServiceVolume> mounts;  ///< RUN --mount, as bind/tmpfs mounts
  std::vector<std::string> extra_hosts;      ///< "host=ip"
  std::uint64_t shm_size = 0;
  std::string label;  ///< names the step in errors ("[build 2/4] RUN make")
};

struct RunOutcome {
  int exit_code = 0;
  std::deque<std::string> last_lines;  ///< up to 10 last lines of output, for the error
};

/// Runs `spec` over `lowers` (topmost first) with `dir`'s upper/work. `output` receives the
/// command's stdout and stderr as they come. `root`/`run` are Berth's directories. Throws
/// std::runtime_error when the container cannot be made (a bad bundle, no berth-shim).
RunOutcome run_in_container(const std::string& root, const std::string& run, const StepDir& dir,
                            const std::vector<std::string>& lowers, const RunSpec& spec,
                            const std::function<void(std::string_view)>& output);

}  // namespace berth::build
