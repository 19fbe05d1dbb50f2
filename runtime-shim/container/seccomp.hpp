#pragma once
// The default seccomp profile: allow everything except what Docker's default profile blocks
// (moby profiles/seccomp/default.json), taking the container's capabilities into account as
// Docker does (CAP_SYS_ADMIN allows mount/unshare/setns..., CAP_SYS_CHROOT allows chroot, ...).
// The parent compiles it to BPF with libseccomp; the child only loads the program.
#include <linux/filter.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace berth::shim {

struct SeccompCondition {
  enum class Op { Equal, NotEqual, Greater, MaskedEqual };
  unsigned arg = 0;
  Op op = Op::Equal;
  uint64_t value = 0;
  uint64_t mask = 0;  ///< MaskedEqual: (arg & mask) == value
};

/// One rule: `syscall` fails with `errno_value` (when `condition` holds, if there is one).
/// Several rules for one syscall are alternatives (any match denies).
struct SeccompRule {
  std::string syscall;
  int errno_value = 1;  ///< EPERM, or ENOSYS for clone3 (so glibc falls back to clone)
  std::optional<SeccompCondition> condition;
};

/// The deny list for a container with capabilities `caps` ("CAP_SYS_ADMIN", ...).
std::vector<SeccompRule> default_seccomp_rules(const std::vector<std::string>& caps);

/// Compiles rules into a BPF program (default action: allow; native architecture, plus x86/x32
/// on x86_64 where syscall numbers differ). Syscalls unknown to libseccomp are skipped.
std::vector<sock_filter> compile_seccomp(const std::vector<SeccompRule>& rules);

/// Installs the program on the calling thread (seccomp(2) with SECCOMP_FILTER_FLAG_TSYNC off).
/// Needs no_new_privs or CAP_SYS_ADMIN.
void load_seccomp(const std::vector<sock_filter>& program);

}  // namespace berth::shim
