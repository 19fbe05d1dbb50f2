#pragma once
// linux.sysctl: only namespaced keys, and only when the container has its own namespace for them.
#include <map>
#include <string>

namespace berth::shim {

/// Why `key` can't be set in this container, or "" when it can. Allowed: kernel.msgmax,
/// kernel.msgmnb, kernel.msgmni, kernel.sem, kernel.shmall, kernel.shmmax, kernel.shmmni,
/// kernel.shm_rmid_forced and fs.mqueue.* with an own IPC namespace; net.* with an own network
/// namespace. Everything else would change the host.
std::string sysctl_refusal(const std::string& key, bool own_ipc, bool own_net);

/// Throws std::runtime_error("sysctl `kernel.panic`: ...") for the first refused key.
void validate_sysctls(const std::map<std::string, std::string>& sysctls, bool own_ipc, bool own_net);

/// /proc/sys-relative path of a key: "net.ipv4.ip_forward" -> "net/ipv4/ip_forward" (keys written
/// with '/' are taken as they are).
std::string sysctl_path(const std::string& key);

/// Child: writes every value under `proc_sys_fd` (an fd of /proc/sys; a temp dir in tests).
void write_sysctls(int proc_sys_fd, const std::map<std::string, std::string>& sysctls);

}  // namespace berth::shim
