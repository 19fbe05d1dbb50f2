// Pushing and fetching a compose application's OCI artifact (see the header for the layout).
// The blobs are small (compose files, env files): they go up in one POST + PUT from memory and
// come down whole, each checked against its digest before it is written.
#include "compose/registry/compose_artifact.hpp"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/atomic_file.hpp"
#include "common/scope_exit.hpp"
#include "common/sys_error.hpp"
#include "common/unique_fd.hpp"
#include "compose/gocompat/base64.hpp"
#include "compose/image/digest.hpp"
#include "compose/registry/blob_upload.hpp"
#include "compose/registry/client.hpp"
#include "compose/registry/endpoint.hpp"
#include "compose/registry/manifest.hpp"
#include "compose/registry/upload_url.hpp"

namespace berth::registry {

namespace {

using OrderedJson = nlohmann::ordered_json;

constexpr const char* kArtifactEmptyJson = "application/vnd.oci.empty.v1+json";

std::string artifact_base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// A v1.Descriptor as encoding/json writes it: mediaType, digest, size, annotations, data.
OrderedJson artifact_descriptor(const std::string& media_type, const std::string& data,
                                const std::map<std::string, std::string>& annotations) {
  OrderedJson d;
  d["mediaType"] = media_type;
  d["digest"] = image::sha256_of(data).str();
  d["size"] = data.size();
  if (!annotations.empty()) {
    OrderedJson a = OrderedJson::object();
    for (const auto& [k, v] : annotations) a[k] = v;
    d["annotations"] = a;
  }
  if (!data.empty()) d["data"] = gocompat::base64_encode(data);
  return d;
}

/// time.Now().Format(time.RFC3339): local time, "Z" when that is UTC.
std::string artifact_created_now() {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &local);
  std::string out = text;
  if (local.tm_gmtoff == 0) return out + "Z";
  const long off = local.tm_gmtoff < 0 ? -local.tm_gmtoff : local.tm_gmtoff;
  char zone[8];
  std::snprintf(zone, sizeof zone, "%c%02ld:%02ld", local.tm_gmtoff < 0 ? '-' : '+', off / 3600, off % 3600 / 60);
  return out + zone;
}

/// Puts `data` into the repository as blob `digest` unless it is there (HEAD).
void artifact_put_blob(RepositoryClient& client, const std::string& data, const std::string& what) {
  const image::Digest digest = image::sha256_of(data);
  if (blob_exists(client, digest)) return;
  HttpRequest post;
  post.method = "POST";
  post.url = client.url("/blobs/uploads/");
  HttpResponse r = client.send(post);
  if (r.status != 202 && r.status != 201) throw_push_error(r, what + ": blob " + digest.str());
  HttpRequest put;
  put.method = "PUT";
  put.url =
      add_query(resolve_location(r.url.empty() ? post.url : r.url, r.header("location")), "digest=" + digest.str());
  put.headers.push_back("Content-Type: application/octet-stream");
  put.body = data;
  r = client.send(put);
  if (r.status < 200 || r.status >= 300) throw_push_error(r, what + ": blob " + digest.str());
}

/// GET of a blob, checked against its digest and size.
std::string artifact_get_blob(RepositoryClient& client, const std::string& digest, std::uint64_t size,
                              const std::string& what) {
  HttpRequest get;
  get.url = client.url("/blobs/" + digest);
  HttpResponse r = client.send(get);
  if (r.status != 200) throw_registry_error(r, what + ": fetching blob " + digest);
  if (r.body.size() != size)
    throw std::runtime_error(what + ": blob " + digest + " size mismatch: expected " + std::to_string(size) +
                             " bytes, got " + std::to_string(r.body.size()));
  if (image::sha256_of(r.body).str() != digest)
    throw std::runtime_error(what + ": blob digest mismatch: expected " + digest + ", got " +
                             image::sha256_of(r.body).str());
  return r.body;
}

/// GET of a manifest by tag or digest: its bytes and media type.
std::pair<std::string, std::string> artifact_get_manifest(RepositoryClient& client, const std::string& reference,
                                                          const std::string& what) {
  HttpRequest get;
  get.url = client.url("/manifests/" + reference);
  get.headers.push_back(manifest_accept_header());
  HttpResponse r = client.send(get);
  if (r.status != 200) throw_registry_error(r, what);
  std::string type = r.header("content-type");
  try {
    const nlohmann::json doc = nlohmann::json::parse(r.body);
    if (doc.contains("mediaType") && doc["mediaType"].is_string()) type = doc["mediaType"].get<std::string>();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(what + ": manifest is not JSON: " + e.what());
  }
  if (reference.rfind("sha256:", 0) == 0 && image::sha256_of(r.body).str() != reference)
    throw std::runtime_error(what + ": manifest digest mismatch");
  return {r.body, type};
}

/// docker compose's validatePathInBase: an annotated file name must be a plain name.
void artifact_check_name(const std::string& name) {
  if (name.empty() || name.find_first_of("/\\") != std::string::npos || name == "." || name == "..")
    throw std::runtime_error("invalid OCI artifact");
}

void artifact_append_file(const std::string& path, const std::string& data) {
  std::string existing;
  if (std::filesystem::exists(path)) existing = read_file(path);
  write_file_atomic(path, existing + data, 0600);
}

}  // namespace

