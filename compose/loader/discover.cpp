// Compose file discovery: `-f` when given, else COMPOSE_FILE, else the first of compose.yaml,
// compose.yml, docker-compose.yaml, docker-compose.yml found in the working directory or the
// nearest ancestor that has one (docker compose walks up, like git), with its override file.
#include "compose/loader/discover.hpp"

#include <sys/stat.h>

#include <vector>

namespace berth::loader {

namespace {
bool is_file(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}
}  // namespace

std::string absolute_path(const std::string& path, const std::string& base) {
  std::string full = (!path.empty() && path[0] == '/') ? path : base + "/" + path;
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= full.size()) {
    size_t j = full.find('/', i);
    if (j == std::string::npos) j = full.size();
    std::string seg = full.substr(i, j - i);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(seg);
    }
    i = j + 1;
  }
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

std::string dir_name(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_name(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string expand_home(const std::string& path, const std::string& home) {
  if (path == "~") return home;
  if (path.rfind("~/", 0) == 0) return home + path.substr(1);
  return path;
}

std::vector<std::string> find_default_files(const std::string& dir) {
  for (std::string d = absolute_path(dir, "/");; d = dir_name(d)) {
    for (const auto& name : kDefaultFileNames) {
      std::string candidate = d + (d == "/" ? "" : "/") + name;
      if (!is_file(candidate)) continue;
      std::vector<std::string> files{candidate};
      auto dot = name.rfind('.');
      std::string override_file = d + (d == "/" ? "" : "/") + name.substr(0, dot) + ".override" + name.substr(dot);
      if (is_file(override_file)) files.push_back(override_file);
      return files;
    }
    if (d == "/") return {};
  }
}

std::vector<std::string> split_compose_file_env(const std::string& value, const std::optional<std::string>& separator) {
  std::string sep = separator && !separator->empty() ? *separator : ":";
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= value.size()) {
    size_t j = value.find(sep, i);
    if (j == std::string::npos) j = value.size();
    if (j > i) out.push_back(value.substr(i, j - i));
    i = j + sep.size();
  }
  return out;
}

}  // namespace berth::loader
