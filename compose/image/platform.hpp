#pragma once
// Image platforms (os/architecture[/variant]) and picking one image out of an OCI index or a
// Docker manifest list, as containerd's platform matcher does: the os and architecture must be
// equal; a variant asked for must match (arm64's "" and "v8" are the same); entries for
// "unknown/unknown" (BuildKit's attestation manifests) are never picked. Used by `image load`
// (OCI layouts) and by pulls (the host's platform, or a service's `platform:`).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace berth::image {

struct Platform {
  std::string os = "linux";
  std::string architecture;
  std::string variant;

  /// "linux/arm64/v8", "linux/amd64".
  std::string str() const;
};

/// This machine: linux, its OCI architecture (amd64, arm64, ...) and, for arm, its variant.
Platform host_platform();

/// Parses "os/arch[/variant]" (docker's --platform syntax; "arm64" alone means linux/arm64);
/// architecture aliases normalised (x86_64 -> amd64, aarch64 -> arm64). Throws
/// std::invalid_argument naming the text.
Platform parse_platform(std::string_view text);

/// True when the descriptor's `platform` is `wanted` (see above).
bool platform_matches(const nlohmann::json& descriptor, const Platform& wanted);

/// The descriptor of `index`'s `manifests` for `wanted`, or std::nullopt.
std::optional<nlohmann::json> select_platform(const nlohmann::json& index, const Platform& wanted);

/// True for the media types of an OCI index and a Docker manifest list.
bool is_index_media_type(std::string_view media_type);

}  // namespace berth::image
