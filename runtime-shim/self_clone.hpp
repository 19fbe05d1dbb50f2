#pragma once
// Sealed memfd copies of executables (runc's fix for CVE-2019-5736). Every process that enters a
// container before its execve (the container's init, exec and healthcheck children) runs the
// shim's image; a process in the container that can open /proc/PID/exe of such a child must get
// a sealed anonymous copy, never the host's berth-shim file (which it could read, or write once
// the shim is gone). berth-init, PID 1 of `init: true` containers, is exec'd from such a copy too.
#include <string>

#include "common/unique_fd.hpp"

namespace berth::shim {

/// Re-execs the current process from a sealed memfd copy of its executable unless it already
/// runs from one; call first thing in main(), with main's argv. Returns (in the copy) or throws
/// SysError. In the copy, comm is reset to the original file's name (fexecve would name the
/// process "3"), and the environment marker used across the re-exec is removed.
void ensure_running_from_sealed_copy(char** argv);

/// The executable's path on disk: before the re-exec, as /proc/self/exe said. Empty when this
/// process never went through ensure_running_from_sealed_copy.
const std::string& original_executable_path();

/// A memfd named `name` holding the content of the file at `path`, sealed against any change
/// (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE), close-on-exec, for fexecve.
UniqueFd sealed_copy(const std::string& path, const char* name);

/// True when `fd` is a memfd carrying all of sealed_copy's seals.
bool is_sealed_copy(int fd);

}  // namespace berth::shim
