#pragma once
// A project's berth-dns as a process, shared by the engine (which starts, reloads and stops it)
// and the shims (which start it again when it dies: no daemon exists to do it). Its files are in
// the project's run dir: dns.json (the records; present = the project wants a DNS server),
// dns.pid and dns.log. Starting and stopping happen under a flock of that directory, so a shim
// restarting it and `berth down` removing it never cross.
#include <string>
#include <vector>

#include "common/unique_fd.hpp"

namespace berth {

/// The pid in `<dir>/dns.pid` when that process lives and is berth-dns (its exe's name); 0
/// otherwise (no file, exited, a zombie, or a pid reused by another program).
int live_dns_pid(const std::string& dir);

/// berth-dns's command line for the run dir `dir`.
std::vector<std::string> dns_argv(const std::string& binary, const std::string& dir);

/// Starts berth-dns (`binary`) for `dir` and waits for its readiness line. Throws
/// std::runtime_error with berth-dns's own error ("start berth-dns: ...").
void start_dns_process(const std::string& binary, const std::string& dir);

/// An exclusive flock on the directory `dir` itself, taken again when the directory was removed
/// and made anew while we waited (the lock must be on the one the path names). An invalid fd
/// when `dir` does not exist, or, with `wait` false, when another holds the lock (a shim must
/// not stall its container's output waiting). Throws SysError for other failures.
UniqueFd lock_dns_dir(const std::string& dir, bool wait = true);

}  // namespace berth
