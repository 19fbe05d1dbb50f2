#pragma once
// The container process becomes its user (resolve_user in common/user_lookup.hpp says who).
#include "common/user_lookup.hpp"

namespace berth::shim {

/// Child: setgroups(groups), setresgid(gid), setresuid(uid), in that order.
void switch_user(const ResolvedUser& user);

}  // namespace berth::shim
