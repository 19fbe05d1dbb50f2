// Namespace planning and joining. The parent opens every namespace path before clone() (the child
// may no longer see the host's /run after pivot_root) and the child setns()es into them.
// Kernel quirks: setns(CLONE_NEWPID) changes only the namespace of future children, so a pid
// namespace is joined in the intermediate process before the clone() that makes the container
// (see create.cpp); a cgroup namespace is unshared only after the parent has moved the child
// into its cgroups, otherwise its root would be the shim's cgroup; joining a mount namespace
// resets the root and cwd to that namespace's root, which is why it comes last.
#include "runtime-shim/container/namespaces.hpp"

#include <fcntl.h>
#include <sched.h>

#include <set>
#include <stdexcept>

#include "common/sys_error.hpp"
#include "runtime-shim/container/fsutil.hpp"

namespace berth::shim {

namespace {

struct NsType {
  const char* oci;
  const char* proc;  ///< name under /proc/<pid>/ns
  int flag;
};

constexpr NsType ns_types[] = {
    {"cgroup", "cgroup", CLONE_NEWCGROUP}, {"ipc", "ipc", CLONE_NEWIPC}, {"uts", "uts", CLONE_NEWUTS},
    {"network", "net", CLONE_NEWNET},      {"pid", "pid", CLONE_NEWPID}, {"mount", "mnt", CLONE_NEWNS},
};

const NsType* find_type(const std::string& oci) {
  for (const NsType& t : ns_types)
    if (oci == t.oci) return &t;
  return nullptr;
}

NamespaceJoin open_join(const std::string& type, int flag, const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open " + type + " namespace `" + path + "`");
  return NamespaceJoin{type, flag, path, std::move(fd)};
}

}  // namespace

bool NamespacePlan::has_own(const std::string& type) const {
  const NsType* t = find_type(type);
  if (!t) return false;
  if (type == "cgroup" && new_cgroupns) return true;
  if (creates(t->flag)) return true;
  for (const auto* list : {&joins, &pre_clone_joins})
    for (const NamespaceJoin& j : *list)
      if (j.type == type) return true;
  return false;
}

NamespacePlan plan_namespaces(const std::vector<Namespace>& namespaces) {
  NamespacePlan plan;
  std::set<std::string> seen;
  for (const Namespace& ns : namespaces) {
    if (!seen.insert(ns.type).second) throw std::runtime_error("namespace " + ns.type + ": listed twice");
    const NsType* t = find_type(ns.type);
    if (!t) throw std::runtime_error("namespace " + ns.type + ": not supported by berth-shim");
    if (ns.path.empty()) {
      if (t->flag == CLONE_NEWCGROUP)
        plan.new_cgroupns = true;
      else
        plan.clone_flags |= static_cast<unsigned long>(t->flag);
      continue;
    }
    if (t->flag == CLONE_NEWNS || t->flag == CLONE_NEWCGROUP)
      throw std::runtime_error("namespace " + ns.type + ": joining an existing one (path `" + ns.path +
                               "`) is not supported; the rootfs needs a new one");
    NamespaceJoin join = open_join(ns.type, t->flag, ns.path);
    if (t->flag == CLONE_NEWPID)
      plan.pre_clone_joins.push_back(std::move(join));
    else
      plan.joins.push_back(std::move(join));
  }
  if (!plan.creates(CLONE_NEWNS))
    throw std::runtime_error("namespace mount: required (the rootfs is set up in a new mount namespace)");
  return plan;
}

void join_namespaces(const std::vector<NamespaceJoin>& joins) {
  for (const NamespaceJoin& j : joins)
    if (::setns(j.fd.get(), j.nstype) != 0) throw_sys("setns", "setns " + j.type + " `" + j.path + "`", errno);
}

std::vector<NamespaceJoin> process_namespaces(pid_t pid) {
  std::vector<NamespaceJoin> out;
  for (const NsType& t : ns_types) {
    const std::string path = "/proc/" + std::to_string(pid) + "/ns/" + t.proc;
    out.push_back(open_join(t.oci, t.flag, path));
  }
  return out;
}

}  // namespace berth::shim
