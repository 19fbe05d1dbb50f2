#include "compose/registry/pull.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <set>
#include <thread>

#include "common/unique_fd.hpp"
#include "compose/registry/blob_fetch.hpp"
#include "compose/registry/blob_sources.hpp"
#include "compose/registry/client.hpp"
#include "compose/registry/endpoint.hpp"
#include "compose/registry/http.hpp"
#include "compose/registry/manifest.hpp"

namespace berth::registry {

namespace {

using image::Digest;
using Json = nlohmann::json;

std::string short_id(const Digest& d) { return std::string(d.hex().substr(0, 12)); }

/// docker's wording for an answer that means "no such image here".
[[noreturn]] void throw_not_found(const RegistryError& e, const image::Reference& ref) {
  if (e.code == "MANIFEST_UNKNOWN")
    throw std::runtime_error("manifest for " + ref.familiar() + " not found: " + e.detail);
  if (e.code == "NAME_UNKNOWN" || e.code == "UNAUTHORIZED" || e.code == "DENIED" || e.status == 401 ||
      e.status == 403 || e.status == 404)
    throw std::runtime_error("pull access denied for " + ref.familiar_name() +
                             ", repository does not exist or may require 'docker login': " + e.detail);
  throw std::runtime_error(std::string(e.what()));
}

/// GET a manifest (by tag or digest) and check it.
ManifestDocument get_manifest(RepositoryClient& client, const std::string& reference, const std::string& what) {
  HttpRequest req;
  req.url = client.url("/manifests/" + reference);
  req.headers.push_back(manifest_accept_header());
  HttpResponse r = client.send(req);
  if (r.status < 200 || r.status >= 300) throw_registry_error(r, "GET " + what);
  ManifestDocument doc = parse_manifest(std::move(r.body), r.header("content-type"), what);
  if (std::string header = r.header("docker-content-digest");
      !header.empty() && header != doc.digest.str() && reference.rfind("sha256:", 0) != 0)
    throw std::runtime_error(what + ": the registry says its digest is " + header + " but the content is " +
                             doc.digest.str());
  if (reference.rfind("sha256:", 0) == 0 && doc.digest.str() != reference)
    throw std::runtime_error(what + ": digest mismatch: asked for " + reference + ", the content is " +
                             doc.digest.str());
  return doc;
}

Digest descriptor_digest(const Json& desc, const std::string& what) {
  try {
    return Digest::from_string(desc.value("digest", ""));
  } catch (const std::exception& e) {
    throw std::runtime_error(what + ": bad descriptor digest: " + e.what());
  }
}

std::uint64_t descriptor_size(const Json& desc) {
  const Json& s = desc.contains("size") ? desc["size"] : Json();
  return s.is_number_unsigned() || s.is_number_integer() ? s.get<std::uint64_t>() : 0;
}

/// After a failed pull: the blobs it stored and the layers it unpacked go again unless an image
/// uses them (nothing half-stored; a full disk gets its space back). Partial downloads stay in
/// <root>/partial for the next pull to resume. Best effort: the pull's own error is the one
/// reported, so a failure here is swallowed (what is left is unreferenced, as after a crash).
void discard_pulled(image::ImageStore& store, const std::set<Digest>& blobs, const std::set<Digest>& chains) noexcept {
  if (blobs.empty() && chains.empty()) return;
  try {
    const image::StoreLock lock = store.lock();
    store.remove_unused(lock, chains, blobs);
  } catch (const std::exception&) {
  }
}

/// The manifest (or index) `reference` names, from the first of `ref`'s endpoints that has it:
/// mirrors first, the registry last (its errors are the ones reported, as docker's). `client` is
/// left talking to the endpoint that answered.
ManifestDocument top_manifest(HttpClient& http, const image::Reference& ref, const Config& config,
                              const CredentialStore& credentials, std::optional<RepositoryClient>& client) {
  const std::string reference = ref.digest ? ref.digest->str() : ref.tag;
  const std::string what = "manifest " + ref.familiar();
  for (const auto& ep : pull_endpoints(ref, config)) {
    const std::string key = ep.mirror ? ep.host : credential_key(ref.domain);
    RepositoryClient c(http, ep, ref.path, credentials.get(key), "pull", credentials.saver(key));
    try {
      ManifestDocument top = get_manifest(c, reference, what);
      client = std::move(c);
      return top;
    } catch (const RegistryError& e) {
      if (ep.mirror) continue;
      throw_not_found(e, ref);
    } catch (const HttpError& e) {
      if (ep.mirror) continue;
      throw std::runtime_error("pull " + ref.familiar() + ": " + e.what());
    }
  }
  throw std::runtime_error("pull " + ref.familiar() + ": no registry endpoint");
}

}  // namespace

Digest resolve_digest(const image::Reference& ref, const Config& config, const CredentialStore& credentials) {
  HttpClient http;
  std::optional<RepositoryClient> client;
  return top_manifest(http, ref, config, credentials, client).digest;
}

PullResult Puller::pull(const image::Reference& ref, const PullOptions& options) {
  auto emit = [&](const std::string& id, const std::string& status, std::uint64_t cur = 0, std::uint64_t total = 0) {
    if (options.on_event) options.on_event(PullEvent{id, status, cur, total});
  };
  const image::Platform platform = options.platform.value_or(image::host_platform());
  const std::string reference = ref.digest ? ref.digest->str() : ref.tag;
  const std::string what = "manifest " + ref.familiar();
  emit("", reference + ": Pulling from " + ref.familiar_name());

  HttpClient http;
  std::optional<RepositoryClient> client;
  ManifestDocument manifest = top_manifest(http, ref, m_config, m_credentials, client);
  std::optional<ManifestDocument> index;
  if (manifest.is_index()) {
    auto pick = image::select_platform(manifest.json, platform);
    if (!pick)
      throw std::runtime_error("no matching manifest for " + platform.str() + " in the manifest list entries of " +
                               ref.familiar());
    Digest d = descriptor_digest(*pick, what);
    index = std::move(manifest);
    manifest = get_manifest(*client, d.str(), "manifest " + ref.familiar_name() + "@" + d.str());
    if (manifest.is_index()) throw std::runtime_error(what + ": an index inside an index is not supported");
  }

  // Already here with every layer: nothing to download.
  const std::optional<image::ImageRecord> before = m_store.resolve(ref);
  const Json& config_desc = manifest.json["config"];
  const Digest config_digest = descriptor_digest(config_desc, what);
  std::mutex mu;
  std::set<Digest> stored_blobs, unpacked_chains;  // what this pull added (under mu)
  std::vector<image::ImageLayer> layers;
  try {
    // What this pull relies on is claimed before it looks whether the store has it: another pull's
    // failure cleanup (or `image rm`) keeps it. The claim ends with this block, before the
    // catch below cleans up after this pull.
    image::StoreClaim claim = m_store.claim();
    claim.add({config_digest});
    if (fetch_blob(*client, m_store, config_digest, descriptor_size(config_desc))) stored_blobs.insert(config_digest);
    Json config;
    try {
      config = Json::parse(m_store.read_blob(config_digest));
    } catch (const Json::exception& e) {
      throw std::runtime_error(what + ": config " + config_digest.str() + " is not JSON: " + e.what());
    }
    layers = image::image_layers(manifest.json, config);
    std::vector<Digest> relied_on;
    for (const auto& l : layers) relied_on.insert(relied_on.end(), {l.blob, l.chain_id});
    claim.add(relied_on);

    // Layers: downloads on a few threads, unpacked (on a few others) as each one is verified.
    std::condition_variable cv;
    std::deque<std::size_t> ready;
    std::vector<bool> needed(layers.size(), false);
    std::size_t next = 0, outstanding = 0;
    std::exception_ptr failure;
    std::atomic<bool> stop{false};
    for (std::size_t i = 0; i < layers.size(); ++i) {
      if (m_store.has_layer(layers[i].chain_id)) {
        emit(short_id(layers[i].blob), "Already exists");
        continue;
      }
      needed[i] = true;
      ++outstanding;
      emit(short_id(layers[i].blob), "Pulling fs layer");
    }
    auto worker = [&] {
      HttpClient own;
      RepositoryClient c = client->over(own);
      while (true) {
        std::size_t i;
        {
          std::lock_guard lk(mu);
          while (next < layers.size() && !needed[next]) ++next;
          if (next >= layers.size() || stop) return;
          i = next++;
        }
        const auto& l = layers[i];
        const std::string id = short_id(l.blob);
        try {
          BlobProgress p;
          p.on_bytes = [&](std::uint64_t have, std::uint64_t size) { emit(id, "Downloading", have, size); };
          const bool stored = fetch_blob(c, m_store, l.blob, static_cast<std::uint64_t>(l.blob_size), p);
          emit(id, "Verifying Checksum");
          emit(id, "Download complete");
          std::lock_guard lk(mu);
          if (stored) stored_blobs.insert(l.blob);
          ready.push_back(i);
        } catch (...) {
          std::lock_guard lk(mu);
          if (!failure) failure = std::current_exception();
          stop = true;
        }
        cv.notify_all();
      }
    };
    std::vector<std::thread> threads;
    const std::size_t n_threads = std::min<std::size_t>(std::max(1, options.parallel_downloads), outstanding);
    for (std::size_t t = 0; t < n_threads; ++t) threads.emplace_back(worker);
    struct Joiner {
      std::vector<std::thread>& t;
      ~Joiner() {
        for (auto& th : t)
          if (th.joinable()) th.join();
      }
    } joiner{threads};

    // Unpacking: a few threads, each taking the next verified layer (each layer unpacks into its
    // own staging dir; the parent only names the chain id), under the store lock taken when the
    // first layer is ready and held to the end.
    std::optional<image::StoreLock> lock;
    std::mutex lock_mu;
    auto store_lock = [&]() -> const image::StoreLock& {
      std::lock_guard lk(lock_mu);
      if (!lock) lock.emplace(m_store.lock());
      return *lock;
    };
    auto unpacker = [&] {
      while (true) {
        std::size_t i;
        {
          std::unique_lock lk(mu);
          cv.wait(lk, [&] { return !ready.empty() || failure || outstanding == 0; });
          if (failure || ready.empty()) return;
          i = ready.front();
          ready.pop_front();
        }
        try {
          const auto& l = layers[i];
          const std::string id = short_id(l.blob);
          emit(id, "Extracting");
          UniqueFd fd = m_store.open_blob(l.blob);
          std::optional<Digest> parent = i == 0 ? std::nullopt : std::optional<Digest>(layers[i - 1].chain_id);
          m_store.add_layer(store_lock(), fd.get(), parent, l.diff_id, l.blob.str() + " of " + ref.familiar());
          {
            std::lock_guard lk(mu);
            unpacked_chains.insert(l.chain_id);
          }
          emit(id, "Pull complete");
        } catch (...) {
          std::lock_guard lk(mu);
          if (!failure) failure = std::current_exception();
          stop = true;
        }
        {
          std::lock_guard lk(mu);
          --outstanding;
        }
        cv.notify_all();
      }
    };
    {
      std::vector<std::jthread> unpackers;
      const std::size_t n_unpack =
          std::min<std::size_t>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u), outstanding);
      for (std::size_t t = 0; t < n_unpack; ++t) unpackers.emplace_back(unpacker);
    }  // joined here
    {
      std::lock_guard lk(mu);
      stop = true;
    }
    for (auto& th : threads) th.join();
    if (failure) std::rethrow_exception(failure);

    // The manifest (and index) as received, one syncfs, then the name.
    for (const ManifestDocument* doc : {index ? &*index : nullptr, &manifest}) {
      if (!doc) continue;
      if (!m_store.has_blob(doc->digest)) stored_blobs.insert(doc->digest);
      m_store.put_blob(doc->bytes, doc->digest);
    }
    if (!lock) lock.emplace(m_store.lock());
    m_store.sync();
    m_store.tag(*lock, ref, manifest.digest);
  } catch (...) {
    // The threads are joined and the store lock released by now (the try block's locals).
    discard_pulled(m_store, stored_blobs, unpacked_chains);
    throw;
  }
  // Where these blobs are, so a push to another repository of this registry mounts them.
  const BlobSources sources(m_store.root());
  sources.add(config_digest, client->endpoint().host, client->repository());
  for (const auto& l : layers) sources.add(l.blob, client->endpoint().host, client->repository());

  PullResult result{manifest.digest, config_digest, !before || before->manifest_digest != manifest.digest};
  emit("", "Digest: " + (index ? index->digest : manifest.digest).str());
  emit("", std::string("Status: ") + (result.updated ? "Downloaded newer image for " : "Image is up to date for ") +
               ref.familiar());
  return result;
}

}  // namespace berth::registry