ArtifactLayer compose_file_layer(const std::string& path, std::string data) {
  return {
      kComposeFileMediaType,
      std::move(data),
      {{"com.docker.compose.file", artifact_base_name(path)}, {"com.docker.compose.version", BERTH_REGISTRY_VERSION}}};
}

ArtifactLayer env_file_layer(const std::string& path, std::string data) {
  return {kComposeEnvFileMediaType,
          std::move(data),
          {{"com.docker.compose.envfile", artifact_base_name(path)},
           {"com.docker.compose.version", BERTH_REGISTRY_VERSION}}};
}

std::string artifact_manifest(const std::vector<ArtifactLayer>& layers, const std::string& version,
                              const std::string& created) {
  if (version != "1.0" && version != "1.1") throw std::runtime_error("unsupported OCI version: " + version);
  OrderedJson m;
  m["schemaVersion"] = 2;
  m["mediaType"] = kOciManifest;
  if (version == "1.1") m["artifactType"] = kComposeProjectArtifactType;
  m["config"] = artifact_descriptor(version == "1.1" ? kArtifactEmptyJson : kComposeEmptyConfigMediaType, "{}", {});
  OrderedJson l = OrderedJson::array();
  for (const auto& layer : layers) l.push_back(artifact_descriptor(layer.media_type, layer.data, layer.annotations));
  m["layers"] = l;
  m["annotations"] = OrderedJson{{"org.opencontainers.image.created", created}};
  return m.dump();
}

ArtifactPushResult push_compose_artifact(const image::Reference& ref, const std::vector<ArtifactLayer>& layers,
                                         const std::string& version, const Config& config,
                                         const CredentialStore& credentials) {
  if (!version.empty() && version != "1.0" && version != "1.1")
    throw std::runtime_error("unsupported OCI version: " + version);
  const std::string what = "publish " + ref.familiar();
  HttpClient http;
  const std::string key = credential_key(ref.domain);
  RepositoryClient client(http, registry_endpoint(ref.domain, config), ref.path, credentials.get(key), "pull,push",
                          credentials.saver(key));
  try {
    if (version != "1.0") artifact_put_blob(client, "{}", what);
    for (const auto& layer : layers) artifact_put_blob(client, layer.data, what);
    const std::string created = artifact_created_now();
    auto put_manifest = [&](const std::string& v) {
      artifact_put_blob(client, "{}", what);  // the config, as docker compose pushes it before its manifest
      const std::string text = artifact_manifest(layers, v, created);
      HttpRequest put;
      put.method = "PUT";
      put.url = client.url("/manifests/" + ref.tag);
      put.headers.push_back(std::string("Content-Type: ") + kOciManifest);
      put.body = text;
      HttpResponse r = client.send(put);
      return std::pair{r, image::sha256_of(text).str()};
    };
    auto [r, digest] = put_manifest(version.empty() ? "1.1" : version);
    std::string used = version.empty() ? "1.1" : version;
    // A registry without OCI 1.1 support refuses the artifactType with a client error.
    if (version.empty() && r.status >= 400 && r.status < 500 && r.status != 401 && r.status != 403 && r.status != 407) {
      std::tie(r, digest) = put_manifest("1.0");
      used = "1.0";
    }
    if (r.status < 200 || r.status >= 300) throw_push_error(r, what + ": manifest");
    return {digest, used, artifact_manifest(layers, used, created).size()};
  } catch (const HttpError& e) {
    throw std::runtime_error(what + ": " + e.what());
  }
}

