// The default seccomp rule list against Docker's profile, and the compiled filter's behaviour in a
// forked child (loading a filter needs no privileges with no_new_privs set).
#include "runtime-shim/container/seccomp.hpp"

#include <errno.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "runtime-shim/container/capabilities.hpp"

using namespace berth::shim;

namespace {

bool denies(const std::vector<SeccompRule>& rules, const std::string& syscall) {
  return std::any_of(rules.begin(), rules.end(), [&](const SeccompRule& r) { return r.syscall == syscall; });
}

const SeccompRule* unconditional(const std::vector<SeccompRule>& rules, const std::string& syscall) {
  for (const SeccompRule& r : rules)
    if (r.syscall == syscall && !r.condition) return &r;
  return nullptr;
}

TEST(SeccompRulesTest, DefaultCapabilitiesDenyWhatDockerDenies) {
  auto rules = default_seccomp_rules(docker_default_capabilities());
  for (const char* s : {"mount",
                        "umount2",
                        "unshare",
                        "setns",
                        "pivot_root",
                        "kexec_load",
                        "kexec_file_load",
                        "init_module",
                        "finit_module",
                        "delete_module",
                        "bpf",
                        "keyctl",
                        "add_key",
                        "request_key",
                        "swapon",
                        "swapoff",
                        "reboot",
                        "syslog",
                        "acct",
                        "settimeofday",
                        "clock_settime",
                        "quotactl",
                        "open_by_handle_at",
                        "perf_event_open",
                        "lookup_dcookie",
                        "userfaultfd",
                        "fanotify_init",
                        "iopl",
                        "ioperm",
                        "create_module",
                        "uselib",
                        "ustat",
                        "sysfs",
                        "_sysctl",
                        "nfsservctl",
                        "kcmp",
                        "mbind",
                        "set_mempolicy",
                        "move_pages",
                        "sethostname",
                        "fsopen",
                        "open_tree",
                        "move_mount",
                        "io_uring_setup"}) {
    const SeccompRule* r = unconditional(rules, s);
    ASSERT_NE(r, nullptr) << s;
    EXPECT_EQ(r->errno_value, EPERM) << s;
  }
  // Allowed by Docker's profile: chroot with CAP_SYS_CHROOT (a default), ptrace and
  // process_vm_* on kernels >= 4.8, name_to_handle_at, adjtimex/clock_adjtime (read-only use).
  for (const char* s : {"chroot", "ptrace", "process_vm_readv", "process_vm_writev", "name_to_handle_at", "adjtimex",
                        "clock_adjtime", "clone", "socket"})
    EXPECT_EQ(unconditional(rules, s), nullptr) << s;
  const SeccompRule* clone3 = unconditional(rules, "clone3");
  ASSERT_NE(clone3, nullptr);
  EXPECT_EQ(clone3->errno_value, ENOSYS);
  int clone_rules = 0;
  for (const SeccompRule& r : rules)
    if (r.syscall == "clone") {
      ASSERT_TRUE(r.condition);
      EXPECT_EQ(r.condition->op, SeccompCondition::Op::MaskedEqual);
      ++clone_rules;
    }
  EXPECT_EQ(clone_rules, 7);  // NEWNS, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWCGROUP
}

TEST(SeccompRulesTest, CapabilitiesLiftTheirSyscalls) {
  auto admin = default_seccomp_rules({"CAP_SYS_ADMIN"});
  for (const char* s : {"mount", "umount2", "unshare", "setns", "bpf", "sethostname", "clone", "clone3"})
    EXPECT_FALSE(denies(admin, s)) << s;
  EXPECT_TRUE(denies(admin, "pivot_root"));  // Docker never allows it
  EXPECT_TRUE(denies(admin, "chroot"));      // no CAP_SYS_CHROOT here

  EXPECT_FALSE(denies(default_seccomp_rules({"CAP_SYS_NICE"}), "mbind"));
  EXPECT_FALSE(denies(default_seccomp_rules({"CAP_SYS_PTRACE"}), "kcmp"));
  EXPECT_FALSE(denies(default_seccomp_rules({"CAP_SYS_TIME"}), "settimeofday"));
  EXPECT_FALSE(denies(default_seccomp_rules({"CAP_SYSLOG"}), "syslog"));
  EXPECT_FALSE(denies(default_seccomp_rules({"CAP_SYS_BOOT"}), "reboot"));
  EXPECT_FALSE(denies(default_seccomp_rules({"CAP_DAC_READ_SEARCH"}), "open_by_handle_at"));
}

/// Runs `check` in a child under the compiled default filter; returns its exit status (0 = ok).
int under_filter(int (*check)()) {
  std::vector<sock_filter> prog = compile_seccomp(default_seccomp_rules(docker_default_capabilities()));
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ::_exit(100);
    try {
      load_seccomp(prog);
    } catch (...) {
      ::_exit(101);
    }
    ::_exit(check());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

int check_behaviour() {
  errno = 0;
  if (::mount("none", "/", "tmpfs", 0, nullptr) == 0 || errno != EPERM) return 1;
  if (::unshare(CLONE_NEWUTS) == 0 || errno != EPERM) return 2;
  if (::syscall(SYS_clone3, nullptr, 0) != -1 || errno != ENOSYS) return 3;
  if (::personality(0xffffffff) < 0) return 4;   // query: allowed
  if (::personality(PER_LINUX) < 0) return 5;    // allowed
  if (::personality(PER_LINUX32) < 0) return 6;  // 8: allowed
  if (::personality(static_cast<unsigned long>(PER_LINUX) | static_cast<unsigned long>(UNAME26)) < 0) return 7;
  if (::personality(READ_IMPLIES_EXEC) != -1 || errno != EPERM) return 8;
  if (::personality(ADDR_NO_RANDOMIZE) != -1 || errno != EPERM) return 9;
  if (::personality(0xfffffffe) != -1 || errno != EPERM) return 10;
  ::personality(PER_LINUX);
  if (::socket(40 /* AF_VSOCK */, SOCK_STREAM, 0) != -1 || errno != EPERM) return 11;
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return 12;
  pid_t child = ::fork();  // clone without namespace flags still works
  if (child < 0) return 13;
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  if (::syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, nullptr, nullptr, nullptr, nullptr) != -1 || errno != EPERM)
    return 14;
  if (::getpid() <= 0) return 15;
  return 0;
}

TEST(SeccompFilterTest, CompiledFilterBehavesLikeDockers) {
  std::vector<sock_filter> prog = compile_seccomp(default_seccomp_rules(docker_default_capabilities()));
  EXPECT_GT(prog.size(), 50u);
  EXPECT_LT(prog.size(), 4096u);  // BPF_MAXINSNS
  EXPECT_EQ(under_filter(check_behaviour), 0);
}

}  // namespace
