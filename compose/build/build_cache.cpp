// Step cache records (see build_cache.hpp).
#include "compose/build/build_cache.hpp"

#include <filesystem>
#include <set>
#include <system_error>

#include "common/atomic_file.hpp"
#include "compose/gocompat/sha256.hpp"

namespace berth::build {

namespace {

nlohmann::json layer_json(const image::ImageLayer& l) {
  return {{"blob", l.blob.str()},
          {"media_type", l.media_type},
          {"blob_size", l.blob_size},
          {"diff_id", l.diff_id.str()},
          {"chain_id", l.chain_id.str()}};
}

image::ImageLayer layer_from_json(const nlohmann::json& j) {
  auto digest = [&](const char* key) { return image::Digest::from_string(j.at(key).get<std::string>()); };
  return image::ImageLayer{digest("blob"), j.at("media_type").get<std::string>(), j.at("blob_size").get<std::int64_t>(),
                           digest("diff_id"), digest("chain_id")};
}

std::uint64_t tree_size(const std::string& dir) {
  namespace fs = std::filesystem;
  std::uint64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    std::error_code ignored;
    if (it->is_regular_file(ignored)) total += it->file_size(ignored);
  }
  return total;
}

}  // namespace

BuildCache::BuildCache(const std::string& root) : m_dir(root + "/build-cache") {}

std::string BuildCache::key(const std::string& parent, const std::string& text) {
  std::string input = parent;
  input.push_back('\0');
  input += text;
  return gocompat::sha256_hex(input);
}

std::optional<CacheRecord> BuildCache::get(const std::string& key, const image::ImageStore& store) const {
  std::string text;
  try {
    text = read_file(m_dir + "/steps/" + key + ".json");
  } catch (const std::exception&) {
    return std::nullopt;  // no record (or an unreadable one: the cache only saves work)
  }
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    CacheRecord rec{j.at("created").get<std::string>(), std::nullopt};
    if (j.contains("layer") && !j["layer"].is_null()) {
      rec.layer = layer_from_json(j["layer"]);
      if (!store.has_layer(rec.layer->chain_id) || !store.has_blob(rec.layer->blob)) return std::nullopt;
    }
    return rec;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void BuildCache::put(const std::string& key, const CacheRecord& record) const {
  std::filesystem::create_directories(m_dir + "/steps");
  nlohmann::json j = {{"created", record.created}};
  if (record.layer) j["layer"] = layer_json(*record.layer);
  write_file_atomic(m_dir + "/steps/" + key + ".json", j.dump() + "\n");
}

std::string BuildCache::cache_mount_dir(const std::string& id) const {
  std::string dir = m_dir + "/mounts/" + gocompat::sha256_hex(id);
  std::filesystem::create_directories(dir);
  return dir;
}

std::uint64_t BuildCache::prune(image::ImageStore& store) const {
  namespace fs = std::filesystem;
  std::set<image::Digest> chains, blobs;
  std::error_code ec;
  for (fs::directory_iterator it(m_dir + "/steps", ec), end; !ec && it != end; it.increment(ec)) {
    try {
      nlohmann::json j = nlohmann::json::parse(read_file(it->path().string()));
      if (!j.contains("layer") || j["layer"].is_null()) continue;
      image::ImageLayer l = layer_from_json(j["layer"]);
      chains.insert(l.chain_id);
      blobs.insert(l.blob);
    } catch (const std::exception&) {  // a foreign or torn record names nothing to delete
    }
  }
  std::uint64_t freed = tree_size(m_dir);
  {
    image::StoreLock lock = store.lock();
    freed += store.remove_unused(lock, chains, blobs);
  }
  ec.clear();
  for (const char* sub : {"/steps", "/mounts", "/stat-cache"}) fs::remove_all(m_dir + sub, ec);
  return freed;
}

}  // namespace berth::build
