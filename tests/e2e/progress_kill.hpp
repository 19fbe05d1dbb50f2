#pragma once
// Crash points for the crash matrices (issue 16): `berth --progress json` prints one JSON line
// per progress event on stderr; the run is killed with SIGKILL right after the k-th one.
#include <map>
#include <string>
#include <vector>

namespace berth::test {

/// How a run under run_until_event ended.
struct EventRun {
  int events = 0;       ///< progress events read (lines with "id" and "status")
  bool killed = false;  ///< killed after the asked-for event
  int status = 0;       ///< waitpid's status
  /// Ended by itself with exit status 0.
  bool clean() const;
};

/// Runs `argv` in `cwd` with exactly `env`, stdin and stdout on /dev/null, stderr read as
/// `--progress json` lines, and kills it with SIGKILL right after the `kill_after`-th event
/// (never when 0). With `buildkit_lines`, the lines of BuildKit's plain output that `build`
/// prints beside its JSON events (`#N ...`) count as events too. A run that has not ended after
/// `seconds` is killed too (not `killed`).
EventRun run_until_event(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                         const std::string& cwd, int kill_after, bool buildkit_lines = false, int seconds = 60);

}  // namespace berth::test
