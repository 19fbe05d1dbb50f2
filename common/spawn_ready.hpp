#pragma once
// The caller's side of a helper that daemonizes and reports readiness on stdout (berth-shim
// --detach, berth-dns): spawn it with stdout on a pipe, read that pipe until every writer has
// closed it (the daemon closes its copy once it is ready, or exits), then reap the spawned
// process, which is only the intermediate one.
#include <string>
#include <vector>

namespace berth {

/// What a spawned helper reported.
struct SpawnedOutput {
  std::string output;  ///< everything written to the pipe, usually one JSON line
  int status = 0;      ///< the spawned process's wait status (0 if it could not be reaped)

  /// `output` up to its first newline.
  std::string first_line() const { return output.substr(0, output.find('\n')); }
};

/// Spawns `argv[0]` (a path, not searched in PATH) with `argv`, the environment, stdin on
/// /dev/null and stdout on a pipe; stderr is inherited. Throws SysError for the pipe
/// ("pipe for <name>") or the spawn ("run `argv[0]`"). A helper that exits without writing
/// anything is not an error here: `output` is empty and the caller words the message.
SpawnedOutput spawn_ready(const std::string& name, const std::vector<std::string>& argv);

/// Reads `fd` until end of file, retrying on EINTR; a read error ends the text early.
std::string read_to_eof(int fd);

}  // namespace berth
