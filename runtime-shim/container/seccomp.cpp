// Docker's default seccomp profile as a deny list (default action ALLOW). Docker's profile is an
// allow list (default EPERM); every syscall it leaves out on x86_64 is denied here, the
// capability-dependent ones only when the capability is missing, mirroring its "includes.caps".
// Differences from the reference, on purpose: syscalls newer than libseccomp 2.5.4 are allowed
// (an allow list would deny them), io_uring_* are denied as newer Docker releases do.
// libseccomp can't put two comparisons on the same argument into one rule, so "personality(x)
// unless x is 0, 8, 0x20000, 0x20008 or 0xffffffff" becomes a union of single-mask rules
// (personality_rules()). The filter is exported with seccomp_export_bpf() into a memfd, so the
// child gets a plain sock_filter array and never calls into libseccomp.
#include "runtime-shim/container/seccomp.hpp"

#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"

namespace berth::shim {

namespace {

using Op = SeccompCondition::Op;

struct CapGroup {
  const char* cap;  ///< nullptr: denied whatever the capabilities
  std::vector<const char*> syscalls;
};

// What Docker's default profile does not allow on x86_64, grouped by the capability that allows
// it there.
const std::vector<CapGroup>& deny_groups() {
  static const std::vector<CapGroup> groups = {
      {nullptr,
       {"add_key",
        "afs_syscall",
        "create_module",
        "get_kernel_syms",
        "getpmsg",
        "io_uring_enter",
        "io_uring_register",
        "io_uring_setup",
        "kexec_file_load",
        "kexec_load",
        "keyctl",
        "migrate_pages",
        "move_pages",
        "nfsservctl",
        "pivot_root",
        "putpmsg",
        "query_module",
        "request_key",
        "security",
        "swapoff",
        "swapon",
        "_sysctl",
        "sysfs",
        "tuxcall",
        "uselib",
        "userfaultfd",
        "ustat",
        "vm86",
        "vm86old",
        "vserver",
        "pciconfig_iobase",
        "pciconfig_read",
        "pciconfig_write"}},
      {"CAP_SYS_ADMIN",
       {"bpf",           "fanotify_init", "fsconfig",   "fsmount",   "fsopen",          "fspick",   "lookup_dcookie",
        "mount",         "mount_setattr", "move_mount", "open_tree", "perf_event_open", "quotactl", "quotactl_fd",
        "setdomainname", "sethostname",   "setns",      "syslog",    "umount",          "umount2",  "unshare"}},
      {"CAP_SYS_BOOT", {"reboot"}},
      {"CAP_SYS_CHROOT", {"chroot"}},
      {"CAP_SYS_MODULE", {"delete_module", "init_module", "finit_module"}},
      {"CAP_SYS_PACCT", {"acct"}},
      {"CAP_SYS_PTRACE", {"kcmp", "pidfd_getfd", "process_madvise"}},
      {"CAP_SYS_RAWIO", {"iopl", "ioperm"}},
      {"CAP_SYS_TIME", {"settimeofday", "stime", "clock_settime", "clock_settime64"}},
      {"CAP_SYS_TTY_CONFIG", {"vhangup"}},
      {"CAP_SYS_NICE", {"get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"}},
      {"CAP_DAC_READ_SEARCH", {"open_by_handle_at"}},
  };
  return groups;
}

// Docker allows these syscalls with either capability (CAP_SYS_ADMIN or the newer, narrower one).
const char* alternative_cap(const std::string& syscall) {
  if (syscall == "syslog") return "CAP_SYSLOG";
  if (syscall == "bpf") return "CAP_BPF";
  if (syscall == "perf_event_open") return "CAP_PERFMON";
  return nullptr;
}

/// personality(x) is allowed for x in {0 (PER_LINUX), 8 (PER_LINUX32), 0x20000 (UNAME26),
/// 0x20008, 0xffffffff (query)}: x & F == 0 with F = every bit but 3 and 17, or x == 0xffffffff.
/// The complement, as single-condition rules:
///   x > 0xffffffff;
///   some bit of F set and another unset  <=> two adjacent bits of F differ (2 rules per pair);
///   all bits of F set but bit 3 or bit 17 clear.
std::vector<SeccompRule> personality_rules() {
  std::vector<SeccompRule> rules;
  auto add = [&](Op op, uint64_t value, uint64_t mask) {
    rules.push_back({"personality", EPERM, SeccompCondition{0, op, value, mask}});
  };
  add(Op::Greater, 0xffffffffULL, 0);
  std::vector<int> free_bits;
  for (int b = 0; b < 32; ++b)
    if (b != 3 && b != 17) free_bits.push_back(b);
  uint64_t f_mask = 0;
  for (int b : free_bits) f_mask |= uint64_t{1} << b;
  for (size_t i = 0; i + 1 < free_bits.size(); ++i) {
    uint64_t lo = uint64_t{1} << free_bits[i], hi = uint64_t{1} << free_bits[i + 1];
    add(Op::MaskedEqual, lo, lo | hi);
    add(Op::MaskedEqual, hi, lo | hi);
  }
  add(Op::MaskedEqual, f_mask, f_mask | (uint64_t{1} << 3));
  add(Op::MaskedEqual, f_mask, f_mask | (uint64_t{1} << 17));
  return rules;
}

scmp_compare to_scmp(Op op) {
  switch (op) {
    case Op::Equal:
      return SCMP_CMP_EQ;
    case Op::NotEqual:
      return SCMP_CMP_NE;
    case Op::Greater:
      return SCMP_CMP_GT;
    case Op::MaskedEqual:
      return SCMP_CMP_MASKED_EQ;
  }
  return SCMP_CMP_EQ;
}

}  // namespace

std::vector<SeccompRule> default_seccomp_rules(const std::vector<std::string>& caps) {
  auto has = [&](const char* cap) { return cap && std::find(caps.begin(), caps.end(), cap) != caps.end(); };
  std::vector<SeccompRule> rules;
  for (const CapGroup& g : deny_groups()) {
    if (g.cap && has(g.cap)) continue;
    for (const char* s : g.syscalls)
      if (!has(alternative_cap(s))) rules.push_back({s, EPERM, std::nullopt});
  }
  if (!has("CAP_SYS_ADMIN")) {
    // New namespaces through clone(): flags in the first argument (x86_64 order).
    for (unsigned long flag :
         {CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP})
      rules.push_back({"clone", EPERM, SeccompCondition{0, Op::MaskedEqual, flag, flag}});
    // clone3 takes its flags in a struct seccomp can't read: ENOSYS makes glibc use clone().
    rules.push_back({"clone3", ENOSYS, std::nullopt});
  }
  rules.push_back({"socket", EPERM, SeccompCondition{0, Op::Equal, 40 /* AF_VSOCK */, 0}});
  for (SeccompRule& r : personality_rules()) rules.push_back(std::move(r));
  return rules;
}

std::vector<sock_filter> compile_seccomp(const std::vector<SeccompRule>& rules) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) throw std::runtime_error("seccomp_init failed");
  struct Release {
    scmp_filter_ctx c;
    ~Release() { seccomp_release(c); }
  } release{ctx};
