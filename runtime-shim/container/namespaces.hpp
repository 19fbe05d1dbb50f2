#pragma once
// Which namespaces a container gets: created by clone(), joined by path with setns(), or shared
// with the host (not listed). OCI linux.namespaces -> a plan the parent makes (opening the paths)
// and the child applies.
#include <sys/types.h>

#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "runtime-shim/container/bundle.hpp"

namespace berth::shim {

struct NamespaceJoin {
  std::string type;  ///< "network", "ipc", "uts", "pid", ...
  int nstype = 0;    ///< CLONE_NEWNET, ...
  std::string path;
  UniqueFd fd;
};

struct NamespacePlan {
  unsigned long clone_flags = 0;               ///< new namespaces made by clone() (pid, mount, uts, ipc, net)
  bool new_cgroupns = false;                   ///< unshare(CLONE_NEWCGROUP) once the child is in its cgroups
  std::vector<NamespaceJoin> joins;            ///< setns() in the child, in order
  std::vector<NamespaceJoin> pre_clone_joins;  ///< setns() before clone() (pid: affects children only)

  bool creates(int nstype) const { return (clone_flags & static_cast<unsigned long>(nstype)) != 0; }
  bool has_own(const std::string& type) const;  ///< created or joined (not the host's)
};

/// Validates linux.namespaces and opens the paths to join (in the parent, before clone).
/// A new mount namespace is required; user, time and joined mount/cgroup namespaces are refused.
NamespacePlan plan_namespaces(const std::vector<Namespace>& namespaces);

/// setns() into each join of `joins`; throws SysError("setns network `/run/...`: ...").
void join_namespaces(const std::vector<NamespaceJoin>& joins);

/// The namespaces of running process `pid` (/proc/<pid>/ns/*), in the order to join them:
/// cgroup, ipc, uts, net, pid, mnt (mnt last: it changes the root and the view of /proc).
std::vector<NamespaceJoin> process_namespaces(pid_t pid);

}  // namespace berth::shim
