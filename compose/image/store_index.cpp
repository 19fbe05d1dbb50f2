// Image store, part 2: names and garbage collection. images.json maps each normalised
// reference ("docker.io/library/busybox:latest") to the manifest it names, with the config
// digest (the image id), the config's creation time, the unpacked size and when it was tagged,
// so that `berth images` reads one file. An image without a name (docker load of an untagged
// image, or one whose name moved to another image) is keyed by its manifest digest instead.
//
// Removal writes the new images.json first and deletes data afterwards: a crash in between
// leaks unreferenced files but never leaves a name pointing at deleted data. Data is deleted
// only when no remaining image uses it (layers are shared by chain id, blobs by digest); a
// blob's hints (blob-sources/, push-gzip/: see store.hpp) go with it.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <stdexcept>

#include "common/atomic_file.hpp"
#include "common/dir_list.hpp"
#include "common/sys_error.hpp"
#include "compose/gocompat/rfc3339.hpp"
#include "compose/gocompat/units.hpp"
#include "compose/image/store.hpp"

namespace berth::image {

namespace {

using nlohmann::json;

constexpr std::string_view kIndexMediaTypes[] = {"application/vnd.oci.image.index.v1+json",
                                                 "application/vnd.docker.distribution.manifest.list.v2+json"};

bool is_dangling_key(const std::string& key) { return Digest::parse(key).has_value(); }

Digest entry_manifest(const json& entry) { return Digest::from_string(entry.at("manifest").get<std::string>()); }

bool is_hex_prefix(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

/// Things an image needs: its blobs and its layers' chain ids.
struct Uses {
  std::set<Digest> blobs;
  std::set<Digest> chains;
  void add(const ImageRecord& r) {
    blobs.insert(r.manifest_digest);
    blobs.insert(r.config_digest);
    for (const auto& l : r.layers) {
      blobs.insert(l.blob);
      chains.insert(l.chain_id);
    }
  }
};

}  // namespace

Digest manifest_config_digest(const json& manifest) {
  if (!manifest.is_object() || !manifest.contains("config") || !manifest["config"].is_object())
    throw std::runtime_error("image manifest has no config descriptor");
  return Digest::from_string(manifest["config"].value("digest", ""));
}

std::vector<ImageLayer> image_layers(const json& manifest, const json& config) {
  std::string media_type = manifest.value("mediaType", "");
  if (manifest.contains("manifests") ||
      std::find(std::begin(kIndexMediaTypes), std::end(kIndexMediaTypes), media_type) != std::end(kIndexMediaTypes))
    throw std::runtime_error("manifest is an image index, not an image manifest");
  const json& layers = manifest.value("layers", json::array());
  const json* diff_ids = nullptr;
  if (config.contains("rootfs") && config["rootfs"].is_object() && config["rootfs"].contains("diff_ids"))
    diff_ids = &config["rootfs"]["diff_ids"];
  size_t n_diff = diff_ids && diff_ids->is_array() ? diff_ids->size() : 0;
  if (!layers.is_array() || layers.size() != n_diff)
    throw std::runtime_error("the manifest lists " + std::to_string(layers.is_array() ? layers.size() : 0) +
                             " layers but the config has " + std::to_string(n_diff) + " diff ids");
  std::vector<ImageLayer> out;
  std::optional<Digest> parent;
  for (size_t i = 0; i < layers.size(); ++i) {
    const json& l = layers[i];
    Digest diff = Digest::from_string((*diff_ids)[i].get<std::string>());
    Digest chain = chain_id(parent, diff);
    out.push_back({Digest::from_string(l.value("digest", "")), l.value("mediaType", ""),
                   l.value("size", std::int64_t{0}), diff, chain});
    parent = chain;
  }
  return out;
}

json ImageStore::read_index() const {
  std::string path = m_root + "/images.json";
  if (::access(path.c_str(), F_OK) != 0) return json{{"version", 1}, {"images", json::object()}};
  json index;
  try {
    index = json::parse(read_file(path));
  } catch (const json::exception& e) {
    throw std::runtime_error("read `" + path + "`: " + e.what());
  }
  if (!index.is_object() || !index.contains("images") || !index["images"].is_object())
    throw std::runtime_error("read `" + path + "`: expected an object with an \"images\" object");
  return index;
}

void ImageStore::write_index(const json& index) const {
  write_file_atomic(m_root + "/images.json", index.dump(2) + "\n");
}

ImageRecord ImageStore::record(const Digest& manifest_digest) const {
  return build_record(manifest_digest, read_index());
}

ImageRecord ImageStore::build_record(const Digest& manifest_digest, const json& index) const {
  json manifest = json::parse(read_blob(manifest_digest));
  Digest config_digest = manifest_config_digest(manifest);
  json config = json::parse(read_blob(config_digest));
  ImageRecord r{{}, manifest_digest, config_digest, std::move(manifest), std::move(config), {}, 0, {}};
  r.layers = image_layers(r.manifest, r.config);
  for (const auto& l : r.layers)
    if (auto info = layer_info(l.chain_id)) r.size += info->size;
  for (const auto& [key, entry] : index.at("images").items()) {
    if (entry_manifest(entry) != manifest_digest) continue;
    if (!is_dangling_key(key))
      if (auto ref = try_parse_reference(key)) r.names.push_back(*ref);
    r.tagged = std::max(r.tagged, entry.value("tagged", std::string()));
  }
  std::sort(r.names.begin(), r.names.end(), [](const Reference& a, const Reference& b) { return a.str() < b.str(); });
  return r;
}

void ImageStore::tag(const StoreLock& lock, const Reference& ref, const Digest& manifest) {
  check_lock(lock);
  ImageRecord r = record(manifest);
  for (const auto& l : r.layers)
    if (!has_layer(l.chain_id))
      throw std::runtime_error("tag " + ref.familiar() + ": layer " + l.chain_id.str() + " is not unpacked");
  json entry = {{"manifest", manifest.str()},
                {"config", r.config_digest.str()},
                {"created", json_string(r.config, "created")},
                {"size", r.size},
                {"tagged", gocompat::rfc3339_now()}};
  json index = read_index();
  json& images = index["images"];
  std::optional<json> previous;
  if (images.contains(ref.str()) && entry_manifest(images[ref.str()]) != manifest) previous = images[ref.str()];
  images[ref.str()] = entry;
  images.erase(manifest.str());
  if (previous) {
    // The image the name leaves keeps existing, without a name, unless another name holds it.
    Digest old = entry_manifest(*previous);
    bool held = std::any_of(images.begin(), images.end(), [&](const json& e) { return entry_manifest(e) == old; });
    if (!held) images[old.str()] = *previous;
  }
  write_index(index);
}

void ImageStore::add_untagged(const StoreLock& lock, const Digest& manifest) {
  check_lock(lock);
  json index = read_index();
  json& images = index["images"];
  if (std::any_of(images.begin(), images.end(), [&](const json& e) { return entry_manifest(e) == manifest; })) return;
  ImageRecord r = record(manifest);
  images[manifest.str()] = {{"manifest", manifest.str()},
                            {"config", r.config_digest.str()},
                            {"created", json_string(r.config, "created")},
                            {"size", r.size},
                            {"tagged", ""}};
  write_index(index);
}

std::optional<ImageRecord> ImageStore::resolve(const Reference& ref) const {
  json index = read_index();
  auto it = index["images"].find(ref.str());
  if (it == index["images"].end()) return std::nullopt;
  return build_record(entry_manifest(*it), index);
}

std::optional<ImageRecord> ImageStore::find(std::string_view name_or_id) const {
  std::string_view id = name_or_id;
  bool full_id = id.substr(0, 7) == "sha256:";
  if (full_id) id.remove_prefix(7);
  if (!full_id)
    if (auto ref = try_parse_reference(name_or_id))
      if (auto r = resolve(*ref)) return r;
  if (!is_hex_prefix(id)) return std::nullopt;
  json index = read_index();
  std::optional<Digest> match_config, match_manifest;
  for (const auto& entry : index["images"]) {
    std::string config = entry.value("config", "");
    if (config.compare(0, 7, "sha256:") != 0 || config.compare(7, id.size(), id) != 0) continue;
    Digest c = Digest::from_string(config);
    if (match_config && *match_config != c)
      throw std::runtime_error("image id prefix `" + std::string(name_or_id) + "` is ambiguous");
    if (!match_config) match_manifest = entry_manifest(entry);
    match_config = c;
  }
  if (!match_manifest) return std::nullopt;
  return build_record(*match_manifest, index);
}

std::vector<ImageSummary> ImageStore::list() const {
  std::vector<ImageSummary> out;
  json index = read_index();
  for (const auto& [key, entry] : index["images"].items()) {
    std::optional<Reference> name;
    if (!is_dangling_key(key)) name = try_parse_reference(key);
    out.push_back({name, entry_manifest(entry), Digest::from_string(entry.value("config", "")),
                   entry.value("created", std::string()), entry.value("size", std::uint64_t{0})});
  }
  return out;
}

std::optional<RemoveResult> ImageStore::remove(const StoreLock& lock, const Reference& ref) {
  check_lock(lock);
  json index = read_index();
  json& images = index["images"];
  auto it = images.find(ref.str());
  if (it == images.end()) return std::nullopt;
  Digest manifest = entry_manifest(*it);
  images.erase(it);
  if (std::any_of(images.begin(), images.end(), [&](const json& e) { return entry_manifest(e) == manifest; })) {
    write_index(index);
    return RemoveResult{{ref.familiar()}, {}};
  }
  RemoveResult result = collect(index, manifest);
  result.untagged.insert(result.untagged.begin(), ref.familiar());
  return result;
}

RemoveResult ImageStore::remove_image(const StoreLock& lock, const Digest& manifest) {
  check_lock(lock);
  json index = read_index();
  json& images = index["images"];
  RemoveResult result;
  for (auto it = images.begin(); it != images.end();) {
    if (entry_manifest(*it) != manifest) {
      ++it;
      continue;
    }
    if (!is_dangling_key(it.key()))
      if (auto ref = try_parse_reference(it.key())) result.untagged.push_back(ref->familiar());
    it = images.erase(it);
  }
  RemoveResult deleted = collect(index, manifest);
  result.deleted = std::move(deleted.deleted);
  return result;
}

namespace {
/// What the images of `index` use; `complete` false when one of them could not be read.
Uses images_uses(const json& index, const std::function<ImageRecord(const Digest&)>& record, bool& complete) {
  Uses keep;
  complete = true;
  std::set<Digest> seen;
  for (const auto& entry : index["images"]) {
    Digest m = entry_manifest(entry);
    if (!seen.insert(m).second) continue;
    try {
      keep.add(record(m));
    } catch (const std::exception&) {
      complete = false;
    }
  }
  return keep;
}
}  // namespace

bool ImageStore::discard_layer(const Digest& chain) {
  // Move the layer out of layers/ in one rename, so a crash never leaves half a layer that
  // looks complete; then delete it at leisure.
  std::string dir = m_root + "/layers/" + std::string(chain.hex());
  std::string trash = m_root + "/tmp/trash-XXXXXX";
  if (::access(dir.c_str(), F_OK) != 0) return false;
  if (::mkdtemp(trash.data()) == nullptr) throw_errno("create temporary directory `" + trash + "`");
  std::string target = trash + "/layer";
  if (::rename(dir.c_str(), target.c_str()) != 0) throw_errno("rename `" + dir + "` to `" + target + "`");
  std::error_code ec;
  std::filesystem::remove_all(trash, ec);
  if (ec) throw SysError("remove `" + trash + "`", ec.value());
  return true;
}

bool ImageStore::discard_blob(const Digest& d) {
  std::error_code ec;
  if (!std::filesystem::remove(blob_path(d), ec)) return false;
  // The hints go after the blob: a crash in between leaves a hint without its blob, which
  // readers of hints already have to expect (they are only ever hints).
  const std::string hex(d.hex());
  const std::string gzip_hint = m_root + "/" + std::string(kPushGzipDir) + "/" + hex;
  std::string gzip_form;
  if (std::ifstream in(gzip_hint); in >> gzip_form)
    if (auto g = Digest::parse(gzip_form); g && !has_blob(*g))
      std::filesystem::remove(m_root + "/" + std::string(kBlobSourcesDir) + "/" + std::string(g->hex()), ec);
  std::filesystem::remove(gzip_hint, ec);
  std::filesystem::remove(m_root + "/" + std::string(kBlobSourcesDir) + "/" + hex, ec);
  return true;
}

void ImageStore::sweep_hints() const {
  // A hint is kept while its blob is stored; a blob-sources record of a gzip form also while a kept
  // push-gzip entry names it. Missing directories hold nothing to sweep.
  auto entries = [&](std::string_view dir) {
    try {
      return list_dir(m_root + "/" + std::string(dir));
    } catch (const SysError& e) {
      if (e.code() == ENOENT) return std::vector<std::string>{};
      throw;
    }
  };
  auto stored = [&](const std::string& hex) {
    auto d = Digest::parse("sha256:" + hex);
    return d && has_blob(*d);
  };
  std::error_code ec;
  std::set<std::string> gzip_forms;
  for (const auto& hex : entries(kPushGzipDir)) {
    const std::string path = m_root + "/" + std::string(kPushGzipDir) + "/" + hex;
    if (!stored(hex)) {
      std::filesystem::remove(path, ec);
      continue;
    }
    std::string gzip_form;
    if (std::ifstream in(path); in >> gzip_form)
      if (auto g = Digest::parse(gzip_form)) gzip_forms.insert(std::string(g->hex()));
  }
  for (const auto& hex : entries(kBlobSourcesDir))
    if (!stored(hex) && !gzip_forms.count(hex))
      std::filesystem::remove(m_root + "/" + std::string(kBlobSourcesDir) + "/" + hex, ec);
}

std::uint64_t ImageStore::remove_unused(const StoreLock& lock, const std::set<Digest>& chains,
                                        const std::set<Digest>& blobs) {
  check_lock(lock);
  json index = read_index();
  bool complete = true;
  Uses keep = images_uses(
      index, [&](const Digest& m) { return build_record(m, index); }, complete);
  if (!complete) return 0;  // what an unreadable image shares is unknown: keep everything
  const UniqueFd claims = lock_claims_and_read(keep.blobs, keep.chains);  // held while deleting
  std::uint64_t freed = 0;
  std::error_code ec;
  for (const auto& b : blobs) {
    if (keep.blobs.count(b)) continue;
    auto size = std::filesystem::file_size(blob_path(b), ec);
    if (!ec && discard_blob(b)) freed += size;
  }
  for (const auto& c : chains) {
    if (keep.chains.count(c)) continue;
    auto info = layer_info(c);
    if (discard_layer(c) && info) freed += info->size;
  }
  sweep_hints();
  return freed;
}

RemoveResult ImageStore::collect(json& index, const Digest& manifest) {
  // What the remaining images use. If one of them cannot be read, we cannot know what it
  // shares with the image being removed, so only the manifest blob (never shared) goes.
  bool complete = true;
  Uses keep = images_uses(
      index, [&](const Digest& m) { return build_record(m, index); }, complete);
  std::optional<ImageRecord> doomed;
  try {
    doomed = build_record(manifest, index);
  } catch (const std::exception&) {
  }
  write_index(index);

  RemoveResult result;
  discard_blob(manifest);
  if (!doomed || !complete) return result;
  const UniqueFd claims = lock_claims_and_read(keep.blobs, keep.chains);  // held while deleting
  result.deleted.push_back(doomed->config_digest);
  Uses mine;
  mine.add(*doomed);
  for (const auto& blob : mine.blobs)
    if (!keep.blobs.count(blob)) discard_blob(blob);
  // Topmost first, as docker reports them.
  for (auto l = doomed->layers.rbegin(); l != doomed->layers.rend(); ++l) {
    if (keep.chains.count(l->chain_id)) continue;
    if (discard_layer(l->chain_id)) result.deleted.push_back(l->chain_id);
  }
  sweep_hints();  // also those of blobs deleted before hints went with them
  return result;
}

}  // namespace berth::image
