// Switching to the container's user (resolved by common/user_lookup).
// Kernel quirk: setgroups() must come before the uid changes (it needs CAP_SETGID), and is called
// even with an empty list so the shim's own supplementary groups don't leak into the container.
#include "runtime-shim/container/users.hpp"

#include <fcntl.h>
#include <grp.h>
#include <unistd.h>

#include <vector>

#include "common/sys_error.hpp"

namespace berth::shim {

void switch_user(const ResolvedUser& user) {
  std::vector<gid_t> groups(user.groups.begin(), user.groups.end());
  if (::setgroups(groups.size(), groups.data()) != 0) throw_errno("setgroups");
  if (::setresgid(user.gid, user.gid, user.gid) != 0) throw_errno("setgid " + std::to_string(user.gid));
  if (::setresuid(user.uid, user.uid, user.uid) != 0) throw_errno("setuid " + std::to_string(user.uid));
}

}  // namespace berth::shim
