// Namespaced sysctls. A write to /proc/sys applies to the writer's namespaces (IPC for kernel.shm*
// and friends, network for net.*), not to the /proc mount's, so the child writes them once it is
// in its namespaces, and before /proc/sys is made read-only. Keys outside the namespaced set would
// change the whole host and are refused up front, as Docker and runc do.
#include "runtime-shim/container/sysctl.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <stdexcept>

#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"

namespace berth::shim {

namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool well_formed(const std::string& key) {
  if (key.empty() || key.front() == '.' || key.front() == '/' || key.find("..") != std::string::npos) return false;
  for (char c : key)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '/')) return false;
  return true;
}

}  // namespace

std::string sysctl_refusal(const std::string& key, bool own_ipc, bool own_net) {
  if (!well_formed(key)) return "not a sysctl name";
  std::string dotted = key;
  for (char& c : dotted)
    if (c == '/') c = '.';
  static const char* ipc_keys[] = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                                   "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
  bool ipc = starts_with(dotted, "fs.mqueue.");
  for (const char* k : ipc_keys) ipc = ipc || dotted == k;
  if (ipc) return own_ipc ? "" : "needs the container's own IPC namespace (it shares the host's)";
  if (starts_with(dotted, "net."))
    return own_net ? "" : "needs the container's own network namespace (network_mode host)";
  return "not namespaced: it would change the host (allowed: kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.*)";
}

void validate_sysctls(const std::map<std::string, std::string>& sysctls, bool own_ipc, bool own_net) {
  for (const auto& [key, value] : sysctls) {
    std::string why = sysctl_refusal(key, own_ipc, own_net);
    if (!why.empty()) throw std::runtime_error("sysctl `" + key + "`: " + why);
    if (value.find('\n') != std::string::npos)
      throw std::runtime_error("sysctl `" + key + "`: value contains a newline");
  }
}

std::string sysctl_path(const std::string& key) {
  std::string path = key;
  if (path.find('/') == std::string::npos)
    for (char& c : path)
      if (c == '.') c = '/';
  return path;
}

void write_sysctls(int proc_sys_fd, const std::map<std::string, std::string>& sysctls) {
  for (const auto& [key, value] : sysctls) {
    const std::string rel = sysctl_path(key);
    open_how how{};
    how.flags = O_WRONLY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
    UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, proc_sys_fd, rel.c_str(), &how, sizeof how)));
    if (!fd) throw_errno("sysctl `" + key + "`: open /proc/sys/" + rel);
    if (::write(fd.get(), value.data(), value.size()) < 0) throw_errno("sysctl `" + key + "`: write `" + value + "`");
  }
}

}  // namespace berth::shim
