#pragma once
// Creating a container process: clone() into new namespaces, set up everything in the child
// (container/init.cpp holds the ordered sequence), and exec the user's process. Errors in the
// child cross back to the parent as data ({step, errno, text}) over the sync socket, so the
// caller sees "mount overlay on /x: No such device", never "exit status 1".
#include <sys/types.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime-shim/container/bundle.hpp"

namespace berth::shim {

/// A terminal's size in character cells (TIOCSWINSZ), Docker's ConsoleSize.
struct ConsoleSize {
  unsigned short rows = 0, cols = 0;
};

struct CreateOptions {
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;  ///< the child's stdio (or a pty slave for all three)
  bool new_session = true;                            ///< setsid() in the child (required with a tty)
  /// With a terminal on stdin_fd: its size, set before the process starts, so a program that
  /// asks at once (`stty size`, a full-screen editor) sees the client's size, not 0x0.
  std::optional<ConsoleSize> console_size;
  /// >= 0: the container's first process is exec'd from this fd (a sealed copy of berth-init,
  /// see self_clone.hpp), so /proc/1/exe never names a host file.
  int exec_fd = -1;
  std::string cgroup_parent;  ///< where cgroups are created, relative to each hierarchy root ("" = bundle.cgroups_path)
                              ///< non-empty: the container's cgroup is <cgroup_parent>/<bundle.id>
};

/// A failed step of creating (or exec'ing into) a container: what() is "<step>: <text>", e.g.
/// "rootfs: mount overlay on `/x/merged`: No such file or directory". Steps done in the child
/// arrive as data over the sync socket; the parent's own steps (cgroups, namespaces, prepare)
/// throw the same type.
class ContainerError : public std::runtime_error {
 public:
  ContainerError(std::string step, int err, const std::string& text)
      : std::runtime_error(step + ": " + text), m_step(std::move(step)), m_errno(err), m_text(text) {}
  const std::string& step() const noexcept { return m_step; }
  int code() const noexcept { return m_errno; }                ///< errno of the failed call, 0 if none
  const std::string& text() const noexcept { return m_text; }  ///< the message without the step

 private:
  std::string m_step;
  int m_errno;
  std::string m_text;
};

struct Created {
  pid_t pid = -1;             ///< the container's PID 1, as seen from the host
  std::string cgroup_v2_dir;  ///< absolute cgroup dir(s) created for it ("" when not used)
  std::vector<std::string> cgroup_v1_dirs;
  std::vector<std::string> warnings;  ///< e.g. an rlimit clamped to the current hard limit
};

/// Creates and starts the container; returns once it has exec'd the process (or throws
/// std::runtime_error with the child's exact error, having cleaned up mounts/cgroups).
/// The container's PID 1 is a child of the calling process (waitpid() it) and gets SIGKILL when
/// the calling *thread* exits (PR_SET_PDEATHSIG): call it from the thread that supervises. The
/// second net, for a shim killed between clone and that prctl or for processes that escaped
/// PID 1's death, is the cgroup: destroy_cgroups()/kill_all() kill everything still in it.
/// Safe to call from a multi-threaded process (the namespaced child is cloned from a freshly
/// forked single-threaded intermediate).
Created create_container(const Bundle& bundle, const CreateOptions& opts);

/// Removes the cgroup directories of a container that has exited (kills leftovers first).
void destroy_cgroups(const Created& created);

/// SIGKILLs every process in the container's cgroups (v2 cgroup.kill when available, else each
/// pid of cgroup.procs, with the v1 freezer held so nothing forks meanwhile).
void kill_all(const Created& created);

/// OOM kills recorded for the container's memory cgroup (v1 memory.oom_control "oom_kill",
/// v2 memory.events "oom_kill"); 0 when unknown.
int oom_kill_count(const Created& created);

/// Freezes (pause) or thaws (unpause) every process of the container; returns once the kernel
/// reports the new state. v1 freezer.state when the v1 freezer is mounted, else v2 cgroup.freeze.
void set_frozen(const Created& created, bool frozen);

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
