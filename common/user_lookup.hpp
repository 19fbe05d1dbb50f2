#pragma once
// "user[:group]" -> uid, gid and supplementary groups, from a root's own /etc/passwd and
// /etc/group (read through the root fd, so an image symlink can't point at the host's files).
#include <cstdint>
#include <string>
#include <vector>

namespace berth {

struct ResolvedUser {
  uint32_t uid = 0, gid = 0;
  std::vector<uint32_t> groups;  ///< supplementary groups, for setgroups()
  std::string name;              ///< "" when the uid has no passwd entry
  std::string home = "/";        ///< for HOME when the environment has none
};

/// Resolves `spec` the way Docker (runc's GetExecUser) does:
///   "name" / "uid"            primary group from passwd (uid without entry: gid 0); supplementary
///                             groups = every /etc/group entry listing the user's name;
///   "name:group" / "uid:gid"  that primary group, no supplementary groups from /etc/group.
/// `additional_gids` are appended. Numeric ids need no files; an unknown name throws
/// std::runtime_error("user \"x\": no matching entry in /etc/passwd").
ResolvedUser resolve_user(int root_fd, const std::string& spec, const std::vector<uint32_t>& additional_gids);

}  // namespace berth
