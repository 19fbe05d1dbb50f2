// Creating a container and exec'ing into one: the parent's side.
//
//   prepare     namespaces plan (paths opened), capability masks, seccomp BPF, clamped rlimits,
//               mount list — every decision that can be made before clone()
//   cgroups     directories + limits (cgroups.cpp)
//   spawn       fork() an intermediate, which setns()es where needed and clone()s the container
//               child with CLONE_PARENT: the child is the shim's own child, in new namespaces
//   handshake   pid into the cgroups, Go; then the child's Error, or Ready + EOF (= exec'd)
//
// Why the intermediate: the child runs plenty of C++ (mounts, strings, exceptions) before exec.
// A raw clone() skips glibc's fork handlers, so in a multi-threaded shim another thread's malloc
// lock could be copied held. fork() takes care of that, and the forked copy is single-threaded, so
// its raw clone() is safe. CLONE_PARENT keeps the container a child of the shim (waitpid,
// PR_SET_PDEATHSIG), as runc's nsexec does. It is also the only way into an existing pid
// namespace: setns(CLONE_NEWPID) applies to children only.
// On any failure the child is SIGKILLed and reaped and the cgroups removed; every mount lived in
// the child's mount namespace, made rprivate first, so none remains on the host.
// What a process in the container can see of the child (it is in the container's pid namespace
// from clone() on, and a program there can race for it through ns_last_pid): the intermediate
// makes itself non-dumpable before clone() (inherited; execve of the container's program makes
// it dumpable again, as runc's `runc init`), so without CAP_SYS_PTRACE nobody there can ptrace
// it or open its /proc/PID/{exe,fd,mem}; and it closes every fd but the ones the child needs
// (stdio, the sync socket, namespace fds to join, berth-init's sealed copy), so even with
// CAP_SYS_PTRACE none of the shim's own fds (control socket, log, event loop) is there to take.
// /proc/PID/exe of the child is the shim's sealed memfd copy (self_clone.cpp).
#include "runtime-shim/container/create.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>

#include "common/scope_exit.hpp"
#include "common/sys_error.hpp"
#include "runtime-shim/container/cgroups.hpp"
#include "runtime-shim/container/fds.hpp"
#include "runtime-shim/container/init.hpp"
#include "runtime-shim/container/masked_paths.hpp"
#include "runtime-shim/container/mounts.hpp"
#include "runtime-shim/container/pty.hpp"
#include "runtime-shim/container/seccomp.hpp"
#include "runtime-shim/container/sysctl.hpp"

