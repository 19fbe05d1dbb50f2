#pragma once
// Image references as docker spells and normalises them:
//   busybox                    -> docker.io/library/busybox:latest
//   user/app:1.2               -> docker.io/user/app:1.2
//   localhost:5000/a/b:tag     -> localhost:5000/a/b:tag
//   name@sha256:<hex>          -> docker.io/library/name@sha256:<hex>   (no implied tag)
// and back to the familiar form that `docker images` and RepoTags show (busybox:latest).
#include <optional>
#include <string>
#include <string_view>

#include "compose/image/digest.hpp"

namespace berth::image {

/// A normalised reference. `tag` is empty only when a digest was given without a tag.
struct Reference {
  std::string domain;  ///< registry host[:port]; "docker.io" for Docker Hub
  std::string path;    ///< repository path, "library/busybox" for official images
  std::string tag;     ///< "latest" when neither tag nor digest was given
  std::optional<Digest> digest;

  /// domain/path.
  std::string name() const;
  /// The full normalised text: domain/path[:tag][@digest]. Keys images.json.
  std::string str() const;
  /// The repository as docker shows it: "busybox", "user/app", "localhost:5000/a/b".
  std::string familiar_name() const;
  /// familiar_name()[:tag][@digest], e.g. "busybox:latest".
  std::string familiar() const;

  friend bool operator==(const Reference&, const Reference&) = default;
};

/// Parses and normalises `text`; throws std::invalid_argument with docker's wording
/// ("invalid reference format: ...") naming the text.
Reference parse_reference(std::string_view text);

/// Like parse_reference() but returns std::nullopt instead of throwing.
std::optional<Reference> try_parse_reference(std::string_view text);

}  // namespace berth::image
