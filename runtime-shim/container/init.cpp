// The container's init: the ordered setup sequence between clone() and execve(), one named step
// per line, so this file reads as the table of contents of a container start. The work of each
// step lives in its own file (namespaces, rootfs, mounts, devices, masked_paths, sysctl, rlimits,
// users, capabilities, seccomp).
// Rules for code here: the child is a copy of the shim, so an exception must never unwind past
// run_*_init (it would continue in the shim's code): every step runs under Steps::run, which turns
// any exception into an Error message and _exit(). The first thing the child does is wait for the
// parent's Go, sent once the parent has put the child into its cgroups; nothing before that can
// fail, so the intermediate's Pid message always arrives first.
// Order constraints: the cgroup namespace is unshared after the cgroups are joined; sethostname
// needs the new UTS namespace and CAP_SYS_ADMIN; sysctls are written before /proc/sys becomes
// read-only; without no_new_privs loading seccomp needs CAP_SYS_ADMIN, so it happens before the
// capabilities are dropped (with no_new_privs, as late as possible) — as runc does.
#include "runtime-shim/container/init.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/sys_error.hpp"
#include "runtime-shim/container/devices.hpp"
#include "runtime-shim/container/fsutil.hpp"
#include "runtime-shim/container/masked_paths.hpp"
#include "runtime-shim/container/mounts.hpp"
#include "runtime-shim/container/rootfs.hpp"
#include "runtime-shim/container/seccomp.hpp"
#include "runtime-shim/container/sysctl.hpp"

namespace berth::shim {

namespace {

constexpr const char* default_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Runs steps; the first failure goes to the parent as {step, errno, text} and ends the child.
class Steps {
 public:
  explicit Steps(const SyncSocket& sync) : m_sync(sync) {}

  template <class F>
  void run(const char* step, F&& f) noexcept {
    try {
      f();
    } catch (const SysError& e) {
      fail(step, e.code(), e.what());
    } catch (const std::exception& e) {
      fail(step, 0, e.what());
    } catch (...) {
      fail(step, 0, "unknown error");
    }
  }

  void send(SyncType type) const {
    SyncMessage m;
    m.type = type;
    m_sync.send(m);
  }

  [[noreturn]] void fail(const char* step, int err, const std::string& text) noexcept {
    SyncMessage m;
    m.type = SyncType::Error;
    m.step = step;
    m.err = err;
    m.text = text;
    m_sync.try_send(m);
    ::_exit(127);
  }

