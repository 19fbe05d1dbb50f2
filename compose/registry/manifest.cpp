#include "compose/registry/manifest.hpp"

#include <stdexcept>

#include "compose/image/platform.hpp"

namespace berth::registry {

std::string manifest_accept_header() {
  return std::string("Accept: ") + kOciIndex + ", " + kOciManifest + ", " + kDockerList + ", " + kDockerManifest;
}

bool ManifestDocument::is_index() const { return image::is_index_media_type(media_type); }

ManifestDocument parse_manifest(std::string bytes, const std::string& content_type, const std::string& what) {
  if (bytes.size() > kMaxManifestSize)
    throw std::runtime_error(what + ": larger than " + std::to_string(kMaxManifestSize) + " bytes");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(bytes);
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for a number like 1e999
    throw std::runtime_error(what + ": not JSON: " + e.what());
  }
  const image::Digest digest = image::sha256_of(bytes);
  ManifestDocument doc{std::move(bytes), digest, "", std::move(json)};
  if (!doc.json.is_object()) throw std::runtime_error(what + ": expected a JSON object");
  // Fields of the wrong type are refused here, naming the manifest (json's own type_error would
  // reach the user as "[json.exception.type_error.302] type must be string, but is number").
  if (doc.json.contains("mediaType") && !doc.json["mediaType"].is_string())
    throw std::runtime_error(what + ": `mediaType` is not a string");
  if (doc.json.contains("schemaVersion") && !doc.json["schemaVersion"].is_number_integer())
    throw std::runtime_error(what + ": `schemaVersion` is not an integer");
  doc.media_type = doc.json.value("mediaType", "");
  if (doc.media_type.empty()) doc.media_type = content_type.substr(0, content_type.find(';'));
  if (doc.media_type.empty() && doc.json.contains("manifests")) doc.media_type = kOciIndex;  // OCI allows omitting it
  if (doc.media_type.empty() && doc.json.contains("config")) doc.media_type = kOciManifest;
  if ((doc.json.contains("schemaVersion") && doc.json["schemaVersion"] == 1) ||
      doc.media_type.find("distribution.manifest.v1") != std::string::npos)
    throw std::runtime_error(what +
                             ": Docker Image Format v1 and Docker Image manifest version 2, schema 1 are no "
                             "longer supported (push the image again with a current tool)");
  if (doc.is_index()) {
    if (!doc.json.contains("manifests") || !doc.json["manifests"].is_array())
      throw std::runtime_error(what + ": an index without `manifests`");
  } else if (doc.media_type == kOciManifest || doc.media_type == kDockerManifest) {
    if (!doc.json.contains("config") || !doc.json["config"].is_object() || !doc.json.contains("layers") ||
        !doc.json["layers"].is_array())
      throw std::runtime_error(what + ": an image manifest needs `config` and `layers`");
  } else {
    throw std::runtime_error(what + ": unsupported media type \"" + doc.media_type + "\"");
  }
  return doc;
}

}  // namespace berth::registry