namespace {

/// A blob of `from` into `to`: there already, mounted (same registry), else uploaded from a
/// temporary file.
void artifact_copy_blob(RepositoryClient& from, RepositoryClient& to, const std::string& digest, std::uint64_t size,
                        const std::string& what) {
  const image::Digest d = image::Digest::from_string(digest);
  BlobUploadOptions o;
  if (from.endpoint().host == to.endpoint().host) o.mount_from = {from.repository()};
  if (blob_exists(to, d)) return;
  char path[] = "/tmp/berth-publish-blob-XXXXXX";
  UniqueFd fd(::mkstemp(path));
  if (fd.get() < 0) throw_errno(std::string("mkstemp `") + path + "`");
  ScopeExit unlink_it([&] { ::unlink(path); });
  {  // fetched even where a mount may do: a registry may answer the mount with an upload session
    HttpRequest get;
    get.url = from.url("/blobs/" + digest);
    get.on_data = [&](const char* data, std::size_t n) {
      for (std::size_t done = 0; done < n;) {
        const ssize_t w = ::write(fd.get(), data + done, n - done);
        if (w < 0) throw_errno(std::string("write `") + path + "`");
        done += static_cast<std::size_t>(w);
      }
      return true;
    };
    HttpResponse r = from.send(get);
    if (r.status != 200) throw_registry_error(r, what + ": blob " + digest);
  }
  upload_file(to, path, d, size, o);
}

/// The manifest (and, for an index, its manifests) at `reference` of `from` into `to`, by digest.
nlohmann::json artifact_copy_manifest(RepositoryClient& from, RepositoryClient& to, const std::string& reference,
                                      const std::string& what) {
  auto [bytes, type] = artifact_get_manifest(from, reference, what);
  const nlohmann::json m = nlohmann::json::parse(bytes);
  if (type == kOciIndex || type == kDockerList) {
    for (const auto& child : m.value("manifests", nlohmann::json::array()))
      artifact_copy_manifest(from, to, child.value("digest", ""), what);
  } else {
    if (m.contains("config"))
      artifact_copy_blob(from, to, m["config"].value("digest", ""), m["config"].value("size", std::uint64_t{0}), what);
    for (const auto& layer : m.value("layers", nlohmann::json::array()))
      artifact_copy_blob(from, to, layer.value("digest", ""), layer.value("size", std::uint64_t{0}), what);
  }
  const std::string digest = image::sha256_of(bytes).str();
  HttpRequest put;
  put.method = "PUT";
  put.url = to.url("/manifests/" + digest);
  put.headers.push_back("Content-Type: " + type);
  put.body = bytes;
  HttpResponse r = to.send(put);
  if (r.status < 200 || r.status >= 300) throw_push_error(r, what + ": manifest " + digest);
  return nlohmann::json{{"mediaType", type}, {"digest", digest}, {"size", bytes.size()}};
}

}  // namespace

std::string push_application_index(const image::Reference& ref, const ArtifactPushResult& compose_manifest,
                                   const std::vector<image::Reference>& images, const Config& config,
                                   const CredentialStore& credentials) {
  HttpClient http;
  const std::string key = credential_key(ref.domain);
  RepositoryClient to(http, registry_endpoint(ref.domain, config), ref.path, credentials.get(key), "pull,push",
                      credentials.saver(key));
  OrderedJson manifests = OrderedJson::array();
  try {
    for (const auto& image : images) {
      const std::string what = "publish " + ref.familiar() + ": image " + image.familiar();
      HttpClient source_http;
      const std::string source_key = credential_key(image.domain);
      RepositoryClient from(source_http, registry_endpoint(image.domain, config), image.path,
                            credentials.get(source_key), "pull", credentials.saver(source_key));
      const nlohmann::json d = artifact_copy_manifest(from, to, image.digest ? image.digest->str() : image.tag, what);
      // containerd's distribution-source label, which docker compose's Copy leaves on the descriptor
      OrderedJson entry;
      entry["mediaType"] = d["mediaType"];
      entry["digest"] = d["digest"];
      entry["size"] = d["size"];
      entry["annotations"] = OrderedJson{{"containerd.io/distribution.source." + image.domain, image.path}};
      manifests.push_back(entry);
    }
    OrderedJson subject;
    subject["mediaType"] = kOciManifest;
    subject["digest"] = compose_manifest.digest;
    subject["size"] = compose_manifest.size;
    subject["annotations"] = OrderedJson{{"com.docker.compose.version", BERTH_REGISTRY_VERSION}};
    if (compose_manifest.version == "1.1") subject["artifactType"] = kComposeProjectArtifactType;
    OrderedJson index;
    index["schemaVersion"] = 2;
    index["mediaType"] = kOciIndex;
    index["manifests"] = manifests;
    index["subject"] = subject;
    index["annotations"] = OrderedJson{{"com.docker.compose.version", BERTH_REGISTRY_VERSION}};
    const std::string text = index.dump();
    const std::string digest = image::sha256_of(text).str();
    HttpRequest put;
    put.method = "PUT";
    put.url = to.url("/manifests/" + digest);
    put.headers.push_back(std::string("Content-Type: ") + kOciIndex);
    put.body = text;
    HttpResponse r = to.send(put);
    if (r.status < 200 || r.status >= 300) throw_push_error(r, "publish " + ref.familiar() + ": application index");
    return digest;
  } catch (const HttpError& e) {
    throw std::runtime_error("publish " + ref.familiar() + ": " + e.what());
  }
}