#if defined(__x86_64__)
  // 32-bit and x32 binaries enter through other syscall tables: filter those too.
  for (uint32_t arch : {SCMP_ARCH_X86, SCMP_ARCH_X32}) {
    int rc = seccomp_arch_add(ctx, arch);
    if (rc != 0 && rc != -EEXIST) throw SysError("seccomp_arch_add", -rc);
  }
#endif
  for (const SeccompRule& r : rules) {
    int nr = seccomp_syscall_resolve_name(r.syscall.c_str());
    if (nr == __NR_SCMP_ERROR) continue;  // unknown to this libseccomp: nothing to deny
    int rc;
    if (r.condition) {
      const SeccompCondition& c = *r.condition;
      scmp_arg_cmp cmp = c.op == Op::MaskedEqual ? SCMP_CMP(c.arg, SCMP_CMP_MASKED_EQ, c.mask, c.value)
                                                 : SCMP_CMP(c.arg, to_scmp(c.op), c.value);
      rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(static_cast<uint16_t>(r.errno_value)), nr, 1, cmp);
    } else {
      rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(static_cast<uint16_t>(r.errno_value)), nr, 0);
    }
    // -EDOM/-EINVAL: no such syscall on one of the added architectures (e.g. vm86 on x86_64).
    if (rc != 0 && rc != -EDOM && rc != -EINVAL && rc != -EOPNOTSUPP)
      throw SysError("seccomp rule for " + r.syscall, -rc);
  }
  UniqueFd mem(::memfd_create("berth-seccomp", MFD_CLOEXEC));
  if (!mem) throw_errno("memfd_create for the seccomp program");
  if (int rc = seccomp_export_bpf(ctx, mem.get()); rc != 0) throw SysError("seccomp_export_bpf", -rc);
  off_t size = ::lseek(mem.get(), 0, SEEK_END);
  if (size < 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0)
    throw std::runtime_error("seccomp_export_bpf: unexpected program size");
  std::vector<sock_filter> program(static_cast<size_t>(size) / sizeof(sock_filter));
  if (::pread(mem.get(), program.data(), static_cast<size_t>(size), 0) != size) throw_errno("read the seccomp program");
  return program;
}

void load_seccomp(const std::vector<sock_filter>& program) {
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(program.size());
  prog.filter = const_cast<sock_filter*>(program.data());
  if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
    throw_errno("load the seccomp filter (" + std::to_string(program.size()) + " instructions)");
}

}  // namespace berth::shim