 private:
  const SyncSocket& m_sync;
};

/// fd 0/1/2 from the given fds (or /dev/null), a new session, the controlling terminal; every
/// other inherited fd becomes close-on-exec so nothing of the shim leaks into the container.
void setup_stdio(const ProcessSetup& p) {
  int fds[3] = {p.stdin_fd, p.stdout_fd, p.stderr_fd};
  int high[3];
  for (int i = 0; i < 3; ++i) {
    // Park every source above 2 first: a plain dup2 loop would clobber e.g. stdout_fd == 0.
    UniqueFd null;
    if (fds[i] < 0) {
      null.reset(::open("/dev/null", (i == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC));
      if (!null) throw_errno("open `/dev/null`");
    }
    const int src = fds[i] >= 0 ? fds[i] : null.get();
    high[i] = ::fcntl(src, F_DUPFD_CLOEXEC, 3);
    if (high[i] < 0) throw_errno("dup stdio fd " + std::to_string(src));
  }
  for (int i = 0; i < 3; ++i)
    if (::dup2(high[i], i) < 0) throw_errno("dup2 onto fd " + std::to_string(i));
  // The parked copies and the original stdio fds are not needed any more: fewer fds to show.
  for (int i = 0; i < 3; ++i) {
    ::close(high[i]);
    if (fds[i] > 2) ::close(fds[i]);
  }
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) throw_errno("close_range(CLOEXEC)");
  if (p.new_session && ::setsid() < 0) throw_errno("setsid");
  if (p.terminal && ::ioctl(0, TIOCSCTTY, 0) != 0) throw_errno("make the terminal the controlling one (TIOCSCTTY)");
}

std::string env_value(const std::vector<std::string>& env, const std::string& key) {
  for (const std::string& e : env)
    if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=')
      return e.substr(key.size() + 1);
  return "";
}

/// args[0] looked up in the container's PATH (execvpe would use the shim's own PATH); "" when
/// no directory has it.
std::string find_executable(const std::string& name, const std::vector<std::string>& env) {
  if (name.find('/') != std::string::npos) return name;
  std::string path = env_value(env, "PATH");
  if (path.empty()) path = default_path;
  size_t i = 0;
  for (;;) {
    size_t j = path.find(':', i);
    std::string dir = path.substr(i, j == std::string::npos ? std::string::npos : j - i);
    if (dir.empty()) dir.push_back('.');  // not `dir = "."`: GCC 12's -Wrestrict misfires on it
    std::string candidate = dir + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    if (j == std::string::npos) break;
    i = j + 1;
  }
  return "";
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const std::string& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

/// From rlimits to execve(): what a container's first process and an exec'd one share.
[[noreturn]] void finish_process(const ProcessSetup& p, Steps& steps) noexcept {
  ResolvedUser user;
  steps.run("user", [&] {
    if (p.user) {
      user = *p.user;
      return;
    }
    UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw_errno("open `/`");
    user = resolve_user(root.get(), p.user_spec, p.additional_gids);
  });
  steps.run("rlimits", [&] { apply_rlimits(p.rlimits); });
  if (p.seccomp && !p.no_new_privileges) steps.run("seccomp", [&] { load_seccomp(*p.seccomp); });
  steps.run("capabilities", [&] { drop_bounding_set(p.capabilities); });
  steps.run("user", [&] { switch_user(user); });
  steps.run("capabilities", [&] { apply_capabilities(p.capabilities); });
  if (p.no_new_privileges)
    steps.run("no_new_privs", [&] {
      if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw_errno("prctl(PR_SET_NO_NEW_PRIVS)");
    });
  if (p.seccomp && p.no_new_privileges) steps.run("seccomp", [&] { load_seccomp(*p.seccomp); });
  steps.run("cwd", [&] {
    if (::chdir(p.cwd.c_str()) != 0) throw_errno("chdir `" + p.cwd + "`");
  });

  std::vector<std::string> env;
  std::string exe;
  std::vector<char*> argv, envp;
  steps.run("exec", [&] {
    env = with_home(p.env, user.home);
    exe = p.exec_fd >= 0 ? p.args.at(0) : find_executable(p.args.at(0), env);
    if (exe.empty()) steps.fail("exec", ENOENT, "exec `" + p.args[0] + "`: executable file not found in $PATH");
    argv = c_strings(p.args);
    envp = c_strings(env);
    // Ready, then execve: the sync socket is O_CLOEXEC, so the parent sees EOF once it succeeded.
    steps.send(SyncType::Ready);
  });
  if (p.exec_fd >= 0)
    ::syscall(SYS_execveat, p.exec_fd, "", argv.data(), envp.data(), AT_EMPTY_PATH);
  else
    ::execve(exe.c_str(), argv.data(), envp.data());
  const int err = errno;
  const std::string hint = errno_hint("exec", err);
  steps.fail("exec", err, "exec `" + exe + "`: " + std::strerror(err) + (hint.empty() ? "" : " (" + hint + ")"));
}

}  // namespace

std::vector<std::string> with_home(std::vector<std::string> env, const std::string& home) {
  for (const std::string& e : env)
    if (e.rfind("HOME=", 0) == 0) return env;
  env.push_back("HOME=" + (home.empty() ? std::string("/") : home));
  return env;
}

[[noreturn]] void run_container_init(const ContainerSetup& c, const SyncSocket& sync) noexcept {
  Steps steps(sync);
  steps.run("parent death signal", [&] {
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) throw_errno("prctl(PR_SET_PDEATHSIG)");
  });
  steps.run("wait for the shim", [&] { sync.expect(SyncType::Go); });
  steps.run("stdio", [&] { setup_stdio(c.process); });
  steps.run("namespaces", [&] {
    join_namespaces(*c.joins);
    if (c.new_cgroupns && ::unshare(CLONE_NEWCGROUP) != 0) throw_errno("unshare the cgroup namespace");
  });
  steps.run("hostname", [&] {
    if (!c.hostname.empty() && ::sethostname(c.hostname.data(), c.hostname.size()) != 0)
      throw_sys("sethostname", "sethostname `" + c.hostname + "`", errno);
    if (!c.domainname.empty() && ::setdomainname(c.domainname.data(), c.domainname.size()) != 0)
      throw_sys("sethostname", "setdomainname `" + c.domainname + "`", errno);
  });
  steps.run("mount propagation", [&] { make_mounts_private(); });
  steps.run("rootfs", [&] {
    if (c.lower_dirs.empty())
      bind_onto_itself(c.rootfs);
    else
      mount_overlay(c.rootfs, c.lower_dirs, c.upper_dir, c.work_dir);
  });
  UniqueFd root;
  steps.run("rootfs", [&] {
    root.reset(::open(c.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw_errno("open the rootfs `" + c.rootfs + "`");
  });
  for (const Mount& m : c.mounts) steps.run("mounts", [&] { mount_in_root(root.get(), m); });
  steps.run("devices", [&] { populate_dev(root.get(), c.devices, c.process.terminal ? 0 : -1); });
  steps.run("cwd", [&] { ensure_in_root(root.get(), c.process.cwd, NodeKind::Directory); });
  steps.run("pivot_root", [&] { pivot_into(root.get()); });
  UniqueFd new_root;
  steps.run("pivot_root", [&] {
    new_root.reset(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!new_root) throw_errno("open `/`");
  });
  steps.run("sysctl", [&] {
    if (c.sysctls.empty()) return;
    UniqueFd proc_sys(::open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!proc_sys) throw_errno("open `/proc/sys`");
    write_sysctls(proc_sys.get(), c.sysctls);
  });
  steps.run("masked paths", [&] { mask_paths(new_root.get(), c.masked_paths); });
  steps.run("readonly paths", [&] { make_paths_readonly(new_root.get(), c.readonly_paths); });
  if (c.readonly_rootfs) steps.run("readonly rootfs", [&] { remount_root_readonly(); });
  finish_process(c.process, steps);
}

[[noreturn]] void run_exec_init(const ProcessSetup& p, const SyncSocket& sync) noexcept {
  Steps steps(sync);
  steps.run("parent death signal", [&] {
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) throw_errno("prctl(PR_SET_PDEATHSIG)");
  });
  steps.run("wait for the shim", [&] { sync.expect(SyncType::Go); });
  steps.run("stdio", [&] { setup_stdio(p); });
  finish_process(p, steps);
}

}  // namespace berth::shim
