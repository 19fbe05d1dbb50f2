#include "compose/registry/push.hpp"

#include <algorithm>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "compose/registry/blob_sources.hpp"
#include "compose/registry/blob_upload.hpp"
#include "compose/registry/client.hpp"
#include "compose/registry/endpoint.hpp"
#include "compose/registry/http.hpp"
#include "compose/registry/manifest.hpp"
#include "compose/registry/push_gzip.hpp"

namespace berth::registry {

namespace {

using image::Digest;

/// One blob to push: a layer (shown by its 12 hex digits) or the config (not shown, as docker).
/// A layer stored uncompressed is pushed gzip-compressed (push_gzip.hpp).
struct PushItem {
  Digest digest;
  std::uint64_t size = 0;
  std::string id;
  std::optional<Digest> diff_id;  ///< layers only
  bool compress = false;
};

/// The blobs of `image`: layers top first (the order docker lists them), then the config; a
/// blob named twice is pushed once.
std::vector<PushItem> push_items(const image::ImageRecord& image) {
  std::vector<PushItem> items;
  std::set<Digest> seen;
  for (auto it = image.layers.rbegin(); it != image.layers.rend(); ++it)
    if (seen.insert(it->blob).second)
      items.push_back({it->blob, static_cast<std::uint64_t>(it->blob_size), it->blob.short_hex(), it->diff_id,
                       compress_on_push(it->media_type)});
  const auto config = image.manifest.value("config", nlohmann::json::object());
  const std::uint64_t config_size =
      config.contains("size") && config["size"].is_number_unsigned() ? config["size"].get<std::uint64_t>() : 0;
  if (seen.insert(image.config_digest).second)
    items.push_back({image.config_digest, config_size, "", std::nullopt, false});
  return items;
}

/// The Content-Type of the manifest PUT: its own mediaType, else what its config implies.
std::string manifest_media_type(const image::ImageRecord& image) {
  std::string type = image.manifest.value("mediaType", "");
  if (!type.empty()) return type;
  const auto config = image.manifest.value("config", nlohmann::json::object());
  if (config.value("mediaType", "") == "application/vnd.docker.container.image.v1+json") return kDockerManifest;
  return kOciManifest;
}

/// docker's words for a name the store does not have: no tag of the repository at all, or not
/// this tag.
[[noreturn]] void throw_not_here(const image::ImageStore& store, const image::Reference& ref) {
  for (const auto& row : store.list())
    if (row.name && row.name->name() == ref.name()) throw std::runtime_error("tag does not exist: " + ref.familiar());
  throw std::runtime_error("An image does not exist locally with the tag: " + ref.familiar_name());
}

/// HEAD of the tag: the first request, so authentication (and a refusal) happens once, here,
/// before the upload threads copy the authorization.
/// Throws RegistryError ("push x:1: unauthorized: authentication required").
void check_access(RepositoryClient& client, const std::string& tag, const std::string& context) {
  HttpRequest head;
  head.method = "HEAD";
  head.url = client.url("/manifests/" + tag);
  head.headers.push_back(manifest_accept_header());
  HttpResponse r = client.send(head);
  if (r.status == 401 || r.status == 403) throw_push_error(r, context);
}

}  // namespace

PushResult Pusher::push(const image::Reference& ref, const PushOptions& options) {
  if (ref.digest) throw std::runtime_error("cannot push a digest reference: " + ref.familiar());
  std::mutex emit_mu;
  auto emit = [&](const std::string& id, const std::string& status, std::uint64_t cur = 0, std::uint64_t total = 0) {
    if (!options.on_event) return;
    std::lock_guard lk(emit_mu);
    options.on_event(PushEvent{id, status, cur, total});
  };
  emit("", "The push refers to repository [" + ref.name() + "]");
  const std::optional<image::ImageRecord> image = m_store.resolve(ref);
  if (!image) throw_not_here(m_store, ref);
  const std::string context = "push " + ref.familiar();
  const std::vector<PushItem> items = push_items(*image);
  std::string manifest_bytes = m_store.read_blob(image->manifest_digest);
  for (const auto& item : items)
    if (!item.id.empty()) emit(item.id, "Preparing");

  const Endpoint endpoint = registry_endpoint(ref.domain, m_config);
  const BlobSources sources(m_store.root());
  const PushGzipCache gzip_cache(m_store.root());
  HttpClient http;
  const std::string key = credential_key(ref.domain);
  RepositoryClient client(http, endpoint, ref.path, m_credentials.get(key), "pull,push", m_credentials.saver(key));
  try {
    check_access(client, ref.tag, context);
  } catch (const HttpError& e) {  // (a RegistryError names the registry and repository already)
    throw std::runtime_error(context + ": " + e.what());
  }

  // Blobs: a few threads, each with its own connection, taking the next blob in turn.
  std::mutex mu;
  std::size_t next = 0;
  std::exception_ptr failure;
  std::map<Digest, GzipLayer> compressed;  // stored blob -> what went up instead (under mu)
  auto options_for = [&](const PushItem& item, const Digest& sent, std::uint64_t sent_size) {
    BlobUploadOptions o;
    o.mount_from = sources.repositories(sent, endpoint.host, ref.path);
    o.chunk_size = options.chunk_size;
    if (!item.id.empty()) {
      o.on_upload = [&emit, id = item.id, sent_size] { emit(id, "Pushing", 0, sent_size); };
      o.on_bytes = [&emit, id = item.id](std::uint64_t sent, std::uint64_t size) { emit(id, "Pushing", sent, size); };
    }
    return o;
  };
  // An uncompressed layer: the gzip form the registry already has (remembered), else a fresh one.
  auto push_compressed = [&](RepositoryClient& c, const PushItem& item) {
    if (auto known = gzip_cache.find(*item.diff_id); known && blob_exists(c, known->digest)) {
      std::lock_guard lk(mu);
      compressed.insert_or_assign(item.digest, *known);
      return BlobUploadResult{BlobUploadResult::Outcome::Exists, ""};
    }
    GzipTempFile gz(m_store, item.digest);
    gzip_cache.remember(*item.diff_id, gz.layer());
    const BlobUploadResult done = upload_file(c, gz.path(), gz.layer().digest, gz.layer().size,
                                              options_for(item, gz.layer().digest, gz.layer().size));
    sources.add(gz.layer().digest, endpoint.host, ref.path);
    std::lock_guard lk(mu);
    compressed.insert_or_assign(item.digest, gz.layer());
    return done;
  };
  auto push_item = [&](RepositoryClient& c, const PushItem& item) {
    BlobUploadResult done;
    if (item.compress) {
      done = push_compressed(c, item);
    } else {
      done = upload_blob(c, m_store, item.digest, item.size, options_for(item, item.digest, item.size));
      sources.add(item.digest, endpoint.host, ref.path);
    }
    if (item.id.empty()) return;
    switch (done.outcome) {
      case BlobUploadResult::Outcome::Exists:
        emit(item.id, "Layer already exists");
        break;
      case BlobUploadResult::Outcome::Mounted:
        emit(item.id, "Mounted from " + done.mounted_from);
        break;
      case BlobUploadResult::Outcome::Pushed:
        emit(item.id, "Pushed");
        break;
    }
  };
  auto worker = [&] {
    try {
      HttpClient own;
      RepositoryClient c = client.over(own);
      while (true) {
        std::size_t i;
        {
          std::lock_guard lk(mu);
          if (failure || next >= items.size()) return;
          i = next++;
        }
        push_item(c, items[i]);
      }
    } catch (...) {
      std::lock_guard lk(mu);
      if (!failure) failure = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> threads;
    const std::size_t n = std::min<std::size_t>(std::max(1, options.parallel_uploads), items.size());
    for (std::size_t t = 0; t < n; ++t) threads.emplace_back(worker);
  }  // joined here
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      throw std::runtime_error(context + ": " + e.what());
    }
  }

  // The manifest, byte for byte as stored (or naming the compressed layers where some were
  // pushed compressed): the registry's digest must be ours.
  Digest manifest_digest = image->manifest_digest;
  if (!compressed.empty()) {
    manifest_bytes = manifest_with(image->manifest, compressed);
    manifest_digest = image::sha256_of(manifest_bytes);
  }
  HttpRequest put;
  put.method = "PUT";
  put.url = client.url("/manifests/" + ref.tag);
  put.headers.push_back("Content-Type: " + manifest_media_type(*image));
  put.body = manifest_bytes;
  const std::string what = context + ": manifest " + manifest_digest.str();
  HttpResponse r;
  try {
    r = client.send(put);
  } catch (const HttpError& e) {
    throw std::runtime_error(what + ": " + e.what());
  }
  if (r.status < 200 || r.status >= 300) throw_push_error(r, what);
  if (const std::string said = r.header("docker-content-digest"); !said.empty() && said != manifest_digest.str())
    throw std::runtime_error(what + ": the registry stored it as " + said);
  emit("", ref.tag + ": digest: " + manifest_digest.str() + " size: " + std::to_string(manifest_bytes.size()));
  return {manifest_digest, manifest_bytes.size()};
}

}  // namespace berth::registry
