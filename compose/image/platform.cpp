#include "compose/image/platform.hpp"

#include <sys/utsname.h>

#include <stdexcept>
#include <vector>

namespace berth::image {

namespace {

std::string normalise_arch(std::string arch) {
  if (arch == "x86_64" || arch == "x86-64") return "amd64";
  if (arch == "aarch64") return "arm64";
  if (arch == "armhf" || arch == "armel") return "arm";
  if (arch == "i386" || arch == "i686") return "386";
  return arch;
}

std::string normalise_variant(const std::string& arch, std::string variant) {
  if (arch == "arm64" && variant == "v8") return "";
  return variant;
}

std::vector<std::string> split_slash(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    out.emplace_back(text.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

/// `object[key]` when it is a string, else "" (a registry's index may hold anything).
std::string string_field(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string Platform::str() const { return os + "/" + architecture + (variant.empty() ? "" : "/" + variant); }

Platform host_platform() {
  utsname u{};
  ::uname(&u);
  Platform p;
  p.architecture = normalise_arch(u.machine);
  if (std::string(u.machine).rfind("armv", 0) == 0) {
    p.architecture = "arm";
    p.variant = std::string("v") + u.machine[4];  // armv7l -> v7
  }
  return p;
}

bool is_index_media_type(std::string_view media_type) {
  return media_type == "application/vnd.oci.image.index.v1+json" ||
         media_type == "application/vnd.docker.distribution.manifest.list.v2+json";
}

Platform parse_platform(std::string_view text) {
  auto parts = split_slash(text);
  Platform p;
  if (parts.size() == 1) {
    p.architecture = normalise_arch(parts[0]);
  } else if (parts.size() == 2 || parts.size() == 3) {
    p.os = parts[0];
    p.architecture = normalise_arch(parts[1]);
    if (parts.size() == 3) p.variant = parts[2];
  }
  for (const auto& s : parts)
    if (s.empty() || parts.size() > 3)
      throw std::invalid_argument("invalid platform \"" + std::string(text) + "\": expected os/arch[/variant]");
  return p;
}

bool platform_matches(const nlohmann::json& descriptor, const Platform& wanted) {
  if (!descriptor.is_object() || !descriptor.contains("platform") || !descriptor["platform"].is_object()) return false;
  const auto& p = descriptor["platform"];
  const std::string os = string_field(p, "os"), arch = normalise_arch(string_field(p, "architecture"));
  if (os == "unknown" || arch == "unknown") return false;
  if (os != wanted.os || arch != wanted.architecture) return false;
  if (wanted.variant.empty()) return true;
  return normalise_variant(arch, string_field(p, "variant")) == normalise_variant(arch, wanted.variant);
}

std::optional<nlohmann::json> select_platform(const nlohmann::json& index, const Platform& wanted) {
  if (!index.is_object() || !index.contains("manifests") || !index["manifests"].is_array()) return std::nullopt;
  for (const auto& m : index["manifests"])
    if (platform_matches(m, wanted)) return m;
  return std::nullopt;
}

}  // namespace berth::image
