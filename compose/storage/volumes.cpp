// The named volume store: <root>/volumes/<name>/{_data/, volume.json}. volume.json is written
// last and atomically, so a volume "exists" only once it is complete; removal deletes volume.json
// first, so a crash halfway through leaves a directory that create() completes again rather than
// a half-deleted volume that looks intact.
#include "compose/storage/volumes.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/atomic_file.hpp"
#include "common/dir_list.hpp"
#include "common/mount_options.hpp"
#include "common/sys_error.hpp"
#include "compose/gocompat/rfc3339.hpp"
#include "compose/gocompat/units.hpp"

namespace berth::storage {

namespace {

/// Docker's volume name rule ([a-zA-Z0-9][a-zA-Z0-9_.-]+); it also keeps names out of `..`.
bool valid_volume_name(const std::string& name) {
  if (name.size() < 2 || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

void check_name(const std::string& name) {
  if (!valid_volume_name(name))
    throw std::invalid_argument("volume name \"" + name +
                                "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at least 2 characters");
}

void make_dir(const std::string& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) throw_errno("mkdir `" + path + "`");
}

/// The local driver's keys (moby volume/local: validOpts).
bool valid_local_option(const std::string& key) { return key == "type" || key == "o" || key == "device"; }

/// True when `path` is the root of a mount (statx STATX_ATTR_MOUNT_ROOT: a bind mount of a
/// directory of the same file system has the same st_dev, so st_dev cannot tell).
bool volume_mount_root(const std::string& path) {
  struct statx sx {};
  if (::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) != 0) return false;
  return (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/// moby/sys/mount's parseOptions: `o` words that are mount flags become flags, the rest the
/// data string (comma-joined, in order).
MountOptions parse_volume_mount_options(const std::string& o) {
  static constexpr MountFlagWord kMobyWords[] = {{"defaults", false, 0},
                                                 {"ro", false, MS_RDONLY},
                                                 {"rw", true, MS_RDONLY},
                                                 {"suid", true, MS_NOSUID},
                                                 {"nosuid", false, MS_NOSUID},
                                                 {"dev", true, MS_NODEV},
                                                 {"nodev", false, MS_NODEV},
                                                 {"exec", true, MS_NOEXEC},
                                                 {"noexec", false, MS_NOEXEC},
                                                 {"sync", false, MS_SYNCHRONOUS},
                                                 {"async", true, MS_SYNCHRONOUS},
                                                 {"dirsync", false, MS_DIRSYNC},
                                                 {"remount", false, MS_REMOUNT},
                                                 {"mand", false, MS_MANDLOCK},
                                                 {"nomand", true, MS_MANDLOCK},
                                                 {"atime", true, MS_NOATIME},
                                                 {"noatime", false, MS_NOATIME},
                                                 {"diratime", true, MS_NODIRATIME},
                                                 {"nodiratime", false, MS_NODIRATIME},
                                                 {"bind", false, MS_BIND},
                                                 {"rbind", false, MS_BIND | MS_REC},
                                                 {"relatime", false, MS_RELATIME},
                                                 {"norelatime", true, MS_RELATIME},
                                                 {"strictatime", false, MS_STRICTATIME},
                                                 {"nostrictatime", true, MS_STRICTATIME}};
  std::vector<std::string> words;
  for (std::size_t start = 0; start <= o.size();) {
    const std::size_t comma = o.find(',', start);
    std::string word = o.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? o.size() + 1 : comma + 1;
    if (!word.empty()) words.push_back(std::move(word));
  }
  return parse_mount_words(words, kMobyWords);
}

/// Go's text for an errno (lowercase strerror: "no such file or directory").
std::string go_errno_text(int err) {
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

std::string hex_flags(unsigned long flags) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%lx", flags);
  return buf;
}

}  // namespace

VolumeStore::VolumeStore(std::string root) : m_dir(std::move(root) + "/volumes") {}

std::string VolumeStore::path(const std::string& name) const { return m_dir + "/" + name + "/_data"; }

bool VolumeStore::exists(const std::string& name) const {
  if (!valid_volume_name(name)) return false;
  struct stat st {};
  return ::stat((m_dir + "/" + name + "/volume.json").c_str(), &st) == 0;
}

bool VolumeStore::create(const std::string& name, const std::map<std::string, std::string>& labels,
                         const std::string& project, const std::map<std::string, std::string>& options) {
  check_name(name);
  for (const auto& [key, value] : options)
    if (!valid_local_option(key)) throw std::invalid_argument("invalid option key: \"" + key + "\"");
  if (exists(name)) return false;
  make_dir(m_dir, 0711);
  make_dir(m_dir + "/" + name, 0711);
  // Docker's _data is 0755 root:root until copy-up gives it the image directory's owner/mode.
  make_dir(path(name), 0755);
  nlohmann::json meta = {
      {"name", name}, {"labels", labels}, {"created", gocompat::rfc3339_now()}, {"project", project}};
  if (!options.empty()) meta["options"] = options;
  write_file_atomic(m_dir + "/" + name + "/volume.json", meta.dump(2) + "\n", 0644);
  return true;
}

std::optional<VolumeInfo> VolumeStore::inspect(const std::string& name) const {
  if (!exists(name)) return std::nullopt;
  const std::string file = m_dir + "/" + name + "/volume.json";
  nlohmann::json meta;
  try {
    meta = nlohmann::json::parse(read_file(file));
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("volume \"" + name + "\": `" + file + "`: " + e.what());
  }
  VolumeInfo info;
  info.name = name;
  info.path = path(name);
  if (meta.contains("labels") && meta["labels"].is_object())
    for (auto it = meta["labels"].begin(); it != meta["labels"].end(); ++it)
      if (it.value().is_string()) info.labels[it.key()] = it.value().get<std::string>();
  if (meta.contains("created") && meta["created"].is_string()) info.created = meta["created"];
  if (meta.contains("project") && meta["project"].is_string()) info.project = meta["project"];
  if (meta.contains("options") && meta["options"].is_object())
    for (auto it = meta["options"].begin(); it != meta["options"].end(); ++it)
      if (it.value().is_string()) info.options[it.key()] = it.value().get<std::string>();
  return info;
}

void VolumeStore::mount(const std::string& name) {
  std::optional<VolumeInfo> info = inspect(name);
  if (!info || info->options.empty() || volume_mount_root(info->path)) return;
  auto opt = [&](const char* key) {
    auto it = info->options.find(key);
    return it == info->options.end() ? std::string() : it->second;
  };
  const std::string device = opt("device"), type = opt("type"), target = info->path;
  auto fail = [&](const std::string& what) {
    throw std::runtime_error("error while mounting volume '" + target + "': failed to mount local volume: " + what);
  };
  if (device.empty()) fail("missing device in volume options");
  const MountOptions o = parse_volume_mount_options(opt("o"));
  // As moby/sys/mount's mount(): the flags (and data) first, then the propagation, then a
  // read-only remount of a bind.
  if (::mount(device.c_str(), target.c_str(), type.c_str(), o.flags, o.data.empty() ? nullptr : o.data.c_str()) != 0) {
    const int err = errno;
    fail("mount " + device + ":" + target + (o.flags ? ", flags: " + hex_flags(o.flags) : "") +
         (o.data.empty() ? "" : ", data: " + o.data) + ": " + go_errno_text(err));
  }
  if (o.propagation && ::mount("", target.c_str(), "", o.propagation, nullptr) != 0) {
    const int err = errno;
    ::umount2(target.c_str(), MNT_DETACH);
    fail("remount " + target + ", flags: " + hex_flags(o.propagation) + ": " + go_errno_text(err));
  }
  if ((o.flags & (MS_BIND | MS_RDONLY)) == (MS_BIND | MS_RDONLY) &&
      ::mount("", target.c_str(), "", o.flags | MS_REMOUNT, nullptr) != 0) {
    const int err = errno;
    ::umount2(target.c_str(), MNT_DETACH);
    fail("remount-ro " + target + ", flags: " + hex_flags(o.flags | MS_REMOUNT) + ": " + go_errno_text(err));
  }
}

void VolumeStore::unmount(const std::string& name) {
  if (!valid_volume_name(name)) return;
  const std::string target = path(name);
  while (volume_mount_root(target))
    if (::umount2(target.c_str(), MNT_DETACH) != 0) throw_errno("unmount volume `" + target + "`");
}

std::vector<VolumeInfo> VolumeStore::list() const {
  std::vector<VolumeInfo> out;
  std::vector<std::string> names;
  try {
    names = list_dir(m_dir);
  } catch (const SysError& e) {
    if (e.code() == ENOENT) return out;
    throw;
  }
  for (const auto& n : names)
    if (auto info = inspect(n)) out.push_back(std::move(*info));
  return out;
}

bool VolumeStore::remove(const std::string& name) {
  if (!valid_volume_name(name)) return false;
  const std::string dir = m_dir + "/" + name;
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return false;
    throw_errno("stat `" + dir + "`");
  }
  const bool existed = exists(name);
  unmount(name);  // never delete what a bind device holds
  if (::unlink((dir + "/volume.json").c_str()) != 0 && errno != ENOENT) throw_errno("unlink `" + dir + "/volume.json`");
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);  // does not follow symlinks inside the volume
  if (ec) throw SysError("remove volume directory `" + dir + "`", ec.value());
  return existed;
}

bool VolumeStore::is_empty(const std::string& name) const {
  const std::string p = path(name);
  return !DirReader(p).next();
}

}  // namespace berth::storage
