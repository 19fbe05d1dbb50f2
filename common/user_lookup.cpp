// User and group resolution against a root's /etc/passwd and /etc/group (a container's rootfs,
// a build step's merged view for COPY --chown). The files are opened with
// openat2(RESOLVE_IN_ROOT) relative to the root fd: a rootfs whose /etc is a symlink to "/etc"
// reads its own files, never the host's. Semantics follow runc's user.GetExecUser (what Docker
// uses): numeric ids are accepted without entries, names must exist, an explicit group
// suppresses the /etc/group membership lookup.
#include "common/user_lookup.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "common/in_root.hpp"
#include "common/sys_error.hpp"

namespace berth {

namespace {

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0, gid = 0;
  std::string home;
};

struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  for (;;) {
    size_t j = s.find(sep, i);
    out.push_back(s.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) return out;
    i = j + 1;
  }
}

std::optional<uint32_t> parse_id(const std::string& s) {
  if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  unsigned long long v = std::stoull(s);
  if (v > 0xffffffffULL) return std::nullopt;
  return static_cast<uint32_t>(v);
}

/// The file's lines, or none when it does not exist in the rootfs.
std::vector<std::string> read_lines(int root_fd, const char* path) {
  std::vector<std::string> lines;
  UniqueFd fd = open_in_root(root_fd, path, O_RDONLY);
  if (!fd) {
    if (errno == ENOENT) return lines;
    throw_errno(std::string("open `") + path + "` in rootfs");
  }
  std::string text = read_all(fd.get(), path);
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  return lines;
}

std::vector<PasswdEntry> read_passwd(int root_fd) {
  std::vector<PasswdEntry> out;
  for (const std::string& line : read_lines(root_fd, "/etc/passwd")) {
    std::vector<std::string> f = split(line, ':');
    if (f.size() < 7) continue;
    auto uid = parse_id(f[2]), gid = parse_id(f[3]);
    if (!uid || !gid) continue;
    out.push_back({f[0], *uid, *gid, f[5]});
  }
  return out;
}

std::vector<GroupEntry> read_group(int root_fd) {
  std::vector<GroupEntry> out;
  for (const std::string& line : read_lines(root_fd, "/etc/group")) {
    std::vector<std::string> f = split(line, ':');
    if (f.size() < 4) continue;
    auto gid = parse_id(f[2]);
    if (!gid) continue;
    GroupEntry g{f[0], *gid, {}};
    for (const std::string& m : split(f[3], ','))
      if (!m.empty()) g.members.push_back(m);
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace

ResolvedUser resolve_user(int root_fd, const std::string& spec, const std::vector<uint32_t>& additional_gids) {
  const auto colon = spec.find(':');
  const std::string user_part = spec.substr(0, colon);
  const std::string group_part = colon == std::string::npos ? "" : spec.substr(colon + 1);
  if (user_part.empty()) throw std::runtime_error("user \"" + spec + "\": empty user name");
  if (colon != std::string::npos && group_part.empty())
    throw std::runtime_error("user \"" + spec + "\": empty group name");

  ResolvedUser out;
  const auto numeric_uid = parse_id(user_part);
  const std::vector<PasswdEntry> passwd = read_passwd(root_fd);
  const PasswdEntry* entry = nullptr;
  for (const PasswdEntry& p : passwd)
    if (numeric_uid ? p.uid == *numeric_uid : p.name == user_part) {
      entry = &p;
      break;
    }
  if (entry) {
    out.uid = entry->uid;
    out.gid = entry->gid;
    out.name = entry->name;
    if (!entry->home.empty()) out.home = entry->home;
  } else if (numeric_uid) {
    out.uid = *numeric_uid;  // an id without an entry: gid 0, as Docker
  } else {
    throw std::runtime_error("user \"" + user_part + "\": no matching entry in /etc/passwd");
  }

  if (!group_part.empty() || !out.name.empty()) {
    const std::vector<GroupEntry> groups = read_group(root_fd);
    if (!group_part.empty()) {
      const auto numeric_gid = parse_id(group_part);
      const GroupEntry* g = nullptr;
      for (const GroupEntry& e : groups)
        if (numeric_gid ? e.gid == *numeric_gid : e.name == group_part) {
          g = &e;
          break;
        }
      if (g)
        out.gid = g->gid;
      else if (numeric_gid)
        out.gid = *numeric_gid;
      else
        throw std::runtime_error("group \"" + group_part + "\": no matching entry in /etc/group");
    } else {
      for (const GroupEntry& g : groups)
        if (std::find(g.members.begin(), g.members.end(), out.name) != g.members.end()) out.groups.push_back(g.gid);
    }
  }
  for (uint32_t gid : additional_gids)
    if (std::find(out.groups.begin(), out.groups.end(), gid) == out.groups.end()) out.groups.push_back(gid);
  return out;
}

}  // namespace berth