std::string fetch_compose_artifact(const image::Reference& ref, const std::string& cache_dir, const Config& config,
                                   const CredentialStore& credentials) {
  const std::string what = "failed to pull OCI resource \"" + ref.str() + "\"";
  HttpClient http;
  const std::string key = credential_key(ref.domain);
  RepositoryClient client(http, registry_endpoint(ref.domain, config), ref.path, credentials.get(key), "pull",
                          credentials.saver(key));
  try {
    auto [bytes, type] = artifact_get_manifest(client, ref.digest ? ref.digest->str() : ref.tag, what);
    const std::string local = cache_dir + "/" + std::string(image::sha256_of(bytes).hex());
    if (std::filesystem::exists(local)) return local;
    nlohmann::json manifest = nlohmann::json::parse(bytes);
    if (type == kOciIndex || type == kDockerList) {  // an application: the index names its compose manifest
      bool found = false;
      for (const auto& m : manifest.value("manifests", nlohmann::json::array()))
        if (m.value("artifactType", "") == kComposeProjectArtifactType) {
          found = true;
          bytes = artifact_get_manifest(client, m.value("digest", ""), what).first;
        }
      if (!found) throw std::runtime_error("OCI index " + ref.str() + " doesn't refer to compose artifacts");
      manifest = nlohmann::json::parse(bytes);
    }
    const std::string artifact_type = manifest.value("artifactType", "");
    const std::string config_type =
        manifest.contains("config") ? manifest["config"].value("mediaType", "") : std::string();
    if ((!artifact_type.empty() && artifact_type != kComposeProjectArtifactType) ||
        (artifact_type.empty() && config_type != kComposeEmptyConfigMediaType))
      throw std::runtime_error(ref.str() + " is not a compose project OCI artifact, but " + artifact_type);
    // Written into a staging directory renamed into place, so an interrupted fetch leaves nothing
    // a later load would take for complete.
    std::filesystem::create_directories(cache_dir);
    const std::string staging = local + ".partial-" + std::to_string(::getpid());
    std::filesystem::remove_all(staging);
    if (::mkdir(staging.c_str(), 0700) != 0) throw_errno("mkdir `" + staging + "`");
    try {
      const nlohmann::json layers = manifest.value("layers", nlohmann::json::array());
      for (std::size_t i = 0; i < layers.size(); ++i) {
        const nlohmann::json& layer = layers[i];
        const nlohmann::json annotations = layer.value("annotations", nlohmann::json::object());
        const std::string media = layer.value("mediaType", "");
        if (media != kComposeFileMediaType && media != kComposeEnvFileMediaType) continue;
        const std::string data =
            artifact_get_blob(client, layer.value("digest", ""), layer.value("size", std::uint64_t{0}), what);
        if (media == kComposeFileMediaType) {
          std::string file = "compose.yaml";
          if (annotations.contains("com.docker.compose.extends")) {
            file = annotations.value("com.docker.compose.file", "");
            artifact_check_name(file);
          }
          const bool separate = i > 0 && annotations.contains("com.docker.compose.file");
          artifact_append_file(staging + "/" + file, (separate ? "\n---\n" : "") + data);
        } else {
          if (!annotations.contains("com.docker.compose.envfile"))
            throw std::runtime_error("missing annotation com.docker.compose.envfile in layer \"" +
                                     layer.value("digest", "") + "\"");
          const std::string file = annotations.value("com.docker.compose.envfile", "");
          artifact_check_name(file);
          write_file_atomic(staging + "/" + file, data, 0600);
        }
      }
      std::filesystem::rename(staging, local);
    } catch (...) {
      std::filesystem::remove_all(staging);
      throw;
    }
    return local;
  } catch (const HttpError& e) {
    throw std::runtime_error(what + ": " + e.what());
  }
}

std::string compose_artifact_cache(const std::map<std::string, std::string>& environment) {
  if (auto it = environment.find("XDG_CACHE_HOME"); it != environment.end()) return it->second + "/docker-compose";
  auto home = environment.find("HOME");
  return (home == environment.end() ? std::string("/root") : home->second) + "/.cache/docker-compose";
}

}  // namespace berth::registry