namespace berth::shim {

namespace {

/// Runs a parent-side step; any error becomes a ContainerError naming the step.
template <class F>
auto parent_step(const char* step, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const ContainerError&) {
    throw;
  } catch (const SysError& e) {
    throw ContainerError(step, e.code(), e.what());
  } catch (const std::exception& e) {
    throw ContainerError(step, 0, e.what());
  }
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + strsignal(WTERMSIG(status));
  return "status " + std::to_string(status);
}

/// waitpid that tolerates a caller's SIGCHLD handler having reaped the child already (ECHILD).
int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

void kill_and_reap(pid_t pid) {
  ::kill(pid, SIGKILL);
  reap(pid);
}

[[noreturn]] void report_and_exit(const SyncSocket& sync, const char* step, int err, const std::string& text) {
  SyncMessage m;
  m.type = SyncType::Error;
  m.step = step;
  m.err = err;
  m.text = text + ": " + std::strerror(err);
  sync.try_send(m);
  ::_exit(127);
}

/// The fds the clone()d child needs besides the sync socket: its stdio and, for a container,
/// the namespaces it joins itself and berth-init's sealed copy.
std::vector<int> child_fds(const ProcessSetup& p, const std::vector<NamespaceJoin>* joins) {
  std::vector<int> keep = {p.stdin_fd, p.stdout_fd, p.stderr_fd, p.exec_fd};
  if (joins)
    for (const NamespaceJoin& j : *joins) keep.push_back(j.fd.get());
  return keep;
}

/// fork() + (in the intermediate) non-dumpable, setns(pre_clone), every fd but `keep` and the
/// sync socket closed, clone(CLONE_PARENT | flags); returns the child's host pid. `child` runs in
/// the clone()d process and must not return.
pid_t spawn(unsigned long flags, const std::vector<NamespaceJoin>& pre_clone, std::vector<int> keep,
            SyncSocket& parent_end, SyncSocket& child_end, const std::function<void()>& child) {
  pid_t intermediate = ::fork();
  if (intermediate < 0) throw ContainerError("clone", errno, std::string("fork: ") + std::strerror(errno));
  if (intermediate == 0) {
    parent_end.close();
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
      report_and_exit(child_end, "clone", errno, "prctl(PR_SET_DUMPABLE, 0)");
    for (const NamespaceJoin& j : pre_clone)
      if (::setns(j.fd.get(), j.nstype) != 0)
        report_and_exit(child_end, "namespaces", errno, "setns " + j.type + " `" + j.path + "`");
    keep.push_back(child_end.fd());
    if (int err = close_fds_except(std::move(keep)); err != 0)
      report_and_exit(child_end, "clone", err, "close the shim's fds (close_range)");
    long pid = ::syscall(SYS_clone, flags | CLONE_PARENT | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
    if (pid < 0) report_and_exit(child_end, "clone", errno, "clone (new namespaces)");
    if (pid == 0) {
      child();
      ::_exit(127);
    }
    SyncMessage m;
    m.type = SyncType::Pid;
    m.value = pid;
    child_end.try_send(m);
    ::_exit(0);
  }
  child_end.close();
  const int status = reap(intermediate);
  std::optional<SyncMessage> m = parent_end.receive();
  if (!m)
    throw ContainerError("clone", 0, "the intermediate process ended (" + describe_status(status) + ") without a pid");
  if (m->type == SyncType::Error) throw ContainerError(m->step, m->err, m->text);
  if (m->type != SyncType::Pid)
    throw ContainerError("clone", 0, std::string("unexpected ") + to_string(m->type) + " message");
  return static_cast<pid_t>(m->value);
}

/// After spawn: `join_cgroups`, Go, then wait for Ready followed by EOF (exec'd) or an Error.
void handshake(pid_t pid, const SyncSocket& sync, const std::function<void()>& join_cgroups) {
  parent_step("cgroups", join_cgroups);
  SyncMessage go;
  go.type = SyncType::Go;
  sync.try_send(go);  // if the child is gone, the receive below says why
  bool ready = false;
  while (std::optional<SyncMessage> m = sync.receive()) {
    if (m->type == SyncType::Error) throw ContainerError(m->step, m->err, m->text);
    if (m->type != SyncType::Ready)
      throw ContainerError("sync", 0, std::string("unexpected ") + to_string(m->type) + " message");
    ready = true;
  }
  if (!ready) {
    const int status = reap(pid);
    throw ContainerError("init", 0, "the container's init ended before exec (" + describe_status(status) + ")");
  }
}

ProcessSetup prepare_process(const Bundle& b, const CreateOptions& o, bool privileged,
                             std::vector<std::string>& warnings) {
  if (b.args.empty()) throw std::runtime_error("process.args: empty");
  ProcessSetup p;
  p.stdin_fd = o.stdin_fd;
  p.stdout_fd = o.stdout_fd;
  p.stderr_fd = o.stderr_fd;
  p.terminal = b.terminal;
  p.new_session = o.new_session || b.terminal;
  p.rlimits = plan_rlimits(b.rlimits, can_raise_rlimits(), warnings);
  p.user_spec = b.user ? *b.user : std::to_string(b.uid) + ":" + std::to_string(b.gid);
  p.additional_gids = b.additional_gids;
  p.capabilities = privileged ? all_capabilities() : plan_capabilities(b.capabilities, b.capabilities_given, warnings);
  p.no_new_privileges = b.no_new_privileges;
  if (!privileged && !b.seccomp_unconfined) {
    const CapabilitySets& c = p.capabilities;
    p.seccomp = compile_seccomp(default_seccomp_rules(capability_names(c.bounding | c.effective | c.permitted)));
  }
  p.exec_fd = o.exec_fd;
  p.cwd = b.cwd.empty() ? "/" : b.cwd;
  p.args = b.args;
  p.env = b.env;
  return p;
}

ContainerSetup prepare_container(const Bundle& b, const CreateOptions& o, const NamespacePlan& ns,
                                 std::vector<std::string>& warnings) {
  ContainerSetup s;
  if ((!b.hostname.empty() || !b.domainname.empty()) && !ns.creates(CLONE_NEWUTS))
    throw std::runtime_error("hostname `" + b.hostname + "`: needs a new uts namespace");
  validate_sysctls(b.sysctl, ns.has_own("ipc"), ns.has_own("network"));
  if (b.rootfs.empty()) throw std::runtime_error("root.path: empty");
  s.process = prepare_process(b, o, false, warnings);
  s.joins = &ns.joins;
  s.new_cgroupns = ns.new_cgroupns;
  s.hostname = b.hostname;
  s.domainname = b.domainname;
  s.rootfs = b.rootfs;
  s.lower_dirs = b.lower_dirs;
  s.upper_dir = b.upper_dir;
  s.work_dir = b.work_dir;
  s.readonly_rootfs = b.readonly_rootfs;
  s.mounts = with_default_mounts(b.mounts);
  s.devices = b.devices;
  s.masked_paths = b.masked_paths_given || !b.masked_paths.empty() ? b.masked_paths : default_masked_paths();
  s.readonly_paths = b.readonly_paths_given || !b.readonly_paths.empty() ? b.readonly_paths : default_readonly_paths();
  s.sysctls = b.sysctl;
  return s;
}

std::vector<std::string> merge_env(std::vector<std::string> base, const std::vector<std::string>& overrides) {
  for (const std::string& o : overrides) {
    const std::string key = o.substr(0, o.find('='));
    bool replaced = false;
    for (std::string& e : base)
      if (e.substr(0, e.find('=')) == key) {
        e = o;
        replaced = true;
      }
    if (!replaced) base.push_back(o);
  }
  return base;
}

/// The terminal gets its size before the process exists: a client that sets it only once it
/// holds the pty master (after the exec reply) races a process that asks at once.
void apply_console_size(const ProcessSetup& p, const CreateOptions& o) {
  if (!p.terminal || !o.console_size || (o.console_size->rows == 0 && o.console_size->cols == 0)) return;
  parent_step("terminal", [&] { set_window_size(p.stdin_fd, o.console_size->rows, o.console_size->cols); });
}

std::string find_dir_with(const Created& c, const char* file) {
  for (const std::string& d : c.cgroup_v1_dirs)
    if (::access((d + "/" + file).c_str(), F_OK) == 0) return d;
  return "";
}

}  // namespace

Created create_container(const Bundle& b, const CreateOptions& o) {
  Created created;
  NamespacePlan ns = parent_step("namespaces", [&] { return plan_namespaces(b.namespaces); });
  ContainerSetup setup = parent_step("prepare", [&] { return prepare_container(b, o, ns, created.warnings); });
  apply_console_size(setup.process, o);
  const std::string rel = o.cgroup_parent.empty() ? b.cgroups_path : o.cgroup_parent + "/" + b.id;
  cgroups::Dirs dirs =
      parent_step("cgroups", [&] { return cgroups::create(cgroups::detect(), rel, b.resources, created.warnings); });
  ScopeExit remove_cgroups([&] {
    try {
      cgroups::destroy(dirs.v1, dirs.v2);
    } catch (const std::exception&) {
      // Best effort while unwinding; the original error is the one to report.
    }
  });

  auto [parent_end, child_end] = parent_step("sync", [] { return SyncSocket::pair(); });
  const pid_t pid = spawn(ns.clone_flags, ns.pre_clone_joins, child_fds(setup.process, setup.joins), parent_end,
                          child_end, [&] { run_container_init(setup, child_end); });
  ScopeExit stop_child([&] { kill_and_reap(pid); });
  handshake(pid, parent_end, [&] { cgroups::add_pid(dirs, pid); });

  stop_child.dismiss();
  remove_cgroups.dismiss();
  created.pid = pid;
  created.cgroup_v1_dirs = dirs.v1;
  created.cgroup_v2_dir = dirs.v2;
  return created;
}

pid_t exec_in_container(const Created& c, const Bundle& b, const ExecSpec& spec, const CreateOptions& stdio) {
  std::vector<std::string> warnings;
  if (spec.args.empty()) throw ContainerError("exec", EINVAL, "no command given");
  std::vector<NamespaceJoin> joins = parent_step("namespaces", [&] { return process_namespaces(c.pid); });
  ProcessSetup p = parent_step("prepare", [&] {
    Bundle e = b;
    e.args = spec.args;
    e.env = merge_env(b.env, spec.env);
    if (!spec.cwd.empty()) e.cwd = spec.cwd;
    if (!spec.user.empty()) e.user = spec.user;
    e.terminal = stdio.new_session && stdio.stdin_fd >= 0 && ::isatty(stdio.stdin_fd);
    ProcessSetup setup = prepare_process(e, stdio, spec.privileged, warnings);
    // The user is resolved here, through the container's root as the kernel sees it.
    const std::string root_path = "/proc/" + std::to_string(c.pid) + "/root";
    UniqueFd root(::open(root_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw_errno("open `" + root_path + "`");
    setup.user = resolve_user(root.get(), setup.user_spec, setup.additional_gids);
    return setup;
  });
  apply_console_size(p, stdio);

  auto [parent_end, child_end] = parent_step("sync", [] { return SyncSocket::pair(); });
  const pid_t pid = spawn(0, joins, child_fds(p, nullptr), parent_end, child_end, [&] { run_exec_init(p, child_end); });
  ScopeExit stop_child([&] { kill_and_reap(pid); });
  handshake(pid, parent_end, [&] {
    cgroups::Dirs dirs;
    dirs.v1 = c.cgroup_v1_dirs;
    dirs.v2 = c.cgroup_v2_dir;
    cgroups::add_pid(dirs, pid);
  });
  stop_child.dismiss();
  return pid;
}

void destroy_cgroups(const Created& c) { cgroups::destroy(c.cgroup_v1_dirs, c.cgroup_v2_dir); }

void kill_all(const Created& c) { cgroups::kill_all(c.cgroup_v1_dirs, c.cgroup_v2_dir); }

int oom_kill_count(const Created& c) {
  if (std::string mem = find_dir_with(c, "memory.oom_control"); !mem.empty()) return cgroups::v1::oom_kill_count(mem);
  if (!c.cgroup_v2_dir.empty() && ::access((c.cgroup_v2_dir + "/memory.events").c_str(), F_OK) == 0)
    return cgroups::v2::oom_kill_count(c.cgroup_v2_dir);
  return 0;
}

void set_frozen(const Created& c, bool frozen) {
  if (std::string freezer = find_dir_with(c, "freezer.state"); !freezer.empty())
    return cgroups::v1::set_frozen(freezer, frozen);
  if (c.cgroup_v2_dir.empty()) throw std::runtime_error("pause: the container has no freezer cgroup");
  cgroups::v2::set_frozen(c.cgroup_v2_dir, frozen);
}

}  // namespace berth::shim
