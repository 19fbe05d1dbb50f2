#pragma once
// Creating a container process: clone() into new namespaces, set up everything in the child
// (container/init.cpp holds the ordered sequence), and exec the user's process. Errors in the
// child cross back to the parent as data ({step, errno, text}) over the sync socket, so the
// caller sees "mount overlay on /x: No such device", never "exit status 1".
#include <sys/types.h>

#include <string>

#include "runtime-shim/bundle.hpp"

namespace berth::shim {

struct CreateOptions {
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;  ///< the child's stdio (or a pty slave for all three)
  bool new_session = true;                            ///< setsid() in the child (required with a tty)
  std::string cgroup_parent;  ///< where cgroups are created, relative to each hierarchy root ("" = bundle.cgroups_path)
};

struct Created {
  pid_t pid = -1;             ///< the container's PID 1, as seen from the host
  std::string cgroup_v2_dir;  ///< absolute cgroup dir(s) created for it ("" when not used)
  std::vector<std::string> cgroup_v1_dirs;
};

/// Creates and starts the container; returns once it has exec'd the process (or throws
/// std::runtime_error with the child's exact error, having cleaned up mounts/cgroups).
Created create_container(const Bundle& bundle, const CreateOptions& opts);

/// Removes the cgroup directories of a container that has exited (kills leftovers first).
void destroy_cgroups(const Created& created);

/// Enters the namespaces and cgroup of running container `pid` and execs `args` there (for exec
/// and healthchecks); returns the new process's pid. `env`, `cwd`, `user` as in Bundle.
struct ExecSpec {
  std::vector<std::string> args;
  std::vector<std::string> env;  ///< added to / overriding the container's process env
  std::string cwd;               ///< "" = the container's cwd
  std::string user;              ///< "" = the container's user; else name/uid[:group/gid] resolved in its rootfs
  bool privileged = false;       ///< full capabilities, no seccomp
};
pid_t exec_in_container(const Created& container, const Bundle& bundle, const ExecSpec& spec,
                        const CreateOptions& stdio);

}  // namespace berth::shim
