// The named volume store: <root>/volumes/<name>/{_data/, volume.json}. volume.json is written
// last and atomically, so a volume "exists" only once it is complete; removal deletes volume.json
// first, so a crash halfway through leaves a directory that create() completes again rather than
// a half-deleted volume that looks intact.
#include "compose/storage/volumes.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/atomic_file.hpp"
#include "common/dir_list.hpp"
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

}  // namespace

VolumeStore::VolumeStore(std::string root) : m_dir(std::move(root) + "/volumes") {}

std::string VolumeStore::path(const std::string& name) const { return m_dir + "/" + name + "/_data"; }

bool VolumeStore::exists(const std::string& name) const {
  if (!valid_volume_name(name)) return false;
  struct stat st {};
  return ::stat((m_dir + "/" + name + "/volume.json").c_str(), &st) == 0;
}

bool VolumeStore::create(const std::string& name, const std::map<std::string, std::string>& labels,
                         const std::string& project) {
  check_name(name);
  if (exists(name)) return false;
  make_dir(m_dir, 0711);
  make_dir(m_dir + "/" + name, 0711);
  // Docker's _data is 0755 root:root until copy-up gives it the image directory's owner/mode.
  make_dir(path(name), 0755);
  nlohmann::json meta = {
      {"name", name}, {"labels", labels}, {"created", gocompat::rfc3339_now()}, {"project", project}};
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
  return info;
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
