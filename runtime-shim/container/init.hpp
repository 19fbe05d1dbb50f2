#pragma once
// The container's init sequence, run in the child between clone() and execve(). The parent
// prepares everything that can be decided outside (create.cpp: namespace fds, capability masks,
// the seccomp BPF, clamped rlimits, the mount list) into these structs; the child only applies.
// A failing step is sent to the parent as {step, errno, text} and the child exits.
#include <linux/filter.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime-shim/container/bundle.hpp"
#include "runtime-shim/container/capabilities.hpp"
#include "runtime-shim/container/namespaces.hpp"
#include "runtime-shim/container/rlimits.hpp"
#include "runtime-shim/container/sync.hpp"
#include "runtime-shim/container/users.hpp"

namespace berth::shim {

/// The part shared by a container's first process and processes exec'd into it later.
struct ProcessSetup {
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;  ///< -1: /dev/null
  bool new_session = true;
  bool terminal = false;  ///< stdin is a terminal that becomes the controlling one
  std::vector<RlimitValue> rlimits;
  std::string user_spec;  ///< resolved in the child against the container's root when `user` is unset
  std::vector<uint32_t> additional_gids;
  std::optional<ResolvedUser> user;
  CapabilitySets capabilities;
  bool no_new_privileges = false;
  std::optional<std::vector<sock_filter>> seccomp;  ///< none: unconfined
  std::string cwd = "/";
  std::vector<std::string> args, env;
  /// >= 0: execveat() this file (berth-init's sealed copy) instead of looking up args[0], which
  /// then only names the process.
  int exec_fd = -1;
};

struct ContainerSetup {
  ProcessSetup process;
  const std::vector<NamespaceJoin>* joins = nullptr;  ///< setns() in the child
  bool new_cgroupns = false;
  bool own_uts = false;
  std::string hostname, domainname;
  std::string rootfs;
  std::vector<std::string> lower_dirs;  ///< overlay when not empty
  std::string upper_dir, work_dir;
  bool readonly_rootfs = false;
  std::vector<Mount> mounts;  ///< defaults included
  std::vector<Device> devices;
  std::vector<std::string> masked_paths, readonly_paths;
  std::map<std::string, std::string> sysctls;
};

/// Child of clone(): sets up the container and execs its process. Never returns, never throws.
[[noreturn]] void run_container_init(const ContainerSetup& setup, const SyncSocket& sync) noexcept;

/// Child of an exec: already in the container's namespaces; applies the process part and execs.
[[noreturn]] void run_exec_init(const ProcessSetup& setup, const SyncSocket& sync) noexcept;

/// The environment with HOME set from the user when it is missing.
std::vector<std::string> with_home(std::vector<std::string> env, const std::string& home);

}  // namespace berth::shim
