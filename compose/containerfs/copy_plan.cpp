// docker cp's path rules (see copy_plan.hpp). Purely lexical: the callers stat the paths.
#include "compose/containerfs/copy_plan.hpp"

#include <stdexcept>

#include "compose/gocompat/path.hpp"

namespace berth::containerfs {

CpArg split_cp_arg(std::string_view arg) {
  if (!arg.empty() && arg.front() == '/') return {"", std::string(arg)};
  auto colon = arg.find(':');
  if (colon == std::string_view::npos || arg.substr(0, colon).starts_with('.')) return {"", std::string(arg)};
  return {std::string(arg.substr(0, colon)), std::string(arg.substr(colon + 1))};
}

bool specifies_current_dir(std::string_view path) { return path == "." || path.ends_with("/."); }

bool asserts_directory(std::string_view path) { return path.ends_with('/') || specifies_current_dir(path); }

DirEntry split_dir_entry(std::string_view path) {
  std::string cleaned = gocompat::clean_path(path);
  if (specifies_current_dir(path)) return {cleaned, "."};
  if (cleaned == "/") return {"/", "/"};
  auto slash = cleaned.rfind('/');
  if (slash == std::string::npos) return {".", cleaned};
  return {slash == 0 ? "/" : cleaned.substr(0, slash), cleaned.substr(slash + 1)};
}

std::string absolute_local_path(std::string_view path, std::string_view cwd) {
  std::string joined = path.starts_with('/') ? std::string(path) : std::string(cwd) + "/" + std::string(path);
  std::string abs = gocompat::clean_path(joined);
  if (specifies_current_dir(path) && !specifies_current_dir(abs)) return abs + (abs == "/" ? "." : "/.");
  if (path.ends_with('/') && !abs.ends_with('/')) return abs + "/";
  return abs;
}

CopyTarget plan_copy(const CopySource& src, std::string_view dst, std::optional<bool> dst_is_dir) {
  const DirEntry d = split_dir_entry(dst);
  if (dst_is_dir && *dst_is_dir) return {gocompat::clean_path(dst), src.contents_only ? "" : src.name};
  if (dst_is_dir && src.is_dir) throw std::runtime_error("cannot copy directory");
  if (!dst_is_dir && !src.is_dir && asserts_directory(dst)) throw std::runtime_error("no such directory");
  // A file onto a file, a directory that becomes the missing destination, a file that becomes
  // the missing destination: the entry takes the destination's name, in its directory.
  return {d.dir, d.base};
}

}  // namespace berth::containerfs
